#!/bin/bash
# The vhostuser datapath end to end: slicenet ADD with a urllc slice asks
# slicenetd for ports, dpdk-testpmd attaches to the returned sockets (the pod
# side, virtio-user server=1 since the switch is the client), frames pass
# both ways; restart keeps the ports; DEL removes ports and files, also while
# slicenetd is down (reconciled at its next start).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SLICENET=${SLICENET_BIN:-$BUILD_DIR/bin/slicenet}
SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
TESTPMD=$(command -v dpdk-testpmd || true)


W=$(mktemp -d /tmp/sn-cni.XXXXXX)
CTL=$W/ctl.sock
. "$here/daemon_env.sh"
NS_A=sncni$$-a
NS_B=sncni$$-b

conf() { # pod: Multus passes the CNIDeviceInfoFile capability as runtimeConfig
	cat <<JSON
{"cniVersion":"1.1.0","name":"sncni","type":"slicenet","stateDir":"$W/pstate",
 "runtimeConfig":{"CNIDeviceInfoFile":"$W/devinfo-$1.json"},
 "logFile":"$W/slicenet.log","logLevel":"debug",
 "ipam":{"type":"slicenet-ipam","ranges":[[{"subnet":"10.97.0.0/24","gateway":"10.97.0.1"}]],"dataDir":"$W/ipam"},
 "defaultSlice":"embb",
 "slices":{"embb":{"datapaths":["veth"]},"urllc":{"datapaths":["vhostuser","veth"],"mtu":1500,"switchPriority":0}},
 "vhostuser":{"daemonSocket":"$CTL","socketDir":"$W/ports"}}
JSON
}

# As lib.sh's cni_call, with a deadline: a hung plugin must fail the test, not stall the suite.
cni() { # CMD pod(a|b); pod b asks for its MAC as podman does (CNI_ARGS MAC=)
	local mac=""
	[ "$2" != b ] || mac=";MAC=0a:00:00:00:0b:0b"
	conf "$2" | env CNI_COMMAND="$1" CNI_NETNS="/run/netns/sncni$$-$2" CNI_CONTAINERID="ctr-$2" \
		CNI_IFNAME=net1 CNI_PATH="$BUILD_DIR/bin:$REF_CNI_DIR" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-$2;K8S_POD_UID=uid-$2;SLICENET_SLICE=urllc$mac" \
		timeout 20 "$SLICENET"
}

start_daemon() {
	slicenetd_start 50 "$W/ports" -- --no-huge -m 256 --no-pci --lcores 0@1,1@1 \
		--file-prefix=sn-itest-c
}

cleanup_each() {
	stop_pid_file "$W/gen.pid"
	stop_pid_file "$W/daemon.pid" KILL
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
	rm -rf "$W/state" "$W/ports" "$W/pstate" "$W/ipam"
}

