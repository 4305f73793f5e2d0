#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugin/conf/conf.h"

static int parse(const char *text, struct netconf *conf, struct cni_error *err)
{
	memset(err, 0, sizeof(*err));
	return conf_parse(text, strlen(text), conf, err);
}

Test(conf, full_config)
{
	const char *text =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"edge-net\",\"type\":\"slicenet\","
		"\"ipam\":{\"type\":\"slicenet-ipam\",\"subnet\":\"10.1.0.0/24\"},"
		"\"defaultSlice\":\"embb\",\"logFile\":\"/tmp/x.log\",\"logLevel\":\"debug\","
		"\"stateDir\":\"/tmp/st\",\"futureKey\":{\"ignored\":true},"
		"\"slices\":{\"embb\":{\"datapaths\":[\"veth\"],\"mtu\":1500},"
		"\"urllc\":{\"datapaths\":[\"vhostuser\",\"sriov\",\"veth\"],\"mtu\":9000}},"
		"\"runtimeConfig\":{\"io.kubernetes.cri.pod-annotations\":null},"
		"\"dns\":{\"nameservers\":[\"10.96.0.10\"]}}";
	struct netconf conf;
	struct cni_error err;
	const struct slice_class *urllc;

	cr_assert_eq(parse(text, &conf, &err), 0, "%s", err.msg);
	cr_assert_str_eq(conf.cni_version, "1.0.0");
	cr_assert_str_eq(conf.name, "edge-net");
	cr_assert_str_eq(conf.ipam_type, "slicenet-ipam");
	cr_assert_str_eq(conf.default_slice, "embb");
	cr_assert_str_eq(conf.state_dir, "/tmp/st");
	cr_assert_eq(conf.log_level, 3);
	cr_assert_eq(conf.n_slices, 2);
	urllc = conf_find_slice(&conf, "urllc");
	cr_assert_not_null(urllc);
	cr_assert_eq(urllc->n_datapaths, 3);
	cr_assert_str_eq(urllc->datapaths[0], "vhostuser");
	cr_assert_str_eq(urllc->datapaths[2], "veth");
	cr_assert_eq(urllc->mtu, 9000);
	cr_assert_not_null(conf.runtime_config);
	cr_assert_str_eq(conf.dns.nameservers[0], "10.96.0.10");
	cr_assert_null(conf_find_slice(&conf, "mmtc"));
	conf_free(&conf);
}

Test(conf, defaults_without_slices)
{
	struct netconf conf;
	struct cni_error err;

	cr_assert_eq(parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"slicenet\"}", &conf,
			   &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(conf.default_slice, "default");
	cr_assert_str_eq(conf.slices[0].datapaths[0], "veth");
	cr_assert_str_eq(conf.state_dir, CONF_DEFAULT_STATE_DIR);
	cr_assert_null(conf.ipam);
	conf_free(&conf);
}

Test(conf, missing_cni_version_means_010)
{
	struct netconf conf;
	struct cni_error err;

	cr_assert_eq(parse("{\"name\":\"n\",\"type\":\"slicenet\"}", &conf, &err), 0);
	cr_assert_str_eq(conf.cni_version, "0.1.0");
	conf_free(&conf);
}

Test(conf, slices_file)
{
	char path[] = "/tmp/slicenet-slices-XXXXXX";
	int fd = mkstemp(path);
	const char *table = "{\"defaultSlice\":\"mmtc\",\"slices\":{\"mmtc\":{\"datapaths\":"
			    "[\"veth\"]},\"urllc\":{\"datapaths\":[\"sriov\",\"veth\"]}}}";
	char text[512];
	struct netconf conf;
	struct cni_error err;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, table, strlen(table)), (ssize_t)strlen(table));
	close(fd);
	snprintf(text, sizeof(text),
		 "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
		 "\"slicesFile\":\"%s\"}",
		 path);
	cr_assert_eq(parse(text, &conf, &err), 0, "%s", err.msg);
	cr_assert_str_eq(conf.default_slice, "mmtc");
	cr_assert_str_eq(conf_find_slice(&conf, "urllc")->datapaths[0], "sriov");
	conf_free(&conf);
	unlink(path);
}

struct bad_conf {
	char json[256];
	int code;
	char want[80];
};

ParameterizedTestParameters(conf, rejects)
{
	static struct bad_conf cases[] = {
		{"{\"name\":", 6, "not valid JSON"},
		{"[1,2]", 6, "not a JSON object"},
		{"{\"cniVersion\":\"1.0.0\",\"type\":\"slicenet\"}", 7, "\"name\" is required"},
		{"{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", 7, "\"type\" is required"},
		{"{\"cniVersion\":\"1.0.0\",\"name\":\"bad/name\",\"type\":\"s\"}", 7,
		 "invalid network name \"bad/name\""},
		{"{\"cniVersion\":1,\"name\":\"n\",\"type\":\"s\"}", 7,
		 "\"cniVersion\" must be a string"},
		{"{\"name\":\"n\",\"type\":\"s\",\"ipam\":{}}", 7, "ipam: \"type\" is required"},
		{"{\"name\":\"n\",\"type\":\"s\",\"ipam\":{\"type\":\"../x\"}}", 7,
		 "type \"../x\" must be a plugin name"},
		{"{\"name\":\"n\",\"type\":\"s\",\"ipam\":[]}", 7, "\"ipam\" must be an object"},
		{"{\"name\":\"n\",\"type\":\"s\",\"logLevel\":\"loud\"}", 7,
		 "logLevel \"loud\" is not one of"},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a\":{\"datapaths\":[\"dpdk\"]}}}", 7,
		 "unknown datapath \"dpdk\""},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a\":{\"datapaths\":[]}}}", 7,
		 "class \"a\" needs a non-empty \"datapaths\" list"},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a\":{\"datapaths\":[\"veth\","
		 "\"veth\"]}}}",
		 7, "lists datapath \"veth\" twice"},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a\":{\"datapaths\":[\"veth\"],"
		 "\"mtu\":20}}}",
		 7, "mtu must be an integer from 68 to 65535"},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a\":{\"datapaths\":[\"veth\"]},"
		 "\"b\":{\"datapaths\":[\"veth\"]}}}",
		 7, "\"defaultSlice\" is required"},
		{"{\"name\":\"n\",\"type\":\"s\",\"defaultSlice\":\"zz\",\"slices\":{\"a\":"
		 "{\"datapaths\":[\"veth\"]}}}",
		 7, "defaultSlice \"zz\" is not a class"},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a b\":{\"datapaths\":[\"veth\"]}}}",
		 7, "class name \"a b\""},
		{"{\"name\":\"n\",\"type\":\"s\",\"slicesFile\":\"/nonexistent/slices.json\"}", 7,
		 "slicesFile /nonexistent/slices.json"},
		{"{\"name\":\"n\",\"type\":\"s\",\"prevResult\":[]}", 6,
		 "\"prevResult\" must be an object"},
		{"{\"name\":\"n\",\"name\":\"m\",\"type\":\"s\"}", 6, "duplicate"},
	};
	return cr_make_param_array(struct bad_conf, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_conf *c, conf, rejects)
{
	struct netconf conf;
	struct cni_error err;

	cr_assert_lt(parse(c->json, &conf, &err), 0, "accepted %s", c->json);
	cr_assert_eq(err.code, c->code, "code %d for %s: %s", err.code, c->json, err.msg);
	cr_assert(strstr(err.msg, c->want), "\"%s\" lacks \"%s\"", err.msg, c->want);
	conf_free(&conf);
}
