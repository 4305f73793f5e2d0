#!/bin/bash
# Node e2e through a real CRI runtime: Debian's containerd (CRI plugin) runs
# from a private config (own root, state, socket, CNI bin_dir/conf_dir, a
# locally built pause image) and a small CRI client (cri.js) stands in for
# kubelet: RunPodSandbox with slicenet.io/slice annotations, the pods' netns
# get eth0 from slicenet, pods ping each other, StopPodSandbox +
# RemovePodSandbox call DEL twice and leave nothing behind. Then containerd is
# stopped and every file removed. TAP on stdout (test/integration/lib.sh).
#
# Needs root, containerd + runc (installed when missing), node/npm (for the
# CRI client's two npm packages), gcc -static (the pause binary).
# Time bounded: each CRI call has a deadline and the whole run has a budget
# (E2E_BUDGET seconds, default 150); cleanup always runs (trap).
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
. "$repo/test/integration/lib.sh"

E2E_BUDGET=${E2E_BUDGET:-150}
E2E_SUBNET=${E2E_SUBNET:-10.98.7} # /24 prefix; the pods' addresses come from it
NET_NAME=slicenet-e2e
CRI_TIMEOUT_MS=${CRI_TIMEOUT_MS:-15000}
export CRI_TIMEOUT_MS

D=$(mktemp -d /tmp/slicenet-node-e2e.XXXXXX)
SOCK=$D/containerd.sock
PODS=$D/pods # one line per pod: name id slice-expected mtu-expected
SETUP_ERR=$D/setup-error
CTD_PID=
# containerd 1.6 puts shim sockets in /run/containerd/s whatever the config:
# remember what was there, to remove only what we created.
SHIM_DIR=/run/containerd/s
RUN_CTD_EXISTED=
[ -d /run/containerd ] && RUN_CTD_EXISTED=1
SHIM_SOCKS_BEFORE=$(find "$SHIM_DIR" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)
t0=$SECONDS

log() { echo "node-e2e: $*" >&2; }

alive() { # pid: running and not a zombie
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! grep -qE '^[0-9]+ \(.*\) Z' "/proc/$1/stat"
}

over_budget() { [ $((SECONDS - t0)) -ge "$E2E_BUDGET" ]; }

cri() { # cri.js wrapper; refuses to start a call once the budget is spent
	over_budget && { echo "time budget (${E2E_BUDGET}s) spent" >&2; return 1; }
	NODE_PATH=$NODE_MODULES node "$here/cri.js" "$SOCK" "$@"
}

our_pids() { # processes started with our private containerd address (shims)
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$SOCK" && echo "${p#/proc/}"
	done
	return 0
}

# ---------------------------------------------------------------- setup

write_conf() {
	mkdir -p "$D/cni/bin" "$D/cni/net.d" "$D/etc"
	# Plugins are copied, as the DaemonSet's installer would (binaries in use
	# by a build must not change under containerd).
	cp "$SLICENET" "$SLICENET_IPAM" "$REF_CNI_DIR/loopback" "$D/cni/bin/"
	# The example conflist with its slice table moved into a slicesFile (what
	# the Helm chart does with its ConfigMap) and every path made private.
	jq '{defaultSlice: .plugins[0].defaultSlice, slices: .plugins[0].slices}' \
		"$repo/deploy/cni/10-slicenet.conflist" >"$D/etc/slices.json"
	jq --arg d "$D" --arg net "$NET_NAME" --arg sub "$E2E_SUBNET.0/24" '
		.name = $net
		| .plugins[0] |= (del(.slices, .defaultSlice)
			| .slicesFile = ($d + "/etc/slices.json")
			| .ipam.ranges = [[{subnet: $sub}]]
			| .ipam.dataDir = ($d + "/ipam")
			| .stateDir = ($d + "/state")
			| .logFile = ($d + "/slicenet.log")
			| .logLevel = "debug"
			| .vhostuser.daemonSocket = ($d + "/no-daemon/slicenetd.sock")
			| .vhostuser.socketDir = ($d + "/no-daemon/pods"))' \
		"$repo/deploy/cni/10-slicenet.conflist" >"$D/cni/net.d/10-slicenet.conflist"
	cat >"$D/config.toml" <<EOF
# containerd 1.6 config, private to this test run.
version = 2
root = "$D/root"
state = "$D/run"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE_REF:-localhost/slicenet/pause:e2e}"
  # Processes here lack CAP_SYS_RESOURCE: runc cannot lower oom_score_adj.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    # The pause image is one small layer: no overlay mounts to clean up.
    snapshotter = "native"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # runc's state, private too (default /run/containerd/runc).
        Root = "$D/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$D/cni/bin"
    conf_dir = "$D/cni/net.d"
    max_conf_num = 1
EOF
}

