/*
 * netlink.c against the real kernel. Criterion runs each test in its own
 * process, and each test first moves that process into a fresh netns, so
 * nothing here touches the host's links or other tests.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "plugin/kernel/netlink.h"

static int self_ns = -1;
static int peer_ns = -1;

/* A fresh netns for the test, plus a second one to move links into. */
static void setup(void)
{
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(self_ns, 0);
	cr_assert_eq(unshare(CLONE_NEWNET), 0);
	peer_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(peer_ns, 0);
	cr_assert_eq(setns(self_ns, CLONE_NEWNET), 0);
}

static void teardown(void)
{
	if (peer_ns >= 0)
		close(peer_ns);
	if (self_ns >= 0)
		close(self_ns);
}

TestSuite(netlink, .init = setup, .fini = teardown);

/* A socket in the peer netns. */
static struct netlink *open_in_peer(void)
{
	struct error err = {0};
	struct netlink *nl;

	cr_assert_eq(setns(peer_ns, CLONE_NEWNET), 0);
	nl = netlink_open(&err);
	cr_assert_eq(setns(self_ns, CLONE_NEWNET), 0);
	cr_assert_not_null(nl, "%s", err.msg);
	return nl;
}

static struct netlink *open_here(void)
{
	struct error err = {0};
	struct netlink *nl = netlink_open(&err);

	cr_assert_not_null(nl, "%s", err.msg);
	return nl;
}

static struct ip_prefix prefix(const char *text)
{
	struct ip_prefix p;
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');

	memset(&p, 0, sizeof(p));
	cr_assert_not_null(slash);
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - text), text);
	p.addr.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	cr_assert_eq(inet_pton(p.addr.family, addr, p.addr.bytes), 1, "%s", text);
	p.len = (unsigned int)atoi(slash + 1);
	return p;
}

static struct ip_address address(const char *text)
{
	struct ip_address a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	cr_assert_eq(inet_pton(a.family, text, a.bytes), 1, "%s", text);
	return a;
}

static void make_local_veth(struct netlink *nl, const char *name, const char *peer)
{
	struct netlink_veth veth = {.name = name, .peer_name = peer, .peer_netns_fd = -1};
	struct error err = {0};

	cr_assert_eq(netlink_veth_create(nl, &veth, &err), 0, "%s", err.msg);
}

