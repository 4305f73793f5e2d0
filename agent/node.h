/*
 * The agent's one data model: what it needs of a Kubernetes Node. Filled
 * only by agent/node_parse.c; everything else reads these plain structs.
 */
#ifndef SLICENET_AGENT_NODE_H
#define SLICENET_AGENT_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/util/ipaddr.h"

#define NODE_NAME_MAX  254 /* a DNS subdomain: 253 characters + NUL */
#define NODE_UID_MAX   64
#define NODE_MAX_CIDRS 2 /* spec.podCIDRs: at most one per family */
#define NODE_MAX_ADDRS 8 /* InternalIPs kept, in the kubelet's order */

struct node {
	char name[NODE_NAME_MAX];
	char uid[NODE_UID_MAX];
	struct ip_prefix pod_cidrs[NODE_MAX_CIDRS]; /* network addresses, first per family */
	size_t n_pod_cidrs;
	struct ip_address internal_ips[NODE_MAX_ADDRS]; /* status.addresses InternalIP */
	size_t n_internal_ips;
};

/* The node's first InternalIP of family (AF_UNSPEC: IPv4 first, else IPv6), or NULL. */
const struct ip_address *node_internal_ip(const struct node *node, int family);
/* The node's pod CIDR of family, or NULL. */
const struct ip_prefix *node_pod_cidr(const struct node *node, int family);
/* True when a and b differ in nothing routing uses (uid, CIDRs, addresses). */
bool node_same_routing(const struct node *a, const struct node *b);

#endif
