/* Private to the vhostuser datapath: its parsed config and its naming plan. */
#ifndef SLICENET_PLUGIN_DATAPATH_VHOSTUSER_INTERNAL_H
#define SLICENET_PLUGIN_DATAPATH_VHOSTUSER_INTERNAL_H

#include <limits.h>
#include <stdint.h>
#include <sys/un.h>

#include "daemon/ctl_proto.h"
#include "plugin/attachment.h"
#include "plugin/cni/cni_error.h"

#define VHU_DEFAULT_SOCKET_DIR "/run/slicenet/ports"
#define VHU_DEFAULT_POD_DIR    "/var/run/slicenet"
#define VHU_DEFAULT_TIMEOUT_MS 3000

/* netconf "vhostuser": {...}, with a class's "queues" on top. */
struct vhu_conf {
	char daemon_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char socket_dir[PATH_MAX];
	char pod_dir[PATH_MAX];
	enum ctl_port_mode mode;
	unsigned int queues;
	unsigned int timeout_ms;
	/* the pod directory's group and mode, for DPDK applications not running as root */
	bool has_pod_dir_group;
	unsigned int pod_dir_group;
	unsigned int pod_dir_mode; /* 0: keep 0755 */
};

/* What one attachment is called on the host, in the daemon and inside the pod. */
struct vhu_names {
	char port[CTL_NAME_MAX];	    /* "<container id>/<ifname>" */
	char pod[NAME_MAX + 1];		    /* the pod's directory below socketDir */
	char socket_file[NAME_MAX + 1];	    /* "<ifname>.sock" */
	char descriptor_file[NAME_MAX + 1]; /* "<ifname>.json" */
	char socket[CTL_SOCKET_MAX];	    /* <socketDir>/<pod>/<ifname>.sock, host view */
	char pod_socket[PATH_MAX];	    /* <podSocketDir>/<ifname>.sock, pod view */
};

/*
 * The names of att: the pod UID names the directory when known (one path for
 * the pod's whole life), else the container id. Code 7/4 when a name does not
 * fit (sun_path is 108 bytes and DPDK would truncate silently).
 */
int vhu_names_make(const struct attachment *att, const struct vhu_conf *c, struct vhu_names *n,
		   struct cni_error *err) __attribute__((warn_unused_result));

/* The runtime's MAC when it gave one, else a stable locally administered one per pod+ifname. */
void vhu_mac(const struct attachment *att, uint8_t mac[6]);

#endif