setup() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root" >"$SETUP_ERR"; return 1; }
	if [ ! -x "$SLICENET" ] || [ ! -x "$SLICENET_IPAM" ]; then
		echo "build the plugins first (make all)" >"$SETUP_ERR"
		return 1
	fi
	"$repo/e2e/tools.sh" debs containerd runc jq iproute2 iputils-ping util-linux \
		containernetworking-plugins || { echo "cannot install Debian packages" >"$SETUP_ERR"; return 1; }
	NODE_MODULES=$("$repo/e2e/tools.sh" node-modules "$BUILD_DIR") ||
		{ echo "cannot install the CRI client's npm packages" >"$SETUP_ERR"; return 1; }
	PAUSE_TAR=$("$repo/e2e/tools.sh" pause-image "$BUILD_DIR") ||
		{ echo "cannot build the pause image" >"$SETUP_ERR"; return 1; }
	write_conf
	log "starting containerd $(containerd --version | awk '{print $3}') in $D"
	containerd --config "$D/config.toml" >"$D/containerd.log" 2>&1 &
	CTD_PID=$!
	local _
	for _ in $(seq 1 50); do
		[ -S "$SOCK" ] && cri version >/dev/null 2>&1 && break
		kill -0 "$CTD_PID" 2>/dev/null || break
		sleep 0.2
	done
	cri version >/dev/null 2>&1 || {
		echo "containerd did not come up: $(tail -3 "$D/containerd.log")" >"$SETUP_ERR"
		return 1
	}
	ctr -n k8s.io --address "$SOCK" images import "$PAUSE_TAR" >&2 ||
		{ echo "ctr images import of the pause image failed" >"$SETUP_ERR"; return 1; }
	return 0
}

# ---------------------------------------------------------------- teardown

teardown() { # idempotent; leaves the machine as it found it
	local id pid m n
	if alive "$CTD_PID"; then
		# Sandboxes a failed test left: let containerd DEL them (bounded).
		for id in $(CRI_TIMEOUT_MS=5000 NODE_PATH=$NODE_MODULES node "$here/cri.js" "$SOCK" list 2>/dev/null |
			jq -r '.[].id' 2>/dev/null); do
			CRI_TIMEOUT_MS=5000 NODE_PATH=$NODE_MODULES node "$here/cri.js" "$SOCK" stop "$id" >/dev/null 2>&1
			CRI_TIMEOUT_MS=5000 NODE_PATH=$NODE_MODULES node "$here/cri.js" "$SOCK" remove "$id" >/dev/null 2>&1
		done
		kill -TERM "$CTD_PID" 2>/dev/null
		for n in $(seq 1 25); do alive "$CTD_PID" || break; sleep 0.2; done
		kill -KILL "$CTD_PID" 2>/dev/null
		wait "$CTD_PID" 2>/dev/null
	fi
	CTD_PID=
	# Shims (and their pause processes) outlive containerd by design; a shim
	# removes its socket when it exits cleanly, not when killed.
	local killed=
	for pid in $(our_pids); do
		pkill -KILL -P "$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
		killed=1
	done
	if [ -n "$killed" ]; then
		for n in "$SHIM_DIR"/*; do
			[ -e "$n" ] || continue
			case " $SHIM_SOCKS_BEFORE " in *" ${n##*/} "*) ;; *) rm -f "$n" ;; esac
		done
	fi
	if [ -z "$RUN_CTD_EXISTED" ]; then # empty dirs only: another containerd may use them
		rmdir "$SHIM_DIR" /run/containerd 2>/dev/null
	fi
	# Netns a failed sandbox left (recorded by the tests).
	while read -r n; do
		[ -e "$n" ] || continue
		umount "$n" 2>/dev/null
		rm -f "$n"
	done < <(cat "$D/netns" 2>/dev/null)
	# Mounts under our dirs (sandbox /dev/shm, rootfs), deepest first.
	for m in $(findmnt -rn -o TARGET | grep "^$D/" | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	# Host side of any veth a failed DEL left, and libcni's result cache.
	while read -r n; do ip link del "$n" 2>/dev/null; done < <(cat "$D/host-ifs" 2>/dev/null)
	rm -f /var/lib/cni/results/"$NET_NAME"-* 2>/dev/null
	# net.ipv4.ip_forward stays as the plugin set it (as ptp leaves it): other
	# tests on this host may be routing between their pods right now.
	return 0
}

