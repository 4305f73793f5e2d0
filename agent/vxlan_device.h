/*
 * The agent's VXLAN device ("slicenet.<VNI>" by default): created when
 * missing, kept as is when it already matches (a restart does not flap it),
 * recreated when its VNI, port or local address no longer do.
 */
#ifndef SLICENET_AGENT_VXLAN_DEVICE_H
#define SLICENET_AGENT_VXLAN_DEVICE_H

#include <net/if.h>
#include <stdint.h>

#include "agent/node.h"
#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"

#define VXLAN_DEFAULT_VNI  1
#define VXLAN_DEFAULT_PORT 8472 /* the Linux default (flannel's too); IANA's is 4789 */
/* VXLAN over IPv4 adds 50 bytes (inner Ethernet 14, VXLAN 8, UDP 8, IPv4 20); IPv6 70. */
#define VXLAN_OVERHEAD4 50
#define VXLAN_OVERHEAD6 70

struct vxlan_params {
	char name[IFNAMSIZ];
	uint32_t vni;
	uint16_t port;
};

/*
 * Make the device exist and be up for this node (self: its underlay address
 * is the VTEP's local address and its pod CIDRs' network addresses go on
 * the device as /32, /128 so the node's own traffic to remote pods has a
 * routable source). *ifindex is the device's.
 */
int vxlan_device_ensure(struct netlink *nl, const struct vxlan_params *params,
			const struct node *self, int *ifindex, struct error *err)
	__attribute__((warn_unused_result));

/* Delete the device if it is a vxlan device; -ENODEV (err untouched) when absent. */
int vxlan_device_remove(struct netlink *nl, const char *name, struct error *err)
	__attribute__((warn_unused_result));

#endif
