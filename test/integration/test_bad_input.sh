#!/bin/bash
# Bad input: every outside input the plugin reads has a size limit, and ids,
# interface names, pod names and network names that could build a path
# (`/`, `..`, very long, non-UTF-8, control bytes) are rejected with a
# clear error or used without escaping their directory. Each case checks
# the error code and text, that nothing was created, and (at the end) that
# no file or link named after the attack token exists anywhere we write.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SUBNET_PREFIX=10.94.0
. "$here/plugin_env.sh"

TOKEN=snesc$$
long() { head -c "$1" /dev/zero | tr '\0' "${2:-a}"; }

# rejected CODE TEXT NETNS ID IFNAME CONF [CNI_ARGS]: the call fails with the
# spec's error JSON carrying CODE and TEXT, and leaves nothing behind.
rejected() {
	local code=$1 text=$2 out rc
	shift 2
	out=$(cni_call ADD "$@") && rc=0 || rc=$?
	[ $rc -ne 0 ] || fail "accepted: $out"
	assert_eq "$(echo "$out" | jq -r .code)" "$code" "error code of: ${out:0:300}"
	assert_contains "$(echo "$out" | jq -r .msg)" "$text"
	nothing_left
}

nothing_left() {
	[ -z "$(ipam_files)" ] || fail "IPAM reservation left: $(ipam_files)"
	[ -z "$(state_records)" ] || fail "state record left: $(state_records)"
	[ "$(ip -n "$(ns bad)" -o link | wc -l)" -eq 1 ] || fail "a link was left in the pod netns"
}

setup_ns() { NSP=$(new_netns bad); }

test_config_larger_than_1mib() {
	setup_ns
	rejected 7 "larger than 1048576 bytes" "$NSP" ctr-big eth0 \
		"$(conf 1.1.0 ",\"pad\":\"$(long $((1100 * 1024)))\"")"
}

test_huge_annotation_value() {
	setup_ns
	rejected 7 "is longer than 63 bytes" "$NSP" ctr-ann eth0 \
		"$(conf 1.1.0 ",\"runtimeConfig\":{\"io.kubernetes.cri.pod-annotations\":{\"slicenet.io/slice\":\"$(long 200000)\"}}")"
}

test_many_annotations_are_fine() {
	local many out
	setup_ns
	# 5,000 unrelated annotations (~200 KiB): read, ignored, the slice still found.
	many=$(for i in $(seq 5000); do printf '"example.com/k%d":"%s",' "$i" "$(long 20 v)"; done)
	out=$(cni_call ADD "$NSP" ctr-many eth0 "$(conf 1.1.0 ",\"runtimeConfig\":{\"io.kubernetes.cri.pod-annotations\":{${many}\"slicenet.io/slice\":\"embb\"}}")") ||
		fail "ADD with many annotations: ${out:0:300}"
	cni_call DEL "$NSP" ctr-many eth0 "$(conf 1.1.0)" || fail "DEL"
	nothing_left
}

test_annotation_slice_with_path_characters() {
	setup_ns
	rejected 7 "unknown slice class \"../../$TOKEN\"" "$NSP" ctr-slice eth0 \
		"$(conf 1.1.0 ",\"runtimeConfig\":{\"io.kubernetes.cri.pod-annotations\":{\"slicenet.io/slice\":\"../../$TOKEN\"}}")"
}

test_cni_args_too_long() {
	setup_ns
	rejected 4 "CNI_ARGS is longer than 4095 bytes" "$NSP" ctr-args eth0 "$(conf 1.1.0)" \
		"K8S_POD_NAME=$(long 5000)"
	rejected 4 "value of K8S_POD_NAME is longer than 255 bytes" "$NSP" ctr-args eth0 \
		"$(conf 1.1.0)" "K8S_POD_NAME=$(long 300)"
}

test_cni_args_malformed() {
	setup_ns
	rejected 4 "is not KEY=VALUE" "$NSP" ctr-args eth0 "$(conf 1.1.0)" "K8S_POD_NAME"
	rejected 4 "unknown key" "$NSP" ctr-args eth0 "$(conf 1.1.0)" "../$TOKEN=1"
}

