/* The agent's small pure pieces: backoff, ranges file text, masquerade script, options, config. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/backoff.h"
#include "agent/kube_config.h"
#include "agent/masq.h"
#include "agent/options.h"
#include "agent/ranges_file.h"

Test(backoff, doubles_with_jitter_caps_and_resets)
{
	struct backoff b;
	uint64_t now = 1000, d;

	backoff_init(&b, 42);
	d = backoff_next(&b, now);
	cr_assert(d >= 800 && d < 1600, "first delay %lu", (unsigned long)d);
	d = backoff_next(&b, now += 10);
	cr_assert(d >= 1600 && d < 3200, "second delay %lu", (unsigned long)d);
	for (int i = 0; i < 20; i++)
		d = backoff_next(&b, now += 10);
	cr_assert(d >= 30000 && d < 60000, "capped delay %lu", (unsigned long)d);
	d = backoff_next(&b, now + 120000);
	cr_assert(d >= 800 && d < 1600, "reset after 2 min: %lu", (unsigned long)d);
}

static struct node dual(void)
{
	struct node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "a");
	cr_assert_eq(ip_prefix_parse("10.244.1.0/24", &n.pod_cidrs[0]), 0);
	cr_assert_eq(ip_prefix_parse("fd00:1::/64", &n.pod_cidrs[1]), 0);
	n.n_pod_cidrs = 2;
	return n;
}

Test(ranges_file, format_write_unchanged_remove)
{
	char dir[] = "/tmp/test_agent_ranges.XXXXXX", path[128], text[256];
	struct node n = dual();
	struct error err = {0};
	bool written;
	FILE *f;

	cr_assert_eq(ranges_file_format(&n, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "{\"ranges\": [[{\"subnet\": \"10.244.1.0/24\"}], "
			       "[{\"subnet\": \"fd00:1::/64\"}]]}\n");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/ranges.json", dir);
	cr_assert_eq(ranges_file_write(path, &n, &written, &err), 0, "%s", err.msg);
	cr_assert(written);
	cr_assert_eq(ranges_file_write(path, &n, &written, &err), 0, "%s", err.msg);
	cr_assert(!written, "same content is not rewritten");
	f = fopen(path, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(text, sizeof(text), f));
	fclose(f);
	cr_assert(strstr(text, "fd00:1::/64"));
	cr_assert_eq(ranges_file_remove(path, &err), 0);
	cr_assert_eq(ranges_file_remove(path, &err), 0, "already gone is fine");
	n.n_pod_cidrs = 0;
	cr_assert_lt(ranges_file_write(path, &n, &written, &err), 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

Test(masq, script_per_family)
{
	struct masq_conf conf = {0};
	struct node n = dual();
	char script[2048];

	cr_assert_eq(ip_prefix_parse("10.244.0.0/16", &conf.cluster[0]), 0);
	cr_assert_eq(ip_prefix_parse("10.96.0.0/12", &conf.cluster[1]), 0);
	conf.n_cluster = 2;
	cr_assert_eq(masq_script(&conf, &n, script, sizeof(script)), 0);
	cr_assert(strstr(script, "delete table inet slicenet\ntable inet slicenet {"), "%s",
		  script);
	cr_assert(strstr(script, "ip saddr 10.244.1.0/24 ip daddr != { 10.244.0.0/16, "
				 "10.96.0.0/12 } masquerade"),
		  "%s", script);
	cr_assert_null(strstr(script, "ip6 saddr"), "no IPv6 cluster CIDR: no IPv6 rule");
	cr_assert_lt(masq_script(&conf, &n, script, 64), 0, "too small a buffer is an error");
}

Test(options, defaults_env_and_flags)
{
	char *argv[] = {"slicenet-agent", "--mode",	 "host-gw", "--cluster-cidr",
			"10.244.0.0/16",  "--vxlan-vni", "42",	    NULL};
	struct agent_options o;
	struct error err = {0};

	setenv("NODE_NAME", "node-a", 1);
	cr_assert_eq(options_parse(7, argv, &o, &err), 0, "%s", err.msg);
	cr_assert_str_eq(o.node_name, "node-a");
	cr_assert_eq(o.mode, AGENT_MODE_HOST_GW);
	cr_assert_eq(o.masq.n_cluster, 1);
	cr_assert_str_eq(o.vxlan.name, "slicenet.42");
	cr_assert_eq(o.vxlan.port, 8472);
	cr_assert_str_eq(o.ranges_file, RANGES_FILE_DEFAULT);
	cr_assert_eq(o.resync_seconds, 60);
}

Test(options, data_subnets)
{
	char *argv[] = {"slicenet-agent",
			"--data-subnet",
			"10.250.1.0/16/24",
			"--cluster-cidr",
			"fd00:10:244::/48",
			"--cluster-cidr",
			"10.244.0.0/16",
			"--data-uplink",
			"snup0",
			"--node-name",
			"n",
			NULL};
	struct agent_options o;
	struct error err = {0};
	char text[IP_PREFIX_STRLEN];

	cr_assert_eq(options_parse(11, argv, &o, &err), 0, "%s", err.msg);
	cr_assert_eq(o.n_data, 1);
	cr_assert_str_eq(ip_prefix_format(&o.data[0].subnet, text, sizeof(text)), "10.250.0.0/16");
	cr_assert_eq(o.data[0].block_len, 24);
	cr_assert_str_eq(ip_prefix_format(&o.cluster4, text, sizeof(text)), "10.244.0.0/16");
	cr_assert_str_eq(o.data_uplink, "snup0");
	/* Pods reach data networks with their own address: not masqueraded. */
	cr_assert_eq(o.masq.n_cluster, 3);
	cr_assert_str_eq(ip_prefix_format(&o.masq.cluster[2], text, sizeof(text)), "10.250.0.0/16");
}

