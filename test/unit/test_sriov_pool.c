/* VF reservations: records, lookups, and concurrent processes never sharing a VF. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin/datapath/sriov_pool.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tsr-pool.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

TestSuite(sriov_pool, .init = setup, .fini = teardown);

static struct sriov_reservation record(const char *pci, const char *id)
{
	struct sriov_reservation r = {0};

	snprintf(r.pci, sizeof(r.pci), "%s", pci);
	strcpy(r.pf, "tsrpf0");
	r.vf_index = 3;
	snprintf(r.container_id, sizeof(r.container_id), "%s", id);
	strcpy(r.ifname, "eth0");
	strcpy(r.orig_name, "tsrpf0v3");
	memcpy(r.orig_mac, "\x02\x01\x02\x03\x04\x05", 6);
	r.have_orig_mac = true;
	r.orig_mtu = 9000;
	r.orig_vf.set = SRIOV_VF_VLAN | SRIOV_VF_TRUST;
	r.orig_vf.vlan = 12;
	r.orig_vf.trust = true;
	return r;
}

Test(sriov_pool, reserve_load_find_release)
{
	struct sriov_reservation r = record("0000:5e:01.3", "ctr-a"), got;
	struct cni_error err = {0};
	int lock = sriov_pool_lock(dir, &err);

	cr_assert_geq(lock, 0, "%s", err.msg);
	cr_assert_eq(sriov_pool_reserve(dir, &r, &err), 0, "%s", err.msg);
	cr_assert(sriov_pool_is_reserved(dir, "0000:5e:01.3"));
	cr_assert_eq(sriov_pool_load(dir, "0000:5e:01.3", &got, &err), 0, "%s", err.msg);
	cr_assert_eq(memcmp(&got, &r, sizeof(r)), 0, "record does not round-trip");
	cr_assert_eq(sriov_pool_find(dir, "ctr-a", "eth0", &got, &err), 0);
	cr_assert_str_eq(got.pci, "0000:5e:01.3");
	cr_assert_eq(sriov_pool_find(dir, "ctr-b", "eth0", &got, &err), -ENOENT);
	cr_assert_eq(sriov_pool_release(dir, "0000:5e:01.3", &err), 0);
	cr_assert_eq(sriov_pool_release(dir, "0000:5e:01.3", &err), 0, "release is idempotent");
	cr_assert_eq(sriov_pool_load(dir, "0000:5e:01.3", &got, &err), -ENOENT);
	cr_assert_eq(err.code, 0, "absence is not an error: %s", err.msg);
	sriov_pool_unlock(lock);
}

Test(sriov_pool, second_reservation_names_the_holder)
{
	struct sriov_reservation a = record("0000:5e:01.1", "ctr-a"),
				 b = record("0000:5e:01.1", "ctr-b");
	struct cni_error err = {0};

	cr_assert_eq(sriov_pool_reserve(dir, &a, &err), 0, "%s", err.msg);
	cr_assert_eq(sriov_pool_reserve(dir, &b, &err), -EBUSY);
	cr_assert(strstr(err.msg, "0000:5e:01.1") && strstr(err.msg, "ctr-a"), "%s", err.msg);
}

Test(sriov_pool, bad_pci_and_corrupt_record)
{
	struct sriov_reservation r = record("../escape", "ctr-a"), got;
	struct cni_error err = {0};
	char path[128];
	FILE *f;

	cr_assert_eq(sriov_pool_reserve(dir, &r, &err), -EINVAL);
	cr_assert(strstr(err.msg, "../escape"), "%s", err.msg);
	snprintf(path, sizeof(path), "%s/0000:5e:01.7.json", dir);
	f = fopen(path, "w");
	fputs("{not json", f);
	fclose(f);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sriov_pool_load(dir, "0000:5e:01.7", &got, &err), -EINVAL);
	cr_assert(strstr(err.msg, path), "%s", err.msg);
	cr_assert_eq(sriov_pool_find(dir, "ctr-a", "eth0", &got, &err), -ENOENT,
		     "a corrupt record is skipped by find");
}

#define VFS   4
#define PROCS 12

/* What sriov.c does per ADD: lock, take the first VF not reserved, unlock. */
static int child(int n)
{
	struct cni_error err = {0};
	char pci[32], id[32];
	int lock = sriov_pool_lock(dir, &err);

	if (lock < 0)
		return 2;
	snprintf(id, sizeof(id), "ctr-%d", n);
	for (int i = 0; i < VFS; i++) {
		struct sriov_reservation r;

		snprintf(pci, sizeof(pci), "0000:5e:01.%d", i);
		if (sriov_pool_is_reserved(dir, pci))
			continue;
		r = record(pci, id);
		usleep(2000); /* widen the window a missing lock would leave open */
		if (sriov_pool_reserve(dir, &r, &err) < 0)
			return 3;
		sriov_pool_unlock(lock);
		return 0;
	}
	sriov_pool_unlock(lock);
	return 1;
}

Test(sriov_pool, concurrent_processes_never_share_a_vf)
{
	int got = 0, none = 0, status;
	pid_t pids[PROCS];

	for (int n = 0; n < PROCS; n++) {
		pids[n] = fork();
		cr_assert_geq(pids[n], 0);
		if (pids[n] == 0)
			_exit(child(n));
	}
	for (int n = 0; n < PROCS; n++) {
		cr_assert_eq(waitpid(pids[n], &status, 0), pids[n]);
		cr_assert(WIFEXITED(status));
		cr_assert_lt(WEXITSTATUS(status), 2, "child %d: exit %d (a VF taken twice?)", n,
			     WEXITSTATUS(status));
		if (WEXITSTATUS(status) == 0)
			got++;
		else
			none++;
	}
	cr_assert_eq(got, VFS);
	cr_assert_eq(none, PROCS - VFS);
	for (int i = 0; i < VFS; i++) {
		char pci[32];

		snprintf(pci, sizeof(pci), "0000:5e:01.%d", i);
		cr_assert(sriov_pool_is_reserved(dir, pci));
	}
}
