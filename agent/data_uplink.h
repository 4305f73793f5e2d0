/*
 * This node's data gateways on slicenetd's kernel uplink (--data-uplink):
 * the first address of each of its data blocks, with the block's length, so
 * the node's kernel routes its own blocks to the vhost-user pods behind the
 * switch, and traffic from other nodes' blocks and pod ranges gets there.
 */
#ifndef SLICENET_AGENT_DATA_UPLINK_H
#define SLICENET_AGENT_DATA_UPLINK_H

#include <stddef.h>

#include "agent/desired.h"
#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"

/*
 * Make the addresses of ifname that lie in one of the data subnets exactly
 * want[0..n_want), and set it up when it has some. A missing link is 0 (slicenetd creates it when
 * it starts; the next reconcile adds them). Addresses outside the data subnets are never touched.
 */
int data_uplink_sync(struct netlink *nl, const char *ifname, const struct data_subnet *data,
		     size_t n_data, const struct ip_prefix *want, size_t n_want, struct error *err)
	__attribute__((warn_unused_result));

#endif