cleanup_all_e2e() {
	teardown >&2 2>&1
	[ -n "${KEEP_E2E:-}" ] && { log "kept $D"; return; }
	rm -rf "$D"
}
trap cleanup_all_e2e EXIT
trap 'exit 143' TERM INT

# ---------------------------------------------------------------- helpers

need_setup() { [ ! -s "$SETUP_ERR" ] || fail "setup: $(cat "$SETUP_ERR")"; }

pod_field() { # name field(id|slice|mtu)
	awk -v n="$1" -v f="$2" '$1 == n { print (f == "id" ? $2 : f == "slice" ? $3 : $4) }' "$PODS"
}

state_records_for() { # id -> record files of that container
	grep -l "\"$1\"" "$D"/state/*.json "$D"/state/*/*.json 2>/dev/null || true
}

# ---------------------------------------------------------------- tests

test_01_containerd_cri_up_with_slicenet_conflist() {
	need_setup
	local v st
	v=$(cri version) || fail "Version"
	assert_eq "$(echo "$v" | jq -r .runtimeName)" containerd
	log "runtime: $v"
	st=$(cri status) || fail "Status"
	assert_eq "$(echo "$st" | jq -r .RuntimeReady.status)" true "RuntimeReady"
	assert_eq "$(echo "$st" | jq -r .NetworkReady.status)" true "NetworkReady (conflist loaded)"
}

# pod name, annotation value ("" = none), expected slice, expected MTU
POD_SPECS="pod-urllc urllc urllc 9000
pod-mmtc mmtc mmtc 1280
pod-default - embb 1500"

test_02_run_pods_with_slice_annotations() {
	need_setup
	local name ann slice mtu out id info netns ip addr rec
	: >"$PODS"
	while read -r name ann slice mtu; do
		if [ "$ann" = - ]; then # no annotations at all: containerd sends null
			out=$(cri run "$name" "uid-$name") || fail "RunPodSandbox $name: $out"
		else
			out=$(cri run "$name" "uid-$name" "slicenet.io/slice=$ann") || fail "RunPodSandbox $name: $out"
		fi
		id=$(echo "$out" | jq -r .id)
		echo "$name $id $slice $mtu" >>"$PODS"
		info=$(cri inspect "$id") || fail "PodSandboxStatus $name"
		log "$name: $info"
		assert_eq "$(echo "$info" | jq -r .state)" SANDBOX_READY "$name state"
		netns=$(echo "$info" | jq -r .netns)
		echo "$netns" >>"$D/netns"
		[ -e "$netns" ] || fail "$name: netns $netns missing"
		# eth0 in the pod's netns carries the address containerd reports,
		# from the conflist range, with the slice's MTU.
		ip=$(echo "$info" | jq -r .ip)
		# containerd's view of the CNI result: eth0 with that IP, in the netns.
		assert_eq "$(echo "$info" | jq -r '.cniResult.Interfaces.eth0.IPConfigs[0].IP')" "$ip" "$name cniResult"
		assert_eq "$(echo "$info" | jq -r '.cniResult.Interfaces.eth0.Sandbox')" "$netns" "$name sandbox"
		case "$ip" in "$E2E_SUBNET".*) ;; *) fail "$name: CRI IP '$ip' not in $E2E_SUBNET.0/24" ;; esac
		addr=$(nsenter --net="$netns" ip -o -4 addr show dev eth0) || fail "$name: no eth0 in $netns"
		assert_contains "$addr" "inet $ip/"
		assert_contains "$(nsenter --net="$netns" ip link show dev eth0)" "mtu $mtu" "$name MTU ($slice)"
		assert_contains "$(nsenter --net="$netns" ip route show default)" "default via"
		# The plugin's record: which slice and datapath (veth: no VF, no daemon here).
		rec=$(state_records_for "$id" | head -n1)
		[ -n "$rec" ] || fail "$name: no state record for $id"
		assert_eq "$(jq -r .datapath "$rec")" veth "$name datapath"
		jq -r '.hostIfname // empty' "$rec" >>"$D/host-ifs"
		grep -q "slice $slice" "$D/slicenet.log" || fail "$name: log does not name slice $slice"
	done <<<"$POD_SPECS"
	# containerd passed the annotation through the capability, not CNI_ARGS.
	grep -q 'slice urllc (from pod annotation' "$D/slicenet.log" || fail "annotation source not logged"
}

