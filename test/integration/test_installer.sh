#!/bin/bash
# The node installer (deploy/image/slicenet-install-cni) and the plugin's
# validation mode it relies on (slicenet --validate): a new slice table or
# conflist from the ConfigMap is checked with the plugin's own parser before
# it replaces the node's copy; a refused one leaves the last good one in
# place, is logged once and reported in the status file; a full uninstall
# leaves nothing of slicenet on the node. Runs against temp dirs standing in
# for the host, with the chart-rendered ConfigMap (real helm).
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
# shellcheck source=test/integration/lib.sh
. "$here/lib.sh"

TMP=$(mktemp -d /tmp/slicenet-installer.XXXXXX)
# shellcheck source=test/integration/chart_env.sh
. "$here/chart_env.sh"
trap 'rm -rf "$TMP"' EXIT

validate() { # [--slices-file F] < config -> stdout, rc
	"$SLICENET" --validate "$@"
}

test_validate_mode_runs_the_plugins_parser() {
	need_setup
	local out list
	out=$(render) || fail "helm template"
	cm_key "$out" slices.json >"$TMP/good.json"
	list=$(cm_key "$out" 10-slicenet.conflist)
	# The rendered pair is valid; nothing on stdout.
	assert_eq "$(validate --slices-file "$TMP/good.json" <<<"$list")" ""
	# A bad table: the CNI error JSON (code 7 naming the value), exit 1.
	jq '.slices.urllc.datapaths = ["vhostuser", "dpdk"]' "$TMP/good.json" >"$TMP/bad.json"
	out=$(validate --slices-file "$TMP/bad.json" <<<"$list") && fail "accepted an unknown datapath"
	assert_eq "$(jq -r .code <<<"$out")" 7
	assert_contains "$(jq -r .msg <<<"$out")" 'class "urllc": unknown datapath "dpdk"'
	assert_contains "$(jq -r .details <<<"$out")" "plugins[0]"
	assert_eq "$(jq -r .cniVersion <<<"$out")" 1.0.0 "labelled with the list's version"
	# The same checks ADD makes, whatever part is wrong.
	jq '.slices.mmtc.mtu = 40' "$TMP/good.json" >"$TMP/bad.json"
	out=$(validate --slices-file "$TMP/bad.json" <<<"$list") && fail "accepted MTU 40"
	assert_contains "$out" '\"mtu\": 40 must be an integer from 68 to 65535'
	jq '.defaultSlice = "gold"' "$TMP/good.json" >"$TMP/bad.json"
	out=$(validate --slices-file "$TMP/bad.json" <<<"$list") && fail "accepted an unknown defaultSlice"
	assert_contains "$out" 'defaultSlice \"gold\" is not a class'
	out=$(validate --slices-file "$TMP/good.json" <<<"$(jq '.plugins[0].vhostuser.mode = "bogus"' <<<"$list")") &&
		fail "accepted a bad vhostuser mode"
	assert_contains "$out" 'must be one of'
	out=$(validate --slices-file "$TMP/good.json" <<<"$(jq '.plugins[0].logLevel = "loud"' <<<"$list")") &&
		fail "accepted a bad logLevel"
	assert_contains "$out" 'logLevel \"loud\"'
	out=$(validate --slices-file "$TMP/nonexistent.json" <<<"$list") && fail "accepted a missing table"
	assert_contains "$out" "nonexistent.json"
	# One plugin config (not a list), and bytes that are not JSON.
	validate <<<'{"cniVersion":"1.1.0","name":"n","type":"slicenet","slices":{"a":{"datapaths":["veth"]}}}' ||
		fail "refused a plain plugin config"
	out=$(validate <<<'{"cniVersion":"1.1.0","name":"n","type":"slicenet","slices":{"a":{"datapaths":["veth"],"mtu":"x"}}}') &&
		fail "accepted mtu \"x\""
	out=$(validate <<<'not json') && fail "accepted garbage"
	assert_eq "$(jq -r .code <<<"$out")" 6
	out=$(validate <<<'{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"}]}') &&
		fail "accepted a list without slicenet"
	assert_contains "$out" 'no plugin of type \"slicenet\"'
	# Nothing was created by validating: no state dir, no log.
	[ ! -e /var/lib/cni/slicenet/n ] || fail "validation created a state directory"
	out=$("$SLICENET" --frobnicate 2>&1 </dev/null) && fail "an unknown argument was accepted"
	assert_contains "$out" "usage:"
}

status() { jq -r "$2" "$1/host/run/slicenet/cni-install-status.json"; }

