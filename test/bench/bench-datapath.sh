#!/bin/bash
# bench-datapath: 64-byte frames between two "pods" on one node, through
#   slicenetd (MAC learning on), dpdk-testpmd io-forwarding between two vhost
#   ports (the "not a real switch" upper bound), Open vSwitch with DPDK
#   (dpdkvhostuserclient ports, NORMAL action) and, for reference, the kernel
#   veth path (UDP, 64-byte payload).
# One generator for every DPDK contender: one dpdk-testpmd with two
# virtio-user ports (server=1: the switches are vhost-user clients, as slicenetd
# and OVS recommend) in mac-forwarding mode, each port the other's peer,
# started with tx_first, on CPU 0; the switch polls on CPU 1. Contenders are
# interleaved round by round; the median per contender is reported.
# Usage: test/bench/bench-datapath.sh BUILD_DIR
#   env: ROUNDS=3 RUN_SECONDS=4 CONTENDERS="..." BENCH_NICE=-10 (the pollers outweigh
#   other work on a shared machine; every contender gets the same priority)
set -u
build=$(cd "${1:-build}" && pwd)
ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-4}
CONTENDERS=${CONTENDERS:-"slicenetd testpmd ovs veth"}
BENCH_NICE=${BENCH_NICE:--10}
NICE="nice -n $BENCH_NICE"
here=$(cd "$(dirname "$0")" && pwd)
out=$build/bench-datapath
W=$(mktemp -d /tmp/sn-bench.XXXXXX)
MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
TESTPMD=$(command -v dpdk-testpmd)
mkdir -p "$out"
: >"$out/raw.txt"

log() { echo "$*" >&2; }

# Every process we start is recorded in a file (runs happen in subshells) so
# cleanup kills exactly those.
track() { echo "$1" >>"$W/pids"; }
kill_tracked() {
	local p
	[ -f "$W/pids" ] || return 0
	for p in $(cat "$W/pids"); do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 20); do
		for p in $(cat "$W/pids"); do kill -0 "$p" 2>/dev/null && break; done
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	for p in $(cat "$W/pids"); do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -f "$W/pids"
}
cleanup() {
	exec 7>&- 2>/dev/null
	kill_tracked
	ovs_stop
	ip netns del snb-a 2>/dev/null
	ip netns del snb-b 2>/dev/null
	rm -rf "$W" /var/run/dpdk/snb-*
}
trap cleanup EXIT

gen_start() {
	rm -f "$W/gen.in" "$W/a.sock" "$W/b.sock"
	mkfifo "$W/gen.in"
	$NICE stdbuf -oL "$TESTPMD" --lcores 0@0,1@0 --no-huge -m 512 --no-pci --file-prefix=snb-gen \
		--vdev "net_virtio_user0,path=$W/a.sock,mac=$MAC_A,server=1,queue_size=1024" \
		--vdev "net_virtio_user1,path=$W/b.sock,mac=$MAC_B,server=1,queue_size=1024" \
		-- -i --total-num-mbufs=16384 --rxd=1024 --txd=1024 --forward-mode=mac \
		--eth-peer=0,$MAC_B --eth-peer=1,$MAC_A <"$W/gen.in" >"$W/gen.log" 2>&1 &
	track $!
	exec 7>"$W/gen.in"
	# server=1 blocks in probe: b.sock appears only once a.sock got its client.
	for _ in $(seq 50); do [ -S "$W/a.sock" ] && return 0; sleep 0.1; done
	log "generator did not create its sockets"
	kill_tracked
	return 1
}

