#!/bin/bash
# The slicenet binary driven exactly as a runtime drives it (env + stdin),
# against the real kernel in network namespaces.
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/plugin_env.sh"

VERSIONS="0.3.0 0.3.1 0.4.0 1.0.0 1.1.0"

test_version_lists_all() {
	local out
	out=$(printf '{"cniVersion":"1.1.0"}' | CNI_COMMAND=VERSION CNI_NETNS=dummy CNI_IFNAME=dummy CNI_PATH=dummy "$SLICENET")
	assert_eq "$(echo "$out" | jq -c .supportedVersions)" '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
	assert_eq "$(echo "$out" | jq -r .cniVersion)" "1.1.0"
}

add_check_del() { # version
	local v=$1 nsp out ip host
	nsp=$(new_netns "v$v")
	out=$(cni_call ADD "$nsp" "ctr-${v//./}" eth0 "$(conf "$v")") || fail "ADD $v: $out"
	assert_eq "$(echo "$out" | jq -r .cniVersion)" "$v"
	assert_eq "$(echo "$out" | jq -r '.interfaces[1].name')" eth0
	assert_eq "$(echo "$out" | jq -r '.interfaces[1].sandbox')" "$nsp"
	assert_eq "$(echo "$out" | jq -r '.ips[0].interface')" 1
	case $v in
	0.*) assert_eq "$(echo "$out" | jq -r '.ips[0].version')" 4 ;;
	*) assert_eq "$(echo "$out" | jq -r '.ips[0].version')" null ;;
	esac
	case $v in
	1.1.0) assert_eq "$(echo "$out" | jq -r '.interfaces[1].mtu')" 1400 ;;
	*) assert_eq "$(echo "$out" | jq -r '.interfaces[1].mtu')" null ;;
	esac
	ip=$(echo "$out" | jq -r '.ips[0].address')
	host=$(echo "$out" | jq -r '.interfaces[0].name')
	assert_contains "$(ip -n "$(ns "v$v")" -o addr show dev eth0)" "inet $ip"
	assert_contains "$(ip -n "$(ns "v$v")" link show dev eth0)" "mtu 1400"
	assert_contains "$(ip -n "$(ns "v$v")" route show default)" "default via $SUBNET_PREFIX.1"
	ip link show "$host" >/dev/null || fail "host veth $host missing"
	assert_contains "$(ip route show dev "$host")" "${ip%/*}"
	if [ "$v" != 0.3.0 ] && [ "$v" != 0.3.1 ]; then
		cni_call CHECK "$nsp" "ctr-${v//./}" eth0 "$(conf "$v" ",\"prevResult\":$out")" || fail "CHECK $v"
	fi
	cni_call DEL "$nsp" "ctr-${v//./}" eth0 "$(conf "$v" ",\"prevResult\":$out")" || fail "DEL $v"
	! ip link show "$host" >/dev/null 2>&1 || fail "host veth $host left after DEL"
	[ -z "$(ipam_files)" ] || fail "IPAM files left: $(ipam_files)"
	[ -z "$(state_records)" ] || fail "state records left: $(state_records)"
}

test_add_check_del_every_version() {
	local v
	for v in $VERSIONS; do add_check_del "$v"; done
}

test_del_is_idempotent_and_survives_missing_netns() {
	local nsp out host
	nsp=$(new_netns del)
	out=$(cni_call ADD "$nsp" ctr-del eth0 "$(conf 1.0.0)") || fail "ADD: $out"
	host=$(echo "$out" | jq -r '.interfaces[0].name')
	assert_eq "$host" "$(host_ifname ctr-del eth0)" "derived host-side name"
	ip netns del "$(ns del)"
	cni_call DEL "$nsp" ctr-del eth0 "$(conf 1.0.0)" || fail "DEL with vanished netns"
	cni_call DEL "" ctr-del eth0 "$(conf 1.0.0)" || fail "second DEL, empty CNI_NETNS"
	cni_call DEL "" never-added eth0 "$(conf 1.0.0)" || fail "DEL of a never-added container"
	! ip link show "$host" >/dev/null 2>&1 || fail "host veth left"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
}

