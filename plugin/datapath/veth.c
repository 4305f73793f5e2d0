/*
 * The veth datapath: a kernel veth pair routed by the host, as the reference
 * ptp plugin does. ADD lays out addresses and routes first (veth_plan.c,
 * no I/O), then applies the plan; CHECK and GC live in their own files.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugin/datapath/veth.h"
#include "plugin/datapath/veth_internal.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netns.h"
#include "plugin/util/fault.h"
#include "plugin/util/ipaddr.h"
#include "plugin/util/log.h"

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

/* None of the three may contain ':' (container ids and network names cannot). */
int veth_owner_alias(const char *network, const char *container_id, const char *ifname, char *out,
		     size_t size)
{
	int len = snprintf(out, size, VETH_ALIAS_PREFIX "%s:%s:%s", network, container_id, ifname);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

void veth_host_name(const struct attachment *att, char out[IFNAMSIZ])
{
	if (att->host_ifname[0])
		snprintf(out, IFNAMSIZ, "%s", att->host_ifname);
	else
		veth_host_ifname(att->container_id, att->ifname, out);
}

/* ---- ADD: apply the plan ---- */

/*
 * ADD takes three netlink round trips: the pair is created (the host end
 * up), with its queue counts and the pod end's MAC, and the kernel echoes the host end
 * (whose IFLA_LINK is the pod end's ifindex); then one batch on each side
 * (alias, addresses, routes). Each was a round trip of its own before
 * (18 in all), and each lookup before a change is gone.
 */
struct veth_pod {
	struct netlink *nl;
	struct netlink_link link;     /* the container interface */
	struct cni_route defaults[2]; /* default routes we added */
	unsigned int n_defaults;
};

/*
 * Requests queued on the pod side, in order: one address per IP, the link
 * up, then the plan's routes. No prefix route: like ptp, the subnet is reached through
 * the gateway.
 */
static int veth_pod_queue(struct veth_pod *pod, const struct cni_result *result,
			  const struct veth_plan *plan, struct cni_error *err)
{
	int ret;

	for (unsigned int i = 0; i < result->n_ips; i++) {
		ret = netlink_addr_add(pod->nl, pod->link.ifindex, &result->ips[i].address,
				       IFA_F_NOPREFIXROUTE, &err->base);
		if (ret < 0)
			return ret;
	}
	ret = netlink_link_set_up_index(pod->nl, pod->link.ifindex, true, &err->base);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < plan->n_pod_routes; i++) {
		struct netlink_route r = plan->pod_routes[i];

		r.oif = pod->link.ifindex;
		ret = netlink_route_add(pod->nl, &r, &err->base);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * Routes the pod already has are not an error, as in the reference plugins
 * ("first one wins"): a second network in the pod keeps the first one's
 * default route. Only routes we added are reported in the result.
 */
static int veth_pod_results(struct veth_pod *pod, const struct cni_result *result,
			    const struct veth_plan *plan, const int *results, struct cni_error *err)
{
	char text[IP_PREFIX_STRLEN];

	/* Addresses and the link going up, then the routes. */
	for (unsigned int i = 0; i <= result->n_ips; i++)
		if (results[i] < 0)
			return netlink_batch_error(pod->nl, i, &err->base);
	results += result->n_ips + 1;
	for (unsigned int i = 0; i < plan->n_pod_routes; i++) {
		const struct netlink_route *r = &plan->pod_routes[i];

		if (results[i] == -EEXIST) {
			log_info("veth: the pod already has a route to %s; keeping it",
				 r->dst.len ? ip_prefix_format(&r->dst, text, sizeof(text))
					    : "the default");
			continue;
		}
		if (results[i] < 0)
			return netlink_batch_error(pod->nl, result->n_ips + 1 + i, &err->base);
		if (plan->pod_route_is_default[i] && pod->n_defaults < 2) {
			struct cni_route *def = &pod->defaults[pod->n_defaults++];

			memset(def, 0, sizeof(*def));
			def->dst.addr.family = r->gw.family;
			def->gw = r->gw;
			def->scope = -1;
		}
	}
	return 0;
}

static int veth_pod_setup(struct veth_pod *pod, const struct cni_result *result,
			  const struct veth_plan *plan, struct cni_error *err)
{
	int results[CNI_MAX_IPS + 1 + VETH_MAX_PLANNED];
	int ret;

	if (result->n_ips + 1 + plan->n_pod_routes > sizeof(results) / sizeof(results[0]))
		return cni_error_set(err, CNI_ERR_INTERNAL, E2BIG, "veth: too many requests");
	ret = netlink_batch_begin(pod->nl, &err->base);
	if (ret < 0)
		return ret;
	ret = veth_pod_queue(pod, result, plan, err);
	if (netlink_batch_end(pod->nl, results, sizeof(results) / sizeof(results[0]),
			      ret < 0 ? NULL : &err->base) < 0 &&
	    !ret)
		return -EIO;
	if (ret < 0)
		return ret;
	return veth_pod_results(pod, result, plan, results, err);
}

/* The alias names the owner: GC finds leftovers that have no record by it. */
static int veth_host_setup(const struct datapath_context *ctx, const struct attachment *att,
			   struct netlink *nl, const struct veth_plan *plan,
			   const struct netlink_link *link, struct cni_error *err)
{
	int results[1 + 2 * CNI_MAX_IPS];
	char alias[NETLINK_ALIAS_MAX];
	unsigned int n = 0;
	int ret;

	ret = netlink_batch_begin(nl, &err->base);
	if (ret < 0)
		return ret;
	if (veth_owner_alias(ctx->conf->name, att->container_id, att->ifname, alias, sizeof(alias)))
		log_warn("veth: network name and container id too long for an alias on %s",
			 link->name);
	else if ((ret = netlink_link_set_alias_index(nl, link->ifindex, alias, &err->base)) == 0)
		n++;
	for (unsigned int i = 0; !ret && i < plan->n_host_addrs; i++, n++)
		ret = netlink_addr_add(nl, link->ifindex, &plan->host_addrs[i], 0, &err->base);
	for (unsigned int i = 0; !ret && i < plan->n_host_routes; i++, n++) {
		struct netlink_route r = plan->host_routes[i];

		r.oif = link->ifindex;
		ret = netlink_route_add(nl, &r, &err->base);
	}
	if (netlink_batch_end(nl, results, sizeof(results) / sizeof(results[0]),
			      ret < 0 ? NULL : &err->base) < 0 &&
	    !ret)
		return -EIO;
	for (unsigned int i = 0; !ret && i < n; i++)
		if (results[i] < 0)
			ret = netlink_batch_error(nl, i, &err->base);
	return ret;
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

/*
 * An IPv4-only network's host end gets no IPv6, before its carrier comes up
 * (the pod end going up): no link-local address or routes for a pod to reach
 * the host by, and the node's IPv6 FIB does not grow by three routes a pod.
 * The kernel walks that whole FIB on every link event in the host netns
 * (this end's alias, carrier, deletion): at 500 pods each walk cost ~0.3 ms.
 * No IPv6 in the kernel (no conf directory) leaves nothing to turn off.
 */
static int veth_host_ipv6_off(const struct cni_result *result, const char *host,
			      struct cni_error *err)
{
	char path[sizeof("/proc/sys/net/ipv6/conf//disable_ipv6") + IFNAMSIZ];
	int fd;

	for (unsigned int i = 0; i < result->n_ips; i++)
		if (result->ips[i].address.addr.family == AF_INET6)
			return 0;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", host);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || write(fd, "1", 1) != 1) {
		int errnum = errno ? errno : EIO;

		if (fd >= 0)
			close(fd);
		return cni_error_set(err, CNI_ERR_DATAPATH, errnum, "veth: turn off IPv6 on %s: %s",
				     host, strerror(errnum));
	}
	close(fd);
	return 0;
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
			     const struct netlink_link *host, const struct veth_pod *pod,
			     const struct veth_plan *plan)
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
		result->ips[i].gateway = plan->gw[i];
	}
	for (unsigned int i = 0; i < pod->n_defaults && result->n_routes < CNI_MAX_ROUTES; i++)
		result->routes[result->n_routes++] = pod->defaults[i];
}