test_bad_container_ids() {
	local id
	setup_ns
	for id in "../$TOKEN" "a/../../$TOKEN" "/$TOKEN" ".." "." "-$TOKEN" "$TOKEN:eth0" \
		"$TOKEN x" $'a\x01b' $'\xff\xfe' $'caf\xc3\xa9' "a%00b" 'a\0b' $'a\nb'; do
		rejected 4 "CNI_CONTAINERID" "$NSP" "$id" eth0 "$(conf 1.1.0)"
	done
	rejected 4 "longer than 255 bytes" "$NSP" "$(long 300)" eth0 "$(conf 1.1.0)"
}

test_bad_ifnames() {
	local ifn
	setup_ns
	for ifn in "../$TOKEN" "e/x" ".." "." "eth:0" "eth 0" $'eth\t0'; do
		rejected 4 "CNI_IFNAME" "$NSP" ctr-if "$ifn" "$(conf 1.1.0)"
	done
	rejected 4 "longer than 15 bytes" "$NSP" ctr-if "$(long 16 e)" "$(conf 1.1.0)"
}

# libcni lets these through; the name reaches JSON and the IPAM store, so
# the plugin must refuse them up front (see docs/reliability.md: before the
# fix, ADD failed with "out of memory" and left an IPAM record it could not
# read back, which then blocked every later ADD of the network).
test_non_ascii_ifnames() {
	local ifn
	setup_ns
	# Without the fix the leftover record would fail every later test too.
	trap 'rm -f "$IPAMDIR"/sntest/[0-9]*' EXIT
	for ifn in $'e\xff' $'eth\xc3\xa9' $'e\x01'; do
		rejected 4 "CNI_IFNAME" "$NSP" ctr-na "$ifn" "$(conf 1.1.0)"
	done
}

test_pod_names_are_not_paths() {
	local out
	setup_ns
	# Pod namespace/name/uid only hash into a MAC or name a directory after
	# validation; a veth pod with path-like values works and creates nothing.
	out=$(cni_call ADD "$NSP" ctr-pod eth0 "$(conf 1.1.0)" \
		"K8S_POD_NAMESPACE=../../$TOKEN;K8S_POD_NAME=../$TOKEN/x;K8S_POD_UID=../../../$TOKEN") ||
		fail "ADD: $out"
	cni_call DEL "$NSP" ctr-pod eth0 "$(conf 1.1.0)" || fail "DEL"
	nothing_left
}

test_network_names() {
	local name
	setup_ns
	for name in "../$TOKEN" ".." "a/b" "$TOKEN/../x" ".hidden" $'n\xff'; do
		rejected 7 "invalid network name" "$NSP" ctr-net eth0 \
			"$(conf 1.1.0 | jq -c --arg n "$name" '.name = $n' 2>/dev/null || conf 1.1.0)"
	done
}

test_ipam_type_is_not_a_path() {
	setup_ns
	rejected 7 "must be a plugin name, not a path" "$NSP" ctr-ipam eth0 \
		"$(conf 1.1.0 | jq -c '.ipam.type = "../../tmp/evil"')"
}

test_netns_paths() {
	local nsp
	for nsp in /etc/hostname "/nonexistent/$TOKEN" "../../run/netns/$TOKEN" /proc/self/ns/mnt; do
		rejected_any "$nsp" ctr-ns eth0
	done
}

# The call fails with some CNI error JSON and leaves nothing.
rejected_any() {
	local out
	out=$(cni_call ADD "$1" "$2" "$3" "$(conf 1.1.0)") && fail "accepted netns $1: $out"
	assert_eq "$(echo "$out" | jq -r .code)" 4 "error code for netns $1: $out"
	[ -z "$(ipam_files)" ] || fail "IPAM reservation left: $(ipam_files)"
	[ -z "$(state_records)" ] || fail "state record left: $(state_records)"
}

