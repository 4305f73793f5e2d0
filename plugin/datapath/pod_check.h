/* Helpers shared by the datapaths that configure an interface in the pod. */
#ifndef SLICENET_PLUGIN_POD_CHECK_H
#define SLICENET_PLUGIN_POD_CHECK_H

#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/kernel/netlink.h"

/*
 * Every address of expected->ips pointing at interface index is on ifindex
 * (a socket in the pod's netns). where names the interface in the message.
 * CNI_ERR_CHECK_FAILED naming the first missing address.
 */
int pod_check_addresses(struct netlink *pod_nl, int ifindex, const char *where,
			const struct cni_result *expected, int index, struct cni_error *err)
	__attribute__((warn_unused_result));

/*
 * The kernel route for IPAM's route cr via gw (NULL: none), without oif:
 * destination masked to its prefix, metrics, table and scope carried over.
 */
void pod_route_from_cni(const struct cni_route *cr, const struct ip_address *gw,
			struct netlink_route *out);

#endif
