/*
 * What the kernel should hold, computed from the node table alone (a pure
 * function: no I/O, unit-tested): one route per other node's pod CIDR and,
 * in vxlan mode, one FDB entry per remote VTEP and one neighbour entry per
 * remote pod CIDR gateway. Each data network (--data-subnet) adds one route
 * per other node to that node's data block, with its pod CIDR's next hop.
 */
#ifndef SLICENET_AGENT_DESIRED_H
#define SLICENET_AGENT_DESIRED_H

#include <stddef.h>

#include "agent/agent_neigh.h"
#include "agent/agent_route.h"
#include "agent/node_table.h"
#include "plugin/util/ipaddr.h"

#define DESIRED_DATA_MAX 8 /* data networks (--data-subnet) */

/* A class's data network, split in per-node blocks (plugin/util/data_block.h). */
struct data_subnet {
	struct ip_prefix subnet;
	unsigned int block_len;
};

enum agent_mode {
	AGENT_MODE_HOST_GW, /* next hop = the node's InternalIP, on-link on the underlay */
	AGENT_MODE_VXLAN,   /* via the remote VTEP gateway on the agent's VXLAN device */
};

struct desired_input {
	enum agent_mode mode;
	const char *self;  /* this node's name: no routes to its own CIDRs */
	int underlay_oif4; /* host-gw: the device holding this node's IPv4 InternalIP */
	int underlay_oif6; /* same for IPv6; 0 = none, that family is not routed */
	int vxlan_ifindex;
	int vxlan_family; /* the underlay family of the VTEPs (the device's local address) */
	const struct ip_prefix *cluster4; /* the IPv4 cluster CIDR data blocks follow */
	const struct data_subnet *data;
	size_t n_data;
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
 * Node's block of in->data[i], from its IPv4 pod CIDR. -ENOENT when it has
 * none, else data_block_of's result (-EDOM, -ERANGE: the node does not fit).
 */
int desired_data_block(const struct desired_input *in, const struct node *node, size_t i,
		       struct ip_prefix *out) __attribute__((warn_unused_result));

/*
 * The addresses slicenetd's uplink carries on self (--data-uplink): the first
 * address of each of self's data blocks, with the block's length, so the
 * node routes its own block to its vhost-user pods. Returns how many (at
 * most DESIRED_DATA_MAX); a block that does not fit is logged and skipped.
 */
size_t desired_uplink_addrs(const struct desired_input *in, const struct node *self,
			    struct ip_prefix out[DESIRED_DATA_MAX]);

/*
 * The VTEP MAC of a node, derived from its underlay address so no node
 * needs to publish it (no Node annotation, no PATCH): locally administered
 * unicast 0e:53 + the IPv4 address, or 0e:56 + a 32-bit FNV-1a hash of
 * the IPv6 address.
 */
void desired_vtep_mac(const struct ip_address *underlay, unsigned char mac[NETLINK_MAC_LEN]);

#endif
