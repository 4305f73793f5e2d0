/*
 * What slicenetd's two poll-loop servers (the control socket,
 * daemon/ctl_server.c; /metrics, daemon/metrics_http.c, also in the agent)
 * hold alike: the listening socket, a self-pipe another thread writes to
 * stop the loop, and the pollfd array, [0] the pipe, [1] the listener, then
 * one per connection. Each server owns its connections and how it listens.
 */
#ifndef SLICENET_DAEMON_SERVER_BASE_H
#define SLICENET_DAEMON_SERVER_BASE_H

#include <poll.h>

#define SERVER_BASE_FIRST_CONN 2 /* pfds index of the first connection */

struct server_base {
	int listen_fd; /* -1 until the server listens */
	int wake[2];
	struct pollfd *pfds; /* SERVER_BASE_FIRST_CONN + max_clients */
};

/*
 * Allocate pfds and open the pipe (non-blocking, close-on-exec). 0 or
 * -errno; on failure base is still safe to pass to server_base_close.
 */
int server_base_init(struct server_base *base, unsigned int max_clients)
	__attribute__((warn_unused_result));

/* Put the pipe and the listener in pfds[0] and [1]; returns SERVER_BASE_FIRST_CONN. */
unsigned int server_base_arm(struct server_base *base);

/* Wake the loop (from any thread); a full pipe means a wake-up is pending anyway. */
void server_base_wake(struct server_base *base);

/* Close the listener and the pipe, free pfds. Safe after a failed init. */
void server_base_close(struct server_base *base);

#endif
