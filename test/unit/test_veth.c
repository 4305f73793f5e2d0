/*
 * The veth datapath for real: each test (its own process under Criterion)
 * unshares a "host" netns and creates pod netns, then drives
 * veth_datapath.add/check/del the way cmd_add/cmd_check/cmd_del do.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugin/kernel/netlink.h"
#include "plugin/datapath/veth.h"

#define MAX_PODS 2

struct pod {
	int ns_fd;
	struct cni_env env;
	struct datapath_context ctx;
	struct attachment att;
	struct cni_result result;
};

static int host_ns = -1;
static struct slice_class slice = {.name = "embb", .mtu = 1400};
static struct netconf conf = {.name = "tnlnet"};
static struct pod *pods[MAX_PODS];

static void setup(void)
{
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	host_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(host_ns, 0);
}

static void teardown(void)
{
	for (int i = 0; i < MAX_PODS; i++) {
		if (pods[i] && pods[i]->ns_fd >= 0)
			close(pods[i]->ns_fd);
		free(pods[i]);
		pods[i] = NULL;
	}
	if (host_ns >= 0)
		close(host_ns);
}

TestSuite(veth, .init = setup, .fini = teardown);

static struct ip_prefix prefix(const char *text)
{
	struct ip_prefix p;

	cr_assert_eq(ip_prefix_parse(text, &p), 0, "%s", text);
	return p;
}

static struct ip_address address(const char *text)
{
	struct ip_address a;

	cr_assert_eq(ip_address_parse(text, &a), 0, "%s", text);
	return a;
}

/* A pod: its own netns (reachable by a /proc path) and an IPAM-like result. */
static struct pod *new_pod(int slot, const char *id, const char *v4, const char *v6)
{
	struct pod *pod = calloc(1, sizeof(*pod));

	cr_assert_not_null(pod);
	pods[slot] = pod;
	cr_assert_eq(unshare(CLONE_NEWNET), 0);
	pod->ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(pod->ns_fd, 0);
	cr_assert_eq(setns(host_ns, CLONE_NEWNET), 0);

	pod->env.command = CNI_CMD_ADD;
	snprintf(pod->env.container_id, sizeof(pod->env.container_id), "%s", id);
	snprintf(pod->env.ifname, sizeof(pod->env.ifname), "eth0");
	snprintf(pod->env.netns, sizeof(pod->env.netns), "/proc/%d/fd/%d", getpid(), pod->ns_fd);
	pod->ctx.dp_conf = &slice;
	pod->ctx.slice = &slice;
	snprintf(pod->att.netns, sizeof(pod->att.netns), "%s", pod->env.netns);
	pod->ctx.conf = &conf;
	snprintf(pod->att.container_id, sizeof(pod->att.container_id), "%s", id);
	snprintf(pod->att.ifname, sizeof(pod->att.ifname), "eth0");

	cni_result_init(&pod->result);
	if (v4) {
		struct cni_ip *ip = &pod->result.ips[pod->result.n_ips++];

		ip->address = prefix(v4);
		ip->gateway = address("10.77.0.1");
		ip->interface = -1;
	}
	if (v6) {
		struct cni_ip *ip = &pod->result.ips[pod->result.n_ips++];

		/* No gateway from IPAM: veth picks the subnet's first address. */
		ip->address = prefix(v6);
		ip->interface = -1;
	}
	return pod;
}

static void add_ipam_route(struct pod *pod, const char *dst, const char *gw)
{
	struct cni_route *r = &pod->result.routes[pod->result.n_routes++];

	memset(r, 0, sizeof(*r));
	r->scope = -1;
	r->dst = prefix(dst);
	if (gw)
		r->gw = address(gw);
}

static struct netlink *netlink_in(int ns_fd)
{
	struct cni_error err = {0};
	struct netlink *nl;

	cr_assert_eq(setns(ns_fd, CLONE_NEWNET), 0);
	nl = netlink_open(&err.base);
	cr_assert_eq(setns(host_ns, CLONE_NEWNET), 0);
	cr_assert_not_null(nl, "%s", err.msg);
	return nl;
}

static int do_add(struct pod *pod, struct cni_error *err)
{
	return veth_datapath.add(&pod->ctx, &pod->att, &pod->result, err);
}

static void add_ok(struct pod *pod)
{
	struct cni_error err = {0};

	cr_assert_eq(do_add(pod, &err), 0, "add: %s", err.msg);
}

