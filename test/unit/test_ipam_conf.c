#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipam/ipam_conf.h"

static struct ipam_conf conf;
static struct cni_error err;

static int parse(const char *text)
{
	json_error_t json_err;
	json_t *json = json_loads(text, 0, &json_err);
	int ret;

	cr_assert_not_null(json, "bad test JSON: %s", json_err.text);
	memset(&err, 0, sizeof(err));
	ret = ipam_conf_parse(json, "net1", &conf, &err);
	json_decref(json);
	return ret;
}

static const char *fmt(const struct ip_address *a)
{
	static char bufs[4][INET6_ADDRSTRLEN];
	static int next;

	return ip_address_format(a, bufs[next++ % 4], sizeof(bufs[0]));
}

Test(ipam_conf, legacy_subnet_takes_host_local_defaults)
{
	const struct ipam_range *r;

	cr_assert_eq(parse("{\"type\":\"slicenet-ipam\",\"subnet\":\"10.1.0.0/24\"}"), 0, "%s",
		     err.msg);
	cr_assert_eq(conf.n_sets, 1);
	cr_assert_eq(conf.sets[0].n_ranges, 1);
	r = &conf.sets[0].ranges[0];
	cr_assert_str_eq(fmt(&r->subnet.addr), "10.1.0.0");
	cr_assert_eq(r->subnet.len, 24);
	cr_assert_str_eq(fmt(&r->range_start), "10.1.0.1");
	cr_assert_str_eq(fmt(&r->range_end), "10.1.0.254");
	cr_assert_str_eq(fmt(&r->gateway), "10.1.0.1");
	cr_assert_str_eq(conf.data_dir, IPAM_DEFAULT_DATA_DIR);
	cr_assert_str_eq(conf.network_name, "net1");
}

Test(ipam_conf, legacy_fields_and_host_bits_dropped)
{
	const struct ipam_range *r;

	cr_assert_eq(parse("{\"subnet\":\"10.1.0.77/24\",\"rangeStart\":\"10.1.0.10\","
			   "\"rangeEnd\":\"10.1.0.20\",\"gateway\":\"10.1.0.254\","
			   "\"dataDir\":\"/run/x\"}"),
		     0, "%s", err.msg);
	r = &conf.sets[0].ranges[0];
	cr_assert_str_eq(fmt(&r->subnet.addr), "10.1.0.0");
	cr_assert_str_eq(fmt(&r->range_start), "10.1.0.10");
	cr_assert_str_eq(fmt(&r->range_end), "10.1.0.20");
	cr_assert_str_eq(fmt(&r->gateway), "10.1.0.254");
	cr_assert_str_eq(conf.data_dir, "/run/x");
}

Test(ipam_conf, dual_stack_ranges_and_routes)
{
	const struct ipam_range *v6;

	cr_assert_eq(parse("{\"ranges\":[[{\"subnet\":\"10.2.0.0/16\"},{\"subnet\":\"10.3.0.0/"
			   "16\"}],[{\"subnet\":\"fd00:1::/64\"}]],"
			   "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"fd00::5/8\","
			   "\"gw\":\"fd00:1::1\"}],\"unknownKey\":{\"x\":1}}"),
		     0, "%s", err.msg);
	cr_assert_eq(conf.n_sets, 2);
	cr_assert_eq(conf.sets[0].n_ranges, 2);
	v6 = &conf.sets[1].ranges[0];
	cr_assert_eq(v6->subnet.addr.family, AF_INET6);
	cr_assert_str_eq(fmt(&v6->range_start), "fd00:1::1");
	cr_assert_str_eq(fmt(&v6->range_end), "fd00:1::ffff:ffff:ffff:ffff");
	cr_assert_eq(conf.n_routes, 2);
	cr_assert_eq(conf.routes[0].gw.family, 0);
	cr_assert_eq(conf.routes[0].scope, -1);
	cr_assert_str_eq(fmt(&conf.routes[1].dst.addr), "fd00::", "dst is the network");
	cr_assert_eq(conf.routes[1].dst.len, 8);
	cr_assert_str_eq(fmt(&conf.routes[1].gw), "fd00:1::1");
}

Test(ipam_conf, legacy_range_comes_first)
{
	cr_assert_eq(parse("{\"subnet\":\"10.9.0.0/24\",\"ranges\":[[{\"subnet\":\"fd00::/"
			   "120\"}]]}"),
		     0, "%s", err.msg);
	cr_assert_eq(conf.n_sets, 2);
	cr_assert_eq(conf.sets[0].ranges[0].subnet.addr.family, AF_INET);
	cr_assert_eq(conf.sets[1].ranges[0].subnet.addr.family, AF_INET6);
}

