/* The per-node data block the plugin and the agent both compute. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>

#include "plugin/util/data_block.h"
#include "plugin/util/ipaddr.h"

static int block(const char *cluster, const char *pod, const char *subnet, unsigned int len,
		 char *out, unsigned int *index, unsigned int *blocks)
{
	struct ip_prefix c, p, s, b;
	int ret;

	cr_assert_eq(ip_prefix_parse(cluster, &c), 0);
	cr_assert_eq(ip_prefix_parse(pod, &p), 0);
	cr_assert_eq(ip_prefix_parse(subnet, &s), 0);
	ret = data_block_of(&c, &p, &s, len, &b, index, blocks);
	if (!ret)
		ip_prefix_format(&b, out, IP_PREFIX_STRLEN);
	return ret;
}

Test(data_block, block_n_for_pod_range_n)
{
	char out[IP_PREFIX_STRLEN];
	unsigned int index, blocks;

	cr_assert_eq(
		block("10.244.0.0/16", "10.244.3.0/24", "10.250.0.0/16", 24, out, &index, &blocks),
		0);
	cr_assert_str_eq(out, "10.250.3.0/24");
	cr_assert_eq(index, 3);
	cr_assert_eq(blocks, 256);
	cr_assert_eq(block("10.244.0.0/16", "10.244.1.64/26", "172.20.0.0/20", 28, out, NULL, NULL),
		     0);
	cr_assert_str_eq(out, "172.20.0.80/28");
	/* Host bits in the inputs do not move the block. */
	cr_assert_eq(block("10.244.7.7/16", "10.244.2.9/24", "10.250.1.1/16", 24, out, NULL, NULL),
		     0);
	cr_assert_str_eq(out, "10.250.2.0/24");
	/* Edges of the arithmetic: a /0 cluster, a subnet split into /32s. */
	cr_assert_eq(block("0.0.0.0/0", "0.0.0.0/0", "10.0.0.0/8", 9, out, NULL, NULL), 0);
	cr_assert_str_eq(out, "10.0.0.0/9");
	cr_assert_eq(block("10.244.0.0/16", "10.244.255.0/24", "0.0.0.0/0", 32, out, NULL, &blocks),
		     0);
	cr_assert_str_eq(out, "0.0.0.255/32");
	cr_assert_eq(blocks, UINT32_MAX);
}

Test(data_block, what_does_not_fit)
{
	char out[IP_PREFIX_STRLEN];
	unsigned int index = 0, blocks = 0;

	cr_assert_eq(block("10.244.0.0/16", "10.245.3.0/24", "10.250.0.0/16", 24, out, NULL, NULL),
		     -EDOM);
	cr_assert_eq(block("10.244.0.0/16", "10.244.0.0/15", "10.250.0.0/16", 24, out, NULL, NULL),
		     -EDOM);
	cr_assert_eq(block("10.244.0.0/16", "10.244.3.0/24", "10.250.0.0/24", 24, out, NULL, NULL),
		     -EDOM);
	cr_assert_eq(block("10.244.0.0/16", "10.244.200.0/24", "10.250.0.0/20", 24, out, &index,
			   &blocks),
		     -ERANGE);
	cr_assert_eq(index, 200);
	cr_assert_eq(blocks, 16);
	cr_assert_eq(block("fd00::/48", "fd00:0:0:3::/64", "10.250.0.0/16", 24, out, NULL, NULL),
		     -EAFNOSUPPORT);
}
