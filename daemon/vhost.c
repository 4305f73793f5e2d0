/* rte_vhost driver registration and device callbacks. */
#include "daemon/vhost.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/virtio_net.h>
#include <rte_vhost.h>

#include "daemon/log.h"

/*
 * Offloads we would have to translate between ports (segmentation,
 * checksums): disabled, as OVS does without userspace TSO. Fixed mask: the
 * vhost guide requires the same features before and after a reconnect.
 */
#define DISABLED_FEATURES                                                                          \
	((1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |                     \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) |                       \
	 (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                         \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |                   \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO))

static const struct vhost_events *events;

void vhost_set_events(const struct vhost_events *e)
{
	events = e;
}

static int new_device(int vid)
{
	char path[PATH_MAX];
	uint16_t i, n;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) < 0)
		return -1;
	n = rte_vhost_get_vring_num(vid);
	/* Otherwise the pod's virtio PMD kicks an eventfd (a syscall) after every TX burst. */
	for (i = 0; i < n; i++)
		rte_vhost_enable_guest_notification(vid, i, 0);
	return events->attach(path, vid, n / 2) ? -1 : 0;
}

static void destroy_device(int vid)
{
	/* Returns only after the lcores stopped using vid: the vhost lib then unmaps its memory. */
	events->detach(vid);
}

static const struct rte_vhost_device_ops device_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
};

int vhost_port_start(const struct ctl_port_spec *spec, char *msg, size_t msg_size)
{
	uint64_t flags = RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS | RTE_VHOST_USER_LINEARBUF_SUPPORT;
	const char *step;

	struct stat st;

	if (spec->mode == CTL_MODE_CLIENT) {
		flags |= RTE_VHOST_USER_CLIENT;
	} else if (!lstat(spec->socket, &st)) {
		/* A control client must not get us to delete an arbitrary file. */
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(msg, msg_size, "port %s: %s exists and is not a socket",
				 spec->name, spec->socket);
			return -EEXIST;
		}
		/* bind() never replaces a stale socket, e.g. after a crash. */
		if (unlink(spec->socket)) {
			snprintf(msg, msg_size, "port %s: removing stale %s: %s", spec->name,
				 spec->socket, strerror(errno));
			return -errno;
		}
	}
	step = "register";
	if (rte_vhost_driver_register(spec->socket, flags))
		goto fail_early;
	step = "disable features";
	if (rte_vhost_driver_disable_features(spec->socket, DISABLED_FEATURES))
		goto fail;
	step = "register callbacks";
	if (rte_vhost_driver_callback_register(spec->socket, &device_ops))
		goto fail;
	step = "start";
	if (rte_vhost_driver_start(spec->socket))
		goto fail;
	/* Created with our umask by bind(); the pod's app must be able to connect. */
	if (spec->mode == CTL_MODE_SERVER && chmod(spec->socket, 0660))
		LOG(WARNING, "port %s: chmod %s: %s", spec->name, spec->socket, strerror(errno));
	return 0;
fail:
	rte_vhost_driver_unregister(spec->socket);
fail_early:
	snprintf(msg, msg_size, "port %s: vhost-user %s of %s failed (see the daemon log)",
		 spec->name, step, spec->socket);
	return -EIO;
}

void vhost_port_stop(const char *path)
{
	if (rte_vhost_driver_unregister(path))
		LOG(WARNING, "vhost unregister %s failed", path);
}
