/*
 * Which VF a pod gets: the device plugin's deviceID when there is one, else a
 * free VF of the configured PFs, preferring the NUMA nodes of the pod's cpuset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/datapath/pod_check.h"
#include "plugin/datapath/sriov_conf.h"
#include "plugin/datapath/sriov_devinfo.h"
#include "plugin/datapath/sriov_internal.h"
#include "plugin/datapath/sriov_pool.h"
#include "plugin/datapath/sriov_sysfs.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netns.h"
#include "plugin/util/log.h"

static bool sriov_mode_fits(const struct sriov_conf *conf, const struct sriov_sysfs_vf *vf)
{
	bool dpdk = sriov_sysfs_driver_is_dpdk(vf->driver);

	if (conf->mode == SRIOV_MODE_DPDK)
		return dpdk;
	if (conf->mode == SRIOV_MODE_NETDEV)
		return !dpdk;
	return true;
}

/*
 * A kernel-driver VF is free only while its netdev is in the host netns:
 * one that sysfs does not show, or that the host has no link for, was moved
 * into some other netns by someone (another CNI, a device plugin's pod).
 */
static bool sriov_netdev_at_home(const struct sriov_sysfs_vf *vf)
{
	return vf->netdev[0] && if_nametoindex(vf->netdev) > 0;
}

/*
 * The pod's cpuset, to prefer VFs on its NUMA node. Kubelet creates the pod
 * cgroup before the sandbox, so it is there at ADD (systemd and cgroupfs
 * drivers, cgroup v2); without it there is simply no preference.
 */
unsigned long long sriov_pod_numa_nodes(const struct sriov_conf *conf, const struct attachment *att)
{
	static const char *const fmt[] = {
		"%s/kubepods.slice/kubepods-pod%s.slice/cpuset.cpus.effective",
		"%s/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod%s.slice/"
		"cpuset.cpus.effective",
		"%s/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice/"
		"cpuset.cpus.effective",
		"%s/kubepods/pod%s/cpuset.cpus.effective",
		"%s/kubepods/burstable/pod%s/cpuset.cpus.effective",
		"%s/kubepods/besteffort/pod%s/cpuset.cpus.effective",
	};
	char uid[CNI_ARGS_VALUE_MAX], path[PATH_MAX], cpus[1024];

	if (!att->pod_uid[0] || strchr(att->pod_uid, '/'))
		return 0;
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		const char *u = att->pod_uid;
		ssize_t n;
		int fd;

		/* The systemd driver spells the uid's dashes as underscores. */
		snprintf(uid, sizeof(uid), "%s", u);
		if (i < 3)
			for (char *p = uid; *p; p++)
				*p = *p == '-' ? '_' : *p;
		if (snprintf(path, sizeof(path), fmt[i], conf->cgroup_root, uid) >=
		    (int)sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, cpus, sizeof(cpus) - 1);
		close(fd);
		if (n <= 0)
			continue;
		cpus[n] = '\0';
		cpus[strcspn(cpus, "\n")] = '\0';
		return sriov_sysfs_numa_nodes_of(conf->sysfs_root, cpus);
	}
	return 0;
}

/*
 * A free VF of the configured PFs: not reserved, of the wanted mode, and at
 * home. One on the pod's NUMA nodes wins; else the first found. -ENOSPC
 * with why filled when there is none.
 */
int sriov_pick(const struct sriov_conf *conf, unsigned long long numa, struct sriov_sysfs_vf *out,
	       char *why, size_t why_size)
{
	bool have = false;
	size_t used = 0;

	why[0] = '\0';
	if (!conf->n_pfs) {
		snprintf(why, why_size, "no PF configured (sriov.pfs)");
		return -ENOENT;
	}
	for (unsigned int p = 0; p < conf->n_pfs; p++) {
		struct cni_error err = {0};
		unsigned int n = 0;

		if (sriov_sysfs_num_vfs(conf->sysfs_root, conf->pfs[p], &n, &err) < 0) {
			if (used < why_size)
				used += (size_t)snprintf(why + used, why_size - used, "%s%s",
							 used ? "; " : "", err.msg);
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			struct sriov_sysfs_vf vf;

			memset(&err, 0, sizeof(err));
			if (sriov_sysfs_vf(conf->sysfs_root, conf->pfs[p], i, &vf, &err) < 0 ||
			    sriov_pool_is_reserved(conf->pool_dir, vf.pci) ||
			    !sriov_mode_fits(conf, &vf))
				continue;
			if (!sriov_sysfs_driver_is_dpdk(vf.driver) && !sriov_netdev_at_home(&vf))
				continue;
			if (numa && vf.numa_node >= 0 && vf.numa_node < 64 &&
			    (numa & (1ULL << vf.numa_node))) {
				*out = vf;
				return 0;
			}
			if (!have)
				*out = vf;
			have = true;
		}
	}
	if (have)
		return 0;
	if (used < why_size)
		snprintf(why + used, why_size - used, "%sno free VF on the configured PFs",
			 used ? "; " : "");
	return -ENOSPC;
}

/* The deviceID's VF, checked for mode and whereabouts. */
int sriov_given(const struct sriov_conf *conf, struct sriov_sysfs_vf *out, struct cni_error *err)
{
	int ret;

	ret = sriov_sysfs_vf_by_pci(conf->sysfs_root, conf->device_id, out, err);
	if (ret < 0)
		return ret;
	if (!sriov_mode_fits(conf, out))
		return cni_error_set(err, CNI_ERR_DATAPATH, EINVAL,
				     "sriov: deviceID %s has driver \"%s\", not fit for mode %s",
				     out->pci, out->driver,
				     conf->mode == SRIOV_MODE_DPDK ? "dpdk" : "netdev");
	if (!sriov_sysfs_driver_is_dpdk(out->driver) && !sriov_netdev_at_home(out))
		return cni_error_set(err, CNI_ERR_DATAPATH, EBUSY,
				     "sriov: deviceID %s has no netdev in the host netns (%s): it "
				     "is in another netns or unbound",
				     out->pci, out->netdev[0] ? out->netdev : "none in sysfs");
	return 0;
}
