/* One control client's buffers and clocks; see ctl_conn.h for the policy. */
#include "daemon/ctl_conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const end_names[CTL_CONN_END_COUNT] = {
	[CTL_CONN_OPEN] = "open",
	[CTL_CONN_HANGUP] = "hangup",
	[CTL_CONN_OVERSIZE] = "oversize",
	[CTL_CONN_PARTIAL] = "partial request timeout",
	[CTL_CONN_STALLED] = "replies not read",
	[CTL_CONN_OVERFLOW] = "reply queue full",
	[CTL_CONN_IDLE] = "idle timeout",
};

const char *ctl_conn_end_name(enum ctl_conn_end end)
{
	if ((unsigned int)end >= CTL_CONN_END_COUNT)
		return "?";
	return end_names[end];
}

struct ctl_conn *ctl_conn_new(int fd, long long now_ms)
{
	struct ctl_conn *conn = malloc(sizeof(*conn));

	if (!conn)
		return NULL;
	memset(conn, 0, offsetof(struct ctl_conn, in));
	conn->fd = fd;
	conn->end = CTL_CONN_OPEN;
	conn->active_ms = conn->partial_ms = conn->stall_ms = now_ms;
	return conn;
}

void ctl_conn_free(struct ctl_conn *conn)
{
	if (!conn)
		return;
	if (conn->fd >= 0)
		close(conn->fd);
	free(conn->out);
	free(conn);
}

static int hangup(struct ctl_conn *conn, int rc)
{
	conn->end = CTL_CONN_HANGUP;
	return rc;
}

int ctl_conn_read(struct ctl_conn *conn, long long now_ms)
{
	ssize_t n;

	if (conn->in_len == sizeof(conn->in))
		return 0;
	n = recv(conn->fd, conn->in + conn->in_len, sizeof(conn->in) - conn->in_len, MSG_DONTWAIT);
	if (n == 0)
		return hangup(conn, -ECONNRESET);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : hangup(conn, -errno);
	if (!conn->in_len)
		conn->partial_ms = now_ms;
	conn->in_len += (size_t)n;
	conn->active_ms = now_ms;
	return 0;
}

size_t ctl_conn_next_line(struct ctl_conn *conn)
{
	char *nl = memchr(conn->in, '\n', conn->in_len);

	if (nl)
		return (size_t)(nl - conn->in) + 1;
	/* Without a newline in the whole buffer there is no request boundary to resync on. */
	if (conn->in_len == sizeof(conn->in))
		conn->end = CTL_CONN_OVERSIZE;
	return 0;
}

void ctl_conn_consume(struct ctl_conn *conn, size_t len, long long now_ms)
{
	memmove(conn->in, conn->in + len, conn->in_len - len);
	conn->in_len -= len;
	/* What remains arrived with the served line, so its clock starts now at the latest. */
	conn->partial_ms = now_ms;
}

bool ctl_conn_has_output(const struct ctl_conn *conn)
{
	return conn->out_off < conn->out_len;
}

bool ctl_conn_is_idle(const struct ctl_conn *conn)
{
	return !conn->in_len && !ctl_conn_has_output(conn);
}

int ctl_conn_queue(struct ctl_conn *conn, const char *line, size_t len,
		   const struct ctl_conn_limits *limits, long long now_ms)
{
	size_t pending = conn->out_len - conn->out_off, cap;
	char *grown;

	if (pending && pending + len > limits->out_max) {
		conn->end = CTL_CONN_OVERFLOW;
		return -ENOBUFS;
	}
	if (!pending) {
		conn->out_off = conn->out_len = 0;
		conn->stall_ms = now_ms;
	}
	if (conn->out_off && conn->out_len + len > conn->out_cap) {
		/* Compact before growing: the sent head is dead weight. */
		memmove(conn->out, conn->out + conn->out_off, pending);
		conn->out_off = 0;
		conn->out_len = pending;
	}
	if (conn->out_len + len > conn->out_cap) {
		cap = conn->out_len + len;
		cap = cap < 4096 ? 4096 : cap;
		grown = realloc(conn->out, cap);
		if (!grown)
			return -ENOMEM;
		conn->out = grown;
		conn->out_cap = cap;
	}
	memcpy(conn->out + conn->out_len, line, len);
	conn->out_len += len;
	return 0;
}

int ctl_conn_flush(struct ctl_conn *conn, long long now_ms)
{
	ssize_t n;

	while (ctl_conn_has_output(conn)) {
		n = send(conn->fd, conn->out + conn->out_off, conn->out_len - conn->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : hangup(conn, -errno);
		}
		conn->out_off += (size_t)n;
		conn->active_ms = conn->stall_ms = now_ms;
	}
	return 0;
}

static enum ctl_conn_end expire(struct ctl_conn *conn, long long since, long long timeout,
				enum ctl_conn_end why, long long now_ms, long long *next_ms)
{
	if (now_ms - since >= timeout)
		return conn->end = why;
	if (since + timeout < *next_ms)
		*next_ms = since + timeout;
	return CTL_CONN_OPEN;
}

enum ctl_conn_end ctl_conn_check_timeouts(struct ctl_conn *conn,
					  const struct ctl_conn_limits *limits, long long now_ms,
					  long long *next_ms)
{
	if (conn->end != CTL_CONN_OPEN)
		return conn->end;
	if (ctl_conn_has_output(conn))
		return expire(conn, conn->stall_ms, limits->partial_timeout_ms, CTL_CONN_STALLED,
			      now_ms, next_ms);
	if (conn->in_len)
		return expire(conn, conn->partial_ms, limits->partial_timeout_ms, CTL_CONN_PARTIAL,
			      now_ms, next_ms);
	return expire(conn, conn->active_ms, limits->idle_timeout_ms, CTL_CONN_IDLE, now_ms,
		      next_ms);
}
