/* Lookups on the node model: which address and range of a family. */
#include "agent/node.h"

#include <string.h>
#include <sys/socket.h>

const struct ip_address *node_internal_ip(const struct node *node, int family)
{
	if (family == AF_UNSPEC) {
		const struct ip_address *v4 = node_internal_ip(node, AF_INET);

		return v4 ? v4 : node_internal_ip(node, AF_INET6);
	}
	for (size_t i = 0; i < node->n_internal_ips; i++)
		if (node->internal_ips[i].family == family)
			return &node->internal_ips[i];
	return NULL;
}

const struct ip_prefix *node_pod_cidr(const struct node *node, int family)
{
	for (size_t i = 0; i < node->n_pod_cidrs; i++)
		if (node->pod_cidrs[i].addr.family == family)
			return &node->pod_cidrs[i];
	return NULL;
}

static bool prefix_equal(const struct ip_prefix *a, const struct ip_prefix *b)
{
	return a->len == b->len && ip_address_equal(&a->addr, &b->addr);
}

bool node_same_routing(const struct node *a, const struct node *b)
{
	if (strcmp(a->uid, b->uid) || a->n_pod_cidrs != b->n_pod_cidrs ||
	    a->n_internal_ips != b->n_internal_ips)
		return false;
	for (size_t i = 0; i < a->n_pod_cidrs; i++)
		if (!prefix_equal(&a->pod_cidrs[i], &b->pod_cidrs[i]))
			return false;
	for (size_t i = 0; i < a->n_internal_ips; i++)
		if (!ip_address_equal(&a->internal_ips[i], &b->internal_ips[i]))
			return false;
	return true;
}
