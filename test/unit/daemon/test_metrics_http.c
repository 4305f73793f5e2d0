/* The /metrics HTTP server: answers, 400/404/405/503, bounds, slow and stalled clients. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/metrics_http.h"

static struct metrics_http *srv;
static pthread_t thread;
static size_t body_size = 16;
static int renders;

static int render(void *opaque, char **body, size_t *len)
{
	(void)opaque;
	__atomic_fetch_add(&renders, 1, __ATOMIC_RELAXED);
	*body = malloc(body_size);
	if (!*body)
		return -ENOMEM;
	memset(*body, 'x', body_size);
	memcpy(*body, "slicenet_up 1\n", body_size < 14 ? body_size : 14);
	*len = body_size;
	return 0;
}

static void *run(void *arg)
{
	return (void *)(long)metrics_http_run(arg);
}

static void start(unsigned int max_clients, unsigned int timeout_ms)
{
	struct metrics_http_options opts;
	char msg[256];

	metrics_http_options_init(&opts);
	opts.addr = "127.0.0.1:0";
	opts.render = render;
	opts.max_clients = max_clients;
	opts.timeout_ms = timeout_ms;
	srv = metrics_http_create(&opts, msg, sizeof(msg));
	cr_assert_not_null(srv, "%s", msg);
	cr_assert_gt(metrics_http_port(srv), 0);
	cr_assert_eq(pthread_create(&thread, NULL, run, srv), 0);
}

static void stop(void)
{
	void *rc;

	metrics_http_stop(srv);
	pthread_join(thread, &rc);
	cr_assert_eq((long)rc, 0);
	metrics_http_free(srv);
}

static int dial(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons((uint16_t)metrics_http_port(srv))};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* Send req (len bytes) and read the whole answer (until close) within 3 s; malloc'ed. */
static char *exchange_fd(int fd, const char *req, size_t len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t r;

	if (len)
		cr_assert_eq(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	for (;;) {
		cr_assert_gt(poll(&p, 1, 3000), 0, "no answer within 3 s");
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
		r = read(fd, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(fd);
	return buf;
}

static char *exchange(const char *req)
{
	return exchange_fd(dial(), req, strlen(req));
}

static void assert_status(const char *req, const char *status)
{
	char *answer = exchange(req);

	cr_assert(!strncmp(answer, status, strlen(status)), "%s -> %s", req, answer);
	free(answer);
}

Test(metrics_http, get_metrics)
{
	char *answer;

	start(4, 2000);
	answer = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
	cr_assert(!strncmp(answer, "HTTP/1.1 200 OK\r\n", 17), "%s", answer);
	cr_assert(strstr(answer, "\r\nContent-Length: 16\r\n"), "%s", answer);
	cr_assert(strstr(answer, "\r\nConnection: close\r\n"), "%s", answer);
	cr_assert(strstr(answer, "\r\n\r\nslicenet_up 1\nxx"), "%s", answer);
	free(answer);
	/* HTTP/1.0, bare LFs and a query string are fine too; HEAD has no body. */
	assert_status("GET /metrics?x=1 HTTP/1.0\n\n", "HTTP/1.1 200 OK");
	answer = exchange("HEAD /metrics HTTP/1.1\r\n\r\n");
	cr_assert(strstr(answer, "Content-Length: 16\r\n"), "%s", answer);
	cr_assert(strstr(answer, "\r\n\r\n")[4] == '\0', "HEAD with a body: %s", answer);
	free(answer);
	stop();
}

Test(metrics_http, bad_requests)
{
	char big[METRICS_HTTP_REQUEST_MAX + 100];
	char *answer;
	int before;

	start(4, 2000);
	assert_status("garbage\r\n\r\n", "HTTP/1.1 400 ");
	assert_status("GET /metrics\r\n\r\n", "HTTP/1.1 400 ");
	assert_status("GET /metrics HTTP/2.0\r\n\r\n", "HTTP/1.1 400 ");
	assert_status("GET  /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400 ");
	assert_status("GET metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400 ");
	assert_status("GET /metrics HTTP/1.1\r\nX: \x01\r\n\r\n", "HTTP/1.1 400 ");
	assert_status("GET /met\xffrics HTTP/1.1\r\n\r\n", "HTTP/1.1 400 ");
	assert_status("POST /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 405 ");
	assert_status("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 404 ");
	assert_status("GET /metricsx HTTP/1.1\r\n\r\n", "HTTP/1.1 404 ");
	/* Headers past the bound without an end: 400, not a wait for more. */
	before = renders;
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	memset(big + 26, 'a', sizeof(big) - 26);
	answer = exchange_fd(dial(), big, sizeof(big));
	cr_assert(!strncmp(answer, "HTTP/1.1 400 ", 13), "%.40s", answer);
	free(answer);
	cr_assert_eq(renders, before, "rendered for a bad request");
	/* And it keeps answering. */
	assert_status("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK");
	stop();
}

static double elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

Test(metrics_http, slow_clients_hold_a_slot_until_their_deadline)
{
	struct timespec t0;
	int idle[2], partial;
	char *answer;

	start(3, 400);
	/* One says nothing, one sends half a request: neither stalls a third. */
	idle[0] = dial();
	partial = dial();
	cr_assert_eq(send(partial, "GET /metr", 9, 0), 9);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_status("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK");
	cr_assert_lt(elapsed_ms(&t0), 200, "served after %.0f ms", elapsed_ms(&t0));
	/* Slots full (two held + one more): the next is told so at once. */
	idle[1] = dial();
	usleep(50 * 1000);
	assert_status("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 503 ");
	/* Past the deadline the server closed them: reads see EOF, without an answer. */
	answer = exchange_fd(partial, NULL, 0);
	cr_assert_str_eq(answer, "");
	free(answer);
	cr_assert_geq(elapsed_ms(&t0), 350);
	close(idle[0]);
	close(idle[1]);
	assert_status("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK");
	stop();
}

Test(metrics_http, a_client_that_never_reads_does_not_stall_others)
{
	int stalled;
	char *answer;

	body_size = 8 << 20; /* more than the socket buffers hold */
	start(4, 500);
	stalled = dial();
	cr_assert_eq(send(stalled, "GET /metrics HTTP/1.1\r\n\r\n", 25, 0), 25);
	usleep(100 * 1000);
	body_size = 16;
	assert_status("GET /metrics HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK");
	usleep(600 * 1000);
	/* The stalled one was cut at its deadline: its answer ends short. */
	answer = exchange_fd(stalled, NULL, 0);
	cr_assert_lt(strlen(answer), (size_t)(8 << 20));
	free(answer);
	stop();
}

struct addr_case {
	char text[48];
	int rc;
	int family;
	unsigned int port;
};

static struct addr_case addr_cases[] = {
	{"127.0.0.1:9090", 0, AF_INET, 9090}, {"0.0.0.0:1", 0, AF_INET, 1},
	{":9100", 0, AF_INET, 9100},	      {"[::1]:9090", 0, AF_INET6, 9090},
	{"[::]:65535", 0, AF_INET6, 65535},   {"localhost:9090", -EINVAL, 0, 0},
	{"127.0.0.1", -EINVAL, 0, 0},	      {"127.0.0.1:", -EINVAL, 0, 0},
	{"127.0.0.1:65536", -EINVAL, 0, 0},   {"127.0.0.1:-1", -EINVAL, 0, 0},
	{"127.0.0.1:90x", -EINVAL, 0, 0},     {"::1:9090", -EINVAL, 0, 0},
	{"[::1:9090", -EINVAL, 0, 0},	      {"", -EINVAL, 0, 0},
};

ParameterizedTestParameters(metrics_http, addr_parse)
{
	return cr_make_param_array(struct addr_case, addr_cases,
				   sizeof(addr_cases) / sizeof(addr_cases[0]));
}

ParameterizedTest(struct addr_case *c, metrics_http, addr_parse)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char msg[256] = "";

	cr_assert_eq(metrics_http_addr_parse(c->text, &ss, &len, msg, sizeof(msg)), c->rc, "%s",
		     c->text);
	if (c->rc) {
		cr_assert(strstr(msg, "metrics address"), "%s", msg);
		return;
	}
	cr_assert_eq(ss.ss_family, c->family);
	cr_assert_eq(ntohs(c->family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						: ((struct sockaddr_in6 *)&ss)->sin6_port),
		     c->port);
}

Test(metrics_http, address_in_use_is_an_error)
{
	struct metrics_http_options opts;
	char addr[32], msg[256];

	start(2, 1000);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", metrics_http_port(srv));
	metrics_http_options_init(&opts);
	opts.addr = addr;
	opts.render = render;
	cr_assert_null(metrics_http_create(&opts, msg, sizeof(msg)));
	cr_assert_eq(errno, EADDRINUSE);
	cr_assert(strstr(msg, addr), "%s", msg);
	stop();
}
