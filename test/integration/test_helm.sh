#!/bin/bash
# The Helm chart (deploy/helm/slicenet) with a real helm binary: lint,
# template with several value sets, the rendered kinds, hostPaths, security
# contexts; the rendered conflist and slice table fed to the slicenet binary
# (VERSION, STATUS, ADD/CHECK/DEL in a netns); the node installer the
# DaemonSet runs (deploy/image/slicenet-install-cni) against temporary dirs;
# the schema's refusals; what an upgrade changes. Validation and uninstall
# of the installer: test_installer.sh.
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$repo/build}
# shellcheck source=test/integration/lib.sh
. "$here/lib.sh"

TMP=$(mktemp -d /tmp/slicenet-helm.XXXXXX)
AGENT=$BUILD_DIR/bin/slicenet-agent
NS_NAME=snhelm$$
# shellcheck source=test/integration/chart_env.sh
. "$here/chart_env.sh"

# Every plugin call is bounded: a hung ADD fails the test instead of the run.
printf '#!/bin/sh\nexec timeout 20 "%s" "$@"\n' "$SLICENET" >"$TMP/slicenet-bounded"
chmod +x "$TMP/slicenet-bounded"
export PLUGIN=$TMP/slicenet-bounded # used by cni_call

cleanup_all() {
	ip netns del "$NS_NAME" 2>/dev/null
	ip netns del "${NS_NAME}gc" 2>/dev/null
	ip netns del "${NS_NAME}nad" 2>/dev/null
	ip netns del "${NS_NAME}p" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup_all EXIT

test_lint() {
	need_setup
	"$HELM" lint --strict "$CHART" || fail "helm lint (defaults)"
	"$HELM" lint --strict "$CHART" --set cni.takeOver=true --set daemon.enabled=false ||
		fail "helm lint (takeOver, no daemon)"
	"$HELM" lint --strict "$CHART" --set-json 'daemon.pciAllowList=["0000:3b:00.1"]' \
		--set daemon.metrics.podMonitor.enabled=true --set daemon.hugepages.pageSize=1Gi \
		--set daemon.hugepages.amount=2Gi || fail "helm lint (NIC uplink, PodMonitor, 1Gi pages)"
	"$HELM" lint --strict "$CHART" --set mode=primary || fail "helm lint (primary, vxlan)"
	"$HELM" lint --strict "$CHART" --set mode=primary --set cluster.routing=host-gw \
		--set agent.metrics.podMonitor.enabled=true --set cni.uninstall=true || fail "helm lint (primary, host-gw)"
}

agent_ds() { obj "$1" DaemonSet t-slicenet-agent; }
rules_of() { obj "$1" ClusterRole t-slicenet-agent | jq -c '.rules'; }

test_rendered_kinds_and_rbac() {
	need_setup
	local out
	out=$(render) || fail "helm template"
	assert_eq "$(jq -c '[.[] | .kind + "/" + .metadata.name] | sort' <<<"$out")" \
		'["ClusterRole/t-slicenet-agent","ClusterRoleBinding/t-slicenet-agent","ConfigMap/t-slicenet","DaemonSet/t-slicenet-agent","DaemonSet/t-slicenet-cni","DaemonSet/t-slicenet-daemon","ServiceAccount/t-slicenet"]'
	assert_eq "$(jq -r '[.[] | select(.kind != "ClusterRole" and .kind != "ClusterRoleBinding")
		| .metadata.namespace] | unique | join(",")' <<<"$out")" kube-system
	# Only the agent's pods get a token; the ServiceAccount mounts none by itself.
	assert_eq "$(jq -c '[.[] | select(.kind == "DaemonSet") | {(.metadata.name): .spec.template.spec.automountServiceAccountToken}] | add' <<<"$out")" \
		'{"t-slicenet-agent":true,"t-slicenet-cni":false,"t-slicenet-daemon":false}'
	assert_eq "$(jq -c '[.[] | select(.kind == "DaemonSet") | .spec.template.spec.serviceAccountName] | unique' <<<"$out")" '["t-slicenet"]'
	assert_eq "$(jq '.[] | select(.kind == "ServiceAccount") | .automountServiceAccountToken' <<<"$out")" false
	# Secondary mode: the agent reads no Node, it only creates Events (core group).
	assert_eq "$(rules_of "$out")" '[{"apiGroups":[""],"resources":["events"],"verbs":["create"]}]'
	assert_eq "$(obj "$out" ClusterRoleBinding t-slicenet-agent | jq -cS '{roleRef, subjects}')" \
		'{"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"t-slicenet-agent"},"subjects":[{"kind":"ServiceAccount","name":"t-slicenet","namespace":"kube-system"}]}'
	# Primary mode: Nodes get/list/watch, Events create, nothing else.
	out=$(render --set mode=primary) || fail "helm template (primary)"
	assert_eq "$(rules_of "$out")" \
		'[{"apiGroups":[""],"resources":["nodes"],"verbs":["get","list","watch"]},{"apiGroups":[""],"resources":["events"],"verbs":["create"]}]'
	assert_eq "$(jq '[.[] | select(.kind == "Role" or .kind == "RoleBinding")] | length' <<<"$out")" 0
	out=$(render --set serviceAccount.create=false --set daemon.enabled=false --set agent.enabled=false) ||
		fail "helm template"
	assert_eq "$(jq -c '[.[].kind] | sort' <<<"$out")" '["ConfigMap","DaemonSet"]'
	out=$("$HELM" template t "$CHART" --set serviceAccount.create=false 2>&1) &&
		fail "agent on the namespace's default ServiceAccount"
	assert_contains "$out" "agent.enabled needs its own ServiceAccount"
	out=$(render --set daemon.metrics.podMonitor.enabled=true --set agent.metrics.podMonitor.enabled=true) ||
		fail "helm template"
	assert_eq "$(obj "$out" PodMonitor t-slicenet-daemon | jq -cS '.spec.podMetricsEndpoints')" \
		'[{"interval":"30s","path":"/metrics","port":"metrics"}]'
	assert_eq "$(obj "$out" PodMonitor t-slicenet-daemon | jq -c '.spec.selector.matchLabels')" \
		"$(daemon_ds "$out" | jq -c '.spec.selector.matchLabels')" "PodMonitor selects slicenetd's pods"
	assert_eq "$(obj "$out" PodMonitor t-slicenet-agent | jq -c '.spec.selector.matchLabels')" \
		"$(agent_ds "$out" | jq -c '.spec.selector.matchLabels')" "PodMonitor selects the agent's pods"
	assert_eq "$(obj "$out" PodMonitor t-slicenet-agent | jq -r '.spec.podMetricsEndpoints[0].port')" metrics
}

