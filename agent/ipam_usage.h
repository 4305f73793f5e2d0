/*
 * Addresses in use per IPAM network and per range: host-local's disk store
 * (and ours, ipam/store_disk.c) keeps one file per reserved address, named
 * by the address, in <dataDir>/<network>/. Counting the names that parse as
 * an IP address skips the lock, last_reserved_ip.* and index files. Each
 * address is put in the longest range of agent/ipam_ranges.h holding it; a
 * network lists a range while it holds an address of it or its round-robin
 * hint (last_reserved_ip.<set>, kept after the last release) points into
 * it, so a range in use once stays reported at 0.
 */
#ifndef SLICENET_AGENT_IPAM_USAGE_H
#define SLICENET_AGENT_IPAM_USAGE_H

#include <stddef.h>

#include "agent/ipam_ranges.h"
#include "daemon/metrics_text.h"
#include "plugin/util/error.h"

#define IPAM_USAGE_DEFAULT_DIR	"/var/lib/cni/networks"
#define IPAM_USAGE_NETWORKS_MAX 256
#define IPAM_USAGE_ROWS_MAX	512 /* (network, range) pairs */

struct ipam_usage_network {
	char name[256];
	unsigned long in_use; /* every address, in a known range or not */
};

struct ipam_usage_row {
	size_t network; /* index in networks */
	size_t range;	/* index in ranges.subnets */
	unsigned long in_use;
};

struct ipam_usage {
	struct ipam_ranges ranges;
	struct ipam_usage_network networks[IPAM_USAGE_NETWORKS_MAX];
	size_t n;
	struct ipam_usage_row rows[IPAM_USAGE_ROWS_MAX];
	size_t n_rows;
};

/*
 * Count every network under dir, per range of ranges (NULL: none known).
 * A missing dir is 0 networks. 0 or -errno.
 */
int ipam_usage_scan(const char *dir, const struct ipam_ranges *ranges, struct ipam_usage *out,
		    struct error *err) __attribute__((warn_unused_result));

/*
 * slicenet_ipam_addresses_in_use{network}, and per row
 * slicenet_ipam_range_used{network,range} and
 * slicenet_ipam_range_size{network,range} (agent/ipam_ranges.h's size).
 */
void ipam_usage_render(const struct ipam_usage *usage, struct metrics_text *text);

#endif
