/*
 * One control-socket client as the server sees it: the bytes of its
 * unfinished request, its queue of unsent replies, and the clocks that
 * bound how long it may hold either. Non-blocking I/O only, so nothing
 * here can stall the control thread on one client.
 */
#ifndef SLICENET_DAEMON_CTL_CONN_H
#define SLICENET_DAEMON_CTL_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/ctl_proto.h"

/* Why a connection ends (also what the server counts). */
enum ctl_conn_end {
	CTL_CONN_OPEN,	   /* not ending */
	CTL_CONN_HANGUP,   /* the peer closed, or a socket error */
	CTL_CONN_OVERSIZE, /* CTL_PROTO_MAX_REQUEST bytes without a newline */
	CTL_CONN_PARTIAL,  /* a request left unfinished past the partial timeout */
	CTL_CONN_STALLED,  /* replies queued and not read past the partial timeout */
	CTL_CONN_OVERFLOW, /* replies queued beyond the output limit: pipelines without reading */
	CTL_CONN_IDLE,	   /* nothing sent or asked past the idle timeout */
	CTL_CONN_END_COUNT,
};

struct ctl_conn_limits {
	size_t out_max;		      /* bytes of queued replies beyond the first one */
	long long partial_timeout_ms; /* unfinished request, or replies not read */
	long long idle_timeout_ms;    /* no request at all */
};

struct ctl_conn {
	int fd;
	enum ctl_conn_end end;
	long long active_ms;  /* last byte received or sent */
	long long partial_ms; /* when the unfinished request (in[0..in_len)) began */
	long long stall_ms;   /* when the reply queue last moved or became non-empty */
	size_t in_len;
	char *out;
	size_t out_off, out_len, out_cap;
	char in[CTL_PROTO_MAX_REQUEST];
};

/* A connection on fd (taken over: closed by ctl_conn_free). NULL with errno on failure. */
struct ctl_conn *ctl_conn_new(int fd, long long now_ms);
/* Close the fd and free. Accepts NULL. */
void ctl_conn_free(struct ctl_conn *conn);

/*
 * Receive what fits into the request buffer (one recv). Returns 0, or
 * -errno with conn->end set when the connection is over (peer gone).
 */
int ctl_conn_read(struct ctl_conn *conn, long long now_ms) __attribute__((warn_unused_result));

/*
 * The first complete request line in the buffer: its length with the '\n'
 * (the line starts at conn->in), or 0 when none is complete. A full buffer
 * without a newline sets conn->end to CTL_CONN_OVERSIZE and returns 0.
 */
size_t ctl_conn_next_line(struct ctl_conn *conn);
/* Drop the first len bytes (a served line); the rest is the next request's start. */
void ctl_conn_consume(struct ctl_conn *conn, size_t len, long long now_ms);

/*
 * Queue a reply line. The first reply always fits (a large fdb.list is
 * legal); one that would take the queue past limits->out_max means the
 * client pipelines without reading: -ENOBUFS and conn->end = OVERFLOW.
 */
int ctl_conn_queue(struct ctl_conn *conn, const char *line, size_t len,
		   const struct ctl_conn_limits *limits, long long now_ms)
	__attribute__((warn_unused_result));
/* Send what the socket takes now. 0, or -errno with conn->end set. */
int ctl_conn_flush(struct ctl_conn *conn, long long now_ms) __attribute__((warn_unused_result));
/* Replies queued and not yet sent. */
bool ctl_conn_has_output(const struct ctl_conn *conn);
/* Nothing half received and nothing to send: the connection may be evicted. */
bool ctl_conn_is_idle(const struct ctl_conn *conn);

/*
 * Apply the timeouts at now_ms: sets and returns conn->end (CTL_CONN_OPEN
 * while within them). *next_ms is lowered to the time of the next deadline.
 */
enum ctl_conn_end ctl_conn_check_timeouts(struct ctl_conn *conn,
					  const struct ctl_conn_limits *limits, long long now_ms,
					  long long *next_ms);

/* "hangup", "oversize", ... for logs. */
const char *ctl_conn_end_name(enum ctl_conn_end end);

#endif