# Two DaemonSets: the installer everywhere (no hugepages, nothing removed
# when it stops), slicenetd only on labelled nodes.
test_two_daemonsets_installer_keeps_the_node_installed() {
	need_setup
	local out spec
	out=$(render) || fail "helm template"
	spec=$(cni_ds "$out" | jq .spec.template.spec)
	assert_eq "$(jq -c '[.initContainers[].name, .containers[].name]' <<<"$spec")" '["cni-install","cni-sync"]'
	assert_eq "$(jq -c '.initContainers[0].command' <<<"$spec")" '["/usr/local/bin/slicenet-install-cni","install"]'
	assert_eq "$(env_of "$out" cni-sync UNINSTALL_ON_STOP)" false "no cleanup when the pod stops"
	assert_eq "$(env_of "$out" cni-install UNINSTALL_ON_STOP)" false
	assert_eq "$(jq .hostNetwork <<<"$spec")" true "hostNetwork (the pod network needs this pod)"
	assert_eq "$(jq -r .priorityClassName <<<"$spec")" system-node-critical
	assert_eq "$(jq -c .tolerations <<<"$spec")" '[{"operator":"Exists"}]'
	assert_eq "$(jq -c .nodeSelector <<<"$spec")" '{"kubernetes.io/os":"linux"}' "installer on every node"
	assert_eq "$(jq '[.. | objects | select(has("hugepages-2Mi"))] | length' <<<"$spec")" 0 "installer needs no hugepages"
	assert_eq "$(jq -c '[.volumes[] | select(.hostPath) | .hostPath.path] | sort' <<<"$spec")" \
		'["/etc/cni/net.d","/etc/slicenet","/opt/cni/bin","/run/slicenet","/var/lib/cni","/var/lib/cni/networks","/var/lib/slicenet","/var/log"]'
	assert_eq "$(container "$out" cni-install | jq -c '[.volumeMounts[].mountPath] | sort')" \
		'["/etc/slicenet-config","/host/cni-state-parent","/host/cni/bin","/host/cni/net.d","/host/daemon-state","/host/ipam","/host/log","/host/run","/host/slicenet-etc"]'
	assert_eq "$(env_of "$out" cni-sync STATUS_FILE)" /host/run/cni-install-status.json
	assert_eq "$(env_of "$out" cni-sync RUN_DIR_NAMES)" "ports sriov"
	assert_eq "$(env_of "$out" cni-sync CONTROL_SOCKET_NAME)" slicenetd.sock
	assert_eq "$(env_of "$out" cni-sync STATE_NAME)" slicenet
	spec=$(daemon_ds "$out" | jq .spec.template.spec)
	assert_eq "$(jq -c '[(.initContainers // [])[].name, .containers[].name]' <<<"$spec")" '["slicenetd"]'
	assert_eq "$(jq -c .nodeSelector <<<"$spec")" '{"kubernetes.io/os":"linux","slicenet.io/dpdk":"true"}' \
		"slicenetd only on labelled nodes"
	assert_eq "$(jq -c '[.volumes[] | select(.hostPath) | .hostPath.path] | sort' <<<"$spec")" \
		'["/run/slicenet","/var/lib/slicenet"]'
	assert_eq "$(jq -r '.volumes[] | select(.name == "hugepages") | .emptyDir.medium' <<<"$spec")" HugePages-2Mi
	assert_eq "$(container "$out" slicenetd | jq -c '[.volumeMounts[].mountPath] | sort')" \
		'["/dev/hugepages","/run/slicenet","/var/lib/slicenet"]'
	assert_eq "$(container "$out" slicenetd | jq -c .readinessProbe.exec.command)" \
		'["/usr/local/bin/slicenetctl","-s","/run/slicenet/slicenetd.sock","--timeout","2000","version"]'
	# The label is a value; the global nodeSelector still applies.
	out=$(render --set daemon.nodeLabel.key=edge.example/dpdk --set daemon.nodeLabel.value=yes \
		--set-json 'nodeSelector={"kubernetes.io/os":"linux","zone":"a"}') || fail "helm template"
	assert_eq "$(daemon_ds "$out" | jq -c .spec.template.spec.nodeSelector)" \
		'{"edge.example/dpdk":"yes","kubernetes.io/os":"linux","zone":"a"}'
	assert_eq "$(cni_ds "$out" | jq -c .spec.template.spec.nodeSelector)" '{"kubernetes.io/os":"linux","zone":"a"}'
	out=$(render --set cni.uninstall=true) || fail "helm template"
	assert_eq "$(env_of "$out" cni-sync UNINSTALL_ON_STOP)" true
	# Custom paths follow the values.
	out=$(render --set cni.binDir=/usr/libexec/cni --set cni.confDir=/etc/kubernetes/cni/net.d \
		--set cni.slicesFile=/etc/edge/slices.json --set daemon.enabled=false) || fail "helm template (paths)"
	spec=$(cni_ds "$out" | jq .spec.template.spec)
	assert_eq "$(jq -c '[.volumes[] | select(.hostPath) | .hostPath.path] | sort' <<<"$spec")" \
		'["/etc/edge","/etc/kubernetes/cni/net.d","/run/slicenet","/usr/libexec/cni","/var/lib/cni","/var/lib/cni/networks","/var/log"]'
	assert_eq "$(cm_key "$out" 10-slicenet.conflist | jq -r '.plugins[0].slicesFile')" /etc/edge/slices.json
	assert_eq "$(jq -c '[.[] | select(.kind == "DaemonSet") | .metadata.name] | sort' <<<"$out")" \
		'["t-slicenet-agent","t-slicenet-cni"]'
}

