/*
 * The control socket server: a unix stream socket (mode 0660, peers checked
 * with SO_PEERCRED: root, our own uid or the control group) served by one
 * poll loop, which also runs a once-a-second housekeeping tick. No DPDK:
 * the daemon runs ctl_server_run on a DPDK control thread (ctl_thread.c);
 * tests run it on a plain thread or turn by turn.
 *
 * Fairness (one client must not delay another beyond a bound): each loop
 * turn serves at most turn_budget requests per client; replies are queued
 * per client and sent without blocking, and a client whose queue passes
 * out_max (it pipelines without reading) is disconnected; a request left
 * unfinished, or replies left unread, for partial_timeout_ms end the
 * connection, as does idle_timeout_ms without any traffic; at most
 * max_clients connections, and when all are taken the longest-idle one
 * (nothing half received or unsent, silent for 100 ms) makes room for the
 * newcomer; with none such the newcomer gets EBUSY.
 */
#ifndef SLICENET_DAEMON_CTL_SERVER_H
#define SLICENET_DAEMON_CTL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/ctl_conn.h"
#include "daemon/ctl_proto.h"

#define CTL_SERVER_DEFAULT_MAX_CLIENTS	   64
#define CTL_SERVER_DEFAULT_TURN_BUDGET	   4
#define CTL_SERVER_DEFAULT_OUT_MAX	   (64u << 10)
#define CTL_SERVER_DEFAULT_PARTIAL_TIMEOUT 2000	 /* ms */
#define CTL_SERVER_DEFAULT_IDLE_TIMEOUT	   30000 /* ms */

struct ctl_server_options {
	const char *path;  /* the socket; an existing file there is replaced */
	const char *group; /* members may connect; NULL or "" = root and our uid only */
	unsigned int max_clients;
	unsigned int turn_budget; /* requests per client per loop turn */
	struct ctl_conn_limits limits;
};

enum ctl_server_log_level {
	CTL_SERVER_LOG_DEBUG,
	CTL_SERVER_LOG_INFO,
	CTL_SERVER_LOG_WARNING,
};

struct ctl_server_ops {
	/* Fill resp (zeroed, method set) for req; resp->error on failure. Required. */
	void (*handle)(const struct ctl_request *req, struct ctl_response *resp);
	/* About once a second on the server's thread. May be NULL. */
	void (*tick)(void);
	/* Refusals and disconnects, one line each. May be NULL. */
	void (*log)(enum ctl_server_log_level level, const char *line);
};

/* What the server did, for tests and logs. */
struct ctl_server_counters {
	uint64_t accepted;
	uint64_t refused_peer; /* SO_PEERCRED said no */
	uint64_t refused_full; /* max_clients busy, none idle */
	uint64_t evicted;      /* idle, to make room for a newcomer */
	uint64_t requests;
	uint64_t ended[CTL_CONN_END_COUNT]; /* connections closed, by reason */
};

/* Defaults above; path and group NULL. */
void ctl_server_options_init(struct ctl_server_options *opts);

/*
 * Bind and listen (nothing runs yet). NULL with errno on failure, and a
 * message naming the path or group in msg.
 */
struct ctl_server *ctl_server_create(const struct ctl_server_options *opts,
				     const struct ctl_server_ops *ops, char *msg, size_t msg_size);

/*
 * One loop turn: wait up to timeout_ms (less when a deadline or queued work
 * is due), then serve. Returns 0, 1 once ctl_server_stop was called, or
 * -errno when poll fails.
 */
int ctl_server_turn(struct ctl_server *srv, int timeout_ms) __attribute__((warn_unused_result));
/* Turns until ctl_server_stop or a poll failure; pthread-shaped (srv in, NULL out). */
void *ctl_server_run(void *srv);
/* Ask the loop to return (from any thread or a signal handler). */
void ctl_server_stop(struct ctl_server *srv);

/* A consistent-enough copy of the counters (relaxed atomics), from any thread. */
void ctl_server_get_counters(struct ctl_server *srv, struct ctl_server_counters *out);

/* Close every connection and the socket, remove the socket file. Accepts NULL. */
void ctl_server_free(struct ctl_server *srv);

#endif
