#!/bin/bash
# slicenetd against frames from hostile pods (issue 9, item 4), with real
# dpdk-testpmd "pods": spoofed source MACs are dropped and counted while an
# honest pair keeps forwarding; a broadcast storm from one port is held to its
# flood rate; jumbo frames up to the port MTU pass, longer ones are counted;
# frames longer than slicenetd's mbufs are counted too, and so are those rte_vhost drops
# itself (longer than an external buffer holds); a port cannot take a MAC
# another port holds. No hugepages (--no-huge).
# CPU plan for 2 cores: slicenetd's forwarding lcore on CPU 1, the pods on CPU 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
TESTPMD=$(command -v dpdk-testpmd || true)
W=$(mktemp -d /tmp/sn-frames.XXXXXX)
CTL=$W/ctl.sock
. "$here/daemon_env.sh"
MAC_A=02:00:00:00:03:0a
MAC_B=02:00:00:00:03:0b
MAC_S=02:00:00:00:03:0c    # what the switch was told for the attacker's port
MAC_EVIL=02:00:00:00:03:66 # what the attacker sends from
FLOOD_PPS=1000
FLOOD_BURST=100

start_daemon() {
	printf '{"floodRate": %d, "floodBurst": %d}\n' $FLOOD_PPS $FLOOD_BURST >"$W/slicenetd.json"
	slicenetd_start 60 "$W" --config "$W/slicenetd.json" \
		-- --no-huge -m 256 --no-pci --lcores 0@1,1@1 --file-prefix=sn-itest-fd
}

# start_pmd NAME FD TESTPMD-APP-ARGS...: a testpmd "pod" on CPU 0 fed through a FIFO on fd FD;
# its vdevs come from $VDEVS.
start_pmd() {
	local name=$1 fd=$2
	shift 2
	rm -f "$W/$name.in"
	mkfifo "$W/$name.in"
	# shellcheck disable=SC2086
	timeout 50 stdbuf -oL "$TESTPMD" --lcores 0@0,1@0 --no-huge -m 128 --no-pci \
		--file-prefix="sn-itest-f$name" $VDEVS -- -i "$@" <"$W/$name.in" >"$W/$name.log" 2>&1 &
	echo $! >"$W/$name.pid"
	eval "exec $fd>\"$W/$name.in\""
	for _ in $(seq 150); do grep -q 'testpmd>' "$W/$name.log" && return 0; sleep 0.1; done
	cat "$W/$name.log" >&2
	fail "testpmd $name did not start"
}

# One stats snapshot per call: counters of different ports compared from the same moment.
snap() { ctl --json stats >"$W/snap.$1"; }
val() { # snapshot port jq-path
	jq -r ".result.ports[] | select(.name == \"$2\") | .$3" "$W/snap.$1"
}

stat() { # port jq-path
	ctl --json stats | jq -r ".result.ports[] | select(.name == \"$1\") | .$2"
}

