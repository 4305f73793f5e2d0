#include "plugin/datapath/veth.h"
#include "plugin/util/fault.h"
#include "plugin/datapath/pod_check.h"
#include "plugin/util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugin/util/ipaddr.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netns.h"

#define VETH_MAX_ROUTES 1024
#define VETH_MAX_ADDED	(CNI_MAX_IPS * 3 + CNI_MAX_ROUTES + 2)

void veth_host_ifname(const char *container_id, const char *ifname, char out[IFNAMSIZ])
{
	uint64_t hash = 0xcbf29ce484222325ULL;
	const char *parts[3] = {container_id, "/", ifname};

	for (size_t i = 0; i < 3; i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			hash ^= *p;
			hash *= 0x100000001b3ULL;
		}
	/* "sn" + 12 digits + NUL = 15 bytes: fits IFNAMSIZ by construction. */
	snprintf(out, IFNAMSIZ, "sn%012llx", (unsigned long long)(hash >> 16));
}

#define VETH_ALIAS_PREFIX "slicenet:"

/* "slicenet:<network>:<id>:<ifname>": none of the three may contain ':'. */
static int veth_owner_alias(const char *network, const char *container_id, const char *ifname,
			    char *out, size_t size)
{
	int len = snprintf(out, size, VETH_ALIAS_PREFIX "%s:%s:%s", network, container_id, ifname);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static void veth_host_name(const struct attachment *att, char out[IFNAMSIZ])
{
	if (att->host_ifname[0])
		snprintf(out, IFNAMSIZ, "%s", att->host_ifname);
	else
		veth_host_ifname(att->container_id, att->ifname, out);
}

static void veth_host_prefix(const struct ip_address *addr, struct ip_prefix *out)
{
	out->addr = *addr;
	out->len = ip_address_bits(addr);
}

/* ---- ADD ---- */

/* The pod's gateway per address: IPAM's, else the subnet's first address. */
static int veth_gateways(const struct cni_result *result, struct ip_address gw[CNI_MAX_IPS],
			 struct cni_error *err)
{
	char text[IP_PREFIX_STRLEN];

	for (unsigned int i = 0; i < result->n_ips; i++) {
		const struct cni_ip *ip = &result->ips[i];

		if (!ip_address_size(&ip->address.addr))
			return cni_error_set(err, CNI_ERR_DATAPATH, EINVAL,
					     "veth: ips[%u] has no address", i);
		if (ip->gateway.family) {
			if (ip->gateway.family != ip->address.addr.family)
				return cni_error_set(
					err, CNI_ERR_DATAPATH, EINVAL,
					"veth: address %s: gateway of another family",
					ip_prefix_format(&ip->address, text, sizeof(text)));
			gw[i] = ip->gateway;
		} else {
			ip_prefix_network(&ip->address, &gw[i]);
			ip_address_increment(&gw[i]);
		}
		if (ip_address_equal(&gw[i], &ip->address.addr))
			return cni_error_set(err, CNI_ERR_DATAPATH, EINVAL,
					     "veth: address %s is its own gateway",
					     ip_prefix_format(&ip->address, text, sizeof(text)));
	}
	return 0;
}

static const struct ip_address *veth_family_gateway(const struct cni_result *result,
						    const struct ip_address gw[CNI_MAX_IPS],
						    int family)
{
	for (unsigned int i = 0; i < result->n_ips; i++)
		if (gw[i].family == family)
			return &gw[i];
	return NULL;
}

/* Routes added so far, so that an IPAM route and one of ours never collide. */
struct veth_routes {
	struct netlink_route added[VETH_MAX_ADDED];
	unsigned int n;
};

static bool veth_route_same(const struct netlink_route *a, const struct netlink_route *b)
{
	return a->dst.len == b->dst.len && a->table == b->table && a->priority == b->priority &&
	       ip_address_equal(&a->dst.addr, &b->dst.addr);
}

/* Add route unless one to the same destination exists; *added tells which. */
static int veth_route_add(struct netlink *nl, struct veth_routes *routes,
			  const struct netlink_route *route, bool *added, struct cni_error *err)
{
	int ret;

	if (added)
		*added = false;
	for (unsigned int i = 0; i < routes->n; i++)
		if (veth_route_same(&routes->added[i], route))
			return 0;
	if (routes->n >= VETH_MAX_ADDED)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC, "veth: too many routes");
	ret = netlink_route_add(nl, route, &err->base);
	if (ret < 0)
		return ret;
	routes->added[routes->n++] = *route;
	if (added)
		*added = true;
	return 0;
}

