#!/bin/bash
# bench-latency: one-way latency of 64-byte frames between two pods on one
# node, per contender, interleaved round by round:
#   slicenetd (the real daemon, ports added through its control socket),
#   raw      (test/bench/raw_fwd: rte_vhost dequeue -> enqueue, the software bound),
#   testpmd  (io forwarding between net_vhost ports),
#   ovs      (OVS-DPDK 3.1, dpdkvhostuserclient ports, NORMAL),
#   veth     (kernel: UDP between two network namespaces, test/bench/udp_lat).
# One generator process owns both pod ports (vgen; udp_lat for veth), so one
# clock stamps departure and arrival. Points: ping-pong (one frame in flight),
# then paced load at 10/50/90 % of the contender's own one-way maximum,
# measured first in the same process. Then the isolation scenario: a urllc
# pair measuring at ISO_RATE while an embb pair floods the same switch.
# Usage: test/bench/bench-latency.sh BUILD_DIR
#   env: ROUNDS=2 SAMPLES=1000000 (per point) LAT_SECONDS=20 (cap per point)
#        CONTENDERS="slicenetd raw testpmd ovs veth" ISO_CONTENDERS="slicenetd ovs"
#        ISO_RATE=50000 ISO_SAMPLES=$SAMPLES BENCH_NICE=-10
#        SN_CLASS_KEY=<key port.add takes for a slice class> (detected when absent)
set -u
build=$(cd "${1:-build}" && pwd)
ROUNDS=${ROUNDS:-2}
SAMPLES=${SAMPLES:-1000000}
LAT_SECONDS=${LAT_SECONDS:-20}
CONTENDERS=${CONTENDERS:-"slicenetd raw testpmd ovs veth"}
ISO_CONTENDERS=${ISO_CONTENDERS:-"slicenetd ovs"}
ISO_RATE=${ISO_RATE:-50000}
ISO_SAMPLES=${ISO_SAMPLES:-$SAMPLES}
BENCH_NICE=${BENCH_NICE:--10}
NICE="nice -n $BENCH_NICE"
here=$(cd "$(dirname "$0")" && pwd)
out=$build/bench-latency
W=$(mktemp -d /tmp/snb-lat.XXXXXX)
# 4 KB pages only: HUGE=1 is bench-datapath's (its hugepage reservation).
unset HUGE
# shellcheck source=test/bench/bench-lib.sh
. "$here/bench-lib.sh"
trap bl_cleanup EXIT
rm -rf "$out"
mkdir -p "$out/cdf"
: >"$out/raw.txt"

# RESULT lines of one run, prefixed with contender and round.
keep() { # contender round file
	grep '^RESULT' "$3" | sed "s/^RESULT/$1 $2/" | tee -a "$out/raw.txt" >&2
}

run_dpdk() { # contender round
	sw_start "$1" 2 1500 || { sw_stop "$1"; return 1; }
	gen_start 2 --mode series --samples "$SAMPLES" --duration "$LAT_SECONDS" --max-seconds 1 \
		--cdf "$out/cdf/$1-r$2"
	gen_wait
	local rc=$?
	sw_stop "$1"
	keep "$1" "$2" "$W/gen.out"
	return $rc
}

run_veth() { # round
	local max f p args
	ip netns add snb-a && ip netns add snb-b || return 1
	ip link add snb-va netns snb-a type veth peer name snb-vb netns snb-b
	ip -n snb-a addr add 10.200.0.1/24 dev snb-va
	ip -n snb-b addr add 10.200.0.2/24 dev snb-vb
	ip -n snb-a link set snb-va up
	ip -n snb-b link set snb-vb up
	sleep 0.5
	args=(--ns-a /run/netns/snb-a --ns-b /run/netns/snb-b --dst 10.200.0.2)
	$NICE taskset -c 0 "$build/bench/udp_lat" "${args[@]}" --mode max --duration 1 >"$W/veth.out"
	max=$(grep -o 'mpps=[0-9.]*' "$W/veth.out" | cut -d= -f2)
	for f in 0 0.1 0.5 0.9; do
		p=pp
		[ $f != 0 ] && p=$(awk -v f=$f 'BEGIN { print f * 100 }')
		$NICE taskset -c 0 "$build/bench/udp_lat" "${args[@]}" --mode lat --samples "$SAMPLES" \
			--duration "$LAT_SECONDS" --rate "$(awk -v f=$f -v m="$max" 'BEGIN { print f * m * 1e6 }')" \
			--cdf "$out/cdf/veth-r$1-$p.dat" | sed "s/mode=lat/mode=lat point=$p/" >>"$W/veth.out"
	done
	ip netns del snb-a
	ip netns del snb-b
	keep veth "$1" "$W/veth.out"
}

run_iso() { # contender round
	sw_start "$1" 4 1500 "urllc urllc embb embb" || { sw_stop "$1"; return 1; }
	gen_start 4 --mode iso --rate "$ISO_RATE" --samples "$ISO_SAMPLES" --duration "$LAT_SECONDS" \
		--cdf "$out/cdf/iso-$1-r$2"
	gen_wait
	local rc=$?
	[ "$1" = slicenetd ] && "$build/bin/slicenetctl" -s "$W/ctl.sock" stats >>"$out/iso-slicenetd-stats.txt" 2>&1
	sw_stop "$1"
	keep "iso-$1" "$2" "$W/gen.out"
	return $rc
}