test_installer_refuses_a_bad_table_and_keeps_the_last_good_one() {
	need_setup
	local r=$TMP/refuse good_sha
	installer_fixture "$r"
	installer "$r" install 2>"$r/log" || fail "install: $(cat "$r/log")"
	assert_eq "$(status "$r" .state)" ok
	good_sha=$(status "$r" .installed)
	assert_eq "$(status "$r" .candidate)" "$good_sha"
	[ ${#good_sha} = 64 ] || fail "no sha256 in the status: $good_sha"
	cp "$r/host/etc/slicenet/slices.json" "$r/good-slices.json"
	# The operator edits the ConfigMap: a typo in a datapath name.
	config_update "$r" slices.json '.slices.urllc.datapaths = ["sriov", "vhost-user", "veth"]'
	installer "$r" install 2>"$r/log" || fail "install with a bad table but a good one in place failed"
	cmp "$r/good-slices.json" "$r/host/etc/slicenet/slices.json" || fail "the bad table replaced the good one"
	assert_contains "$(cat "$r/log")" 'refused the new slice table/conflist'
	assert_contains "$(cat "$r/log")" 'unknown datapath \"vhost-user\"'
	assert_contains "$(cat "$r/log")" "keeping the last good one"
	assert_eq "$(status "$r" .state)" rejected
	assert_eq "$(status "$r" .installed)" "$good_sha" "the status names the installed table"
	[ "$(status "$r" .candidate)" != "$good_sha" ] || fail "the refused candidate is not named"
	assert_eq "$(status "$r" .error.code)" 7
	assert_contains "$(status "$r" .error.msg)" 'unknown datapath "vhost-user"'
	# A bad conflist (the other ConfigMap key) is refused the same way.
	cp "$r/good-slices.json" "$r/config/slices.json"
	config_update "$r" 10-slicenet.conflist '.plugins[0].logLevel = "chatty"'
	installer "$r" install 2>"$r/log" || fail "install"
	assert_eq "$(jq -r '.plugins[0].logLevel' "$r/host/etc/cni/net.d/10-slicenet.conflist")" info
	assert_contains "$(status "$r" .error.msg)" 'logLevel "chatty"'
	# Fixed: installed, status ok again.
	config_update "$r" 10-slicenet.conflist '.plugins[0].logLevel = "debug"'
	config_update "$r" slices.json '.slices.urllc.mtu = 8000'
	installer "$r" install 2>"$r/log" || fail "install of the fixed table"
	assert_eq "$(jq .slices.urllc.mtu "$r/host/etc/slicenet/slices.json")" 8000
	assert_eq "$(jq -r '.plugins[0].logLevel' "$r/host/etc/cni/net.d/10-slicenet.conflist")" debug
	assert_eq "$(status "$r" .state)" ok
	assert_eq "$(status "$r" .error)" null
	[ "$(status "$r" .installed)" != "$good_sha" ] || fail "installed sha not updated"
	[ -z "$(find "$r/host" -name '.*.tmp.*')" ] || fail "temporary files left"
}

test_installer_on_a_fresh_node_with_a_bad_table_installs_no_config() {
	need_setup
	local r=$TMP/fresh
	installer_fixture "$r"
	config_update "$r" slices.json '.slices.embb.mtu = 10'
	installer "$r" install 2>"$r/log" && fail "install succeeded with nothing good to install"
	[ ! -e "$r/host/etc/cni/net.d/10-slicenet.conflist" ] || fail "a conflist was installed"
	[ ! -e "$r/host/etc/slicenet/slices.json" ] || fail "the bad table was installed"
	assert_eq "$(status "$r" .state)" rejected
	assert_eq "$(status "$r" .installed)" ""
	assert_contains "$(status "$r" .error.msg)" 'class "embb": "mtu": 10'
}

# The sidecar: a bad table arriving while it runs is refused once (not at
# every sync), the node keeps the last good one, a revert clears the status.
test_installer_watch_refuses_once_and_recovers() {
	need_setup
	local r=$TMP/watch pid _
	installer_fixture "$r"
	# shellcheck disable=SC2046 # the assignments hold no spaces
	env $(installer_env "$r") "$INSTALLER" watch 2>"$r/watch.log" &
	pid=$!
	# A failed assertion ends this subshell: the watch must not outlive it
	# (watch_pid is global: the trap runs after this function's locals are gone).
	watch_pid=$pid
	trap '[ -z "${watch_pid:-}" ] || kill "$watch_pid" 2>/dev/null || true' EXIT
	for _ in $(seq 1 50); do [ -f "$r/host/etc/cni/net.d/10-slicenet.conflist" ] && break; sleep 0.1; done
	cp "$r/config/slices.json" "$r/good-slices.json"
	config_update "$r" slices.json '.slices += {"gold": {"datapaths": []}}'
	for _ in $(seq 1 50); do [ "$(status "$r" .state)" = rejected ] && break; sleep 0.1; done
	assert_eq "$(status "$r" .state)" rejected
	sleep 2.5 # two more syncs
	assert_eq "$(grep -c 'refused the new slice table' "$r/watch.log")" 1 "refusal logged more than once"
	cmp "$r/good-slices.json" "$r/host/etc/slicenet/slices.json" || fail "the bad table was installed"
	assert_contains "$(status "$r" .error.msg)" 'class "gold" needs a non-empty "datapaths" list'
	# The operator reverts the ConfigMap.
	cp "$r/good-slices.json" "$r/config/slices.json"
	for _ in $(seq 1 50); do [ "$(status "$r" .state)" = ok ] && break; sleep 0.1; done
	assert_eq "$(status "$r" .state)" ok "status not cleared after the revert"
	kill -TERM "$pid"
	wait "$pid" || fail "watch exited non-zero"
	[ -f "$r/host/etc/cni/net.d/10-slicenet.conflist" ] || fail "stopping the watch removed the conflist"
}

# Uninstall removes everything slicenet put on the node: conflist,
# binaries, slice table, status, plugin records and SR-IOV pool, this
# network's IPAM store, the pods' socket directories, SR-IOV descriptors,
# slicenetd's control socket and port table (after slicenetd stopped),
# the log and its rotations. Another network's IPAM store stays.
test_installer_uninstall_leaves_nothing() {
	need_setup
	local r=$TMP/uninst h start end
	installer_fixture "$r"
	h=$r/host
	installer "$r" install 2>"$r/log" || fail "install"
	mkdir -p "$h/var/lib/cni/slicenet/slicenet" "$h/var/lib/cni/slicenet/sriov-pool" \
		"$h/var/lib/cni/networks/slicenet" "$h/var/lib/cni/networks/other" \
		"$h/run/slicenet/ports/pod-uid-1" "$h/run/slicenet/sriov" "$h/var/lib/slicenet" "$h/var/log"
	echo '{}' >"$h/var/lib/cni/slicenet/slicenet/ctr-eth0.json"
	echo '{}' >"$h/var/lib/cni/slicenet/sriov-pool/0000:3b:02.0.json"
	echo ctr >"$h/var/lib/cni/networks/slicenet/10.244.0.5"
	echo ctr >"$h/var/lib/cni/networks/other/10.9.0.5"
	echo '{}' >"$h/run/slicenet/ports/pod-uid-1/net1.json"
	echo '{}' >"$h/run/slicenet/sriov/ctr-net2.json"
	echo log >"$h/var/log/slicenet.log"
	echo log >"$h/var/log/slicenet.log.1"
	echo keep >"$h/var/log/syslog"
	# A stand-in slicenetd: on "SIGTERM" it saves its port table, then
	# removes its control socket 1.5 s later, as slicenetd does.
	python3 -c 'import socket, sys, time, os
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])
open(sys.argv[3], "w").close()
while not os.path.exists(sys.argv[2]): time.sleep(0.05)
time.sleep(1.5); open(sys.argv[3], "w").write("port\n"); os.unlink(sys.argv[1])' \
		"$h/run/slicenet/slicenetd.sock" "$r/term" "$h/var/lib/slicenet/ports.state" &
	for _ in $(seq 1 50); do [ -S "$h/run/slicenet/slicenetd.sock" ] && break; sleep 0.1; done
	touch "$r/term"
	start=$(date +%s%N)
	# shellcheck disable=SC2046
	env $(installer_env "$r") HOST_RUN_DIR="$h/run/slicenet" RUN_DIR_NAMES="ports sriov" \
		CONTROL_SOCKET_NAME=slicenetd.sock HOST_DAEMON_STATE_DIR="$h/var/lib/slicenet" \
		HOST_STATE_PARENT="$h/var/lib/cni" STATE_NAME=slicenet HOST_IPAM_DIR="$h/var/lib/cni/networks" \
		HOST_LOG_DIR="$h/var/log" LOG_NAME=slicenet.log DAEMON_STOP_WAIT=10 \
		"$INSTALLER" uninstall 2>"$r/log" || fail "uninstall: $(cat "$r/log")"
	end=$(date +%s%N)
	wait
	[ $(((end - start) / 1000000)) -ge 1000 ] || fail "uninstall did not wait for slicenetd"
	assert_contains "$(cat "$r/log")" "waiting up to 10s for slicenetd to stop"
	assert_eq "$(cd "$h" && find . -type f -o -type s | sort | tr '\n' ' ')" \
		"./var/lib/cni/networks/other/10.9.0.5 ./var/log/syslog " "left on the node"
	assert_eq "$(cd "$h" && find . -mindepth 1 -type d | sort | tr '\n' ' ')" \
		"./etc ./etc/cni ./etc/cni/net.d ./etc/slicenet ./opt ./opt/cni ./opt/cni/bin ./run ./run/slicenet ./var ./var/lib ./var/lib/cni ./var/lib/cni/networks ./var/lib/cni/networks/other ./var/lib/slicenet ./var/log " \
		"only the mounted directories remain"
	# A stale control socket (slicenetd was killed): the wait is bounded.
	installer "$r" install 2>"$r/log" || fail "reinstall"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$h/run/slicenet/slicenetd.sock"
	# shellcheck disable=SC2046
	timeout 10 env $(installer_env "$r") HOST_RUN_DIR="$h/run/slicenet" CONTROL_SOCKET_NAME=slicenetd.sock \
		DAEMON_STOP_WAIT=1 "$INSTALLER" uninstall 2>"$r/log" || fail "uninstall with a stale socket"
	[ ! -e "$h/run/slicenet/slicenetd.sock" ] || fail "stale control socket left"
	[ ! -e "$h/etc/cni/net.d/10-slicenet.conflist" ] || fail "conflist left"
}

run_tests
