/* VF choice over a fake /sys and cgroup tree: NUMA preference, reservations, mode. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/datapath/sriov_internal.h"
#include "plugin/datapath/sriov_pool.h"

static char root[64];
static struct sriov_conf conf;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* PF tscpf0 with 4 vfio-pci VFs, NUMA nodes 0,1,0,1; node0 = CPUs 0-3, node1 = 4-7. */
static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/tsc-sysfs.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	sh("cd %s && mkdir -p class/net/tscpf0 bus/pci/drivers/vfio-pci kernel/iommu_groups/7 "
	   "bus/pci/devices/0000:6e:00.0/net/tscpf0 devices/system/node/node0 "
	   "devices/system/node/node1 cgroup/kubepods.slice/kubepods-podaa_bb.slice pool && "
	   "ln -s ../../../bus/pci/devices/0000:6e:00.0 class/net/tscpf0/device && "
	   "echo 4 > bus/pci/devices/0000:6e:00.0/sriov_numvfs && "
	   "echo 0-3 > devices/system/node/node0/cpulist && "
	   "echo 4-7 > devices/system/node/node1/cpulist && "
	   "echo 5-6 > cgroup/kubepods.slice/kubepods-podaa_bb.slice/cpuset.cpus.effective",
	   root);
	for (int i = 0; i < 4; i++)
		sh("cd %s/bus/pci/devices && mkdir -p 0000:6e:01.%d && "
		   "ln -s ../0000:6e:01.%d 0000:6e:00.0/virtfn%d && "
		   "ln -s ../0000:6e:00.0 0000:6e:01.%d/physfn && echo %d > "
		   "0000:6e:01.%d/numa_node "
		   "&& cd 0000:6e:01.%d && ln -s ../../drivers/vfio-pci driver && "
		   "ln -s ../../../kernel/iommu_groups/7 iommu_group",
		   root, i, i, i, i, i % 2, i, i);
	memset(&conf, 0, sizeof(conf));
	strcpy(conf.pfs[0], "tscpf0");
	conf.n_pfs = 1;
	conf.mode = SRIOV_MODE_ANY;
	snprintf(conf.sysfs_root, sizeof(conf.sysfs_root), "%s", root);
	snprintf(conf.cgroup_root, sizeof(conf.cgroup_root), "%s/cgroup", root);
	snprintf(conf.pool_dir, sizeof(conf.pool_dir), "%s/pool", root);
}

static void teardown(void)
{
	sh("rm -rf %s", root);
}

TestSuite(sriov_choose, .init = setup, .fini = teardown);

static const char *pick(unsigned long long numa)
{
	static struct sriov_sysfs_vf vf;
	static char why[256];

	if (sriov_pick(&conf, numa, &vf, why, sizeof(why)))
		return why;
	return vf.pci;
}

Test(sriov_choose, pod_cpuset_prefers_its_numa_node)
{
	struct attachment att = {0};
	unsigned long long numa;

	strcpy(att.pod_uid, "aa-bb"); /* the systemd driver spells dashes as underscores */
	numa = sriov_pod_numa_nodes(&conf, &att);
	cr_assert_eq(numa, 1ULL << 1, "CPUs 5-6 are on node 1");
	cr_assert_str_eq(pick(numa), "0000:6e:01.1");
	cr_assert_str_eq(pick(0), "0000:6e:01.0", "no preference: the first free VF");
	att.pod_uid[0] = '\0';
	cr_assert_eq(sriov_pod_numa_nodes(&conf, &att), 0, "no pod UID, no preference");
	strcpy(att.pod_uid, "../../etc");
	cr_assert_eq(sriov_pod_numa_nodes(&conf, &att), 0, "a UID that is a path is ignored");
}

Test(sriov_choose, reserved_vfs_are_skipped)
{
	struct sriov_reservation r = {.vf_index = 1};
	struct cni_error err = {0};

	strcpy(r.pci, "0000:6e:01.1");
	strcpy(r.pf, "tscpf0");
	strcpy(r.container_id, "holder");
	strcpy(r.ifname, "net1");
	cr_assert_eq(sriov_pool_reserve(conf.pool_dir, &r, &err), 0, "%s", err.msg);
	cr_assert_str_eq(pick(1ULL << 1), "0000:6e:01.3", "the next VF on the pod's node");
	cr_assert_lt(sriov_pool_reserve(conf.pool_dir, &r, &err), 0, "reserved twice");
	cr_assert(strstr(err.msg, "in use by holder/net1"), "%s", err.msg);
}

Test(sriov_choose, mode_filters_and_explains)
{
	struct sriov_sysfs_vf vf;
	struct cni_error err = {0};

	conf.mode = SRIOV_MODE_NETDEV;
	cr_assert(strstr(pick(0), "no free VF on the configured PFs"), "%s", pick(0));
	strcpy(conf.device_id, "0000:6e:01.2");
	cr_assert_lt(sriov_given(&conf, &vf, &err), 0);
	cr_assert(strstr(err.msg, "not fit for mode netdev"), "%s", err.msg);
	conf.mode = SRIOV_MODE_DPDK;
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sriov_given(&conf, &vf, &err), 0, "%s", err.msg);
	cr_assert_eq(vf.numa_node, 0);
	conf.n_pfs = 0;
	cr_assert(strstr(pick(0), "no PF configured"), "%s", pick(0));
}