# Mpps per direction over RUN_SECONDS: testpmd's RX counters of both ports.
gen_measure() {
	local before rx0 rx1
	for _ in $(seq 100); do grep -q 'testpmd>' "$W/gen.log" && break; sleep 0.1; done
	echo "start tx_first 8" >&7
	sleep 1
	echo "clear port stats all" >&7
	sleep "$RUN_SECONDS"
	before=$(grep -c 'NIC statistics for port 1' "$W/gen.log")
	echo "show port stats all" >&7
	for _ in $(seq 50); do
		[ "$(grep -c 'NIC statistics for port 1' "$W/gen.log")" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 0.2
	rx0=$(grep -A1 'NIC statistics for port 0' "$W/gen.log" | grep -o 'RX-packets: *[0-9]*' | tail -1 | grep -o '[0-9]*$')
	rx1=$(grep -A1 'NIC statistics for port 1' "$W/gen.log" | grep -o 'RX-packets: *[0-9]*' | tail -1 | grep -o '[0-9]*$')
	echo "stop" >&7
	echo "quit" >&7
	exec 7>&-
	awk -v a="${rx0:-0}" -v b="${rx1:-0}" -v s="$RUN_SECONDS" 'BEGIN { printf "%.3f\n", (a + b) / 2 / s / 1e6 }'
}

run_slicenetd() {
	gen_start || return 1
	$NICE "$build/bin/slicenetd" --ctl-socket "$W/ctl.sock" --socket-dir "$W" --state-dir "$W/state" \
		-- --no-huge -m 512 --no-pci --lcores 0@1,1@1 --file-prefix=snb-sw >"$W/sw.log" 2>&1 &
	track $!
	for _ in $(seq 50); do "$build/bin/slicenetctl" -s "$W/ctl.sock" version >/dev/null 2>&1 && break; sleep 0.1; done
	"$build/bin/slicenetctl" -s "$W/ctl.sock" add a "$W/a.sock" client >/dev/null
	"$build/bin/slicenetctl" -s "$W/ctl.sock" add b "$W/b.sock" client >/dev/null
	gen_measure
	"$build/bin/slicenetctl" -s "$W/ctl.sock" stats >&2
	kill_tracked
	rm -rf "$W/state"
}

run_testpmd() {
	gen_start || return 1
	mkfifo "$W/br.in" 2>/dev/null
	$NICE "$TESTPMD" --lcores 0@1,1@1 --no-huge -m 512 --no-pci --file-prefix=snb-br \
		--vdev "net_vhost0,iface=$W/a.sock,client=1" --vdev "net_vhost1,iface=$W/b.sock,client=1" \
		-- -i --forward-mode=io --total-num-mbufs=16384 <"$W/br.in" >"$W/br.log" 2>&1 &
	track $!
	exec 8>"$W/br.in"
	for _ in $(seq 100); do grep -q 'testpmd>' "$W/br.log" && break; sleep 0.1; done
	echo "start" >&8
	gen_measure
	echo "quit" >&8
	exec 8>&-
	kill_tracked
	rm -f "$W/br.in"
}

OVS_RUN=$W/ovs
ovs_ctl() { ovs-vsctl --db="unix:$OVS_RUN/db.sock" --timeout=10 "$@"; }
ovs_stop() {
	[ -f "$OVS_RUN/ovs-vswitchd.pid" ] && kill "$(cat "$OVS_RUN/ovs-vswitchd.pid")" 2>/dev/null
	[ -f "$OVS_RUN/ovsdb-server.pid" ] && kill "$(cat "$OVS_RUN/ovsdb-server.pid")" 2>/dev/null
	rm -f "$OVS_RUN"/*.pid
}
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk

run_ovs() {
	[ -x "$OVS_VSWITCHD" ] || { log "ovs: $OVS_VSWITCHD missing (openvswitch-switch-dpdk)"; return 1; }
	# A private OVS: its control sockets, logs and database under $W, not /var/run.
	export OVS_RUNDIR=$OVS_RUN OVS_LOGDIR=$OVS_RUN OVS_DBDIR=$OVS_RUN
	gen_start || return 1
	mkdir -p "$OVS_RUN"
	rm -f "$OVS_RUN/conf.db"
	ovsdb-tool create "$OVS_RUN/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	ovsdb-server --remote="punix:$OVS_RUN/db.sock" --pidfile="$OVS_RUN/ovsdb-server.pid" --detach \
		--log-file="$OVS_RUN/ovsdb.log" "$OVS_RUN/conf.db"
	ovs_ctl --no-wait init
	# OVS adds --in-memory unless --legacy-mem is given, and --in-memory rejects --no-huge.
	# per-port-memory: the shared default asks for 262144 mbufs, more than -m 1024 holds.
	ovs_ctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-extra="--no-huge --legacy-mem -m 1024 --no-pci --file-prefix=snb-ovs" \
		other_config:pmd-cpu-mask=0x2 other_config:per-port-memory=true
	# Its non-PMD threads stay off the generator's CPU too.
	$NICE taskset -c 1 "$OVS_VSWITCHD" "unix:$OVS_RUN/db.sock" \
		--pidfile="$OVS_RUN/ovs-vswitchd.pid" --detach --log-file="$OVS_RUN/vswitchd.log"
	ovs_ctl add-br br0 -- set bridge br0 datapath_type=netdev
	ovs_ctl add-port br0 a -- set Interface a type=dpdkvhostuserclient options:vhost-server-path="$W/a.sock"
	ovs_ctl add-port br0 b -- set Interface b type=dpdkvhostuserclient options:vhost-server-path="$W/b.sock"
	gen_measure
	timeout 5 ovs-appctl dpif-netdev/pmd-stats-show >&2
	kill_tracked
	ovs_stop
	cat "$OVS_RUN/vswitchd.log" >>"$out/ovs-vswitchd.log" 2>/dev/null
	sleep 0.5
}

run_veth() {
	local n
	ip netns add snb-a && ip netns add snb-b
	ip link add snb-va netns snb-a type veth peer name snb-vb netns snb-b
	ip -n snb-a addr add 10.200.0.1/24 dev snb-va
	ip -n snb-b addr add 10.200.0.2/24 dev snb-vb
	ip -n snb-a link set snb-va up
	ip -n snb-b link set snb-vb up
	cc -O2 -o "$W/udp_pps" "$here/udp_pps.c" || return 1
	ip netns exec snb-a $NICE taskset -c 0 "$W/udp_pps" send 10.200.0.2 9000 $((RUN_SECONDS + 2)) &
	track $!
	sleep 0.5
	n=$(ip netns exec snb-b $NICE taskset -c 1 "$W/udp_pps" recv 9000 "$RUN_SECONDS")
	kill_tracked
	ip netns del snb-a
	ip netns del snb-b
	awk -v n="${n:-0}" -v s="$RUN_SECONDS" 'BEGIN { printf "%.3f\n", n / s / 1e6 }'
}

for round in $(seq "$ROUNDS"); do
	for c in $CONTENDERS; do
		log "== round $round: $c"
		mpps=$("run_$c" 2>>"$out/$c.log" | tail -1)
		log "   $c: ${mpps:-failed} Mpps per direction"
		# 0 means the contender did not come up: a failure, not a measurement.
		if [ -n "$mpps" ] && [ "$mpps" != 0.000 ]; then echo "$c $round $mpps" >>"$out/raw.txt"; fi
	done
done

median() { # contender
	awk -v c="$1" '$1 == c { print $3 }' "$out/raw.txt" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

{
	echo "64-byte frames, Mpps per direction (median of $ROUNDS interleaved rounds, ${RUN_SECONDS}s each)"
	for c in $CONTENDERS; do printf '  %-10s %8.3f   (runs: %s)\n' "$c" "$(median "$c")" \
		"$(awk -v c="$c" '$1 == c { printf "%s ", $3 }' "$out/raw.txt")"; done
	s=$(median slicenetd)
	for c in testpmd ovs veth; do
		m=$(median "$c")
		awk -v s="$s" -v m="$m" -v c="$c" 'BEGIN { if (m > 0) printf "  slicenetd / %-8s %6.2fx\n", c, s / m }'
	done
} | tee "$out/summary.txt"

for c in $CONTENDERS; do echo "$c $(median "$c")"; done >"$out/medians.dat"
if command -v gnuplot >/dev/null; then
	gnuplot <<GP
set terminal pngcairo size 800,480 font ",11"
set output "$out/bench-datapath.png"
set title "Pod-to-pod 64-byte frames on one node (Mpps per direction, median)"
set style fill solid 0.8 border -1
set boxwidth 0.6
set yrange [0:*]
set grid ytics
unset key
plot "$out/medians.dat" using 0:2:xtic(1) with boxes lc rgb "#3070b0", \
     "" using 0:2:(sprintf("%.2f", \$2)) with labels offset 0,1
GP
	echo "chart: $out/bench-datapath.png"
fi
