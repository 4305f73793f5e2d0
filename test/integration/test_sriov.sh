#!/bin/bash
# The sriov datapath driven through the slicenet binary, without SR-IOV
# hardware: a fake sysfs tree (PFs with sriov_numvfs, virtfnN links, driver
# links, net/ entries) whose VF netdevs are real stand-in veth ends, so the
# move/rename/address/route/restore path runs against the real kernel.
here=$(dirname "$0")
. "$here/lib.sh"
. "$here/plugin_env.sh"

SYSFS=$TMP/sysfs
DESC=$TMP/desc
SUBNET_PREFIX=10.97.4
PF_PCI=0000:5e:00.0
DPDK_PF_PCI=0000:5f:00.0

# sconf VERSION [extra sriov members] [extra top-level members]
sconf() {
	cat <<JSON
{"cniVersion":"$1","name":"sntest","type":"slicenet","stateDir":"$STATE",
 "logFile":"$LOG","logLevel":"debug",
 "ipam":{"type":"slicenet-ipam","ranges":[[{"subnet":"$SUBNET_PREFIX.0/24","gateway":"$SUBNET_PREFIX.1"}]],
         "routes":[{"dst":"0.0.0.0/0"}],"dataDir":"$IPAMDIR"},
 "defaultSlice":"embb",
 "sriov":{"pfs":["tsrpf0","tsrpf1"],"sysfsRoot":"$SYSFS","descriptorDir":"$DESC"${2:-}},
 "slices":{"embb":{"datapaths":["veth"]},
           "fronthaul":{"datapaths":["sriov","veth"],"mtu":1450},
           "lls":{"datapaths":["sriov"],"sriov":{"mode":"netdev"}},
           "dpdk":{"datapaths":["sriov"],"sriov":{"mode":"dpdk"}}}${3:-}}
JSON
}

slice_args() { echo "IgnoreUnknown=1;SLICENET_SLICE=$1${2:+;$2}"; }

# fake_pf NAME PCI VF_PREFIX NVFS DRIVER: a stand-in PF and its VFs
# (VF_PREFIX.i) in the fake tree; kernel-driver VFs get a stand-in netdev
# <name>v<i>.
fake_pf() {
	local pf=$1 pci=$2 prefix=$3 n=$4 driver=$5 i vf dev
	dev=$SYSFS/bus/pci/devices/$pci
	mkdir -p "$SYSFS/class/net/$pf" "$SYSFS/bus/pci/drivers/$driver" "$dev/net/$pf"
	ip link add "$pf" type veth peer name "${pf}p"
	ln -s "../../../bus/pci/devices/$pci" "$SYSFS/class/net/$pf/device"
	echo "$n" >"$dev/sriov_numvfs"
	echo 0 >"$dev/numa_node"
	for ((i = 0; i < n; i++)); do
		vf=$prefix.$i
		mkdir -p "$SYSFS/bus/pci/devices/$vf" "$SYSFS/kernel/iommu_groups/$((40 + i))"
		ln -s "../$vf" "$dev/virtfn$i"
		ln -s "../$pci" "$SYSFS/bus/pci/devices/$vf/physfn"
		ln -s "../../drivers/$driver" "$SYSFS/bus/pci/devices/$vf/driver"
		ln -s "../../../kernel/iommu_groups/$((40 + i))" "$SYSFS/bus/pci/devices/$vf/iommu_group"
		echo $((i % 2)) >"$SYSFS/bus/pci/devices/$vf/numa_node"
		if [ "$driver" != vfio-pci ]; then
			mkdir -p "$SYSFS/bus/pci/devices/$vf/net/${pf}v$i"
			ip link add "${pf}v$i" type veth peer name "${pf}v${i}p"
		fi
	done
}

setup_nodes() { # netdev VFs, DPDK VFs
	fake_pf tsrpf0 "$PF_PCI" 0000:5e:01 "${1:-3}" iavf
	fake_pf tsrpf1 "$DPDK_PF_PCI" 0000:5f:01 "${2:-2}" vfio-pci
}

pool_records() { find "$STATE/sriov-pool" -name '*.json' 2>/dev/null || true; }

cleanup_each() {
	local n
	for n in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true); do
		ip netns del "$n"
	done
	for n in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^tsr' || true); do
		ip link del "$n" 2>/dev/null || true
	done
	rm -rf "$SYSFS" "$DESC" "$STATE" "$IPAMDIR"
}

