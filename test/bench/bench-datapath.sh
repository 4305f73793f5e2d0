#!/bin/bash
# bench-datapath: pod-to-pod throughput on one node, per frame size, through
#   slicenetd (MAC learning on), raw (test/bench/raw_fwd: rte_vhost dequeue ->
#   enqueue, no switching: the software upper bound), rawfan1 / rawfan4
#   (test/bench/raw_fan, opt-in: raw_fwd in the generator's fan-out pattern,
#   output from the destination MAC's last byte, sent after every input burst
#   or after four input bursts), testpmd (io forwarding
#   over net_vhost ports), ovs (OVS-DPDK 3.1, NORMAL) and, at 64 bytes, the
#   kernel veth path (UDP, test/bench/udp_pps).
# PORTS pod ports (default 4) on one generator process (vgen, CPU 0; the
# switch polls on CPU 1) in a closed loop: each frame received on a port goes
# back out to the next other port's MAC, so a learning switch looks up a
# different destination per frame. The FDB holds FDB_MACS MACs: the pods'
# plus MACs learned on an uplink (af_packet on a veth) from a namespace that
# sends one frame per MAC before the pods connect (slicenetd and OVS; raw and
# testpmd have no FDB). Contenders are interleaved round by round; per round
# the paired ratios slicenetd / X are computed, then their median and spread.
# Per run: the switch's poller CPU cycles per frame (its thread's CPU time x
# TSC rate / frames: the whole core's cost, idle polls included), the busy
# cycles per frame where the switch counts them (slicenetd's
# slicenet_lcore_busy_cycles_total over the frames its ports sent, from
# --metrics; raw_fwd; testpmd --record-core-cycles; OVS pmd-stats), and the generator's busy fraction
# (near 1: the generator, not the switch, limits the figure).
# Usage: test/bench/bench-datapath.sh BUILD_DIR
#   env: ROUNDS=3 RUN_SECONDS=4 SIZES="64 1518 9000" PORTS=4 FDB_MACS=1000
#        CONTENDERS="slicenetd raw testpmd ovs veth" BENCH_NICE=-10
#        HUGE=1: every process on 2 MB hugepages instead of 4 KB pages
#        REPORT_ONLY=1: no runs, the summary and chart again from BUILD_DIR/bench-datapath/raw.txt
set -u
build=$(cd "${1:-build}" && pwd)
ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-4}
SIZES=${SIZES:-"64 1518 9000"}
PORTS=${PORTS:-4}
FDB_MACS=${FDB_MACS:-1000}
CONTENDERS=${CONTENDERS:-"slicenetd raw testpmd ovs veth"}
BENCH_NICE=${BENCH_NICE:--10}
NICE="nice -n $BENCH_NICE"
here=$(cd "$(dirname "$0")" && pwd)
out=$build/bench-datapath
W=$(mktemp -d /tmp/snb-dp.XXXXXX)
# shellcheck source=test/bench/bench-lib.sh
. "$here/bench-lib.sh"
trap bl_cleanup EXIT
# HUGE=1: generator 1 GB + the largest switch (OVS) 2 GB, on 2 MB pages.
[ -n "${REPORT_ONLY:-}" ] || bl_huge_reserve 1600 || exit 1
mkdir -p "$out"
[ -n "${REPORT_ONLY:-}" ] && ROUNDS=$(awk '$2 > n { n = $2 } END { print n + 0 }' "$out/raw.txt")
[ -n "${REPORT_ONLY:-}" ] || : >"$out/raw.txt"
UPLINK_MACS=$((FDB_MACS - PORTS))
# slicenetd's /metrics: its busy-cycle counter, read by busy_begin/busy_end.
SN_METRICS=${SN_METRICS:-127.0.0.1:19190}

# The uplink the learned MACs come from: snb-up0 (switch side) <-> snb-up1 in netns snb-fill.
if [ "$UPLINK_MACS" -gt 0 ] && [ -z "${REPORT_ONLY:-}" ]; then
	ip netns add snb-fill
	ip link add snb-up0 type veth peer name snb-up1 netns snb-fill
	ip link set snb-up0 up
	ip -n snb-fill link set snb-up1 up
