#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugin/conf/conf.h"

static int parse(const char *text, struct netconf *conf, struct cni_error *err)
{
	bool core_ok;

	memset(err, 0, sizeof(*err));
	return conf_parse(text, strlen(text), conf, &core_ok, err);
}

Test(conf, full_config)
{
	const char *text =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"edge-net\",\"type\":\"slicenet\","
		"\"ipam\":{\"type\":\"slicenet-ipam\",\"subnet\":\"10.1.0.0/24\"},"
		"\"defaultSlice\":\"embb\",\"logFile\":\"/tmp/x.log\",\"logLevel\":\"debug\","
		"\"stateDir\":\"/tmp/st\",\"futureKey\":{\"ignored\":true},"
		"\"slices\":{\"embb\":{\"datapaths\":[\"veth\"],\"mtu\":1500},"
		"\"urllc\":{\"datapaths\":[\"vhostuser\",\"sriov\",\"veth\"],\"mtu\":9000,"
		"\"switchPriority\":0}},"
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
	cr_assert_eq(urllc->switch_priority, 0);
	cr_assert_eq(conf_find_slice(&conf, "embb")->switch_priority, -1, "unset: daemon default");
	cr_assert_not(conf.runtime.slice.has_annotation);
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
		 "\"cniVersion\": 1 must be a string"},
		{"{\"name\":\"n\",\"type\":\"s\",\"ipam\":{}}", 7, "ipam: \"type\" is required"},
		{"{\"name\":\"n\",\"type\":\"s\",\"ipam\":{\"type\":\"../x\"}}", 7,
		 "type \"../x\" must be a plugin name"},
		{"{\"name\":\"n\",\"type\":\"s\",\"ipam\":[]}", 7,
		 "\"ipam\": [] must be an object"},
		/* every datapath section is checked, whatever class would be picked */
		{"{\"name\":\"n\",\"type\":\"s\",\"vhostuser\":{\"mode\":\"bogus\"}}", 7,
		 "vhostuser: \"mode\": \"bogus\" must be one of \"client\", \"server\""},
		{"{\"name\":\"n\",\"type\":\"s\",\"vhostuser\":{\"queues\":99}}", 7,
		 "vhostuser: \"queues\": 99 must be an integer"},
		{"{\"name\":\"n\",\"type\":\"s\",\"vhostuser\":{\"socketDir\":\"rel\"}}", 7,
		 "\"socketDir\": \"rel\" must be an absolute path"},
		{"{\"name\":\"n\",\"type\":\"s\",\"vhostuser\":7}", 7,
		 "\"vhostuser\" must be an object"},
		{"{\"name\":\"n\",\"type\":\"s\",\"sriov\":{\"vlan\":5000}}", 7,
		 "sriov: \"vlan\": 5000 must be an integer from 0 to 4095"},
		{"{\"name\":\"n\",\"type\":\"s\",\"defaultSlice\":\"u\",\"slices\":{\"u\":{"
		 "\"datapaths\":[\"vhostuser\",\"veth\"],\"queues\":0}}}",
		 7, "slices: class \"u\": \"queues\": 0 must be an integer"},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a\":{\"datapaths\":[\"vhost-user\"]}"
		 "}}",
		 7, "unknown datapath \"vhost-user\""},
		{"{\"name\":\"n\",\"type\":\"s\",\"runtimeConfig\":{\"mac\":\"01:00:5e:00:00:01\"}"
		 "}",
		 7, "mac \"01:00:5e:00:00:01\" is a multicast address"},
		{"{\"name\":\"n\",\"type\":\"s\",\"runtimeConfig\":{\"mac\":\"00:00:00:00:00:00\"}"
		 "}",
		 7, "is all zero"},
		{"{\"name\":\"n\",\"type\":\"s\",\"mode\":\"primary\",\"defaultSlice\":\"u\","
		 "\"slices\":{\"u\":"
		 "{\"datapaths\":[\"vhostuser\",\"veth\"]}}}",
		 7, "slices: class \"u\": primary mode needs a \"dataSubnet\""},
		{"{\"name\":\"n\",\"type\":\"s\",\"mode\":\"primary\",\"defaultSlice\":\"u\","
		 "\"slices\":{\"u\":"
		 "{\"datapaths\":[\"vhostuser\"],\"dataSubnet\":\"10.9.0.0/16\"}}}",
		 7, "needs \"clusterCIDR\""},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"u\":{\"datapaths\":[\"veth\"],"
		 "\"dataSubnet\":\"10.9.0.0/16\",\"dataBlockPrefix\":12}}}",
		 7, "\"dataBlockPrefix\": /12 is not smaller than"},
		{"{\"name\":\"n\",\"type\":\"s\",\"mode\":\"tertiary\"}", 7,
		 "\"mode\": \"tertiary\" must be one of \"secondary\", \"primary\""},
		{"{\"name\":\"n\",\"type\":\"s\",\"runtimeConfig\":{\"mac\":\"zz\"}}", 7,
		 "mac \"zz\" is not a MAC address"},
		{"{\"name\":\"n\",\"type\":\"s\",\"runtimeConfig\":{\"io.kubernetes.cri.pod-"
		 "annotations\":"
		 "{\"slicenet.io/slice\":7}}}",
		 7, "slice annotation must be a string"},
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
		 7, "class \"a\": \"mtu\": 20 must be an integer from 68 to 65535"},
		{"{\"name\":\"n\",\"type\":\"s\",\"slices\":{\"a\":{\"datapaths\":[\"veth\"],"
		 "\"switchPriority\":4}}}",
		 7, "class \"a\": \"switchPriority\": 4 must be an integer from 0 to 3"},
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

