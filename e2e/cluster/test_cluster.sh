#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# A cluster simulated on one machine (make e2e-cluster, part of make test):
# nodes are network namespaces on one fabric bridge, each with its own
# slicenet state, IPAM store, log and slicenet-agent talking HTTPS + bearer
# token to the test API server. Pods are network namespaces attached by
# running the plugin inside the node's namespace, with the config a runtime
# derives from the node's primary-mode conflist, as a runtime would.
# Every pod pings every other pod (the matrix, printed as TAP comments), in
# host-gw and vxlan mode; then a node is added, one removed, an agent
# restarted, and everything uninstalled. Tests run in name order and share
# the cluster; each asserts the outcome.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../test/integration/lib.sh
. "$here/../../test/integration/lib.sh"
AGENT=$BUILD_DIR/bin/slicenet-agent
P=snce # namespace prefix
WORK=$(mktemp -d /tmp/slicenet-e2e-cluster.XXXXXX)
# shellcheck source=lib.sh
. "$here/lib.sh"
exec 3>&1 # the matrix and the figures go to stdout as TAP comments

tap_note() { sed 's/^/# /' | tee /dev/stderr >&3; }

agent_on() { # I MODE
	start_agent "$1" "$WORK/token" --mode "$2" --cluster-cidr 10.244.0.0/16 --resync 2
}

# Node I's conflist, as the chart installs it in primary mode: the pod range
# comes from the agent's ranges file.
write_conflist() { # I
	local n=$WORK/n$1
	cat >"$n/10-slicenet.conflist" <<JSON
{"cniVersion":"1.1.0","name":"cluster","plugins":[{"type":"slicenet","mode":"primary",
 "clusterCIDR":"10.244.0.0/16",
 "ipam":{"type":"slicenet-ipam","rangesFile":"$n/ranges.json","dataDir":"$n/ipam"},
 "defaultSlice":"embb",
 "slices":{"embb":{"datapaths":["veth"]},
           "urllc":{"datapaths":["vhostuser","veth"],"dataSubnet":"10.250.0.0/16"}},
 "vhostuser":{"daemonSocket":"$n/slicenetd.sock","socketDir":"$n/ports"},
 "stateDir":"$n/state","logFile":"$n/slicenet.log","logLevel":"debug"}]}
JSON
}

# pod_cni CMD NODE POD [SLICE]: the plugin run in the node's namespace with
# the environment libcni sets and the conflist's entry as its config.
pod_cni() {
	local cmd=$1 i=$2 pod=$3 slice=${4:-embb}
	jq -c '.plugins[0] + {name: .name, cniVersion: .cniVersion}' "$WORK/n$i/10-slicenet.conflist" |
		ip netns exec "$(ns "$i")" env CNI_COMMAND="$cmd" CNI_NETNS="/run/netns/$P-$pod" \
			CNI_CONTAINERID="ctr-$pod" CNI_IFNAME=eth0 CNI_PATH="$BUILD_DIR/bin" \
			CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=e2e;K8S_POD_NAME=$pod;K8S_POD_UID=uid-$pod;SLICENET_SLICE=$slice" \
			timeout 20 "$SLICENET"
}

# pod_add NODE POD [SLICE]: a pod namespace and its ADD; "POD NODE IP" into $WORK/pods.
pod_add() {
	local i=$1 pod=$2 r ip
	ip netns add "$P-$pod"
	r=$(pod_cni ADD "$i" "$pod" "${3:-embb}") || fail "ADD $pod on node-$i: $r"
	ip=$(echo "$r" | jq -r '.ips[0].address' | cut -d/ -f1)
	assert_contains "$ip" "10.244.$i." "$pod's address is from node-$i's pod range"
	echo "$pod $i $ip" >>"$WORK/pods"
}