fi
fdb_fill() {
	[ "$UPLINK_MACS" -gt 0 ] || return 0
	# One broadcast per MAC, 5000/s: under slicenetd's default flood budget of the uplink.
	ip netns exec snb-fill python3 - "$UPLINK_MACS" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("snb-up1", 0))
for i in range(n):
    s.send(b"\xff" * 6 + bytes([0x02, 0x10, 0, 0, i >> 8, i & 0xff]) + b"\x88\xb5" + bytes(46))
    time.sleep(0.0002)
PY
}
fdb_count() { # contender
	case $1 in
	slicenetd) "$build/bin/slicenetctl" -s "$W/ctl.sock" --json fdb | grep -o '"mac"' | wc -l ;;
	ovs) ovs_appctl fdb/show br0 | tail -n +2 | wc -l ;;
	*) echo 0 ;;
	esac
}

# slicenetd: "<busy TSC cycles, all forwarding lcores> <frames sent, all ports>".
sn_busy_sample() {
	curl -s --max-time 2 "http://$SN_METRICS/metrics" | awk '
		/^slicenet_lcore_busy_cycles_total/ { b += $NF }
		/^slicenet_port_tx_packets_total/ { p += $NF }
		END { printf "%.0f %.0f\n", b, p }'
}

# Busy cycles per frame as the switch counts them itself, over the window.
busy_begin() {
	case $1 in
	slicenetd) sn_busy_sample >"$W/busy0" ;;
	raw | rawfan*) kill -USR1 "$SW_PID"; sleep 0.1; grep '^STATS' "$W/raw.out" | tail -1 >"$W/busy0" ;;
	ovs) ovs_appctl dpif-netdev/pmd-stats-clear >/dev/null ;;
	esac
}
busy_end() {
	case $1 in
	slicenetd)
		sn_busy_sample | cat "$W/busy0" - | awk '
			{ b[NR] = $1; p[NR] = $2 }
			END { if (p[2] > p[1]) printf "%.0f", (b[2] - b[1]) / (p[2] - p[1]); else print "n/a" }'
		;;
	raw | rawfan*)
		kill -USR1 "$SW_PID"
		sleep 0.1
		grep '^STATS' "$W/raw.out" | tail -1 | cat "$W/busy0" - | awk '
			{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[NR, kv[1]] = kv[2] } }
			END { p = v[2, "pkts"] - v[1, "pkts"]; if (p > 0) printf "%.0f", (v[2, "busy"] - v[1, "busy"]) / p; else print "n/a" }'
		;;
	testpmd)
		local before
		before=$(grep -c 'CPU cycles/packet' "$W/br.log")
		echo "show fwd stats all" >&8
		for _ in $(seq 20); do [ "$(grep -c 'CPU cycles/packet' "$W/br.log")" -gt "$before" ] && break; sleep 0.1; done
		grep -o 'CPU cycles/packet=[0-9.]*' "$W/br.log" | tail -1 | awk -F= '{ printf "%.0f", $2 }'
		;;
	ovs) ovs_appctl dpif-netdev/pmd-stats-show | grep -o 'avg processing cycles per packet: [0-9.]*' |
		awk '{ printf "%.0f", $NF }' ;;
	*) echo n/a ;;
	esac
}

