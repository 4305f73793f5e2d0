#!/bin/bash
# bench-idle: what idle ports cost slicenetd's forwarding lcore, and what its
# idle back-off (daemon/fwd.c: pause after 1024 empty turns, sleep 1 us
# doubling to 256 us after 16384; never asleep with a priority-0 port on the
# lcore) costs the first frame after a quiet spell. Issue 12.
#   cpu: 64 vhost-user ports connected to two dpdk-testpmd pods (32
#        virtio-user ports each, ports started, forwarding never), nothing
#        sent. The forwarding lcore thread's CPU time (/proc utime + stime)
#        over CPU_SECONDS, with every port at the default priority 2 (the
#        back-off), then with one priority-0 port more (polling, the
#        reference: slicenetd has no switch to turn the back-off off). The
#        lcore's own TSC account (--metrics: sleep and busy cycles) beside it.
#   lat: one-way latency of 64-byte frames sent far apart (RATES, frames/s)
#        between two pod ports of one vgen, the pair at priority 2 (the lcore
#        sleeps between frames) then at priority 0 (it never does), a fresh
#        slicenetd each, interleaved round by round. Per point the share of
#        the point the lcore spent asleep, from its counters.
# slicenetd polls on CPU 1, the pods and vgen on CPU 0 (bench-lib.sh).
# Usage: test/bench/bench-idle.sh BUILD_DIR
#   env: ROUNDS=3 CPU_SECONDS=5 IDLE_PORTS=64 RATES=1000,100 (frames/s per point)
#        LAT_SECONDS=10 (per point) BENCH_NICE=-10 IDLE_METRICS=127.0.0.1:19398
#        REPORT_ONLY=1 redoes the summary from build/bench-idle/raw.txt
set -u
build=$(cd "${1:-build}" && pwd)
ROUNDS=${ROUNDS:-3}
CPU_SECONDS=${CPU_SECONDS:-5}
IDLE_PORTS=${IDLE_PORTS:-64}
RATES=${RATES:-1000,100}
LAT_SECONDS=${LAT_SECONDS:-10}
BENCH_NICE=${BENCH_NICE:--10}
NICE="nice -n $BENCH_NICE"
here=$(cd "$(dirname "$0")" && pwd)
out=$build/bench-idle
W=$(mktemp -d /tmp/snb-idle.XXXXXX)
# 4 KB pages only: HUGE=1 is bench-datapath's (its hugepage reservation).
unset HUGE
# shellcheck source=test/bench/bench-lib.sh
. "$here/bench-lib.sh"
trap bl_cleanup EXIT
# sw_start passes these to slicenetd: metrics on, and "urllc" ports at priority 0.
SN_METRICS=${IDLE_METRICS:-127.0.0.1:19398}
SN_CLASS_KEY=priority
TICK=$(getconf CLK_TCK)
REPORT_ONLY=${REPORT_ONLY:-}
if [ -z "$REPORT_ONLY" ]; then
	rm -rf "$out"
	mkdir -p "$out/cdf"
	: >"$out/raw.txt"
fi

sn() { "$build/bin/slicenetctl" -s "$W/ctl.sock" "$@"; }