struct veth_pod_setup {
	struct netlink *nl;
	const char *ifname;
	const char *netns;
	const struct cni_result *result;
	const struct ip_address *gw;  /* per ips[] entry */
	struct netlink_link link;     /* out: the container interface */
	struct cni_route defaults[2]; /* out: default routes we added */
	unsigned int n_defaults;
	struct veth_routes routes;
};

static int veth_pod_addresses(struct veth_pod_setup *pod, struct cni_error *err)
{
	const struct cni_result *result = pod->result;
	int ret;

	ret = netlink_link_get(pod->nl, pod->ifname, &pod->link, &err->base);
	if (ret == -ENODEV)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
				     "veth: %s did not appear in netns %s", pod->ifname,
				     pod->netns);
	if (ret < 0)
		return ret;
	/* No prefix route: like ptp, the subnet is reached through the gateway. */
	for (unsigned int i = 0; i < result->n_ips; i++) {
		ret = netlink_addr_add(pod->nl, pod->link.ifindex, &result->ips[i].address,
				       IFA_F_NOPREFIXROUTE, &err->base);
		if (ret < 0)
			return ret;
	}
	return netlink_link_set_up(pod->nl, pod->ifname, true, &err->base);
}

static int veth_pod_ipam_routes(struct veth_pod_setup *pod, struct cni_error *err)
{
	const struct cni_result *result = pod->result;
	char text[IP_PREFIX_STRLEN];
	int ret;

	for (unsigned int i = 0; i < result->n_routes; i++) {
		const struct cni_route *cr = &result->routes[i];
		const struct ip_address *gw;
		struct netlink_route r;

		gw = cr->gw.family ? &cr->gw
				   : veth_family_gateway(result, pod->gw, cr->dst.addr.family);
		if (!gw)
			return cni_error_set(
				err, CNI_ERR_DATAPATH, EINVAL,
				"veth: route %s: no address of its family for a gateway",
				ip_prefix_format(&cr->dst, text, sizeof(text)));
		netlink_route_init(&r);
		ip_prefix_network(&cr->dst, &r.dst.addr);
		r.dst.len = cr->dst.len;
		r.gw = *gw;
		r.oif = pod->link.ifindex;
		r.mtu = cr->mtu;
		r.advmss = cr->advmss;
		r.priority = cr->priority;
		r.table = cr->table;
		if (cr->scope >= 0)
			r.scope = cr->scope;
		ret = veth_route_add(pod->nl, &pod->routes, &r, NULL, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * ptp's routes: the gateway on-link (scope link), the subnet via the gateway,
 * then IPAM's routes and a default route per family via the gateway.
 */
static int veth_pod_routes(struct veth_pod_setup *pod, struct cni_error *err)
{
	const struct cni_result *result = pod->result;
	struct netlink_route r;
	bool added;
	int ret;

	for (unsigned int i = 0; i < result->n_ips; i++) {
		netlink_route_init(&r);
		veth_host_prefix(&pod->gw[i], &r.dst);
		r.oif = pod->link.ifindex;
		r.scope = RT_SCOPE_LINK;
		r.prefsrc = result->ips[i].address.addr;
		ret = veth_route_add(pod->nl, &pod->routes, &r, NULL, err);
		if (ret < 0)
			return ret;
	}
	ret = veth_pod_ipam_routes(pod, err);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		const struct ip_prefix *addr = &result->ips[i].address;

		if (addr->len == 0 || addr->len >= ip_address_bits(&addr->addr))
			continue;
		netlink_route_init(&r);
		ip_prefix_network(addr, &r.dst.addr);
		r.dst.len = addr->len;
		r.gw = pod->gw[i];
		r.oif = pod->link.ifindex;
		r.prefsrc = addr->addr;
		ret = veth_route_add(pod->nl, &pod->routes, &r, NULL, err);
		if (ret < 0)
			return ret;
	}
	for (unsigned int i = 0; i < result->n_ips; i++) {
		struct cni_route *def;

		netlink_route_init(&r);
		r.dst.addr.family = pod->gw[i].family;
		r.gw = pod->gw[i];
		r.oif = pod->link.ifindex;
		ret = veth_route_add(pod->nl, &pod->routes, &r, &added, err);
		if (ret < 0)
			return ret;
		if (!added || pod->n_defaults >= 2)
			continue;
		def = &pod->defaults[pod->n_defaults++];
		memset(def, 0, sizeof(*def));
		def->dst.addr.family = r.gw.family;
		def->gw = r.gw;
		def->scope = -1;
	}
	return 0;
}

/* The gateway addresses on the host end and a host route to each pod address. */
static int veth_host_setup(struct netlink *nl, const char *host, const struct cni_result *result,
			   const struct ip_address gw[CNI_MAX_IPS], struct netlink_link *link,
			   struct cni_error *err)
{
	struct ip_prefix prefix;
	struct netlink_route r;
	int ret;

	ret = netlink_link_get(nl, host, link, &err->base);
	if (ret == -ENODEV)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
				     "veth: %s vanished after create", host);
	if (ret < 0)
		return ret;
	ret = netlink_link_set_up(nl, host, true, &err->base);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		bool seen = false;

		for (unsigned int j = 0; j < i; j++)
			seen = seen || ip_address_equal(&gw[i], &gw[j]);
		if (seen)
			continue;
		veth_host_prefix(&gw[i], &prefix);
		ret = netlink_addr_add(nl, link->ifindex, &prefix, 0, &err->base);
		if (ret < 0)
			return ret;
	}
	for (unsigned int i = 0; i < result->n_ips; i++) {
		netlink_route_init(&r);
		veth_host_prefix(&result->ips[i].address.addr, &r.dst);
		r.oif = link->ifindex;
		r.scope = RT_SCOPE_LINK;
		ret = netlink_route_add(nl, &r, &err->base);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int veth_sysctl_on(const char *path, struct cni_error *err)
{
	char value = '0';
	int fd;
	int ret = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, errno, "veth: open %s: %s", path,
				     strerror(errno));
	if (read(fd, &value, 1) != 1)
		ret = cni_error_set(err, CNI_ERR_DATAPATH, errno ? errno : EIO, "veth: read %s: %s",
				    path, strerror(errno ? errno : EIO));
	else if (value == '0' && pwrite(fd, "1", 1, 0) != 1)
		ret = cni_error_set(err, CNI_ERR_DATAPATH, errno ? errno : EIO,
				    "veth: enable %s: %s", path, strerror(errno ? errno : EIO));
	close(fd);
	return ret;
}

/* Pods reach each other through the host's routes, which needs forwarding (ptp does the same). */
static int veth_enable_forwarding(const struct cni_result *result, struct cni_error *err)
{
	bool v4 = false, v6 = false;
	int ret = 0;

	for (unsigned int i = 0; i < result->n_ips; i++) {
		v4 = v4 || result->ips[i].address.addr.family == AF_INET;
		v6 = v6 || result->ips[i].address.addr.family == AF_INET6;
	}
	if (v4)
		ret = veth_sysctl_on("/proc/sys/net/ipv4/ip_forward", err);
	if (!ret && v6)
		ret = veth_sysctl_on("/proc/sys/net/ipv6/conf/all/forwarding", err);
	return ret;
}

static void veth_fill_result(struct cni_result *result, const struct attachment *att,
			     const struct netlink_link *host, const struct veth_pod_setup *pod,
			     const struct ip_address gw[CNI_MAX_IPS])
{
	struct cni_interface *hi = &result->interfaces[result->n_interfaces];
	struct cni_interface *ci = hi + 1;
	int index = (int)result->n_interfaces + 1;

	memset(hi, 0, 2 * sizeof(*hi));
	snprintf(hi->name, sizeof(hi->name), "%s", host->name);
	netlink_mac_format(host->mac, hi->mac);
	snprintf(ci->name, sizeof(ci->name), "%s", pod->link.name);
	netlink_mac_format(pod->link.mac, ci->mac);
	snprintf(ci->sandbox, sizeof(ci->sandbox), "%s", att->netns);
	ci->mtu = pod->link.mtu;
	result->n_interfaces += 2;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		result->ips[i].interface = index;
		result->ips[i].gateway = gw[i];
	}
	for (unsigned int i = 0; i < pod->n_defaults && result->n_routes < CNI_MAX_ROUTES; i++)
		result->routes[result->n_routes++] = pod->defaults[i];
}

