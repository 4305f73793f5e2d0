#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <sys/socket.h>

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
