/* Port table persistence and the daemon config file. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/state.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/sn-state-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(state, .init = setup, .fini = teardown);

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(state, missing_file_is_empty_table)
{
	struct ctl_port_spec *specs;
	size_t n = 7;

	cr_assert_eq(state_load(dir, &specs, &n), 0);
	cr_assert_eq(n, 0);
	free(specs);
}

Test(state, save_then_load)
{
	struct ctl_port_spec in[3], *out;
	size_t n;
	char tmp[128];

	for (int i = 0; i < 3; i++) {
		ctl_port_spec_init(&in[i]);
		snprintf(in[i].name, sizeof(in[i].name), "pod%d/net1", i);
		snprintf(in[i].socket, sizeof(in[i].socket), "/run/slicenet/ports/p%d.sock", i);
	}
	in[1].mode = CTL_MODE_SERVER;
	in[2].has_mac = true;
	in[2].mac[0] = 2;
	in[2].mac[5] = 9;
	in[2].n_addresses = 1;
	strcpy(in[2].addresses[0], "10.0.0.9/24");
	cr_assert_eq(state_save(dir, in, 3), 0);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, STATE_FILE);
	cr_assert_neq(access(tmp, F_OK), 0, "temporary file left behind");
	cr_assert_eq(state_load(dir, &out, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
	free(out);
	/* Saving fewer ports replaces the file, it does not append. */
	cr_assert_eq(state_save(dir, in, 1), 0);
	cr_assert_eq(state_load(dir, &out, &n), 0);
	cr_assert_eq(n, 1);
	free(out);
}

Test(state, bad_lines_are_skipped)
{
	struct ctl_port_spec *out;
	size_t n;

	write_file(STATE_FILE, "{\"name\":\"a\",\"socket\":\"/a.sock\"}\n"
			       "not json\n"
			       "\n"
			       "{\"name\":\"b\",\"socket\":\"/b.sock\",\"bogus\":1}\n"
			       "{\"name\":\"c\",\"socket\":\"/c.sock\",\"mode\":\"server\"}\n");
	cr_assert_eq(state_load(dir, &out, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(out[0].name, "a");
	cr_assert_str_eq(out[1].name, "c");
	free(out);
}

Test(state, unwritable_dir_fails)
{
	struct ctl_port_spec spec;

	ctl_port_spec_init(&spec);
	cr_assert_lt(state_save("/nonexistent/dir", &spec, 1), 0);
}

Test(state, config_file)
{
	struct daemon_config cfg;
	char path[128], msg[256];

	config_defaults(&cfg);
	cr_assert_str_eq(cfg.ctl_socket, "/run/slicenet/slicenetd.sock");
	write_file("c.json", "{\"stateDir\":\"/x\",\"fdbAgingTime\":60,\"uplink\":\"tap:sn0\","
			     "\"controlGroup\":\"slicenet\"}");
	snprintf(path, sizeof(path), "%s/c.json", dir);
	cr_assert_eq(config_load(path, &cfg, msg, sizeof(msg)), 0, "%s", msg);
	cr_assert_str_eq(cfg.state_dir, "/x");
	cr_assert_eq(cfg.fdb_aging, 60);
	cr_assert_eq(cfg.uplink, UPLINK_TAP);
	cr_assert_str_eq(cfg.uplink_iface, "sn0");
	cr_assert_str_eq(cfg.ctl_group, "slicenet");

	write_file("c.json", "{\"stateDri\":\"/x\"}");
	cr_assert_eq(config_load(path, &cfg, msg, sizeof(msg)), -EINVAL);
	cr_assert(strstr(msg, "unknown key \"stateDri\"") && strstr(msg, "c.json"), "%s", msg);
	write_file("c.json", "{\"fdbAgingTime\":0}");
	cr_assert_eq(config_load(path, &cfg, msg, sizeof(msg)), -EINVAL);
}

Test(state, uplink_spec)
{
	struct daemon_config cfg;
	char msg[128];

	config_defaults(&cfg);
	cr_assert_eq(config_set_uplink(&cfg, "af_packet:eth0", msg, sizeof(msg)), 0);
	cr_assert_eq(cfg.uplink, UPLINK_AF_PACKET);
	cr_assert_eq(config_set_uplink(&cfg, "none", msg, sizeof(msg)), 0);
	cr_assert_eq(cfg.uplink, UPLINK_NONE);
	cr_assert_eq(config_set_uplink(&cfg, "xdp:eth0", msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(config_set_uplink(&cfg, "tap:", msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(config_set_uplink(&cfg, "tap:averyveryverylongname", msg, sizeof(msg)),
		     -EINVAL);
}