test_check_fails_after_tampering() {
	local nsp out ip
	nsp=$(new_netns chk)
	out=$(cni_call ADD "$nsp" ctr-chk eth0 "$(conf 1.0.0)") || fail "ADD: $out"
	cni_call CHECK "$nsp" ctr-chk eth0 "$(conf 1.0.0 ",\"prevResult\":$out")" >/dev/null || fail "CHECK after ADD"
	cni_call CHECK "$nsp" ctr-chk eth0 "$(conf 1.0.0)" >/dev/null || fail "CHECK from the record"
	ip=$(echo "$out" | jq -r '.ips[0].address')
	ip -n "$(ns chk)" addr del "$ip" dev eth0
	out2=$(cni_call CHECK "$nsp" ctr-chk eth0 "$(conf 1.0.0 ",\"prevResult\":$out")") && fail "CHECK passed after address removal"
	assert_contains "$out2" "${ip%/*}"
	cni_call DEL "$nsp" ctr-chk eth0 "$(conf 1.0.0)"
	out2=$(cni_call CHECK "$nsp" ctr-chk eth0 "$(conf 1.0.0 ",\"prevResult\":$out")") && fail "CHECK passed after DEL"
	assert_eq "$(echo "$out2" | jq .code)" 3
}

test_pods_reach_each_other_and_the_host() {
	local a b outa outb ipb
	a=$(new_netns pa)
	b=$(new_netns pb)
	outa=$(cni_call ADD "$a" ctr-pa eth0 "$(conf 1.0.0)") || fail "ADD a: $outa"
	outb=$(cni_call ADD "$b" ctr-pb eth0 "$(conf 1.0.0)") || fail "ADD b: $outb"
	ipb=$(echo "$outb" | jq -r '.ips[0].address')
	ip netns exec "$(ns pa)" ping -c1 -W2 "${ipb%/*}" >/dev/null || fail "pod a cannot ping pod b"
	ip netns exec "$(ns pb)" ping -c1 -W2 "$SUBNET_PREFIX.1" >/dev/null || fail "pod b cannot ping its gateway"
	cni_call DEL "$a" ctr-pa eth0 "$(conf 1.0.0)"
	cni_call DEL "$b" ctr-pb eth0 "$(conf 1.0.0)"
}

test_slice_annotation_and_fallback_are_logged() {
	local nsp out
	nsp=$(new_netns ann)
	out=$(cni_call ADD "$nsp" ctr-ann eth0 "$(conf 1.0.0 ',"runtimeConfig":{"io.kubernetes.cri.pod-annotations":{"slicenet.io/slice":"urllc"}}')") || fail "ADD: $out"
	grep -q "slice urllc (from pod annotation" "$LOG" || fail "slice source not logged"
	grep -q "fell back to datapath veth" "$LOG" || fail "fallback not logged"
	cni_call DEL "$nsp" ctr-ann eth0 "$(conf 1.0.0)"
}

test_slice_from_cni_args() {
	local nsp out
	nsp=$(new_netns cargs)
	out=$(cni_call ADD "$nsp" ctr-cargs eth0 "$(conf 1.0.0)" "IgnoreUnknown=1;K8S_POD_NAME=p;SLICENET_SLICE=fronthaul") && fail "fronthaul (sriov only) must fail here"
	assert_contains "$(echo "$out" | jq -r .msg)" "slice fronthaul"
	[ -z "$(ipam_files)" ] || fail "IPAM files left after a failed ADD"
}