# ping_pair SRC_POD DST_IP: 4 echoes; per-packet RTTs (ms) on stdout, fails if any is lost.
ping_pair() {
	local out
	out=$(ip netns exec "$P-$1" ping -n -c 4 -i 0.02 -W 1 "$2" 2>&1) || return 1
	grep -q ' 0% packet loss' <<<"$out" || return 1
	sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$out"
}

median() { sort -n | awk '{v[NR] = $1} END {if (NR) printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# matrix LABEL: every pod pings every other; prints the table and the RTT
# medians, fails naming the pairs that did not answer.
matrix() {
	local label=$1 src sn dst dn dip row bad="" kind table=$WORK/matrix-$1
	local -a pods
	mapfile -t pods < <(awk '{print $1}' "$WORK/pods")
	: >"$WORK/rtt-$label-same"
	: >"$WORK/rtt-$label-cross"
	{
		printf '%-8s' "$label"
		printf ' %-6s' "${pods[@]}"
		echo
	} >"$table"
	while read -r src sn _; do
		row=$(printf '%-8s' "$src")
		while read -r dst dn dip; do
			if [ "$src" = "$dst" ]; then
				row+=$(printf ' %-6s' .)
				continue
			fi
			kind=cross
			[ "$sn" = "$dn" ] && kind=same
			# The echoes after the first (which may wait for ARP) feed the medians.
			if ping_pair "$src" "$dip" >"$WORK/rtt.tmp"; then
				row+=$(printf ' %-6s' ok)
				tail -n +2 "$WORK/rtt.tmp" >>"$WORK/rtt-$label-$kind"
			else
				row+=$(printf ' %-6s' FAIL)
				bad+=" $src->$dst"
			fi
		done <"$WORK/pods"
		echo "$row" >>"$table"
	done <"$WORK/pods"
	printf 'rtt median (ms) %s: same node %s (%d samples), across nodes %s (%d samples)\n' "$label" \
		"$(median <"$WORK/rtt-$label-same")" "$(wc -l <"$WORK/rtt-$label-same")" \
		"$(median <"$WORK/rtt-$label-cross")" "$(wc -l <"$WORK/rtt-$label-cross")" >>"$table"
	tap_note <"$table"
	[ -z "$bad" ] || fail "$label: no answer for$bad"
}

routed_everywhere() { # MODE NODES...: every node routes every other node's pod CIDR
	local mode=$1 i j want
	shift
	for i in "$@"; do
		for j in "$@"; do
			[ "$i" = "$j" ] && continue
			want="10.244.$j.0/24 via 10.99.0.$j dev eth0"
			[ "$mode" = vxlan ] && want="10.244.$j.0/24 via 10.244.$j.0 dev slicenet.1"
			wait_for 10 has_route "$i" "$want" || fail "node-$i: no route: $want"
		done
	done
}

vxlan_tx() { ip -n "$(ns "$1")" -j -s link show slicenet.1 | jq '.[0].stats64.tx.packets'; }

cleanup() {
	local n
	fabric_down 1 2 3 4
	for n in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do ip netns del "$n"; done
	rm -rf "$WORK"
}
trap cleanup EXIT

test_01_hostgw_matrix() {
	local i
	for i in 1 2 3; do
		node_put "$i"
		agent_on "$i" host-gw
		write_conflist "$i"
	done
	for i in 1 2 3; do wait_for 10 test -s "$WORK/n$i/ranges.json" || fail "node-$i: no ranges file"; done
	for i in 1 2 3; do
		pod_add "$i" "p${i}a"
		pod_add "$i" "p${i}b"
	done
	routed_everywhere host-gw 1 2 3
	matrix host-gw
}

test_02_vxlan_matrix() {
	local i before
	# Switching mode is an agent restart with the other flag (a chart upgrade).
	for i in 1 2 3; do
		stop_agent "$i"
		agent_on "$i" vxlan
	done
	routed_everywhere vxlan 1 2 3
	for i in 1 2 3; do
		! routes "$i" | grep -q 'dev eth0' || fail "node-$i: host-gw routes left: $(routes "$i")"
	done
	before=$(vxlan_tx 1)
	matrix vxlan
	[ "$(vxlan_tx 1)" -ge $((before + 40)) ] || fail "node-1's pods did not go through slicenet.1"
}

test_03_added_node_reaches_everyone() {
	node_add 4
	node_put 4
	agent_on 4 vxlan
	write_conflist 4
	wait_for 10 test -s "$WORK/n4/ranges.json" || fail "node-4: no ranges file"
	routed_everywhere vxlan 1 2 3 4
	pod_add 4 p4a
	matrix vxlan+node-4
}

test_04_removed_node_unrouted_everywhere() {
	local i
	admin DELETE /nodes/node-3 >/dev/null
	for i in 1 2 4; do
		wait_for 10 lacks_route "$i" "10.244.3.0/24" || fail "node-$i still routes node-3: $(routes "$i")"
		wait_for 10 sh -c "! bridge -n $(ns "$i") fdb show dev slicenet.1 | grep -q 'dst 10.99.0.3 '" ||
			fail "node-$i: FDB entry for node-3 left"
	done
	# The others still reach each other; node-3's pods are out of the cluster.
	ip netns exec "$P-p1a" ping -c 1 -W 1 "$(awk '$1 == "p4a" {print $3}' "$WORK/pods")" >/dev/null ||
		fail "p1a -> p4a broken by node-3's removal"
	ip netns exec "$P-p1a" ping -c 1 -W 1 "$(awk '$1 == "p3a" {print $3}' "$WORK/pods")" >/dev/null &&
		fail "p1a still reaches a pod of the removed node"
	return 0
}

test_05_agent_restart_removes_no_route() {
	local before mon lists dst
	lists=$(listed 1)
	before=$(routes 1)
	ip -n "$(ns 1)" monitor route >"$WORK/monitor" 2>&1 &
	mon=$!
	sleep 0.3
	stop_agent 1
	agent_on 1 vxlan
	# Poll while it lists and reconciles: every route stays throughout.
	for _ in $(seq 1 15); do
		assert_eq "$(routes 1)" "$before" "node-1's routes during the restart"
		sleep 0.2
	done
	wait_for 10 relisted 1 "$lists" || fail "the restarted agent did not list"
	sleep 2.5 # past one resync period
	assert_eq "$(routes 1)" "$before" "node-1's routes after the restart"
	kill "$mon"
	! grep -q "proto 199" "$WORK/monitor" || fail "route events during the restart: $(cat "$WORK/monitor")"
	dst=$(awk '$1 == "p2a" {print $3}' "$WORK/pods")
	ip netns exec "$P-p1a" ping -c 1 -W 1 "$dst" >/dev/null || fail "p1a -> p2a after the restart"
}

# What slicenet (plugin or agent) created on node I, one line each.
node_left() {
	local n=$WORK/n$1
	agent_left "$1"
	ip -n "$(ns "$1")" -o link show type veth | awk -F': ' '$2 !~ /^eth0@/ {print "veth " $2}'
	find "$n/state" -name '*.json' 2>/dev/null
	find "$n/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null
}

test_06_uninstall_leaves_nothing() {
	local pod i left
	for i in 1 2 3 4; do uninstall_agent "$i" || fail "node-$i: --uninstall failed"; done
	# DEL after the agent is gone (its ranges file with it): the records are enough.
	while read -r pod i _; do
		pod_cni DEL "$i" "$pod" >/dev/null || fail "DEL $pod on node-$i"
		[ "$(ip -n "$P-$pod" -o link show | wc -l)" = 1 ] ||
			fail "$pod: interfaces left: $(ip -n "$P-$pod" -o link show)"
	done <"$WORK/pods"
	for i in 1 2 3 4; do
		left=$(node_left "$i")
		[ -z "$left" ] || fail "node-$i: left behind: $left"
	done
}

fabric_up >&2
for i in 1 2 3; do node_add "$i"; done >&2
run_tests