static int veth_add(const struct datapath_context *ctx, struct attachment *att,
		    struct cni_result *result, struct cni_error *err)
{
	const struct attachment *env = att;
	unsigned int mtu = ctx->slice ? ctx->slice->mtu : 0;
	struct ip_address gw[CNI_MAX_IPS] = {0};
	struct veth_pod_setup *pod = NULL;
	struct netlink *host_nl = NULL;
	struct netlink_link host_link;
	struct netlink_veth veth;
	struct cni_error ignored = {0};
	char host[IFNAMSIZ], alias[NETLINK_ALIAS_MAX];
	bool created = false;
	int ns_fd = -1;
	int ret;

	if (result->n_interfaces + 2 > CNI_MAX_INTERFACES || result->n_ips > CNI_MAX_IPS)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC,
				     "veth: no room for two more interfaces in the result");
	veth_host_ifname(env->container_id, env->ifname, host);
	ret = veth_gateways(result, gw, err);
	if (ret < 0)
		return ret;
	pod = calloc(1, sizeof(*pod));
	if (!pod)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "veth: out of memory");
	ns_fd = netns_open(env->netns, &err->base);
	if (ns_fd < 0) {
		ret = cni_error_code(err, CNI_ERR_INVALID_ENV, ns_fd);
		goto out;
	}
	host_nl = netlink_open(&err->base);
	if (!host_nl) {
		ret = -errno;
		goto out;
	}
	ret = netlink_open_in(ns_fd, &pod->nl, &err->base);
	if (ret < 0)
		goto out;

	ret = netlink_link_get(host_nl, host, &host_link, &err->base);
	if (ret == 0) {
		ret = cni_error_set(err, CNI_ERR_DATAPATH, EEXIST,
				    "veth: host interface %s for %s/%s already exists", host,
				    env->container_id, env->ifname);
		goto out;
	}
	if (ret != -ENODEV)
		goto out;
	veth = (struct netlink_veth){
		.name = host, .peer_name = env->ifname, .peer_netns_fd = ns_fd, .mtu = mtu};
	ret = netlink_veth_create(host_nl, &veth, &err->base);
	if (ret < 0)
		goto out;
	created = true;
	fault_point("veth-after-create");
	/* The alias names the owner, so GC finds leftovers that have no record. */
	if (veth_owner_alias(ctx->conf->name, env->container_id, env->ifname, alias,
			     sizeof(alias))) {
		log_warn("veth: network name and container id too long for an alias on %s: GC "
			 "cannot find it if this ADD is interrupted",
			 host);
	} else {
		ret = netlink_link_set_alias(host_nl, host, alias, &err->base);
		if (ret < 0)
			goto out;
	}

	pod->ifname = env->ifname;
	pod->netns = env->netns;
	pod->result = result;
	pod->gw = gw;
	ret = veth_pod_addresses(pod, err);
	if (ret < 0)
		goto out;
	fault_point("veth-after-pod-addresses");
	ret = veth_host_setup(host_nl, host, result, gw, &host_link, err);
	if (ret < 0)
		goto out;
	ret = veth_pod_routes(pod, err);
	if (ret < 0)
		goto out;
	ret = veth_enable_forwarding(result, err);
	if (ret < 0)
		goto out;

	veth_fill_result(result, att, &host_link, pod, gw);
	snprintf(att->host_ifname, sizeof(att->host_ifname), "%s", host);
	ret = 0;