# bad_input NAME WANT_CODE WANT_TEXT COMMAND NETNS ID IFNAME CONF
bad_input() {
	local name=$1 code=$2 text=$3 out rc
	shift 3
	out=$(printf '%s' "$5" | env CNI_COMMAND="$1" CNI_NETNS="$2" CNI_CONTAINERID="$3" \
		CNI_IFNAME="$4" CNI_ARGS="" CNI_PATH="$BUILD_DIR/bin:$REF_CNI_DIR" "$SLICENET") && rc=0 || rc=$?
	[ $rc -ne 0 ] || fail "$name: exit 0"
	assert_eq "$(echo "$out" | jq -r .code)" "$code" "$name: code ($out)"
	assert_contains "$(echo "$out" | jq -r .msg)" "$text" "$name: message"
	if [ -n "$3" ] && [ -n "$4" ] && [ ${#4} -lt 16 ]; then
		! link_exists "$(host_ifname "$3" "$4")" || fail "$name: host veth left behind"
	fi
	[ -z "$(ipam_files)" ] || fail "$name: IPAM files left"
}

test_bad_inputs_have_right_codes_and_leave_nothing() {
	local nsp good
	nsp=$(new_netns bad)
	good=$(conf 1.0.0)
	bad_input "malformed JSON" 6 "not valid JSON" ADD "$nsp" c1 eth0 '{"cniVersion":'
	bad_input "missing env" 4 "CNI_CONTAINERID" ADD "$nsp" "" eth0 "$good"
	bad_input "unknown cniVersion" 1 '"9.0.0"' ADD "$nsp" c1 eth0 "$(conf 9.0.0)"
	bad_input "unknown command" 4 '"FROB"' FROB "$nsp" c1 eth0 "$good"
	bad_input "unknown slice" 7 '"gold"' ADD "$nsp" c1 eth0 "$(conf 1.0.0 ',"args":{"cni":{"slice":"gold"}}')"
	bad_input "bad subnet" 7 "10.0.0.0/33" ADD "$nsp" c1 eth0 "$(conf 1.0.0 | sed "s#$SUBNET_PREFIX.0/24#10.0.0.0/33#")"
	bad_input "ifname too long" 4 "longer than 15" ADD "$nsp" c1 eth0123456789abcd "$good"
	bad_input "netns not a netns" 4 "/etc/hostname" ADD /etc/hostname c1 eth0 "$good"
	bad_input "netns missing" 4 "/run/netns/nope-$$" ADD /run/netns/nope-$$ c1 eth0 "$good"
	bad_input "CHECK on 0.3.1" 1 "CHECK needs cniVersion 0.4.0" CHECK "$nsp" c1 eth0 "$(conf 0.3.1)"
	bad_input "GC on 1.0.0" 1 "GC needs cniVersion 1.1.0" GC "" "" "" "$good"
	bad_input "no ipam" 7 '"ipam" section is required' ADD "$nsp" c1 eth0 "$(conf 1.0.0 | jq -c 'del(.ipam)')"
}

test_add_on_existing_ifname_fails_and_keeps_the_first() {
	local nsp out out2
	nsp=$(new_netns dup)
	out=$(cni_call ADD "$nsp" ctr-dup1 eth0 "$(conf 1.0.0)") || fail "ADD: $out"
	out2=$(cni_call ADD "$nsp" ctr-dup2 eth0 "$(conf 1.0.0)") && fail "second ADD of eth0 succeeded"
	assert_eq "$(ipam_files | wc -l)" 1 "the failed ADD released its address"
	cni_call CHECK "$nsp" ctr-dup1 eth0 "$(conf 1.0.0 ",\"prevResult\":$out")" || fail "first attachment damaged"
	cni_call DEL "$nsp" ctr-dup1 eth0 "$(conf 1.0.0)"
}

test_gc_removes_stale_keeps_valid_and_status_ok() {
	local a b outa outb hosta hostb
	a=$(new_netns gca)
	b=$(new_netns gcb)
	outa=$(cni_call ADD "$a" ctr-gca eth0 "$(conf 1.1.0)") || fail "ADD a"
	outb=$(cni_call ADD "$b" ctr-gcb eth0 "$(conf 1.1.0)") || fail "ADD b"
	hosta=$(echo "$outa" | jq -r '.interfaces[0].name')
	hostb=$(echo "$outb" | jq -r '.interfaces[0].name')
	cni_call STATUS "" "" "" "$(conf 1.1.0)" || fail "STATUS not ready"
	cni_call GC "" "" "" "$(conf 1.1.0 ',"cni.dev/valid-attachments":[{"containerID":"ctr-gca","ifname":"eth0"}]')" || fail "GC"
	ip link show "$hosta" >/dev/null || fail "GC removed a valid attachment"
	! ip link show "$hostb" >/dev/null 2>&1 || fail "GC kept a stale veth"
	assert_eq "$(ipam_files | wc -l)" 1
	cni_call CHECK "$a" ctr-gca eth0 "$(conf 1.1.0 ",\"prevResult\":$outa")" || fail "valid attachment broken by GC"
	# The older key name from the 1.1.0 text works too.
	cni_call GC "" "" "" "$(conf 1.1.0 ',"cni.dev/attachments":[]')" || fail "GC (old key)"
	! ip link show "$hosta" >/dev/null 2>&1 || fail "GC with an empty list kept a"
	[ -z "$(ipam_files)" ] || fail "IPAM files left after GC"
}