run_dpdk() { # contender size round
	local c=$1 size=$2 mtu=1500 t0 t1 hz busy cpp fdb res
	[ "$size" -gt 1518 ] && mtu=9000
	SN_UPLINK=""
	[ "$UPLINK_MACS" -gt 0 ] && { [ "$c" = slicenetd ] || [ "$c" = ovs ]; } && SN_UPLINK=af_packet:snb-up0
	sw_start "$c" "$PORTS" "$mtu" || { sw_stop "$c"; return 1; }
	sleep 0.5
	[ -n "$SN_UPLINK" ] && fdb_fill
	gen_start "$PORTS" --mode tput --size "$size" --warmup 1 --duration "$RUN_SECONDS" --inflight 256
	for _ in $(seq 300); do grep -q '^WINDOW' "$W/gen.out" 2>/dev/null && break; sleep 0.1; done
	hz=$(grep -o 'hz=[0-9]*' "$W/gen.out" | cut -d= -f2)
	sleep 0.2
	busy_begin "$c"
	t0=$(sw_cpu_ticks)
	sleep "$(awk -v s="$RUN_SECONDS" 'BEGIN { print s - 0.8 }')"
	t1=$(sw_cpu_ticks)
	busy=$(busy_end "$c")
	fdb=$(fdb_count "$c")
	gen_wait
	sw_stop "$c"
	res=$(grep '^RESULT' "$W/gen.out")
	[ -n "$res" ] || return 1
	# CPU seconds of the poller per frame, in TSC cycles.
	cpp=$(echo "$res" | awk -v t0="$t0" -v t1="$t1" -v hz="${hz:-0}" -v s="$RUN_SECONDS" -v tk="$(getconf CLK_TCK)" '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { if (v["mpps"] > 0) printf "%.0f", (t1 - t0) / tk / (s - 0.8) * hz / (v["mpps"] * 1e6); else print "n/a" }')
	echo "$c $3 $size $(echo "$res" | grep -o 'mpps=[0-9.]*' | cut -d= -f2) \
$(echo "$res" | grep -o 'gen_busy=[0-9.]*' | cut -d= -f2) $cpp ${busy:-n/a} $fdb" >>"$out/raw.txt"
	log "   $c $size B: $res core_cycles/frame=$cpp busy_cycles/frame=${busy:-n/a} fdb=$fdb"
}

run_veth() { # round
	local n
	ip netns add snb-a && ip netns add snb-b || return 1
	ip link add snb-va netns snb-a type veth peer name snb-vb netns snb-b
	ip -n snb-a addr add 10.200.0.1/24 dev snb-va
	ip -n snb-b addr add 10.200.0.2/24 dev snb-vb
	ip -n snb-a link set snb-va up
	ip -n snb-b link set snb-vb up
	cc -O2 -o "$W/udp_pps" "$here/udp_pps.c" || return 1
	ip netns exec snb-a $NICE taskset -c 0 "$W/udp_pps" send 10.200.0.2 9000 $((RUN_SECONDS + 2)) &
	track gen $!
	sleep 0.5
	n=$(ip netns exec snb-b $NICE taskset -c 1 "$W/udp_pps" recv 9000 "$RUN_SECONDS")
	kill_set gen
	ip netns del snb-a
	ip netns del snb-b
	# Both directions of the DPDK runs count; this is one flow: frames per second received.
	echo "veth $1 64 $(awk -v n="${n:-0}" -v s="$RUN_SECONDS" 'BEGIN { printf "%.4f", n / s / 1e6 }') n/a n/a n/a 0" >>"$out/raw.txt"
}

for round in $(seq "$ROUNDS"); do
	[ -n "${REPORT_ONLY:-}" ] && break
	for size in $SIZES; do
		for c in $CONTENDERS; do
			[ "$c" = veth ] && [ "$size" != 64 ] && continue
			log "== round $round, $size B: $c"
			if [ "$c" = veth ]; then run_veth "$round"; else run_dpdk "$c" "$size" "$round"; fi ||
				log "   $c $size B failed in round $round"
		done
	done
done