Test(conf, datapath_sections_are_typed_per_class)
{
	const char *text =
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
		"\"vhostuser\":{\"daemonSocket\":\"/run/x.sock\",\"queues\":2},"
		"\"defaultSlice\":\"embb\",\"slices\":{\"embb\":{\"datapaths\":[\"veth\"]},"
		"\"urllc\":{\"datapaths\":[\"vhostuser\",\"veth\"],\"queues\":4}},"
		"\"runtimeConfig\":{\"mac\":\"0A:00:00:00:00:01\",\"CNIDeviceInfoFile\":\"/run/"
		"d.json\"}}";
	const unsigned int *network_queues, *class_queues;
	struct netconf conf;
	struct cni_error err;

	cr_assert_eq(parse(text, &conf, &err), 0, "%s", err.msg);
	/* struct vhu_conf starts with the daemon socket; queues is read through the ops' own view
	 */
	cr_assert_str_eq((const char *)conf_datapath_conf(&conf, NULL, "vhostuser"), "/run/x.sock");
	network_queues = conf_datapath_conf(&conf, NULL, "vhostuser");
	class_queues = conf_datapath_conf(&conf, conf_find_slice(&conf, "urllc"), "vhostuser");
	cr_assert_not_null(network_queues);
	cr_assert_not_null(class_queues);
	cr_assert_neq(network_queues, class_queues);
	cr_assert_not_null(conf_datapath_conf(&conf, NULL, "sriov"));
	cr_assert_str_eq(conf.runtime.mac, "0a:00:00:00:00:01");
	cr_assert_str_eq(conf.runtime.device_info_file, "/run/d.json");
	conf_free(&conf);
}

Test(conf, broken_rest_keeps_the_core)
{
	const char *text = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
			   "\"stateDir\":\"/tmp/st2\",\"vhostuser\":{\"mode\":\"bogus\"}}";
	struct netconf conf;
	struct cni_error err = {0};
	bool core_ok = false;

	cr_assert_eq(conf_parse(text, strlen(text), &conf, &core_ok, &err), -EINVAL);
	cr_assert(core_ok);
	cr_assert_eq(err.code, 7);
	cr_assert_str_eq(conf.state_dir, "/tmp/st2");
	cr_assert_eq(conf_datapath_defaults(&conf, &err), 0, "%s", err.msg);
	cr_assert_not_null(conf_datapath_conf(&conf, NULL, "vhostuser"));
	conf_free(&conf);
}

Test(conf, log_max_bytes)
{
	struct netconf conf;
	struct cni_error err;

	cr_assert_eq(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\"}", &conf,
			   &err),
		     0, "%s", err.msg);
	cr_assert_eq(conf.log_max_bytes, 10u << 20, "default 10 MiB");
	conf_free(&conf);
	cr_assert_eq(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
			   "\"logMaxBytes\":0}",
			   &conf, &err),
		     0, "%s", err.msg);
	cr_assert_eq(conf.log_max_bytes, 0, "0 = no cap");
	conf_free(&conf);
	cr_assert_neq(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
			    "\"logMaxBytes\":-1}",
			    &conf, &err),
		      0);
	cr_assert_eq(err.code, 7);
	cr_assert(strstr(err.msg, "logMaxBytes"), "%s", err.msg);
	cr_assert_neq(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"slicenet\","
			    "\"logMaxBytes\":\"10M\"}",
			    &conf, &err),
		      0);
	cr_assert(strstr(err.msg, "logMaxBytes"), "%s", err.msg);
}
