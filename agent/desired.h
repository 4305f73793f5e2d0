/*
 * What the kernel should hold, computed from the node table alone (a pure
 * function: no I/O, unit-tested): one route per other node's pod CIDR and,
 * in vxlan mode, one FDB entry per remote VTEP and one neighbour entry per
 * remote pod CIDR gateway.
 */
#ifndef SLICENET_AGENT_DESIRED_H
#define SLICENET_AGENT_DESIRED_H

#include <stddef.h>

#include "agent/agent_neigh.h"
#include "agent/agent_route.h"
#include "agent/node_table.h"

enum agent_mode {
	AGENT_MODE_HOST_GW, /* next hop = the node's InternalIP, on-link on the underlay */
	AGENT_MODE_VXLAN,   /* via the remote VTEP gateway on the agent's VXLAN device */
};

struct desired_input {
	enum agent_mode mode;
	const char *self; /* this node's name: no routes to its own CIDRs */
	int underlay_oif4; /* host-gw: the device holding this node's IPv4 InternalIP */
	int underlay_oif6; /* same for IPv6; 0 = none, that family is not routed */
	int vxlan_ifindex;
	int vxlan_family; /* the underlay family of the VTEPs (the device's local address) */
};

struct desired {
	struct agent_route *routes;
	size_t n_routes;
	struct agent_neigh *neighs; /* FDB and IP entries, for the VXLAN device */
	size_t n_neighs;
};

/*
 * Fill out (malloc'ed arrays). A node without a CIDR or without an address
 * of the family needed is skipped until an update brings one; a CIDR already
 * routed (two nodes claiming one range) is routed once, to the first.
 */
int desired_compute(const struct node_table *table, const struct desired_input *in,
		    struct desired *out) __attribute__((warn_unused_result));
void desired_free(struct desired *desired);

/*
 * The VTEP MAC of a node, derived from its underlay address so no node
 * needs to publish it (no Node annotation, no PATCH): locally administered
 * unicast 0e:53 + the IPv4 address, or 0e:56 + a 32-bit FNV-1a hash of
 * the IPv6 address.
 */
void desired_vtep_mac(const struct ip_address *underlay, unsigned char mac[NETLINK_MAC_LEN]);

#endif
