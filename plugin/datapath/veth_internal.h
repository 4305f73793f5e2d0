/* Private to the veth datapath: the address and route plan, naming, ownership. */
#ifndef SLICENET_PLUGIN_DATAPATH_VETH_INTERNAL_H
#define SLICENET_PLUGIN_DATAPATH_VETH_INTERNAL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "plugin/attachment.h"
#include "plugin/datapath/datapath.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/kernel/netlink.h"

#define VETH_MAX_PLANNED  (CNI_MAX_IPS * 3 + CNI_MAX_ROUTES)
#define VETH_ALIAS_PREFIX "slicenet:"

/*
 * What ADD will create, computed from IPAM's result alone (no I/O), as the
 * reference ptp plugin lays it out: the gateway addresses on the host end
 * with a host route to each pod address; in the pod, the gateway on-link,
 * IPAM's routes, the subnet via the gateway and a default route per family.
 * Pod routes have no oif yet: the interface does not exist when planning.
 */
struct veth_plan {
	struct ip_address gw[CNI_MAX_IPS]; /* the pod's gateway per ips[] entry */
	struct ip_prefix host_addrs[CNI_MAX_IPS];
	unsigned int n_host_addrs;
	struct netlink_route host_routes[CNI_MAX_IPS];
	unsigned int n_host_routes;
	struct netlink_route pod_routes[VETH_MAX_PLANNED];
	bool pod_route_is_default[VETH_MAX_PLANNED];
	unsigned int n_pod_routes;
};

/* Code 104 naming the address when the result cannot be laid out. */
int veth_plan_make(const struct cni_result *result, struct veth_plan *plan, struct cni_error *err)
	__attribute__((warn_unused_result));

/* "slicenet:<network>:<id>:<ifname>", -ENAMETOOLONG when it does not fit. */
int veth_owner_alias(const char *network, const char *container_id, const char *ifname, char *out,
		     size_t size) __attribute__((warn_unused_result));

/* The recorded host end, else the derived name. */
void veth_host_name(const struct attachment *att, char out[IFNAMSIZ]);

/*
 * Delete the veth pair whose end in nl's netns is ifindex; returns once the
 * kernel unregistered both ends, leaving the freeing to a child
 * (veth_delete.c). 0 also when it is already gone.
 */
int veth_delete_pair(struct netlink *nl, int ifindex, struct cni_error *err)
	__attribute__((warn_unused_result));

/* The op implementations in their own files. */
int veth_check(const struct datapath_context *ctx, const struct attachment *att,
	       const struct cni_result *expected, struct cni_error *err);
int veth_gc(const struct datapath_context *ctx, datapath_is_valid_fn is_valid, void *arg,
	    struct cni_error *err);

#endif