# Guaranteed QoS, EAL memory from the hugepage request, no PCI probing by
# default, lcores left to the cpuset.
test_daemon_guaranteed_and_eal_args() {
	need_setup
	local out c args
	out=$(render) || fail "helm template"
	c=$(container "$out" slicenetd)
	assert_eq "$(jq -c .resources.requests <<<"$c")" '{"cpu":"2","hugepages-2Mi":"512Mi","memory":"256Mi"}'
	assert_eq "$(jq -c .resources.limits <<<"$c")" "$(jq -c .resources.requests <<<"$c")" "requests = limits"
	# Every container of the pod (init containers too) has requests = limits
	# for cpu and memory: the pod is Guaranteed.
	assert_eq "$(daemon_ds "$out" | jq '[.spec.template.spec | (.initContainers // []) + .containers | .[]
		| select(.resources.requests != .resources.limits or (.resources.limits.cpu == null)
			or (.resources.limits.memory == null))] | length')" 0 "a container is not Guaranteed"
	args=$(jq -c .args <<<"$c")
	assert_contains "$args" '"--","-m","512","--huge-dir","/dev/hugepages","--no-pci","--file-prefix","slicenet"]'
	assert_contains "$args" '"--ctl-socket","/run/slicenet/slicenetd.sock"'
	case "$args" in *'"-l"'* | *'"--lcores"'*) fail "an lcore list overrides the cpuset: $args" ;; esac
	# 1Gi pages: the resource, the medium and -m follow.
	out=$(render --set daemon.hugepages.pageSize=1Gi --set daemon.hugepages.amount=2Gi --set daemon.cpus=3) ||
		fail "helm template (1Gi)"
	c=$(container "$out" slicenetd)
	assert_eq "$(jq -c .resources.limits <<<"$c")" '{"cpu":"3","hugepages-1Gi":"2Gi","memory":"256Mi"}'
	assert_contains "$(jq -c .args <<<"$c")" '"-m","2048"'
	assert_eq "$(daemon_ds "$out" | jq -r '.spec.template.spec.volumes[] | select(.name == "hugepages") | .emptyDir.medium')" \
		HugePages-1Gi
	# A NIC uplink: an explicit allow-list replaces --no-pci.
	out=$(render --set-json 'daemon.pciAllowList=["0000:3b:00.1","0000:3b:00.2"]' --set daemon.uplink=af_packet:eth1) ||
		fail "helm template (PCI)"
	args=$(container "$out" slicenetd | jq -c .args)
	assert_contains "$args" '"-a","0000:3b:00.1","-a","0000:3b:00.2"'
	assert_contains "$args" '"--uplink","af_packet:eth1"'
	case "$args" in *--no-pci*) fail "--no-pci with an allow-list: $args" ;; esac
}

test_daemon_metrics() {
	need_setup
	local out c
	out=$(render) || fail "helm template"
	c=$(container "$out" slicenetd)
	# shellcheck disable=SC2016 # $(POD_IP) is for kubelet to expand
	assert_contains "$(jq -c .args <<<"$c")" '"--metrics","$(POD_IP):9651"'
	assert_eq "$(jq -c '.env' <<<"$c")" '[{"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}}]'
	assert_eq "$(jq -cS '.ports' <<<"$c")" '[{"containerPort":9651,"name":"metrics","protocol":"TCP"}]'
	out=$(render --set daemon.metrics.bindAddress=127.0.0.1 --set daemon.metrics.port=9700) || fail "helm template"
	c=$(container "$out" slicenetd)
	assert_contains "$(jq -c .args <<<"$c")" '"--metrics","127.0.0.1:9700"'
	assert_eq "$(jq -c '.env' <<<"$c")" null
	out=$(render --set daemon.metrics.enabled=false --set daemon.metrics.podMonitor.enabled=true) || fail "helm template"
	case "$(container "$out" slicenetd | jq -c .args)" in *--metrics*) fail "--metrics when disabled" ;; esac
	assert_eq "$(jq '[.[] | select(.kind == "PodMonitor")] | length' <<<"$out")" 0
}

# ---- modes and the node agent

# Primary mode's conflist is what e2e/cluster/test_cluster.sh runs the
# plugin with: "mode", "clusterCIDR", IPAM from the agent's ranges file,
# the data network in the fast class, portmap chained. Secondary mode's is
# unchanged (no mode key, cni.ipam as given, no data keys, no portmap).
test_primary_and_secondary_conflists() {
	need_setup
	local out list slices
	out=$(render --set mode=primary) || fail "helm template (primary)"
	list=$(cm_key "$out" 10-slicenet.conflist)
	assert_eq "$(jq -c '[.plugins[].type]' <<<"$list")" '["slicenet","portmap"]'
	assert_eq "$(jq -cS '.plugins[0] | {mode, clusterCIDR, ipam}' <<<"$list")" \
		'{"clusterCIDR":"10.244.0.0/16","ipam":{"dataDir":"/var/lib/cni/networks","rangesFile":"/run/slicenet/ranges.json","type":"slicenet-ipam"},"mode":"primary"}'
	assert_eq "$(jq -cS '.plugins[1]' <<<"$list")" '{"capabilities":{"portMappings":true},"type":"portmap"}'
	slices=$(cm_key "$out" slices.json)
	assert_eq "$(jq -c '.slices.urllc | {dataSubnet}' <<<"$slices")" '{"dataSubnet":"10.250.0.0/16"}'
	# The plugin's own parser accepts it once the agent's ranges file is there...
	echo "$slices" >"$TMP/p-slices.json"
	echo '{"ranges": [[{"subnet": "10.244.7.0/24"}]]}' >"$TMP/p-ranges.json"
	jq --arg r "$TMP/p-ranges.json" '.plugins[0].ipam.rangesFile = $r' <<<"$list" |
		"$SLICENET" --validate --slices-file "$TMP/p-slices.json" || fail "slicenet --validate refused the primary conflist"
	# ...and it really is primary mode: a fast class without dataSubnet is refused.
	jq --arg r "$TMP/p-ranges.json" '.plugins[0].ipam.rangesFile = $r' <<<"$list" >"$TMP/p-list.json"
	jq 'del(.slices.urllc.dataSubnet)' "$TMP/p-slices.json" >"$TMP/p-nodata.json"
	out=$("$SLICENET" --validate --slices-file "$TMP/p-nodata.json" <"$TMP/p-list.json") &&
		fail "the plugin accepted a primary urllc class without dataSubnet"
	assert_contains "$out" 'primary mode needs a \"dataSubnet\"'
	# An ADD of an embb pod with it: eth0 from the node's range.
	mkdir -p "$TMP/p"
	ip netns add "${NS_NAME}p"
	local conf res
	conf=$(jq -c --arg t "$TMP/p" --arg s "$TMP/p-slices.json" '.plugins[0] + {cniVersion, name}
		| .slicesFile = $s | .ipam.dataDir = ($t + "/ipam") | .stateDir = ($t + "/state")
		| .logFile = ($t + "/log") | .vhostuser.daemonSocket = ($t + "/nodaemon.sock") | del(.capabilities)' "$TMP/p-list.json")
	res=$(cni_call ADD "/run/netns/${NS_NAME}p" p-ctr eth0 "$conf") || fail "primary ADD: $res"
	assert_contains "$(ip -n "${NS_NAME}p" -o addr show dev eth0)" "inet 10.244.7."
	cni_call DEL "/run/netns/${NS_NAME}p" p-ctr eth0 "$conf" || fail "primary DEL"
	ip netns del "${NS_NAME}p"
	# Other cluster settings follow the values; portmap can be left out.
	out=$(render --set mode=primary --set-json 'cluster.podCIDRs=["fd00:10:244::/56","10.42.0.0/16"]' \
		--set cluster.rangesFile=/run/slicenet/node-ranges.json --set cni.portmap=false) || fail "helm template"
	list=$(cm_key "$out" 10-slicenet.conflist)
	assert_eq "$(jq -c '[.plugins[0].clusterCIDR, .plugins[0].ipam.rangesFile, (.plugins | length)]' <<<"$list")" \
		'["10.42.0.0/16","/run/slicenet/node-ranges.json",1]'
	# Secondary (default): today's conflist.
	out=$(render) || fail "helm template"
	list=$(cm_key "$out" 10-slicenet.conflist)
	assert_eq "$(jq -c '[(.plugins | length), .plugins[0].mode, .plugins[0].clusterCIDR, .plugins[0].ipam.rangesFile]' <<<"$list")" \
		'[1,null,null,null]'
	assert_eq "$(jq -c '.plugins[0].ipam' <<<"$list")" \
		'{"dataDir":"/var/lib/cni/networks","ranges":[[{"subnet":"10.244.0.0/24"}]],"type":"slicenet-ipam"}'
	assert_eq "$(cm_key "$out" slices.json | jq -c '[.slices[] | keys[] | select(IN("dataSubnet", "dataBlockPrefix", "dataIfname"))]')" '[]' \
		"data network keys in the secondary table"
	# slicenetd gets the tap the agent routes data blocks through only in primary mode.
	case "$(container "$out" slicenetd | jq -c .args)" in *--uplink*) fail "an uplink in secondary mode" ;; esac
	out=$(render --set mode=primary) || fail "helm template"
	assert_contains "$(container "$out" slicenetd | jq -c .args)" '"--uplink","tap:slicenet-up"'
}

