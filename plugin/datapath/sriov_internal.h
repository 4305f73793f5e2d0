/* Private to the sriov datapath: VF choice and CHECK, each in its own file. */
#ifndef SLICENET_PLUGIN_DATAPATH_SRIOV_INTERNAL_H
#define SLICENET_PLUGIN_DATAPATH_SRIOV_INTERNAL_H

#include <stddef.h>

#include "plugin/attachment.h"
#include "plugin/datapath/datapath.h"
#include "plugin/datapath/sriov_conf.h"
#include "plugin/datapath/sriov_sysfs.h"

/*
 * The NUMA nodes (bit mask) of the pod's cpuset, read from its cgroup below
 * conf->cgroup_root (systemd and cgroupfs layouts); 0 = no preference.
 */
unsigned long long sriov_pod_numa_nodes(const struct sriov_conf *conf,
					const struct attachment *att);

/*
 * A free VF of the configured PFs: not reserved, of the wanted mode, and at
 * home. One on a node of numa wins; else the first found. -ENOSPC with why
 * filled when there is none.
 */
int sriov_pick(const struct sriov_conf *conf, unsigned long long numa, struct sriov_sysfs_vf *out,
	       char *why, size_t why_size) __attribute__((warn_unused_result));

/* conf->device_id's VF, checked for mode and whereabouts. */
int sriov_given(const struct sriov_conf *conf, struct sriov_sysfs_vf *out, struct cni_error *err)
	__attribute__((warn_unused_result));

int sriov_check(const struct datapath_context *ctx, const struct attachment *att,
		const struct cni_result *expected, struct cni_error *err);

#endif
