#!/bin/bash
# slicenet-ipam driven as a runtime drives a CNI IPAM plugin (env + stdin),
# and its store shared with Debian's host-local on one dataDir.
here=$(dirname "$0")
. "$here/lib.sh"

PLUGIN=$SLICENET_IPAM
HOST_LOCAL=$REF_CNI_DIR/host-local
BASE=$(mktemp -d /tmp/slicenet-ipam-it.XXXXXX)
trap 'rm -rf "$BASE"' EXIT

# conf VERSION DATADIR [IPAM_EXTRA_JSON]: one network "ipamnet" with a /29.
conf() {
	local extra=${3:-'"subnet":"10.77.0.0/29"'}
	printf '{"cniVersion":"%s","name":"ipamnet","type":"x","ipam":{"type":"slicenet-ipam","dataDir":"%s",%s}}' \
		"$1" "$2" "$extra"
}

# code OUT: the error code of a CNI error on stdout.
code() { echo "$1" | jq -r .code; }

test_version() {
	local out
	out=$(printf '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION "$PLUGIN") || fail "VERSION: $out"
	assert_eq "$(echo "$out" | jq -c .supportedVersions)" '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'
	assert_eq "$(echo "$out" | jq -r .cniVersion)" 1.0.0
}

test_add_prints_result_and_writes_host_local_record() {
	local d out
	d=$(mktemp -d "$BASE/t.XXXXXX")
	out=$(cni_call ADD /x c1 eth0 "$(conf 1.0.0 "$d")") || fail "ADD: $out"
	assert_eq "$(echo "$out" | jq -r .cniVersion)" 1.0.0
	assert_eq "$(echo "$out" | jq -c .ips)" '[{"address":"10.77.0.2/29","gateway":"10.77.0.1"}]'
	assert_eq "$(echo "$out" | jq -r '.interfaces // "none"')" none
	assert_eq "$(od -An -c "$d/ipamnet/10.77.0.2" | tr -s ' ')" " c 1 \r \n e t h 0"
	assert_eq "$(cat "$d/ipamnet/last_reserved_ip.0")" 10.77.0.2
	out=$(cni_call ADD /x c1 eth0 "$(conf 1.0.0 "$d")") || fail "re-ADD: $out"
	assert_eq "$(echo "$out" | jq -r '.ips[0].address')" 10.77.0.2/29
}

test_add_old_version_has_ip_version() {
	local d out
	d=$(mktemp -d "$BASE/t.XXXXXX")
	out=$(cni_call ADD /x c1 eth0 "$(conf 0.4.0 "$d" \
		'"ranges":[[{"subnet":"10.78.0.0/24"}],[{"subnet":"fd00:78::/64"}]],"routes":[{"dst":"0.0.0.0/0"}]')") ||
		fail "ADD: $out"
	assert_eq "$(echo "$out" | jq -r '.ips[0].version')" 4
	assert_eq "$(echo "$out" | jq -r '.ips[1].address')" fd00:78::2/64
	assert_eq "$(echo "$out" | jq -r '.routes[0].dst')" 0.0.0.0/0
}

test_del_releases_and_is_idempotent() {
	local d out
	d=$(mktemp -d "$BASE/t.XXXXXX")
	out=$(cni_call ADD /x c1 eth0 "$(conf 1.0.0 "$d")") || fail "ADD: $out"
	out=$(cni_call DEL "" c1 eth0 "$(conf 1.0.0 "$d")") || fail "DEL: $out"
	assert_eq "$out" ""
	[ ! -e "$d/ipamnet/10.77.0.2" ] || fail "record left after DEL"
	out=$(cni_call DEL "" c1 eth0 "$(conf 1.0.0 "$d")") || fail "second DEL: $out"
	out=$(cni_call DEL "" never-added eth0 "$(conf 1.0.0 "$d")") || fail "DEL of nothing: $out"
}

test_check_against_prev_result() {
	local d out c rc=0
	d=$(mktemp -d "$BASE/t.XXXXXX")
	c=$(conf 1.0.0 "$d")
	out=$(cni_call ADD /x c1 eth0 "$c") || fail "ADD: $out"
	cni_call CHECK /x c1 eth0 "$(echo "$c" | jq -c --argjson p "$out" '. + {prevResult: $p}')" ||
		fail "CHECK after ADD failed"
	out=$(cni_call CHECK /x c1 eth1 "$(echo "$c" | jq -c --argjson p "$out" '. + {prevResult: $p}')") || rc=$?
	assert_eq "$rc" 1
	assert_eq "$(code "$out")" 105
	assert_contains "$(echo "$out" | jq -r .msg)" "c1/eth1 holds no address"
}

test_gc_keeps_valid_attachments() {
	local d c out
	d=$(mktemp -d "$BASE/t.XXXXXX")
	c=$(conf 1.1.0 "$d")
	cni_call ADD /x c1 eth0 "$c" >/dev/null || fail "ADD c1"
	cni_call ADD /x c2 eth0 "$c" >/dev/null || fail "ADD c2"
	out=$(cni_call GC "" "" "" "$(echo "$c" |
		jq -c '. + {"cni.dev/valid-attachments":[{"containerID":"c2","ifname":"eth0"}]}')") ||
		fail "GC: $out"
	[ ! -e "$d/ipamnet/10.77.0.2" ] || fail "c1 not collected"
	[ -e "$d/ipamnet/10.77.0.3" ] || fail "c2 collected"
	# The 1.1.0 spec text's older key name works too.
	out=$(cni_call GC "" "" "" "$(echo "$c" | jq -c '. + {"cni.dev/attachments":[]}')") ||
		fail "GC: $out"
	[ ! -e "$d/ipamnet/10.77.0.3" ] || fail "c2 not collected"
}

test_status_ok_full_and_unusable() {
	local d c out rc=0 i
	d=$(mktemp -d "$BASE/t.XXXXXX")
	c=$(conf 1.1.0 "$d")
	cni_call STATUS "" "" "" "$c" || fail "STATUS on an empty store"
	for i in 1 2 3 4 5; do cni_call ADD /x "c$i" eth0 "$c" >/dev/null || fail "ADD c$i"; done
	out=$(cni_call STATUS "" "" "" "$c") || rc=$?
	assert_eq "$rc" 1
	assert_eq "$(code "$out")" 51
	out=$(cni_call ADD /x c6 eth0 "$c") && fail "ADD into a full range succeeded"
	assert_eq "$(code "$out")" 103
	assert_eq "$(echo "$out" | jq -r .msg)" "ipam: no free address in range 10.77.0.1-10.77.0.6"
	touch "$d/file"
	rc=0
	out=$(cni_call STATUS "" "" "" "$(conf 1.1.0 "$d/file/sub")") || rc=$?
	assert_eq "$rc" 1
	assert_eq "$(code "$out")" 50
	# STATUS is new in 1.1.0.
	out=$(cni_call STATUS "" "" "" "$(conf 1.0.0 "$d")") && fail "STATUS with 1.0.0"
	assert_eq "$(code "$out")" 1
}

test_bad_config_is_code_7_naming_the_value() {
	local d out
	d=$(mktemp -d "$BASE/t.XXXXXX")
	out=$(cni_call ADD /x c1 eth0 "$(conf 1.0.0 "$d" '"subnet":"10.0.0.0/33"')") &&
		fail "bad subnet accepted"
	assert_eq "$(code "$out")" 7
	assert_eq "$(echo "$out" | jq -r .msg)" "ipam: range 10.0.0.0/33: prefix /33 too long"
	assert_eq "$(echo "$out" | jq -r .cniVersion)" 1.0.0
	out=$(printf '{"cniVersion":' | CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/x \
		CNI_IFNAME=eth0 CNI_PATH=/x "$PLUGIN") && fail "truncated JSON accepted"
	assert_eq "$(code "$out")" 6
}

test_host_local_shares_the_store() {
	local d c out a b e
	d=$(mktemp -d "$BASE/t.XXXXXX")
	c=$(conf 1.0.0 "$d")
	a=$(cni_call ADD /x c1 eth0 "$c" | jq -r '.ips[0].address') || fail "slicenet-ipam ADD"
	b=$(PLUGIN=$HOST_LOCAL cni_call ADD /x c2 eth0 "$c" | jq -r '.ips[0].address') ||
		fail "host-local ADD"
	e=$(cni_call ADD /x c3 eth0 "$c" | jq -r '.ips[0].address') || fail "slicenet-ipam ADD"
	assert_eq "$a" 10.77.0.2/29
	assert_eq "$b" 10.77.0.3/29 "host-local continues after our last_reserved_ip"
	assert_eq "$e" 10.77.0.4/29
	# Each plugin releases what the other wrote.
	PLUGIN=$HOST_LOCAL cni_call DEL /x c1 eth0 "$c" || fail "host-local DEL"
	[ ! -e "$d/ipamnet/10.77.0.2" ] || fail "host-local did not release our record"
	cni_call DEL /x c2 eth0 "$c" || fail "slicenet-ipam DEL"
	[ ! -e "$d/ipamnet/10.77.0.3" ] || fail "we did not release host-local's record"
}

test_concurrent_with_host_local_no_duplicates() {
	local d c i n
	d=$(mktemp -d "$BASE/t.XXXXXX")
	c=$(conf 1.0.0 "$d" '"subnet":"10.79.0.0/24"')
	for i in $(seq 1 20); do
		cni_call ADD /x "s$i" eth0 "$c" >"$d/s$i.out" &
		PLUGIN=$HOST_LOCAL cni_call ADD /x "h$i" eth0 "$c" >"$d/h$i.out" &
	done
	wait
	n=$(cat "$d"/*.out | jq -r '.ips[0].address' | sort -u | grep -c '^10\.79\.')
	assert_eq "$n" 40 "unique addresses"
	assert_eq "$(ls "$d/ipamnet" | grep -c '^10\.79\.')" 40
}

# Static addresses (issue 14), each step run through slicenet-ipam and the
# reference host-local with the same input, each on its own dataDir.
STATIC_RANGES='"ranges":[[{"subnet":"10.80.0.0/24","rangeStart":"10.80.0.10","rangeEnd":"10.80.0.20"}],[{"subnet":"fd00:80::/120"}]]'

# both CMD ID EXTRA_JQ CNI_ARGS: sets OUT_S/RC_S (slicenet-ipam) and OUT_H/RC_H (host-local).
both() {
	local cs ch
	cs=$(conf 1.0.0 "$DS" "$STATIC_RANGES" | jq -c "$3")
	ch=$(conf 1.0.0 "$DH" "$STATIC_RANGES" | jq -c "$3")
	RC_S=0
	RC_H=0
	OUT_S=$(cni_call "$1" /x "$2" eth0 "$cs" "$4") || RC_S=$?
	OUT_H=$(PLUGIN=$HOST_LOCAL cni_call "$1" /x "$2" eth0 "$ch" "$4") || RC_H=$?
}

# store_state DIR: every file of the network's store with its contents.
store_state() {
	local f
	for f in "$1"/ipamnet/*; do
		if [ -f "$f" ] && [ "$(basename "$f")" != lock ]; then
			printf '%s=%s\n' "$(basename "$f")" "$(cat "$f")"
		fi
	done
}

test_static_addresses_match_host_local() {
	DS=$(mktemp -d "$BASE/s.XXXXXX")
	DH=$(mktemp -d "$BASE/h.XXXXXX")
	# CNI_ARGS IP= (podman --ip): IPv4 requested, IPv6 round robin.
	both ADD c1 . "IgnoreUnknown=1;K8S_POD_NAME=p1;IP=10.80.0.15"
	assert_eq "$RC_S/$RC_H" 0/0 "IP= ADD: $OUT_S / $OUT_H"
	assert_eq "$(echo "$OUT_S" | jq -c .ips)" \
		'[{"address":"10.80.0.15/24","gateway":"10.80.0.1"},{"address":"fd00:80::2/120","gateway":"fd00:80::1"}]'
	assert_eq "$(echo "$OUT_S" | jq -c .ips)" "$(echo "$OUT_H" | jq -c .ips)" "same as host-local"
	# runtimeConfig.ips (the ips capability), both forms, both families.
	both ADD c2 '. + {runtimeConfig: {ips: ["10.80.0.12/24", "fd00:80::40"]}}' ""
	assert_eq "$RC_S/$RC_H" 0/0 "runtimeConfig.ips ADD: $OUT_S / $OUT_H"
	assert_eq "$(echo "$OUT_S" | jq -r '[.ips[].address] | join(" ")')" "10.80.0.12/24 fd00:80::40/120"
	assert_eq "$(echo "$OUT_S" | jq -c .ips)" "$(echo "$OUT_H" | jq -c .ips)" "same as host-local"
	# args.cni.ips (Multus cni-args).
	both ADD c3 '. + {args: {cni: {ips: ["10.80.0.18"]}}}' ""
	assert_eq "$RC_S/$RC_H" 0/0 "args.cni.ips ADD: $OUT_S / $OUT_H"
	assert_eq "$(echo "$OUT_S" | jq -r '.ips[0].address')" 10.80.0.18/24
	assert_eq "$(echo "$OUT_S" | jq -c .ips)" "$(echo "$OUT_H" | jq -c .ips)" "same as host-local"
	# The next dynamic address follows the last requested one, as in host-local.
	both ADD c4 . ""
	assert_eq "$(echo "$OUT_S" | jq -r '.ips[0].address')" 10.80.0.19/24
	assert_eq "$(echo "$OUT_S" | jq -c .ips)" "$(echo "$OUT_H" | jq -c .ips)" "same as host-local"
	# The two stores hold the same records.
	assert_eq "$(store_state "$DS")" "$(store_state "$DH")" "store files"
	assert_eq "$(od -An -c "$DS/ipamnet/10.80.0.15" | tr -s ' ')" " c 1 \r \n e t h 0"
	# A re-ADD of the same attachment gets its address again (host-local refuses).
	OUT_S=$(cni_call ADD /x c1 eth0 "$(conf 1.0.0 "$DS" "$STATIC_RANGES")" "IP=10.80.0.15") ||
		fail "re-ADD: $OUT_S"
	assert_eq "$(echo "$OUT_S" | jq -r '.ips[0].address')" 10.80.0.15/24
	# DEL releases a requested address like any other.
	both DEL c1 . "IP=10.80.0.15"
	assert_eq "$RC_S/$RC_H" 0/0 "DEL: $OUT_S / $OUT_H"
	[ ! -e "$DS/ipamnet/10.80.0.15" ] || fail "slicenet-ipam kept 10.80.0.15 after DEL"
	[ ! -e "$DH/ipamnet/10.80.0.15" ] || fail "host-local kept 10.80.0.15 after DEL"
	both ADD c5 . "IP=10.80.0.15"
	assert_eq "$RC_S/$RC_H" 0/0 "ADD of the released address: $OUT_S / $OUT_H"
	assert_eq "$(echo "$OUT_S" | jq -c .ips)" "$(echo "$OUT_H" | jq -c .ips)" "same as host-local"
}

test_static_address_that_cannot_be_honoured_names_it_and_changes_nothing() {
	local before_s before_h
	DS=$(mktemp -d "$BASE/s.XXXXXX")
	DH=$(mktemp -d "$BASE/h.XXXXXX")
	both ADD c1 . "IP=10.80.0.15"
	assert_eq "$RC_S/$RC_H" 0/0 "ADD: $OUT_S / $OUT_H"
	before_s=$(store_state "$DS")
	before_h=$(store_state "$DH")
	# Taken by another attachment: both refuse; ours says which address, code 11.
	both ADD c2 . "IP=10.80.0.15"
	assert_eq "$RC_S/$RC_H" 1/1 "taken address: $OUT_S / $OUT_H"
	assert_eq "$(code "$OUT_S")" 11
	assert_eq "$(echo "$OUT_S" | jq -r .msg)" \
		"ipam: requested address 10.80.0.15 is already allocated to another attachment of network ipamnet"
	assert_contains "$(echo "$OUT_H" | jq -r .msg)" 10.80.0.15
	# Outside every range (in the subnet but before rangeStart, and in no subnet): code 7.
	both ADD c2 '. + {runtimeConfig: {ips: ["10.80.0.5"]}}' ""
	assert_eq "$RC_S/$RC_H" 1/1 "out of range: $OUT_S / $OUT_H"
	assert_eq "$(code "$OUT_S")" 7
	assert_eq "$(echo "$OUT_S" | jq -r .msg)" \
		"ipam: requested address 10.80.0.5 is not in any configured range (10.80.0.10-10.80.0.20, fd00:80::1-fd00:80::ff)"
	assert_contains "$(echo "$OUT_H" | jq -r .msg)" 10.80.0.5
	both ADD c2 '. + {args: {cni: {ips: ["192.168.9.9"]}}}' ""
	assert_eq "$RC_S/$RC_H" 1/1 "in no subnet: $OUT_S / $OUT_H"
	assert_eq "$(code "$OUT_S")" 7
	assert_contains "$(echo "$OUT_S" | jq -r .msg)" "192.168.9.9 is not in any configured range"
	# Malformed: code 7 naming the value and where it came from.
	both ADD c2 . "IP=10.80.0.300"
	assert_eq "$RC_S/$RC_H" 1/1 "malformed: $OUT_S / $OUT_H"
	assert_eq "$(code "$OUT_S")" 7
	assert_eq "$(echo "$OUT_S" | jq -r .msg)" \
		'ipam: requested address CNI_ARGS IP= "10.80.0.300" is not an IP address'
	# Wrong prefix length for the range's subnet.
	OUT_S=$(cni_call ADD /x c2 eth0 "$(conf 1.0.0 "$DS" "$STATIC_RANGES" |
		jq -c '. + {runtimeConfig: {ips: ["10.80.0.16/16"]}}')") && fail "wrong prefix accepted"
	assert_eq "$(code "$OUT_S")" 7
	assert_contains "$(echo "$OUT_S" | jq -r .msg)" "10.80.0.16/16 does not match the subnet 10.80.0.0/24"
	# Nothing was reserved, not even the other family's dynamic address.
	assert_eq "$(store_state "$DS")" "$before_s" "slicenet-ipam store unchanged"
	# host-local reserves and releases before failing, so only its hints move.
	assert_eq "$(store_state "$DH" | grep -v ^last_reserved)" \
		"$(echo "$before_h" | grep -v ^last_reserved)" "host-local holds no new address"
	# A malformed IP= never stops a DEL (it is ADD's input only).
	OUT_S=$(cni_call DEL /x c1 eth0 "$(conf 1.0.0 "$DS" "$STATIC_RANGES")" "IP=bogus") ||
		fail "DEL with a malformed IP=: $OUT_S"
	assert_eq "$(store_state "$DS" | grep -v ^last_reserved)" "" "DEL released c1"
}

run_tests