# The agent: its own DaemonSet, host network, NODE_NAME, NET_ADMIN only,
# flags from the values, accepted by the agent's own option parser.
test_agent_daemonset() {
	need_setup
	local out c spec flags f
	local -a args
	out=$(render --set mode=primary --set cluster.routing=host-gw) || fail "helm template"
	spec=$(agent_ds "$out" | jq .spec.template.spec)
	c=$(container "$out" slicenet-agent)
	assert_eq "$(jq .hostNetwork <<<"$spec")" true
	assert_eq "$(jq -c .tolerations <<<"$spec")" '[{"operator":"Exists"}]' "the agent runs on NotReady nodes"
	assert_eq "$(jq -r .priorityClassName <<<"$spec")" system-node-critical
	assert_eq "$(jq -c .command <<<"$c")" '["/usr/local/bin/slicenet-agent"]'
	assert_eq "$(jq -cS .securityContext <<<"$c")" \
		'{"allowPrivilegeEscalation":false,"capabilities":{"add":["NET_ADMIN"],"drop":["ALL"]},"privileged":false,"runAsUser":0}'
	assert_eq "$(jq -c '[.env[] | select(.name == "NODE_NAME") | .valueFrom.fieldRef.fieldPath]' <<<"$c")" '["spec.nodeName"]'
	# shellcheck disable=SC2016 # $(POD_IP) is for kubelet to expand
	assert_eq "$(jq -c .args <<<"$c")" \
		'["--mode","host-gw","--cluster-cidr","10.244.0.0/16","--data-subnet","10.250.0.0/16/24","--data-uplink","slicenet-up","--resync","60","--ranges-file","/run/slicenet/ranges.json","--state-dir","/var/lib/cni/slicenet","--ipam-dir","/var/lib/cni/networks","--install-status","/run/slicenet/cni-install-status.json","--log-level","info","--metrics","$(POD_IP):9652"]'
	assert_eq "$(jq -cS '.ports' <<<"$c")" '[{"containerPort":9652,"name":"metrics","protocol":"TCP"}]'
	assert_eq "$(jq -c '[.volumeMounts[] | [.mountPath, (.readOnly // false)]]' <<<"$c")" \
		'[["/run/slicenet",false],["/var/lib/cni/slicenet",false],["/var/lib/cni/networks",true]]'
	assert_eq "$(jq -c '[.volumes[].hostPath.path]' <<<"$spec")" \
		'["/run/slicenet","/var/lib/cni/slicenet","/var/lib/cni/networks"]'
	# Every rendered flag passes the agent's own parser (--help exits 0 only then).
	mapfile -t args < <(jq -r '.args[]' <<<"$c")
	"$AGENT" "${args[@]}" --help >/dev/null || fail "slicenet-agent refused the rendered flags: ${args[*]}"
	# vxlan: VNI and port from the values; data blocks of every fast class, each once.
	out=$(render --set mode=primary --set cluster.vxlan.vni=7 --set cluster.vxlan.port=4789 \
		--set agent.apiServer=https://10.0.0.1:6443 --set agent.logLevel=debug \
		--set-json 'slices.classes=[{"name":"a","datapaths":["veth"]},{"name":"u","datapaths":["vhostuser","veth"],"dataSubnet":"10.250.0.0/16","dataBlockPrefix":26},{"name":"s","datapaths":["sriov"],"dataSubnet":"10.251.0.0/16"},{"name":"u2","datapaths":["vhostuser"],"dataSubnet":"10.250.0.0/16","dataBlockPrefix":26}]') ||
		fail "helm template (vxlan)"
	c=$(container "$out" slicenet-agent)
	assert_contains "$(jq -c .args <<<"$c")" \
		'"--mode","vxlan","--cluster-cidr","10.244.0.0/16","--data-subnet","10.250.0.0/16/26","--data-subnet","10.251.0.0/16/24","--data-uplink","slicenet-up","--vxlan-vni","7","--vxlan-port","4789","--resync","60"'
	assert_contains "$(jq -c .args <<<"$c")" '"--api-server","https://10.0.0.1:6443"'
	assert_contains "$(jq -c .args <<<"$c")" '"--log-level","debug"'
	mapfile -t args < <(jq -r '.args[]' <<<"$c")
	"$AGENT" "${args[@]}" --help >/dev/null || fail "slicenet-agent refused the rendered flags: ${args[*]}"
	# No slicenetd: no data uplink.
	out=$(render --set mode=primary --set daemon.enabled=false) || fail "helm template"
	case "$(container "$out" slicenet-agent | jq -c .args)" in *--data-uplink*) fail "--data-uplink without slicenetd" ;; esac
	# Secondary mode: metrics and Events only; no routing flag at all.
	out=$(render) || fail "helm template"
	c=$(container "$out" slicenet-agent)
	flags=$(jq -c .args <<<"$c")
	assert_contains "$flags" '"--mode","none"'
	for f in --cluster-cidr --data-subnet --data-uplink --vxlan-vni --vxlan-port --resync; do
		case "$flags" in *"\"$f\""*) fail "secondary mode renders $f: $flags" ;; esac
	done
	# shellcheck disable=SC2016 # $(POD_IP) is for kubelet to expand
	assert_contains "$flags" '"--metrics","$(POD_IP):9652"'
	mapfile -t args < <(jq -r '.args[]' <<<"$c")
	"$AGENT" "${args[@]}" --help >/dev/null || fail "slicenet-agent refused the rendered flags: ${args[*]}"
	out=$(render --set agent.metrics.enabled=false) || fail "helm template"
	c=$(container "$out" slicenet-agent)
	case "$(jq -c .args <<<"$c")" in *--metrics*) fail "--metrics when disabled" ;; esac
	assert_eq "$(jq -c '[.env[].name]' <<<"$c")" '["NODE_NAME"]'
	out=$(render --set agent.enabled=false) || fail "helm template"
	assert_eq "$(jq '[.[] | select(.metadata.name == "t-slicenet-agent")] | length' <<<"$out")" 0
}