/* A random locally administered unicast MAC, as the kernel would pick. */
static bool veth_random_mac(unsigned char mac[NETLINK_MAC_LEN])
{
	if (getrandom(mac, NETLINK_MAC_LEN, 0) != NETLINK_MAC_LEN)
		return false;
	mac[0] = (unsigned char)((mac[0] & 0xfe) | 0x02);
	return true;
}

/*
 * Create the pair, the pod end named att->ifname in att->netns, the host end
 * up, one queue on each end: with the kernel's default (a queue per possible
 * CPU) veth trims the real count to one after registering, and each trim
 * waits for an RCU grace period. The pod end's MAC is chosen here (or taken
 * from att) so the result needs no lookup in the pod.
 */
static int veth_create(const struct datapath_context *ctx, const struct attachment *att,
		       struct netlink *host_nl, int ns_fd, const char *host,
		       struct netlink_link *host_link, struct veth_pod *pod, bool *created,
		       struct cni_error *err)
{
	struct netlink_veth veth = {.name = host,
				    .peer_name = att->ifname,
				    .peer_netns_fd = ns_fd,
				    .mtu = ctx->slice ? ctx->slice->mtu : 0,
				    .queues = 1,
				    .up = true,
				    .created = host_link};
	unsigned char mac[NETLINK_MAC_LEN];
	struct netlink_link existing;
	bool have_mac = true;
	int ret;

