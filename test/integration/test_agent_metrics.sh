#!/bin/bash
# slicenet-agent's node metrics and Events: the plugin runs real ADDs (one
# urllc pod that falls back from vhostuser to veth, no slicenetd here; one
# embb pod that does not; one that fails), the agent, in a node namespace
# talking to test/agent/apiserver.py in a fabric namespace, turns the
# plugin's events.log into /metrics and posts one DatapathFallback Event.
here=$(dirname "$0")
SUBNET_PREFIX=10.98.7 # pod addresses in the host namespace: clear of the fabric's
. "$here/lib.sh"
. "$here/plugin_env.sh"
AGENT=$BUILD_DIR/bin/slicenet-agent
. "$here/../agent/apiserver_env.sh"
FAB=snam$$-fab
NODE=snam$$-node
API_IP=10.97.0.254
ADMIN=127.0.0.1:18081
METRICS=127.0.0.1:19191
STATUS=$TMP/install-status.json

admin() { ip netns exec "$FAB" curl -sf -X "$1" ${3:+-d "$3"} "http://$ADMIN$2"; }
metrics() { ip netns exec "$NODE" curl -sf "http://$METRICS/metrics"; }
wait_for() { # SECONDS CMD...
	local end=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && { echo "timed out: $*" >&2; return 1; }
		sleep 0.2
	done
}
has_metric() { metrics | grep -qxF "$1"; }
pod_args() { echo "IgnoreUnknown=1;K8S_POD_NAMESPACE=$1;K8S_POD_NAME=$2;SLICENET_SLICE=$3"; }

setup() {
	ip netns add "$FAB"
	ip netns add "$NODE"
	ip -n "$FAB" link add br0 type bridge
	ip -n "$FAB" addr add $API_IP/24 dev br0
	ip -n "$FAB" link set br0 up
	ip -n "$FAB" link set lo up
	ip -n "$FAB" link add n1 type veth peer name eth0 netns "$NODE"
	ip -n "$FAB" link set n1 master br0 up
	ip -n "$NODE" link set lo up
	ip -n "$NODE" addr add 10.97.0.1/24 dev eth0
	ip -n "$NODE" link set eth0 up
	apiserver_start "$FAB" $API_IP 18081 "$TMP" || fail "no API server"
	# The node's pod range is the test network's range: the agent writes it
	# to the ranges file and reports IPAM use per range from it.
	admin PUT /nodes/node-1 "{\"podCIDRs\":[\"$SUBNET_PREFIX.0/24\"],\"internalIPs\":[\"10.97.0.1\"]}" >/dev/null
	mkdir -p "$STATE"
	ip netns exec "$NODE" "$AGENT" --api-server "https://$API_IP:6443" \
		--token-file "$TMP/token" --ca-file "$TMP/ca.crt" --node-name node-1 \
		--mode host-gw --ranges-file "$TMP/ranges.json" --metrics "$METRICS" \
		--state-dir "$STATE" --ipam-dir "$IPAMDIR" --install-status "$STATUS" \
		--log-file "$TMP/agent.log" &
	echo $! >"$TMP/agent.pid"
	wait_for 10 metrics
	wait_for 10 test -s "$TMP/ranges.json" || fail "no ranges file"
}

