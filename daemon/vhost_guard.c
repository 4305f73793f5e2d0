/* Guard between pod frontends and the vhost library (see vhost_guard.h). */
#include "daemon/vhost_guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_version.h>
#include <rte_vhost.h>

#include "daemon/ctl_proto.h"
#include "daemon/guest_mem.h"
#include "daemon/l2switch.h"
#include "daemon/log.h"
#include "daemon/vhost_msg.h"

/*
 * The pre-message hook gets DPDK's internal message context: the packed
 * message, then the fds that came with it. Its layout is pinned to the
 * release we build against (vhost_user.h says external handlers rely on it).
 */
#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0) || RTE_VERSION >= RTE_VERSION_NUM(22, 12, 0, 0)
#error "vhost message context layout checked for DPDK 22.11 only"
#endif
struct __attribute__((packed)) dpdk_msg_context {
	struct vhost_msg_frame msg;
	int fds[VHOST_MSG_MAX_REGIONS];
	int fd_num;
};

struct watched {
	bool used;
	char path[CTL_SOCKET_MAX];
	char name[CTL_NAME_MAX];
	unsigned int queue_pairs;
	unsigned int live; /* connections now */
	uint64_t window_start_ms;
	unsigned int window_conns;
	long refusals;
};

struct conn {
	int watched; /* index, -1 when vid is not ours */
	struct vhost_msg_conn check;
};

static struct {
	/* Never held while calling into the vhost library. */
	pthread_mutex_t lock;
	struct watched w[L2SWITCH_PORT_MAX];
	struct conn conn[RTE_MAX_VHOST_DEVICE];
	bool conn_init;
} guard = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int find_locked(const char *path)
{
	int i;

	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (guard.w[i].used && !strcmp(guard.w[i].path, path))
			return i;
	return -1;
}

static void init_conns_locked(void)
{
	int i;

	if (guard.conn_init)
		return;
	for (i = 0; i < RTE_MAX_VHOST_DEVICE; i++)
		guard.conn[i].watched = -1;
	guard.conn_init = true;
}

int vhost_guard_add(const char *path, const char *name, unsigned int queue_pairs)
{
	int i, free_i = -1;

	pthread_mutex_lock(&guard.lock);
	init_conns_locked();
	if (find_locked(path) >= 0) {
		pthread_mutex_unlock(&guard.lock);
		return -EBUSY;
	}
	for (i = 0; i < L2SWITCH_PORT_MAX && free_i < 0; i++)
		if (!guard.w[i].used)
			free_i = i;
	if (free_i < 0) {
		pthread_mutex_unlock(&guard.lock);
		return -ENOSPC;
	}
	memset(&guard.w[free_i], 0, sizeof(guard.w[free_i]));
	guard.w[free_i].used = true;
	snprintf(guard.w[free_i].path, sizeof(guard.w[free_i].path), "%s", path);
	snprintf(guard.w[free_i].name, sizeof(guard.w[free_i].name), "%s", name);
	guard.w[free_i].queue_pairs = queue_pairs ? queue_pairs : 1;
	pthread_mutex_unlock(&guard.lock);
	return 0;
}

void vhost_guard_del(const char *path)
{
	int i, v;

	pthread_mutex_lock(&guard.lock);
	i = find_locked(path);
	if (i >= 0) {
		guard.w[i].used = false;
		/* unregister calls destroy_device, not destroy_connection: drop its vids here. */
		for (v = 0; v < RTE_MAX_VHOST_DEVICE; v++)
			if (guard.conn[v].watched == i)
				guard.conn[v].watched = -1;
	}
	pthread_mutex_unlock(&guard.lock);
}

long vhost_guard_refusals(const char *path)
{
	long n;
	int i;

	pthread_mutex_lock(&guard.lock);
	i = find_locked(path);
	n = i < 0 ? -1 : guard.w[i].refusals;
	pthread_mutex_unlock(&guard.lock);
	return n;
}

static void refused_locked(int i, const char *what, const char *why)
{
	long n = ++guard.w[i].refusals;

	/* A storm must not flood the log: the first few, then every power of two. */
	if (n <= 8 || !(n & (n - 1)))
		LOG(WARNING,
		    "port %s: vhost-user frontend refused (%s): %s; %ld refusal(s) on this port",
		    guard.w[i].name, what, why, n);
}

/*
 * DPDK gives us no fd for a vid. Its connection is the AF_UNIX stream
 * socket bound to path (server mode: accepted there) or, client mode, one
 * with an unnamed local end; the daemon has no other connected unix
 * sockets of that kind. A timeout ends a read of a payload that never
 * comes, or a reply the pod never reads, as an error: DPDK then drops that
 * connection only, instead of blocking the thread every port shares.
 */
static void set_io_timeouts(const char *path)
{
	struct timeval tv = {.tv_sec = 0, .tv_usec = VHOST_GUARD_IO_TIMEOUT_MS * 1000};
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");

	if (!d) {
		LOG(WARNING, "vhost %s: /proc/self/fd: %s; no socket timeouts", path,
		    strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		struct sockaddr_un local, peer;
		socklen_t llen = sizeof(local), plen = sizeof(peer), olen = sizeof(int);
		int fd = atoi(e->d_name), type = 0, listening = 1;

		if (fd <= 2 || fd == dirfd(d) ||
		    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &olen) || type != SOCK_STREAM ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &olen) || listening ||
		    getsockname(fd, (struct sockaddr *)&local, &llen) ||
		    local.sun_family != AF_UNIX || getpeername(fd, (struct sockaddr *)&peer, &plen))
			continue;
		if (llen > offsetof(struct sockaddr_un, sun_path) &&
		    strncmp(local.sun_path, path, sizeof(local.sun_path)))
			continue; /* a named socket that is not this port's: the control socket */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	closedir(d);
}