static bool link_exists(struct netlink *nl, const char *name)
{
	struct cni_error err = {0};
	struct netlink_link link;
	int ret = netlink_link_get(nl, name, &link, &err.base);

	cr_assert(ret == 0 || ret == -ENODEV, "%s", err.msg);
	return ret == 0;
}

static bool has_addr(struct netlink *nl, int ifindex, const char *text)
{
	struct ip_prefix want = prefix(text);
	struct netlink_addr addrs[32];
	struct cni_error err = {0};
	size_t n = 0;

	cr_assert_eq(netlink_addr_list(nl, ifindex, AF_UNSPEC, addrs, 32, &n, &err.base), 0, "%s",
		     err.msg);
	for (size_t i = 0; i < n; i++)
		if (addrs[i].prefix.len == want.len &&
		    ip_address_equal(&addrs[i].prefix.addr, &want.addr))
			return true;
	return false;
}

/* A route to dst (in the main table) through oif, via gw when gw is not NULL. */
static const struct netlink_route *find_route(struct netlink *nl, int oif, const char *dst,
					      const char *gw)
{
	static struct netlink_route routes[128];
	struct ip_prefix want = prefix(dst);
	struct cni_error err = {0};
	size_t n = 0;

	cr_assert_eq(netlink_route_list(nl, AF_UNSPEC, RT_TABLE_MAIN, routes, 128, &n, &err.base),
		     0, "%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		struct ip_address g;

		if (routes[i].oif != oif || routes[i].dst.len != want.len ||
		    !ip_address_equal(&routes[i].dst.addr, &want.addr))
			continue;
		if (gw) {
			g = address(gw);
			if (!ip_address_equal(&routes[i].gw, &g))
				continue;
		}
		return &routes[i];
	}
	return NULL;
}

static char read_sysctl(const char *path)
{
	char c = '?';
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0);
	cr_assert_eq(read(fd, &c, 1), 1);
	close(fd);
	return c;
}

Test(veth, available_always)
{
	char why[64] = "x";
	struct datapath_context ctx = {0};
	struct attachment att = {0};

	cr_assert_str_eq(veth_datapath.name, "veth");
	cr_assert(veth_datapath.available(&ctx, &att, why, sizeof(why)));
}

