/*
 * A minimal HTTP/1.1 server for one thing: GET /metrics. One thread runs
 * metrics_http_run, a poll loop over non-blocking sockets, so a client that
 * sends slowly, never finishes its request or never reads the answer only
 * holds one of max_clients slots until its deadline, and never the caller.
 * Every connection gets one response and is closed ("Connection: close").
 * Requests larger than request_max, malformed request lines and other
 * versions than HTTP/1.x get 400; other methods 405; other paths 404.
 * No DPDK here: the body comes from a render callback.
 */
#ifndef SLICENET_DAEMON_METRICS_HTTP_H
#define SLICENET_DAEMON_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#define METRICS_HTTP_ADDR_MAX	     64
#define METRICS_HTTP_DEFAULT_CLIENTS 8
#define METRICS_HTTP_REQUEST_MAX     8192 /* request line and headers, bytes */
#define METRICS_HTTP_TIMEOUT_MS	     5000 /* from accept to the last byte of the answer */

/* The /metrics body: 0 with a malloc'ed *body (the server frees it), or -errno (500). */
typedef int (*metrics_http_render_fn)(void *opaque, char **body, size_t *len);

struct metrics_http_options {
	const char *addr; /* "ADDR:PORT", see metrics_http_addr_parse */
	unsigned int max_clients;
	size_t request_max;
	unsigned int timeout_ms;
	metrics_http_render_fn render;
	void *opaque;
	const char *content_type;
};

/* Defaults for everything but addr and render. */
void metrics_http_options_init(struct metrics_http_options *opts);

/*
 * "127.0.0.1:9090", "[::1]:9090", "0.0.0.0:9090", "[::]:9090" or ":9090"
 * (every address): numeric only, never a name lookup. Port 0 lets the kernel
 * choose (tests). 0 or -EINVAL with msg.
 */
int metrics_http_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len,
			    char *msg, size_t msg_size) __attribute__((warn_unused_result));

struct metrics_http;

/* Bind and listen; NULL with errno and msg. */
struct metrics_http *metrics_http_create(const struct metrics_http_options *opts, char *msg,
					 size_t msg_size);
/* The port it listens on (what port 0 became). */
unsigned int metrics_http_port(const struct metrics_http *srv);
/* Serve until metrics_http_stop; returns 0 (or -errno when poll fails for good). */
int metrics_http_run(struct metrics_http *srv);
/* From any thread (async-signal-safe): metrics_http_run returns soon. */
void metrics_http_stop(struct metrics_http *srv);
/* Close everything. Accepts NULL. */
void metrics_http_free(struct metrics_http *srv);

#endif