	if (att->mac[0]) {
		if (sscanf(att->mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
			   &mac[3], &mac[4], &mac[5]) != 6)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "veth: mac \"%s\" is not a MAC address", att->mac);
	} else {
		have_mac = veth_random_mac(mac);
	}
	veth.peer_mac = have_mac ? mac : NULL;
	ret = netlink_veth_create(host_nl, &veth, &err->base);
	if (ret == -EEXIST && netlink_link_get(host_nl, host, &existing, &err->base) == 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, EEXIST,
				     "veth: host interface %s for %s/%s already exists", host,
				     att->container_id, att->ifname);
	if (ret < 0)
		return ret;
	*created = true;
	fault_point("veth-after-create");
	if (host_link->link_ifindex <= 0 || !have_mac) {
		/* No peer index in the reply, or no MAC of ours: ask the pod side. */
		ret = netlink_link_get(pod->nl, att->ifname, &pod->link, &err->base);
		if (ret == -ENODEV)
			return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
					     "veth: %s did not appear in netns %s", att->ifname,
					     att->netns);
		return ret;
	}
	memset(&pod->link, 0, sizeof(pod->link));
	pod->link.ifindex = host_link->link_ifindex;
	snprintf(pod->link.name, sizeof(pod->link.name), "%s", att->ifname);
	memcpy(pod->link.mac, mac, sizeof(mac));
	/* Both ends get the same MTU: the slice's, or the kernel's default for veth. */
	pod->link.mtu = host_link->mtu;
	return 0;
}

static int veth_add(const struct datapath_context *ctx, struct attachment *att,
		    struct cni_result *result, struct cni_error *err)
{
	struct netlink *host_nl = NULL;
	struct veth_plan *plan = NULL;
	struct veth_pod pod = {0};
	struct netlink_link host_link;
	struct cni_error ignored = {0};
	char host[IFNAMSIZ];
	bool created = false;
	int ns_fd = -1;
	int ret;

	if (result->n_interfaces + 2 > CNI_MAX_INTERFACES)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOSPC,
				     "veth: no room for two more interfaces in the result");
	plan = malloc(sizeof(*plan));
	if (!plan)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "veth: out of memory");
	if ((ret = veth_plan_make(result, plan, err)) < 0)
		goto out;
	veth_host_ifname(att->container_id, att->ifname, host);
	ns_fd = netns_open(att->netns, &err->base);
	if (ns_fd < 0) {
		ret = cni_error_code(err, CNI_ERR_INVALID_ENV, ns_fd);
		goto out;
	}
	host_nl = netlink_open(&err->base);
	if (!host_nl) {
		ret = -errno;
		goto out;
	}
	if ((ret = netlink_open_in(ns_fd, &pod.nl, &err->base)) < 0)
		goto out;
	if ((ret = veth_create(ctx, att, host_nl, ns_fd, host, &host_link, &pod, &created, err)) <
	    0)
		goto out;
	if ((ret = veth_host_ipv6_off(result, host, err)) < 0 ||
	    (ret = veth_pod_setup(&pod, result, plan, err)) < 0)
		goto out;
	fault_point("veth-after-pod-addresses");
	if ((ret = veth_host_setup(ctx, att, host_nl, plan, &host_link, err)) < 0 ||
	    (ret = veth_enable_forwarding(result, err)) < 0)
		goto out;
	veth_fill_result(result, att, &host_link, &pod, plan);
	snprintf(att->host_ifname, sizeof(att->host_ifname), "%s", host);
	ret = 0;
out:
	/* Deleting the host end takes the pod end, its addresses and routes along. */
	if (ret < 0 && created)
		(void)!netlink_link_delete(host_nl, host, &ignored.base);
	netlink_close(pod.nl);
	netlink_close(host_nl);
	if (ns_fd >= 0)
		close(ns_fd);
	free(plan);
	return ret;
}

/* ---- DEL ---- */

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
		ret = veth_delete_pair(host_nl, host.ifindex, err);
		if (ret < 0)
			goto out;
		/* The pod end went with it when it was the host end's peer. */
		if (have_pod && pod.ifindex == host.link_ifindex &&
		    pod.link_ifindex == host.ifindex)
			have_pod = false;
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

const struct datapath_ops veth_datapath = {
	.name = "veth", /* no config section of its own */
	.available = veth_available,
	.add = veth_add,
	.check = veth_check,
	.del = veth_del,
	.gc = veth_gc,
};
