/*
 * One attachment's identity: who asked (container id, ifname, netns, pod),
 * where it lives (network, slice, datapath, host-side names) and the per-call
 * inputs the runtime gave. ADD fills it once from the environment and the
 * parsed configuration; DEL, CHECK and GC read it back from the record. Every
 * datapath op receives it: nothing below the verbs reads the environment.
 */
#ifndef SLICENET_PLUGIN_ATTACHMENT_H
#define SLICENET_PLUGIN_ATTACHMENT_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <sys/un.h>

#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

struct attachment {
	char container_id[CNI_CONTAINER_ID_MAX];
	char ifname[IFNAMSIZ];
	char netns[PATH_MAX]; /* "" when the runtime gave none (DEL) */
	char network[256];
	char slice[SLICE_NAME_MAX];
	char datapath[DATAPATH_NAME_MAX];
	char preferred[DATAPATH_NAME_MAX]; /* the class's first choice: differs on a fallback */
	/* the pod, from CNI_ARGS (K8S_POD_*) */
	char pod_namespace[CNI_ARGS_VALUE_MAX];
	char pod_name[CNI_ARGS_VALUE_MAX];
	char pod_uid[CNI_ARGS_VALUE_MAX];
	char infra_container_id[CNI_ARGS_VALUE_MAX];
	/* per-call runtime inputs */
	char mac[CNI_MAC_STRLEN];	    /* requested MAC; "" = none */
	char device_id[CONF_DEVICE_ID_MAX]; /* sriov: the VF the device plugin chose */
	char device_info_file[PATH_MAX];    /* CNIDeviceInfoFile; "" = not asked */
	/* host-side names the datapath created */
	char host_ifname[IFNAMSIZ];					 /* veth host end */
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];	 /* vhostuser */
	char daemon_socket[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* vhostuser */
	char pci_id[64];						 /* sriov */
	char ipam_type[64];
	char ipam_data_dir[PATH_MAX]; /* in-process IPAM's store, for a DEL whose config broke */
	char ipam_network[256];	      /* its network name in the store; "" = network */
	/* primary mode: the main record names its extra interface, the extra one its owner */
	char data_ifname[IFNAMSIZ];
	char owner_ifname[IFNAMSIZ];
	struct cni_result result; /* what ADD returned */
};

/*
 * The identity of this call: env (validated) and the runtime inputs of conf.
 * Pod names and UID are kept as given: only the datapath that makes a name
 * of one (vhostuser's pod directory) checks it. Code 4 naming a bad value.
 */
int attachment_from_call(const struct cni_env *env, const struct netconf *conf,
			 struct attachment *out, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