static enum rte_vhost_msg_result pre_msg(int vid, void *raw)
{
	struct dpdk_msg_context *ctx = raw;
	int fds[VHOST_MSG_MAX_REGIONS], i, rc, n;
	struct vhost_msg_conn *check;
	struct vhost_msg_frame msg;
	char why[256];

	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return RTE_VHOST_MSG_RESULT_ERR;
	pthread_mutex_lock(&guard.lock);
	i = guard.conn[vid].watched;
	if (i < 0) {
		pthread_mutex_unlock(&guard.lock);
		return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
	}
	check = &guard.conn[vid].check;
	memcpy(&n, &ctx->fd_num, sizeof(n));
	if (n < 0 || n > (int)VHOST_MSG_MAX_REGIONS)
		n = 0;
	memcpy(fds, ctx->fds, sizeof(fds));
	memcpy(&msg, &ctx->msg, sizeof(msg));
	rc = vhost_msg_check(check, &msg, fds, n, now_ns(), why, sizeof(why));
	if (rc) {
		refused_locked(i, vhost_msg_request_name(msg.request), why);
		pthread_mutex_unlock(&guard.lock);
		/* On ERR the library closes no fds; without NEED_REPLY it disconnects. */
		for (i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		n = 0;
		memcpy(&ctx->fd_num, &n, sizeof(n));
		msg.flags &= ~VHOST_MSG_F_NEED_REPLY;
		memcpy(&ctx->msg.flags, &msg.flags, sizeof(msg.flags));
		return RTE_VHOST_MSG_RESULT_ERR;
	}
	pthread_mutex_unlock(&guard.lock);
	/* The check may have cleared NEED_REPLY. */
	memcpy(&ctx->msg.flags, &msg.flags, sizeof(msg.flags));
	/* A pod could fill its eventfd's counter so our write would block an lcore. */
	if ((msg.request == VHOST_MSG_SET_VRING_CALL || msg.request == VHOST_MSG_SET_VRING_KICK) &&
	    n == 1)
		fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	/* The library unmaps the old regions next: a SIGBUS there is no longer the pod's. */
	if (msg.request == VHOST_MSG_SET_MEM_TABLE)
		guest_mem_forget(vid);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

/* Runs only after the library's handler succeeded. */
static enum rte_vhost_msg_result post_msg(int vid, void *raw)
{
	const struct dpdk_msg_context *ctx = raw;
	uint32_t request;

	memcpy(&request, &ctx->msg.request, sizeof(request));
	if (request == VHOST_MSG_SET_MEM_TABLE)
		guest_mem_track(vid);
	return RTE_VHOST_MSG_RESULT_NOT_HANDLED;
}

static const struct rte_vhost_user_extern_ops extern_ops = {
	.pre_msg_handle = pre_msg,
	.post_msg_handle = post_msg,
};

int vhost_guard_new_connection(int vid)
{
	char path[PATH_MAX];
	uint64_t now_ms = now_ns() / 1000000;
	struct watched *w;
	int i;

	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE || rte_vhost_get_ifname(vid, path, sizeof(path)))
		return -1;
	pthread_mutex_lock(&guard.lock);
	init_conns_locked();
	i = find_locked(path);
	if (i < 0) {
		pthread_mutex_unlock(&guard.lock);
		LOG(ERR, "vhost connection %d on %s: socket not watched", vid, path);
		return -1;
	}
	w = &guard.w[i];
	if (now_ms - w->window_start_ms >= VHOST_GUARD_CONN_WINDOW_MS) {
		w->window_start_ms = now_ms;
		w->window_conns = 0;
	}
	/*
	 * Client mode: a refused connection is not retried, so a reconnect
	 * storm leaves the port down until it is added again or slicenetd
	 * restarts. Server mode: the socket keeps listening.
	 */
	if (++w->window_conns > VHOST_GUARD_CONN_MAX) {
		refused_locked(i, "connect", "too many connections in a short time");
		pthread_mutex_unlock(&guard.lock);
		return -1;
	}
	if (w->live) {
		refused_locked(i, "connect", "a second connection on the port");
		pthread_mutex_unlock(&guard.lock);
		return -1;
	}
	w->live++;
	memset(&guard.conn[vid], 0, sizeof(guard.conn[vid]));
	guard.conn[vid].watched = i;
	guard.conn[vid].check.max_vrings = 2 * w->queue_pairs;
	pthread_mutex_unlock(&guard.lock);
	/* A fault of the vid's previous connection is not this one's. */
	guest_mem_forget(vid);
	(void)guest_mem_take_fault(vid);
	/* Before the fd is polled: no message can arrive unchecked. */
	if (rte_vhost_extern_callback_register(vid, &extern_ops, NULL)) {
		vhost_guard_destroy_connection(vid);
		return -1;
	}
	set_io_timeouts(path);
	return 0;
}

void vhost_guard_destroy_connection(int vid)
{
	int i;

	if (vid < 0 || vid >= RTE_MAX_VHOST_DEVICE)
		return;
	pthread_mutex_lock(&guard.lock);
	i = guard.conn[vid].watched;
	if (i >= 0 && guard.w[i].live)
		guard.w[i].live--;
	guard.conn[vid].watched = -1;
	pthread_mutex_unlock(&guard.lock);
	/* The library unmaps the device's memory after this returns. */
	guest_mem_forget(vid);
}