test_status_reports_exhaustion_and_unusable_store() {
	local small out nsp
	small=$(conf 1.1.0 | jq -c ".ipam.ranges=[[{\"subnet\":\"$SUBNET_PREFIX.0/30\"}]]")
	nsp=$(new_netns st)
	out=$(cni_call ADD "$nsp" ctr-st eth0 "$small") || fail "ADD: $out"
	out=$(cni_call STATUS "" "" "" "$small") && fail "STATUS ok with a full pool"
	assert_eq "$(echo "$out" | jq .code)" 51
	cni_call DEL "$nsp" ctr-st eth0 "$small"
	cni_call STATUS "" "" "" "$small" || fail "STATUS after release"
	out=$(cni_call STATUS "" "" "" "$(conf 1.1.0 | jq -c '.ipam.dataDir="/proc/nope"')") && fail "STATUS ok with unusable store"
	assert_eq "$(echo "$out" | jq .code)" 50
}

test_concurrent_adds_get_unique_addresses() {
	local i pids=()
	for i in $(seq 1 64); do new_netns "c$i" >/dev/null; done
	for i in $(seq 1 64); do
		cni_call ADD "/run/netns/$(ns "c$i")" "ctr-c$i" eth0 "$(conf 1.0.0)" >"$TMP/c$i.out" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a concurrent ADD failed"; done
	assert_eq "$(cat "$TMP"/c*.out | jq -r '.ips[0].address' | sort -u | wc -l)" 64 "unique addresses"
	assert_eq "$(ipam_files | wc -l)" 64
	pids=()
	for i in $(seq 1 64); do
		cni_call DEL "/run/netns/$(ns "c$i")" "ctr-c$i" eth0 "$(conf 1.0.0)" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a concurrent DEL failed"; done
	for i in $(seq 1 64); do
		! link_exists "$(host_ifname "ctr-c$i" eth0)" || fail "host veth of ctr-c$i leaked"
	done
	[ -z "$(ipam_files)" ] || fail "IPAM files leaked"
	[ -z "$(state_records)" ] || fail "state records leaked"
}

test_delegates_to_host_local() {
	local nsp out hl
	hl=$(conf 1.0.0 | jq -c ".ipam={\"type\":\"host-local\",\"subnet\":\"$SUBNET_PREFIX.0/24\",\"dataDir\":\"$TMP/hl\"}")
	nsp=$(new_netns hl)
	out=$(cni_call ADD "$nsp" ctr-hl eth0 "$hl") || fail "ADD via host-local: $out"
	assert_contains "$(echo "$out" | jq -r '.ips[0].address')" "$SUBNET_PREFIX."
	[ -n "$(find "$TMP/hl" -type f -name "$SUBNET_PREFIX.*")" ] || fail "host-local did not record the IP"
	cni_call CHECK "$nsp" ctr-hl eth0 "$(echo "$hl" | jq -c ".prevResult=$out")" || fail "CHECK via host-local"
	cni_call DEL "$nsp" ctr-hl eth0 "$hl" || fail "DEL via host-local"
	[ -z "$(find "$TMP/hl" -type f -name "$SUBNET_PREFIX.*")" ] || fail "host-local IP not released"
}

test_failed_delegated_ipam_leaves_nothing() {
	local nsp out hl
	hl=$(conf 1.0.0 | jq -c ".ipam={\"type\":\"host-local\",\"subnet\":\"not-a-subnet\"}")
	nsp=$(new_netns hlbad)
	out=$(cni_call ADD "$nsp" ctr-hlbad eth0 "$hl") && fail "ADD with a bad host-local config"
	assert_contains "$(echo "$out" | jq -r .msg)" "host-local"
	! link_exists "$(host_ifname ctr-hlbad eth0)" || fail "host veth left behind"
}

# Each way of breaking the config: ADD, CHECK and STATUS answer code 7 naming
# the key; DEL of an attachment made before the break removes everything.
broken_conf() { # kind -> the 1.0.0 conf, broken that way
	case $1 in
	datapath) conf 1.0.0 ',"vhostuser":{"mode":"bogus"}' ;;
	slices) conf 1.0.0 | sed 's/"datapaths":\["veth"\],"mtu":1400/"datapaths":["vhost-user"]/' ;;
	ipam) conf 1.0.0 | sed 's/"ranges":\[\[{"subnet":"[^"]*"}\]\]/"ranges":"bogus"/' ;;
	esac
}