test_not_a_json_object_and_binary() {
	setup_ns
	rejected 6 "not valid JSON" "$NSP" ctr-j eth0 "$(printf '\xff\xfe\x01')"
	rejected 6 "not a JSON object" "$NSP" ctr-j eth0 '[1,2,3]'
	rejected 6 "not valid JSON" "$NSP" ctr-j eth0 "{\"cniVersion\":\"1.1.0\",\"name\":\"n$(printf '\xc3\x28')\"}"
}

# A fake slicenetd on a unix socket: answers version, port.add (echoing the
# port) and port.del, so the vhostuser datapath runs without DPDK.
start_fake_daemon() { # socket
	python3 - "$1" <<'PY' &
import json, os, socket, sys
path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(16)
while True:
    conn, _ = srv.accept()
    with conn, conn.makefile("rwb") as f:
        for line in f:
            req = json.loads(line)
            m = req.get("method")
            if m == "version":
                res = {"daemon": "fake", "dpdk": "none", "protocol": 1}
            elif m == "port.add":
                res = {"port": dict(req["params"], connected=False, activeQueues=0)}
            else:
                res = {}
            f.write((json.dumps({"ok": True, "result": res}) + "\n").encode())
            f.flush()
PY
	FAKE_PID=$!
	for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
	fail "fake daemon did not start"
}

vhost_conf() {
	conf 1.1.0 | jq -c --arg s "$TMP/fake.sock" --arg d "$TMP/ports" \
		'.slices.vu = {datapaths: ["vhostuser"]} | .vhostuser = {daemonSocket: $s, socketDir: $d}'
}

test_vhostuser_pod_uid_is_not_a_path() {
	local out rc
	setup_ns
	start_fake_daemon "$TMP/fake.sock"
	trap 'kill $FAKE_PID; rm -rf "$TMP/fake.sock" "$TMP/ports"' EXIT
	# Control: a real UID works through the fake daemon.
	out=$(cni_call ADD "$NSP" ctr-vu eth0 "$(vhost_conf)" \
		"SLICENET_SLICE=vu;K8S_POD_UID=0b3c2d6e-1111-2222-3333-444455556666") ||
		fail "ADD: $out"
	[ -f "$TMP/ports/0b3c2d6e-1111-2222-3333-444455556666/eth0.json" ] || fail "no descriptor"
	cni_call DEL "$NSP" ctr-vu eth0 "$(vhost_conf)" || fail "DEL"
	# The UID names a directory below socketDir: ../ must not climb out.
	out=$(cni_call ADD "$NSP" ctr-vu2 eth0 "$(vhost_conf)" "SLICENET_SLICE=vu;K8S_POD_UID=../../$TOKEN") &&
		rc=0 || rc=$?
	[ $rc -ne 0 ] || cni_call DEL "$NSP" ctr-vu2 eth0 "$(vhost_conf)" >/dev/null
	# $TMP/ports/../../ is /tmp.
	[ ! -e "/tmp/$TOKEN" ] || { rm -rf "/tmp/$TOKEN"; fail "ADD created /tmp/$TOKEN outside socketDir"; }
	[ $rc -ne 0 ] || fail "accepted K8S_POD_UID ../../$TOKEN: $out"
	assert_contains "$(echo "$out" | jq -r .msg)" "K8S_POD_UID"
	nothing_left
}

# Last (tests run in name order): nothing named after the token anywhere.
test_zz_nothing_escaped() {
	local hits
	hits=$(find /tmp /run /var/lib/cni /etc /opt/cni -xdev -name "*$TOKEN*" 2>/dev/null | head)
	[ -z "$hits" ] || fail "files named after attack inputs exist: $hits"
	! ip -o link | grep -q "$TOKEN" || fail "a link named after an attack input exists"
	hits=$(find "$TMP" -mindepth 1 ! -path "$STATE*" ! -path "$IPAMDIR*" ! -path "$LOG")
	[ -z "$hits" ] || fail "unexpected files in the test dir: $hits"
	hits=$(find "$STATE" "$IPAMDIR" -mindepth 1 -maxdepth 1 ! -name sntest ! -name events.log)
	[ -z "$hits" ] || fail "a directory other than the network's: $hits"
}

