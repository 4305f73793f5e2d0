/* IPAM use per network and per range: the ranges file, data blocks, sizes, the store scan, the
 * text. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/ipam_ranges.h"
#include "agent/ipam_usage.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tipam.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void put(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!content) {
		cr_assert_eq(mkdir(path, 0755), 0, "mkdir %s", path);
		return;
	}
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(content, f);
	fclose(f);
}

static struct ip_prefix prefix(const char *text)
{
	struct ip_prefix p;

	cr_assert_eq(ip_prefix_parse(text, &p), 0, "%s", text);
	return p;
}

static const char *render(const struct ipam_usage *usage)
{
	static char *body;
	struct metrics_text text;
	size_t len;

	free(body);
	metrics_text_init(&text);
	ipam_usage_render(usage, &text);
	cr_assert_eq(metrics_text_finish(&text, &body, &len), 0);
	return body;
}

Test(ipam_ranges, parses_every_subnet_of_every_set_once_as_network_addresses)
{
	const char *text = "{\"ranges\": [[{\"subnet\": \"10.244.1.7/24\"}, {\"subnet\": "
			   "\"10.99.0.0/28\"}], [{\"subnet\": \"fd00:1::/64\"}], "
			   "[{\"subnet\": \"10.244.1.0/24\"}]]}";
	struct ipam_ranges r = {0};
	char buf[IP_PREFIX_STRLEN];

	cr_assert_eq(ipam_ranges_parse(text, strlen(text), &r, NULL), 0);
	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(ip_prefix_format(&r.subnets[0], buf, sizeof(buf)), "10.244.1.0/24");
	cr_assert_str_eq(ip_prefix_format(&r.subnets[1], buf, sizeof(buf)), "10.99.0.0/28");
	cr_assert_str_eq(ip_prefix_format(&r.subnets[2], buf, sizeof(buf)), "fd00:1::/64");
}

/* Arrays, not pointers: Criterion copies parameters into another process. */
struct bad_ranges {
	char text[96], msg[40];
};

ParameterizedTestParameters(ipam_ranges, bad_text_is_an_error_naming_the_part)
{
	static struct bad_ranges bad[] = {
		{"{", "ranges file:"},
		{"{\"rangez\": []}", "no \"ranges\" array"},
		{"{\"ranges\": [{\"subnet\": \"10.0.0.0/24\"}]}", "ranges[0] is not an array"},
		{"{\"ranges\": [[{\"subnet\": \"10.0.0.0/24\"}, {\"subnet\": \"10.0.0.0/33\"}]]}",
		 "ranges[0][1] has no valid subnet"},
		{"{\"ranges\": [[{\"gateway\": \"10.0.0.1\"}]]}",
		 "ranges[0][0] has no valid subnet"},
	};
	return cr_make_param_array(struct bad_ranges, bad, sizeof(bad) / sizeof(bad[0]));
}

ParameterizedTest(struct bad_ranges *bad, ipam_ranges, bad_text_is_an_error_naming_the_part)
{
	struct ipam_ranges r = {0};
	struct error err = {0};

	cr_assert_eq(ipam_ranges_parse(bad->text, strlen(bad->text), &r, &err), -EINVAL);
	cr_assert(strstr(err.msg, bad->msg), "%s", err.msg);
	cr_assert_eq(r.n, 0, "nothing kept from a bad file");
}

Test(ipam_ranges, data_blocks_follow_the_ipv4_pod_range)
{
	struct ip_prefix cluster = prefix("10.244.0.0/16");
	struct data_subnet data[] = {
		{prefix("10.250.0.0/16"), 24},
		{prefix("10.251.0.0/22"), 24}, /* 4 blocks: node 3 fits, node 9 would not */
	};
	struct ipam_ranges r = {0};
	char buf[IP_PREFIX_STRLEN];

	r.subnets[r.n++] = prefix("fd00:3::/64");
	r.subnets[r.n++] = prefix("10.244.3.0/24");
	ipam_ranges_add_data_blocks(&r, &cluster, data, 2);
	cr_assert_eq(r.n, 4);
	cr_assert_str_eq(ip_prefix_format(&r.subnets[2], buf, sizeof(buf)), "10.250.3.0/24");
	cr_assert_str_eq(ip_prefix_format(&r.subnets[3], buf, sizeof(buf)), "10.251.3.0/24");

	r.n = 1; /* IPv6 only: no pod range to follow */
	ipam_ranges_add_data_blocks(&r, &cluster, data, 2);
	cr_assert_eq(r.n, 1);
	r.subnets[0] = prefix("10.244.9.0/24");
	ipam_ranges_add_data_blocks(&r, &cluster, data, 2);
	cr_assert_eq(r.n, 2, "the /22 has no block 9: skipped");
	r.n = 1;
	ipam_ranges_add_data_blocks(&r, &(struct ip_prefix){0}, data, 2);
	cr_assert_eq(r.n, 1, "no cluster CIDR: no blocks");
}

Test(ipam_ranges, sizes_leave_out_network_gateway_and_broadcast)
{
	struct ip_prefix p;

	p = prefix("10.244.1.0/24");
	cr_assert_eq(ipam_ranges_size(&p), 253);
	p = prefix("10.0.0.0/30");
	cr_assert_eq(ipam_ranges_size(&p), 1);
	p = prefix("10.0.0.0/31");
	cr_assert_eq(ipam_ranges_size(&p), 0);
	p = prefix("fd00::/120");
	cr_assert_eq(ipam_ranges_size(&p), 254);
	p = prefix("fd00::/64");
	cr_assert_eq(ipam_ranges_size(&p), UINT64_MAX - 1);
	p = prefix("fd00::/48");
	cr_assert_eq(ipam_ranges_size(&p), UINT64_MAX);
}