test_broken_config_is_code_7_and_never_blocks_del() {
	local kind nsp out host want
	for kind in datapath slices ipam; do
		nsp=$(new_netns "br$kind")
		out=$(cni_call ADD "$nsp" "ctr-br$kind" eth0 "$(conf 1.0.0)") || fail "ADD: $out"
		host=$(echo "$out" | jq -r '.interfaces[0].name')
		case $kind in
		datapath) want='"mode": "bogus"' ;;
		slices) want='unknown datapath "vhost-user"' ;;
		ipam) want='ranges' ;;
		esac
		for verb in ADD CHECK STATUS; do
			out=$(cni_call $verb "$nsp" "ctr-br$kind-2" eth1 "$(broken_conf $kind)") &&
				fail "$verb passed with a broken $kind config"
			assert_eq "$(echo "$out" | jq .code)" 7 "$verb, broken $kind"
			assert_contains "$(echo "$out" | jq -r .msg)" "$want"
		done
		! ip -n "$(ns "br$kind")" link show eth1 >/dev/null 2>&1 || fail "broken ADD created eth1"
		cni_call DEL "$nsp" "ctr-br$kind" eth0 "$(broken_conf $kind)" ||
			fail "DEL with a broken $kind config failed"
		! link_exists "$host" || fail "host veth left after DEL ($kind)"
		[ -z "$(ipam_files)" ] || fail "IPAM files left ($kind): $(ipam_files)"
		[ -z "$(state_records)" ] || fail "records left ($kind): $(state_records)"
		assert_contains "$(cat "$LOG")" "configuration error, removing from records"
	done
}

test_second_add_of_a_live_attachment_keeps_its_address() {
	local nsp out out2 ip
	nsp=$(new_netns dupl)
	out=$(cni_call ADD "$nsp" ctr-dup eth0 "$(conf 1.0.0)") || fail "ADD: $out"
	ip=$(echo "$out" | jq -r '.ips[0].address')
	out2=$(cni_call ADD "$nsp" ctr-dup eth0 "$(conf 1.0.0)") && fail "second ADD passed"
	assert_contains "$(echo "$out2" | jq -r .msg)" "already attached"
	assert_contains "$(ip -n "$(ns dupl)" -o addr show dev eth0)" "inet $ip"
	[ "$(ipam_files | wc -l)" = 1 ] || fail "the live address was released: $(ipam_files)"
	cni_call CHECK "$nsp" ctr-dup eth0 "$(conf 1.0.0)" || fail "CHECK after the refused ADD"
	cni_call DEL "$nsp" ctr-dup eth0 "$(conf 1.0.0)" || fail "DEL"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
}

test_static_addresses_and_macs_as_runtimes_ask() {
	local nsp nsp2 out
	nsp=$(new_netns stat)
	nsp2=$(new_netns stat2)
	out=$(cni_call ADD "$nsp" ctr-st1 eth0 "$(conf 1.0.0)" "IgnoreUnknown=1;IP=$SUBNET_PREFIX.50;MAC=0A:00:00:00:00:50") ||
		fail "ADD with IP= and MAC=: $out"
	assert_eq "$(echo "$out" | jq -r '.ips[0].address')" "$SUBNET_PREFIX.50/24"
	assert_eq "$(echo "$out" | jq -r '.interfaces[1].mac')" "0a:00:00:00:00:50"
	assert_contains "$(ip -n "$(ns stat)" link show dev eth0)" "link/ether 0a:00:00:00:00:50"
	out=$(cni_call ADD "$nsp2" ctr-st2 eth0 "$(conf 1.0.0 ",\"runtimeConfig\":{\"ips\":[\"$SUBNET_PREFIX.51/24\"],\"mac\":\"0a:00:00:00:00:51\"}")") ||
		fail "ADD with runtimeConfig ips/mac: $out"
	assert_eq "$(echo "$out" | jq -r '.ips[0].address')" "$SUBNET_PREFIX.51/24"
	assert_contains "$(ip -n "$(ns stat2)" link show dev eth0)" "link/ether 0a:00:00:00:00:51"
	# Taken by another attachment, outside every range, a multicast MAC: clear errors, nothing made.
	out=$(cni_call ADD "$nsp" ctr-st3 eth2 "$(conf 1.0.0)" "IP=$SUBNET_PREFIX.50") && fail "a taken address was handed out"
	assert_contains "$(echo "$out" | jq -r .msg)" "$SUBNET_PREFIX.50"
	out=$(cni_call ADD "$nsp" ctr-st3 eth2 "$(conf 1.0.0)" "IP=10.250.0.9") && fail "an address outside the range was handed out"
	assert_eq "$(echo "$out" | jq .code)" 7
	assert_contains "$(echo "$out" | jq -r .msg)" "10.250.0.9"
	out=$(cni_call ADD "$nsp" ctr-st3 eth2 "$(conf 1.0.0)" "MAC=01:00:5e:00:00:01") && fail "a multicast MAC was taken"
	assert_contains "$(echo "$out" | jq -r .msg)" "multicast"
	! ip -n "$(ns stat)" link show eth2 >/dev/null 2>&1 || fail "a refused ADD left eth2"
	[ "$(ipam_files | wc -l)" = 2 ] || fail "refused ADDs reserved addresses: $(ipam_files)"
	cni_call DEL "$nsp" ctr-st1 eth0 "$(conf 1.0.0)" || fail "DEL st1"
	cni_call DEL "$nsp2" ctr-st2 eth0 "$(conf 1.0.0)" || fail "DEL st2"
	[ -z "$(ipam_files)" ] || fail "static addresses not released: $(ipam_files)"
}