Test(options, data_subnets_rejected)
{
	char *cases[][5] = {
		{"slicenet-agent", "--data-subnet", "10.250.0.0/16", "--cluster-cidr",
		 "10.0.0.0/8"},
		{"slicenet-agent", "--data-subnet", "10.250.0.0/16/16", "--cluster-cidr",
		 "10.0.0.0/8"},
		{"slicenet-agent", "--data-subnet", "10.250.0.0/16/33", "--cluster-cidr",
		 "10.0.0.0/8"},
		{"slicenet-agent", "--data-subnet", "fd00::/48/64", "--cluster-cidr", "10.0.0.0/8"},
		{"slicenet-agent", "--data-subnet", "10.250.0.0/16/24x", "--cluster-cidr",
		 "10.0.0.0/8"},
		{"slicenet-agent", "--data-subnet", "10.250.0.0/16/24", "--cluster-cidr",
		 "fd00::/48"},
		{"slicenet-agent", "--data-uplink", "snup0", "--cluster-cidr", "10.0.0.0/8"},
	};

	setenv("NODE_NAME", "n", 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct agent_options o;
		struct error err = {0};

		cr_assert_lt(options_parse(5, cases[i], &o, &err), 0, "%s %s", cases[i][1],
			     cases[i][2]);
		cr_assert(strstr(err.msg, "--data-"), "%s", err.msg);
	}
	unsetenv("NODE_NAME");
}

Test(options, rejects_bad_values)
{
	char *cases[][3] = {
		{"slicenet-agent", "--mode", "bgp"},
		{"slicenet-agent", "--vxlan-port", "70000"},
		{"slicenet-agent", "--cluster-cidr", "10.0.0.0"},
		{"slicenet-agent", "--vxlan-device", "a-name-longer-than-ifnamsiz"},
		{"slicenet-agent", "--bogus", "x"},
	};

	setenv("NODE_NAME", "n", 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct agent_options o;
		struct error err = {0};

		cr_assert_lt(options_parse(3, cases[i], &o, &err), 0, "%s %s", cases[i][1],
			     cases[i][2]);
		cr_assert(err.msg[0]);
	}
	unsetenv("NODE_NAME");
	{
		char *argv[] = {"slicenet-agent", NULL};
		struct agent_options o;
		struct error err = {0};

		cr_assert_lt(options_parse(1, argv, &o, &err), 0);
		cr_assert(strstr(err.msg, "NODE_NAME"), "%s", err.msg);
	}
}

