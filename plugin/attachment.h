/* What one ADD created: enough for DEL, CHECK and GC to work without prevResult. */
#ifndef SLICENET_PLUGIN_ATTACHMENT_H
#define SLICENET_PLUGIN_ATTACHMENT_H

#include <limits.h>
#include <net/if.h>

#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

struct attachment {
	char container_id[CNI_CONTAINER_ID_MAX];
	char ifname[IFNAMSIZ];
	char netns[PATH_MAX];
	char network[256];
	char slice[SLICE_NAME_MAX];
	char datapath[DATAPATH_NAME_MAX];
	char host_ifname[IFNAMSIZ]; /* veth host end; "" for others */
	char socket_path[108];	    /* vhostuser */
	char pci_id[64];	    /* sriov */
	char ipam_type[64];
	struct cni_result result; /* what ADD returned */
};

#endif