Test(veth, add_check_del_dual_stack)
{
	struct pod *pod = new_pod(0, "tnl-dual", "10.77.0.5/24", "fd77::5/64");
	struct netlink *host_nl = netlink_in(host_ns), *pod_nl = netlink_in(pod->ns_fd);
	const struct netlink_route *r;
	struct netlink_link host, eth0;
	struct cni_error err = {0};
	char host_name[IFNAMSIZ];

	add_ipam_route(pod, "10.99.0.0/16", NULL);
	add_ok(pod);
	veth_host_ifname("tnl-dual", "eth0", host_name);
	cr_assert_str_eq(pod->att.host_ifname, host_name);

	/* The result: host side first, then the container side. */
	cr_assert_eq(pod->result.n_interfaces, 2);
	cr_assert_str_eq(pod->result.interfaces[0].name, host_name);
	cr_assert_str_eq(pod->result.interfaces[0].sandbox, "");
	cr_assert_eq(strlen(pod->result.interfaces[0].mac), 17);
	cr_assert_str_eq(pod->result.interfaces[1].name, "eth0");
	cr_assert_str_eq(pod->result.interfaces[1].sandbox, pod->env.netns);
	cr_assert_eq(pod->result.interfaces[1].mtu, 1400);
	for (unsigned int i = 0; i < pod->result.n_ips; i++)
		cr_assert_eq(pod->result.ips[i].interface, 1);
	struct ip_address gw6 = address("fd77::1");
	cr_assert(ip_address_equal(&pod->result.ips[1].gateway, &gw6), "v6 gateway filled in");
	/* IPAM's route plus one default per family. */
	cr_assert_eq(pod->result.n_routes, 3);
	cr_assert_eq(pod->result.routes[1].dst.len, 0);
	cr_assert_eq(pod->result.routes[2].dst.len, 0);

	/* The pod. */
	cr_assert_eq(netlink_link_get(pod_nl, "eth0", &eth0, &err.base), 0, "%s", err.msg);
	cr_assert(eth0.flags & IFF_UP);
	cr_assert_eq(eth0.mtu, 1400);
	cr_assert(has_addr(pod_nl, eth0.ifindex, "10.77.0.5/24"));
	cr_assert(has_addr(pod_nl, eth0.ifindex, "fd77::5/64"));
	r = find_route(pod_nl, eth0.ifindex, "10.77.0.1/32", NULL);
	cr_assert_not_null(r, "on-link route to the gateway");
	cr_assert_eq(r->scope, RT_SCOPE_LINK);
	cr_assert_not_null(find_route(pod_nl, eth0.ifindex, "10.77.0.0/24", "10.77.0.1"));
	cr_assert_not_null(find_route(pod_nl, eth0.ifindex, "0.0.0.0/0", "10.77.0.1"));
	cr_assert_not_null(find_route(pod_nl, eth0.ifindex, "10.99.0.0/16", "10.77.0.1"));
	cr_assert_not_null(find_route(pod_nl, eth0.ifindex, "fd77::1/128", NULL));
	cr_assert_not_null(find_route(pod_nl, eth0.ifindex, "::/0", "fd77::1"));

	/* The host. */
	cr_assert_eq(netlink_link_get(host_nl, host_name, &host, &err.base), 0, "%s", err.msg);
	cr_assert(host.flags & IFF_UP);
	cr_assert_str_eq(host.kind, "veth");
	cr_assert(has_addr(host_nl, host.ifindex, "10.77.0.1/32"));
	cr_assert(has_addr(host_nl, host.ifindex, "fd77::1/128"));
	r = find_route(host_nl, host.ifindex, "10.77.0.5/32", NULL);
	cr_assert_not_null(r);
	cr_assert_eq(r->scope, RT_SCOPE_LINK);
	cr_assert_not_null(find_route(host_nl, host.ifindex, "fd77::5/128", NULL));
	cr_assert_eq(read_sysctl("/proc/sys/net/ipv4/ip_forward"), '1');
	cr_assert_eq(read_sysctl("/proc/sys/net/ipv6/conf/all/forwarding"), '1');

	cr_assert_eq(veth_datapath.check(&pod->ctx, &pod->att, &pod->result, &err), 0, "%s",
		     err.msg);

	cr_assert_eq(veth_datapath.del(&pod->ctx, &pod->att, &err), 0, "%s", err.msg);
	cr_assert_not(link_exists(host_nl, host_name));
	cr_assert_not(link_exists(pod_nl, "eth0"));
	cr_assert_eq(veth_datapath.del(&pod->ctx, &pod->att, &err), 0, "second DEL: %s", err.msg);
	cr_assert_eq(err.code, 0);
	netlink_close(pod_nl);
	netlink_close(host_nl);
}

Test(veth, default_mtu_without_slice)
{
	struct pod *pod = new_pod(0, "tnl-mtu", "10.77.0.6/24", NULL);

	pod->ctx.slice = NULL;
	add_ok(pod);
	cr_assert_eq(pod->result.interfaces[1].mtu, 1500);
}

Test(veth, ipam_default_route_not_duplicated)
{
	struct pod *pod = new_pod(0, "tnl-def", "10.77.0.7/24", NULL);

	add_ipam_route(pod, "0.0.0.0/0", NULL);
	add_ok(pod);
	cr_assert_eq(pod->result.n_routes, 1, "IPAM's default route is the default route");
}