out:
	/* Deleting the host end takes the pod end, its addresses and routes along. */
	if (ret < 0 && created)
		(void)!netlink_link_delete(host_nl, host, &ignored.base);
	if (pod)
		netlink_close(pod->nl);
	free(pod);
	netlink_close(host_nl);
	if (ns_fd >= 0)
		close(ns_fd);
	return ret;
}

/* ---- CHECK ---- */

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

static int veth_check_routes(struct veth_check *c, struct cni_error *err)
{
	const struct attachment *env = c->att;
	struct netlink_route *routes;
	char text[IP_PREFIX_STRLEN];
	size_t n = 0;
	int ret;

	routes = calloc(VETH_MAX_ROUTES, sizeof(*routes));
	if (!routes)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "veth: out of memory");
	ret = netlink_route_list(c->pod_nl, AF_UNSPEC, 0, routes, VETH_MAX_ROUTES, &n, &err->base);
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
	size_t n = 0;
	int ret;

	routes = calloc(VETH_MAX_ROUTES, sizeof(*routes));
	if (!routes)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "veth: out of memory");
	ret = netlink_route_list(c->host_nl, AF_UNSPEC, RT_TABLE_MAIN, routes, VETH_MAX_ROUTES, &n,
				 &err->base);
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

static int veth_check(const struct datapath_context *ctx, const struct attachment *att,
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
static bool veth_host_is_ours(const struct netlink_link *host, const struct netlink_link *pod,
			      bool pod_known, bool recorded)
{
	if (strcmp(host->kind, "veth"))
		return false;
	if (recorded || !pod_known)
		return true;
	return pod && pod->ifindex == host->link_ifindex && pod->link_ifindex == host->ifindex;
}

static int veth_del(const struct datapath_context *ctx, const struct attachment *att,
		    struct cni_error *err)
{
	const struct attachment *env = att;
	bool recorded = att->host_ifname[0];
	struct netlink *host_nl = NULL, *pod_nl = NULL;
	struct netlink_link host, pod;
	struct cni_error ignored = {0};
	char host_name[IFNAMSIZ];
	bool have_pod = false;
	int ns_fd = -1;
	int ret;

	(void)ctx;
	veth_host_name(att, host_name);
	host_nl = netlink_open(&err->base);
	if (!host_nl)
		return -errno;
	/* DEL succeeds when the netns is gone: its interfaces went with it. */
	if (env->netns[0]) {
		ns_fd = netns_open(env->netns, &ignored.base);
		if (ns_fd >= 0) {
			ret = netlink_open_in(ns_fd, &pod_nl, &err->base);
			if (ret < 0)
				goto out;
			ret = netlink_link_get(pod_nl, env->ifname, &pod, &err->base);
			if (ret < 0 && ret != -ENODEV)
				goto out;
			have_pod = ret == 0;
		}
	}
	ret = netlink_link_get(host_nl, host_name, &host, &err->base);
	if (ret < 0 && ret != -ENODEV)
		goto out;
	if (ret == 0 && veth_host_is_ours(&host, have_pod ? &pod : NULL, ns_fd >= 0, recorded)) {
		ret = netlink_link_delete(host_nl, host_name, &err->base);
		if (ret < 0 && ret != -ENODEV)
			goto out;
	}
	/*
	 * The pod end alone (host end gone or renamed) is ours only when our
	 * record says veth and it is one: without a record, an interface of
	 * that name may be an SR-IOV VF or another plugin's, not ours to delete.
	 */
	if (have_pod && recorded && !strcmp(pod.kind, "veth")) {
		ret = netlink_link_delete(pod_nl, env->ifname, &err->base);
		if (ret < 0 && ret != -ENODEV)
			goto out;
	}
	ret = 0;
out:
	netlink_close(pod_nl);
	netlink_close(host_nl);
	if (ns_fd >= 0)
		close(ns_fd);
	return ret;
}

static bool veth_available(const struct datapath_context *ctx, const struct attachment *att,
			   char *why, size_t why_size)
{
	(void)ctx;
	(void)att;
	if (why && why_size)
		why[0] = '\0';
	return true;
}

/* ---- GC ---- */

struct veth_gc {
	const char *network;
	bool (*is_valid)(const char *container_id, const char *ifname, void *arg);
	void *arg;
	char (*stale)[IFNAMSIZ]; /* collected during the dump, deleted after it */
	size_t n_stale, cap;
};

static int veth_gc_link(const struct netlink_link *link, void *arg)
{
	struct veth_gc *gc = arg;
	char prefix[300], id[CNI_CONTAINER_ID_MAX], ifname[IFNAMSIZ];
	const char *rest, *colon;

	if (snprintf(prefix, sizeof(prefix), VETH_ALIAS_PREFIX "%s:", gc->network) >=
	    (int)sizeof(prefix))
		return 0;
	if (strcmp(link->kind, "veth") || strncmp(link->alias, prefix, strlen(prefix)))
		return 0;
	rest = link->alias + strlen(prefix);
	colon = strchr(rest, ':');
	if (!colon || (size_t)(colon - rest) >= sizeof(id) || strlen(colon + 1) >= sizeof(ifname))
		return 0;
	snprintf(id, sizeof(id), "%.*s", (int)(colon - rest), rest);
	snprintf(ifname, sizeof(ifname), "%s", colon + 1);
	if (gc->is_valid(id, ifname, gc->arg))
		return 0;
	if (gc->n_stale == gc->cap) {
		size_t cap = gc->cap ? gc->cap * 2 : 16;
		char(*grown)[IFNAMSIZ] = realloc(gc->stale, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		gc->stale = grown;
		gc->cap = cap;
	}
	snprintf(gc->stale[gc->n_stale++], IFNAMSIZ, "%s", link->name);
	return 0;
}

static int veth_gc(const struct datapath_context *ctx, datapath_is_valid_fn is_valid, void *arg,
		   struct cni_error *err)
{
	struct veth_gc gc = {ctx->conf->name, is_valid, arg, NULL, 0, 0};
	struct netlink *nl = netlink_open(&err->base);
	int ret, first = 0;

	if (!nl)
		return -errno;
	ret = netlink_link_foreach(nl, veth_gc_link, &gc, &err->base);
	if (ret == -ENOMEM)
		cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "veth: GC: out of memory");
	/* A request on the socket in the middle of a dump would corrupt it: delete after. */
	for (size_t i = 0; !ret && i < gc.n_stale; i++) {
		int r = netlink_link_delete(nl, gc.stale[i], &err->base);

		if (r < 0 && r != -ENODEV && !first)
			first = r;
	}
	free(gc.stale);
	netlink_close(nl);
	return ret ? ret : first;
}

const struct datapath_ops veth_datapath = {
	.name = "veth", /* no config section of its own */
	.available = veth_available,
	.add = veth_add,
	.check = veth_check,
	.del = veth_del,
	.gc = veth_gc,
};
