#!/bin/bash
# shellcheck shell=bash
# Shared steps of the cluster e2e (e2e/kind/run.sh, e2e/minikube/run.sh):
# build the image, helm install, one pod per slice annotation, datapath and
# traffic checks, delete the pods, check the node is clean, uninstall, check
# again. The caller defines:
#   node_exec CMD...    run a command as root on the (single) node
#   KUBECTL, HELM       commands (kubectl may carry --context)
# and the variables IMAGE, RELEASE, NAMESPACE, HELM_EXTRA (array).

E2E_NS=${E2E_NS:-slicenet-e2e}
TEST_IMAGE=${TEST_IMAGE:-busybox:1.36}
POD_TIMEOUT=${POD_TIMEOUT:-180s}
# pod name, annotation (- = none), expected slice, expected MTU (chart defaults)
POD_SPECS=${POD_SPECS:-"pod-embb embb embb 1500
pod-mmtc mmtc mmtc 1280
pod-urllc urllc urllc 9000
pod-default - embb 1500"}

step() { echo "==> $*" >&2; }
die() {
	echo "FAIL: $*" >&2
	exit 1
}

build_image() {
	local engine=${CONTAINER_ENGINE:-}
	if [ -z "$engine" ]; then
		if command -v docker >/dev/null 2>&1; then engine=docker; else engine=podman; fi
	fi
	step "building $IMAGE with $engine"
	"$engine" build -f "$REPO/deploy/image/Dockerfile" -t "$IMAGE" "$REPO"
}

rollout_status() { # component: cni (the installer) or daemon (slicenetd)
	local ds
	ds=$($KUBECTL -n "$NAMESPACE" get daemonset -o name \
		-l "app.kubernetes.io/instance=$RELEASE,app.kubernetes.io/component=$1")
	[ -n "$ds" ] || die "no $1 DaemonSet of release $RELEASE"
	$KUBECTL -n "$NAMESPACE" rollout status "$ds" --timeout=3m
}

helm_install() {
	step "helm install $RELEASE"
	"$HELM" upgrade --install "$RELEASE" "$REPO/deploy/helm/slicenet" \
		--namespace "$NAMESPACE" --create-namespace \
		--set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" \
		--set image.pullPolicy=Never \
		"${HELM_EXTRA[@]}" --wait --timeout 5m
	# slicenetd runs only on nodes labelled for it (the chart's daemon.nodeLabel).
	if [ "${E2E_DAEMON:-false}" = true ]; then
		$KUBECTL label nodes --all slicenet.io/dpdk=true --overwrite
	fi
	rollout_status cni
	[ "${E2E_DAEMON:-false}" != true ] || rollout_status daemon
	$KUBECTL wait --for=condition=Ready nodes --all --timeout=3m
}

# pod_manifest NAME APP SLICE|- [NODE]: a sleeping test pod labelled app=APP,
# annotated with SLICE (- = none), pinned to NODE when given.
pod_manifest() {
	cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $E2E_NS
  labels: {app: $2}
EOF
	[ "$3" = - ] || printf '  annotations:\n    slicenet.io/slice: "%s"\n' "$3"
	echo "spec:"
	[ -z "${4:-}" ] || printf '  nodeName: %s\n  tolerations: [{operator: Exists}]\n' "$4"
	cat <<EOF
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: $TEST_IMAGE
      command: ["sleep", "3600"]
EOF
}

run_pods() {
	local name ann slice mtu
	$KUBECTL create namespace "$E2E_NS" --dry-run=client -o yaml | $KUBECTL apply -f -
	while read -r name ann slice mtu; do
		step "pod $name (annotation: $ann)"
		pod_manifest "$name" slicenet-e2e "$ann" | $KUBECTL apply -f -
	done <<<"$POD_SPECS"
	$KUBECTL -n "$E2E_NS" wait --for=condition=Ready pod -l app=slicenet-e2e --timeout="$POD_TIMEOUT"
}

check_pods() {
	local name ann slice mtu ip peer peer_ip rec
	while read -r name ann slice mtu; do
		ip=$($KUBECTL -n "$E2E_NS" get pod "$name" -o jsonpath='{.status.podIP}')
		[ -n "$ip" ] || die "$name has no IP"
		$KUBECTL -n "$E2E_NS" exec "$name" -- ip link show eth0 | grep -q "mtu $mtu" ||
			die "$name: eth0 MTU is not $mtu (slice $slice)"
		# Which slice and datapath the plugin picked, from its log on the node.
		rec=$(node_exec grep -F "slice $slice: datapath" /var/log/slicenet.log | tail -n1)
		[ -n "$rec" ] || die "$name: the node's slicenet log has no datapath choice for slice $slice"
		echo "$name: $ip, slice $slice, ${rec##*: }" >&2
	done <<<"$POD_SPECS"
	while read -r name _; do
		while read -r peer _; do
			[ "$peer" = "$name" ] && continue
			peer_ip=$($KUBECTL -n "$E2E_NS" get pod "$peer" -o jsonpath='{.status.podIP}')
			$KUBECTL -n "$E2E_NS" exec "$name" -- ping -c1 -W2 "$peer_ip" >/dev/null ||
				die "$name cannot reach $peer ($peer_ip)"
		done <<<"$POD_SPECS"
	done <<<"$POD_SPECS"
	step "all pods reach each other"
}

delete_pods() {
	step "deleting the pods"
	$KUBECTL delete namespace "$E2E_NS" --wait=true --timeout=3m
}

# After the pods are gone: no slicenet veth, IPAM allocation or state record.
check_node_clean_of_pods() {
	local left
	left=$(node_exec sh -c "ip -o link show | grep -cE ': sn[0-9a-f]{12}@' || true")
	# Other pods (CoreDNS...) also use slicenet: compare with their count.
	local others
	others=$($KUBECTL get pods -A -o json |
		jq '[.items[] | select(.spec.hostNetwork != true and .status.phase == "Running")] | length')
	[ "$left" -le "$others" ] || die "$left slicenet veths for $others non-host-network pods"
	node_exec sh -c "ls /var/lib/cni/slicenet/ 2>/dev/null | wc -l" >&2
	step "node has no slicenet leftovers of the deleted pods"
}

# The chart keeps slicenet on the nodes when its pods stop (upgrades must
# not take a node's network down): uninstalling is two steps, the
# documented cni.uninstall switch, then helm uninstall.
helm_uninstall() {
	step "helm upgrade $RELEASE --set cni.uninstall=true"
	"$HELM" upgrade "$RELEASE" "$REPO/deploy/helm/slicenet" --namespace "$NAMESPACE" \
		--reuse-values --set cni.uninstall=true "${HELM_EXTRA[@]}" --wait --timeout 5m
	rollout_status cni
	step "helm uninstall $RELEASE"
	"$HELM" uninstall "$RELEASE" --namespace "$NAMESPACE" --wait --timeout 3m
	# The installer's cni-sync container removed what slicenet put on the node.
	local _
	for _ in $(seq 1 30); do
		node_exec sh -c "test ! -e /opt/cni/bin/slicenet" && break
		sleep 2
	done
	node_exec sh -c 'test ! -e /opt/cni/bin/slicenet && test ! -e /opt/cni/bin/slicenet-ipam &&
		test ! -e /etc/cni/net.d/10-slicenet.conflist && test ! -e /etc/cni/net.d/slicenet.d &&
		test ! -e /etc/slicenet/slices.json && test ! -e /var/lib/cni/slicenet &&
		test ! -e /var/lib/cni/networks/slicenet && test ! -e /run/slicenet/ports &&
		test ! -e /run/slicenet/cni-install-status.json && test ! -e /var/log/slicenet.log' ||
		die "slicenet files left on the node after uninstall"
	step "node clean after uninstall"
}