# cni.uninstall reaches the agent as --uninstall-on-stop (test_agent.sh
# checks that a SIGTERM then removes routes, VXLAN device, nft table and
# ranges file), in both modes; never by default.
test_uninstall_wiring_reaches_the_agent() {
	need_setup
	local out mode
	for mode in secondary primary; do
		out=$(render --set mode=$mode) || fail "helm template"
		case "$(container "$out" slicenet-agent | jq -c .args)" in
		*--uninstall*) fail "$mode: the agent uninstalls on stop by default" ;;
		esac
		out=$(render --set mode=$mode --set cni.uninstall=true) || fail "helm template"
		assert_eq "$(container "$out" slicenet-agent | jq -r '.args[-1]')" --uninstall-on-stop "$mode"
		assert_eq "$(env_of "$out" cni-sync UNINSTALL_ON_STOP)" true "$mode: installer"
		assert_eq "$(agent_ds "$out" | jq .spec.template.spec.terminationGracePeriodSeconds)" 30
	done
}

# Changing the agent's settings (routing, log level) rolls only the agent:
# slicenetd and the installer keep running.
test_agent_changes_restart_only_the_agent() {
	need_setup
	local base new v
	base=$(render --set mode=primary) || fail "helm template"
	for v in cluster.routing=host-gw agent.logLevel=debug cluster.vxlan.port=4789 agent.resyncSeconds=30; do
		new=$(render --set mode=primary --set "$v") || fail "helm template ($v)"
		[ "$(agent_ds "$new" | jq -cS .spec.template)" != "$(agent_ds "$base" | jq -cS .spec.template)" ] ||
			fail "$v did not reach the agent"
		assert_eq "$(daemon_ds "$new" | jq -cS .)" "$(daemon_ds "$base" | jq -cS .)" "$v restarted slicenetd"
		assert_eq "$(cni_ds "$new" | jq -cS .)" "$(cni_ds "$base" | jq -cS .)" "$v restarted the installer"
		assert_eq "$(obj "$new" ConfigMap t-slicenet | jq -cS .)" "$(obj "$base" ConfigMap t-slicenet | jq -cS .)"
	done
	# And a slice table or plugin log level change does not restart the agent.
	new=$(render --set mode=primary --set cni.logLevel=debug) || fail "helm template"
	assert_eq "$(agent_ds "$new" | jq -cS .)" "$(agent_ds "$base" | jq -cS .)" "cni.logLevel restarted the agent"
}

# What a `helm upgrade` changes. The installer follows the ConfigMap live,
# so a new log level or slice table restarts no pod; a slicenetd setting
# rolls only slicenetd; an installer setting only the installer; a chart
# version bump alone neither.
test_upgrade_changes_only_what_it_must() {
	need_setup
	local base new chart2
	base=$(render) || fail "helm template"
	new=$(render --set cni.logLevel=debug) || fail "helm template (logLevel)"
	[ "$(obj "$base" ConfigMap t-slicenet)" != "$(obj "$new" ConfigMap t-slicenet)" ] || fail "ConfigMap unchanged"
	assert_eq "$(cm_key "$new" 10-slicenet.conflist | jq -r '.plugins[0].logLevel')" debug
	assert_eq "$(daemon_ds "$new" | jq -cS .)" "$(daemon_ds "$base" | jq -cS .)" "slicenetd's DaemonSet changed"
	assert_eq "$(cni_ds "$new" | jq -cS .spec.template)" "$(cni_ds "$base" | jq -cS .spec.template)" \
		"installer pod template changed (it syncs the ConfigMap live)"
	new=$(render --set-json 'slices.classes=[{"name":"urllc","datapaths":["vhostuser","veth"],"mtu":9000}]') ||
		fail "helm template (slices)"
	assert_eq "$(daemon_ds "$new" | jq -cS .)" "$(daemon_ds "$base" | jq -cS .)" "slice table restarted slicenetd"
	assert_eq "$(cni_ds "$new" | jq -cS .)" "$(cni_ds "$base" | jq -cS .)" "slice table restarted the installer"
	new=$(render --set cni.uninstall=true) || fail "helm template (uninstall)"
	[ "$(cni_ds "$new" | jq -cS .spec.template)" != "$(cni_ds "$base" | jq -cS .spec.template)" ] ||
		fail "the uninstall switch did not reach the installer"
	assert_eq "$(daemon_ds "$new" | jq -cS .)" "$(daemon_ds "$base" | jq -cS .)" "uninstall switch restarted slicenetd"
	new=$(render --set daemon.cpus=4) || fail "helm template (cpus)"
	[ "$(daemon_ds "$new" | jq -cS .spec.template)" != "$(daemon_ds "$base" | jq -cS .spec.template)" ] ||
		fail "cpus did not reach slicenetd"
	assert_eq "$(cni_ds "$new" | jq -cS .)" "$(cni_ds "$base" | jq -cS .)" "a slicenetd setting restarted the installer"
	assert_eq "$(obj "$new" ConfigMap t-slicenet | jq -cS .)" "$(obj "$base" ConfigMap t-slicenet | jq -cS .)"
	# A new chart version with nothing else changed: no pod template changes.
	chart2=$TMP/chart2
	cp -r "$CHART" "$chart2"
	sed -i 's/^version: .*/version: 9.9.9/' "$chart2/Chart.yaml"
	new=$(render_chart "$chart2") || fail "helm template (chart 9.9.9)"
	assert_contains "$(daemon_ds "$new" | jq -r '.metadata.labels["helm.sh/chart"]')" 9.9.9
	assert_eq "$(daemon_ds "$new" | jq -cS .spec.template)" "$(daemon_ds "$base" | jq -cS .spec.template)" \
		"a chart version bump restarts slicenetd"
	assert_eq "$(cni_ds "$new" | jq -cS .spec.template)" "$(cni_ds "$base" | jq -cS .spec.template)"
}

