#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "agent/desired.h"

static struct node make(const char *name, const char *cidr4, const char *cidr6, const char *ip4,
			const char *ip6)
{
	struct node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	if (cidr4)
		cr_assert_eq(ip_prefix_parse(cidr4, &n.pod_cidrs[n.n_pod_cidrs++]), 0);
	if (cidr6)
		cr_assert_eq(ip_prefix_parse(cidr6, &n.pod_cidrs[n.n_pod_cidrs++]), 0);
	if (ip4)
		cr_assert_eq(ip_address_parse(ip4, &n.internal_ips[n.n_internal_ips++]), 0);
	if (ip6)
		cr_assert_eq(ip_address_parse(ip6, &n.internal_ips[n.n_internal_ips++]), 0);
	return n;
}

static const char *route_text(const struct agent_route *r)
{
	static char bufs[8][160];
	static int next;

	return agent_route_format(r, bufs[next++ % 8], sizeof(bufs[0]));
}

static struct node_table table(void)
{
	struct node_table t = {0};
	struct node nodes[] = {
		make("self", "10.244.1.0/24", NULL, "10.0.0.1", "fd00::1"),
		make("b", "10.244.2.0/24", "fd00:2::/64", "10.0.0.2", "fd00::2"),
		make("c", "10.244.3.0/24", NULL, "10.0.0.3", NULL),
		make("no-cidr", NULL, NULL, "10.0.0.4", NULL),
		make("no-ip", "10.244.5.0/24", NULL, NULL, NULL),
		make("dup", "10.244.3.0/24", NULL, "10.0.0.6", NULL),
	};

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		cr_assert_eq(node_table_upsert(&t, &nodes[i]), 1);
	return t;
}

Test(desired, host_gw_routes_via_internal_ips)
{
	struct node_table t = table();
	struct desired_input in = {
		.mode = AGENT_MODE_HOST_GW, .self = "self", .underlay_oif4 = 2, .underlay_oif6 = 2};
	struct desired d;

	cr_assert_eq(desired_compute(&t, &in, &d), 0);
	cr_assert_eq(d.n_routes, 3, "b (v4, v6), c; not self, no-cidr, no-ip, dup");
	cr_assert_str_eq(route_text(&d.routes[0]), "10.244.2.0/24 via 10.0.0.2 oif 2 onlink");
	cr_assert_str_eq(route_text(&d.routes[1]), "fd00:2::/64 via fd00::2 oif 2 onlink");
	cr_assert_str_eq(route_text(&d.routes[2]), "10.244.3.0/24 via 10.0.0.3 oif 2 onlink");
	cr_assert_eq(d.n_neighs, 0);
	desired_free(&d);
	in.underlay_oif6 = 0; /* no IPv6 underlay: that family is not routed */
	cr_assert_eq(desired_compute(&t, &in, &d), 0);
	cr_assert_eq(d.n_routes, 2);
	desired_free(&d);
	node_table_free(&t);
}

Test(desired, vxlan_fdb_neigh_routes)
{
	struct node_table t = table();
	struct desired_input in = {.mode = AGENT_MODE_VXLAN,
				   .self = "self",
				   .vxlan_ifindex = 7,
				   .vxlan_family = AF_INET};
	const unsigned char mac_b[6] = {0x0e, 0x53, 10, 0, 0, 2};
	struct desired d;

	cr_assert_eq(desired_compute(&t, &in, &d), 0);
	cr_assert_eq(d.n_routes, 3);
	cr_assert_str_eq(route_text(&d.routes[0]), "10.244.2.0/24 via 10.244.2.0 oif 7 onlink");
	cr_assert_str_eq(route_text(&d.routes[1]), "fd00:2::/64 via fd00:2:: oif 7 onlink");
	/* b: fdb + 2 neighbours; c: fdb + neighbour; no-cidr: nothing; dup: fdb only. */
	cr_assert_eq(d.n_neighs, 6);
	cr_assert_eq(d.neighs[0].kind, AGENT_NEIGH_FDB);
	cr_assert_eq(memcmp(d.neighs[0].mac, mac_b, 6), 0);
	cr_assert_eq(d.neighs[1].kind, AGENT_NEIGH_IP);
	cr_assert_eq(memcmp(d.neighs[1].mac, mac_b, 6), 0);
	desired_free(&d);
	node_table_free(&t);
}

static struct data_subnet data_subnet(const char *cidr, unsigned int block_len)
{
	struct data_subnet d = {.block_len = block_len};

	cr_assert_eq(ip_prefix_parse(cidr, &d.subnet), 0);
	return d;
}