# raw.txt: contender round size mpps gen_busy core_cpp busy_cpp fdb
report() {
	awk -v rounds="$ROUNDS" -v sizes="$SIZES" -v conts="$CONTENDERS" '
	function med(s,   a, n, t, i, j) { n = split(s, a, " "); if (!n) return "n/a"
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function lo(s,   a, n, m, i) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
	function hi(s,   a, n, m, i) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
	{ k = $1 SUBSEP $3; mpps[k] = mpps[k] " " $4; r[$1, $3, $2] = $4
	  if ($5 != "n/a") gb[k] = gb[k] " " $5; if ($6 != "n/a") cc[k] = cc[k] " " $6
	  if ($7 != "n/a") bc[k] = bc[k] " " $7; fdb[k] = $8 }
	END {
		ns = split(sizes, S, " "); nc = split(conts, C, " ")
		printf "Mpps through the switch, all ports (median of %s interleaved rounds; runs in brackets)\n", rounds
		printf "%-10s %6s %8s %-30s %8s %8s %8s %5s\n", "contender", "size", "Mpps", "(runs)", "gen_busy", "core_c/f", "busy_c/f", "fdb"
		for (s = 1; s <= ns; s++) for (c = 1; c <= nc; c++) { k = C[c] SUBSEP S[s]; if (!(k in mpps)) continue
			printf "%-10s %6s %8.3f %-30s %8s %8s %8s %5s\n", C[c], S[s], med(mpps[k]), "(" substr(mpps[k], 2) ")",
				med(gb[k]), med(cc[k]), med(bc[k]), fdb[k] }
		printf "\nPaired ratios per round, slicenetd / X: median [min..max] (runs)\n"
		for (s = 1; s <= ns; s++) for (c = 1; c <= nc; c++) { if (C[c] == "slicenetd") continue; q = ""
			for (i = 1; i <= rounds; i++) if (r["slicenetd", S[s], i] > 0 && r[C[c], S[s], i] > 0)
				q = q " " sprintf("%.3f", r["slicenetd", S[s], i] / r[C[c], S[s], i])
			if (q == "") continue
			printf "  %6s B  slicenetd / %-8s %6.2fx [%.2f..%.2f]  (%s)\n", S[s], C[c], med(q), lo(q), hi(q), substr(q, 2) }
	}' "$out/raw.txt"
}

{
	report
	echo
	echo "$PORTS pod ports, $FDB_MACS MACs in the FDB of slicenetd/ovs ($UPLINK_MACS learned on the uplink); frame size with FCS"
	echo "core_c/f: the switch poller's CPU time x TSC rate / frames (idle polls included); busy_c/f: the switch's own count"
	echo "gen_busy near 1: the generator (one core, all ports) limits the figure, not the switch"
	echo "machine: $(nproc) CPUs, generator CPU 0, switch CPU 1; shared with other work (builds)"
} | tee "$out/summary.txt"

awk '{ k = $1 " " $3; v[k] = v[k] " " $4 } END { for (k in v) { n = split(v[k], a, " ");
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	print k, (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) } }' "$out/raw.txt" | sort -k2,2n -k1,1 >"$out/medians.dat"
if command -v gnuplot >/dev/null && [ -s "$out/medians.dat" ]; then
	cols=""
	for c in $CONTENDERS; do cols="$cols $c"; done
	# One group per frame size, one bar per contender.
	awk -v conts="$cols" 'BEGIN { nc = split(conts, C, " ") }
		{ m[$2, $1] = $3; if (!($2 in seen)) { seen[$2] = 1; S[++ns] = $2 } }
		END { printf "size"; for (c = 1; c <= nc; c++) printf " %s", C[c]; printf "\n"
			for (s = 1; s <= ns; s++) { printf "%sB", S[s]; for (c = 1; c <= nc; c++) printf " %s", ((S[s], C[c]) in m) ? m[S[s], C[c]] : 0; printf "\n" } }' \
		"$out/medians.dat" >"$out/bars.dat"
	gnuplot <<GP
set terminal pngcairo size 900,500 font ",11"
set output "$out/bench-datapath.png"
set title "Pod-to-pod throughput on one node, $PORTS ports, $FDB_MACS MACs (Mpps through the switch, median)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set yrange [0:*]
set grid ytics
set key top right
plot for [i=2:$(($(echo $CONTENDERS | wc -w) + 1))] "$out/bars.dat" using i:xtic(1) title columnheader(i)
GP
	echo "chart: $out/bench-datapath.png"
fi