teardown() {
	local pid
	pid=$(cat "$TMP/agent.pid" 2>/dev/null) && kill "$pid" 2>/dev/null &&
		wait_for 5 sh -c "! kill -0 $pid"
	for f in "$TMP/agent.log" "$TMP/apiserver.log"; do
		echo "=== $f" && tail -n 30 "$f"
	done >&2 2>/dev/null
	pid=$(cat "$TMP/apiserver.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	ip netns del "$NODE" 2>/dev/null
	ip netns del "$FAB" 2>/dev/null
	cleanup_all
}
trap teardown EXIT

test_01_adds_show_as_counters_and_one_fallback() {
	local out code
	out=$(cni_call ADD "$(new_netns du)" ctr-du eth0 "$(conf 1.0.0)" "$(pod_args ran du-0 urllc)") ||
		fail "urllc ADD: $out"
	out=$(cni_call ADD "$(new_netns cu)" ctr-cu eth0 "$(conf 1.0.0)" "$(pod_args ran cu-0 embb)") ||
		fail "embb ADD: $out"
	out=$(cni_call ADD "$(new_netns fh)" ctr-fh eth0 "$(conf 1.0.0)" "$(pod_args ran ru-0 fronthaul)") &&
		fail "fronthaul (sriov only) must fail here"
	code=$(echo "$out" | jq -r .code)
	wait_for 10 has_metric 'slicenet_cni_fallbacks_total{network="sntest",slice="urllc",preferred="vhostuser",datapath="veth"} 1' ||
		fail "no fallback counted: $(metrics)"
	# The IPAM scan runs on its own once-a-second tick: wait for it too.
	wait_for 10 has_metric 'slicenet_ipam_addresses_in_use{network="sntest"} 2' ||
		fail "IPAM use not seen: $(metrics)"
	local m
	m=$(metrics)
	echo "$m"
	assert_contains "$m" 'slicenet_cni_operations_total{verb="ADD",network="sntest",slice="urllc",datapath="veth",result="ok"} 1'
	assert_contains "$m" 'slicenet_cni_operations_total{verb="ADD",network="sntest",slice="embb",datapath="veth",result="ok"} 1'
	assert_contains "$m" "slicenet_cni_failures_total{verb=\"ADD\",code=\"$code\"} 1"
	assert_eq "$(echo "$m" | grep -c '^slicenet_cni_fallbacks_total{')" 1 "one fallback series"
	assert_eq "$(echo "$m" | grep -c '^slicenet_cni_operations_total{.*result="error"')" 1
	assert_contains "$m" 'slicenet_ipam_addresses_in_use{network="sntest"} 2'
	assert_contains "$m" "slicenet_ipam_range_used{network=\"sntest\",range=\"$SUBNET_PREFIX.0/24\"} 2"
	assert_contains "$m" "slicenet_ipam_range_size{network=\"sntest\",range=\"$SUBNET_PREFIX.0/24\"} 253"
	# Pod fields at the end of the plugin's line (plugin/events.h).
	grep -q ' ADD sntest urllc veth vhostuser 0 ran du-0$' "$STATE/events.log" ||
		fail "events.log: $(cat "$STATE/events.log")"
}

events_posted() { [ "$(admin GET /events | jq length)" -ge "$1" ]; }

test_02_exactly_one_datapath_fallback_event_for_the_pod() {
	local ev
	wait_for 10 events_posted 1 || fail "no Event posted"
	sleep 1.5 # one more poll: nothing else may arrive
	ev=$(admin GET /events)
	echo "$ev"
	assert_eq "$(echo "$ev" | jq length)" 1 "exactly one Event"
	assert_eq "$(echo "$ev" | jq -r '.[0].reason')" DatapathFallback
	assert_eq "$(echo "$ev" | jq -r '.[0].type')" Warning
	assert_eq "$(echo "$ev" | jq -r '.[0].involvedObject | "\(.kind) \(.namespace)/\(.name)"')" "Pod ran/du-0"
	assert_eq "$(echo "$ev" | jq -r '.[0].metadata.namespace')" ran
	assert_contains "$(echo "$ev" | jq -r '.[0].message')" "slice urllc: datapath vhostuser unavailable on node node-1, attached with veth"
	assert_contains "$(metrics)" "slicenet_agent_events_posted_total 1"
	assert_eq "$(admin GET /stats | jq .unauthorized)" 0
}

test_03_rejected_slice_table_is_a_gauge_and_a_log_line() {
	printf '{"node":"node-1","time":"t1","state":"ok","installed":"sha-a","candidate":"sha-a","error":""}' >"$STATUS"
	wait_for 10 has_metric 'slicenet_slice_table_rejected 0' || fail "status ok not seen: $(metrics)"
	printf '{"node":"node-1","time":"t2","state":"rejected","installed":"sha-a","candidate":"sha-b","error":"slice urllc: unknown datapath \\"vhost-user\\""}' >"$STATUS.tmp"
	mv "$STATUS.tmp" "$STATUS"
	wait_for 10 has_metric 'slicenet_slice_table_rejected 1' || fail "rejection not seen: $(metrics)"
	grep -q 'slice table rejected by the installer (t2): slice urllc: unknown datapath "vhost-user"; still installed: sha-a; candidate: sha-b' "$TMP/agent.log" ||
		fail "no log line: $(tail -5 "$TMP/agent.log")"
}

test_04_counters_survive_rotation_of_events_log() {
	local i
	# Past the rotation threshold (256 KiB): the agent renames the file away.
	for i in $(seq 1 3000); do
		echo "1 DEL sntest embb veth veth 0 ran pad-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	done >>"$STATE/events.log"
	wait_for 10 has_metric 'slicenet_cni_operations_total{verb="DEL",network="sntest",slice="embb",datapath="veth",result="ok"} 3000' ||
		fail "DELs not counted: $(metrics | grep DEL)"
	wait_for 5 test ! -e "$STATE/events.log" || fail "events.log not rotated: $(stat -c %s "$STATE/events.log")"
	cni_call DEL "$(new_netns du2)" ctr-du eth0 "$(conf 1.0.0)" "$(pod_args ran du-0 urllc)" || fail "DEL"
	wait_for 10 has_metric 'slicenet_cni_operations_total{verb="DEL",network="sntest",slice="urllc",datapath="veth",result="ok"} 1' ||
		fail "DEL after the rotation not counted: $(metrics | grep DEL)"
	[ ! -e "$STATE/events.log.consumed" ] || fail "consumed file left behind"
	wait_for 10 has_metric "slicenet_ipam_range_used{network=\"sntest\",range=\"$SUBNET_PREFIX.0/24\"} 1" ||
		fail "the DEL's release not seen per range: $(metrics | grep ipam)"
}

setup
run_tests
