#!/bin/bash
# Cluster e2e on minikube (docker driver by default, containerd runtime;
# needs minikube, kubectl, jq, a container engine; helm from
# `make helm-tools` or PATH).
#
#   make e2e-minikube                     # or: e2e/minikube/run.sh
#   MINIKUBE_DRIVER=kvm2 e2e/minikube/run.sh
#   KEEP_CLUSTER=1 e2e/minikube/run.sh    # leave the cluster up afterwards
#
# Same checks as e2e/kind/run.sh. minikube may write its own bridge config
# into /etc/cni/net.d, so slicenet is installed with cni.takeOver=true (the
# other configs are renamed *.slicenet-disabled and restored on uninstall,
# which the last step checks).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
PROFILE=${PROFILE:-slicenet-e2e}
IMAGE=${IMAGE:-slicenet:dev}
RELEASE=${RELEASE:-slicenet}
NAMESPACE=${NAMESPACE:-kube-system}
HELM=${HELM:-$(command -v helm || "$REPO/e2e/tools.sh" helm "$REPO/build")}
KUBECTL="kubectl --context $PROFILE"
HELM_EXTRA=(--kube-context "$PROFILE" --set "daemon.enabled=${E2E_DAEMON:-false}"
	--set cni.takeOver=true --set "cni.ipam.ranges[0][0].subnet=10.244.0.0/24")
# shellcheck source=e2e/lib-cluster.sh
. "$REPO/e2e/lib-cluster.sh"

for tool in minikube kubectl jq; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

node_exec() {
	# minikube ssh joins its arguments into one remote command line.
	minikube -p "$PROFILE" ssh -- sudo "$(printf '%q ' "$@")"
}

cleanup() {
	local rc=$?
	if [ -n "${KEEP_CLUSTER:-}" ]; then
		step "cluster kept: minikube delete -p $PROFILE"
	else
		minikube delete -p "$PROFILE" >/dev/null 2>&1 || true
	fi
	[ $rc -eq 0 ] && echo "minikube e2e: PASS" || echo "minikube e2e: FAIL"
	exit $rc
}
trap cleanup EXIT

step "starting minikube profile $PROFILE (containerd, no CNI)"
minikube start -p "$PROFILE" --driver="${MINIKUBE_DRIVER:-docker}" --container-runtime=containerd \
	--cni=false --extra-config=kubeadm.pod-network-cidr=10.244.0.0/16 --wait=apiserver

[ -n "${SKIP_BUILD:-}" ] || build_image
step "loading $IMAGE into the node"
minikube -p "$PROFILE" image load "$IMAGE"

helm_install
# Record which foreign configs were there, to check they come back.
before=$(node_exec sh -c 'ls /etc/cni/net.d | grep -v slicenet || true')
run_pods
check_pods
delete_pods
check_node_clean_of_pods
helm_uninstall
after=$(node_exec sh -c 'ls /etc/cni/net.d | grep -v slicenet || true')
[ "$before" = "$after" ] || die "CNI configs not restored: before [$before] after [$after]"
