#!/bin/bash
# shellcheck shell=bash
# kind steps shared by e2e/kind/run.sh (one node) and e2e/kind/run-multinode.sh:
# tools check, cluster create/delete, image load, commands on the nodes.
# The caller sets REPO, CLUSTER, IMAGE and sources e2e/lib-cluster.sh first.

KIND_ENGINE=${KIND_EXPERIMENTAL_PROVIDER:-docker}

kind_need_tools() {
	local tool
	for tool in kind kubectl jq "$KIND_ENGINE"; do
		command -v "$tool" >/dev/null || die "$tool is not installed"
	done
}

kind_nodes() { kind get nodes --name "$CLUSTER" | sort; }

kind_node_exec() { # NODE CMD...: as root on one node (a container)
	local node=$1
	shift
	"$KIND_ENGINE" exec "$node" "$@"
}

# On exit: delete the cluster unless KEEP_CLUSTER is set; print PASS/FAIL.
kind_cleanup() {
	local rc=$?
	if [ -n "${KEEP_CLUSTER:-}" ]; then
		step "cluster kept: kind delete cluster --name $CLUSTER"
	else
		kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
	fi
	[ $rc -eq 0 ] && echo "kind e2e: PASS" || echo "kind e2e: FAIL"
	exit $rc
}

kind_create() { # CONFIG (a kind Cluster document on stdin when "-")
	step "creating kind cluster $CLUSTER (no default CNI)"
	kind create cluster --name "$CLUSTER" --wait 0s --config "$1"
}

kind_load_image() {
	[ -n "${SKIP_BUILD:-}" ] || build_image
	step "loading $IMAGE into the nodes"
	if [ "$KIND_ENGINE" = podman ]; then
		local archive
		archive=$(mktemp /tmp/slicenet-image.XXXXXX.tar)
		podman save -o "$archive" "$IMAGE"
		kind load image-archive "$archive" --name "$CLUSTER"
		rm -f "$archive"
	else
		kind load docker-image "$IMAGE" --name "$CLUSTER"
	fi
}
