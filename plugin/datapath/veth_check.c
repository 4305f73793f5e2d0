/* veth CHECK: the links, addresses and routes ADD made are still there. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/datapath/pod_check.h"
#include "plugin/datapath/veth.h"
#include "plugin/datapath/veth_internal.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netns.h"
#include "plugin/util/ipaddr.h"
#include "plugin/util/log.h"

#define VETH_MAX_ROUTES 1024 /* a pod with more routes than this is not ours to check */

struct veth_check {
	const struct datapath_context *ctx;
	const struct attachment *att;
	const struct cni_result *expected;
	struct netlink *host_nl;
	struct netlink *pod_nl;
	struct netlink_link host;
	struct netlink_link pod;
	char host_name[IFNAMSIZ];
};

static int veth_check_links(struct veth_check *c, struct cni_error *err)
{
	const struct attachment *env = c->att;
	int ret;

	ret = netlink_link_get(c->host_nl, c->host_name, &c->host, &err->base);
	if (ret == -ENODEV)
		return cni_error_set(err, CNI_ERR_CHECK_FAILED, ENODEV,
				     "check: host veth %s is missing", c->host_name);
	if (ret < 0)
		return ret;
	if (strcmp(c->host.kind, "veth"))
		return cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				     "check: host interface %s is a \"%s\", not a veth",
				     c->host_name, c->host.kind);
	ret = netlink_link_get(c->pod_nl, env->ifname, &c->pod, &err->base);
	if (ret == -ENODEV)
		return cni_error_set(err, CNI_ERR_CHECK_FAILED, ENODEV,
				     "check: interface %s is missing in netns %s", env->ifname,
				     env->netns);
	if (ret < 0)
		return ret;
	if (c->pod.link_ifindex != c->host.ifindex || c->host.link_ifindex != c->pod.ifindex)
		return cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				     "check: %s in netns %s is not the peer of host veth %s",
				     env->ifname, env->netns, c->host_name);
	return 0;
}

/* The expected container interface: named ifname, with a sandbox. -1 if none. */
static int veth_expected_index(const struct cni_result *expected, const char *ifname)
{
	for (unsigned int i = 0; i < expected->n_interfaces; i++)
		if (expected->interfaces[i].sandbox[0] &&
		    !strcmp(expected->interfaces[i].name, ifname))
			return (int)i;
	return -1;
}

static int veth_check_addresses(struct veth_check *c, int index, struct cni_error *err)
{
	const struct attachment *env = c->att;
	char where[IFNAMSIZ + PATH_MAX + 16];

	snprintf(where, sizeof(where), "%s in netns %s", env->ifname, env->netns);
	return pod_check_addresses(c->pod_nl, c->pod.ifindex, where, c->expected, index, err);
}

static bool veth_route_matches(const struct netlink_route *have, const struct cni_route *want,
			       const struct ip_address *gw)
{
	struct ip_address dst;
	unsigned int table = want->table ? want->table : RT_TABLE_MAIN;

	ip_prefix_network(&want->dst, &dst);
	if (have->dst.len != want->dst.len || !ip_address_equal(&have->dst.addr, &dst))
		return false;
	if (have->table != table)
		return false;
	return !gw || ip_address_equal(&have->gw, gw);
}

/* The routes of table (0: all) on nl; *out is malloc'ed. */
static int veth_list_routes(struct netlink *nl, unsigned int table, struct netlink_route **out,
			    size_t *n, struct cni_error *err)
{
	int ret;

	*n = 0;
	*out = calloc(VETH_MAX_ROUTES, sizeof(**out));
	if (!*out)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "veth: out of memory");
	ret = netlink_route_list(nl, AF_UNSPEC, table, *out, VETH_MAX_ROUTES, n, &err->base);
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

static int veth_check_routes(struct veth_check *c, struct cni_error *err)
{
	const struct attachment *env = c->att;
	struct netlink_route *routes;
	char text[IP_PREFIX_STRLEN];
	size_t n;
	int ret;

	ret = veth_list_routes(c->pod_nl, 0, &routes, &n, err);
	for (unsigned int i = 0; ret == 0 && i < c->expected->n_routes; i++) {
		const struct cni_route *want = &c->expected->routes[i];
		const struct ip_address *gw = want->gw.family ? &want->gw : NULL;
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = routes[j].oif == c->pod.ifindex &&
				veth_route_matches(&routes[j], want, gw);
		if (!found)
			ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
					    "check: route to %s is missing on %s in netns %s",
					    ip_prefix_format(&want->dst, text, sizeof(text)),
					    env->ifname, env->netns);
	}
	free(routes);
	return ret;
}

static int veth_check_host_routes(struct veth_check *c, int index, struct cni_error *err)
{
	struct netlink_route *routes;
	char text[IP_PREFIX_STRLEN];
	size_t n;
	int ret;

	ret = veth_list_routes(c->host_nl, RT_TABLE_MAIN, &routes, &n, err);
	for (unsigned int i = 0; ret == 0 && i < c->expected->n_ips; i++) {
		const struct ip_address *addr = &c->expected->ips[i].address.addr;
		bool found = false;

		if (c->expected->ips[i].interface != index)
			continue;
		for (size_t j = 0; j < n && !found; j++)
			found = routes[j].oif == c->host.ifindex &&
				routes[j].dst.len == ip_address_bits(addr) &&
				ip_address_equal(&routes[j].dst.addr, addr);
		if (!found)
			ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
					    "check: host route to %s via %s is missing",
					    ip_address_format(addr, text, sizeof(text)),
					    c->host_name);
	}
	free(routes);
	return ret;
}

int veth_check(const struct datapath_context *ctx, const struct attachment *att,
	       const struct cni_result *expected, struct cni_error *err)
{
	const struct attachment *env = att;
	struct veth_check c = {.ctx = ctx, .att = att, .expected = expected};
	char mac[CNI_MAC_STRLEN];
	int ns_fd = -1;
	int index;
	int ret;

	veth_host_name(att, c.host_name);
	ns_fd = netns_open(env->netns, &err->base);
	if (ns_fd < 0)
		return cni_error_code(err, CNI_ERR_INVALID_ENV, ns_fd);
	c.host_nl = netlink_open(&err->base);
	if (!c.host_nl) {
		ret = -errno;
		goto out;
	}
	ret = netlink_open_in(ns_fd, &c.pod_nl, &err->base);
	if (ret < 0)
		goto out;
	ret = veth_check_links(&c, err);
	if (ret < 0)
		goto out;
	index = veth_expected_index(expected, env->ifname);
	if (index < 0) {
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				    "check: the expected result has no interface %s in a sandbox",
				    env->ifname);
		goto out;
	}
	netlink_mac_format(c.pod.mac, mac);
	if (expected->interfaces[index].mac[0] &&
	    strcasecmp(expected->interfaces[index].mac, mac)) {
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
				    "check: %s in netns %s has mac %s, expected %s", env->ifname,
				    env->netns, mac, expected->interfaces[index].mac);
		goto out;
	}
	ret = veth_check_addresses(&c, index, err);
	if (ret < 0)
		goto out;
	ret = veth_check_routes(&c, err);
	if (ret < 0)
		goto out;
	ret = veth_check_host_routes(&c, index, err);
out:
	netlink_close(c.pod_nl);
	netlink_close(c.host_nl);
	close(ns_fd);
	return ret;
}

/* ---- DEL ---- */

/*
 * The host end is ours when it is a veth whose peer is our container
 * interface; without the pod's netns that cannot be asked, and a veth with
 * the derived (or recorded) name is taken as ours.
 */