Test(desired, data_blocks_follow_the_pod_cidr_next_hop)
{
	struct node_table t = table();
	struct data_subnet data[] = {data_subnet("10.250.0.0/16", 24),
				     data_subnet("172.20.0.0/20", 28)};
	struct ip_prefix cluster;
	struct desired_input in = {.mode = AGENT_MODE_HOST_GW,
				   .self = "self",
				   .underlay_oif4 = 2,
				   .underlay_oif6 = 2,
				   .cluster4 = &cluster,
				   .data = data,
				   .n_data = 2};
	struct desired d;

	cr_assert_eq(ip_prefix_parse("10.244.0.0/16", &cluster), 0);
	cr_assert_eq(desired_compute(&t, &in, &d), 0);
	/* b: pod v4, 2 data blocks, pod v6; c: pod v4, 2 data blocks; dup: nothing. */
	cr_assert_eq(d.n_routes, 7);
	cr_assert_str_eq(route_text(&d.routes[0]), "10.244.2.0/24 via 10.0.0.2 oif 2 onlink");
	cr_assert_str_eq(route_text(&d.routes[1]), "10.250.2.0/24 via 10.0.0.2 oif 2 onlink");
	cr_assert_str_eq(route_text(&d.routes[2]), "172.20.0.32/28 via 10.0.0.2 oif 2 onlink");
	cr_assert_str_eq(route_text(&d.routes[3]), "fd00:2::/64 via fd00::2 oif 2 onlink");
	cr_assert_str_eq(route_text(&d.routes[5]), "10.250.3.0/24 via 10.0.0.3 oif 2 onlink");
	desired_free(&d);

	in.mode = AGENT_MODE_VXLAN;
	in.vxlan_ifindex = 7;
	in.vxlan_family = AF_INET;
	cr_assert_eq(desired_compute(&t, &in, &d), 0);
	cr_assert_eq(d.n_routes, 7);
	cr_assert_str_eq(route_text(&d.routes[1]), "10.250.2.0/24 via 10.244.2.0 oif 7 onlink");
	cr_assert_str_eq(route_text(&d.routes[5]), "10.250.3.0/24 via 10.244.3.0 oif 7 onlink");
	cr_assert_eq(d.n_neighs, 6, "data blocks reuse the pod CIDR's neighbour entry");
	desired_free(&d);
	node_table_free(&t);
}

Test(desired, data_blocks_that_do_not_fit_are_skipped)
{
	struct node_table t = {0};
	struct node self = make("self", "10.244.1.0/24", NULL, "10.0.0.1", NULL);
	struct node far = make("far", "10.244.200.0/24", NULL, "10.0.0.9", NULL);
	struct node outside = make("outside", "10.99.7.0/24", NULL, "10.0.0.8", NULL);
	struct data_subnet data[] = {data_subnet("10.250.0.0/20", 24)};
	struct ip_prefix cluster;
	struct desired_input in = {.mode = AGENT_MODE_HOST_GW,
				   .self = "self",
				   .underlay_oif4 = 2,
				   .cluster4 = &cluster,
				   .data = data,
				   .n_data = 1};
	struct desired d;

	cr_assert_eq(ip_prefix_parse("10.244.0.0/16", &cluster), 0);
	cr_assert_eq(node_table_upsert(&t, &self), 1);
	cr_assert_eq(node_table_upsert(&t, &far), 1);
	cr_assert_eq(node_table_upsert(&t, &outside), 1);
	cr_assert_eq(desired_compute(&t, &in, &d), 0);
	cr_assert_eq(d.n_routes, 2, "only the pod CIDRs: block 200 of 16, and outside the cluster");
	desired_free(&d);
	node_table_free(&t);
}

Test(desired, uplink_gateways_are_the_first_address_of_own_blocks)
{
	struct node self = make("self", "10.244.3.0/24", "fd00:3::/64", "10.0.0.3", NULL);
	struct node no_v4 = make("v6only", NULL, "fd00:4::/64", NULL, "fd00::4");
	struct node far = make("far", "10.244.20.0/24", NULL, "10.0.0.9", NULL);
	struct data_subnet data[] = {data_subnet("10.250.0.0/16", 24),
				     data_subnet("172.20.0.0/24", 28)};
	struct ip_prefix cluster, out[DESIRED_DATA_MAX];
	struct desired_input in = {.self = "self", .cluster4 = &cluster, .data = data, .n_data = 2};
	char text[IP_PREFIX_STRLEN];

	cr_assert_eq(ip_prefix_parse("10.244.0.0/16", &cluster), 0);
	cr_assert_eq(desired_uplink_addrs(&in, &self, out), 2);
	cr_assert_str_eq(ip_prefix_format(&out[0], text, sizeof(text)), "10.250.3.1/24");
	cr_assert_str_eq(ip_prefix_format(&out[1], text, sizeof(text)), "172.20.0.49/28");
	cr_assert_eq(desired_uplink_addrs(&in, &no_v4, out), 0);
	cr_assert_eq(desired_uplink_addrs(&in, &far, out), 1,
		     "block 20: 256 blocks of /24, 16 of /28");
	in.n_data = 0;
	cr_assert_eq(desired_uplink_addrs(&in, &self, out), 0);
}

Test(desired, vtep_mac_is_deterministic_and_unicast)
{
	struct ip_address a, b;
	unsigned char m1[6], m2[6];

	cr_assert_eq(ip_address_parse("fd00::1", &a), 0);
	cr_assert_eq(ip_address_parse("fd00::2", &b), 0);
	desired_vtep_mac(&a, m1);
	desired_vtep_mac(&a, m2);
	cr_assert_eq(memcmp(m1, m2, 6), 0);
	cr_assert_eq(m1[0] & 1, 0, "unicast");
	cr_assert_eq(m1[0] & 2, 2, "locally administered");
	desired_vtep_mac(&b, m2);
	cr_assert_neq(memcmp(m1, m2, 6), 0);
}
