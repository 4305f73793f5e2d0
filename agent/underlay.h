/* The node's underlay: which device holds this node's InternalIP. */
#ifndef SLICENET_AGENT_UNDERLAY_H
#define SLICENET_AGENT_UNDERLAY_H

#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"

/*
 * Find the device carrying addr: its ifindex and MTU. -ENXIO (err set,
 * naming the address) when no local device has it.
 */
int underlay_find(struct netlink *nl, const struct ip_address *addr, int *ifindex,
		  unsigned int *mtu, struct error *err) __attribute__((warn_unused_result));

#endif