test_add_traffic_restart_del() {
	[ -n "$TESTPMD" ] || fail "dpdk-testpmd missing"
	start_daemon
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	local ra rb mac_a mac_b sock_a sock_b
	ra=$(cni ADD a) || fail "ADD a: $ra"
	rb=$(cni ADD b) || fail "ADD b: $rb"
	echo "$ra" >&2
	sock_a=$(echo "$ra" | jq -r '.interfaces[0].socketPath')
	sock_b=$(echo "$rb" | jq -r '.interfaces[0].socketPath')
	mac_a=$(echo "$ra" | jq -r '.interfaces[0].mac')
	mac_b=$(echo "$rb" | jq -r '.interfaces[0].mac')
	assert_eq "$sock_a" "$W/ports/uid-a/net1.sock" "socketPath"
	assert_eq "$mac_b" 0a:00:00:00:0b:0b "the requested MAC"
	assert_eq "$(jq -r .mac "$W/ports/uid-b/net1.json")" 0a:00:00:00:0b:0b "descriptor MAC"
	assert_eq "$(jq -r '."vhost-user".mode' "$W/ports/uid-a/net1.json")" server "descriptor mode"
	assert_eq "$(jq -r '.ips[0].address' "$W/ports/uid-a/net1.json")" \
		"$(echo "$ra" | jq -r '.ips[0].address')" "descriptor address"
	ctl ports | grep -q "^ctr-a/net1 .*client" || fail "no daemon port: $(ctl ports)"
	# The pod's namespace/name travel with port.add (K8S_POD_NAMESPACE/K8S_POD_NAME).
	ctl ports | grep -q "^ctr-a/net1 .* default/pod-a$" || fail "no pod name on the port: $(ctl ports)"
	# The slice's switchPriority travels with port.add too.
	ctl --json ports | jq -e '.result.ports[] | select(.name == "ctr-a/net1") | .priority == 0' \
		>/dev/null || fail "urllc's switchPriority 0 not on the port: $(ctl --json ports)"
	assert_eq "$(jq -r '.type + " " + ."vhost-user".path' "$W/devinfo-a.json")" \
		"vhost-user /var/run/slicenet/net1.sock" "device-info file"

	mkfifo "$W/gen.in"
	timeout 40 "$TESTPMD" --lcores 0@0,1@0 --no-huge -m 256 --no-pci --file-prefix=sn-itest-cg \
		--vdev "net_virtio_user0,path=$sock_a,server=1,mac=$mac_a" \
		--vdev "net_virtio_user1,path=$sock_b,server=1,mac=$mac_b" \
		-- -i --total-num-mbufs=8192 --forward-mode=mac \
		--eth-peer=0,"$mac_b" --eth-peer=1,"$mac_a" <"$W/gen.in" >"$W/gen.log" 2>&1 &
	echo $! >"$W/gen.pid"
	exec 7>"$W/gen.in"
	for _ in $(seq 100); do ctl ports | grep -q "^ctr-b/net1 .*connected" && break; sleep 0.1; done
	sleep 0.5
	echo "start tx_first 4" >&7
	sleep 1
	local tx
	tx=$(ctl --json stats | jq '.result.ports[] | select(.name == "ctr-b/net1") | .tx')
	[ "${tx:-0}" -gt 10000 ] || fail "no frames a->b: $(ctl stats)"

	# Restart: the ports come back from the state file, the pods reconnect.
	stop_pid_file "$W/daemon.pid" TERM
	start_daemon
	for _ in $(seq 50); do ctl ports | grep -q "^ctr-b/net1 .*connected" && break; sleep 0.1; done
	ctl ports | grep -q "^ctr-a/net1 .*connected" || fail "a did not reconnect: $(ctl ports)"
	echo "stop" >&7
	sleep 0.2
	echo "start tx_first 4" >&7
	sleep 1
	tx=$(ctl --json stats | jq '.result.ports[] | select(.name == "ctr-b/net1") | .tx')
	[ "${tx:-0}" -gt 10000 ] || fail "no frames after restart: $(ctl stats)"
	echo "stop" >&7
	echo "quit" >&7
	exec 7>&-

	cni DEL a || fail "DEL a"
	[ ! -e "$W/ports/uid-a" ] || fail "uid-a directory left: $(ls -la "$W/ports/uid-a")"
	[ ! -e "$W/devinfo-a.json" ] || fail "device-info file left"
	ctl ports | grep -q "^ctr-a/" && fail "port a still in slicenetd"
	cni DEL a || fail "second DEL a"

	# DEL while slicenetd is down succeeds; the next start drops the port.
	stop_pid_file "$W/daemon.pid" KILL
	cni DEL b || fail "DEL b with slicenetd down"
	[ ! -e "$W/ports/uid-b" ] || fail "uid-b directory left"
	start_daemon
	ctl --json ports | jq -e '.result.ports | length == 0' >/dev/null || fail "b not reconciled: $(ctl ports)"
	return 0
}

test_killed_add_then_del_removes_the_port() {
	local p r rc
	start_daemon
	ip netns add "$NS_A"
	for p in vhostuser-after-descriptor vhostuser-after-port add-after-datapath add-after-state; do
		r=$(conf a | env SLICENET_FAULT_POINT=$p CNI_COMMAND=ADD CNI_NETNS="/run/netns/$NS_A" \
			CNI_CONTAINERID=ctr-a CNI_IFNAME=net1 CNI_PATH="$BUILD_DIR/bin:$REF_CNI_DIR" \
			CNI_ARGS="IgnoreUnknown=1;K8S_POD_UID=uid-a;SLICENET_SLICE=urllc" \
			timeout 20 "$SLICENET") && rc=0 || rc=$?
		[ $rc -eq 137 ] || fail "ADD at $p was not killed (rc $rc): $r"
		[ $p = vhostuser-after-descriptor ] || ctl ports | grep -q "^ctr-a/net1 " ||
			fail "$p: no port to clean up: the kill came too early"
		cni DEL a || fail "DEL after a kill at $p"
		ctl ports | grep -q "^ctr-a/" && fail "$p: port left in slicenetd: $(ctl ports)"
		[ ! -e "$W/ports/uid-a" ] || fail "$p: socket directory left"
		[ -z "$(find "$W/ipam" -type f -name '10.*' 2>/dev/null)" ] || fail "$p: IPAM reservation left"
		r=$(cni ADD a) || fail "$p: fresh ADD: $r"
		cni DEL a || fail "$p: DEL"
	done
}

