/*
 * Files that tell a pod about its device: the NPWG Device Information Spec
 * 1.1.0 object ("vhost-user" or "pci"), written where the runtime's
 * CNIDeviceInfoFile says (Multus copies it into the pod's network-status),
 * and slicenet's descriptors, which are that object plus the interface's
 * addresses and routes. One encoder for both datapaths.
 */
#ifndef SLICENET_PLUGIN_CNI_DEVICE_INFO_H
#define SLICENET_PLUGIN_CNI_DEVICE_INFO_H

#include <stddef.h>

#include "plugin/cni/cni_types.h"

#define DEVICE_INFO_VERSION "1.1.0"

enum device_info_type {
	DEVICE_INFO_VHOST_USER,
	DEVICE_INFO_PCI,
};

struct device_info {
	enum device_info_type type;
	const char *vhost_mode; /* the pod application's role: "client" or "server" */
	const char *vhost_path; /* the socket as the pod sees it */
	const char *pci_address;
	const char *pf_pci_address;
};

/* The optional descriptor part: what the pod's DPDK application must know. */
struct device_descriptor {
	const char *ifname;
	const char *mac; /* NULL: none */
	unsigned int mtu;
	unsigned int queues;
	const char *slice;
	const char *container_id;
	const char *network;
	const struct cni_result *result; /* ips and routes */
};

/*
 * The JSON text of info, with desc's fields added when desc is not NULL;
 * malloc'ed, NULL when out of memory.
 */
char *device_info_encode(const struct device_info *info, const struct device_descriptor *desc);

/* The DPDK-mode SR-IOV descriptor: which device and addresses are the pod's own. */
struct device_pci_descriptor {
	const char *ifname;
	const char *pci_address;
	const char *pf_pci_address;
	const char *driver;
	const char *vfio_device; /* "" = none */
	int numa_node;
	const struct cni_result *result;
};

/* Its JSON text (version 1, with "ips", "gateways", "routes"); malloc'ed or NULL. */
char *device_pci_descriptor_encode(const struct device_pci_descriptor *desc);

#endif
