#!/bin/bash
# Cluster e2e on kind (needs docker, or podman with
# KIND_EXPERIMENTAL_PROVIDER=podman; kind, kubectl, jq; helm from
# `make helm-tools` or PATH).
#
#   make e2e-kind                      # or: e2e/kind/run.sh
#   KEEP_CLUSTER=1 e2e/kind/run.sh     # leave the cluster up afterwards
#
# Creates a one-node kind cluster without its default CNI, builds the image
# and loads it into the node, helm-installs slicenet as the primary CNI
# (daemon off: kind nodes have no hugepages; set E2E_DAEMON=true on hosts
# that have them), starts one pod per slice annotation, checks their MTU,
# the datapath the plugin chose and pod-to-pod ping, deletes the pods, checks
# the node, uninstalls and checks the node is clean, then deletes the cluster.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CLUSTER=${CLUSTER:-slicenet-e2e}
IMAGE=${IMAGE:-slicenet:dev}
RELEASE=${RELEASE:-slicenet}
NAMESPACE=${NAMESPACE:-kube-system}
HELM=${HELM:-$(command -v helm || "$REPO/e2e/tools.sh" helm "$REPO/build")}
KUBECTL="kubectl --context kind-$CLUSTER"
HELM_EXTRA=(--kube-context "kind-$CLUSTER" --set "daemon.enabled=${E2E_DAEMON:-false}"
	--set "cni.ipam.ranges[0][0].subnet=10.244.0.0/24")
# shellcheck source=e2e/lib-cluster.sh
. "$REPO/e2e/lib-cluster.sh"
# shellcheck source=e2e/kind/lib-kind.sh
. "$REPO/e2e/kind/lib-kind.sh"

kind_need_tools
node_exec() { kind_node_exec "$CLUSTER-control-plane" "$@"; } # the cluster's only node
trap kind_cleanup EXIT

kind_create - <<KIND
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  disableDefaultCNI: true
  podSubnet: 10.244.0.0/16
nodes:
  - role: control-plane
KIND
kind_load_image

helm_install
run_pods
check_pods
delete_pods
check_node_clean_of_pods
helm_uninstall