# Packets testpmd port N of pod NAME received (RX) or sent (TX), from a fresh "show port stats".
pmd_count() { # name fd port RX|TX
	local before
	before=$(grep -c 'NIC statistics for port' "$W/$1.log")
	echo "show port stats $3" >&"$2"
	for _ in $(seq 30); do
		[ "$(grep -c 'NIC statistics for port' "$W/$1.log")" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 0.1
	grep -A4 "NIC statistics for port $3" "$W/$1.log" | grep -o "$4-packets: *[0-9]*" | tail -1 | grep -o '[0-9]*$'
}
pmd_rx() { pmd_count "$1" "$2" "$3" RX; }

# pmd_run FD SECONDS [START-COMMAND]: forward for SECONDS, stop, let the rings drain.
pmd_run() {
	echo "${3:-start}" >&"$1"
	sleep "$2"
	echo "stop" >&"$1"
	sleep 0.3
}

wait_connected() { # n
	for _ in $(seq 100); do
		[ "$(ctl ports | grep -c ' connected')" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "ports not connected: $(ctl ports)"
}

cleanup_each() {
	local p
	for p in honest evil jumbo; do
		stop_pid_file "$W/$p.pid" KILL
	done
	exec 7>&- 8>&- 9>&- 2>/dev/null
	slicenetd_reset
}

test_00_prerequisites() {
	[ -x "$SLICENETD" ] || fail "$SLICENETD not built"
	[ -n "$TESTPMD" ] || fail "dpdk-testpmd missing (deploy/debian-deps.sh dpdk)"
}

# The honest pair: a and b mac-forward to each other, frames circulate from tx_first.
start_honest_pair() {
	VDEVS="--vdev net_virtio_user0,path=$W/a.sock,mac=$MAC_A --vdev net_virtio_user1,path=$W/b.sock,mac=$MAC_B" \
		start_pmd honest 7 --total-num-mbufs=4096 --forward-mode=mac \
		--eth-peer=0,$MAC_B --eth-peer=1,$MAC_A
}

test_spoofed_sources_dropped_while_honest_pair_forwards() {
	local out rx spoofed a_tx b_rx b_tx0 b_tx
	start_daemon
	ctl add a "$W/a.sock" server $MAC_A >/dev/null
	ctl add b "$W/b.sock" server $MAC_B >/dev/null
	ctl add s "$W/s.sock" server $MAC_S >/dev/null
	# A port cannot take a MAC another port holds, and nothing is created for it.
	out=$(ctl --json add x "$W/x.sock" server $MAC_A) && fail "port x took a's MAC"
	echo "add x with a's MAC: $out" >&2
	echo "$out" | jq -e '.error.code == 17' >/dev/null || fail "not EEXIST: $out"
	assert_contains "$out" "already held by port a"
	[ ! -e "$W/x.sock" ] || fail "socket created for a refused port"
	start_honest_pair
	# The attacker sends as fast as it can, from a MAC that is not its port's, at pod a.
	VDEVS="--vdev net_virtio_user0,path=$W/s.sock,mac=$MAC_EVIL" \
		start_pmd evil 8 --total-num-mbufs=2048 --forward-mode=txonly --eth-peer=0,$MAC_A
	wait_connected 3
	echo "start tx_first 4" >&7
	sleep 0.5
	snap 0
	pmd_run 8 2
	snap 1
	b_tx0=$(val 0 b tx)
	b_tx=$(val 1 b tx)
	rx=$(val 1 s rx)
	spoofed=$(val 1 s drops.spoofed)
	a_tx=$(val 1 a tx)
	b_rx=$(val 1 b rx)
	echo "attacker: rx $rx spoofed $spoofed; honest: b got $((b_tx - b_tx0)) in 2 s; a tx $a_tx, b rx $b_rx" >&2
	[ "$rx" -gt 10000 ] || fail "the attacker sent too little to tell: $rx"
	assert_eq "$spoofed" "$rx" "every frame from the spoofing port dropped as spoofed"
	[ $((b_tx - b_tx0)) -gt 10000 ] || fail "honest pair stalled under the attack: $((b_tx - b_tx0))"
	# Everything a received came from b: none of the attacker's frames got through.
	[ "$a_tx" -le "$b_rx" ] || fail "a received $a_tx frames but b sent only $b_rx"
	ctl fdb | grep -q "$MAC_EVIL" && fail "spoofed MAC learned: $(ctl fdb)"
	ctl fdb | grep -q "$MAC_A *a *static" || fail "a's entry moved: $(ctl fdb)"
	echo "stop" >&7
}

test_broadcast_storm_is_rate_limited() {
	local t0 t1 ms rx limited flooded base honest got
	start_daemon
	ctl add a "$W/a.sock" server $MAC_A >/dev/null
	ctl add b "$W/b.sock" server $MAC_B >/dev/null
	ctl add s "$W/s.sock" server $MAC_S >/dev/null
	start_honest_pair
	VDEVS="--vdev net_virtio_user0,path=$W/s.sock,mac=$MAC_S" \
		start_pmd evil 8 --total-num-mbufs=2048 --forward-mode=txonly \
		--eth-peer=0,ff:ff:ff:ff:ff:ff
	wait_connected 3
	echo "start tx_first 4" >&7
	sleep 0.5
	# Baseline: the honest pair alone for 1 s (the idle attacker still polls on CPU 0).
	snap 0
	sleep 1
	snap 1
	base=$(($(val 1 b rx) - $(val 0 b rx)))
	t0=$(date +%s%N)
	echo "start" >&8
	sleep 3
	echo "stop" >&8
	t1=$(date +%s%N) # the window bounds the storm: tokens earned from start to stop
	sleep 0.3
	snap 2
	ms=$(((t1 - t0) / 1000000))
	rx=$(val 2 s rx)
	limited=$(val 2 s drops.flood_limited)
	flooded=$((rx - limited))
	honest=$(($(val 2 b rx) - $(val 1 b rx)))
	got=$(($(val 2 a tx) - $(val 1 a tx)))
	echo "storm: rx $rx, flood_limited $limited, flooded $flooded in $ms ms (limit $FLOOD_PPS/s, burst $FLOOD_BURST)" >&2
	echo "honest b->a: $base frames/s alone, $((honest * 1000 / ms)) frames/s during the storm; a got $got" >&2
	[ "$rx" -gt 10000 ] || fail "the storm was too small to tell: $rx"
	[ "$flooded" -ge $FLOOD_BURST ] || fail "the storm's burst did not pass: $flooded"
	[ "$flooded" -le $((FLOOD_PPS * ms / 1000 + FLOOD_BURST)) ] ||
		fail "flooded $flooded frames, more than $FLOOD_PPS/s for $ms ms + $FLOOD_BURST"
	assert_eq "$(val 2 s drops.spoofed)" 0 "the storm's source is honest"
	# What a received is b's frames plus the broadcasts let through (one snapshot; a burst in flight).
	[ "$got" -le $((honest + flooded + 64)) ] || fail "a got $got, more than b's $honest + $flooded flooded"
	# Both testpmds share CPU 0, so the honest pair may lose half its rate, not most of it.
	[ $((honest * 1000 / ms)) -ge $((base / 4)) ] || fail "honest pair starved by the storm"
	echo "stop" >&7
}

test_jumbo_frames_up_to_the_mtu_pass_longer_are_counted() {
	local j1 j2 rx1 over_a over_b p port sent refused
	local -a tx0
	start_daemon
	ctl raw "{\"method\":\"port.add\",\"params\":{\"name\":\"j1\",\"socket\":\"$W/j1.sock\",\"mode\":\"server\",\"mac\":\"02:00:00:00:03:31\",\"mtu\":9000}}" >/dev/null
	ctl raw "{\"method\":\"port.add\",\"params\":{\"name\":\"j2\",\"socket\":\"$W/j2.sock\",\"mode\":\"server\",\"mac\":\"02:00:00:00:03:32\",\"mtu\":9000}}" >/dev/null
	ctl add a "$W/a.sock" server $MAC_A >/dev/null
	ctl add b "$W/b.sock" server $MAC_B >/dev/null
	ctl --json ports | jq -e '[.result.ports[] | {(.name): .mtu}] | add == {"j1": 9000, "j2": 9000, "a": 1500, "b": 1500}' \
		>/dev/null || fail "MTUs in port info: $(ctl --json ports)"
	ctl raw "{\"method\":\"port.add\",\"params\":{\"name\":\"x\",\"socket\":\"$W/x.sock\",\"mtu\":9001}}" |
		jq -e '.error.code == 22' >/dev/null || fail "mtu 9001 accepted"
	# One pod, two pairs: j1<->j2 at MTU 9000, a<->b at 1500; every port sends 9000-byte frames.
	VDEVS="--vdev net_virtio_user0,path=$W/j1.sock,mac=02:00:00:00:03:31 --vdev net_virtio_user1,path=$W/j2.sock,mac=02:00:00:00:03:32 --vdev net_virtio_user2,path=$W/a.sock,mac=$MAC_A --vdev net_virtio_user3,path=$W/b.sock,mac=$MAC_B" \
		start_pmd jumbo 9 --total-num-mbufs=4096 --mbuf-size=10240 --max-pkt-len=9600 \
		--forward-mode=mac --eth-peer=0,02:00:00:00:03:32 --eth-peer=1,02:00:00:00:03:31 \
		--eth-peer=2,$MAC_B --eth-peer=3,$MAC_A
	wait_connected 4
	echo "set txpkts 9014" >&9
	pmd_run 9 2 "start tx_first 1"
	j1=$(stat j1 tx)
	j2=$(stat j2 tx)
	rx1=$(pmd_rx jumbo 9 1)
	over_a=$(stat a drops.oversize)
	over_b=$(stat b drops.oversize)
	echo "9014-byte frames: j1 tx $j1, j2 tx $j2, pod port j2 rx $rx1; oversize a $over_a b $over_b" >&2
	[ "$j1" -gt 1000 ] && [ "$j2" -gt 1000 ] || fail "jumbo frames did not circulate: $j1 / $j2"
	[ "${rx1:-0}" -gt 1000 ] || fail "the pod received too few jumbo frames: $rx1"
	assert_eq "$(stat j1 drops.oversize)" 0 "j1 oversize at 9014 bytes"
	# tx_first sends one burst of 32 per port: a and b's are all over their 1500 MTU.
	assert_eq "$over_a" 32 "a: oversize"
	assert_eq "$over_b" 32 "b: oversize"
	assert_eq "$(stat a tx)" 0 "a: nothing delivered"
	# One byte over 9000: each jumbo port's burst is counted.
	echo "set txpkts 9015" >&9
	pmd_run 9 0.5 "start tx_first 1"
	assert_eq "$(stat j1 drops.oversize)" 32 "j1: 9015-byte frames counted"
	assert_eq "$(stat j2 drops.oversize)" 32 "j2: 9015-byte frames counted"
	# Longer than slicenetd's 9216-byte mbufs (two segments in the pod): rte_vhost hands them
	# over in an external buffer and the switch counts each one instead of losing it unseen.
	echo "set txpkts 9000,3000" >&9
	pmd_run 9 0.5 "start tx_first 1"
	assert_eq "$(stat j1 drops.oversize)" 64 "j1: 12000-byte frames counted"
	assert_eq "$(stat j2 drops.oversize)" 64 "j2: 12000-byte frames counted"
	assert_eq "$(stat a drops.oversize)" 96 "a: 12000-byte frames counted (after 9014 and 9015)"
	assert_eq "$(stat b drops.oversize)" 96 "b: 12000-byte frames counted (after 9014 and 9015)"
	assert_eq "$(stat j1 drops.vhost_refused)" 0 "j1: 12000-byte frames are not vhost_refused"
	# Longer than an external buffer holds (72000 bytes, a chain of 8 descriptors): rte_vhost
	# consumes each inside the dequeue and drops it; slicenetd counts it from the ring index.
	for p in 0 1 2 3; do tx0[p]=$(pmd_count jumbo 9 $p TX); done
	echo "set txpkts 9000,9000,9000,9000,9000,9000,9000,9000" >&9
	pmd_run 9 0.5 "start tx_first 1"
	p=0
	for port in j1 j2 a b; do
		sent=$(($(pmd_count jumbo 9 $p TX) - tx0[p]))
		refused=$(stat $port drops.vhost_refused)
		echo "72000-byte frames: $port sent $sent, vhost_refused $refused" >&2
		[ "$sent" -gt 0 ] || fail "$port: the pod sent no 72000-byte frame"
		assert_eq "$refused" "$sent" "$port: every 72000-byte frame counted as vhost_refused"
		p=$((p + 1))
	done
	assert_eq "$(stat j1 drops.oversize)" 64 "j1: 72000-byte frames not counted as oversize"
	assert_eq "$(stat a drops.oversize)" 96 "a: 72000-byte frames not counted as oversize"
	refused=$(stat j1 drops.vhost_refused)
	# Honest jumbo traffic still forwards after them.
	j1=$(stat j1 tx)
	echo "set txpkts 9014" >&9
	pmd_run 9 1 "start tx_first 1"
	[ $(($(stat j1 tx) - j1)) -gt 1000 ] || fail "jumbo frames stopped after the oversize ones"
	assert_eq "$(stat j1 drops.oversize)" 64 "j1: no 9014-byte frame counted as oversize"
	assert_eq "$(stat j1 drops.vhost_refused)" "$refused" "j1: no 9014-byte frame counted as vhost_refused"
	kill -0 "$(pgrep -P "$(cat "$W/daemon.pid")")" || fail "daemon died"
}

run_tests
rm -rf "$W"
rm -rf /var/run/dpdk/sn-itest-f*