# A second network in a pod that already has a default route (Multus
# secondary, podman --network a,b): the first network's route is kept.
test_second_network_keeps_the_first_default_route() {
	local nsp out conf2
	nsp=$(new_netns two)
	conf2=$(conf 1.0.0 | sed "s/\"name\":\"sntest\"/\"name\":\"sntest2\"/; s#$SUBNET_PREFIX.0/24#10.97.3.0/24#")
	out=$(cni_call ADD "$nsp" ctr-two eth0 "$(conf 1.0.0)") || fail "ADD first network: $out"
	out=$(cni_call ADD "$nsp" ctr-two net1 "$conf2") || fail "ADD second network: $out"
	assert_eq "$(echo "$out" | jq -r '.ips[0].address' | cut -d. -f1-3)" "10.97.3"
	assert_eq "$(echo "$out" | jq '[.routes[]? | select(.dst=="0.0.0.0/0")] | length')" 0 \
		"the default route the second network did not add is not reported"
	assert_contains "$(ip -n "$(ns two)" route show default)" "dev eth0"
	assert_contains "$(ip -n "$(ns two)" route show 10.97.3.0/24)" "dev net1"
	assert_contains "$(cat "$LOG")" "already has a route to the default; keeping it"
	ip netns exec "$(ns two)" ping -c1 -W2 "$SUBNET_PREFIX.1" >/dev/null || fail "no ping through eth0"
	ip netns exec "$(ns two)" ping -c1 -W2 10.97.3.1 >/dev/null || fail "no ping through net1"
	cni_call DEL "$nsp" ctr-two net1 "$conf2" || fail "DEL second network"
	ip -n "$(ns two)" link show eth0 >/dev/null || fail "DEL of net1 removed eth0"
	ip netns exec "$(ns two)" ping -c1 -W2 "$SUBNET_PREFIX.1" >/dev/null || fail "eth0 broken by net1's DEL"
	assert_contains "$(ip -n "$(ns two)" route show default)" "dev eth0"
	cni_call CHECK "$nsp" ctr-two eth0 "$(conf 1.0.0)" || fail "first network damaged by the second's DEL"
	cni_call DEL "$nsp" ctr-two eth0 "$(conf 1.0.0)" || fail "DEL first network"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
}

# A delegated IPAM plugin that hangs (and leaves a child holding its stdout)
# or prints megabytes is killed with its process group and reaped: a clear
# error, never a hung CNI call, nothing left behind.
test_hostile_delegates_are_bounded() {
	local nsp out rc dir="$TMP/plugins" token="sndelegate$$"
	mkdir -p "$dir"
	printf '#!/bin/bash\n(exec -a %s-child sleep 300) &\nexec -a %s sleep 300\n' "$token" "$token" >"$dir/hang-ipam"
	printf '#!/bin/sh\nhead -c 8000000 /dev/zero | tr "\\\\0" a\n' >"$dir/loud-ipam"
	chmod +x "$dir/hang-ipam" "$dir/loud-ipam"
	nsp=$(new_netns deleg)
	for type in hang-ipam loud-ipam; do
		out=$(SLICENET="$SLICENET" BUILD_DIR="$BUILD_DIR" REF_CNI_DIR="$dir:$REF_CNI_DIR" \
			timeout 60 bash -c "$(declare -f cni_call); cni_call ADD '$nsp' ctr-$type eth0 '$(conf 1.0.0 | jq -c ".ipam={\"type\":\"$type\"} | .delegateTimeoutMs=500")'") && rc=0 || rc=$?
		[ $rc -ne 124 ] || fail "$type: the CNI call hung"
		[ $rc -ne 0 ] || fail "$type: ADD passed"
		assert_eq "$(echo "$out" | jq .code)" 107 "$type"
		case $type in
		hang-ipam) assert_contains "$(echo "$out" | jq -r .msg)" "no answer within 500 ms; killed it" ;;
		loud-ipam) assert_contains "$(echo "$out" | jq -r .msg)" "printed more than 1048576 bytes" ;;
		esac
		! link_exists "$(host_ifname "ctr-$type" eth0)" || fail "$type: host veth left"
		[ -z "$(state_records)" ] || fail "$type: record left: $(state_records)"
	done
	sleep 0.2
	! pgrep -f "$token" >/dev/null || fail "the hung delegate or its child survived: $(pgrep -af "$token")"
}

