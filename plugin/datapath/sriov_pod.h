/*
 * The VF netdev inside the pod: addresses and routes from IPAM as on any L2
 * segment (prefix routes kept, IPAM's routes via its gateway), MTU, up; and
 * the matching CHECK. The link sits on the node's physical network, unlike
 * veth's routed /32, so veth's ptp-style setup does not apply.
 */
#ifndef SLICENET_PLUGIN_SRIOV_POD_H
#define SLICENET_PLUGIN_SRIOV_POD_H

#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/kernel/netlink.h"

/*
 * Configure ifname (already in the pod netns of pod_nl): MTU when mtu > 0,
 * result's addresses, up, result's routes (a route without gateway goes via
 * the gateway of the first address of its family, if any). *link gets the
 * final link state.
 */
int sriov_pod_configure(struct netlink *pod_nl, const char *ifname, unsigned int mtu,
			const struct cni_result *result, struct netlink_link *link,
			struct cni_error *err) __attribute__((warn_unused_result));

#endif
