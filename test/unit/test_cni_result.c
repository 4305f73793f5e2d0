#include <jansson.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <string.h>

#include "plugin/cni/cni_result.h"

static void sample(struct cni_result *r)
{
	cni_result_init(r);
	strcpy(r->interfaces[0].name, "sn0123456789ab");
	strcpy(r->interfaces[0].mac, "aa:bb:cc:dd:ee:ff");
	strcpy(r->interfaces[1].name, "eth0");
	strcpy(r->interfaces[1].sandbox, "/run/netns/p1");
	strcpy(r->interfaces[1].socket_path, "/run/slicenet/p1/eth0.sock");
	r->interfaces[1].mtu = 9000;
	r->n_interfaces = 2;
	cr_assert_eq(ip_prefix_parse("10.1.0.5/24", &r->ips[0].address), 0);
	cr_assert_eq(ip_address_parse("10.1.0.1", &r->ips[0].gateway), 0);
	r->ips[0].interface = 1;
	cr_assert_eq(ip_prefix_parse("fd00::5/64", &r->ips[1].address), 0);
	r->ips[1].interface = 1;
	r->n_ips = 2;
	cr_assert_eq(ip_prefix_parse("0.0.0.0/0", &r->routes[0].dst), 0);
	cr_assert_eq(ip_address_parse("10.1.0.1", &r->routes[0].gw), 0);
	r->routes[0].mtu = 1400;
	r->n_routes = 1;
	strcpy(r->dns.nameservers[0], "10.96.0.10");
	r->dns.n_nameservers = 1;
}

static json_t *encode(const char *version)
{
	static struct cni_result r;
	struct cni_error err = {0};
	json_t *json;

	sample(&r);
	json = cni_result_encode(&r, version, &err);
	cr_assert_not_null(json, "%s", err.msg);
	return json;
}

Test(cni_result, v031_and_v040_carry_ip_version)
{
	const char *versions[] = {"0.3.0", "0.3.1", "0.4.0"};

	for (size_t i = 0; i < 3; i++) {
		json_t *json = encode(versions[i]);
		json_t *ips = json_object_get(json, "ips");

		cr_assert_str_eq(json_string_value(json_object_get(json, "cniVersion")),
				 versions[i]);
		cr_assert_str_eq(
			json_string_value(json_object_get(json_array_get(ips, 0), "version")), "4");
		cr_assert_str_eq(
			json_string_value(json_object_get(json_array_get(ips, 1), "version")), "6");
		cr_assert_null(json_object_get(
			json_array_get(json_object_get(json, "interfaces"), 1), "socketPath"));
		json_decref(json);
	}
}

Test(cni_result, v100_drops_ip_version_and_11_fields)
{
	json_t *json = encode("1.0.0");
	json_t *ip = json_array_get(json_object_get(json, "ips"), 0);
	json_t *iface = json_array_get(json_object_get(json, "interfaces"), 1);

	cr_assert_null(json_object_get(ip, "version"));
	cr_assert_str_eq(json_string_value(json_object_get(ip, "address")), "10.1.0.5/24");
	cr_assert_eq(json_integer_value(json_object_get(ip, "interface")), 1);
	cr_assert_null(json_object_get(iface, "mtu"));
	cr_assert_null(json_object_get(iface, "socketPath"));
	cr_assert_null(json_object_get(json_array_get(json_object_get(json, "routes"), 0), "mtu"));
	json_decref(json);
}

Test(cni_result, v110_has_mtu_socketpath_and_route_fields)
{
	json_t *json = encode("1.1.0");
	json_t *iface = json_array_get(json_object_get(json, "interfaces"), 1);
	json_t *route = json_array_get(json_object_get(json, "routes"), 0);

	cr_assert_eq(json_integer_value(json_object_get(iface, "mtu")), 9000);
	cr_assert_str_eq(json_string_value(json_object_get(iface, "socketPath")),
			 "/run/slicenet/p1/eth0.sock");
	cr_assert_null(json_object_get(iface, "pciID"));
	cr_assert_eq(json_integer_value(json_object_get(route, "mtu")), 1400);
	cr_assert_null(json_object_get(route, "scope"), "unset scope is omitted");
	cr_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(json_object_get(json, "dns"), "nameservers"), 0)),
			 "10.96.0.10");
	json_decref(json);
}