test_image_reference() {
	need_setup
	local out
	out=$(render) || fail "helm template"
	assert_eq "$(jq -r '[.[] | select(.kind == "DaemonSet") | .spec.template.spec | (.initContainers // []) + .containers
		| .[].image] | unique | join(" ")' <<<"$out")" slicenet:0.1.0 "appVersion is the default tag"
	out=$(render --set image.registry=registry.example:5000/edge --set image.repository=slicenet \
		--set image.tag=0.2.0-rc1) || fail "helm template"
	assert_eq "$(container "$out" slicenetd | jq -r .image)" registry.example:5000/edge/slicenet:0.2.0-rc1
	assert_eq "$(container "$out" cni-install | jq -r .image)" registry.example:5000/edge/slicenet:0.2.0-rc1
	out=$(render --set image.registry=ghcr.io --set image.repository=example/slicenet --set image.tag=0.2.0 \
		--set image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef) ||
		fail "helm template"
	assert_eq "$(container "$out" cni-sync | jq -r .image)" \
		ghcr.io/example/slicenet@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
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
		'["IPC_LOCK","NET_ADMIN","NET_RAW","SYS_RAWIO","FOWNER"]'
}

# values.schema.json (and the template's own checks) refuse bad values at
# lint/template/install time, each with a message naming the value. Every
# line: what is wrong | the helm arguments | a fragment of helm's message.
BAD_VALUES='unknown datapath|--set-json|slices.classes=[{"name":"x","datapaths":["dpdk"]}]|slices.classes.0.datapaths.0
MTU below 68|--set-json|slices.classes=[{"name":"x","datapaths":["veth"],"mtu":20}]|Must be greater than or equal to 68
MTU above 65535|--set-json|slices.classes=[{"name":"x","datapaths":["veth"],"mtu":70000}]|Must be less than or equal to 65535
MTU over 9000 with vhostuser|--set-json|slices.classes=[{"name":"x","datapaths":["vhostuser"],"mtu":9216}]|Must be less than or equal to 9000
MTU as a string|--set-json|slices.classes=[{"name":"x","datapaths":["veth"],"mtu":"1500"}]|Invalid type
hugepage amount not whole 1Gi pages|--set|daemon.hugepages.pageSize=1Gi,daemon.hugepages.amount=512Mi|daemon.hugepages.amount
hugepage amount not whole 2Mi pages|--set|daemon.hugepages.amount=513Mi|daemon.hugepages.amount
unsupported hugepage size|--set|daemon.hugepages.pageSize=4Mi|daemon.hugepages.pageSize
unknown key in a class|--set-json|slices.classes=[{"name":"x","datapaths":["veth"],"mtuu":1500}]|Additional property mtuu is not allowed
unknown daemon key (typo)|--set|daemon.enable=false|Additional property enable is not allowed
unknown top-level key|--set|slice.defaultSlice=embb|Additional property slice is not allowed
unknown sriov key|--set|sriov.vlans=3|Additional property vlans is not allowed
bad vhostuser mode|--set|vhostuser.mode=bogus|vhostuser.mode
bad sriov mode in a class|--set-json|slices.classes=[{"name":"x","datapaths":["sriov"],"sriov":{"mode":"fast"}}]|slices.classes.0.sriov.mode
bad log level|--set|cni.logLevel=verbose|cni.logLevel
bad DaemonSet strategy|--set|daemon.updateStrategy.type=Recreate|daemon.updateStrategy.type
bad class name|--set-json|slices.classes=[{"name":"a/b","datapaths":["veth"]}]|slices.classes.0.name
class without datapaths|--set-json|slices.classes=[{"name":"x"}]|datapaths is required
no class|--set-json|slices.classes=[]|Array must have at least 1 items
CPUs not whole|--set|daemon.cpus=1.5|daemon.cpus
bad image digest|--set|image.digest=sha256:abc|image.digest
bad PCI address|--set-json|daemon.pciAllowList=["eth0"]|daemon.pciAllowList.0
EAL -m given by hand|--set-json|daemon.ealArgs=["-m","64"]|daemon.ealArgs
path with ..|--set|cni.stateDir=/var/lib/../etc|cni.stateDir
duplicate class|--set-json|slices.classes=[{"name":"x","datapaths":["veth"]},{"name":"x","datapaths":["veth"]}]|class "x" is listed twice
defaultSlice not a class|--set|slices.defaultSlice=nope|slices.defaultSlice "nope" is not the name of a class
socket dir outside the run dir|--set|daemon.socketDir=/tmp/ports|daemon.socketDir "/tmp/ports" must lie below daemon.runDir
unknown mode|--set|mode=overlay|mode
unknown routing|--set|cluster.routing=bgp|cluster.routing
pod CIDR not a CIDR|--set-json|cluster.podCIDRs=["10.244.0.0"]|cluster.podCIDRs.0
pod CIDR octet out of range|--set-json|cluster.podCIDRs=["10.300.0.0/16"]|cluster.podCIDRs.0
data subnet not IPv4|--set-json|slices.classes=[{"name":"u","datapaths":["vhostuser"],"dataSubnet":"fd00::/48"}]|slices.classes.0.dataSubnet
VXLAN VNI out of range|--set|cluster.vxlan.vni=16777216|cluster.vxlan.vni
unknown agent key|--set|agent.routing=vxlan|Additional property routing is not allowed
agent log level|--set|agent.logLevel=trace|agent.logLevel
ranges file with a # (the installer substitutes the path)|--set|cluster.rangesFile=/run/slicenet/r#1.json|cluster.rangesFile
primary without the agent|--set|mode=primary,agent.enabled=false|mode primary needs agent.enabled
primary fast class without data subnet|--set|mode=primary,slices.classes[0].name=u,slices.classes[0].datapaths[0]=vhostuser|class "u" lists vhostuser and needs a dataSubnet
ranges file outside the run dir|--set|mode=primary,cluster.rangesFile=/var/ranges.json|cluster.rangesFile "/var/ranges.json" must lie below daemon.runDir'