test_netdev_add_check_del() {
	local nsp out mac mtu
	setup_nodes
	mac=$(cat /sys/class/net/tsrpf0v0/address)
	mtu=$(cat /sys/class/net/tsrpf0v0/mtu)
	nsp=$(new_netns nd)
	out=$(cni_call ADD "$nsp" ctr-nd eth0 "$(sconf 1.1.0)" "$(slice_args fronthaul)") || fail "ADD: $out"
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].pciID')" 0000:5e:01.0
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].name')" eth0
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].sandbox')" "$nsp"
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].mac')" "$mac"
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].mtu')" 1450
	assert_eq "$(echo "$out" | jq -r '.ips[0].interface')" 0
	! ip link show tsrpf0v0 >/dev/null 2>&1 || fail "VF netdev still in the host"
	assert_contains "$(ip -n "$(ns nd)" -o addr show dev eth0)" "inet $SUBNET_PREFIX."
	assert_contains "$(ip -n "$(ns nd)" link show dev eth0)" "mtu 1450"
	assert_contains "$(ip -n "$(ns nd)" route show default)" "default via $SUBNET_PREFIX.1"
	[ "$(pool_records | wc -l)" = 1 ] || fail "want one reservation: $(pool_records)"
	cni_call CHECK "$nsp" ctr-nd eth0 "$(sconf 1.1.0 "" ",\"prevResult\":$out")" "$(slice_args fronthaul)" ||
		fail "CHECK"
	ip -n "$(ns nd)" link set eth0 address 02:00:00:00:00:99
	cni_call CHECK "$nsp" ctr-nd eth0 "$(sconf 1.1.0 "" ",\"prevResult\":$out")" "$(slice_args fronthaul)" >/dev/null &&
		fail "CHECK passed with a changed MAC"
	cni_call DEL "$nsp" ctr-nd eth0 "$(sconf 1.1.0)" "$(slice_args fronthaul)" || fail "DEL"
	assert_eq "$(cat /sys/class/net/tsrpf0v0/address)" "$mac" "MAC restored"
	assert_eq "$(cat /sys/class/net/tsrpf0v0/mtu)" "$mtu" "MTU restored"
	! ip -n "$(ns nd)" link show eth0 >/dev/null 2>&1 || fail "eth0 left in the pod"
	[ -z "$(pool_records)" ] || fail "reservation left: $(pool_records)"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
	cni_call DEL "$nsp" ctr-nd eth0 "$(sconf 1.1.0)" "$(slice_args fronthaul)" || fail "second DEL"
}

test_killed_add_then_del_returns_the_vf() {
	local p nsp out mac rc
	setup_nodes
	mac=$(cat /sys/class/net/tsrpf0v0/address)
	for p in sriov-after-reserve sriov-after-move add-after-datapath add-after-state; do
		nsp=$(new_netns "k$p")
		out=$(SLICENET_FAULT_POINT=$p cni_call ADD "$nsp" "ctr-$p" eth0 "$(sconf 1.1.0)" \
			"$(slice_args lls)") && rc=0 || rc=$?
		[ $rc -eq 137 ] || fail "ADD at $p was not killed (rc $rc): $out"
		cni_call DEL "$nsp" "ctr-$p" eth0 "$(sconf 1.1.0)" "$(slice_args lls)" ||
			fail "DEL after a kill at $p"
		ip link show tsrpf0v0 >/dev/null 2>&1 || fail "$p: VF not back in the host as tsrpf0v0"
		assert_eq "$(cat /sys/class/net/tsrpf0v0/address)" "$mac" "$p: MAC restored"
		[ -z "$(pool_records)" ] || fail "$p: reservation left: $(pool_records)"
		[ -z "$(ipam_files)" ] || fail "$p: IPAM files left"
		out=$(cni_call ADD "$nsp" "ctr-$p" eth0 "$(sconf 1.1.0)" "$(slice_args lls)") ||
			fail "$p: fresh ADD: $out"
		cni_call DEL "$nsp" "ctr-$p" eth0 "$(sconf 1.1.0)" "$(slice_args lls)" || fail "$p: DEL"
		[ -z "$(pool_records)" ] || fail "$p: reservation left after the last DEL"
	done
}