test_03_pods_reach_each_other() {
	need_setup
	[ -s "$PODS" ] || fail "no pods (test_02 failed)"
	local a b nsa ipb
	for a in pod-urllc pod-mmtc pod-default; do
		for b in pod-urllc pod-mmtc pod-default; do
			[ "$a" = "$b" ] && continue
			nsa=$(cri inspect "$(pod_field "$a" id)" | jq -r .netns)
			ipb=$(cri inspect "$(pod_field "$b" id)" | jq -r .ip)
			nsenter --net="$nsa" ping -c1 -W2 "$ipb" >/dev/null || fail "$a cannot ping $b ($ipb)"
		done
	done
}

test_04_unknown_slice_fails_and_leaves_nothing() {
	need_setup
	local out before after
	before=$(find "$D/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null | wc -l)
	out=$(cri run pod-bad uid-bad "slicenet.io/slice=no-such-class" 2>&1) &&
		fail "RunPodSandbox with an unknown slice succeeded: $out"
	assert_contains "$out" "no-such-class" "the error names the class"
	after=$(find "$D/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null | wc -l)
	# Not more than before (a DEL of an earlier pod may still free one).
	[ "$after" -le "$before" ] || fail "a failed RunPodSandbox left an IPAM allocation ($before -> $after)"
	[ "$(cri list | jq '[.[] | select(.name == "pod-bad" and .state == "SANDBOX_READY")] | length')" = 0 ] ||
		fail "a ready sandbox exists for pod-bad"
}

test_05_stop_remove_dels_twice_and_cleans_up() {
	need_setup
	[ -s "$PODS" ] || fail "no pods (test_02 failed)"
	local name id short netns n dels
	while read -r name id _ _; do
		netns=$(cri inspect "$id" | jq -r .netns)
		cri stop "$id" >/dev/null || fail "StopPodSandbox $name"
		assert_eq "$(cri inspect "$id" | jq -r .state)" SANDBOX_NOTREADY "$name after stop"
		cri remove "$id" >/dev/null || fail "RemovePodSandbox $name"
		cri inspect "$id" >/dev/null 2>&1 && fail "$name still known after RemovePodSandbox"
		[ ! -e "$netns" ] || fail "$name: netns $netns left"
		short=${id:0:12}
		dels=$(grep -c "DEL $short" "$D/slicenet.log" || true)
		[ "$dels" -ge 2 ] || fail "$name: expected DEL on Stop and on Remove, log has $dels"
		[ -z "$(state_records_for "$id")" ] || fail "$name: state record left"
	done <"$PODS"
	while read -r n; do
		! ip link show "$n" >/dev/null 2>&1 || fail "host veth $n left"
	done < <(cat "$D/host-ifs" 2>/dev/null)
	n=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^sn[0-9a-f]{12}$' |
		while read -r l; do
			if ip route show dev "$l" | grep -q "^$E2E_SUBNET\."; then echo "$l"; fi
		done || true)
	[ -z "$n" ] || fail "slicenet veths with routes into $E2E_SUBNET.0/24 left: $n"
	n=$(find "$D/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null)
	[ -z "$n" ] || fail "IPAM allocations left: $n"
	n=$(find "$D/state" -name '*.json' 2>/dev/null)
	[ -z "$n" ] || fail "state records left: $n"
	n=$(find /var/lib/cni/results/ -maxdepth 1 -name "$NET_NAME-*" 2>/dev/null)
	[ -z "$n" ] || fail "libcni result cache left: $n"
	assert_eq "$(cri list | jq length)" 0 "sandboxes left"
}

test_06_teardown_leaves_the_machine_clean() {
	need_setup
	local n
	teardown || fail "teardown"
	[ -z "$(our_pids)" ] || fail "processes of our containerd left: $(our_pids)"
	n=$(findmnt -rn -o TARGET | grep "^$D/" || true)
	[ -z "$n" ] || fail "mounts left: $n"
	while read -r n; do [ ! -e "$n" ] || fail "netns left: $n"; done < <(cat "$D/netns" 2>/dev/null)
	log "whole run: $((SECONDS - t0))s"
}

if ! setup; then
	[ -s "$SETUP_ERR" ] || echo "setup failed" >"$SETUP_ERR"
	log "setup failed: $(cat "$SETUP_ERR")"
fi
# The budget covers the tests, not a first-time package install.
log "setup took $((SECONDS - t0))s"
t0=$SECONDS
# cleanup_each from lib.sh would run between tests; nothing per-test here.
run_tests