test_bad_values_are_refused() {
	need_setup
	local what flag arg want out n=0
	while IFS='|' read -r what flag arg want; do
		n=$((n + 1))
		out=$("$HELM" template t "$CHART" "$flag" "$arg" 2>&1) && fail "$what: rendered ($flag $arg)"
		assert_contains "$out" "$want" "$what"
	done <<<"$BAD_VALUES"
	assert_eq "$n" 39
	# helm lint applies the same schema.
	out=$("$HELM" lint --strict "$CHART" --set vhostuser.mode=bogus 2>&1) && fail "lint accepted a bad mode"
	assert_contains "$out" vhostuser.mode
}

# Helm merges maps with the chart's defaults but replaces lists: a user's
# table with only urllc renders only urllc.
test_user_slice_table_replaces_the_defaults() {
	need_setup
	local out
	cat >"$TMP/urllc-only.yaml" <<'YAML'
slices:
  classes:
    - name: urllc
      datapaths: [vhostuser, veth]
      mtu: 9000
      queues: 2
YAML
	out=$(render -f "$TMP/urllc-only.yaml") || fail "helm template"
	assert_eq "$(cm_key "$out" slices.json | jq -cS .)" \
		'{"defaultSlice":"urllc","slices":{"urllc":{"datapaths":["vhostuser","veth"],"mtu":9000,"queues":2}}}'
	out=$(render --set-json 'slices.classes=[{"name":"a","datapaths":["veth"]},{"name":"b","datapaths":["sriov","veth"],"sriov":{"mode":"dpdk","vlan":200}}]' \
		--set slices.defaultSlice=b) || fail "helm template"
	assert_eq "$(cm_key "$out" slices.json | jq -cS .)" \
		'{"defaultSlice":"b","slices":{"a":{"datapaths":["veth"]},"b":{"datapaths":["sriov","veth"],"sriov":{"mode":"dpdk","vlan":200}}}}'
	# The plugin's parser accepts what the chart rendered.
	cm_key "$out" slices.json >"$TMP/ab.json"
	cm_key "$out" 10-slicenet.conflist | "$SLICENET" --validate --slices-file "$TMP/ab.json" ||
		fail "slicenet --validate refused the rendered table"
}

