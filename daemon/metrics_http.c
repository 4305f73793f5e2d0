/* GET /metrics over HTTP/1.1: one poll loop, bounded everything (see metrics_http.h). */
#include "daemon/metrics_http.h"
#include "daemon/server_base.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ACCEPTS_PER_TURN 16

struct conn {
	int fd;
	uint64_t deadline; /* ms, monotonic */
	char *in;	   /* request_max bytes */
	size_t in_len;
	char *out; /* the whole answer, once known */
	size_t out_len, out_off;
};

struct metrics_http {
	struct metrics_http_options opts;
	struct server_base base; /* metrics_http_stop wakes the loop through its pipe */
	volatile int stop;
	unsigned int port;
	struct conn *conns; /* max_clients; fd -1 = free */
	int *map;	    /* conns[i] is pfds[map[i]] this turn, or -1 */
};

__attribute__((format(printf, 3, 4))) static int fail(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (msg && size) {
		va_start(ap, fmt);
		vsnprintf(msg, size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void metrics_http_options_init(struct metrics_http_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_clients = METRICS_HTTP_DEFAULT_CLIENTS;
	opts->request_max = METRICS_HTTP_REQUEST_MAX;
	opts->timeout_ms = METRICS_HTTP_TIMEOUT_MS;
	opts->content_type = "text/plain; charset=utf-8";
}

int metrics_http_addr_parse(const char *text, struct sockaddr_storage *ss, socklen_t *len,
			    char *msg, size_t msg_size)
{
	char host[METRICS_HTTP_ADDR_MAX];
	const char *colon, *port_text;
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	unsigned long port;
	size_t host_len;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (!text || strlen(text) >= sizeof(host))
		return fail(msg, msg_size, "metrics address: want ADDR:PORT");
	colon = strrchr(text, ':');
	if (!colon || !colon[1])
		return fail(msg, msg_size, "metrics address \"%s\": want ADDR:PORT", text);
	port_text = colon + 1;
	errno = 0;
	port = strtoul(port_text, &end, 10);
	if (*end || errno || port > 65535 || *port_text < '0' || *port_text > '9')
		return fail(msg, msg_size, "metrics address \"%s\": bad port \"%s\"", text,
			    port_text);
	host_len = (size_t)(colon - text);
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
		host[host_len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			return fail(msg, msg_size, "metrics address \"%s\": bad IPv6 address",
				    text);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	*len = sizeof(*in4);
	if (!host_len) {
		in4->sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		return fail(msg, msg_size,
			    "metrics address \"%s\": not a numeric IPv4 address or [IPv6]", text);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct metrics_http *metrics_http_create(const struct metrics_http_options *opts, char *msg,
					 size_t msg_size)
{
	struct sockaddr_storage ss;
	struct metrics_http *srv;
	socklen_t len;
	unsigned int i;
	int one = 1, rc;

	if (!opts->render || !opts->max_clients || opts->request_max < 64 || !opts->timeout_ms) {
		fail(msg, msg_size, "metrics server: bad options");
		errno = EINVAL;
		return NULL;
	}
	if (metrics_http_addr_parse(opts->addr, &ss, &len, msg, msg_size)) {
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		goto nomem;
	srv->opts = *opts;
	/* First: from here on metrics_http_free may run. */
	rc = server_base_init(&srv->base, opts->max_clients);
	srv->conns = calloc(opts->max_clients, sizeof(*srv->conns));
	/* Before any failure: a zeroed slot would be fd 0 to metrics_http_free. */
	for (i = 0; srv->conns && i < opts->max_clients; i++)
		srv->conns[i].fd = -1;
	srv->map = calloc(opts->max_clients, sizeof(*srv->map));
	if (rc == -ENOMEM || !srv->conns || !srv->map)
		goto nomem;
	for (i = 0; i < opts->max_clients; i++) {
		srv->conns[i].in = malloc(opts->request_max);
		if (!srv->conns[i].in)
			goto nomem;
	}
	if (rc < 0) {
		errno = -rc;
		goto sys;
	}
	srv->base.listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->base.listen_fd < 0)
		goto sys;
	setsockopt(srv->base.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(srv->base.listen_fd, (struct sockaddr *)&ss, len) ||
	    listen(srv->base.listen_fd, (int)opts->max_clients) ||
	    getsockname(srv->base.listen_fd, (struct sockaddr *)&ss, &len))
		goto sys;
	srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	return srv;
sys:
	rc = errno;
	fail(msg, msg_size, "metrics server on %s: %s", opts->addr, strerror(rc));
	metrics_http_free(srv);
	errno = rc;
	return NULL;
nomem:
	fail(msg, msg_size, "metrics server: out of memory");
	metrics_http_free(srv);
	errno = ENOMEM;
	return NULL;
}

unsigned int metrics_http_port(const struct metrics_http *srv)
{
	return srv->port;
}

static void conn_close(struct conn *c)
{
	char sink[512];
	int i;

	/*
	 * Unread request bytes would turn close() into a reset that can destroy
	 * the answer still in flight: read a little of what is left first.
	 */
	shutdown(c->fd, SHUT_WR);
	for (i = 0; i < 8 && read(c->fd, sink, sizeof(sink)) > 0; i++)
		;
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->in_len = c->out_len = c->out_off = 0;
}

/* Build the whole answer into c->out; the body (if any) is consumed. */
static void respond(struct conn *c, int status, const char *reason, const char *type, char *body,
		    size_t body_len, bool head_only, const char *extra)
{
	char header[256];
	int n;

	n = snprintf(header, sizeof(header),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		     "Connection: close\r\n\r\n",
		     status, reason, type, body_len, extra ? extra : "");
	c->out = n > 0 && n < (int)sizeof(header) ? malloc((size_t)n + body_len) : NULL;
	if (!c->out) {
		free(body);
		conn_close(c);
		return;
	}
	memcpy(c->out, header, (size_t)n);
	c->out_len = (size_t)n;
	if (!head_only && body_len) {
		memcpy(c->out + n, body, body_len);
		c->out_len += body_len;
	}
	free(body);
	c->out_off = 0;
}

static void respond_text(struct conn *c, int status, const char *reason, const char *extra)
{
	char *body = NULL;
	size_t len = 0;

	/* The body repeats the reason: curl and humans see why. */
	if (asprintf(&body, "%d %s\n", status, reason) > 0)
		len = strlen(body);
	respond(c, status, reason, "text/plain; charset=utf-8", body, len, false, extra);
}

/* Request line and headers are in c->in[0..end): answer them. */
static void handle_request(struct metrics_http *srv, struct conn *c, size_t end)
{
	char *line = c->in, *sp1, *sp2, *eol, *body = NULL;
	size_t i, body_len = 0;
	bool head;
	int rc;

	/* Printable ASCII only: bytes below 0x20 (but CR, LF, tab) or above 0x7e are garbage. */
	for (i = 0; i < end; i++) {
		unsigned char ch = (unsigned char)c->in[i];

		if ((ch < 0x20 && ch != '\r' && ch != '\n' && ch != '\t') || ch > 0x7e) {
			respond_text(c, 400, "Bad Request", NULL);
			return;
		}
	}
	eol = memchr(line, '\n', end);
	if (!eol) {
		respond_text(c, 400, "Bad Request", NULL);
		return;
	}
	*eol = '\0';
	if (eol > line && eol[-1] == '\r')
		eol[-1] = '\0';
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1 || strchr(sp2 + 1, ' ') ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) || (sp2[8] != '0' && sp2[8] != '1') || sp2[9]) {
		respond_text(c, 400, "Bad Request", NULL);
		return;
	}
	*sp1 = *sp2 = '\0';
	head = !strcmp(line, "HEAD");
	if (strcmp(line, "GET") && !head) {
		respond_text(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n");
		return;
	}
	if (sp1[1] != '/') {
		respond_text(c, 400, "Bad Request", NULL);
		return;
	}
	if (strcmp(sp1 + 1, "/metrics") && strncmp(sp1 + 1, "/metrics?", 9)) {
		respond_text(c, 404, "Not Found", NULL);
		return;
	}
	rc = srv->opts.render(srv->opts.opaque, &body, &body_len);
	if (rc) {
		respond_text(c, 500, "Internal Server Error", NULL);
		return;
	}
	respond(c, 200, "OK", srv->opts.content_type, body, body_len, head, NULL);
}

/* End of the header block ("\r\n\r\n" or a bare "\n\n"), or 0 when not there yet. */
static size_t header_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++)
		if (buf[i] == '\n' &&
		    (buf[i - 1] == '\n' || (i >= 2 && buf[i - 1] == '\r' && buf[i - 2] == '\n')))
			return i + 1;
	return 0;
}

static void conn_read(struct metrics_http *srv, struct conn *c)
{
	size_t end;
	ssize_t n;

	n = read(c->fd, c->in + c->in_len, srv->opts.request_max - c->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Gone before finishing a request: nobody to answer. */
		conn_close(c);
		return;
	}
	c->in_len += (size_t)n;
	end = header_end(c->in, c->in_len);
	if (end)
		handle_request(srv, c, end);
	else if (c->in_len == srv->opts.request_max)
		respond_text(c, 400, "Bad Request", NULL); /* no end within the bound */
}

static void conn_write(struct conn *c)
{
	ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->out_off += (size_t)n;
	if (c->out_off == c->out_len)
		conn_close(c);
}

static void accept_new(struct metrics_http *srv)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				   "Connection: close\r\n\r\n";
	unsigned int i, k;
	int fd;

	for (k = 0; k < ACCEPTS_PER_TURN; k++) {
		fd = accept4(srv->base.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		for (i = 0; i < srv->opts.max_clients && srv->conns[i].fd >= 0; i++)
			;
		if (i == srv->opts.max_clients) {
			/* Full: say so without waiting (best effort) and go on. */
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0;
			close(fd);
			continue;
		}
		srv->conns[i].fd = fd;
		srv->conns[i].deadline = now_ms() + srv->opts.timeout_ms;
	}
}

int metrics_http_run(struct metrics_http *srv)
{
	struct pollfd *pfds = srv->base.pfds;
	int *map = srv->map;
	unsigned int i, n;
	int timeout, rc;

	while (!srv->stop) {
		uint64_t now = now_ms(), next = UINT64_MAX;

		n = server_base_arm(&srv->base);
		for (i = 0; i < srv->opts.max_clients; i++) {
			struct conn *c = &srv->conns[i];

			map[i] = -1;
			if (c->fd < 0)
				continue;
			if (now >= c->deadline) {
				conn_close(c); /* too slow to ask or to read the answer */
				continue;
			}
			if (c->deadline < next)
				next = c->deadline;
			map[i] = (int)n;
			pfds[n++] =
				(struct pollfd){.fd = c->fd, .events = c->out ? POLLOUT : POLLIN};
		}
		timeout = next == UINT64_MAX ? -1 : (int)(next - now);
		rc = poll(pfds, n, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfds[0].revents)
			break;
		for (i = 0; i < srv->opts.max_clients; i++) {
			struct conn *c = &srv->conns[i];

			if (map[i] < 0 || c->fd < 0 || !pfds[map[i]].revents)
				continue;
			if (c->out)
				conn_write(c);
			else
				conn_read(srv, c);
			/* An answer made just now goes out without another turn when it can. */
			if (c->fd >= 0 && c->out && c->out_off == 0)
				conn_write(c);
		}
		if (pfds[1].revents)
			accept_new(srv);
	}
	return 0;
}

void metrics_http_stop(struct metrics_http *srv)
{
	srv->stop = 1;
	server_base_wake(&srv->base);
}

void metrics_http_free(struct metrics_http *srv)
{
	unsigned int i;

	if (!srv)
		return;
	for (i = 0; srv->conns && i < srv->opts.max_clients; i++) {
		if (srv->conns[i].fd >= 0)
			conn_close(&srv->conns[i]);
		free(srv->conns[i].in);
	}
	server_base_close(&srv->base);
	free(srv->conns);
	free(srv->map);
	free(srv);
}
