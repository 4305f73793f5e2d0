#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin/cni/cni_result.h"
#include "plugin/state.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/slicenet-state-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void make(struct attachment *att, const char *id, const char *ifname)
{
	memset(att, 0, sizeof(*att));
	cni_result_init(&att->result);
	strcpy(att->container_id, id);
	strcpy(att->ifname, ifname);
	strcpy(att->network, "net1");
	strcpy(att->netns, "/run/netns/x");
	strcpy(att->slice, "embb");
	strcpy(att->datapath, "veth");
	strcpy(att->host_ifname, "sn0011223344aa");
	strcpy(att->ipam_type, "slicenet-ipam");
	strcpy(att->result.interfaces[0].name, ifname);
	att->result.n_interfaces = 1;
	cr_assert_eq(ip_prefix_parse("10.0.0.2/24", &att->result.ips[0].address), 0);
	att->result.ips[0].interface = 0;
	att->result.n_ips = 1;
}

Test(state, save_load_remove, .init = setup, .fini = teardown)
{
	struct attachment att, back;
	struct cni_error err = {0};
	char buf[IP_PREFIX_STRLEN];

	make(&att, "c1", "eth0");
	cr_assert_eq(state_save(dir, &att, &err), 0, "%s", err.msg);
	cr_assert_eq(state_load(dir, "net1", "c1", "eth0", &back, &err), 0, "%s", err.msg);
	cr_assert_str_eq(back.datapath, "veth");
	cr_assert_str_eq(back.host_ifname, "sn0011223344aa");
	cr_assert_str_eq(ip_prefix_format(&back.result.ips[0].address, buf, sizeof(buf)),
			 "10.0.0.2/24");
	cr_assert_eq(state_remove(dir, "net1", "c1", "eth0", &err), 0);
	cr_assert_eq(state_load(dir, "net1", "c1", "eth0", &back, &err), -ENOENT);
	cr_assert_eq(err.code, 0, "a missing record is not an error");
	cr_assert_eq(state_remove(dir, "net1", "c1", "eth0", &err), 0, "remove is idempotent");
}

Test(state, claim_is_exclusive_and_update_rewrites_in_place, .init = setup, .fini = teardown)
{
	struct attachment att, back;
	struct cni_error err = {0};
	struct stat before, after;
	char path[256];

	make(&att, "c1", "eth0");
	att.result.n_ips = 0;
	cr_assert_eq(state_claim(dir, &att, &err), 0, "%s", err.msg);
	cr_assert_eq(state_claim(dir, &att, &err), -EEXIST);
	cr_assert_eq(err.code, 0, "a taken name is no error message");
	snprintf(path, sizeof(path), "%s/net1/c1:eth0.json", dir);
	cr_assert_eq(stat(path, &before), 0);

	/* Longer, then shorter than what is on disk: both read back whole. */
	att.result.n_ips = 1;
	cr_assert_eq(state_update(dir, &att, &err), 0, "%s", err.msg);
	cr_assert_eq(state_load(dir, "net1", "c1", "eth0", &back, &err), 0, "%s", err.msg);
	cr_assert_eq(back.result.n_ips, 1);
	att.result.n_ips = 0;
	att.host_ifname[0] = '\0';
	cr_assert_eq(state_update(dir, &att, &err), 0, "%s", err.msg);
	cr_assert_eq(state_load(dir, "net1", "c1", "eth0", &back, &err), 0, "%s", err.msg);
	cr_assert_eq(back.result.n_ips, 0);
	cr_assert_str_eq(back.host_ifname, "");
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_eq(before.st_ino, after.st_ino, "rewritten in place, not renamed over");

	/* A symlink under the record's name is taken, and never written through. */
	make(&att, "c2", "eth0");
	snprintf(path, sizeof(path), "%s/net1/c2:eth0.json", dir);
	cr_assert_eq(symlink("/tmp/slicenet-state-nowhere", path), 0);
	cr_assert_eq(state_claim(dir, &att, &err), -EEXIST);
	cr_assert_lt(state_update(dir, &att, &err), 0);
	cr_assert_eq(access("/tmp/slicenet-state-nowhere", F_OK), -1);
}

static int count(const struct attachment *att, bool ok, void *arg)
{
	int *n = arg;

	n[ok ? 0 : 1]++;
	if (!ok)
		cr_assert_str_eq(att->container_id, "broken");
	return 0;
}

Test(state, foreach_reports_corrupt_records_by_name, .init = setup, .fini = teardown)
{
	struct attachment att;
	struct cni_error err = {0};
	char path[256];
	FILE *f;
	int n[2] = {0, 0};

	make(&att, "c1", "eth0");
	cr_assert_eq(state_save(dir, &att, &err), 0);
	make(&att, "c2", "net1");
	cr_assert_eq(state_save(dir, &att, &err), 0);
	snprintf(path, sizeof(path), "%s/net1/broken:eth0.json", dir);
	f = fopen(path, "w");
	fputs("{\"containerID\": tor", f);
	fclose(f);
	cr_assert_eq(state_foreach(dir, "net1", count, n, &err), 0, "%s", err.msg);
	cr_assert_eq(n[0], 2);
	cr_assert_eq(n[1], 1);
	cr_assert_lt(state_load(dir, "net1", "broken", "eth0", &att, &err), 0);
	cr_assert(strstr(err.msg, "corrupt"), "%s", err.msg);
}

Test(state, lock_excludes_other_processes, .init = setup, .fini = teardown)
{
	struct cni_error err = {0};
	int fd = state_lock(dir, "net1", &err), status;
	pid_t child;

	cr_assert_geq(fd, 0, "%s", err.msg);
	child = fork();
	if (child == 0) {
		char path[128];
		int other;

		snprintf(path, sizeof(path), "%s/net1/lock", dir);
		other = open(path, O_RDWR);
		/* The parent holds the lock: a non-blocking attempt must fail. */
		_exit(flock(other, LOCK_EX | LOCK_NB) == 0 ? 1 : 0);
	}
	waitpid(child, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	state_unlock(fd);
}