# Non-root DPDK pods: the pod directory's group and mode go into the
# plugin's vhostuser section (podDirGroup, podDirMode).
test_vhostuser_pod_directory_settings() {
	need_setup
	local out
	out=$(render) || fail "helm template"
	assert_eq "$(cm_key "$out" 10-slicenet.conflist | jq -cS '.plugins[0].vhostuser')" \
		'{"daemonSocket":"/run/slicenet/slicenetd.sock","mode":"client","podSocketDir":"/var/run/slicenet","queues":1,"socketDir":"/run/slicenet/ports","timeoutMs":3000}'
	out=$(render --set vhostuser.podDirectory.group=2000 --set vhostuser.podDirectory.mode=0770 \
		--set vhostuser.mode=server) || fail "helm template"
	assert_eq "$(cm_key "$out" 10-slicenet.conflist | jq -c '.plugins[0].vhostuser | [.podDirGroup, .podDirMode, .mode]')" \
		'[2000,"0770","server"]'
	out=$(render --set-json 'sriov={"pfs":["ens1f0"],"mode":"any"}') || fail "helm template"
	assert_eq "$(cm_key "$out" 10-slicenet.conflist | jq -c '.plugins[0].sriov')" '{"mode":"any","pfs":["ens1f0"]}'
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

# deploy/examples: one NetworkAttachmentDefinition per default class (the
# class in args.cni.slice, as Multus passes cni-args) and an SR-IOV one with
# the device plugin's resourceName; each config passes the plugin's parser
# with the chart's table, and one is attached in a netns.
test_network_attachment_definition_examples() {
	need_setup
	local out nads classes f conf res
	out=$(render) || fail "helm template"
	cm_key "$out" slices.json >"$TMP/nad-slices.json"
	nads=$(python3 -c 'import json, sys, yaml
print(json.dumps([yaml.safe_load(open(f)) for f in sys.argv[1:]]))' "$repo"/deploy/examples/nad-*.yaml) ||
		fail "examples are not YAML"
	assert_eq "$(jq -r '[.[] | .apiVersion + " " + .kind] | unique | join(",")' <<<"$nads")" 		"k8s.cni.cncf.io/v1 NetworkAttachmentDefinition"
	classes=$(jq -c '.slices | keys' "$TMP/nad-slices.json")
	assert_eq "$(jq -c '[.[] | .spec.config | fromjson | select(.plugins[0].sriov == null)
		| .plugins[0].args.cni.slice] | sort' <<<"$nads")" "$classes" "one NAD per default class"
	assert_eq "$(jq -r '[.[] | select(.metadata.annotations["k8s.v1.cni.cncf.io/resourceName"])
		| .spec.config | fromjson | .plugins[0] | [.type, .args.cni.slice, (.sriov | type)] | join(" ")] | join(",")' <<<"$nads")" 		"slicenet urllc object" "the SR-IOV example"
	for f in "$repo"/deploy/examples/nad-*.yaml; do
		python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"]["config"])' "$f" |
			"$SLICENET" --validate --slices-file "$TMP/nad-slices.json" || fail "$f: refused by the plugin"
	done
	# The mmtc network in a netns: the class comes from args.cni.slice.
	conf=$(jq -c '.[] | .spec.config | fromjson | select(.name == "slicenet-mmtc")' <<<"$nads" |
		jq -c --arg t "$TMP/nad" --arg s "$TMP/nad-slices.json" '.plugins[0] + {cniVersion, name} | .slicesFile = $s
			| .ipam.dataDir = ($t + "/ipam") | .stateDir = ($t + "/state") | .logFile = ($t + "/log")
			| del(.capabilities)')
	mkdir -p "$TMP/nad"
	ip netns add "${NS_NAME}nad"
	res=$(cni_call ADD "/run/netns/${NS_NAME}nad" nad-ctr net1 "$conf") || fail "ADD: $res"
	assert_contains "$(ip -n "${NS_NAME}nad" link show dev net1)" "mtu 1280"
	assert_contains "$(ip -n "${NS_NAME}nad" -o addr show dev net1)" "inet 10.56.2."
	assert_contains "$(cat "$TMP/nad/log")" "slice mmtc"
	cni_call DEL "/run/netns/${NS_NAME}nad" nad-ctr net1 "$conf" || fail "DEL"
	ip netns del "${NS_NAME}nad"
	[ -z "$(find "$TMP/nad/ipam" -type f ! -name lock ! -name 'last_reserved_ip*')" ] || fail "IPAM allocation left"
}

# ---- the node installer, against temp dirs standing in for the host

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

# The sidecar follows ConfigMap edits; stopping it (an upgrade, a node
# drain) leaves the node installed; with UNINSTALL_ON_STOP=true
# (cni.uninstall) stopping removes everything.
test_installer_watch_syncs_and_keeps_the_node_installed_on_stop() {
	local r=$TMP/inst4 pid _ uninstall mtu=1300
	installer_fixture "$r"
	for uninstall in false true; do
		mtu=$((mtu + 10))
		# shellcheck disable=SC2046 # the assignments hold no spaces
		env $(installer_env "$r") UNINSTALL_ON_STOP=$uninstall "$INSTALLER" watch 2>"$r/watch.log" &
		pid=$!
		# A failed assertion ends this subshell: the watch must not outlive it
		# (watch_pid is global: the trap runs after this function's locals are gone).
		watch_pid=$pid
		trap '[ -z "${watch_pid:-}" ] || kill "$watch_pid" 2>/dev/null || true' EXIT
		for _ in $(seq 1 50); do [ -f "$r/host/etc/cni/net.d/10-slicenet.conflist" ] && break; sleep 0.1; done
		[ -f "$r/host/etc/cni/net.d/10-slicenet.conflist" ] || fail "watch did not install"
		# An operator edits the ConfigMap (kubelet swaps the file atomically).
		config_update "$r" slices.json ".slices.mmtc.mtu = $mtu"
		for _ in $(seq 1 50); do
			[ "$(jq .slices.mmtc.mtu "$r/host/etc/slicenet/slices.json")" = $mtu ] && break
			sleep 0.1
		done
		assert_eq "$(jq .slices.mmtc.mtu "$r/host/etc/slicenet/slices.json")" $mtu "slice table synced"
		kill -TERM "$pid"
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "watch ignored SIGTERM"; }
		wait "$pid" || fail "watch exited non-zero: $(cat "$r/watch.log")"
		if [ $uninstall = false ]; then
			cmp "$r/config/10-slicenet.conflist" "$r/host/etc/cni/net.d/10-slicenet.conflist" ||
				fail "conflist gone after the pod stopped"
			[ -x "$r/host/opt/cni/bin/slicenet" ] || fail "binary gone after the pod stopped"
			assert_contains "$(cat "$r/watch.log")" "the node keeps slicenet installed"
		else
			assert_eq "$(find "$r/host" -type f | wc -l)" 0 "files left after stop with uninstall"
		fi
	done
}

# Primary mode: the conflist names the agent's ranges file, which does not
# exist yet when the installer first runs (and is a host path it does not
# see). The installer validates against a stand-in (RANGES_FILE and
# RANGES_STAND_IN_SUBNET, from the rendered env) and installs the conflist
# unchanged; a bad primary table is still refused.
test_installer_primary_mode_before_the_agent_ran() {
	need_setup
	local r=$TMP/inst5 out rf sub
	out=$(render --set mode=primary) || fail "helm template"
	rf=$(env_of "$out" cni-install RANGES_FILE)
	sub=$(env_of "$out" cni-sync RANGES_STAND_IN_SUBNET)
	assert_eq "$rf $sub" "/run/slicenet/ranges.json 10.244.0.0/16"
	assert_eq "$(env_of "$(render)" cni-install RANGES_FILE)" "" "secondary mode has no ranges file"
	installer_fixture "$r" --set mode=primary
	[ ! -e "$rf" ] || fail "$rf exists on this machine: the test would not show the stand-in"
	# Without the stand-in the plugin's parser refuses it (code 11, try again).
	installer "$r" install 2>"$r/log" && fail "installed without a stand-in (the ranges file is missing)"
	assert_contains "$(cat "$r/host/run/slicenet/cni-install-status.json")" '"code":11'
	RANGES_FILE=$rf RANGES_STAND_IN_SUBNET=$sub installer "$r" install || fail "install (primary): $(cat "$r/log")"
	cmp "$r/config/10-slicenet.conflist" "$r/host/etc/cni/net.d/10-slicenet.conflist" || fail "conflist not installed as is"
	assert_contains "$(cat "$r/host/run/slicenet/cni-install-status.json")" '"state":"ok"'
	[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'slicenet-validate.*' -newer "$r/config/slices.json")" ] ||
		fail "stand-in left behind"
	# A fast class without its data network: refused, the last good table stays.
	config_update "$r" slices.json 'del(.slices.urllc.dataSubnet)'
	RANGES_FILE=$rf RANGES_STAND_IN_SUBNET=$sub installer "$r" install || fail "install keeps the last good copy"
	assert_contains "$(cat "$r/host/run/slicenet/cni-install-status.json")" '"state":"rejected"'
	assert_contains "$(cat "$r/host/run/slicenet/cni-install-status.json")" dataSubnet
	assert_eq "$(jq -r .slices.urllc.dataSubnet "$r/host/etc/slicenet/slices.json")" 10.250.0.0/16
}

run_tests