Test(ipam_ranges, find_picks_the_longest_subnet)
{
	struct ipam_ranges r = {0};
	struct ip_address a;

	r.subnets[r.n++] = prefix("10.0.0.0/8");
	r.subnets[r.n++] = prefix("10.1.0.0/16");
	cr_assert_eq(ip_address_parse("10.1.2.3", &a), 0);
	cr_assert_eq(ipam_ranges_find(&r, &a), 1);
	cr_assert_eq(ip_address_parse("10.2.2.3", &a), 0);
	cr_assert_eq(ipam_ranges_find(&r, &a), 0);
	cr_assert_eq(ip_address_parse("192.168.0.1", &a), 0);
	cr_assert_eq(ipam_ranges_find(&r, &a), -1);
}

Test(ipam_ranges, read_of_a_missing_file_is_no_ranges, .init = setup, .fini = teardown)
{
	struct ipam_ranges r = {.n = 5};
	char path[128];

	snprintf(path, sizeof(path), "%s/none.json", dir);
	cr_assert_eq(ipam_ranges_read(path, &r, NULL), 0);
	cr_assert_eq(r.n, 0);
	put("ranges.json", "{\"ranges\": [[{\"subnet\": \"10.244.1.0/24\"}]]}\n");
	snprintf(path, sizeof(path), "%s/ranges.json", dir);
	cr_assert_eq(ipam_ranges_read(path, &r, NULL), 0);
	cr_assert_eq(r.n, 1);
}

Test(ipam_usage, counts_per_network_and_per_range, .init = setup, .fini = teardown)
{
	static struct ipam_usage usage;
	struct ipam_ranges r = {0};
	const char *m;

	r.subnets[r.n++] = prefix("10.244.1.0/24");
	r.subnets[r.n++] = prefix("10.250.1.0/24");
	r.subnets[r.n++] = prefix("10.9.9.0/24");
	put("cluster", NULL);
	put("cluster/10.244.1.2", "c1\r\neth0");
	put("cluster/10.244.1.3", "c2\r\neth0");
	put("cluster/10.99.0.5", "c3\r\neth0"); /* in no known range: the total only */
	put("cluster/lock", "");
	put("cluster/last_reserved_ip.0", "10.244.1.3");
	put("urllc", NULL);
	put("urllc/10.250.1.2", "c1\r\nnet1");
	put("old", NULL); /* every pod gone: the hint keeps the range listed at 0 */
	put("old/last_reserved_ip.0", "10.9.9.7");
	put("old/lock", "");

	cr_assert_eq(ipam_usage_scan(dir, &r, &usage, NULL), 0);
	cr_assert_eq(usage.n, 3);
	cr_assert_eq(usage.n_rows, 3);
	m = render(&usage);
	cr_assert(strstr(m, "slicenet_ipam_addresses_in_use{network=\"cluster\"} 3\n"), "%s", m);
	cr_assert(strstr(m, "slicenet_ipam_addresses_in_use{network=\"urllc\"} 1\n"), "%s", m);
	cr_assert(strstr(m, "slicenet_ipam_addresses_in_use{network=\"old\"} 0\n"), "%s", m);
	cr_assert(
		strstr(m,
		       "slicenet_ipam_range_used{network=\"cluster\",range=\"10.244.1.0/24\"} 2\n"),
		"%s", m);
	cr_assert(strstr(m,
			 "slicenet_ipam_range_used{network=\"urllc\",range=\"10.250.1.0/24\"} 1\n"),
		  "%s", m);
	cr_assert(strstr(m, "slicenet_ipam_range_used{network=\"old\",range=\"10.9.9.0/24\"} 0\n"),
		  "%s", m);
	cr_assert(strstr(m, "slicenet_ipam_range_size{network=\"cluster\",range=\"10.244.1.0/24\"} "
			    "253\n"),
		  "%s", m);
	cr_assert(strstr(m, "# TYPE slicenet_ipam_range_size gauge\n"), "%s", m);
	cr_assert_null(strstr(m, "10.99.0.0"), "%s", m);
	cr_assert_null(strstr(m, "range=\"10.250.1.0/24\"} 0"),
		       "no empty row for a range a network never used: %s", m);
}

Test(ipam_usage, no_ranges_known_gives_totals_only, .init = setup, .fini = teardown)
{
	static struct ipam_usage usage;
	const char *m;

	put("net", NULL);
	put("net/10.244.1.2", "c1\r\neth0");
	put("net/fd00::2", "c1\r\neth0");
	put("stray-file", "x"); /* not a directory: no network */
	cr_assert_eq(ipam_usage_scan(dir, NULL, &usage, NULL), 0);
	cr_assert_eq(usage.n, 1);
	m = render(&usage);
	cr_assert(strstr(m, "slicenet_ipam_addresses_in_use{network=\"net\"} 2\n"), "%s", m);
	cr_assert_null(strstr(m, "slicenet_ipam_range_"), "%s", m);
}

Test(ipam_usage, a_missing_store_is_no_networks)
{
	static struct ipam_usage usage;

	cr_assert_eq(ipam_usage_scan("/nonexistent/slicenet-ipam", NULL, &usage, NULL), 0);
	cr_assert_eq(usage.n, 0);
}