test_killed_adds_then_gc_removes_the_ports() {
	local p r rc
	start_daemon
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	r=$(cni ADD b) || fail "ADD of the pod to keep: $r"
	for p in vhostuser-after-descriptor vhostuser-after-port add-after-datapath; do
		r=$(conf a | env SLICENET_FAULT_POINT=$p CNI_COMMAND=ADD CNI_NETNS="/run/netns/$NS_A" \
			CNI_CONTAINERID="ctr-gc-$p" CNI_IFNAME=net1 CNI_PATH="$BUILD_DIR/bin:$REF_CNI_DIR" \
			CNI_ARGS="IgnoreUnknown=1;K8S_POD_UID=uid-gc-$p;SLICENET_SLICE=urllc" \
			timeout 20 "$SLICENET") && rc=0 || rc=$?
		[ $rc -eq 137 ] || fail "ADD at $p was not killed (rc $rc): $r"
	done
	conf b | jq -c '.cniVersion = "1.1.0" | ."cni.dev/valid-attachments" = [{containerID: "ctr-b", ifname: "net1"}]' |
		env CNI_COMMAND=GC CNI_PATH="$BUILD_DIR/bin:$REF_CNI_DIR" timeout 20 "$SLICENET" || fail "GC"
	ctl ports | grep -q "^ctr-gc-" && fail "GC left ports: $(ctl ports)"
	ctl ports | grep -q "^ctr-b/net1 " || fail "GC removed the valid port"
	[ -z "$(ls -d "$W"/ports/uid-gc-* 2>/dev/null)" ] || fail "GC left socket directories"
	[ -e "$W/ports/uid-b/net1.json" ] || fail "GC removed the valid descriptor"
	assert_eq "$(find "$W/ipam" -type f -name '10.*' | wc -l)" 1 "only the kept pod's address remains"
	cni DEL b || fail "DEL b"
}

test_fallback_to_veth_when_daemon_down() {
	ip netns add "$NS_A"
	local r
	r=$(cni ADD a) || fail "ADD: $r"
	[ "$(echo "$r" | jq -r '.interfaces[0].socketPath // empty')" = "" ] || fail "vhostuser chosen without daemon"
	grep -q 'not listening' "$W/slicenet.log" || fail "fallback reason not logged"
	cni DEL a
}

# Primary mode: every pod gets a veth eth0 on the cluster network (probes,
# Services, DNS); a urllc pod gets its vhost-user port on top as net1,
# addressed from this node's block of the class's data network (pod range
# 10.244.3.0/24 is block 3 of clusterCIDR 10.244.0.0/16, so data block 3 of
# 10.250.0.0/16: 10.250.3.0/24).
pconf() {
	jq -c --arg w "$W" '.mode = "primary" | .clusterCIDR = "10.244.0.0/16"
		| .ipam.ranges = [[{subnet: "10.244.3.0/24"}]]
		| .slices.urllc += {dataSubnet: "10.250.0.0/16", dataBlockPrefix: 24}' <<<"$(conf a)"
}

pcni() { # CMD
	pconf | env CNI_COMMAND="$1" CNI_NETNS="/run/netns/$NS_A" CNI_CONTAINERID=ctr-p \
		CNI_IFNAME=eth0 CNI_PATH="$BUILD_DIR/bin:$REF_CNI_DIR" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_UID=uid-p;SLICENET_SLICE=${2:-urllc}" \
		timeout 20 "$SLICENET"
}

test_primary_mode_veth_plus_vhostuser() {
	local r host
	start_daemon
	ip netns add "$NS_A"
	r=$(pcni ADD) || fail "ADD: $r"
	echo "$r" >&2
	assert_eq "$(echo "$r" | jq -r '[.interfaces[].name] | join(",")' | cut -d, -f2-)" eth0,net1
	assert_eq "$(echo "$r" | jq -r '.interfaces[2].socketPath')" "$W/ports/uid-p/net1.sock"
	assert_eq "$(echo "$r" | jq -r '.ips[] | select(.interface == 1) | .address' | cut -d. -f1-3)" 10.244.3
	assert_eq "$(echo "$r" | jq -r '.ips[] | select(.interface == 2) | .address' | cut -d. -f1-3)" 10.250.3
	host=$(echo "$r" | jq -r '.interfaces[0].name')
	assert_contains "$(ip -n "$NS_A" route show default)" "dev eth0"
	ctl ports | grep -q "^ctr-p/net1 " || fail "no vhost-user port: $(ctl ports)"
	assert_eq "$(jq -r .dataIfname "$W/pstate/sncni/ctr-p:eth0.json")" net1
	assert_eq "$(jq -r .ownerIfname "$W/pstate/sncni/ctr-p:net1.json")" eth0
	pcni CHECK >/dev/null || fail "CHECK"
	# GC keeps both while (ctr-p, eth0) is valid.
	pconf | jq -c '.cniVersion = "1.1.0" | ."cni.dev/valid-attachments" = [{containerID: "ctr-p", ifname: "eth0"}]' |
		env CNI_COMMAND=GC CNI_PATH="$BUILD_DIR/bin" timeout 20 "$SLICENET" || fail "GC"
	ctl ports | grep -q "^ctr-p/net1 " || fail "GC removed the extra interface of a valid attachment"
	pcni DEL || fail "DEL"
	! ctl ports | grep -q "^ctr-p/net1 " || fail "port left after DEL"
	! ip link show "$host" >/dev/null 2>&1 || fail "host veth left"
	[ -z "$(find "$W/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null)" ] ||
		fail "addresses left: $(find "$W/ipam" -type f)"
	[ -z "$(find "$W/pstate" -name '*.json')" ] || fail "records left"
	# A veth-only class in primary mode is one interface, as before.
	r=$(pcni ADD embb) || fail "embb ADD: $r"
	assert_eq "$(echo "$r" | jq '.interfaces | length')" 2
	pcni DEL embb || fail "embb DEL"
}

run_tests
