/*
 * What the pod learns about its VF from files: the NPWG Device Information
 * Spec file (type "pci") at the runtime's CNIDeviceInfoFile, which Multus
 * copies into the pod's network-status, and in DPDK mode a descriptor that
 * tells the pod's DPDK application which device and addresses are its own.
 */
#ifndef SLICENET_PLUGIN_SRIOV_DEVINFO_H
#define SLICENET_PLUGIN_SRIOV_DEVINFO_H

#include <stddef.h>

#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/datapath/sriov_sysfs.h"

/*
 * Write {"type":"pci","version":"1.1.0","pci":{"pci-address",
 * "pf-pci-address"}} to path. The spec lets a device plugin write it first:
 * an existing file is left as it is.
 */
int sriov_devinfo_write(const char *path, const struct sriov_sysfs_vf *vf, struct cni_error *err)
	__attribute__((warn_unused_result));

/* <dir>/<container id>-<ifname>.json; -ENAMETOOLONG when it does not fit. */
int sriov_descriptor_path(const char *dir, const char *container_id, const char *ifname, char *out,
			  size_t size, struct cni_error *err) __attribute__((warn_unused_result));

/*
 * The DPDK-mode descriptor: device, driver, VFIO group, NUMA node, the
 * interface's addresses, gateways and routes from result. Written to a
 * temporary file and renamed, so a reader never sees half of it.
 */
int sriov_descriptor_write(const char *path, const struct sriov_sysfs_vf *vf, const char *ifname,
			   const struct cni_result *result, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Remove a file written above; 0 also when it is not there. */
int sriov_devinfo_remove(const char *path, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
