#!/bin/bash
# Multi-node cluster e2e on kind, slicenet as the cluster network
# (mode=primary): the same reachability matrix as make e2e-cluster, on real
# nodes. Needs docker (or podman with KIND_EXPERIMENTAL_PROVIDER=podman),
# kind, kubectl, jq; helm from `make helm-tools` or PATH.
#
#   make e2e-kind-multinode            # or: e2e/kind/run-multinode.sh
#   KEEP_CLUSTER=1 e2e/kind/run-multinode.sh
#
# Creates e2e/kind/multinode.yaml (1 control plane + 2 workers, no default
# CNI, podSubnet 10.244.0.0/16), loads the image, helm-installs slicenet
# with mode=primary and cluster.routing=host-gw (slicenetd off unless
# E2E_DAEMON=true: kind nodes have no hugepages, so urllc pods fall back to
# veth), checks every node got its ranges file and routes to the others,
# starts one pod per class on every node and has every pod ping every other
# (the matrix); then `helm upgrade --set cluster.routing=vxlan` (the agents
# roll, the VXLAN device appears, host-gw routes go) and the matrix again;
# then deletes the pods, uninstalls (cni.uninstall=true, then helm
# uninstall) and checks no node keeps a route of protocol 199, the VXLAN
# device, the nft table, the ranges file or any file slicenet installed.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLUSTER=${CLUSTER:-slicenet-multi}
IMAGE=${IMAGE:-slicenet:dev}
RELEASE=${RELEASE:-slicenet}
NAMESPACE=${NAMESPACE:-kube-system}
HELM=${HELM:-$(command -v helm || "$REPO/e2e/tools.sh" helm "$REPO/build")}
KUBECTL="kubectl --context kind-$CLUSTER"
CLASSES=${CLASSES:-"embb mmtc urllc"}
HELM_EXTRA=(--kube-context "kind-$CLUSTER" --set mode=primary --set cluster.routing=host-gw
	--set-json 'cluster.podCIDRs=["10.244.0.0/16"]' --set "daemon.enabled=${E2E_DAEMON:-false}")
# shellcheck source=e2e/lib-cluster.sh
. "$REPO/e2e/lib-cluster.sh"
# shellcheck source=e2e/kind/lib-kind.sh
. "$REPO/e2e/kind/lib-kind.sh"

kind_need_tools
# lib-cluster.sh's checks (helm_uninstall) run on "the node": here on every node.
node_exec() {
	local n
	for n in $(kind_nodes); do kind_node_exec "$n" "$@" || return 1; done
}
trap kind_cleanup EXIT

# routed NODE WANT: NODE has a slicenet route (protocol 199) matching WANT.
routed() { kind_node_exec "$1" ip route show proto 199 | grep -qF "$2"; }

# wait_until SECONDS DESCRIPTION CMD...: poll CMD; on timeout say so and
# return 1 (set -e then ends the run unless the caller handles it).
wait_until() {
	local end=$((SECONDS + $1)) what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || { echo "FAIL: timed out: $what" >&2; return 1; }
		sleep 2
	done
}

pod_cidr() { $KUBECTL get node "$1" -o jsonpath='{.spec.podCIDR}'; }
node_ip() { $KUBECTL get node "$1" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}'; }

# Every node: its ranges file holds its podCIDR; a route to every other
# node's podCIDR, via its InternalIP (host-gw) or on slicenet.1 (vxlan).
check_routes() { # MODE
	local n m cidr want
	for n in $(kind_nodes); do
		wait_until 60 "$n: ranges file" kind_node_exec "$n" grep -qF "\"$(pod_cidr "$n")\"" /run/slicenet/ranges.json
		for m in $(kind_nodes); do
			[ "$n" = "$m" ] && continue
			cidr=$(pod_cidr "$m")
			want="$cidr via $(node_ip "$m")"
			[ "$1" = vxlan ] && want="$cidr via ${cidr%/*} dev slicenet.1"
			wait_until 60 "$n: route $want" routed "$n" "$want"
		done
		if [ "$1" = vxlan ]; then
			kind_node_exec "$n" ip -d link show slicenet.1 | grep -q "vxlan id 1" || die "$n: no VXLAN device"
		else
			! kind_node_exec "$n" ip link show slicenet.1 >/dev/null 2>&1 || die "$n: VXLAN device in host-gw mode"
		fi
	done
	step "$1: every node routes every other node's pod range"
}

