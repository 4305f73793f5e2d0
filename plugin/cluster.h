/*
 * Primary mode's per-node blocks. A class's data network ("dataSubnet") is
 * split into blocks of "dataBlockPrefix"; a node's block is chosen by its pod
 * range: the node whose pod range is the N-th block of "clusterCIDR" gets the
 * N-th data block. Pod ranges are unique per node (the controller assigns
 * them, the agent writes this node's into the IPAM ranges file), so data
 * blocks are too, with no coordination and no state.
 */
#ifndef SLICENET_PLUGIN_CLUSTER_H
#define SLICENET_PLUGIN_CLUSTER_H

#include "ipam/ipam.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

/*
 * This node's block of slice's data network as an in-process IPAM config
 * (network "<network>-<class>", the cluster IPAM's store). Code 7 naming
 * what does not fit.
 */
int cluster_data_ipam(const struct netconf *conf, const struct slice_class *slice,
		      struct ipam_conf *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/*
 * out = result without the addresses of the extra interface data_ifname:
 * the cluster IPAM holds only the main interface's, the extra's come from
 * its data block. Addresses naming no interface stay. Pure.
 */
void cluster_main_ips(const struct cni_result *result, const char *data_ifname,
		      struct cni_result *out);

#endif