Test(veth, check_fails_without_pod_address)
{
	struct pod *pod = new_pod(0, "tnl-chk", "10.77.0.8/24", NULL);
	struct netlink *pod_nl = netlink_in(pod->ns_fd);
	struct ip_prefix addr = prefix("10.77.0.8/24");
	struct cni_error err = {0};
	struct netlink_link eth0;

	add_ok(pod);
	cr_assert_eq(netlink_link_get(pod_nl, "eth0", &eth0, &err.base), 0);
	cr_assert_eq(netlink_addr_del(pod_nl, eth0.ifindex, &addr, &err.base), 0, "%s", err.msg);
	cr_assert_lt(veth_datapath.check(&pod->ctx, &pod->att, &pod->result, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_CHECK_FAILED);
	cr_assert(strstr(err.msg, "10.77.0.8/24"), "%s", err.msg);
	cr_assert(strstr(err.msg, "eth0"), "%s", err.msg);
	netlink_close(pod_nl);
}

Test(veth, check_fails_without_route)
{
	struct pod *pod = new_pod(0, "tnl-chkr", "10.77.0.9/24", NULL);
	struct netlink *pod_nl = netlink_in(pod->ns_fd);
	struct cni_error err = {0};
	struct netlink_route r;
	struct netlink_link eth0;

	add_ok(pod);
	cr_assert_eq(netlink_link_get(pod_nl, "eth0", &eth0, &err.base), 0);
	netlink_route_init(&r);
	r.dst = prefix("0.0.0.0/0");
	r.gw = address("10.77.0.1");
	r.oif = eth0.ifindex;
	cr_assert_eq(netlink_route_del(pod_nl, &r, &err.base), 0, "%s", err.msg);
	cr_assert_lt(veth_datapath.check(&pod->ctx, &pod->att, &pod->result, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_CHECK_FAILED);
	cr_assert(strstr(err.msg, "route to 0.0.0.0/0"), "%s", err.msg);
	netlink_close(pod_nl);
}

Test(veth, check_fails_without_host_veth)
{
	struct pod *pod = new_pod(0, "tnl-chkh", "10.77.0.10/24", NULL);
	struct netlink *host_nl = netlink_in(host_ns), *pod_nl = netlink_in(pod->ns_fd);
	struct cni_error err = {0};

	add_ok(pod);
	/* Renamed on the host: gone under its name, the pod end still there. */
	cr_assert_eq(netlink_link_rename(host_nl, pod->att.host_ifname, "tnlrenamed", &err.base), 0,
		     "%s", err.msg);
	cr_assert_lt(veth_datapath.check(&pod->ctx, &pod->att, &pod->result, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_CHECK_FAILED);
	cr_assert(strstr(err.msg, pod->att.host_ifname), "%s", err.msg);
	/* DEL still removes the pair, from the pod side. */
	memset(&err, 0, sizeof(err));
	cr_assert_eq(veth_datapath.del(&pod->ctx, &pod->att, &err), 0, "%s", err.msg);
	cr_assert_not(link_exists(pod_nl, "eth0"));
	cr_assert_not(link_exists(host_nl, "tnlrenamed"));
	netlink_close(pod_nl);
	netlink_close(host_nl);
}

Test(veth, del_without_record_or_netns)
{
	struct pod *pod = new_pod(0, "tnl-gone", "10.77.0.11/24", NULL);
	struct netlink *host_nl = netlink_in(host_ns);
	struct cni_error err = {0};
	char host_name[IFNAMSIZ];

	add_ok(pod);
	veth_host_ifname("tnl-gone", "eth0", host_name);
	/* No record (host_ifname unknown) and the netns path no longer exists. */
	memset(pod->att.host_ifname, 0, sizeof(pod->att.host_ifname));
	snprintf(pod->att.netns, sizeof(pod->att.netns), "/run/netns/tnl-no-such-netns");
	cr_assert_eq(veth_datapath.del(&pod->ctx, &pod->att, &err), 0, "%s", err.msg);
	cr_assert_eq(err.code, 0, "%s", err.msg);
	cr_assert_not(link_exists(host_nl, host_name));
	/* And with no netns at all. */
	pod->att.netns[0] = 0;
	cr_assert_eq(veth_datapath.del(&pod->ctx, &pod->att, &err), 0, "%s", err.msg);
	netlink_close(host_nl);
}

Test(veth, rollback_when_route_fails)
{
	struct pod *pod = new_pod(0, "tnl-rb", "10.77.0.12/24", NULL);
	struct netlink *host_nl = netlink_in(host_ns), *pod_nl = netlink_in(pod->ns_fd);
	struct cni_error err = {0};
	char host_name[IFNAMSIZ];

	/* Nothing in the pod reaches this gateway. */
	add_ipam_route(pod, "10.88.0.0/16", "172.31.5.1");
	cr_assert_lt(do_add(pod, &err), 0);
	/* The datapath passes the kernel layer's message up; the verbs map it to a code. */
	cr_assert_eq(err.code, 0);
	cni_error_code(&err, CNI_ERR_NETLINK, -1);
	cr_assert_eq(err.code, CNI_ERR_NETLINK);
	cr_assert(strstr(err.msg, "10.88.0.0/16 via 172.31.5.1"), "%s", err.msg);
	veth_host_ifname("tnl-rb", "eth0", host_name);
	cr_assert_not(link_exists(host_nl, host_name));
	cr_assert_not(link_exists(pod_nl, "eth0"));
	cr_assert_eq(pod->result.n_interfaces, 0, "result untouched on failure");
	cr_assert_eq(pod->att.host_ifname[0], '\0');
	netlink_close(pod_nl);
	netlink_close(host_nl);
}

Test(veth, rollback_when_address_fails)
{
	struct pod *pod = new_pod(0, "tnl-rba", "10.77.0.13/24", NULL);
	struct netlink *host_nl = netlink_in(host_ns), *pod_nl = netlink_in(pod->ns_fd);
	struct cni_error err = {0};
	char host_name[IFNAMSIZ];

	pod->result.ips[1] = pod->result.ips[0];
	pod->result.n_ips = 2;
	cr_assert_eq(do_add(pod, &err), -EEXIST);
	cr_assert(strstr(err.msg, "10.77.0.13/24"), "%s", err.msg);
	veth_host_ifname("tnl-rba", "eth0", host_name);
	cr_assert_not(link_exists(host_nl, host_name));
	cr_assert_not(link_exists(pod_nl, "eth0"));
	netlink_close(pod_nl);
	netlink_close(host_nl);
}

Test(veth, foreign_host_name_is_kept)
{
	struct pod *pod = new_pod(0, "tnl-foreign", "10.77.0.14/24", NULL);
	struct netlink *host_nl = netlink_in(host_ns);
	struct cni_error err = {0};
	char host_name[IFNAMSIZ];
	struct netlink_veth other = {.peer_name = "tnlother", .peer_netns_fd = -1};

	veth_host_ifname("tnl-foreign", "eth0", host_name);
	other.name = host_name;
	cr_assert_eq(netlink_veth_create(host_nl, &other, &err.base), 0, "%s", err.msg);
	cr_assert_eq(do_add(pod, &err), -EEXIST);
	cr_assert_eq(err.code, CNI_ERR_DATAPATH);
	cr_assert(strstr(err.msg, host_name), "%s", err.msg);
	cr_assert(link_exists(host_nl, host_name), "someone else's link survives a failed ADD");
	/* DEL without a record: the pod has no eth0, so the link is not ours. */
	memset(&err, 0, sizeof(err));
	cr_assert_eq(veth_datapath.del(&pod->ctx, &pod->att, &err), 0, "%s", err.msg);
	cr_assert(link_exists(host_nl, host_name), "DEL must not remove a link that is not ours");
	netlink_close(host_nl);
}

/* A socket created inside ns_fd. */
static int socket_in(int ns_fd, int type)
{
	int fd;

	cr_assert_eq(setns(ns_fd, CLONE_NEWNET), 0);
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	cr_assert_eq(setns(host_ns, CLONE_NEWNET), 0);
	cr_assert_geq(fd, 0);
	return fd;
}

/* TCP from the client's netns to addr:port; 0 when the handshake completes. */
static int tcp_connect(int client_ns, const char *addr, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket_in(client_ns, SOCK_STREAM | SOCK_NONBLOCK);
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int soerr = -1;
	socklen_t len = sizeof(soerr);

	cr_assert_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS) {
		soerr = errno;
		close(fd);
		return soerr;
	}
	if (poll(&pfd, 1, 5000) == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	else
		soerr = ETIMEDOUT;
	close(fd);
	return soerr;
}

static int tcp_listen(int ns_fd, const char *addr, int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket_in(ns_fd, SOCK_STREAM);

	cr_assert_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0, "bind %s: %s", addr,
		     strerror(errno));
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

Test(veth, pods_reach_host_and_each_other)
{
	struct pod *a = new_pod(0, "tnl-pod-a", "10.77.0.21/24", NULL);
	struct pod *b = new_pod(1, "tnl-pod-b", "10.77.0.22/24", NULL);
	int la, lb, ret;

	add_ok(a);
	add_ok(b);
	la = tcp_listen(a->ns_fd, "10.77.0.21", 7001);
	lb = tcp_listen(b->ns_fd, "10.77.0.22", 7002);
	ret = tcp_connect(host_ns, "10.77.0.21", 7001);
	cr_assert_eq(ret, 0, "host -> pod a: %s", strerror(ret));
	ret = tcp_connect(a->ns_fd, "10.77.0.22", 7002);
	cr_assert_eq(ret, 0, "pod a -> pod b through the host: %s", strerror(ret));
	close(la);
	close(lb);
}
