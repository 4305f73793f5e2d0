#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "plugin/cni/cni_env.h"

/* A fake environment: NULL-terminated name/value pairs. */
static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
	for (const char *const *p = fake_env; p && *p; p += 2)
		if (!strcmp(p[0], name))
			return p[1];
	return NULL;
}

static int load(const char *const *vars, struct cni_env *env, struct cni_error *err)
{
	fake_env = vars;
	memset(err, 0, sizeof(*err));
	return cni_env_load(env, fake_getenv, err);
}

Test(cni_env, add_with_everything)
{
	const char *vars[] = {"CNI_COMMAND",
			      "ADD",
			      "CNI_CONTAINERID",
			      "abc-1.2_3",
			      "CNI_NETNS",
			      "/run/netns/x",
			      "CNI_IFNAME",
			      "eth0",
			      "CNI_PATH",
			      "/opt/cni/bin",
			      "CNI_ARGS",
			      "K8S_POD_NAME=web;IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;FOO=bar",
			      NULL};
	struct cni_env env;
	struct cni_error err;

	cr_assert_eq(load(vars, &env, &err), 0, "%s", err.msg);
	cr_assert_eq(env.command, CNI_CMD_ADD);
	cr_assert_str_eq(env.container_id, "abc-1.2_3");
	cr_assert_str_eq(env.netns, "/run/netns/x");
	cr_assert_str_eq(env.args.pod_name, "web");
	cr_assert_str_eq(env.args.pod_namespace, "ns");
	cr_assert(env.args.ignore_unknown);
}

Test(cni_env, empty_counts_as_unset_and_all_missing_are_named)
{
	const char *vars[] = {"CNI_COMMAND", "ADD", "CNI_CONTAINERID", "",
			      "CNI_NETNS",   "",    "CNI_IFNAME",      "eth0",
			      NULL};
	struct cni_env env;
	struct cni_error err;

	cr_assert_lt(load(vars, &env, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_ENV);
	cr_assert(strstr(err.msg, "CNI_CONTAINERID"));
	cr_assert(strstr(err.msg, "CNI_NETNS"));
	cr_assert(strstr(err.msg, "CNI_PATH"));
	cr_assert_null(strstr(err.msg, "CNI_IFNAME"));
}

Test(cni_env, del_tolerates_missing_netns_and_path)
{
	const char *vars[] = {"CNI_COMMAND", "DEL",  "CNI_CONTAINERID", "c1", "CNI_NETNS", "",
			      "CNI_IFNAME",  "eth0", "CNI_PATH",	"",   NULL};
	struct cni_env env;
	struct cni_error err;

	cr_assert_eq(load(vars, &env, &err), 0, "%s", err.msg);
	cr_assert_str_eq(env.netns, "");
}

Test(cni_env, version_and_status_need_nothing_else)
{
	const char *version[] = {"CNI_COMMAND", "VERSION", "CNI_NETNS", "dummy",
				 "CNI_IFNAME",	"dummy",   NULL};
	const char *status[] = {"CNI_COMMAND", "STATUS", NULL};
	const char *gc[] = {"CNI_COMMAND", "GC", NULL};
	struct cni_env env;
	struct cni_error err;

	cr_assert_eq(load(version, &env, &err), 0);
	cr_assert_eq(load(status, &env, &err), 0);
	cr_assert_lt(load(gc, &env, &err), 0, "GC needs CNI_PATH");
	cr_assert(strstr(err.msg, "CNI_PATH"));
}

struct bad_env {
	char command[16];
	char id[64];
	char ifname[64];
	char want[64];
};

ParameterizedTestParameters(cni_env, rejects)
{
	static struct bad_env cases[] = {
		{"ADDX", "c1", "eth0", "unknown CNI_COMMAND \"ADDX\""},
		{"ADD", "-c1", "eth0", "invalid CNI_CONTAINERID \"-c1\""},
		{"ADD", "c/1", "eth0", "invalid CNI_CONTAINERID \"c/1\""},
		{"ADD", "c1", "eth0123456789abc", "longer than 15 bytes"},
		{"ADD", "c1", "eth/0", "contains '/'"},
		{"ADD", "c1", "eth:0", "contains ':'"},
		{"ADD", "c1", "eth 0", "contains ' '"},
		{"ADD", "c1", ".", "not a valid interface name"},
		{"ADD", "c1", "..", "not a valid interface name"},
		{"ADD", "c1", "eth\xc3\xa9", "only printable ASCII"},
		{"ADD", "c1", "eth\x7f", "byte 0x7f at offset 3"},
	};
	return cr_make_param_array(struct bad_env, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_env *c, cni_env, rejects)
{
	const char *vars[] = {
		"CNI_COMMAND", c->command, "CNI_CONTAINERID", c->id,  "CNI_NETNS", "/run/netns/x",
		"CNI_IFNAME",  c->ifname,  "CNI_PATH",	      "/bin", NULL};
	struct cni_env env;
	struct cni_error err;

	cr_assert_lt(load(vars, &env, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_INVALID_ENV);
	cr_assert(strstr(err.msg, c->want), "message \"%s\" lacks \"%s\"", err.msg, c->want);
}

Test(cni_args, unknown_key_needs_ignore_unknown)
{
	struct cni_args args;
	struct cni_error err = {0};

	cr_assert_lt(cni_args_parse("FOO=bar", &args, &err), 0);
	cr_assert(strstr(err.msg, "\"FOO\""));
	memset(&err, 0, sizeof(err));
	cr_assert_eq(cni_args_parse("FOO=bar;IgnoreUnknown=true", &args, &err), 0, "%s", err.msg);
	cr_assert_eq(cni_args_parse("IgnoreUnknown=TRUE;FOO=1", &args, &err), 0);
	cr_assert_lt(cni_args_parse("IgnoreUnknown=0;FOO=1", &args, &err), 0);
}

Test(cni_args, all_known_keys_any_order)
{
	struct cni_args args;
	struct cni_error err = {0};

	cr_assert_eq(cni_args_parse("K8S_POD_UID=u1;SLICENET_SLICE=urllc;"
				    "K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_NAME=p;"
				    "K8S_POD_NAMESPACE=n;deviceID=0000:04:00.5",
				    &args, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(args.pod_uid, "u1");
	cr_assert_str_eq(args.slice, "urllc");
	cr_assert_str_eq(args.pod_infra_container_id, "abc");
	cr_assert_str_eq(args.device_id, "0000:04:00.5");
}

Test(cni_args, pair_without_equals_is_an_error)
{
	struct cni_args args;
	struct cni_error err = {0};

	cr_assert_lt(cni_args_parse("IgnoreUnknown=1;garbage", &args, &err), 0);
	cr_assert(strstr(err.msg, "\"garbage\" is not KEY=VALUE"));
}

Test(cni_args, ip_is_a_known_key_kept_raw_for_ipam)
{
	struct cni_args args;
	struct cni_error err = {0};

	/* podman --ip sends it without IgnoreUnknown being needed for IP itself. */
	cr_assert_eq(cni_args_parse("IP=10.226.0.50", &args, &err), 0, "%s", err.msg);
	cr_assert_str_eq(args.ip, "10.226.0.50");
	cr_assert_eq(cni_args_parse("IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.1.0.5,fd00::5/64", &args,
				    &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(args.ip, "10.1.0.5,fd00::5/64", "validated by IPAM, not here");
	cr_assert_eq(cni_args_parse("K8S_POD_NAME=p", &args, &err), 0);
	cr_assert_str_eq(args.ip, "");
}
