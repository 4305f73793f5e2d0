/* Primary mode's per-node data blocks follow the node's pod range. */
#include <criterion/criterion.h>
#include <string.h>

#include "ipam/range.h"
#include "plugin/cluster.h"
#include "plugin/util/ipaddr.h"

static struct netconf conf;
static struct ipam_conf node;
static struct slice_class urllc;

static void setup_with(const char *pod_range, const char *cluster, const char *data,
		       unsigned int block)
{
	struct cni_error err = {0};

	memset(&conf, 0, sizeof(conf));
	memset(&node, 0, sizeof(node));
	memset(&urllc, 0, sizeof(urllc));
	strcpy(conf.name, "edge");
	cr_assert_eq(ip_prefix_parse(cluster, &conf.cluster_cidr), 0);
	cr_assert_eq(ipam_range_init(&node.sets[0].ranges[0], pod_range, NULL, NULL, NULL, &err), 0,
		     "%s", err.msg);
	node.sets[0].n_ranges = 1;
	node.n_sets = 1;
	strcpy(node.data_dir, "/var/lib/cni/networks");
	conf.ipam = &node;
	strcpy(urllc.name, "urllc");
	cr_assert_eq(ip_prefix_parse(data, &urllc.data_subnet), 0);
	urllc.data_block_prefix = block;
}

static const char *block_of(struct cni_error *err)
{
	static char text[IP_PREFIX_STRLEN];
	struct ipam_conf out;

	if (cluster_data_ipam(&conf, &urllc, &out, err))
		return NULL;
	cr_assert_str_eq(out.network_name, "edge-urllc");
	cr_assert_str_eq(out.data_dir, "/var/lib/cni/networks");
	return ip_prefix_format(&out.sets[0].ranges[0].subnet, text, sizeof(text));
}

Test(cluster, node_block_follows_the_pod_range)
{
	struct cni_error err = {0};

	setup_with("10.244.3.0/24", "10.244.0.0/16", "10.250.0.0/16", 24);
	cr_assert_str_eq(block_of(&err), "10.250.3.0/24");
	setup_with("10.244.0.0/24", "10.244.0.0/16", "10.250.0.0/16", 24);
	cr_assert_str_eq(block_of(&err), "10.250.0.0/24");
	/* /26 pod ranges, /28 data blocks: block 5 of each. */
	setup_with("10.244.1.64/26", "10.244.0.0/16", "172.20.0.0/20", 28);
	cr_assert_str_eq(block_of(&err), "172.20.0.80/28");
}

Test(cluster, what_does_not_fit_is_named)
{
	struct cni_error err = {0};

	setup_with("10.245.3.0/24", "10.244.0.0/16", "10.250.0.0/16", 24);
	cr_assert_null(block_of(&err));
	cr_assert(strstr(err.msg, "not inside clusterCIDR 10.244.0.0/16"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	setup_with("10.244.200.0/24", "10.244.0.0/16", "10.250.0.0/20", 24);
	cr_assert_null(block_of(&err));
	cr_assert(strstr(err.msg, "block 200 of clusterCIDR, but dataSubnet has only 16 blocks"),
		  "%s", err.msg);
	memset(&err, 0, sizeof(err));
	conf.ipam = NULL;
	cr_assert_null(block_of(&err));
	cr_assert(strstr(err.msg, "in-process slicenet-ipam"), "%s", err.msg);
}

static void add_ip(struct cni_result *r, const char *prefix, int interface)
{
	cr_assert_eq(ip_prefix_parse(prefix, &r->ips[r->n_ips].address), 0);
	r->ips[r->n_ips++].interface = interface;
}

Test(cluster, main_ips_leave_out_only_the_extra_interface)
{
	static struct cni_result in, out;
	char text[IP_PREFIX_STRLEN];

	cni_result_init(&in);
	strcpy(in.interfaces[0].name, "veth1234");
	strcpy(in.interfaces[1].name, "eth0");
	strcpy(in.interfaces[2].name, "net1");
	in.n_interfaces = 3;
	add_ip(&in, "10.244.3.5/24", 1);
	add_ip(&in, "10.250.3.2/24", 2); /* the extra's, from its data block */
	add_ip(&in, "fd00:3::5/64", 1);
	add_ip(&in, "10.244.3.6/24", -1); /* naming no interface: kept */
	add_ip(&in, "10.244.3.7/24", 7);  /* out of range: kept */
	in.n_routes = 1;

	cluster_main_ips(&in, "net1", &out);
	cr_assert_eq(out.n_ips, 4);
	cr_assert_str_eq(ip_prefix_format(&out.ips[0].address, text, sizeof(text)),
			 "10.244.3.5/24");
	cr_assert_str_eq(ip_prefix_format(&out.ips[1].address, text, sizeof(text)), "fd00:3::5/64");
	cr_assert_eq(out.ips[2].interface, -1);
	cr_assert_eq(out.ips[3].interface, 7);
	cr_assert_eq(out.n_interfaces, 3, "interfaces and routes stay");
	cr_assert_eq(out.n_routes, 1);
	cr_assert_eq(in.n_ips, 5, "the input is untouched");

	cluster_main_ips(&in, "net9", &out);
	cr_assert_eq(out.n_ips, 5, "no such interface: every address stays");
}