run_matrix_pods() {
	local n c
	$KUBECTL create namespace "$E2E_NS" --dry-run=client -o yaml | $KUBECTL apply -f -
	for n in $(kind_nodes); do
		for c in $CLASSES; do
			pod_manifest "$c-${n##*-}" slicenet-matrix "$c" "$n" | $KUBECTL apply -f -
		done
	done
	$KUBECTL -n "$E2E_NS" wait --for=condition=Ready pod -l app=slicenet-matrix --timeout="$POD_TIMEOUT"
}

# Every pod pings every other pod's IP; the table goes to stderr, any
# missing answer fails naming the pairs.
matrix() { # LABEL
	local pods src dst ip row bad=""
	pods=$($KUBECTL -n "$E2E_NS" get pods -l app=slicenet-matrix -o json |
		jq -r '.items[] | "\(.metadata.name) \(.status.podIP)"' | sort)
	{
		printf '%-18s' "$1"
		awk '{printf " %-10s", $1}' <<<"$pods"
		echo
	} >&2
	while read -r src _; do
		row=$(printf '%-18s' "$src")
		while read -r dst ip; do
			if [ "$src" = "$dst" ]; then
				row+=$(printf ' %-10s' .)
			elif $KUBECTL -n "$E2E_NS" exec "$src" -- ping -c 2 -W 2 "$ip" >/dev/null 2>&1; then
				row+=$(printf ' %-10s' ok)
			else
				row+=$(printf ' %-10s' FAIL)
				bad+=" $src->$dst"
			fi
		done <<<"$pods"
		echo "$row" >&2
	done <<<"$pods"
	[ -z "$bad" ] || die "$1: no answer for$bad"
	step "$1: every pod reaches every other pod"
}

agent_state_left() { # NODE -> what the agent created that is still there, one line each
	kind_node_exec "$1" sh -c 'command -v nft' >/dev/null || echo "nft missing on the node: cannot check"
	kind_node_exec "$1" ip route show proto 199
	! kind_node_exec "$1" ip link show slicenet.1 >/dev/null 2>&1 || echo "VXLAN device slicenet.1"
	! kind_node_exec "$1" nft list table inet slicenet >/dev/null 2>&1 || echo "nft table inet slicenet"
	! kind_node_exec "$1" test -e /run/slicenet/ranges.json || echo /run/slicenet/ranges.json
}

agent_clean() { [ -z "$(agent_state_left "$1")" ]; }

# After uninstall: nothing the agent created on any node (its pods stop
# asynchronously after helm uninstall: wait for each).
check_nodes_clean_of_agent() {
	local n
	for n in $(kind_nodes); do
		wait_until 60 "$n: left after uninstall" agent_clean "$n" ||
			die "$n: left after uninstall: $(agent_state_left "$n" | tr '\n' ' ')"
	done
	step "no node keeps a route, VXLAN device, nft table or ranges file"
}

kind_create "$REPO/e2e/kind/multinode.yaml"
kind_load_image
helm_install
rollout_status agent
check_routes host-gw
run_matrix_pods
matrix host-gw

step "helm upgrade: cluster.routing=vxlan"
"$HELM" upgrade "$RELEASE" "$REPO/deploy/helm/slicenet" --namespace "$NAMESPACE" \
	--kube-context "kind-$CLUSTER" --reuse-values --set cluster.routing=vxlan --wait --timeout 5m
rollout_status agent
check_routes vxlan
matrix vxlan

delete_pods
# helm_uninstall (lib-cluster.sh) passes HELM_EXTRA again: stay in vxlan.
HELM_EXTRA+=(--set cluster.routing=vxlan)
helm_uninstall
check_nodes_clean_of_agent