for round in $(seq "$ROUNDS"); do
	for c in $CONTENDERS; do
		log "== round $round: $c"
		if [ "$c" = veth ]; then run_veth "$round"; else run_dpdk "$c" "$round"; fi ||
			log "   $c failed in round $round"
	done
	for c in $ISO_CONTENDERS; do
		log "== round $round: isolation, $c"
		run_iso "$c" "$round" || log "   isolation $c failed in round $round"
	done
done

# field NAME of a raw.txt line
summary() {
	awk -v rounds="$ROUNDS" '
	function val(k,   i, kv) { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "" }
	function med(s,   a, n, t, i, j) { n = split(s, a, " "); if (!n) return 0
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	{
		c = $1; mode = val("mode")
		if (mode == "max") { maxr[c] = maxr[c] " " val("mpps"); next }
		k = c SUBSEP val("point")
		if (!(k in seen)) { order[++n] = k; seen[k] = 1 }
		for (f = 1; f <= 5; f++) { split("p50 p99 p99.9 p99.99 max", names, " "); v[k, f] = v[k, f] " " val(names[f]) }
		smp[k] += val("samples"); rate[k] = rate[k] " " val("sent_pps"); lost[k] += val("lost")
	}
	END {
		printf "One-way latency of 64-byte frames, microseconds (median of %s rounds; max = worst round)\n", rounds
		printf "%-15s %-6s %10s %9s %9s %9s %10s %10s %10s %6s\n", "contender", "point", "rate pps", "p50", "p99", "p99.9", "p99.99", "max", "samples", "lost"
		for (i = 1; i <= n; i++) {
			split(order[i], ck, SUBSEP)
			split(v[order[i], 5], mx, " "); worst = 0; for (j in mx) if (mx[j] + 0 > worst) worst = mx[j]
			printf "%-15s %-6s %10.0f %9.2f %9.2f %9.2f %10.2f %10.1f %10d %6d\n", ck[1], ck[2], med(rate[order[i]]),
				med(v[order[i], 1]) / 1000, med(v[order[i], 2]) / 1000, med(v[order[i], 3]) / 1000,
				med(v[order[i], 4]) / 1000, worst / 1000, smp[order[i]], lost[order[i]]
		}
		printf "one-way maximum (Mpps, runs):"
		for (c in maxr) printf "  %s%s", c, maxr[c]
		printf "\n"
	}' "$out/raw.txt"
}

# Per round: urllc p99 loaded / unloaded; the median of the rounds' ratios.
iso_ratio() { # contender
	awk -v c="iso-$1" '
	$1 == c { for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		p99[$2, f["point"]] = f["p99"]; if (f["point"] == "loaded") fl[$2] = f["flood_mpps"] }
	END { n = 0
		for (k in p99) { split(k, rp, SUBSEP); if (rp[2] == "loaded" && p99[rp[1], "unloaded"] > 0) r[++n] = p99[k] / p99[rp[1], "unloaded"] }
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
		if (!n) { print "n/a"; exit }
		printf "%.2f", n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2 }' "$out/raw.txt"
}

plot() {
	command -v gnuplot >/dev/null || return 0
	local c p cmd="" sep=""
	for c in $CONTENDERS; do
		for p in pp 50 90; do
			[ -s "$out/cdf/$c-r1-$p.dat" ] || continue
			cmd="$cmd$sep\"$out/cdf/$c-r1-$p.dat\" using (\$1/1000):2 with lines lw 2 title \"$c $p\""
			sep=", "
		done
	done
	for c in $ISO_CONTENDERS; do
		for p in unloaded loaded; do
			[ -s "$out/cdf/iso-$c-r1-$p.dat" ] || continue
			cmd="$cmd$sep\"$out/cdf/iso-$c-r1-$p.dat\" using (\$1/1000):2 with lines dt 2 lw 2 title \"urllc via $c, $p\""
			sep=", "
		done
	done
	[ -n "$cmd" ] || return 0
	gnuplot <<GP
set terminal pngcairo size 1000,620 font ",10"
set output "$out/bench-latency.png"
set title "One-way latency of 64-byte frames, round 1 (pp = 1 in flight; 50/90 = % of the contender's max)"
set logscale x
set xlabel "latency (us)"
set ylabel "fraction of frames"
set yrange [0:1]
set grid
set key right bottom font ",8"
plot $cmd
GP
	echo "chart: $out/bench-latency.png"
}

{
	summary
	echo "isolation: urllc pair paced at $ISO_RATE pps, embb pair flooding (vgen, same core); p99 loaded/unloaded per round, median"
	echo "machine: $(nproc) CPUs, generator CPU 0, switch CPU 1; shared with other work (builds): outliers are scheduling"
} | tee "$out/summary.txt"
plot
echo "isolation: urllc p99 loaded/unloaded slicenetd $(iso_ratio slicenetd), ovs $(iso_ratio ovs)" | tee -a "$out/summary.txt"
