/*
 * The SR-IOV topology as sysfs shows it: a PF netdev's virtual functions
 * (<root>/class/net/<pf>/device/virtfnN), each VF's PCI address, driver, NUMA
 * node and netdev (<root>/bus/pci/devices/<vf>/net/). The root is a parameter
 * so tests can walk a fake tree built in a temporary directory.
 */
#ifndef SLICENET_PLUGIN_SRIOV_SYSFS_H
#define SLICENET_PLUGIN_SRIOV_SYSFS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "plugin/cni/cni_error.h"

/* "0000:3b:02.1" is 12 characters; domains may be longer on some platforms. */
#define SRIOV_PCI_ADDR_MAX 32
#define SRIOV_DRIVER_MAX   64

struct sriov_sysfs_vf {
	char pf[IFNAMSIZ]; /* PF netdev; "" when found by address without one */
	char pf_pci[SRIOV_PCI_ADDR_MAX];
	unsigned int index; /* N of the PF's virtfnN link */
	char pci[SRIOV_PCI_ADDR_MAX];
	char driver[SRIOV_DRIVER_MAX]; /* "" when no driver is bound */
	char netdev[IFNAMSIZ];	       /* "" when sysfs shows none (vfio, or another netns) */
	int numa_node;		       /* -1 when unknown */
	int iommu_group;	       /* -1 when none */
};

/*
 * How many VFs the PF has enabled (sriov_numvfs). -ENODEV naming the PF when
 * <root>/class/net/<pf> does not exist, -EOPNOTSUPP when it has no SR-IOV.
 */
int sriov_sysfs_num_vfs(const char *root, const char *pf, unsigned int *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/* VF index of pf. -ENOENT naming it when the PF has no such VF. */
int sriov_sysfs_vf(const char *root, const char *pf, unsigned int index, struct sriov_sysfs_vf *out,
		   struct cni_error *err) __attribute__((warn_unused_result));

/*
 * The VF at PCI address pci (a device plugin's deviceID), its PF through the
 * physfn link. -ENOENT naming it when no such device exists, -EINVAL when
 * it is not a virtual function.
 */
int sriov_sysfs_vf_by_pci(const char *root, const char *pci, struct sriov_sysfs_vf *out,
			  struct cni_error *err) __attribute__((warn_unused_result));

/* Drivers that hand the VF to a userspace (DPDK) application instead of a netdev. */
bool sriov_sysfs_driver_is_dpdk(const char *driver);

/*
 * NUMA nodes whose CPUs intersect cpulist ("0-3,8"), as a bit mask of node
 * numbers below 64, from <root>/devices/system/node/nodeN/cpulist. 0 when
 * cpulist is empty or the nodes cannot be read (no preference then).
 */
unsigned long long sriov_sysfs_numa_nodes_of(const char *root, const char *cpulist);

#endif