/* Secondary mode: no routing at all, and routing flags are refused, not ignored. */
Test(options, mode_none_routes_nothing)
{
	char *none[] = {"slicenet-agent", "--mode", "none", "--node-name", "n", NULL};
	char *routed[] = {"slicenet-agent", "--mode", "vxlan", "--node-name", "n", NULL};
	char *with_cidr[] = {"slicenet-agent", "--mode",      "none", "--cluster-cidr",
			     "10.244.0.0/16",  "--node-name", "n",    NULL};
	char *with_data[] = {"slicenet-agent",	 "--mode",	"none", "--data-subnet",
			     "10.250.0.0/16/24", "--node-name", "n",	NULL};
	char *uninstall[] = {"slicenet-agent", "--mode", "none", "--uninstall", NULL};
	char *on_stop[] = {"slicenet-agent", "--uninstall-on-stop", "--node-name", "n", NULL};
	struct agent_options o;
	struct error err = {0};

	unsetenv("NODE_NAME");
	cr_assert_eq(options_parse(5, none, &o, &err), 0, "%s", err.msg);
	cr_assert_not(o.routing);
	cr_assert_not(o.uninstall_on_stop);
	cr_assert_eq(options_parse(5, routed, &o, &err), 0, "%s", err.msg);
	cr_assert(o.routing);
	cr_assert_eq(o.mode, AGENT_MODE_VXLAN);
	memset(&err, 0, sizeof(err));
	cr_assert_lt(options_parse(7, with_cidr, &o, &err), 0);
	cr_assert(strstr(err.msg, "--mode none"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	cr_assert_lt(options_parse(7, with_data, &o, &err), 0);
	cr_assert(strstr(err.msg, "--mode none"), "%s", err.msg);
	/* Uninstall needs no node name and accepts none mode. */
	cr_assert_eq(options_parse(4, uninstall, &o, &err), 0, "%s", err.msg);
	cr_assert(o.uninstall);
	cr_assert_not(o.routing);
	cr_assert_eq(options_parse(4, on_stop, &o, &err), 0, "%s", err.msg);
	cr_assert(o.uninstall_on_stop);
	cr_assert_not(o.uninstall, "--uninstall-on-stop runs the agent first");
	cr_assert(o.routing, "the default mode routes");
}

Test(kube_config, in_cluster_env_ipv6_and_override)
{
	struct kube_config c;
	struct error err = {0};

	unsetenv("KUBERNETES_SERVICE_HOST");
	cr_assert_eq(kube_config_resolve(NULL, NULL, NULL, &c, &err), -ENXIO);
	setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	cr_assert_eq(kube_config_resolve(NULL, NULL, NULL, &c, &err), 0, "%s", err.msg);
	cr_assert_str_eq(c.server, "https://[fd00:10:96::1]:443");
	cr_assert_str_eq(c.token_file, KUBE_TOKEN_FILE);
	cr_assert_str_eq(c.ca_file, KUBE_CA_FILE);
	cr_assert_eq(kube_config_resolve("https://10.0.0.1:6443/", "/t", "/c", &c, &err), 0);
	cr_assert_str_eq(c.server, "https://10.0.0.1:6443");
	cr_assert_str_eq(c.token_file, "/t");
	cr_assert_lt(kube_config_resolve("http://10.0.0.1", NULL, NULL, &c, &err), 0);
}

Test(kube_config, token_trimmed_and_checked)
{
	char path[] = "/tmp/test_agent_token.XXXXXX", token[64];
	struct kube_config c = {0};
	struct error err = {0};
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	snprintf(c.token_file, sizeof(c.token_file), "%s", path);
	cr_assert_eq(write(fd, "  abc.def\n", 10), 10);
	cr_assert_eq(kube_config_read_token(&c, token, sizeof(token), &err), 0, "%s", err.msg);
	cr_assert_str_eq(token, "abc.def");
	cr_assert_eq(ftruncate(fd, 0), 0);
	cr_assert_eq(kube_config_read_token(&c, token, sizeof(token), &err), -ENODATA);
	cr_assert_eq(pwrite(fd, "a\r\nX-Evil: 1", 12, 0), 12);
	cr_assert_eq(kube_config_read_token(&c, token, sizeof(token), &err), -EINVAL);
	close(fd);
	unlink(path);
}
