# The simulated cluster e2e: nodes as network namespaces on one fabric
# bridge, slicenet-agent per node against the test API server, pods attached
# by the plugin run in the node's namespace (e2e/cluster/test_cluster.sh;
# root). test/run-all.sh runs it in make test with the integration tests.
# Included at the end of the top-level Makefile.
#
#   make e2e-cluster     run it alone (TAP; the reachability matrix as comments)
#
# The vhost-user pods' application, test/cluster/vhost_tap.c (virtio-user
# port <-> TAP in the pod), is built with daemon-bins, the DPDK binaries the
# test needs (and so in make test), into $(BUILD)/e2e/.

.PHONY: e2e-cluster

VHOST_TAP := $(BUILD)/e2e/vhost_tap
daemon-bins: $(VHOST_TAP)

$(VHOST_TAP): $(BUILD)/dpdk/test/cluster/vhost_tap.o
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(DPDK_LIBS)

e2e-cluster: all agent-bins daemon-bins
	$(Q)BUILD_DIR=$(abspath $(BUILD)) e2e/cluster/test_cluster.sh

# make e2e-shellcheck covers these too.
E2E_SCRIPTS += e2e/cluster/lib.sh e2e/cluster/test_cluster.sh
