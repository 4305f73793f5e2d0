/*
 * The IPAM ranges this node hands out that the agent can name: every
 * "subnet" of the ranges file (agent/ranges_file.h, what slicenet-ipam
 * reads for the cluster network) and this node's block of each data
 * network (--data-subnet, plugin/util/data_block.h), so IPAM use can be
 * reported per range (agent/ipam_usage.h). A network whose ranges sit only
 * in its own conflist (a Multus attachment's static ranges) is not known
 * here: its addresses count in its per-network total only.
 */
#ifndef SLICENET_AGENT_IPAM_RANGES_H
#define SLICENET_AGENT_IPAM_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "agent/desired.h"
#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"

#define IPAM_RANGES_MAX 32

struct ipam_ranges {
	struct ip_prefix subnets[IPAM_RANGES_MAX]; /* network addresses, no duplicates */
	size_t n;
};

/*
 * Add every subnet of a ranges file's text ({"ranges": [[{"subnet": ...},
 * ...], ...]}) to out. -EINVAL naming the bad part; out keeps what it had.
 */
int ipam_ranges_parse(const char *text, size_t len, struct ipam_ranges *out, struct error *err)
	__attribute__((warn_unused_result));

/*
 * Add this node's block of each data network, following the first IPv4
 * subnet already in out (the node's pod range). Nothing without one or
 * without cluster4; a block the node does not fit is skipped.
 */
void ipam_ranges_add_data_blocks(struct ipam_ranges *out, const struct ip_prefix *cluster4,
				 const struct data_subnet *data, size_t n_data);

/* Read and parse path into out (emptied first); a missing file is 0 ranges. */
int ipam_ranges_read(const char *path, struct ipam_ranges *out, struct error *err)
	__attribute__((warn_unused_result));

/* Index of the longest subnet holding addr, or -1. */
int ipam_ranges_find(const struct ipam_ranges *ranges, const struct ip_address *addr);

/*
 * Addresses host-local's defaults hand out of subnet: all but the network
 * address and the gateway (network + 1), and for IPv4 the broadcast
 * address. Saturates at UINT64_MAX (large IPv6 ranges).
 */
uint64_t ipam_ranges_size(const struct ip_prefix *subnet);

#endif