Test(netlink, veth_peer_created_in_other_netns)
{
	static const unsigned char mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const unsigned char peer_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	struct netlink_veth veth = {.name = "tnl0",
				    .peer_name = "tnl0p",
				    .peer_netns_fd = peer_ns,
				    .mtu = 1400,
				    .mac = mac,
				    .peer_mac = peer_mac};
	struct netlink *nl = open_here(), *pnl = open_in_peer();
	struct netlink_link host, pod;
	struct error err = {0};

	cr_assert_eq(netlink_veth_create(nl, &veth, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl0", &host, &err), 0, "%s", err.msg);
	cr_assert_str_eq(host.name, "tnl0");
	cr_assert_str_eq(host.kind, "veth");
	cr_assert_eq(host.mtu, 1400);
	cr_assert_eq(memcmp(host.mac, mac, 6), 0);
	cr_assert_geq(host.link_netnsid, 0, "peer should be in another netns");
	cr_assert_eq(netlink_link_get(nl, "tnl0p", &pod, &err), -ENODEV);
	cr_assert_eq(err.msg[0], 0, "a missing link records no error");

	cr_assert_eq(netlink_link_get(pnl, "tnl0p", &pod, &err), 0, "%s", err.msg);
	cr_assert_eq(pod.mtu, 1400);
	cr_assert_eq(memcmp(pod.mac, peer_mac, 6), 0);
	cr_assert_eq(pod.link_ifindex, host.ifindex);
	cr_assert_eq(host.link_ifindex, pod.ifindex);

	/* Deleting one end removes both. */
	cr_assert_eq(netlink_link_delete(nl, "tnl0", &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(pnl, "tnl0p", &pod, &err), -ENODEV);
	netlink_close(pnl);
	netlink_close(nl);
}

Test(netlink, create_existing_names_both_ends)
{
	struct netlink *nl = open_here();
	struct netlink_veth veth = {.name = "tnl1", .peer_name = "tnl1p", .peer_netns_fd = -1};
	struct error err = {0};

	make_local_veth(nl, "tnl1", "tnl1p");
	cr_assert_eq(netlink_veth_create(nl, &veth, &err), -EEXIST);
	cr_assert_neq(err.msg[0], 0, "the kernel layer names the failure");
	cr_assert(strstr(err.msg, "netlink: create veth tnl1/tnl1p: File exists"), "%s", err.msg);
	netlink_close(nl);
}

Test(netlink, delete_missing_is_enodev)
{
	struct netlink *nl = open_here();
	struct error err = {0};
	struct netlink_link link;

	cr_assert_eq(netlink_link_delete(nl, "tnlnothere", &err), -ENODEV);
	cr_assert_eq(netlink_link_get(nl, "tnlnothere", &link, &err), -ENODEV);
	cr_assert_eq(err.msg[0], 0);
	/* Operations that need the link do report it, naming it. */
	cr_assert_eq(netlink_link_set_up(nl, "tnlnothere", true, &err), -ENODEV);
	cr_assert_neq(err.msg[0], 0, "the kernel layer names the failure");
	cr_assert(strstr(err.msg, "tnlnothere"), "%s", err.msg);
	netlink_close(nl);
}

Test(netlink, bad_names_rejected)
{
	struct netlink *nl = open_here();
	struct error err = {0};
	struct netlink_link link;

	cr_assert_eq(netlink_link_get(nl, "this-name-is-far-too-long", &link, &err), -EINVAL);
	cr_assert(strstr(err.msg, "this-name-is-far-too-long"), "%s", err.msg);
	netlink_close(nl);
}

Test(netlink, up_mtu_mac_rename)
{
	static const unsigned char mac[6] = {0x02, 0x01, 0x02, 0x03, 0x04, 0x05};
	struct netlink *nl = open_here();
	struct error err = {0};
	struct netlink_link link;

	make_local_veth(nl, "tnl2", "tnl2p");
	cr_assert_eq(netlink_link_set_up(nl, "tnl2", true, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl2", &link, &err), 0);
	cr_assert(link.flags & IFF_UP);
	cr_assert_eq(netlink_link_set_up(nl, "tnl2", false, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl2", &link, &err), 0);
	cr_assert_not(link.flags & IFF_UP);

	cr_assert_eq(netlink_link_set_mtu(nl, "tnl2", 1280, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_set_mac(nl, "tnl2", mac, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl2", &link, &err), 0);
	cr_assert_eq(link.mtu, 1280);
	cr_assert_eq(memcmp(link.mac, mac, 6), 0);

	cr_assert_eq(netlink_link_rename(nl, "tnl2", "tnl2renamed", &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl2", &link, &err), -ENODEV);
	cr_assert_eq(netlink_link_get(nl, "tnl2renamed", &link, &err), 0);
	cr_assert_eq(link.mtu, 1280);
	cr_assert_eq(netlink_link_delete(nl, "tnl2renamed", &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl2p", &link, &err), -ENODEV);
	netlink_close(nl);
}

Test(netlink, move_to_netns_with_new_name)
{
	struct netlink *nl = open_here(), *pnl = open_in_peer();
	struct error err = {0};
	struct netlink_link link;

	make_local_veth(nl, "tnl3", "tnl3p");
	cr_assert_eq(netlink_link_set_netns(nl, "tnl3p", peer_ns, "tnl3moved", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl3p", &link, &err), -ENODEV);
	cr_assert_eq(netlink_link_get(pnl, "tnl3moved", &link, &err), 0, "%s", err.msg);
	cr_assert_str_eq(link.kind, "veth");
	/* And back, keeping the name. */
	cr_assert_eq(netlink_link_set_netns(pnl, "tnl3moved", self_ns, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnl3moved", &link, &err), 0, "%s", err.msg);
	netlink_close(pnl);
	netlink_close(nl);
}

static bool has_addr(const struct netlink_addr *addrs, size_t n, const struct ip_prefix *p,
		     unsigned int *flags)
{
	for (size_t i = 0; i < n; i++)
		if (addrs[i].prefix.addr.family == p->addr.family &&
		    addrs[i].prefix.len == p->len &&
		    !memcmp(addrs[i].prefix.addr.bytes, p->addr.bytes,
			    p->addr.family == AF_INET ? 4 : 16)) {
			if (flags)
				*flags = addrs[i].flags;
			return true;
		}
	return false;
}

Test(netlink, addresses_v4_v6)
{
	struct netlink *nl = open_here();
	struct ip_prefix v4 = prefix("10.123.0.2/24"), v6 = prefix("fd00:123::2/64");
	struct netlink_addr addrs[16];
	struct error err = {0};
	struct netlink_link link;
	unsigned int flags = 0;
	size_t n = 0;

	make_local_veth(nl, "tnl4", "tnl4p");
	cr_assert_eq(netlink_link_get(nl, "tnl4", &link, &err), 0);
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &v4, 0, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &v6, 0, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_addr_list(nl, link.ifindex, AF_UNSPEC, addrs, 16, &n, &err), 0, "%s",
		     err.msg);
	cr_assert(has_addr(addrs, n, &v4, NULL));
	cr_assert(has_addr(addrs, n, &v6, &flags));
	cr_assert(flags & IFA_F_NODAD, "IPv6 address should carry NODAD, flags 0x%x", flags);
	cr_assert_eq(netlink_addr_list(nl, link.ifindex, AF_INET, addrs, 16, &n, &err), 0);
	cr_assert_eq(n, 1);

	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &v4, 0, &err), -EEXIST);
	cr_assert(strstr(err.msg, "add address 10.123.0.2/24"), "%s", err.msg);

	memset(&err, 0, sizeof(err));
	cr_assert_eq(netlink_addr_del(nl, link.ifindex, &v4, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_addr_del(nl, link.ifindex, &v4, &err), -EADDRNOTAVAIL);
	cr_assert_eq(err.msg[0], 0);
	cr_assert_eq(netlink_addr_list(nl, link.ifindex, AF_INET, addrs, 16, &n, &err), 0);
	cr_assert_eq(n, 0);
	/* Too small an array is an error, with the real count. */
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &v4, 0, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_addr_list(nl, link.ifindex, AF_UNSPEC, addrs, 1, &n, &err), -ENOSPC);
	cr_assert_geq(n, 2);
	netlink_close(nl);
}

Test(netlink, prefixless_address)
{
	struct netlink *nl = open_here();
	struct ip_prefix v4 = prefix("10.124.0.2/24");
	struct netlink_route routes[32];
	struct error err = {0};
	struct netlink_link link;
	size_t n = 0;

	make_local_veth(nl, "tnl5", "tnl5p");
	cr_assert_eq(netlink_link_set_up(nl, "tnl5", true, &err), 0);
	cr_assert_eq(netlink_link_get(nl, "tnl5", &link, &err), 0);
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &v4, IFA_F_NOPREFIXROUTE, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(netlink_route_list(nl, AF_INET, RT_TABLE_MAIN, routes, 32, &n, &err), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_neq(routes[i].oif, link.ifindex, "no prefix route expected");
	netlink_close(nl);
}

static const struct netlink_route *find_route(const struct netlink_route *routes, size_t n,
					      const struct ip_prefix *dst, unsigned int table)
{
	for (size_t i = 0; i < n; i++)
		if (routes[i].dst.addr.family == dst->addr.family &&
		    routes[i].dst.len == dst->len && routes[i].table == table &&
		    !memcmp(routes[i].dst.addr.bytes, dst->addr.bytes,
			    dst->addr.family == AF_INET ? 4 : 16))
			return &routes[i];
	return NULL;
}

Test(netlink, routes_add_list_delete)
{
	struct netlink *nl = open_here();
	struct netlink_route routes[64], r;
	const struct netlink_route *got;
	struct error err = {0};
	struct netlink_link link;
	struct ip_prefix v4 = prefix("10.125.0.2/24"), v6 = prefix("fd00:125::2/64");
	size_t n = 0;

	make_local_veth(nl, "tnl6", "tnl6p");
	cr_assert_eq(netlink_link_set_up(nl, "tnl6", true, &err), 0);
	cr_assert_eq(netlink_link_get(nl, "tnl6", &link, &err), 0);
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &v4, 0, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &v6, 0, &err), 0, "%s", err.msg);

	/* Via a gateway, with metrics and a priority. */
	netlink_route_init(&r);
	r.dst = prefix("10.200.0.0/16");
	r.gw = address("10.125.0.254");
	r.oif = link.ifindex;
	r.priority = 50;
	r.mtu = 1300;
	r.advmss = 1200;
	cr_assert_eq(netlink_route_add(nl, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_route_add(nl, &r, &err), -EEXIST);
	cr_assert(strstr(err.msg, "add route 10.200.0.0/16 via 10.125.0.254"), "%s", err.msg);
	memset(&err, 0, sizeof(err));

	/* Link scope, no gateway. */
	netlink_route_init(&r);
	r.dst = prefix("10.201.0.1/32");
	r.oif = link.ifindex;
	r.scope = RT_SCOPE_LINK;
	cr_assert_eq(netlink_route_add(nl, &r, &err), 0, "%s", err.msg);

	/* Onlink: the gateway is not reachable by any route. */
	netlink_route_init(&r);
	r.dst = prefix("10.202.0.0/24");
	r.gw = address("172.30.0.1");
	r.oif = link.ifindex;
	r.onlink = true;
	cr_assert_eq(netlink_route_add(nl, &r, &err), 0, "%s", err.msg);

	/* Another table; IPv6 default. */
	netlink_route_init(&r);
	r.dst = prefix("10.203.0.0/24");
	r.oif = link.ifindex;
	r.table = 1000;
	cr_assert_eq(netlink_route_add(nl, &r, &err), 0, "%s", err.msg);
	netlink_route_init(&r);
	r.dst = prefix("::/0");
	r.gw = address("fd00:125::1");
	r.oif = link.ifindex;
	cr_assert_eq(netlink_route_add(nl, &r, &err), 0, "%s", err.msg);

	cr_assert_eq(netlink_route_list(nl, AF_UNSPEC, 0, routes, 64, &n, &err), 0, "%s", err.msg);
	struct ip_prefix d1 = prefix("10.200.0.0/16"), d2 = prefix("10.201.0.1/32"),
			 d3 = prefix("10.202.0.0/24"), d4 = prefix("10.203.0.0/24"),
			 d5 = prefix("::/0");
	got = find_route(routes, n, &d1, RT_TABLE_MAIN);
	cr_assert_not_null(got);
	cr_assert_eq(got->gw.family, AF_INET);
	cr_assert_eq(got->priority, 50);
	cr_assert_eq(got->mtu, 1300);
	cr_assert_eq(got->advmss, 1200);
	cr_assert_eq(got->oif, link.ifindex);
	got = find_route(routes, n, &d2, RT_TABLE_MAIN);
	cr_assert_not_null(got);
	cr_assert_eq(got->scope, RT_SCOPE_LINK);
	got = find_route(routes, n, &d3, RT_TABLE_MAIN);
	cr_assert_not_null(got);
	cr_assert(got->onlink);
	cr_assert_not_null(find_route(routes, n, &d4, 1000));
	cr_assert_null(find_route(routes, n, &d4, RT_TABLE_MAIN));
	got = find_route(routes, n, &d5, RT_TABLE_MAIN);
	cr_assert_not_null(got);
	cr_assert_eq(got->gw.family, AF_INET6);

	/* Table filter. */
	cr_assert_eq(netlink_route_list(nl, AF_INET, 1000, routes, 64, &n, &err), 0);
	cr_assert_eq(n, 1);

	netlink_route_init(&r);
	r.dst = prefix("10.200.0.0/16");
	r.gw = address("10.125.0.254");
	r.oif = link.ifindex;
	r.priority = 50;
	cr_assert_eq(netlink_route_del(nl, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_route_del(nl, &r, &err), -ESRCH);
	cr_assert_eq(err.msg[0], 0);
	cr_assert_eq(netlink_route_list(nl, AF_INET, RT_TABLE_MAIN, routes, 64, &n, &err), 0);
	cr_assert_null(find_route(routes, n, &d1, RT_TABLE_MAIN));
	netlink_close(nl);
}

Test(netlink, extack_text_in_message)
{
	struct netlink *nl = open_here();
	struct error err = {0};
	struct netlink_link link;
	struct netlink_route r;
	int ret;

	make_local_veth(nl, "tnl7", "tnl7p");
	cr_assert_eq(netlink_link_set_up(nl, "tnl7", true, &err), 0);
	cr_assert_eq(netlink_link_get(nl, "tnl7", &link, &err), 0);
	/* No route reaches this gateway, and the route is not onlink. */
	netlink_route_init(&r);
	r.dst = prefix("10.210.0.0/24");
	r.gw = address("172.31.99.1");
	r.oif = link.ifindex;
	ret = netlink_route_add(nl, &r, &err);
	cr_assert_lt(ret, 0);
	cr_assert_neq(err.msg[0], 0, "the kernel layer names the failure");
	cr_assert(strstr(err.msg, "netlink: add route 10.210.0.0/24 via 172.31.99.1"), "%s",
		  err.msg);
	cr_assert(strstr(err.msg, "(extack: "), "no extack in: %s", err.msg);
	netlink_close(nl);
}

Test(netlink, invalid_prefix_rejected_before_kernel)
{
	struct netlink *nl = open_here();
	struct ip_prefix bad = prefix("10.1.1.1/24");
	struct error err = {0};

	bad.len = 40;
	cr_assert_eq(netlink_addr_add(nl, 1, &bad, 0, &err), -EINVAL);
	cr_assert(strstr(err.msg, "10.1.1.1/40"), "%s", err.msg);
	netlink_close(nl);
}

Test(netlink, close_accepts_null)
{
	netlink_close(NULL);
}

Test(netlink, batch_runs_in_order_and_names_each_failure)
{
	struct netlink *nl = open_here();
	struct ip_prefix a, b;
	struct netlink_link link, echoed = {0};
	struct netlink_veth veth = {.name = "tnlb",
				    .peer_name = "tnlbp",
				    .peer_netns_fd = peer_ns,
				    .queues = 1,
				    .up = true,
				    .created = &echoed};
	struct netlink_addr addrs[16];
	struct error err = {0};
	int results[4] = {9, 9, 9, 9};
	size_t n = 0;

	cr_assert_eq(ip_prefix_parse("10.124.0.2/24", &a), 0);
	cr_assert_eq(ip_prefix_parse("10.124.0.3/24", &b), 0);
	cr_assert_eq(netlink_veth_create(nl, &veth, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_link_get(nl, "tnlb", &link, &err), 0, "%s", err.msg);
	cr_assert_eq(echoed.ifindex, link.ifindex, "the created end is reported");
	cr_assert_gt(echoed.link_ifindex, 0, "with its peer's ifindex");
	cr_assert(link.flags & IFF_UP, "created up");

	cr_assert_eq(netlink_batch_begin(nl, &err), 0, "%s", err.msg);
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &a, 0, &err), 0, "queued");
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &a, 0, &err), 0, "queued");
	cr_assert_eq(netlink_addr_add(nl, link.ifindex, &b, 0, &err), 0, "queued");
	cr_assert_eq(netlink_link_set_alias_index(nl, link.ifindex, "batched", &err), 0);
	cr_assert_eq(netlink_addr_list(nl, link.ifindex, AF_INET, addrs, 16, &n, &err), 0);
	cr_assert_eq(n, 0, "nothing is sent before the end of the batch");
	cr_assert_eq(netlink_batch_end(nl, results, 4, &err), 0, "%s", err.msg);
	cr_assert_eq(results[0], 0);
	cr_assert_eq(results[1], -EEXIST, "the duplicate fails");
	cr_assert_eq(results[2], 0, "and the requests after it still run");
	cr_assert_eq(results[3], 0);
	cr_assert_eq(netlink_batch_error(nl, 1, &err), -EEXIST);
	cr_assert(strstr(err.msg, "netlink: add address 10.124.0.2/24 to ifindex"), "%s", err.msg);
	cr_assert_eq(netlink_addr_list(nl, link.ifindex, AF_INET, addrs, 16, &n, &err), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(netlink_link_get(nl, "tnlb", &link, &err), 0);
	cr_assert_str_eq(link.alias, "batched");
	netlink_close(nl);
}
