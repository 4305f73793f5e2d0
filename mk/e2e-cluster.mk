# The simulated cluster e2e: nodes as network namespaces on one fabric
# bridge, slicenet-agent per node against the test API server, pods attached
# by the plugin run in the node's namespace (e2e/cluster/test_cluster.sh;
# root). test/run-all.sh runs it in make test with the integration tests.
# Included at the end of the top-level Makefile.
#
#   make e2e-cluster     run it alone (TAP; the reachability matrix as comments)

.PHONY: e2e-cluster

e2e-cluster: all agent-bins daemon-bins
	$(Q)BUILD_DIR=$(abspath $(BUILD)) e2e/cluster/test_cluster.sh

# make e2e-shellcheck covers these too.
E2E_SCRIPTS += e2e/cluster/lib.sh e2e/cluster/test_cluster.sh