# The pod owns its vhost-user directory: symlinks to host files, FIFOs and
# directories named like our files, the directory itself swapped for a
# symlink. Re-ADD with the same pod UID never writes through any of them.
test_vhostuser_pod_directory_tampering() {
	local out rc uid=0b3c2d6e-aaaa-bbbb-cccc-ddddeeeeffff dir host="$TMP/host-file"
	setup_ns
	start_fake_daemon "$TMP/fake.sock"
	trap "kill \$FAKE_PID; rm -rf '$TMP/fake.sock' '$TMP/ports' '$host' '$host.d'" EXIT
	dir="$TMP/ports/$uid"
	echo precious >"$host"
	mkdir -p "$host.d" "$dir"
	ln -s "$host" "$dir/eth0.json"
	mkfifo "$dir/eth0.sock"
	mkdir "$dir/net1.json"
	out=$(timeout 20 bash -c "$(declare -f cni_call); SLICENET=$SLICENET BUILD_DIR=$BUILD_DIR REF_CNI_DIR=$REF_CNI_DIR cni_call ADD '$NSP' ctr-tam eth0 '$(vhost_conf)' 'SLICENET_SLICE=vu;K8S_POD_UID=$uid'") &&
		rc=0 || rc=$?
	[ $rc -ne 124 ] || fail "ADD hung on the pod's FIFO"
	[ $rc -eq 0 ] || fail "ADD over a tampered directory: $out"
	assert_eq "$(cat "$host")" precious "the host file behind the symlink"
	[ -f "$dir/eth0.json" ] && [ ! -L "$dir/eth0.json" ] || fail "eth0.json is not our own file"
	assert_contains "$(cat "$dir/eth0.json")" '"vhost-user"'
	# A directory where our file goes: a clear error, nothing left.
	out=$(cni_call ADD "$NSP" ctr-tam net1 "$(vhost_conf)" "SLICENET_SLICE=vu;K8S_POD_UID=$uid") &&
		fail "ADD wrote through a directory named net1.json"
	assert_contains "$(echo "$out" | jq -r .msg)" "net1.json"
	cni_call DEL "$NSP" ctr-tam eth0 "$(vhost_conf)" || fail "DEL"
	# The pod directory itself swapped for a symlink to a host directory.
	rm -rf "$dir"
	ln -s "$host.d" "$dir"
	out=$(cni_call ADD "$NSP" ctr-tam2 eth0 "$(vhost_conf)" "SLICENET_SLICE=vu;K8S_POD_UID=$uid") &&
		fail "ADD followed a symlinked pod directory"
	assert_contains "$(echo "$out" | jq -r .msg)" "pod directory"
	[ -z "$(ls -A "$host.d")" ] || fail "wrote into the symlink's target: $(ls -A "$host.d")"
	assert_eq "$(cat "$host")" precious
	rm -f "$dir"
	nothing_left
}

# Non-root DPDK pods: the pod directory gets the configured group and mode
# (through the fd opened without following symlinks); setuid bits are refused.
test_vhostuser_pod_directory_group_and_mode() {
	local out uid=0b3c2d6e-1234-5678-9abc-def012345678
	setup_ns
	start_fake_daemon "$TMP/fake.sock"
	trap "kill \$FAKE_PID; rm -rf '$TMP/fake.sock' '$TMP/ports'" EXIT
	out=$(cni_call ADD "$NSP" ctr-grp eth0 "$(vhost_conf | jq -c '.vhostuser += {podDirGroup: 2000, podDirMode: "0770"}')" \
		"SLICENET_SLICE=vu;K8S_POD_UID=$uid") || fail "ADD: $out"
	assert_eq "$(stat -c '%g %a' "$TMP/ports/$uid")" "2000 770"
	cni_call DEL "$NSP" ctr-grp eth0 "$(vhost_conf)" || fail "DEL"
	rejected 7 '"podDirMode": "4777" is not an octal mode' "$NSP" ctr-grp eth0 \
		"$(vhost_conf | jq -c '.vhostuser += {podDirMode: "4777"}')"
	nothing_left
}

run_tests