# "cycles sleep busy hz ticks gen_ticks cpu0 cpu1": the lcore's TSC account
# (metrics), the CPU ticks (utime + stime) of its thread and of the generator
# (vgen, when it runs), and the busy ticks of each CPU (/proc/stat), now.
counters() {
	local tid ticks=0 gen=0 m
	for tid in /proc/"$SW_PID"/task/*; do
		grep -q worker "$tid/comm" 2>/dev/null || continue
		ticks=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$tid/stat")
		break
	done
	[ -n "${GEN_PID:-}" ] && gen=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$GEN_PID/stat" 2>/dev/null)
	m=$(curl -s "http://$SN_METRICS/metrics")
	awk -v t="$ticks" -v g="${gen:-0}" '
	function first(name) { for (i = 1; i <= n; i++) if (index(l[i], name "{") == 1 || index(l[i], name " ") == 1) { split(l[i], f, " "); return f[2] } return 0 }
	FILENAME == "/proc/stat" { if ($1 == "cpu0" || $1 == "cpu1") busy[$1] = $2 + $3 + $4 + $7 + $8 + $9; next }
	{ l[++n] = $0 }
	END { printf "%s %s %s %s %s %s %s %s\n", first("slicenet_lcore_cycles_total"), first("slicenet_lcore_sleep_cycles_total"),
		first("slicenet_lcore_busy_cycles_total"), first("slicenet_tsc_hz"), t, g, busy["cpu0"], busy["cpu1"] }' - /proc/stat <<<"$m"
}

# Fields of one window between two counters lines: the lcore's CPU use, asleep
# and busy as fractions of the window, what everything else used of CPU 1 (the
# lcore's) and of CPU 0 (besides vgen): other work the figures share the
# machine with. And the window's length in seconds.
window_fields() { # "counters-before" "counters-after"
	awk -v a="$1" -v b="$2" -v tick="$TICK" 'BEGIN {
		split(a, x, " "); split(b, y, " "); c = y[1] - x[1]
		if (c <= 0 || y[4] <= 0) { print "cpu=nan asleep=nan busy=nan other1=nan other0=nan window_s=0"; exit }
		s = c / y[4]; lc = (y[5] - x[5]) / tick / s
		o1 = (y[8] - x[8]) / tick / s - lc; o0 = (y[7] - x[7] - (y[6] - x[6])) / tick / s
		printf "cpu=%.4f asleep=%.4f busy=%.5f other1=%.3f other0=%.3f window_s=%.2f\n", lc, (y[2] - x[2]) / c, (y[3] - x[3]) / c,
			o1 < 0 ? 0 : o1, o0 < 0 ? 0 : o0, s }'
}

backoff_us() {
	curl -s "http://$SN_METRICS/metrics" |
		awk 'index($1, "slicenet_lcore_backoff_seconds") == 1 { printf "%.0f", $2 * 1e6; exit }'
}

# idle_pod N FIRST COUNT: a dpdk-testpmd pod with COUNT virtio-user ports
# (q<FIRST>.. sockets, slicenetd is the server), at its prompt, never
# forwarding. stdin is its own FIFO opened read-write: no writer to keep alive.
idle_pod() {
	local vdevs=() i
	for i in $(seq "$2" $(($2 + $3 - 1))); do
		vdevs+=(--vdev "net_virtio_user$((i - $2)),path=$W/q$i.sock,mac=$(printf '02:00:00:00:08:%02x' "$i")")
	done
	rm -f "$W/idle$1.in"
	mkfifo "$W/idle$1.in"
	# Debian's testpmd has RTE_MAX_ETHPORTS=32: two pods for 64 ports.
	"$TESTPMD" --lcores 0@0,1@0 --no-huge -m 512 --no-pci --file-prefix="snb-idle$1" "${vdevs[@]}" \
		-- -i --total-num-mbufs=20000 <>"$W/idle$1.in" >"$W/idle$1.log" 2>&1 &
	track gen $!
}

connected() { sn ports | grep -c ' connected'; }
wait_connected() { # N
	for _ in $(seq 300); do
		[ "$(connected)" -ge "$1" ] && return 0
		sleep 0.1
	done
	log "only $(connected) of $1 ports connected"
	return 1
}

# One CPU window: appends a "cpu" line to raw.txt.
cpu_window() { # round config ports
	local c0 c1
	sleep 1
	c0=$(counters)
	sleep "$CPU_SECONDS"
	c1=$(counters)
	echo "cpu $1 config=$2 ports=$3 $(window_fields "$c0" "$c1") backoff_us=$(backoff_us)" |
		tee -a "$out/raw.txt" >&2
}

run_cpu() { # round
	local i n=$IDLE_PORTS
	GEN_PID=
	sw_start slicenetd 0 1500 || return 1
	for i in $(seq 0 $((n - 1))); do
		sn add "q$i" "$W/q$i.sock" server "$(printf '02:00:00:00:08:%02x' "$i")" >/dev/null ||
			{ log "add q$i failed"; return 1; }
	done
	for i in $(seq 0 $(((n - 1) / 32))); do
		idle_pod "$i" $((i * 32)) $((n - i * 32 < 32 ? n - i * 32 : 32))
	done
	wait_connected "$n" || return 1
	cpu_window "$1" idle "$n"
	# One port more, at priority 0, in a pod of its own: the lcore stops sleeping.
	sn add hi "$W/q$n.sock" server 02:00:00:00:08:ff prio=0 >/dev/null || { log "add hi failed"; return 1; }
	idle_pod hi "$n" 1
	wait_connected $((n + 1)) || return 1
	sn --json ports | jq -e '.result.ports[] | select(.name == "hi") | .priority == 0' >/dev/null ||
		{ log "hi is not at priority 0"; return 1; }
	cpu_window "$1" prio0 $((n + 1))
}

# One latency run: the pair at PRIO, every point of RATES; appends "lat" lines.
run_lat() { # prio round
	local classes="" marks=() i line rc
	[ "$1" = 0 ] && classes="urllc urllc"
	sw_start slicenetd 2 1500 "$classes" || return 1
	sn --json ports | jq -e "[.result.ports[].priority] == [$1, $1]" >/dev/null ||
		{ log "pair not at priority $1: $(sn ports)"; return 1; }
	# vgen writes into a FIFO read line by line, not a file polled: the script's own
	# forks stay out of the measurement (they share the two CPUs with the lcore and
	# vgen). The counters at each POINT (a point starts) and RESULT (it ended) line.
	rm -f "$W/gen.out"
	mkfifo "$W/gen.out"
	gen_start 2 --mode sparse --rates "$RATES" --duration "$LAT_SECONDS" --samples 1000000000 \
		--cdf "$out/cdf/prio$1-r$2"
	while read -r line; do
		echo "$line" >>"$W/vgen.txt"
		case $line in POINT* | RESULT*) marks+=("$(counters)") ;; esac
	done <"$W/gen.out"
	gen_wait
	rc=$?
	i=0
	while read -r line; do
		[ $((i + 1)) -lt "${#marks[@]}" ] || break
		echo "lat $2 prio=$1 ${line#RESULT mode=lat } $(window_fields "${marks[$i]}" "${marks[$((i + 1))]}")" |
			tee -a "$out/raw.txt" >&2
		i=$((i + 2))
	done < <(grep '^RESULT' "$W/vgen.txt")
	mv "$W/vgen.txt" "$out/vgen-prio$1-r$2.out"
	return $rc
}

[ -n "$REPORT_ONLY" ] || for round in $(seq "$ROUNDS"); do
	log "== $(date +%T) round $round: $IDLE_PORTS idle ports, CPU"
	run_cpu "$round" || log "   cpu failed in round $round"
	sw_stop slicenetd
	kill_set gen
	for prio in 2 0; do
		log "== $(date +%T) round $round: sparse frames, pair at priority $prio"
		run_lat "$prio" "$round" || log "   latency at priority $prio failed in round $round"
		sw_stop slicenetd
	done
done

# The tables and the last line, from raw.txt; spreads are median [min-max] over the rounds.
summary() { # machine-line
	awk -v rounds="$ROUNDS" -v ports="$IDLE_PORTS" -v secs="$CPU_SECONDS" -v machine="$1" '
	function val(k,   i, kv) { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
	function sort(s, a,   n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t } return n }
	function med(s,   a, n) { n = sort(s, a); if (!n) return 0; return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function lo(s,   a) { return sort(s, a) ? a[1] : 0 }
	function hi(s,   a, n) { n = sort(s, a); return n ? a[n] : 0 }
	function spread(s, scale, fmt) { return sprintf(fmt " [" fmt "-" fmt "]", med(s) * scale, lo(s) * scale, hi(s) * scale) }
	$1 == "cpu" { k = val("config"); if (!(k in cs)) { corder[++nc] = k; cs[k] = 1 }
		cpu[k] = cpu[k] " " val("cpu"); sl[k] = sl[k] " " val("asleep"); bu[k] = bu[k] " " val("busy"); bo[k] = bo[k] " " val("backoff_us"); np[k] = val("ports")
		co1[k] = co1[k] " " val("other1"); co0[k] = co0[k] " " val("other0") }
	$1 == "lat" { k = val("point") SUBSEP val("prio"); if (!(k in ls)) { lorder[++nl] = k; ls[k] = 1 }
		split("p50 p99 p99.9 max", q, " "); for (f = 1; f <= 4; f++) v[k, f] = v[k, f] " " val(q[f])
		smp[k] += val("samples"); lsl[k] = lsl[k] " " val("asleep"); lcpu[k] = lcpu[k] " " val("cpu"); gap[k] = 1000 / val("rate")
		lo1[k] = lo1[k] " " val("other1"); lo0[k] = lo0[k] " " val("other0") }
	END {
		printf "Forwarding lcore (CPU 1) with %d connected idle ports, %s s windows; median [min-max] of %s rounds\n", ports, secs, rounds
		printf "(others: what the rest of the machine used of CPU 1 and CPU 0 meanwhile, %%; noise when not ~0)\n"
		printf "%-26s %-20s %-20s %-7s %-8s %s\n", "config", "CPU % (/proc)", "asleep % (TSC)", "busy %", "back-off", "others CPU1/CPU0"
		for (i = 1; i <= nc; i++) { k = corder[i]
			printf "%-26s %-20s %-20s %-7s %-8s %s\n", (k == "idle" ? np[k] " ports, priority 2" : np[k] - 1 " + 1 port at priority 0"),
				spread(cpu[k], 100, "%.1f"), spread(sl[k], 100, "%.1f"), sprintf("%.3f", med(bu[k]) * 100), med(bo[k]) " us",
				sprintf("%.1f / %.1f", med(co1[k]) * 100, med(co0[k]) * 100) }
		printf "\nOne-way latency of sparse 64-byte frames, us (median of %s rounds; max = worst round)\n", rounds
		printf "(asleep: share of the point the lcore slept; awake: ms per gap it did not, the time it takes to fall asleep)\n"
		printf "%-6s %-5s %9s %9s %9s %9s %8s %9s %9s %7s %s\n", "gap", "prio", "p50", "p99", "p99.9", "max", "samples", "asleep %", "awake ms", "CPU %", "others CPU1/CPU0"
		for (i = 1; i <= nl; i++) { k = lorder[i]; split(k, pp, SUBSEP)
			printf "%-6s %-5s %9.2f %9.2f %9.2f %9.1f %8d %9.1f %9.2f %7.1f %.1f / %.1f\n", pp[1], pp[2], med(v[k, 1]) / 1000, med(v[k, 2]) / 1000,
				med(v[k, 3]) / 1000, hi(v[k, 4]) / 1000, smp[k], med(lsl[k]) * 100, (1 - med(lsl[k])) * gap[k], med(lcpu[k]) * 100,
				med(lo1[k]) * 100, med(lo0[k]) * 100 }
		# The last line: what idling costs and what the back-off costs.
		printf "\n%s\n", machine
		printf "idle: %d idle ports use %.1f%% of the forwarding core (polling with a priority-0 port: %.1f%%);", ports, med(cpu["idle"]) * 100, med(cpu["prio0"]) * 100
		printf " back-off latency cost (prio 2 - prio 0)"
		for (i = 1; i <= nl; i++) { k = lorder[i]; split(k, pp, SUBSEP); if (pp[2] != 2 || !((pp[1] SUBSEP 0) in ls)) continue
			z = pp[1] SUBSEP 0
			printf " %s: p50 %+.1f p99 %+.1f us", pp[1], (med(v[k, 1]) - med(v[z, 1])) / 1000, (med(v[k, 2]) - med(v[z, 2])) / 1000
			if (gap[k] > widest) { widest = gap[k]; awake = (1 - med(lsl[k])) * gap[k] } }
		if (widest) printf "; asleep %.1f ms after the last frame", awake
		printf "\n"
	}' "$out/raw.txt"
}

summary "machine: $(nproc) CPUs, pods and vgen CPU 0, slicenetd CPU 1; raw lines in $out/raw.txt" |
	tee "$out/summary.txt"
