/*
 * Per-node blocks of a data network, one computation for the plugin (this
 * node's block: its IPAM range) and the agent (other nodes' blocks, routed
 * like their pod ranges; its own block's gateway on slicenetd's uplink).
 * The node whose pod range is the N-th block of the cluster CIDR gets the
 * N-th block of the data subnet: pod ranges are unique per node, so data
 * blocks are too, with no coordination and no state. IPv4 only.
 */
#ifndef SLICENET_PLUGIN_UTIL_DATA_BLOCK_H
#define SLICENET_PLUGIN_UTIL_DATA_BLOCK_H

#include "plugin/util/ipaddr.h"

/*
 * out = the pod range's block of subnet, of length block_len. Returns 0,
 * -EAFNOSUPPORT (not all IPv4), -EDOM (pod is not inside cluster, or
 * block_len does not split subnet), or -ERANGE (subnet has fewer blocks than
 * the pod range's index). *index and *blocks (either may be NULL) are set
 * for messages whenever they are known.
 */
int data_block_of(const struct ip_prefix *cluster, const struct ip_prefix *pod,
		  const struct ip_prefix *subnet, unsigned int block_len, struct ip_prefix *out,
		  unsigned int *index, unsigned int *blocks) __attribute__((warn_unused_result));

#endif
