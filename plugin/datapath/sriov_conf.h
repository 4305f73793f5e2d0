/*
 * The "sriov" network-config section, the slice class's "sriov" overrides
 * and the runtime's per-pod inputs (deviceID, CNIDeviceInfoFile), parsed
 * into one struct before the datapath acts on any of it.
 */
#ifndef SLICENET_PLUGIN_SRIOV_CONF_H
#define SLICENET_PLUGIN_SRIOV_CONF_H

#include <limits.h>
#include <net/if.h>

#include "plugin/cni/cni_error.h"
#include "plugin/datapath/datapath.h"
#include "plugin/datapath/sriov_sysfs.h"
#include "plugin/datapath/sriov_vf.h"

#define SRIOV_MAX_PFS		     16
#define SRIOV_DEFAULT_SYSFS_ROOT     "/sys"
#define SRIOV_DEFAULT_DESCRIPTOR_DIR "/run/slicenet/sriov"
#define SRIOV_DEFAULT_CGROUP_ROOT    "/sys/fs/cgroup"

enum sriov_mode {
	SRIOV_MODE_ANY,	   /* whatever driver the VF has */
	SRIOV_MODE_NETDEV, /* kernel driver: a netdev moved into the pod */
	SRIOV_MODE_DPDK,   /* vfio-pci & co: the PCI device for a DPDK app */
};

struct sriov_conf {
	char pfs[SRIOV_MAX_PFS][IFNAMSIZ];
	unsigned int n_pfs;
	char sysfs_root[PATH_MAX];
	char pool_dir[PATH_MAX];       /* default <stateDir>/sriov-pool */
	char descriptor_dir[PATH_MAX]; /* DPDK-mode descriptor files */
	char cgroup_root[PATH_MAX];    /* to read the pod's cpuset for NUMA preference */
	enum sriov_mode mode;
	struct sriov_vf_settings vf; /* set bits: what the config asks for */
	bool configured;	     /* the network has an "sriov" section */
	/* per call, from the attachment (sriov_conf_for) */
	char device_id[SRIOV_PCI_ADDR_MAX]; /* "" = pick from the pool */
	char device_info_file[PATH_MAX];    /* "" = the runtime did not ask */
};

/*
 * The parse op: network-wide "sriov" keys, then the class's "sriov" object on
 * top, with defaults. Bad values give CNI_ERR_INVALID_CONFIG naming the key
 * and value.
 */
int sriov_parse(const struct datapath_parse_input *in, void *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/* The parsed config with this call's deviceID and CNIDeviceInfoFile. */
void sriov_conf_for(const struct datapath_context *ctx, const struct attachment *att,
		    struct sriov_conf *out);

#endif
