/*
 * Addresses in use per IPAM network: host-local's disk store (and ours,
 * ipam/store_disk.c) keeps one file per reserved address, named by the
 * address, in <dataDir>/<network>/. Counting the names that parse as an IP
 * address skips the lock, last_reserved_ip.* and index files.
 */
#ifndef SLICENET_AGENT_IPAM_USAGE_H
#define SLICENET_AGENT_IPAM_USAGE_H

#include <stddef.h>

#include "daemon/metrics_text.h"
#include "plugin/util/error.h"

#define IPAM_USAGE_DEFAULT_DIR	"/var/lib/cni/networks"
#define IPAM_USAGE_NETWORKS_MAX 256

struct ipam_usage_network {
	char name[256];
	unsigned long in_use;
};

struct ipam_usage {
	struct ipam_usage_network networks[IPAM_USAGE_NETWORKS_MAX];
	size_t n;
};

/* Count every network under dir. A missing dir is 0 networks. 0 or -errno. */
int ipam_usage_scan(const char *dir, struct ipam_usage *out, struct error *err)
	__attribute__((warn_unused_result));

/* slicenet_ipam_addresses_in_use{network}. */
void ipam_usage_render(const struct ipam_usage *usage, struct metrics_text *text);

#endif