Test(cni_result, roundtrip_through_decode)
{
	struct cni_result back;
	struct cni_error err = {0};
	json_t *json = encode("1.1.0");
	char buf[IP_PREFIX_STRLEN];

	cr_assert_eq(cni_result_decode(json, &back, &err), 0, "%s", err.msg);
	cr_assert_eq(back.n_interfaces, 2);
	cr_assert_eq(back.n_ips, 2);
	cr_assert_str_eq(ip_prefix_format(&back.ips[1].address, buf, sizeof(buf)), "fd00::5/64");
	cr_assert_eq(back.ips[1].interface, 1);
	cr_assert_eq(back.interfaces[1].mtu, 9000);
	cr_assert_eq(back.routes[0].mtu, 1400);
	cr_assert_eq(back.routes[0].scope, -1);
	cr_assert_str_eq(back.dns.nameservers[0], "10.96.0.10");
	json_decref(json);
}

Test(cni_result, unsupported_version_is_code_1)
{
	struct cni_result r;
	struct cni_error err = {0};

	cni_result_init(&r);
	cr_assert_null(cni_result_encode(&r, "0.2.0", &err));
	cr_assert_eq(err.code, CNI_ERR_INCOMPATIBLE_VERSION);
}

struct bad_result {
	char json[160];
	char want[64];
};

ParameterizedTestParameters(cni_result, decode_rejects)
{
	static struct bad_result cases[] = {
		{"[]", "not a JSON object"},
		{"{\"ips\": {}}", "\"ips\" is not a list"},
		{"{\"ips\": [{\"address\": \"10.0.0.300/24\"}]}", "\"10.0.0.300/24\""},
		{"{\"ips\": [{\"gateway\": \"10.0.0.1\"}]}", "\"address\" is missing"},
		{"{\"ips\": [{\"address\": \"10.0.0.2/24\", \"gateway\": \"x\"}]}",
		 "\"gateway\" value \"x\""},
		{"{\"ips\": [{\"address\": \"10.0.0.2/24\", \"interface\": 3}]}",
		 "does not index an interface"},
		{"{\"routes\": [{\"dst\": \"nope\"}]}", "\"dst\" value \"nope\""},
		{"{\"interfaces\": [{\"name\": 5}]}", "\"name\" is not a string"},
		{"{\"dns\": {\"nameservers\": \"1.1.1.1\"}}", "\"nameservers\" is not a list"},
	};
	return cr_make_param_array(struct bad_result, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_result *c, cni_result, decode_rejects)
{
	struct cni_result out;
	struct cni_error err = {0};
	json_t *json = json_loads(c->json, 0, NULL);

	cr_assert_not_null(json);
	cr_assert_lt(cni_result_decode(json, &out, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_DECODE);
	cr_assert(strstr(err.msg, c->want), "\"%s\" lacks \"%s\"", err.msg, c->want);
	json_decref(json);
}

Test(cni_error, json_shape, .init = cr_redirect_stdout)
{
	struct cni_error err = {0};

	cr_assert_eq(cni_error_set(&err, CNI_ERR_INVALID_CONFIG, 22, "bad %s", "thing"), -22);
	cr_assert_eq(cni_error_set(&err, CNI_ERR_IO, 5, "second"), -5, "first error wins");
	cni_error_details(&err, "detail %d", 1);
	cni_error_details(&err, "detail %d", 2);
	cr_assert_eq(cni_error_print(stdout, &err, "1.0.0"), 0);
	fflush(stdout);
	cr_assert_stdout_eq_str("{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"bad thing\","
				"\"details\":\"detail 1; detail 2\"}\n");
}
