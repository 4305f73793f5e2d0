/* Control socket transport: listen, peer check, the fair poll loop, dispatch to ops->handle. */
/* accept4 and pipe2 are GNU extensions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "daemon/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ctl_access.h"
#include "daemon/server_base.h"

#define TICK_MS 1000
#define BACKLOG 128
/* Silence that makes a connection evictable: honest clients send within microseconds. */
#define EVICT_IDLE_MS 100

struct ctl_server {
	struct ctl_server_options opts;
	struct ctl_server_ops ops;
	char path[CTL_SOCKET_MAX];
	struct server_base base; /* listener, wake pipe, pfds: wake, listen, connections */
	struct ctl_access access;
	volatile bool stopping;
	long long last_tick;
	struct ctl_server_counters counters;
	struct ctl_conn **conns; /* opts.max_clients slots, NULL = free */
	unsigned int *slot_of;	 /* pfds index -> conns index */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

__attribute__((format(printf, 3, 4))) static void
say(struct ctl_server *srv, enum ctl_server_log_level level, const char *fmt, ...)
{
	char line[CTL_MESSAGE_MAX];
	va_list ap;

	if (!srv->ops.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	srv->ops.log(level, line);
}

/* Encode resp as a line (falling back to an error line when the result cannot be encoded). */
static int encode(struct ctl_response *resp, char **line, size_t *len)
{
	struct ctl_response err = {.method = resp->method};
	int rc;

	rc = ctl_proto_encode_response(resp, line, len);
	if (!rc)
		return 0;
	/* Could not encode the result (memory): tell the client rather than go silent. */
	ctl_response_fail(&err, rc, "encoding the response failed");
	return ctl_proto_encode_response(&err, line, len);
}

/* Turn a connection away with one error line, sent only if the socket takes it at once. */
__attribute__((format(printf, 3, 4))) static void refuse(int fd, int error, const char *fmt, ...)
{
	struct ctl_response resp = {.error = error};
	char *line;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(resp.message, sizeof(resp.message), fmt, ap);
	va_end(ap);
	if (!encode(&resp, &line, &len)) {
		if (send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			/* Best effort: the peer may already be gone. */
		}
		free(line);
	}
	close(fd);
}

static void queue_response(struct ctl_server *srv, struct ctl_conn *conn, struct ctl_response *resp,
			   long long now)
{
	char *line;
	size_t len;
	int rc;

	rc = encode(resp, &line, &len);
	if (!rc) {
		rc = ctl_conn_queue(conn, line, len, &srv->opts.limits, now);
		free(line);
	}
	/* Without memory for its reply the client would wait forever: end it instead. */
	if (rc && conn->end == CTL_CONN_OPEN)
		conn->end = CTL_CONN_OVERFLOW;
}

static void answer(struct ctl_server *srv, struct ctl_conn *conn, size_t len, long long now)
{
	struct ctl_request req;
	struct ctl_response resp = {0};
	int rc;

	count(&srv->counters.requests);
	rc = ctl_proto_decode_request(conn->in, len, &req, resp.message, sizeof(resp.message));
	if (rc) {
		resp.error = rc;
		say(srv, CTL_SERVER_LOG_DEBUG, "bad control request: %s", resp.message);
	} else {
		resp.method = req.method;
		srv->ops.handle(&req, &resp);
	}
	queue_response(srv, conn, &resp, now);
	ctl_response_free(&resp);
}

/* Serve at most the turn budget of complete lines; the next turn serves the rest. */
static void serve(struct ctl_server *srv, struct ctl_conn *conn, long long now)
{
	size_t len;
	unsigned int k;

	for (k = 0; k < srv->opts.turn_budget && conn->end == CTL_CONN_OPEN; k++) {
		len = ctl_conn_next_line(conn);
		if (!len)
			break;
		answer(srv, conn, len, now);
		ctl_conn_consume(conn, len, now);
	}
}

/* Close slot i: a last error line where the client can still use one, then the socket. */
static void conn_end(struct ctl_server *srv, unsigned int i, long long now)
{
	struct ctl_conn *conn = srv->conns[i];
	struct ctl_response resp = {0};
	bool tell = true;

	switch (conn->end) {
	case CTL_CONN_OVERSIZE:
		ctl_response_fail(&resp, -EMSGSIZE, "request longer than %d bytes",
				  CTL_PROTO_MAX_REQUEST);
		break;
	case CTL_CONN_PARTIAL:
		ctl_response_fail(&resp, -ETIMEDOUT, "request not finished within %lld ms",
				  srv->opts.limits.partial_timeout_ms);
		break;
	default:
		tell = false;
		break;
	}
	if (tell) {
		char *line;
		size_t len;

		/* Into the queue regardless of its limit, then one non-blocking try. */
		if (!encode(&resp, &line, &len)) {
			struct ctl_conn_limits unlimited = {.out_max = (size_t)-1};

			if (!ctl_conn_queue(conn, line, len, &unlimited, now) &&
			    ctl_conn_flush(conn, now)) {
				/* Gone already: nothing more to tell. */
			}
			free(line);
		}
	}
	count(&srv->counters.ended[conn->end]);
	say(srv, conn->end == CTL_CONN_HANGUP ? CTL_SERVER_LOG_DEBUG : CTL_SERVER_LOG_INFO,
	    "control: closed a connection: %s", ctl_conn_end_name(conn->end));
	ctl_conn_free(conn);
	srv->conns[i] = NULL;
}

/*
 * A free slot, or the one of the longest-idle connection after closing it;
 * -1 if none. Only a connection silent for EVICT_IDLE_MS may go: one that
 * just got its reply (a client asking in a loop) or was just accepted (its
 * request on the way) is in use, and a burst of connects must not cut it.
 */
static int free_slot(struct ctl_server *srv, long long now)
{
	int idlest = -1;
	unsigned int i;

	for (i = 0; i < srv->opts.max_clients; i++) {
		if (!srv->conns[i])
			return (int)i;
		if (ctl_conn_is_idle(srv->conns[i]) &&
		    now - srv->conns[i]->active_ms >= EVICT_IDLE_MS &&
		    (idlest < 0 || srv->conns[i]->active_ms < srv->conns[idlest]->active_ms))
			idlest = (int)i;
	}
	if (idlest >= 0) {
		count(&srv->counters.evicted);
		say(srv, CTL_SERVER_LOG_DEBUG, "control: closing an idle connection for a new one");
		ctl_conn_free(srv->conns[idlest]);
		srv->conns[idlest] = NULL;
	}
	return idlest;
}

static void accept_clients(struct ctl_server *srv, long long now)
{
	struct ctl_peer peer;
	unsigned int k;
	int fd, slot;

	/* Bounded per turn so a connect storm cannot keep the loop from serving. */
	for (k = 0; k < srv->opts.max_clients; k++) {
		fd = accept4(srv->base.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		if (!ctl_access_peer_allowed(&srv->access, fd, &peer)) {
			count(&srv->counters.refused_peer);
			say(srv, CTL_SERVER_LOG_WARNING, "control: refused pid %d uid %u gid %u",
			    peer.pid, peer.uid, peer.gid);
			/* Best effort: the client may see the reset before it reads this. */
			refuse(fd, -EACCES, "uid %u is neither root nor in the control group",
			       peer.uid);
			continue;
		}
		slot = free_slot(srv, now);
		if (slot < 0) {
			count(&srv->counters.refused_full);
			refuse(fd, -EBUSY, "too many control connections");
			continue;
		}
		srv->conns[slot] = ctl_conn_new(fd, now);
		if (!srv->conns[slot]) {
			close(fd);
			continue;
		}
		count(&srv->counters.accepted);
		/* A request already sent makes the newcomer busy, so a connect storm can't evict
		 * it. */
		if (ctl_conn_read(srv->conns[slot], now))
			conn_end(srv, (unsigned int)slot, now);
	}
}

/* Fill pfds; returns how many. */
static nfds_t poll_set(struct ctl_server *srv)
{
	struct ctl_conn *conn;
	nfds_t n = server_base_arm(&srv->base);
	unsigned int i;

	for (i = 0; i < srv->opts.max_clients; i++) {
		conn = srv->conns[i];
		if (!conn)
			continue;
		srv->slot_of[n] = i;
		srv->base.pfds[n++] = (struct pollfd){
			.fd = conn->fd,
			.events = (short)((conn->in_len < sizeof(conn->in) ? POLLIN : 0) |
					  (ctl_conn_has_output(conn) ? POLLOUT : 0)),
		};
	}
	return n;
}

int ctl_server_turn(struct ctl_server *srv, int timeout_ms)
{
	long long now = now_ms(), next = now + timeout_ms;
	struct ctl_conn *conn;
	unsigned int i;
	nfds_t n, p;
	int rc;

	if (srv->stopping)
		return 1;
	/* Lines left over from a spent budget are due now; deadlines and the tick when they fall.
	 */
	for (i = 0; i < srv->opts.max_clients; i++)
		if (srv->conns[i] &&
		    (ctl_conn_next_line(srv->conns[i]) ||
		     ctl_conn_check_timeouts(srv->conns[i], &srv->opts.limits, now, &next)))
			next = now;
	if (srv->ops.tick && srv->last_tick + TICK_MS < next)
		next = srv->last_tick + TICK_MS;
	n = poll_set(srv);
	rc = poll(srv->base.pfds, n, next > now ? (int)(next - now) : 0);
	if (rc < 0 && errno != EINTR)
		return -errno;
	if (srv->stopping || (rc > 0 && srv->base.pfds[0].revents))
		return 1;
	now = now_ms();
	for (p = SERVER_BASE_FIRST_CONN; rc >= 0 && p < n; p++) {
		i = srv->slot_of[p];
		conn = srv->conns[i];
		if (srv->base.pfds[p].revents & (POLLIN | POLLHUP | POLLERR))
			(void)!ctl_conn_read(conn, now);
		serve(srv, conn, now);
		if (conn->end == CTL_CONN_OPEN)
			(void)!ctl_conn_flush(conn, now);
	}
	if (rc > 0 && (srv->base.pfds[1].revents & POLLIN))
		accept_clients(srv, now);
	for (i = 0; i < srv->opts.max_clients; i++)
		if (srv->conns[i] &&
		    ctl_conn_check_timeouts(srv->conns[i], &srv->opts.limits, now, &next))
			conn_end(srv, i, now);
	if (srv->ops.tick && now - srv->last_tick >= TICK_MS) {
		srv->last_tick = now;
		srv->ops.tick();
	}
	return 0;
}

void *ctl_server_run(void *arg)
{
	struct ctl_server *srv = arg;
	int rc;

	while (!(rc = ctl_server_turn(srv, TICK_MS)))
		;
	if (rc < 0)
		say(srv, CTL_SERVER_LOG_WARNING, "control: poll: %s", strerror(-rc));
	return NULL;
}

void ctl_server_stop(struct ctl_server *srv)
{
	srv->stopping = true;
	server_base_wake(&srv->base);
}

void ctl_server_get_counters(struct ctl_server *srv, struct ctl_server_counters *out)
{
	const uint64_t *from = (const uint64_t *)&srv->counters;
	uint64_t *to = (uint64_t *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

void ctl_server_options_init(struct ctl_server_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_clients = CTL_SERVER_DEFAULT_MAX_CLIENTS;
	opts->turn_budget = CTL_SERVER_DEFAULT_TURN_BUDGET;
	opts->limits.out_max = CTL_SERVER_DEFAULT_OUT_MAX;
	opts->limits.partial_timeout_ms = CTL_SERVER_DEFAULT_PARTIAL_TIMEOUT;
	opts->limits.idle_timeout_ms = CTL_SERVER_DEFAULT_IDLE_TIMEOUT;
}

struct ctl_server *ctl_server_create(const struct ctl_server_options *opts,
				     const struct ctl_server_ops *ops, char *msg, size_t msg_size)
{
	struct ctl_server *srv;
	int rc = -EINVAL;

	if (!opts->path || !ops->handle || !opts->max_clients || !opts->turn_budget) {
		ctl_proto_errorf(msg, msg_size, -EINVAL, "control server: incomplete options");
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->opts = *opts;
	srv->ops = *ops;
	srv->last_tick = now_ms();
	/* First: from here on ctl_server_free may run. */
	rc = server_base_init(&srv->base, opts->max_clients);
	srv->conns = calloc(opts->max_clients, sizeof(*srv->conns));
	srv->slot_of = calloc(opts->max_clients + SERVER_BASE_FIRST_CONN, sizeof(*srv->slot_of));
	if (rc == -ENOMEM || !srv->conns || !srv->slot_of) {
		rc = ctl_proto_errorf(msg, msg_size, -ENOMEM, "control server: out of memory");
		goto fail;
	}
	if (rc < 0) {
		rc = ctl_proto_errorf(msg, msg_size, rc, "pipe: %s", strerror(-rc));
		goto fail;
	}
	rc = ctl_access_init(&srv->access, opts->group, msg, msg_size);
	if (rc)
		goto fail;
	rc = ctl_access_listen(&srv->access, opts->path, BACKLOG, msg, msg_size);
	if (rc < 0)
		goto fail;
	srv->base.listen_fd = rc;
	/* Only now is the file ours to remove on free. */
	memcpy(srv->path, opts->path, strlen(opts->path) + 1);
	srv->opts.path = srv->path;
	srv->opts.group = NULL; /* the caller's string; resolved into gid above */
	return srv;
fail:
	ctl_server_free(srv);
	errno = -rc;
	return NULL;
}

void ctl_server_free(struct ctl_server *srv)
{
	unsigned int i;

	if (!srv)
		return;
	for (i = 0; srv->conns && i < srv->opts.max_clients; i++)
		ctl_conn_free(srv->conns[i]);
	if (srv->base.listen_fd >= 0)
		unlink(srv->path);
	server_base_close(&srv->base);
	free(srv->conns);
	free(srv->slot_of);
	free(srv);
}