test_killed_adds_then_gc_return_the_vfs() {
	local p nsp out keep rc vf vfpci i
	setup_nodes
	keep=$(new_netns gkeep)
	out=$(cni_call ADD "$keep" ctr-gkeep eth0 "$(sconf 1.1.0)" "$(slice_args lls)") || fail "ADD keep: $out"
	for p in sriov-after-move add-after-datapath; do
		nsp=$(new_netns "g$p")
		out=$(SLICENET_FAULT_POINT=$p cni_call ADD "$nsp" "gc-$p" eth0 "$(sconf 1.1.0)" \
			"$(slice_args lls)") && rc=0 || rc=$?
		[ $rc -eq 137 ] || fail "ADD at $p was not killed (rc $rc): $out"
		# The runtime removes the pod's netns and the kernel returns the VF to the
		# host under the pod's name; play the kernel's part, as in the DEL test.
		vf=$(jq -r 'select(.containerID == "gc-'"$p"'") | .vf' "$STATE"/sriov-pool/*.json)
		vfpci=$(jq -r 'select(.containerID == "gc-'"$p"'") | .pciAddress' "$STATE"/sriov-pool/*.json)
		ip -n "$(ns "g$p")" link set eth0 name "tsrgone$vf"
		ip -n "$(ns "g$p")" link set "tsrgone$vf" netns 1
		mv "$SYSFS/bus/pci/devices/$vfpci/net/tsrpf0v$vf" "$SYSFS/bus/pci/devices/$vfpci/net/tsrgone$vf"
		ip netns del "$(ns "g$p")"
	done
	[ "$(pool_records | wc -l)" = 3 ] || fail "want three reservations: $(pool_records)"
	cni_call GC "" "" "" "$(sconf 1.1.0 "" ',"cni.dev/valid-attachments":[{"containerID":"ctr-gkeep","ifname":"eth0"}]')" ||
		fail "GC"
	[ "$(pool_records | wc -l)" = 1 ] || fail "GC left: $(pool_records)"
	assert_eq "$(ipam_files | wc -l)" 1 "only the kept pod's address remains"
	ip -n "$(ns gkeep)" link show eth0 >/dev/null || fail "GC took the valid pod's VF"
	cni_call DEL "$keep" ctr-gkeep eth0 "$(sconf 1.1.0)" "$(slice_args lls)" || fail "DEL keep"
	[ -z "$(pool_records)" ] || fail "reservation left: $(pool_records)"
	for i in 0 1 2; do
		ip link show "tsrpf0v$i" >/dev/null 2>&1 || fail "VF $i not back in the host under its name"
	done
}

test_dpdk_add_check_del() {
	local nsp out devinfo=$TMP/devinfo/ctr-dp.json desc
	setup_nodes
	nsp=$(new_netns dp)
	out=$(cni_call ADD "$nsp" ctr-dp net1 \
		"$(sconf 1.1.0 "" ",\"runtimeConfig\":{\"CNIDeviceInfoFile\":\"$devinfo\"}")" \
		"$(slice_args dpdk)") || fail "ADD: $out"
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].pciID')" 0000:5f:01.0
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].sandbox')" "$nsp"
	desc=$DESC/ctr-dp-net1.json
	assert_eq "$(jq -r .pciAddress "$desc")" 0000:5f:01.0
	assert_eq "$(jq -r .driver "$desc")" vfio-pci
	assert_eq "$(jq -r .vfioDevice "$desc")" /dev/vfio/40
	assert_eq "$(jq -r '.ips[0]' "$desc")" "$(echo "$out" | jq -r '.ips[0].address')"
	assert_eq "$(jq -c . "$devinfo")" \
		'{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:5f:01.0","pf-pci-address":"0000:5f:00.0"}}'
	cni_call CHECK "$nsp" ctr-dp net1 "$(sconf 1.1.0 "" ",\"prevResult\":$out")" "$(slice_args dpdk)" ||
		fail "CHECK"
	cni_call DEL "$nsp" ctr-dp net1 \
		"$(sconf 1.1.0 "" ",\"runtimeConfig\":{\"CNIDeviceInfoFile\":\"$devinfo\"}")" \
		"$(slice_args dpdk)" || fail "DEL"
	[ ! -e "$desc" ] || fail "descriptor left"
	[ ! -e "$devinfo" ] || fail "device-info file left"
	[ -z "$(pool_records)" ] || fail "reservation left"
}

test_device_id_is_used_as_is() {
	local nsp out
	setup_nodes
	nsp=$(new_netns did)
	out=$(cni_call ADD "$nsp" ctr-did eth0 "$(sconf 1.0.0)" "$(slice_args lls deviceID=0000:5e:01.2)") ||
		fail "ADD: $out"
	ip link show tsrpf0v0 >/dev/null || fail "VF 0 taken instead of the deviceID"
	! ip link show tsrpf0v2 >/dev/null 2>&1 || fail "VF 2 still in the host"
	out=$(cni_call ADD "$(new_netns did2)" ctr-did2 eth0 "$(sconf 1.0.0)" \
		"$(slice_args lls deviceID=0000:5e:01.2)") && fail "second ADD got a VF in use"
	assert_contains "$(echo "$out" | jq -r .msg)" "0000:5e:01.2"
	cni_call DEL "$nsp" ctr-did eth0 "$(sconf 1.0.0)" "$(slice_args lls)" || fail "DEL"
	ip link show tsrpf0v2 >/dev/null || fail "VF 2 not back"
}

test_exhaustion_falls_back_to_veth() {
	local a b c out
	setup_nodes 2 0
	a=$(new_netns xa)
	b=$(new_netns xb)
	c=$(new_netns xc)
	cni_call ADD "$a" ctr-xa eth0 "$(sconf 1.0.0)" "$(slice_args lls)" >/dev/null || fail "ADD a"
	cni_call ADD "$b" ctr-xb eth0 "$(sconf 1.0.0)" "$(slice_args lls)" >/dev/null || fail "ADD b"
	out=$(cni_call ADD "$c" ctr-xc eth0 "$(sconf 1.0.0)" "$(slice_args lls)") && fail "sriov-only class got a third VF"
	assert_contains "$(echo "$out" | jq -r .msg)" "no free VF"
	[ -z "$(echo "$out" | jq -r .msg | grep -o 'ctr-x')" ] || true
	out=$(cni_call ADD "$c" ctr-xc eth0 "$(sconf 1.0.0)" "$(slice_args fronthaul)") || fail "fallback ADD: $out"
	assert_contains "$(echo "$out" | jq -r '.interfaces[0].name')" sn
	grep -q "fell back to datapath veth" "$LOG" || fail "fallback not logged"
	for x in a b c; do
		cni_call DEL "$(eval echo \$$x)" "ctr-x$x" eth0 "$(sconf 1.0.0)" || fail "DEL $x"
	done
	[ -z "$(pool_records)" ] || fail "reservations left"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
}

test_concurrent_adds_never_share_a_vf() {
	local i pids=() ok
	setup_nodes 3 0
	for i in 1 2 3 4 5 6; do
		new_netns "cc$i" >/dev/null
		cni_call ADD "/run/netns/$(ns "cc$i")" "ctr-cc$i" eth0 "$(sconf 1.1.0)" "$(slice_args lls)" \
			>"$TMP/cc$i.out" 2>&1 &
		pids+=($!)
	done
	ok=0
	for i in "${!pids[@]}"; do wait "${pids[$i]}" && ok=$((ok + 1)); done
	assert_eq "$ok" 3 "successful ADDs with 3 VFs"
	assert_eq "$(cat "$TMP"/cc*.out | jq -r '.interfaces[0].pciID // empty' | sort | uniq -d)" "" "a VF handed out twice"
	assert_eq "$(cat "$TMP"/cc*.out | jq -r '.interfaces[0].pciID // empty' | sort -u | wc -l)" 3
	assert_eq "$(pool_records | wc -l)" 3
	for i in 1 2 3 4 5 6; do
		cni_call DEL "/run/netns/$(ns "cc$i")" "ctr-cc$i" eth0 "$(sconf 1.1.0)" || fail "DEL $i"
	done
	[ -z "$(pool_records)" ] || fail "reservations left"
}

# A physical VF outlives its netns: the kernel hands it back to the host under
# its pod name. A veth stand-in dies with the netns instead, so the test plays
# the kernel's part: it recreates the netdev under the pod name and updates sysfs.
test_del_after_netns_is_gone() {
	local nsp out
	setup_nodes
	nsp=$(new_netns gone)
	out=$(cni_call ADD "$nsp" ctr-gone tsrpod0 "$(sconf 1.0.0)" "$(slice_args lls)") || fail "ADD: $out"
	ip netns del "$(ns gone)"
	ip link add tsrpod0 type veth peer name tsrpod0p
	mv "$SYSFS/bus/pci/devices/0000:5e:01.0/net/tsrpf0v0" "$SYSFS/bus/pci/devices/0000:5e:01.0/net/tsrpod0"
	cni_call DEL "$nsp" ctr-gone tsrpod0 "$(sconf 1.0.0)" || fail "DEL with the netns gone"
	ip link show tsrpf0v0 >/dev/null || fail "VF not renamed back to tsrpf0v0"
	[ -z "$(pool_records)" ] || fail "reservation left"
	# And when the VF is simply gone: DEL still succeeds and frees the VF.
	nsp=$(new_netns gone2)
	out=$(cni_call ADD "$nsp" ctr-gone2 eth0 "$(sconf 1.0.0)" "$(slice_args lls)") || fail "ADD 2: $out"
	ip netns del "$(ns gone2)"
	cni_call DEL "$nsp" ctr-gone2 eth0 "$(sconf 1.0.0)" || fail "DEL with netns and VF gone"
	cni_call DEL "" ctr-gone2 eth0 "$(sconf 1.0.0)" || fail "DEL again, no CNI_NETNS"
	[ -z "$(pool_records)" ] || fail "reservation left"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
}

# A stand-in PF refuses VF settings, as a PF whose driver lacks them would:
# ADD fails naming the PF, and nothing stays half-configured.
test_vf_settings_refused_roll_back() {
	local nsp out
	setup_nodes
	nsp=$(new_netns rb)
	out=$(cni_call ADD "$nsp" ctr-rb eth0 "$(sconf 1.0.0 ',"vlan":100,"spoofchk":false')" "$(slice_args lls)") &&
		fail "ADD passed though the PF refuses VF settings"
	assert_contains "$(echo "$out" | jq -r .msg)" "tsrpf0"
	ip link show tsrpf0v0 >/dev/null || fail "VF not at home after the failed ADD"
	[ -z "$(pool_records)" ] || fail "reservation left"
	[ -z "$(ipam_files)" ] || fail "IPAM files left"
	[ -z "$(ip -n "$(ns rb)" -o link show | grep -v ' lo:')" ] || fail "something left in the pod"
}

test_vf_in_another_netns_is_not_taken() {
	local nsp other out
	setup_nodes
	other=$(new_netns other)
	ip link set tsrpf0v0 netns "$(ns other)"
	nsp=$(new_netns skip)
	out=$(cni_call ADD "$nsp" ctr-skip eth0 "$(sconf 1.0.0)" "$(slice_args lls deviceID=0000:5e:01.0)") &&
		fail "took a VF that sits in another netns"
	assert_contains "$(echo "$out" | jq -r .msg)" "another netns"
	out=$(cni_call ADD "$nsp" ctr-skip eth0 "$(sconf 1.0.0)" "$(slice_args lls)") || fail "ADD: $out"
	assert_eq "$(echo "$out" | jq -r '.interfaces[0].pciID')" null "pciID only in 1.1.0"
	ip link show tsrpf0v1 >/dev/null 2>&1 && fail "VF 1 should be in the pod"
	cni_call DEL "$nsp" ctr-skip eth0 "$(sconf 1.0.0)" || fail "DEL"
}

test_no_pf_is_unavailable_and_bad_config_named() {
	local nsp out
	nsp=$(new_netns nopf)
	out=$(cni_call ADD "$nsp" ctr-nopf eth0 "$(sconf 1.0.0)" "$(slice_args fronthaul)") || fail "ADD: $out"
	grep -q "datapath sriov unavailable: .*tsrpf0 does not exist" "$LOG" || fail "reason not logged"
	cni_call DEL "$nsp" ctr-nopf eth0 "$(sconf 1.0.0)" || fail "DEL"
	out=$(cni_call ADD "$nsp" ctr-nopf eth0 "$(sconf 1.0.0 ',"linkState":"sometimes"')" "$(slice_args lls)") &&
		fail "bad linkState accepted"
	assert_contains "$(echo "$out" | jq -r .msg)" sometimes
}

# A pod that renames its VF and makes a device under the VF's name: DEL moves
# back only the recorded VF, never the pod's own device into the host.
test_del_moves_back_only_the_recorded_vf() {
	local nsp out
	setup_nodes
	nsp=$(new_netns swap)
	out=$(cni_call ADD "$nsp" ctr-swap eth0 "$(sconf 1.1.0)" "$(slice_args fronthaul)") || fail "ADD: $out"
	ip -n "$(ns swap)" link set eth0 down
	ip -n "$(ns swap)" link set eth0 name vfhidden
	ip -n "$(ns swap)" link add eth0 type veth peer name podpeer
	cni_call DEL "$nsp" ctr-swap eth0 "$(sconf 1.1.0)" "$(slice_args fronthaul)" || fail "DEL"
	ip -n "$(ns swap)" link show eth0 >/dev/null || fail "the pod's own eth0 was moved out"
	! ip link show tsrpf0v0 2>/dev/null | grep -q veth || fail "a pod-made veth reached the host"
	! ip -o link show | grep -q podpeer || fail "the pod's veth peer is in the host"
	assert_contains "$(cat "$LOG")" "is not VF 0000:5e:01.0"
	[ -z "$(pool_records)" ] || fail "reservation left: $(pool_records)"
	# The VF comes home when the pod's netns goes, as a physical device would.
	ip -n "$(ns swap)" link set vfhidden netns 1
	ip link set vfhidden name tsrpf0v0
}

run_tests
