#!/bin/bash
# slicenet as the first plugin of a conflist, chained with the reference
# tuning and bandwidth plugins; the runtime side (request configuration per
# plugin, prevResult, reverse-order DEL) is done here as libcni does it.
here=$(dirname "$0")
. "$here/lib.sh"
SUBNET_PREFIX=10.98.0
. "$here/plugin_env.sh"

conflist() {
	jq -c -n --argjson first "$(conf 1.0.0)" '{cniVersion:"1.0.0", name:"sntest", plugins:[
		($first | del(.cniVersion, .name)),
		{type:"tuning", mtu:1300, promisc:true},
		{type:"bandwidth", ingressRate:8000000, ingressBurst:100000,
		 egressRate:8000000, egressBurst:100000}]}'
}

# plugin_conf LIST INDEX [PREV_RESULT]: the request configuration (SPEC §3).
plugin_conf() {
	local list=$1 i=$2 prev=${3:-}
	if [ -n "$prev" ]; then
		echo "$list" | jq -c --argjson prev "$prev" ".plugins[$i] + {cniVersion, name, prevResult: \$prev}"
	else
		echo "$list" | jq -c ".plugins[$i] + {cniVersion, name}"
	fi
}

chain() { # CMD NETNS ID LIST [CACHED_RESULT] -> last result
	local cmd=$1 netns=$2 id=$3 list=$4 cached=${5:-} n i order prev out type
	n=$(echo "$list" | jq '.plugins | length')
	order=$(seq 0 $((n - 1)))
	[ "$cmd" = DEL ] && order=$(seq $((n - 1)) -1 0)
	prev=$cached
	for i in $order; do
		type=$(echo "$list" | jq -r ".plugins[$i].type")
		out=$(PLUGIN=$(command -v "$BUILD_DIR/bin/$type" || echo "$REF_CNI_DIR/$type") \
			cni_call "$cmd" "$netns" "$id" eth0 "$(plugin_conf "$list" "$i" "$prev")") ||
			{ echo "$type $cmd failed: $out" >&2; return 1; }
		[ "$cmd" = ADD ] && prev=$out
	done
	echo "$prev"
}

test_chain_with_tuning_and_bandwidth() {
	local nsp list result host
	nsp=$(new_netns chain)
	list=$(conflist)
	result=$(chain ADD "$nsp" ctr-chain "$list") || fail "chained ADD"
	# The final result still carries slicenet's interfaces and address.
	assert_eq "$(echo "$result" | jq -r '.interfaces[1].name')" eth0
	assert_eq "$(echo "$result" | jq -r '.interfaces[1].sandbox')" "$nsp"
	assert_contains "$(echo "$result" | jq -r '.ips[0].address')" "$SUBNET_PREFIX."
	host=$(echo "$result" | jq -r '.interfaces[0].name')
	assert_contains "$(ip -n "$(ns chain)" link show eth0)" "mtu 1300"
	assert_contains "$(ip -n "$(ns chain)" link show eth0)" "PROMISC"
	assert_contains "$(tc qdisc show dev "$host")" "tbf"
	chain CHECK "$nsp" ctr-chain "$list" "$result" >/dev/null || fail "chained CHECK"
	chain DEL "$nsp" ctr-chain "$list" "$result" >/dev/null || fail "chained DEL"
	! ip link show "$host" >/dev/null 2>&1 || fail "host veth left"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
	chain DEL "" ctr-chain "$list" >/dev/null || fail "second chained DEL without netns"
}

# portmap after slicenet: hostPort works because slicenet's result names the
# pod's address on its interface; DEL removes the rules again.
test_chain_with_portmap() {
	local nsp list result ip cfg
	nsp=$(new_netns pmap)
	list=$(jq -c -n --argjson first "$(conf 1.0.0)" '{cniVersion:"1.0.0", name:"sntest", plugins:[
		($first | del(.cniVersion, .name)),
		{type:"portmap", capabilities:{portMappings:true},
		 runtimeConfig:{portMappings:[{hostPort:18080, containerPort:8080, protocol:"tcp"}]}}]}')
	result=$(chain ADD "$nsp" ctr-pmap "$list") || fail "chained ADD with portmap"
	ip=$(echo "$result" | jq -r '.ips[0].address' | cut -d/ -f1)
	assert_contains "$(iptables -t nat -S 2>/dev/null)" "--to-destination $ip:8080"
	chain DEL "$nsp" ctr-pmap "$list" "$result" >/dev/null || fail "chained DEL"
	! iptables -t nat -S 2>/dev/null | grep -q -- "--to-destination $ip:8080" || fail "portmap rule left"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
}

run_tests
