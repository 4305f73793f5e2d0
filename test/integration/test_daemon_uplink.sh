#!/bin/bash
# slicenetd's uplink: a tap port joins the node's kernel to the switch. A
# second network namespace stands for another node: it pings a "pod"
# (dpdk-testpmd in icmpecho mode on a vhost-user port) through the tap.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
TESTPMD=$(command -v dpdk-testpmd || true)
W=$(mktemp -d /tmp/sn-uplink.XXXXXX)
CTL=$W/ctl.sock
. "$here/daemon_env.sh"
NS=sn-node2-$$
TAP=snup$$
POD_MAC=02:00:00:00:01:0a

cleanup_each() {
	stop_pid_file "$W/gen.pid"
	stop_pid_file "$W/daemon.pid"
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$W/state" "$W"/*.sock
}

test_pod_reachable_from_another_node_through_tap() {
	[ -n "$TESTPMD" ] || fail "dpdk-testpmd missing"
	slicenetd_start 40 "$W" --uplink "tap:$TAP" -- --no-huge -m 256 --no-pci --lcores 0@1,1@1 \
		--file-prefix=sn-itest-u
	ctl ports | grep -q '^uplink .*connected' || fail "no uplink port: $(ctl ports)"
	ctl add pod "$W/pod.sock" server "$POD_MAC"
	ip netns add "$NS"
	ip link set "$TAP" netns "$NS"
	ip -n "$NS" addr add 10.99.0.1/24 dev "$TAP"
	ip -n "$NS" link set "$TAP" up
	mkfifo "$W/gen.in"
	timeout 30 "$TESTPMD" --lcores 0@0,1@0 --no-huge -m 128 --no-pci --file-prefix=sn-itest-ug \
		--vdev "net_virtio_user0,path=$W/pod.sock,mac=$POD_MAC" \
		-- -i --total-num-mbufs=4096 --forward-mode=icmpecho <"$W/gen.in" >"$W/gen.log" 2>&1 &
	echo $! >"$W/gen.pid"
	exec 7>"$W/gen.in"
	for _ in $(seq 100); do ctl ports | grep -q '^pod .*connected' && break; sleep 0.1; done
	echo start >&7
	sleep 0.5
	# icmpecho answers ARP for any address and echoes ICMP: the pod "is" 10.99.0.2.
	ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 10.99.0.2 || fail "pod not reachable through the uplink"
	ip -n "$NS" neigh show 10.99.0.2 | grep -q "$POD_MAC" || fail "ARP did not resolve to the pod's MAC"
	ctl fdb | grep -q "uplink *learned" || fail "tap MAC not learned on the uplink: $(ctl fdb)"
	[ "$(ctl --json stats | jq '.result.ports[] | select(.name == "pod") | .tx')" -ge 4 ] ||
		fail "pod tx counter: $(ctl stats)"
	ctl del uplink && fail "the uplink must not be removable"
	exec 7>&-
}

run_tests
rm -rf "$W"
# EAL runtime directories of our file prefixes.
rm -rf /var/run/dpdk/sn-itest-*