Test(ipam_conf, network_name_must_be_a_directory_name)
{
	json_t *json = json_pack("{s:s}", "subnet", "10.0.0.0/24");

	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_conf_parse(json, "../etc", &conf, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert(strstr(err.msg, "../etc"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_conf_parse(json, "", &conf, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	json_decref(json);
}

/* Arrays, not pointers: Criterion runs each parameter in a fresh process. */
struct bad_conf {
	char json[200];
	char want[80];
};

ParameterizedTestParameters(ipam_conf, invalid)
{
	static struct bad_conf cases[] = {
		{"{}", "no IP ranges specified"},
		{"{\"subnet\":\"10.0.0.0/33\"}", "range 10.0.0.0/33: prefix /33 too long"},
		{"{\"subnet\":\"fd00::/129\"}", "prefix /129 too long"},
		{"{\"subnet\":\"10.0.0.0\"}", "subnet \"10.0.0.0\" is not an IP prefix"},
		{"{\"subnet\":\"banana/24\"}", "\"banana/24\""},
		{"{\"subnet\":42}", "\"subnet\" must be a string"},
		{"{\"subnet\":\"10.0.0.0/31\"}", "10.0.0.0/31: subnet too small"},
		{"{\"subnet\":\"fd00::/127\"}", "fd00::/127: subnet too small"},
		{"{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.1.5\"}",
		 "rangeStart 10.0.1.5 is not in the subnet"},
		{"{\"subnet\":\"10.0.0.0/24\",\"rangeEnd\":\"10.0.0.300\"}",
		 "rangeEnd \"10.0.0.300\" is not an IP address"},
		{"{\"subnet\":\"10.0.0.0/24\",\"gateway\":\"fd00::1\"}",
		 "gateway fd00::1 is not IPv4"},
		{"{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.0\"}",
		 "rangeStart 10.0.0.0 is the network address"},
		{"{\"subnet\":\"10.0.0.0/24\",\"rangeEnd\":\"10.0.0.255\"}",
		 "rangeEnd 10.0.0.255 is the broadcast address"},
		{"{\"subnet\":\"10.0.0.0/"
		 "24\",\"rangeStart\":\"10.0.0.9\",\"rangeEnd\":\"10.0.0.5\"}",
		 "rangeStart 10.0.0.9 is after rangeEnd 10.0.0.5"},
		{"{\"ranges\":{}}", "\"ranges\" must be a list"},
		{"{\"ranges\":[{\"subnet\":\"10.0.0.0/24\"}]}", "ranges[0] must be a list"},
		{"{\"ranges\":[[]]}", "range set 0 is empty"},
		{"{\"ranges\":[[{}]]}", "ranges[0][0] needs a \"subnet\""},
		{"{\"ranges\":[[\"10.0.0.0/24\"]]}", "ranges[0][0] must be an object"},
		{"{\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"},{\"subnet\":\"fd00::/64\"}]]}",
		 "range set 0 mixes IPv4 and IPv6 (fd00::/64)"},
		{"{\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"},{\"subnet\":\"10.0.0.128/25\"}]]}",
		 "range 10.0.0.1-10.0.0.254 overlaps range 10.0.0.129-10.0.0.254"},
		{"{\"ranges\":[[{\"subnet\":\"10.0.0.0/16\"}],[{\"subnet\":\"10.0.5.0/24\"}]]}",
		 "overlaps range 10.0.5.1-10.0.5.254"},
		{"{\"ranges\":[[{\"subnet\":\"10.0.0.0/24\"}],[{\"subnet\":\"10.1.0.0/24\"}],[{"
		 "\"subnet\":\"10.2.0.0/24\"}],[{\"subnet\":\"10.3.0.0/24\"}],[{\"subnet\":\"10.4."
		 "0.0/24\"}]]}",
		 "5 range sets, at most 4"},
		{"{\"subnet\":\"10.0.0.0/24\",\"routes\":{}}", "\"routes\" must be a list"},
		{"{\"subnet\":\"10.0.0.0/24\",\"routes\":[{\"gw\":\"10.0.0.1\"}]}",
		 "routes[0] needs a \"dst\""},
		{"{\"subnet\":\"10.0.0.0/24\",\"routes\":[{\"dst\":\"default\"}]}",
		 "route dst \"default\" is not an IP prefix"},
		{"{\"subnet\":\"10.0.0.0/24\",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"x\"}]}",
		 "gw \"x\" is not an IP address"},
		{"{\"subnet\":\"10.0.0.0/24\",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"::1\"}]}",
		 "gw ::1 is of another address family"},
		{"{\"subnet\":\"10.0.0.0/24\",\"dataDir\":7}", "\"dataDir\" must be a string"},
	};
	return cr_make_param_array(struct bad_conf, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_conf *c, ipam_conf, invalid)
{
	cr_assert_lt(parse(c->json), 0, "accepted %s", c->json);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG, "code %d for %s", err.code, c->json);
	cr_assert(strstr(err.msg, c->want), "%s: got \"%s\", want \"%s\"", c->json, err.msg,
		  c->want);
	cr_assert(!strncmp(err.msg, "ipam: ", 6), "%s", err.msg);
}

Test(ipam_conf, not_an_object)
{
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_conf_parse(NULL, "net1", &conf, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert(strstr(err.msg, "\"ipam\""), "%s", err.msg);
}

/* "rangesFile": the node agent's file of this node's ranges. */

static char ranges_dir[] = "/tmp/test_ipam_conf.XXXXXX";
static char ranges_path[128];

static void ranges_file_setup(void)
{
	cr_assert_not_null(mkdtemp(ranges_dir));
	snprintf(ranges_path, sizeof(ranges_path), "%s/ranges.json", ranges_dir);
}

static void ranges_file_teardown(void)
{
	unlink(ranges_path);
	rmdir(ranges_dir);
}

static void ranges_file_write(const char *text)
{
	FILE *f = fopen(ranges_path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static int parse_with_ranges_file(const char *rest)
{
	char text[512];

	snprintf(text, sizeof(text), "{\"rangesFile\":\"%s\"%s}", ranges_path, rest);
	return parse(text);
}

Test(ipam_conf, ranges_file_replaces_the_config_ranges, .init = ranges_file_setup,
     .fini = ranges_file_teardown)
{
	ranges_file_write("{\"ranges\":[[{\"subnet\":\"10.244.1.0/24\"}],"
			  "[{\"subnet\":\"fd00:10:244:1::/64\"}]]}\n");
	cr_assert_eq(parse_with_ranges_file(",\"ranges\":[[{\"subnet\":\"10.9.0.0/16\"}]],"
					    "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]"),
		     0, "%s", err.msg);
	cr_assert_eq(conf.n_sets, 2);
	cr_assert_str_eq(fmt(&conf.sets[0].ranges[0].subnet.addr), "10.244.1.0");
	cr_assert_eq(conf.sets[0].ranges[0].subnet.len, 24);
	cr_assert_str_eq(fmt(&conf.sets[1].ranges[0].subnet.addr), "fd00:10:244:1::");
	cr_assert_eq(conf.n_routes, 1, "routes still come from the config");
}

Test(ipam_conf, ranges_file_alone_is_enough, .init = ranges_file_setup,
     .fini = ranges_file_teardown)
{
	ranges_file_write("{\"ranges\":[[{\"subnet\":\"10.244.3.0/24\"}]]}");
	cr_assert_eq(parse_with_ranges_file(""), 0, "%s", err.msg);
	cr_assert_eq(conf.n_sets, 1);
	cr_assert_str_eq(fmt(&conf.sets[0].ranges[0].range_start), "10.244.3.1");
}

Test(ipam_conf, missing_ranges_file_is_try_again, .init = ranges_file_setup,
     .fini = ranges_file_teardown)
{
	cr_assert_lt(parse_with_ranges_file(",\"subnet\":\"10.9.0.0/24\""), 0);
	cr_assert_eq(err.code, CNI_ERR_TRY_AGAIN, "code %d: %s", err.code, err.msg);
	cr_assert(strstr(err.msg, ranges_path), "%s", err.msg);
	cr_assert(strstr(err.msg, "try again"), "%s", err.msg);
}

Test(ipam_conf, bad_ranges_file_names_the_file, .init = ranges_file_setup,
     .fini = ranges_file_teardown)
{
	ranges_file_write("{\"ranges\":[[{\"subnet\":\"10.0.0.0/33\"}]]}");
	cr_assert_lt(parse_with_ranges_file(""), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert(strstr(err.msg, "prefix /33 too long"), "%s", err.msg);
	cr_assert(strstr(err.details, ranges_path), "%s", err.details);

	ranges_file_write("{\"ranges\": [[");
	memset(&err, 0, sizeof(err));
	cr_assert_lt(parse_with_ranges_file(""), 0);
	cr_assert_eq(err.code, CNI_ERR_DECODE);
	cr_assert(strstr(err.msg, ranges_path), "%s", err.msg);

	ranges_file_write("[]");
	cr_assert_lt(parse_with_ranges_file(""), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert(strstr(err.msg, "must hold an object"), "%s", err.msg);

	ranges_file_write("{}");
	cr_assert_lt(parse_with_ranges_file(""), 0);
	cr_assert(strstr(err.msg, "no IP ranges specified"), "%s", err.msg);
}

Test(ipam_conf, ranges_file_symlink_is_not_followed, .init = ranges_file_setup,
     .fini = ranges_file_teardown)
{
	cr_assert_eq(symlink("/etc/hostname", ranges_path), 0);
	cr_assert_lt(parse_with_ranges_file(""), 0);
	cr_assert_eq(err.code, CNI_ERR_IO, "code %d: %s", err.code, err.msg);
	cr_assert(strstr(err.msg, ranges_path), "%s", err.msg);
}

Test(ipam_conf, ranges_file_must_be_a_string)
{
	cr_assert_lt(parse("{\"rangesFile\":5}"), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert(strstr(err.msg, "\"rangesFile\" must be a string"), "%s", err.msg);
}

/* ipam_requested_parse: the static addresses of an ADD from the three sources. */

static struct ipam_requested req;

/* runtimeConfig and args as JSON text (NULL: absent), IP= as given. */
static int parse_requested(const char *runtime_config, const char *args, const char *cni_ip)
{
	json_t *rc = runtime_config ? json_loads(runtime_config, JSON_DECODE_ANY, NULL) : NULL;
	json_t *a = args ? json_loads(args, JSON_DECODE_ANY, NULL) : NULL;
	int ret;

	cr_assert(!runtime_config || rc, "bad test JSON %s", runtime_config);
	cr_assert(!args || a, "bad test JSON %s", args);
	memset(&err, 0, sizeof(err));
	ret = ipam_requested_parse(rc, a, cni_ip, &req, &err);
	json_decref(rc);
	json_decref(a);
	return ret;
}

static const char *req_text(size_t i)
{
	static char bufs[4][IP_PREFIX_STRLEN];
	static int next;
	char *buf = bufs[next++ % 4];

	cr_assert_lt(i, req.n);
	if (!req.ips[i].len)
		return ip_address_format(&req.ips[i].addr, buf, IP_PREFIX_STRLEN);
	return ip_prefix_format(&req.ips[i], buf, IP_PREFIX_STRLEN);
}

Test(ipam_requested, nothing_requested_anywhere)
{
	cr_assert_eq(parse_requested(NULL, NULL, NULL), 0, "%s", err.msg);
	cr_assert_eq(req.n, 0);
	cr_assert_eq(parse_requested("{}", "{\"cni\":{}}", ""), 0, "%s", err.msg);
	cr_assert_eq(req.n, 0);
	cr_assert_eq(parse_requested("{\"ips\":null,\"portMappings\":[]}", "null", ""), 0, "%s",
		     err.msg);
	cr_assert_eq(req.n, 0);
}

Test(ipam_requested, each_source_alone_with_both_forms)
{
	cr_assert_eq(parse_requested(NULL, NULL, "10.1.2.3"), 0, "%s", err.msg);
	cr_assert_eq(req.n, 1);
	cr_assert_str_eq(req_text(0), "10.1.2.3");
	cr_assert_eq(parse_requested(NULL, NULL, "10.1.2.3/24,fd00::7"), 0, "%s", err.msg);
	cr_assert_eq(req.n, 2);
	cr_assert_str_eq(req_text(0), "10.1.2.3/24");
	cr_assert_str_eq(req_text(1), "fd00::7");
	cr_assert_eq(parse_requested("{\"ips\":[\"10.1.2.3/24\"]}", NULL, NULL), 0, "%s", err.msg);
	cr_assert_eq(req.n, 1);
	cr_assert_str_eq(req_text(0), "10.1.2.3/24");
	cr_assert_eq(parse_requested(NULL, "{\"cni\":{\"ips\":[\"fd00::7\",\"10.1.2.3\"]}}", NULL),
		     0, "%s", err.msg);
	cr_assert_eq(req.n, 2);
	cr_assert_str_eq(req_text(0), "fd00::7");
	cr_assert_str_eq(req_text(1), "10.1.2.3");
}

Test(ipam_requested, sources_merge_in_host_local_order_and_duplicates_collapse)
{
	cr_assert_eq(parse_requested("{\"ips\":[\"10.1.2.3/24\",\"fd00::9\"]}",
				     "{\"cni\":{\"ips\":[\"10.1.2.3\"]}}", "10.1.2.3"),
		     0, "%s", err.msg);
	cr_assert_eq(req.n, 2, "podman sends the same address as IP= and as ips");
	cr_assert_str_eq(req_text(0), "10.1.2.3/24", "the prefix given anywhere is kept");
	cr_assert_str_eq(req_text(1), "fd00::9");
	/* CNI_ARGS first, then args.cni.ips, then runtimeConfig.ips. */
	cr_assert_eq(parse_requested("{\"ips\":[\"10.0.0.3\"]}",
				     "{\"cni\":{\"ips\":[\"10.0.0.2\"]}}", "10.0.0.1"),
		     0, "%s", err.msg);
	cr_assert_eq(req.n, 3);
	cr_assert_str_eq(req_text(0), "10.0.0.1");
	cr_assert_str_eq(req_text(1), "10.0.0.2");
	cr_assert_str_eq(req_text(2), "10.0.0.3");
}

Test(ipam_requested, ipv4_mapped_ipv6_counts_as_ipv4)
{
	cr_assert_eq(parse_requested(NULL, NULL, "::ffff:10.1.2.3,::ffff:10.1.3.4/120"), 0, "%s",
		     err.msg);
	cr_assert_eq(req.n, 2);
	cr_assert_eq(req.ips[0].addr.family, AF_INET);
	cr_assert_str_eq(req_text(0), "10.1.2.3");
	cr_assert_str_eq(req_text(1), "10.1.3.4/24");
}

/* Arrays, not pointers: Criterion hands parameters to another process. "" = absent. */
struct bad_request {
	char runtime_config[64];
	char args[64];
	char cni_ip[64];
	char msg[160]; /* the whole message */
};

ParameterizedTestParameters(ipam_requested, rejects)
{
	static struct bad_request cases[] = {
		{"", "", "10.1.2.300",
		 "ipam: requested address CNI_ARGS IP= \"10.1.2.300\" is not an IP address"},
		{"", "", "10.1.2.3,",
		 "ipam: requested address in CNI_ARGS IP= \"10.1.2.3,\" has an empty item"},
		{"", "", " 10.1.2.3",
		 "ipam: requested address CNI_ARGS IP= \" 10.1.2.3\" is not an IP address"},
		{"", "", "10.1.2.3/33",
		 "ipam: requested address CNI_ARGS IP= \"10.1.2.3/33\" is not an IP address or "
		 "prefix"},
		{"", "", "10.1.2.3/0",
		 "ipam: requested address CNI_ARGS IP= \"10.1.2.3/0\" has a prefix length naming "
		 "no subnet"},
		{"", "", "10.1.2.3/24,10.1.2.3/25",
		 "ipam: requested address CNI_ARGS IP= \"10.1.2.3/25\" is requested again with "
		 "another prefix length"},
		{"", "", "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5",
		 "ipam: requested address CNI_ARGS IP= \"10.0.0.5\": at most 4 addresses can be "
		 "requested (one per range set)"},
		{"{\"ips\":\"10.1.2.3\"}", "", "",
		 "ipam: runtimeConfig.ips must be a list of IP address strings"},
		{"{\"ips\":[\"10.1.2.3\",7]}", "", "",
		 "ipam: runtimeConfig.ips[1] must be an IP address string"},
		{"{\"ips\":[\"bogus\"]}", "", "",
		 "ipam: requested address runtimeConfig.ips[0] \"bogus\" is not an IP address"},
		{"[]", "", "", "ipam: runtimeConfig must be an object"},
		{"", "{\"cni\":{\"ips\":[\"10.1.2.3/x\"]}}", "",
		 "ipam: requested address args.cni.ips[0] \"10.1.2.3/x\" is not an IP address or "
		 "prefix"},
		{"", "{\"cni\":[]}", "", "ipam: args.cni must be an object"},
		{"", "\"x\"", "", "ipam: args must be an object"},
	};

	return cr_make_param_array(struct bad_request, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_request *c, ipam_requested, rejects)
{
	cr_assert_lt(parse_requested(c->runtime_config[0] ? c->runtime_config : NULL,
				     c->args[0] ? c->args : NULL, c->cni_ip),
		     0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert_str_eq(err.msg, c->msg);
	cr_assert_eq(req.n, 0, "nothing half-parsed is handed on");
}
