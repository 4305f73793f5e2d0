/* Control socket transport: accept, peer check, line framing, dispatch to ctl_cmds. */
/* struct ucred (SO_PEERCRED) is a GNU extension; DPDK's forced rte_config.h may define it already.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "daemon/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "daemon/ctl_cmds.h"
#include "daemon/ctl_proto.h"
#include "daemon/log.h"

#define MAX_CONNS	32
#define IDLE_TIMEOUT_MS 30000
#define SEND_TIMEOUT_MS 2000

struct conn {
	int fd;
	size_t len;
	long long last_ms;
	char buf[CTL_PROTO_MAX_REQUEST + 1];
};

static struct {
	int listen_fd;
	int wake[2];
	char path[CTL_SOCKET_MAX];
	gid_t gid;
	bool has_group;
	void (*tick)(void);
	pthread_t thread;
	bool running;
	struct conn *conns[MAX_CONNS];
} srv = {.listen_fd = -1, .wake = {-1, -1}};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(int i)
{
	close(srv.conns[i]->fd);
	free(srv.conns[i]);
	srv.conns[i] = NULL;
}

/* Write all of buf within SEND_TIMEOUT_MS; a client that does not read loses its connection. */
static int send_all(int fd, const char *buf, size_t len)
{
	long long deadline = now_ms() + SEND_TIMEOUT_MS;
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline || poll(&pfd, 1, (int)(deadline - now_ms())) < 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static int respond(int fd, struct ctl_response *resp)
{
	char *out = NULL;
	size_t len;
	int rc;

	rc = ctl_proto_encode_response(resp, &out, &len);
	if (rc) {
		/* Could not encode the result (memory): tell the client rather than go silent. */
		struct ctl_response err = {.method = resp->method};

		ctl_response_fail(&err, rc, "encoding the response failed");
		rc = ctl_proto_encode_response(&err, &out, &len);
		if (rc)
			return rc;
	}
	rc = send_all(fd, out, len);
	free(out);
	return rc;
}

static int handle_line(int fd, const char *line, size_t len)
{
	struct ctl_request req;
	struct ctl_response resp = {0};
	int rc;

	rc = ctl_proto_decode_request(line, len, &req, resp.message, sizeof(resp.message));
	if (rc) {
		resp.error = rc;
		LOG(DEBUG, "bad control request: %s", resp.message);
		return respond(fd, &resp);
	}
	ctl_cmds_handle(&req, &resp);
	rc = respond(fd, &resp);
	ctl_response_free(&resp);
	return rc;
}

/* Serve every complete line in the buffer; 0 to keep the connection, <0 to close it. */
static int conn_read(struct conn *c)
{
	ssize_t n;
	char *nl;
	size_t used;
	int rc;

	n = recv(c->fd, c->buf + c->len, CTL_PROTO_MAX_REQUEST - c->len, MSG_DONTWAIT);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	c->len += (size_t)n;
	c->last_ms = now_ms();
	while ((nl = memchr(c->buf, '\n', c->len))) {
		used = (size_t)(nl - c->buf) + 1;
		rc = handle_line(c->fd, c->buf, used);
		if (rc)
			return rc;
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	if (c->len == CTL_PROTO_MAX_REQUEST) {
		struct ctl_response resp = {0};

		/* Without a newline in the whole budget there is no request boundary to resync on.
		 */
		ctl_response_fail(&resp, -EMSGSIZE, "request longer than %d bytes",
				  CTL_PROTO_MAX_REQUEST);
		respond(c->fd, &resp);
		return -EMSGSIZE;
	}
	return 0;
}

/* The control group may be one of the peer's supplementary groups too. */
static bool peer_in_group(int fd, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static bool peer_allowed(int fd)
{
	struct ctl_response resp = {0};
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	if (cred.uid == 0 || cred.uid == geteuid() || (srv.has_group && cred.gid == srv.gid))
		return true;
	if (srv.has_group && peer_in_group(fd, srv.gid))
		return true;
	LOG(WARNING, "control: refused pid %d uid %u gid %u", cred.pid, cred.uid, cred.gid);
	/* Best effort: the client may see the reset before it reads this. */
	ctl_response_fail(&resp, -EACCES, "uid %u is neither root nor in the control group",
			  cred.uid);
	respond(fd, &resp);
	return false;
}

static void do_accept(void)
{
	int fd, i;

	fd = accept4(srv.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (!peer_allowed(fd)) {
		close(fd);
		return;
	}
	for (i = 0; i < MAX_CONNS && srv.conns[i]; i++)
		;
	if (i == MAX_CONNS) {
		struct ctl_response resp = {0};

		ctl_response_fail(&resp, -EBUSY, "too many control connections");
		respond(fd, &resp);
		close(fd);
		return;
	}
	srv.conns[i] = malloc(sizeof(struct conn));
	if (!srv.conns[i]) {
		close(fd);
		return;
	}
	srv.conns[i]->fd = fd;
	srv.conns[i]->len = 0;
	srv.conns[i]->last_ms = now_ms();
}

static void *serve(void *arg)
{
	struct pollfd pfds[MAX_CONNS + 2];
	int map[MAX_CONNS + 2];
	long long last_tick = 0, now;
	int i, n, rc;

	(void)arg;
	for (;;) {
		n = 0;
		pfds[n++] = (struct pollfd){.fd = srv.wake[0], .events = POLLIN};
		pfds[n++] = (struct pollfd){.fd = srv.listen_fd, .events = POLLIN};
		for (i = 0; i < MAX_CONNS; i++)
			if (srv.conns[i]) {
				map[n] = i;
				pfds[n++] =
					(struct pollfd){.fd = srv.conns[i]->fd, .events = POLLIN};
			}
		rc = poll(pfds, (nfds_t)n, 250);
		if (rc < 0 && errno != EINTR)
			break;
		if (pfds[0].revents)
			break;
		now = now_ms();
		if (now - last_tick >= 1000) {
			last_tick = now;
			if (srv.tick)
				srv.tick();
		}
		if (rc <= 0)
			goto idle;
		for (i = 2; i < n; i++) {
			struct conn *c = srv.conns[map[i]];

			if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))
				if (conn_read(c))
					conn_close(map[i]);
		}
		if (pfds[1].revents & POLLIN)
			do_accept();
	idle:
		for (i = 0; i < MAX_CONNS; i++)
			if (srv.conns[i] && now - srv.conns[i]->last_ms > IDLE_TIMEOUT_MS)
				conn_close(i);
	}
	for (i = 0; i < MAX_CONNS; i++)
		if (srv.conns[i])
			conn_close(i);
	return NULL;
}

int ctl_server_start(const char *path, const char *group, void (*tick)(void))
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct group *gr;
	int rc;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		LOG(ERR, "control socket %s: longer than %zu bytes", path,
		    sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	if (group[0]) {
		gr = getgrnam(group);
		if (!gr) {
			LOG(ERR, "control group %s: no such group", group);
			return -ENOENT;
		}
		srv.gid = gr->gr_gid;
		srv.has_group = true;
	}
	strcpy(addr.sun_path, path);
	strcpy(srv.path, path);
	srv.tick = tick;
	srv.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv.listen_fd < 0 || pipe2(srv.wake, O_CLOEXEC)) {
		rc = -errno;
		goto fail;
	}
	/* A previous instance that was killed leaves its socket behind; it is ours to replace. */
	unlink(path);
	if (bind(srv.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0660) ||
	    (srv.has_group && chown(path, 0, srv.gid)) || listen(srv.listen_fd, 16)) {
		rc = -errno;
		LOG(ERR, "control socket %s: %s", path, strerror(errno));
		goto fail;
	}
	rc = rte_ctrl_thread_create(&srv.thread, "slicenet-ctl", NULL, serve, NULL);
	if (rc) {
		rc = -rc;
		goto fail;
	}
	srv.running = true;
	LOG(INFO, "control socket %s", path);
	return 0;
fail:
	ctl_server_stop();
	return rc;
}

void ctl_server_stop(void)
{
	if (srv.running) {
		if (write(srv.wake[1], "x", 1) < 0)
			LOG(WARNING, "control: waking the server thread: %s", strerror(errno));
		pthread_join(srv.thread, NULL);
		srv.running = false;
	}
	if (srv.listen_fd >= 0) {
		close(srv.listen_fd);
		unlink(srv.path);
	}
	if (srv.wake[0] >= 0)
		close(srv.wake[0]);
	if (srv.wake[1] >= 0)
		close(srv.wake[1]);
	srv.listen_fd = srv.wake[0] = srv.wake[1] = -1;
}
