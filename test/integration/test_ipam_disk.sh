#!/bin/bash
# The IPAM store on a full disk: a small tmpfs as dataDir. ADD must fail with
# a clear error naming the store, leave nothing half-written, never hand out
# an address twice, and work again once there is room.
here=$(dirname "$0")
. "$here/lib.sh"
SUBNET_PREFIX=10.94.0
. "$here/plugin_env.sh"

MNT=$TMP/small
mkdir -p "$MNT"
mount -t tmpfs -o size=64k,nr_inodes=64 slicenet-test "$MNT" || exit 1
trap 'umount "$MNT" 2>/dev/null; cleanup_all' EXIT
IPAMDIR=$MNT

fill() { # use up the data blocks of the tmpfs
	dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
}

test_full_disk_gives_a_clear_error_and_no_duplicate() {
	local a b out ip_a ip_b
	a=$(new_netns fa)
	b=$(new_netns fb)
	out=$(cni_call ADD "$a" ctr-fa eth0 "$(conf 1.0.0)") || fail "ADD before the disk filled: $out"
	ip_a=$(echo "$out" | jq -r '.ips[0].address')
	fill
	out=$(cni_call ADD "$b" ctr-fb eth0 "$(conf 1.0.0)") && fail "ADD on a full disk succeeded: $out"
	assert_contains "$(echo "$out" | jq -r .msg)" "No space left on device"
	assert_contains "$(echo "$out" | jq -r .msg)" "$MNT"
	! link_exists "$(host_ifname ctr-fb eth0)" || fail "host veth left after the failed ADD"
	local temps
	temps=$(find "$MNT" -name '.tmp-*' -o -name '.*.tmp')
	[ -z "$temps" ] || fail "temp file left: $temps"
	assert_eq "$(ipam_files | grep -v filler | wc -l)" 1 "only the first pod's reservation"
	rm -f "$MNT/filler"
	out=$(cni_call ADD "$b" ctr-fb eth0 "$(conf 1.0.0)") || fail "ADD once there is room: $out"
	ip_b=$(echo "$out" | jq -r '.ips[0].address')
	[ "$ip_a" != "$ip_b" ] || fail "address $ip_a handed out twice"
	cni_call DEL "$a" ctr-fa eth0 "$(conf 1.0.0)" || fail "DEL a"
	cni_call DEL "$b" ctr-fb eth0 "$(conf 1.0.0)" || fail "DEL b"
	[ -z "$(ipam_files | grep -v filler)" ] || fail "reservations left"
}

test_del_works_on_a_full_disk() {
	local a out
	a=$(new_netns da)
	out=$(cni_call ADD "$a" ctr-da eth0 "$(conf 1.0.0)") || fail "ADD: $out"
	fill
	cni_call DEL "$a" ctr-da eth0 "$(conf 1.0.0)" || fail "DEL on a full disk"
	[ -z "$(ipam_files | grep -v filler)" ] || fail "reservation left after DEL"
	rm -f "$MNT/filler"
}

run_tests
