#!/bin/bash
# slicenet-agent against test/agent/apiserver.py: simulated nodes are network
# namespaces on one bridge (in a fabric namespace that also runs the API
# server over HTTPS), one agent per node run with "ip netns exec". Tests run
# in name order and share the cluster; each asserts the kernel state.
here=$(dirname "$0")
. "$here/lib.sh"
AGENT=$BUILD_DIR/bin/slicenet-agent
P=snag # namespace prefix
WORK=$(mktemp -d /tmp/slicenet-agent-test.XXXXXX)
. "$here/../../e2e/cluster/lib.sh"
MODE=host-gw # each test runs in a subshell: a test that changes it passes it on explicitly

agent_up() { # I [TOKEN_FILE | AGENT_FLAG...]
	local i=$1 token=$WORK/token
	shift
	case ${1:-} in /*) token=$1 && shift ;; esac
	start_agent "$i" "$token" --mode "$MODE" --cluster-cidr 10.244.0.0/16 \
		--cluster-cidr fd00:10:244::/48 --resync 2 "$@"
}

setup() {
	fabric_up
	for i in 1 2 3 4; do node_add "$i"; done
}

cleanup() {
	fabric_down 1 2 3 4
	rm -rf "$WORK"
}
trap cleanup EXIT

test_01_hostgw_routes_and_ranges_files() {
	node_put 1
	node_put 2
	node_put 3 fd00:10:244:3::/64
	for i in 1 2 3; do agent_up "$i"; done
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] && continue
			wait_for 10 has_route "$i" "10.244.$j.0/24 via 10.99.0.$j dev eth0 onlink"
		done
		[ "$(routes "$i" | wc -l)" = "$([ "$i" = 3 ] && echo 2 || echo 3)" ] ||
			fail "node $i: unexpected routes: $(routes "$i")"
	done
	# Dual stack: node-3's IPv6 range is routed via its IPv6 InternalIP.
	has_route 1 "fd00:10:244:3::/64 via fd00:99::3 dev eth0"
	has_route 2 "fd00:10:244:3::/64 via fd00:99::3 dev eth0"
	assert_eq "$(cat "$WORK/n1/ranges.json")" '{"ranges": [[{"subnet": "10.244.1.0/24"}]]}'
	assert_eq "$(cat "$WORK/n3/ranges.json")" \
		'{"ranges": [[{"subnet": "10.244.3.0/24"}], [{"subnet": "fd00:10:244:3::/64"}]]}'
}

test_02_ranges_file_feeds_slicenet_ipam() {
	local conf out
	conf="{\"cniVersion\":\"1.0.0\",\"name\":\"agentnet\",\"ipam\":{\"type\":\"slicenet-ipam\",
		\"rangesFile\":\"$WORK/n3/ranges.json\",\"dataDir\":\"$WORK/ipam\"}}"
	out=$(PLUGIN=$SLICENET_IPAM cni_call ADD "/var/run/netns/$(ns 3)" c1 eth0 "$conf")
	echo "$out"
	assert_contains "$out" '10.244.3.'
	assert_contains "$out" 'fd00:10:244:3::'
	conf=${conf//n3\/ranges.json/n9\/ranges.json}
	out=$(PLUGIN=$SLICENET_IPAM cni_call ADD "/var/run/netns/$(ns 3)" c2 eth0 "$conf") &&
		fail "ADD without ranges file: $out"
	assert_contains "$out" '"code":11'
	assert_contains "$out" "$WORK/n9/ranges.json"
}

test_03_masquerade_table() {
	local t
	t=$(ip netns exec "$(ns 1)" nft list table inet slicenet)
	assert_contains "$t" "type nat hook postrouting priority srcnat"
	assert_contains "$t" "ip saddr 10.244.1.0/24 ip daddr != 10.244.0.0/16 masquerade"
	t=$(ip netns exec "$(ns 3)" nft list table inet slicenet)
	assert_contains "$t" "ip6 saddr fd00:10:244:3::/64 ip6 daddr != fd00:10:244::/48 masquerade"
}

test_04_new_node_routed_everywhere() {
	node_put 4
	agent_up 4
	for i in 1 2 3; do wait_for 10 has_route "$i" "10.244.4.0/24 via 10.99.0.4 dev eth0"; done
	for j in 1 2 3; do wait_for 10 has_route 4 "10.244.$j.0/24 via 10.99.0.$j dev eth0"; done
}

test_05_other_owners_routes_untouched() {
	# Same CIDR at another metric (coexists) and at the same metric (blocks ours).
	ip -n "$(ns 1)" route add 10.244.2.0/24 via 10.99.0.3 proto static metric 50
	ip -n "$(ns 1)" route add 10.244.5.0/24 via 10.99.0.3 proto static
	node_put 5
	for i in 2 3 4; do wait_for 10 has_route "$i" "10.244.5.0/24 via 10.99.0.5"; done
	wait_for 10 grep -q "10.244.5.0/24.*another owner's route" "$WORK/agent-n1.log"
	lacks_route 1 "10.244.5.0/24"
	ip -n "$(ns 1)" route show 10.244.5.0/24 | grep -q "via 10.99.0.3 dev eth0 proto static" ||
		fail "static route to 10.244.5.0/24 changed"
	admin DELETE /nodes/node-5 >/dev/null
	for i in 2 3 4; do wait_for 10 lacks_route "$i" "10.244.5.0/24"; done
	ip -n "$(ns 1)" route show 10.244.5.0/24 | grep -q "proto static" || fail "static route removed"
}

test_06_deleted_node_unrouted() {
	admin DELETE /nodes/node-2 >/dev/null
	for i in 1 3 4; do wait_for 10 lacks_route "$i" "10.244.2.0/24"; done
	ip -n "$(ns 1)" route show 10.244.2.0/24 | grep -q "via 10.99.0.3 dev eth0 proto static metric 50" ||
		fail "the static route to node-2's CIDR went with ours"
	stop_agent 2
	node_put 2
	for i in 1 3 4; do wait_for 10 has_route "$i" "10.244.2.0/24 via 10.99.0.2 dev eth0"; done
}

test_07_restart_does_not_flap() {
	restart_watched 1 agent_up 1
}

test_07a_resync_repairs_kernel_state() {
	# Someone removes one of the agent's routes: the periodic reconcile puts it back.
	ip -n "$(ns 3)" route del 10.244.1.0/24 proto 199
	wait_for 10 has_route 3 "10.244.1.0/24 via 10.99.0.1 dev eth0 onlink"
}

test_08_gone_relists() {
	local gone lists
	for mode in http event; do
		gone=$(stat_of gone)
		lists=$(stat_of lists)
		admin POST "/expire?mode=$mode" >/dev/null
		node_put 6
		for i in 1 3 4; do wait_for 15 has_route "$i" "10.244.6.0/24 via 10.99.0.6"; done
		[ "$(stat_of gone)" -gt "$gone" ] || fail "$mode: no 410 was served"
		[ "$(stat_of lists)" -gt "$lists" ] || fail "$mode: no relist after 410"
		admin DELETE /nodes/node-6 >/dev/null
		for i in 1 3 4; do wait_for 10 lacks_route "$i" "10.244.6.0/24"; done
	done
	grep -q "watch nodes: HTTP 410 Expired" "$WORK/agent-n1.log"
	grep -q "ERROR event 410 Expired" "$WORK/agent-n1.log"
}

test_09_bad_token_is_401_and_recovers() {
	local unauthorized
	unauthorized=$(stat_of unauthorized)
	stop_agent 4
	echo "not-the-token" >"$WORK/token-4"
	agent_up 4 "$WORK/token-4"
	node_put 7
	wait_for 10 grep -q "HTTP 401 Unauthorized" "$WORK/agent-n4.log"
	[ "$(stat_of unauthorized)" -gt "$unauthorized" ] || fail "no 401 served"
	lacks_route 4 "10.244.7.0/24"
	cp "$WORK/token" "$WORK/token-4"
	wait_for 20 has_route 4 "10.244.7.0/24 via 10.99.0.7"
	admin DELETE /nodes/node-7 >/dev/null
	wait_for 10 lacks_route 4 "10.244.7.0/24"
}

uninstall_all() {
	local i
	for i in 1 2 3 4; do uninstall_agent "$i"; done
}

assert_nothing_left() {
	local i left
	for i in 1 2 3 4; do
		left=$(agent_left "$i")
		[ -z "$left" ] || fail "node $i: left: $left"
	done
}

test_10_uninstall_leaves_nothing() {
	uninstall_all
	assert_nothing_left
	ip -n "$(ns 1)" route show 10.244.2.0/24 | grep -q "proto static" || fail "static route removed"
	ip -n "$(ns 1)" route show 10.244.5.0/24 | grep -q "proto static" || fail "static route removed"
	ip -n "$(ns 1)" route del 10.244.2.0/24 proto static metric 50
	ip -n "$(ns 1)" route del 10.244.5.0/24 proto static
}

test_11_vxlan_device_fdb_neigh_routes() {
	MODE=vxlan
	for i in 1 2 3 4; do agent_up "$i"; done
	for i in 1 2 3 4; do
		for j in 1 2 3 4; do
			[ "$i" = "$j" ] && continue
			wait_for 10 has_route "$i" "10.244.$j.0/24 via 10.244.$j.0 dev slicenet.1 onlink"
		done
	done
	local link fdb neigh
	link=$(ip -n "$(ns 1)" -d link show slicenet.1)
	assert_contains "$link" "link/ether 0e:53:0a:63:00:01"
	assert_contains "$link" "vxlan id 1 local 10.99.0.1 dev eth0"
	assert_contains "$link" "dstport 8472"
	assert_contains "$link" "nolearning"
	assert_contains "$link" "mtu 1450"
	fdb=$(bridge -n "$(ns 1)" fdb show dev slicenet.1)
	for j in 2 3 4; do
		assert_contains "$fdb" "0e:53:0a:63:00:0$j dst 10.99.0.$j self permanent"
	done
	neigh=$(ip -n "$(ns 1)" neigh show dev slicenet.1)
	for j in 2 3 4; do assert_contains "$neigh" "10.244.$j.0 lladdr 0e:53:0a:63:00:0$j PERMANENT"; done
	# node-3's IPv6 range rides the same (IPv4 underlay) device.
	has_route 1 "fd00:10:244:3::/64 via fd00:10:244:3:: dev slicenet.1"
	assert_contains "$(ip -n "$(ns 1)" -6 neigh show dev slicenet.1)" \
		"fd00:10:244:3:: lladdr 0e:53:0a:63:00:03 PERMANENT"
}

test_12_vxlan_ping_between_pod_ranges() {
	local i tx
	for i in 1 2; do
		# A dummy device where the kernel has the module, else one end of a veth pair.
		ip -n "$(ns "$i")" link add dummy0 type dummy 2>/dev/null ||
			ip -n "$(ns "$i")" link add dummy0 type veth peer name dummy0p
		ip -n "$(ns "$i")" addr add "10.244.$i.10/32" dev dummy0
		ip -n "$(ns "$i")" link set dummy0 up
		ip -n "$(ns "$i")" link set dummy0p up 2>/dev/null || true
	done
	ip netns exec "$(ns 1)" ping -c 2 -W 2 -I 10.244.1.10 10.244.2.10
	tx=$(ip -n "$(ns 1)" -j -s link show slicenet.1 | jq '.[0].stats64.tx.packets')
	[ "$tx" -ge 2 ] || fail "the ping did not go through slicenet.1 (tx $tx)"
}

test_12a_vxlan_restart_does_not_flap() {
	local mon lists
	lists=$(listed 1)
	ip -n "$(ns 1)" monitor link route neigh >"$WORK/monitor" 2>&1 &
	mon=$!
	sleep 0.3
	stop_agent 1
	MODE=vxlan agent_up 1
	wait_for 10 relisted 1 "$lists"
	sleep 2.5 # past one resync period
	kill "$mon"
	grep -q "mode vxlan" "$WORK/agent-n1.log"
	grep -E "Deleted.*(slicenet.1|proto 199)" "$WORK/monitor" && fail "vxlan entries flapped"
	ip netns exec "$(ns 1)" ping -c 1 -W 2 -I 10.244.1.10 10.244.2.10
}

test_13_vxlan_node_delete_and_uninstall() {
	admin DELETE /nodes/node-4 >/dev/null
	for i in 1 2 3; do wait_for 10 lacks_route "$i" "10.244.4.0/24"; done
	wait_for 10 sh -c "! bridge -n $(ns 1) fdb show dev slicenet.1 | grep -q 0e:53:0a:63:00:04"
	wait_for 10 sh -c "! ip -n $(ns 1) neigh show dev slicenet.1 | grep -q 10.244.4.0"
	uninstall_all
	assert_nothing_left
}

# --uninstall-on-stop (the chart's cni.uninstall): SIGTERM removes what the
# agent created; without it a stop keeps the routes.
test_14_uninstall_on_stop() {
	MODE=host-gw
	agent_up 1 --uninstall-on-stop
	wait_for 10 has_route 1 "10.244.2.0/24 via 10.99.0.2 dev eth0" || fail "no route before the stop"
	[ -e "$WORK/n1/ranges.json" ] || fail "no ranges file before the stop"
	stop_agent 1
	assert_eq "$(agent_left 1)" "" "left after SIGTERM with --uninstall-on-stop"
	agent_up 1
	wait_for 10 has_route 1 "10.244.2.0/24 via 10.99.0.2 dev eth0" || fail "no route"
	stop_agent 1
	has_route 1 "10.244.2.0/24 via 10.99.0.2 dev eth0" || fail "a plain stop removed the routes"
}

# --mode none (the chart's secondary mode): what the routing run above left
# is removed at start, nothing is routed or written afterwards (a new node
# changes nothing), no Node list; /metrics is served.
test_15_mode_none_routes_nothing() {
	local log=$WORK/none-n1.log m
	start_agent 1 "$WORK/token" --mode none --log-file "$log" --metrics 127.0.0.1:19655 \
		--state-dir "$WORK/n1/state" --ipam-dir "$WORK/n1/ipam" --install-status "$WORK/n1/status.json"
	wait_for 10 grep -q "mode none: no routes" "$log" || fail "mode none did not start: $(cat "$log")"
	assert_eq "$(agent_left 1)" "" "mode none kept an earlier run's routing state"
	node_put 5
	wait_for 10 ip netns exec "$(ns 1)" curl -sf http://127.0.0.1:19655/metrics || fail "no /metrics"
	m=$(ip netns exec "$(ns 1)" curl -sf http://127.0.0.1:19655/metrics)
	assert_contains "$m" "slicenet_agent_events_posted_total 0"
	sleep 2.5 # past a resync period of a routing agent
	assert_eq "$(agent_left 1)" "" "mode none routed or wrote something"
	assert_eq "$(grep -c "listed .* nodes" "$log")" 0 "mode none listed Nodes"
	stop_agent 1
	assert_eq "$(agent_left 1)" "" "left after mode none stopped"
	admin DELETE /nodes/node-5 >/dev/null
}

setup >&2
run_tests
