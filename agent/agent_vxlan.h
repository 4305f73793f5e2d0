/* The agent's VXLAN device through rtnetlink: create it, read it back. */
#ifndef SLICENET_AGENT_AGENT_VXLAN_H
#define SLICENET_AGENT_AGENT_VXLAN_H

#include <net/if.h>
#include <stdint.h>

#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"

struct agent_vxlan {
	char name[IFNAMSIZ];
	uint32_t vni;
	uint16_t port;		 /* UDP destination port, host order */
	struct ip_address local; /* this node's underlay address */
	int link_ifindex;	 /* underlay device, 0 = none */
	unsigned int mtu;
	unsigned char mac[NETLINK_MAC_LEN];
	int ifindex; /* filled by agent_vxlan_get */
};

/*
 * Create the device (down), learning off: every remote VTEP comes from the
 * agent's FDB entries, never from traffic.
 */
int agent_vxlan_create(struct netlink *nl, const struct agent_vxlan *vxlan, struct error *err)
	__attribute__((warn_unused_result));

/*
 * Read the device name back. -ENODEV (err untouched) when there is none,
 * -EMEDIUMTYPE (err set) when the name is taken by another kind of link.
 */
int agent_vxlan_get(struct netlink *nl, const char *name, struct agent_vxlan *out,
		    struct error *err) __attribute__((warn_unused_result));

#endif
