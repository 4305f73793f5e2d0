/*
 * Permanent neighbour entries and VXLAN FDB entries on the agent's own
 * VXLAN device (RTM_*NEIGH). The device is the agent's, so every permanent
 * entry on it is too.
 */
#ifndef SLICENET_AGENT_AGENT_NEIGH_H
#define SLICENET_AGENT_AGENT_NEIGH_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"

enum agent_neigh_kind {
	AGENT_NEIGH_IP,	 /* ip neigh: ip -> mac (remote VTEP gateway address) */
	AGENT_NEIGH_FDB, /* bridge fdb: mac -> remote VTEP (underlay) address */
};

struct agent_neigh {
	enum agent_neigh_kind kind;
	struct ip_address ip; /* IP: the neighbour; FDB: the VXLAN destination */
	unsigned char mac[NETLINK_MAC_LEN];
};

bool agent_neigh_equal(const struct agent_neigh *a, const struct agent_neigh *b);
/* Same key: IP entries by ip, FDB entries by mac. */
bool agent_neigh_same_key(const struct agent_neigh *a, const struct agent_neigh *b);

/* Create or replace a permanent entry on ifindex. */
int agent_neigh_replace(struct netlink *nl, int ifindex, const struct agent_neigh *neigh,
			struct error *err) __attribute__((warn_unused_result));
/* Delete it; -ENOENT (err untouched) when it is not there. */
int agent_neigh_del(struct netlink *nl, int ifindex, const struct agent_neigh *neigh,
		    struct error *err) __attribute__((warn_unused_result));
/* The permanent entries of kind on ifindex into a malloc'ed array. */
int agent_neigh_list(struct netlink *nl, int ifindex, enum agent_neigh_kind kind,
		     struct agent_neigh **out, size_t *count, struct error *err)
	__attribute__((warn_unused_result));

#endif
