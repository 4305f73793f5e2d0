/* The sysfs walk over a fake tree laid out as the kernel lays out /sys. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/datapath/sriov_sysfs.h"

static char root[64];

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

/* PF tsrpf0 at 0000:5e:00.0 with 3 VFs: 0,1 iavf (netdevs), 2 vfio-pci. */
static void setup(void)
{
	const char *d;

	snprintf(root, sizeof(root), "/tmp/tsr-sysfs.XXXXXX");
	cr_assert_not_null(mkdtemp(root));
	d = root;
	sh("cd %s && mkdir -p class/net/tsrpf0 bus/pci/drivers/iavf bus/pci/drivers/vfio-pci "
	   "kernel/iommu_groups/41 bus/pci/devices/0000:5e:00.0/net/tsrpf0 "
	   "devices/system/node/node0 devices/system/node/node1 class/net/tsrplain",
	   d);
	sh("cd %s && ln -s ../../../bus/pci/devices/0000:5e:00.0 class/net/tsrpf0/device && "
	   "echo 3 > bus/pci/devices/0000:5e:00.0/sriov_numvfs && "
	   "echo 0-3 > devices/system/node/node0/cpulist && "
	   "echo 4-7 > devices/system/node/node1/cpulist",
	   d);
	for (int i = 0; i < 3; i++) {
		sh("cd %s/bus/pci/devices && mkdir -p 0000:5e:01.%d && "
		   "ln -s ../0000:5e:01.%d 0000:5e:00.0/virtfn%d && "
		   "ln -s ../0000:5e:00.0 0000:5e:01.%d/physfn && echo %d > "
		   "0000:5e:01.%d/numa_node",
		   d, i, i, i, i, i % 2, i);
		if (i < 2)
			sh("cd %s/bus/pci/devices/0000:5e:01.%d && ln -s ../../drivers/iavf driver "
			   "&& "
			   "mkdir -p net/tsrpf0v%d",
			   d, i, i);
		else
			sh("cd %s/bus/pci/devices/0000:5e:01.%d && ln -s ../../drivers/vfio-pci "
			   "driver "
			   "&& ln -s ../../../kernel/iommu_groups/41 iommu_group",
			   d, i);
	}
}

static void teardown(void)
{
	sh("rm -rf %s", root);
}

TestSuite(sriov_sysfs, .init = setup, .fini = teardown);

Test(sriov_sysfs, num_vfs_and_missing_pf)
{
	struct cni_error err = {0};
	unsigned int n = 0;

	cr_assert_eq(sriov_sysfs_num_vfs(root, "tsrpf0", &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 3);
	cr_assert_eq(sriov_sysfs_num_vfs(root, "tsrnope", &n, &err), -ENODEV);
	cr_assert(strstr(err.msg, "tsrnope"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sriov_sysfs_num_vfs(root, "tsrplain", &n, &err), -EOPNOTSUPP);
	cr_assert(strstr(err.msg, "not an SR-IOV PF"), "%s", err.msg);
}

Test(sriov_sysfs, netdev_vf)
{
	struct cni_error err = {0};
	struct sriov_sysfs_vf vf;

	cr_assert_eq(sriov_sysfs_vf(root, "tsrpf0", 1, &vf, &err), 0, "%s", err.msg);
	cr_assert_str_eq(vf.pci, "0000:5e:01.1");
	cr_assert_str_eq(vf.pf_pci, "0000:5e:00.0");
	cr_assert_str_eq(vf.pf, "tsrpf0");
	cr_assert_str_eq(vf.driver, "iavf");
	cr_assert_str_eq(vf.netdev, "tsrpf0v1");
	cr_assert_eq(vf.numa_node, 1);
	cr_assert_eq(vf.iommu_group, -1);
	cr_assert_not(sriov_sysfs_driver_is_dpdk(vf.driver));
	cr_assert_eq(sriov_sysfs_vf(root, "tsrpf0", 7, &vf, &err), -ENOENT);
}

Test(sriov_sysfs, dpdk_vf_by_pci)
{
	struct cni_error err = {0};
	struct sriov_sysfs_vf vf;

	cr_assert_eq(sriov_sysfs_vf_by_pci(root, "0000:5e:01.2", &vf, &err), 0, "%s", err.msg);
	cr_assert_eq(vf.index, 2);
	cr_assert_str_eq(vf.pf, "tsrpf0");
	cr_assert_str_eq(vf.pf_pci, "0000:5e:00.0");
	cr_assert_str_eq(vf.driver, "vfio-pci");
	cr_assert_str_eq(vf.netdev, "");
	cr_assert_eq(vf.iommu_group, 41);
	cr_assert(sriov_sysfs_driver_is_dpdk(vf.driver));
}

Test(sriov_sysfs, bad_device_ids)
{
	struct cni_error err = {0};
	struct sriov_sysfs_vf vf;

	cr_assert_eq(sriov_sysfs_vf_by_pci(root, "0000:99:00.0", &vf, &err), -ENOENT);
	cr_assert(strstr(err.msg, "0000:99:00.0"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sriov_sysfs_vf_by_pci(root, "0000:5e:00.0", &vf, &err), -EINVAL);
	cr_assert(strstr(err.msg, "not a virtual function"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sriov_sysfs_vf_by_pci(root, "../../etc", &vf, &err), -EINVAL);
}

Test(sriov_sysfs, numa_nodes_of_cpus)
{
	cr_assert_eq(sriov_sysfs_numa_nodes_of(root, "2"), 1ULL);
	cr_assert_eq(sriov_sysfs_numa_nodes_of(root, "5-6"), 2ULL);
	cr_assert_eq(sriov_sysfs_numa_nodes_of(root, "0,7"), 3ULL);
	cr_assert_eq(sriov_sysfs_numa_nodes_of(root, ""), 0ULL);
	cr_assert_eq(sriov_sysfs_numa_nodes_of(root, "3-x"), 0ULL);
	cr_assert_eq(sriov_sysfs_numa_nodes_of(root, "64-70"), 0ULL);
}