# slicenet as a second network after the reference ptp plugin, and the
# other way round: both work, the first default route stays, DEL of either
# leaves the other one reachable.
test_slicenet_after_ptp_in_one_pod() {
	local nsp out ptp
	nsp=$(new_netns ptp)
	ptp="{\"cniVersion\":\"1.0.0\",\"name\":\"ptpnet\",\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.96.7.0/24\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dataDir\":\"$TMP/hl\"}}"
	out=$(PLUGIN=$REF_CNI_DIR/ptp cni_call ADD "$nsp" ctr-ptp eth0 "$ptp") || fail "ptp ADD: $out"
	out=$(cni_call ADD "$nsp" ctr-ptp net1 "$(conf 1.0.0)") || fail "slicenet ADD after ptp: $out"
	assert_contains "$(ip -n "$(ns ptp)" route show default)" "dev eth0"
	ip netns exec "$(ns ptp)" ping -c1 -W2 10.96.7.1 >/dev/null || fail "no ping through ptp's eth0"
	ip netns exec "$(ns ptp)" ping -c1 -W2 "$SUBNET_PREFIX.1" >/dev/null || fail "no ping through net1"
	cni_call DEL "$nsp" ctr-ptp net1 "$(conf 1.0.0)" || fail "slicenet DEL"
	ip netns exec "$(ns ptp)" ping -c1 -W2 10.96.7.1 >/dev/null || fail "ptp broken by slicenet's DEL"
	out=$(cni_call ADD "$nsp" ctr-ptp net1 "$(conf 1.0.0)") || fail "slicenet re-ADD: $out"
	PLUGIN=$REF_CNI_DIR/ptp cni_call DEL "$nsp" ctr-ptp eth0 "$ptp" || fail "ptp DEL"
	ip netns exec "$(ns ptp)" ping -c1 -W2 "$SUBNET_PREFIX.1" >/dev/null || fail "slicenet broken by ptp's DEL"
	cni_call DEL "$nsp" ctr-ptp net1 "$(conf 1.0.0)" || fail "slicenet DEL"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
}

