/* The node table into routes, FDB and neighbour entries. */
#include "agent/desired.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "plugin/util/data_block.h"
#include "plugin/util/log.h"

void desired_vtep_mac(const struct ip_address *underlay, unsigned char mac[NETLINK_MAC_LEN])
{
	uint32_t hash = 2166136261u;

	mac[0] = 0x0e;
	if (underlay->family == AF_INET) {
		mac[1] = 0x53;
		memcpy(mac + 2, underlay->bytes, 4);
		return;
	}
	for (size_t i = 0; i < 16; i++)
		hash = (hash ^ underlay->bytes[i]) * 16777619u;
	mac[1] = 0x56;
	mac[2] = (unsigned char)(hash >> 24);
	mac[3] = (unsigned char)(hash >> 16);
	mac[4] = (unsigned char)(hash >> 8);
	mac[5] = (unsigned char)hash;
}

void desired_free(struct desired *desired)
{
	free(desired->routes);
	free(desired->neighs);
	memset(desired, 0, sizeof(*desired));
}

static bool routed(const struct desired *d, const struct ip_prefix *dst)
{
	for (size_t i = 0; i < d->n_routes; i++)
		if (d->routes[i].dst.len == dst->len &&
		    ip_address_equal(&d->routes[i].dst.addr, &dst->addr))
			return true;
	return false;
}

static void add_route(struct desired *d, const struct node *node, const struct ip_prefix *dst,
		      const struct ip_address *gw, int oif)
{
	char text[IP_PREFIX_STRLEN];

	if (routed(d, dst)) {
		log_warn("node %s: %s is routed to another node already, skipped", node->name,
			 ip_prefix_format(dst, text, sizeof(text)));
		return;
	}
	d->routes[d->n_routes++] =
		(struct agent_route){.dst = *dst, .gw = *gw, .oif = oif, .onlink = true};
}

static const struct ip_prefix *pod_cidr4(const struct node *node)
{
	for (size_t i = 0; i < node->n_pod_cidrs; i++)
		if (node->pod_cidrs[i].addr.family == AF_INET)
			return &node->pod_cidrs[i];
	return NULL;
}

int desired_data_block(const struct desired_input *in, const struct node *node, size_t i,
		       struct ip_prefix *out)
{
	const struct ip_prefix *pod = pod_cidr4(node);

	if (!pod || !in->cluster4)
		return -ENOENT;
	return data_block_of(in->cluster4, pod, &in->data[i].subnet, in->data[i].block_len, out,
			     NULL, NULL);
}

static void log_misfit(const struct desired_input *in, const struct node *node, size_t i)
{
	char subnet[IP_PREFIX_STRLEN];

	log_warn("node %s: its pod CIDR has no /%u block in data subnet %s (outside the "
		 "cluster CIDR, or more nodes than blocks); not routed",
		 node->name, in->data[i].block_len,
		 ip_prefix_format(&in->data[i].subnet, subnet, sizeof(subnet)));
}

/* node's data blocks go where its IPv4 pod CIDR goes. */
static void add_data_blocks(struct desired *d, const struct node *node,
			    const struct desired_input *in, const struct ip_address *gw, int oif)
{
	struct ip_prefix block;

	for (size_t i = 0; i < in->n_data; i++) {
		int ret = desired_data_block(in, node, i, &block);

		if (ret == 0)
			add_route(d, node, &block, gw, oif);
		else if (ret != -ENOENT)
			log_misfit(in, node, i);
	}
}

size_t desired_uplink_addrs(const struct desired_input *in, const struct node *self,
			    struct ip_prefix out[DESIRED_DATA_MAX])
{
	size_t n = 0;

	for (size_t i = 0; i < in->n_data && n < DESIRED_DATA_MAX; i++) {
		int ret = desired_data_block(in, self, i, &out[n]);

		if (ret == 0 && !ip_address_increment(&out[n].addr))
			n++;
		else if (ret != -ENOENT)
			log_misfit(in, self, i);
	}
	return n;
}

static void add_host_gw(struct desired *d, const struct node *node, const struct desired_input *in)
{
	for (size_t i = 0; i < node->n_pod_cidrs; i++) {
		const struct ip_prefix *cidr = &node->pod_cidrs[i];
		int family = cidr->addr.family;
		const struct ip_address *next_hop = node_internal_ip(node, family);
		int oif = family == AF_INET ? in->underlay_oif4 : in->underlay_oif6;
		size_t before = d->n_routes;

		if (!next_hop || !oif)
			continue;
		add_route(d, node, cidr, next_hop, oif);
		if (d->n_routes > before && cidr == pod_cidr4(node))
			add_data_blocks(d, node, in, next_hop, oif);
	}
}

static void add_vxlan(struct desired *d, const struct node *node, const struct desired_input *in)
{
	const struct ip_address *vtep = node_internal_ip(node, in->vxlan_family);
	struct agent_neigh fdb = {.kind = AGENT_NEIGH_FDB};

	if (!vtep || !node->n_pod_cidrs)
		return;
	fdb.ip = *vtep;
	desired_vtep_mac(vtep, fdb.mac);
	d->neighs[d->n_neighs++] = fdb;
	for (size_t i = 0; i < node->n_pod_cidrs; i++) {
		const struct ip_prefix *cidr = &node->pod_cidrs[i];
		/* The remote CIDR's network address stands for its VTEP (flannel's scheme). */
		struct agent_neigh neigh = {.kind = AGENT_NEIGH_IP, .ip = cidr->addr};
		size_t before = d->n_routes;

		memcpy(neigh.mac, fdb.mac, sizeof(neigh.mac));
		add_route(d, node, cidr, &cidr->addr, in->vxlan_ifindex);
		if (d->n_routes == before)
			continue;
		d->neighs[d->n_neighs++] = neigh;
		if (cidr == pod_cidr4(node))
			add_data_blocks(d, node, in, &cidr->addr, in->vxlan_ifindex);
	}
}

int desired_compute(const struct node_table *table, const struct desired_input *in,
		    struct desired *out)
{
	size_t max = table->n_nodes * (NODE_MAX_CIDRS + in->n_data) + 1;

	memset(out, 0, sizeof(*out));
	out->routes = calloc(max, sizeof(*out->routes));
	out->neighs = calloc(table->n_nodes * (NODE_MAX_CIDRS + 1) + 1, sizeof(*out->neighs));
	if (!out->routes || !out->neighs) {
		desired_free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < table->n_nodes; i++) {
		const struct node *node = &table->nodes[i];

		if (!strcmp(node->name, in->self))
			continue;
		if (in->mode == AGENT_MODE_HOST_GW)
			add_host_gw(out, node, in);
		else
			add_vxlan(out, node, in);
	}
	return 0;
}
