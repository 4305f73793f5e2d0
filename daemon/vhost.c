/* rte_vhost driver registration and device callbacks. */
#include "daemon/vhost.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_net.h>
#include <rte_vhost.h>

#include "daemon/fwd.h"
#include "daemon/guest_mem.h"
#include "daemon/log.h"
#include "daemon/vhost_guard.h"

/*
 * Offloads we would have to translate between ports (segmentation,
 * checksums): disabled, as OVS does without userspace TSO. Packed rings
 * too: fwd.c counts the frames rte_vhost drops inside a dequeue from the
 * ring's last_avail_idx, which counts chains only on a split ring (a pod's
 * virtio-user uses split rings unless told packed_vq=1, and then falls back
 * to them). Fixed mask: the vhost guide requires the same features before
 * and after a reconnect.
 */
#define DISABLED_FEATURES                                                                          \
	((1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |                     \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) |                       \
	 (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                         \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |                   \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO) |                     \
	 (1ULL << VIRTIO_F_RING_PACKED))

/*
 * What virtio-user uses. No REPLY_ACK: the guard clears NEED_REPLY, so no
 * reply is ever sent while the library holds the rings' locks; no dirty
 * log, RARP, MTU, backend channel or page faults.
 */
#define PROTOCOL_FEATURES                                                                          \
	((1ULL << VHOST_USER_PROTOCOL_F_MQ) | (1ULL << VHOST_USER_PROTOCOL_F_STATUS))

/* How long port removal waits for the library before it answers anyway. */
#define STOP_DEADLINE_MS 2000

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
	/* Again here: destroy_device (e.g. on GET_VRING_BASE) forgot it, the mapping stayed. */
	guest_mem_track(vid);
	return events->attach(path, vid, n / 2) ? -1 : 0;
}

static void destroy_device(int vid)
{
	/* Returns only after the lcores stopped using vid: the vhost lib then unmaps its memory. */
	events->detach(vid);
	fwd_vring_reset(vid);
	/* Unregister unmaps the memory after this, with no destroy_connection. */
	guest_mem_forget(vid);
}

/* The pod (re)enabled or disabled a ring, e.g. fewer queue pairs than negotiated. */
static int vring_state_changed(int vid, uint16_t vring, int enable)
{
	fwd_vring_state(vid, vring, enable != 0);
	return 0;
}

static const struct rte_vhost_device_ops device_ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
	.vring_state_changed = vring_state_changed,
	.new_connection = vhost_guard_new_connection,
	.destroy_connection = vhost_guard_destroy_connection,
};

int vhost_port_start(const struct ctl_port_spec *spec, const char *path, char *msg, size_t msg_size)
{
	/*
	 * LINEARBUF: a pod's multi-MB chain cannot drain the pool. Alone it
	 * drops a frame longer than one mbuf inside the dequeue with no
	 * counter; EXTBUF hands such a frame (up to 65,368 bytes) over in an
	 * rte_malloc'ed buffer instead, and the switch drops and counts it as
	 * oversize (it is longer than any port's MTU). Frames that fit an
	 * mbuf never take that path. Longer ones rte_vhost still drops
	 * unseen; fwd.c counts them from the ring index (vhost_refused).
	 */
	uint64_t flags = RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS | RTE_VHOST_USER_LINEARBUF_SUPPORT |
			 RTE_VHOST_USER_EXTBUF_SUPPORT;
	uint64_t protocol_features;
	const char *step;
	struct stat st;
	int rc;

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
	rc = vhost_guard_add(path, spec->name, spec->queues);
	if (rc) {
		snprintf(msg, msg_size, "port %s: %s", spec->name,
			 rc == -EBUSY ? "an earlier port on this socket is still being removed"
				      : "too many sockets");
		return rc;
	}
	step = "register";
	if (rte_vhost_driver_register(path, flags))
		goto fail_early;
	step = "disable features";
	if (rte_vhost_driver_disable_features(path, DISABLED_FEATURES))
		goto fail;
	step = "protocol features";
	if (rte_vhost_driver_get_protocol_features(path, &protocol_features) ||
	    rte_vhost_driver_set_protocol_features(path, protocol_features & PROTOCOL_FEATURES))
		goto fail;
	step = "register callbacks";
	if (rte_vhost_driver_callback_register(path, &device_ops))
		goto fail;
	step = "start";
	if (rte_vhost_driver_start(path))
		goto fail;
	/*
	 * Created with our umask by bind(); the pod's app must be able to connect.
	 * The pod may have swapped the socket for a symlink already: never follow it.
	 */
	if (spec->mode == CTL_MODE_SERVER &&
	    fchmodat(AT_FDCWD, spec->socket, 0660, AT_SYMLINK_NOFOLLOW))
		LOG(WARNING, "port %s: chmod %s: %s", spec->name, spec->socket, strerror(errno));
	return 0;
fail:
	rte_vhost_driver_unregister(path);
fail_early:
	vhost_guard_del(path);
	snprintf(msg, msg_size, "port %s: vhost-user %s of %s failed (see the daemon log)",
		 spec->name, step, spec->socket);
	return -EIO;
}

/* One unregister, shared by the worker and the waiter; the last one out frees it. */
struct stop_job {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done, abandoned;
	char path[CTL_SOCKET_MAX];
};

static void *stop_worker(void *arg)
{
	struct stop_job *job = arg;
	bool abandoned;

	/* Spins while a callback of this socket runs, e.g. one blocked on the pod. */
	if (rte_vhost_driver_unregister(job->path))
		LOG(WARNING, "vhost unregister %s failed", job->path);
	vhost_guard_del(job->path);
	pthread_mutex_lock(&job->lock);
	job->done = true;
	abandoned = job->abandoned;
	pthread_cond_signal(&job->done_cond);
	pthread_mutex_unlock(&job->lock);
	if (abandoned) {
		LOG(INFO, "vhost unregister %s finished late", job->path);
		pthread_cond_destroy(&job->done_cond);
		pthread_mutex_destroy(&job->lock);
		free(job);
	}
	return NULL;
}

int vhost_port_stop(const char *path)
{
	pthread_condattr_t attr;
	struct stop_job *job;
	struct timespec deadline;
	pthread_t worker;
	bool done;

	job = calloc(1, sizeof(*job));
	if (!job)
		goto inline_stop;
	snprintf(job->path, sizeof(job->path), "%s", path);
	pthread_mutex_init(&job->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&job->done_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&worker, NULL, stop_worker, job)) {
		pthread_cond_destroy(&job->done_cond);
		pthread_mutex_destroy(&job->lock);
		free(job);
		goto inline_stop;
	}
	pthread_detach(worker);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += STOP_DEADLINE_MS / 1000;
	deadline.tv_nsec += (STOP_DEADLINE_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&job->lock);
	while (!job->done &&
	       pthread_cond_timedwait(&job->done_cond, &job->lock, &deadline) != ETIMEDOUT)
		;
	done = job->done;
	job->abandoned = !done;
	pthread_mutex_unlock(&job->lock);
	if (!done) {
		LOG(WARNING,
		    "vhost unregister %s still waiting after %d ms; finishing in the background",
		    path, STOP_DEADLINE_MS);
		return -ETIMEDOUT;
	}
	pthread_cond_destroy(&job->done_cond);
	pthread_mutex_destroy(&job->lock);
	free(job);
	return 0;
inline_stop:
	/* No memory or thread left: better a wait than a socket that stays registered. */
	if (rte_vhost_driver_unregister(path))
		LOG(WARNING, "vhost unregister %s failed", path);
	vhost_guard_del(path);
	return 0;
}