# slicenet as a Multus secondary network: Multus calls the NAD's config as a
# delegate with CNI_IFNAME=net1, the NAD's cni-args as "args.cni", and the
# pod's network-selection annotation as runtimeConfig (mac, ips).
test_multus_secondary_network() {
	local nsp out nad
	nsp=$(new_netns mul)
	out=$(cni_call ADD "$nsp" ctr-mul eth0 "$(conf 1.0.0 | sed 's/"name":"sntest"/"name":"primary"/; s#'"$SUBNET_PREFIX"'.0/24#10.95.1.0/24#')") ||
		fail "primary ADD: $out"
	nad=$(conf 1.0.0 | jq -c '.name = "urllc-net" | .args = {cni: {slice: "urllc"}}
		| .runtimeConfig = {mac: "0a:00:00:00:0c:01", ips: ["'"$SUBNET_PREFIX"'.77/24"]}')
	out=$(cni_call ADD "$nsp" ctr-mul net1 "$nad" \
		"IgnoreUnknown=true;K8S_POD_NAMESPACE=ran;K8S_POD_NAME=du-0;K8S_POD_INFRA_CONTAINER_ID=ctr-mul;K8S_POD_UID=u-1") ||
		fail "Multus delegate ADD: $out"
	assert_eq "$(echo "$out" | jq -r '.interfaces[1].name')" net1
	assert_eq "$(echo "$out" | jq -r '.interfaces[1].mac')" 0a:00:00:00:0c:01
	assert_eq "$(echo "$out" | jq -r '.ips[0].address')" "$SUBNET_PREFIX.77/24"
	assert_contains "$(cat "$LOG")" "slice urllc (from args.cni.slice)"
	assert_contains "$(ip -n "$(ns mul)" route show default)" "dev eth0"
	assert_eq "$(jq -r '.podName + "/" + .podInfraContainerID' "$STATE/urllc-net/ctr-mul:net1.json")" du-0/ctr-mul \
		"K8S_POD_* pass through to the record"
	cni_call DEL "$nsp" ctr-mul net1 "$nad" || fail "Multus delegate DEL"
	ip -n "$(ns mul)" link show eth0 >/dev/null || fail "the primary interface went with net1"
	! ip -n "$(ns mul)" link show net1 >/dev/null 2>&1 || fail "net1 left"
	cni_call DEL "$nsp" ctr-mul eth0 "$(conf 1.0.0 | sed 's/"name":"sntest"/"name":"primary"/; s#'"$SUBNET_PREFIX"'.0/24#10.95.1.0/24#')" ||
		fail "primary DEL"
	[ -z "$(ipam_files)" ] || fail "IPAM files left: $(ipam_files)"
}

# DEL without a record runs only the datapaths the network's classes can use:
# a veth-only network never asks slicenetd (no daemon warning in the log).
test_del_without_record_runs_only_the_networks_datapaths() {
	local only_veth
	only_veth=$(conf 1.0.0 | jq -c '.slices = {embb: {datapaths: ["veth"]}} | .defaultSlice = "embb"')
	: >"$LOG"
	cni_call DEL "" never-added-1 eth0 "$only_veth" || fail "DEL"
	! grep -q "vhostuser\|slicenetd" "$LOG" || fail "a veth-only network's DEL asked slicenetd: $(cat "$LOG")"
	# Control: a network with a vhostuser class does try it (the daemon is down here).
	cni_call DEL "" never-added-2 eth0 "$(conf 1.0.0)" || fail "DEL"
	grep -q "vhostuser: slicenetd is down" "$LOG" || fail "the vhostuser DEL did not run: $(cat "$LOG")"
}

# An IPv4-only network's host end has no IPv6 (no link-local for a pod to
# reach the host by); a dual-stack network's keeps it for the IPv6 gateway.
test_host_end_ipv6_only_when_the_pod_has_ipv6() {
	local nsp out host v6conf
	nsp=$(new_netns v4only)
	out=$(cni_call ADD "$nsp" ctr-v4only eth0 "$(conf 1.0.0)") || fail "ADD: $out"
	host=$(echo "$out" | jq -r '.interfaces[0].name')
	assert_eq "$(cat "/proc/sys/net/ipv6/conf/$host/disable_ipv6")" 1 "IPv4-only host end"
	assert_eq "$(ip -6 -o addr show dev "$host")" "" "no IPv6 address on the host end"
	ip -n "$(ns v4only)" link show eth0 | grep -q "state UP" || fail "pod end not up"
	assert_contains "$(ip netns exec "$(ns v4only)" ping -c1 -W2 "$SUBNET_PREFIX.1")" "1 received"
	cni_call DEL "$nsp" ctr-v4only eth0 "$(conf 1.0.0)" || fail "DEL"
	v6conf=$(conf 1.0.0 | jq -c '.ipam.ranges += [[{"subnet":"fd00:97::/64"}]]')
	nsp=$(new_netns dual)
	out=$(cni_call ADD "$nsp" ctr-dual eth0 "$v6conf") || fail "dual-stack ADD: $out"
	host=$(echo "$out" | jq -r '.interfaces[0].name')
	assert_eq "$(cat "/proc/sys/net/ipv6/conf/$host/disable_ipv6")" 0 "dual-stack host end"
	assert_contains "$(ip -6 -o addr show dev "$host")" "fd00:97::1/"
	assert_contains "$(ip -n "$(ns dual)" -6 -o addr show dev eth0)" "fd00:97::2/64"
	cni_call DEL "$nsp" ctr-dual eth0 "$v6conf" || fail "dual-stack DEL"
	[ -z "$(ipam_files)" ] || fail "IPAM files left: $(ipam_files)"
}

run_tests
