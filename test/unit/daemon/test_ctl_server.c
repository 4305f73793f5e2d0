/*
 * The control server over a real unix socket in this process, with a stub
 * command table: replies, errors, oversize, timeouts, the reply queue bound,
 * the per-turn budget, max clients and the peer credential check.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/ctl_server.h"

#define VERSION_REQ "{\"method\":\"version\"}\n"

static char path[64];
static struct ctl_server *srv;
static pthread_t thread;
static bool threaded;
static int ticks;

static void stub_handle(const struct ctl_request *req, struct ctl_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->method = req->method;
	if (req->method == CTL_VERSION) {
		strcpy(resp->version.daemon, "stub");
		strcpy(resp->version.dpdk, "none");
		resp->version.protocol = CTL_PROTO_VERSION;
	} else if (req->method == CTL_PORT_DEL) {
		ctl_response_fail(resp, -ENOENT, "no port named %s", req->port.name);
	}
}

static void stub_tick(void)
{
	__atomic_fetch_add(&ticks, 1, __ATOMIC_RELAXED);
}

static void server_create(struct ctl_server_options *opts)
{
	const struct ctl_server_ops ops = {.handle = stub_handle, .tick = stub_tick};
	char msg[256] = "";

	snprintf(path, sizeof(path), "/tmp/sn-ctlsrv-%d.sock", getpid());
	opts->path = path;
	srv = ctl_server_create(opts, &ops, msg, sizeof(msg));
	cr_assert_not_null(srv, "%s", msg);
}

/* Default options with a few changes, served by a thread. */
static void start(unsigned int max_clients, size_t out_max, long long partial_ms, long long idle_ms)
{
	struct ctl_server_options opts;

	ctl_server_options_init(&opts);
	if (max_clients)
		opts.max_clients = max_clients;
	if (out_max)
		opts.limits.out_max = out_max;
	if (partial_ms)
		opts.limits.partial_timeout_ms = partial_ms;
	if (idle_ms)
		opts.limits.idle_timeout_ms = idle_ms;
	server_create(&opts);
	cr_assert_eq(pthread_create(&thread, NULL, ctl_server_run, srv), 0);
	threaded = true;
}

static void teardown(void)
{
	if (srv) {
		ctl_server_stop(srv);
		if (threaded)
			pthread_join(thread, NULL);
		ctl_server_free(srv);
	}
	srv = NULL;
	threaded = false;
}

TestSuite(ctl_server, .fini = teardown);

static struct ctl_server_counters counters(void)
{
	struct ctl_server_counters c;

	ctl_server_get_counters(srv, &c);
	return c;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	strcpy(addr.sun_path, path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "%s", strerror(errno));
	return fd;
}

static void say(int fd, const char *text)
{
	cr_assert_eq(send(fd, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

/* One reply line (without '\n') within timeout_ms; NULL on EOF, error or timeout. */
static char *hear(int fd, int timeout_ms)
{
	static char line[65536];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	long long deadline = now_ms() + timeout_ms;
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(line) - 1) {
		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			return NULL;
		/* Byte by byte: the next reply stays in the socket for the next call. */
		n = recv(fd, line + len, 1, 0);
		if (n <= 0)
			return NULL;
		if (line[len] == '\n') {
			line[len] = '\0';
			return line;
		}
		len++;
	}
	return NULL;
}

static char *ask(int fd, const char *request)
{
	say(fd, request);
	return hear(fd, 2000);
}

/* The server closed fd within timeout_ms (EOF or reset, after any replies). */
static bool closed_within(int fd, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	long long deadline = now_ms() + timeout_ms;
	char buf[4096];
	ssize_t n;

	while (now_ms() < deadline) {
		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			return false;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return true;
	}
	return false;
}

/* n copies of VERSION_REQ in one malloc'ed buffer; *len its length. */
static char *version_requests(int n, size_t *len)
{
	size_t one = strlen(VERSION_REQ);
	char *buf = malloc(one * (size_t)n);

	cr_assert_not_null(buf);
	for (int i = 0; i < n; i++)
		memcpy(buf + one * (size_t)i, VERSION_REQ, one);
	*len = one * (size_t)n;
	return buf;
}

Test(ctl_server, answers_a_request)
{
	struct ctl_response resp;
	char msg[128], *line;
	int fd;

	start(0, 0, 0, 0);
	fd = dial();
	line = ask(fd, VERSION_REQ);
	cr_assert_not_null(line);
	cr_assert_eq(
		ctl_proto_decode_response(line, strlen(line), CTL_VERSION, &resp, msg, sizeof(msg)),
		0, "%s: %s", line, msg);
	cr_assert_eq(resp.error, 0);
	cr_assert_str_eq(resp.version.daemon, "stub");
	close(fd);
}

Test(ctl_server, handler_errors_reach_the_client)
{
	char *line;
	int fd;

	start(0, 0, 0, 0);
	fd = dial();
	line = ask(fd, "{\"method\":\"port.del\",\"params\":{\"name\":\"ghost\"}}\n");
	cr_assert_not_null(line);
	cr_assert_str_eq(
		line, "{\"ok\":false,\"error\":{\"code\":2,\"message\":\"no port named ghost\"}}");
	close(fd);
}

Test(ctl_server, malformed_and_unknown_requests_get_errors_and_keep_the_connection)
{
	char *line;
	int fd;

	start(0, 0, 0, 0);
	fd = dial();
	/* Pipelined: answered in order, one line each. */
	say(fd,
	    "nonsense\n{\"method\":\"reboot\"}\n{\"method\":\"version\",\"x\":1}\n" VERSION_REQ);
	line = hear(fd, 2000);
	cr_assert(line && strstr(line, "\"code\":22") && strstr(line, "malformed JSON"), "%s",
		  line);
	line = hear(fd, 2000);
	cr_assert(line && strstr(line, "unknown method \\\"reboot\\\""), "%s", line);
	line = hear(fd, 2000);
	cr_assert(line && strstr(line, "unknown key \\\"x\\\""), "%s", line);
	line = hear(fd, 2000);
	cr_assert(line && strstr(line, "\"ok\":true"), "%s", line);
	cr_assert_eq(counters().requests, 4);
	close(fd);
}

Test(ctl_server, oversized_request_gets_emsgsize_and_is_closed)
{
	char *junk = malloc(CTL_PROTO_MAX_REQUEST + 100);
	char *line;
	int fd;

	start(0, 0, 0, 0);
	fd = dial();
	memset(junk, 'x', CTL_PROTO_MAX_REQUEST + 100);
	/* The server may close before taking it all. */
	if (send(fd, junk, CTL_PROTO_MAX_REQUEST + 100, MSG_NOSIGNAL) < 0)
		cr_assert(errno == EPIPE || errno == ECONNRESET, "%s", strerror(errno));
	line = hear(fd, 2000);
	cr_assert(line && strstr(line, "\"code\":90") && strstr(line, "longer than 16384"), "%s",
		  line);
	cr_assert(closed_within(fd, 2000));
	cr_assert_eq(counters().ended[CTL_CONN_OVERSIZE], 1);
	free(junk);
	close(fd);
}

Test(ctl_server, half_a_request_times_out)
{
	long long t0;
	char *line;
	int fd;

	start(0, 0, 200, 0);
	fd = dial();
	t0 = now_ms();
	line = ask(fd, "{\"method\":\"vers");
	cr_assert(line && strstr(line, "\"code\":110") && strstr(line, "within 200 ms"), "%s",
		  line);
	cr_assert(closed_within(fd, 1000));
	cr_assert_geq(now_ms() - t0, 190);
	cr_assert_lt(now_ms() - t0, 1000, "took %lld ms", now_ms() - t0);
	cr_assert_eq(counters().ended[CTL_CONN_PARTIAL], 1);
	close(fd);
}

Test(ctl_server, silent_connection_times_out)
{
	long long t0 = now_ms();
	int fd;

	start(0, 0, 0, 300);
	fd = dial();
	cr_assert(closed_within(fd, 2000));
	cr_assert_geq(now_ms() - t0, 290);
	cr_assert_eq(counters().ended[CTL_CONN_IDLE], 1);
	close(fd);
}

Test(ctl_server, a_client_that_never_reads_is_disconnected_and_others_are_served)
{
	size_t len, off = 0;
	char *flood = version_requests(20000, &len), *line;
	long long t0;
	int bad, good;
	ssize_t n;

	start(0, 4096, 0, 0);
	bad = dial();
	good = dial();
	fcntl(bad, F_SETFL, O_NONBLOCK);
	/* Pipeline as much as the server takes, never reading a reply. */
	t0 = now_ms();
	while (off < len && now_ms() - t0 < 3000) {
		n = send(bad, flood + off, len - off, MSG_NOSIGNAL);
		if (n > 0)
			off += (size_t)n;
		else if (errno == EAGAIN)
			usleep(1000);
		else
			break;
	}
	cr_assert_eq(counters().ended[CTL_CONN_OVERFLOW], 1, "sent %zu of %zu bytes", off, len);
	t0 = now_ms();
	line = ask(good, VERSION_REQ);
	cr_assert(line && strstr(line, "\"ok\":true"), "%s", line);
	cr_assert_lt(now_ms() - t0, 100);
	free(flood);
	close(bad);
	close(good);
}

Test(ctl_server, budget_serves_each_client_in_turn)
{
	struct ctl_server_options opts;
	size_t len;
	char *batch = version_requests(100, &len), got[65536];
	int busy, quiet, i, turns;
	ssize_t n;

	ctl_server_options_init(&opts);
	opts.turn_budget = 4;
	server_create(&opts);
	busy = dial();
	quiet = dial();
	cr_assert_eq(send(busy, batch, len, 0), (ssize_t)len);
	say(quiet, VERSION_REQ);
	/* Accepting reads what both sent; the next turn serves a budget from each. */
	for (turns = 0; turns < 10 && counters().accepted < 2; turns++)
		cr_assert_eq(ctl_server_turn(srv, 100), 0);
	cr_assert_eq(counters().accepted, 2);
	cr_assert_eq(ctl_server_turn(srv, 100), 0);
	cr_assert_not_null(hear(quiet, 100), "the quiet client waited behind the busy one");
	n = recv(busy, got, sizeof(got), MSG_DONTWAIT);
	cr_assert_gt(n, 0);
	for (i = 0, len = 0; len < (size_t)n; len++)
		i += got[len] == '\n';
	cr_assert_eq(i, 4, "%d replies to the busy client in one turn", i);
	free(batch);
	close(busy);
	close(quiet);
}

Test(ctl_server, the_longest_idle_connection_makes_room)
{
	int old, mid, fresh;
	char *line;

	start(2, 0, 0, 0);
	old = dial();
	usleep(150000);
	mid = dial();
	usleep(150000);
	fresh = dial();
	line = ask(fresh, VERSION_REQ);
	cr_assert(line && strstr(line, "\"ok\":true"), "%s", line);
	cr_assert(closed_within(old, 1000), "the oldest idle connection is still open");
	cr_assert_not_null(ask(mid, VERSION_REQ), "the younger one was closed too");
	cr_assert_eq(counters().evicted, 1);
	close(old);
	close(mid);
	close(fresh);
}

Test(ctl_server, a_client_between_requests_is_not_evicted)
{
	int loop, late;
	char *line;

	start(1, 0, 0, 0);
	loop = dial();
	cr_assert_not_null(ask(loop, VERSION_REQ));
	/* Idle for a moment only: it asks in a loop, the newcomer must wait its turn. */
	late = dial();
	line = hear(late, 2000);
	cr_assert(line && strstr(line, "\"code\":16"), "%s", line);
	cr_assert_not_null(ask(loop, VERSION_REQ), "the looping client was cut off");
	cr_assert_eq(counters().evicted, 0);
	close(loop);
	close(late);
}

Test(ctl_server, full_of_busy_connections_refuses_with_ebusy)
{
	int busy, late;
	char *line;

	start(1, 0, 5000, 0);
	busy = dial();
	say(busy, "{\"method\":");
	usleep(100000);
	late = dial();
	line = hear(late, 2000);
	cr_assert(line && strstr(line, "\"code\":16") && strstr(line, "too many"), "%s", line);
	cr_assert_eq(counters().refused_full, 1);
	close(busy);
	close(late);
}

/*
 * The child of the peer test: forked before the server thread exists (a
 * fork of a threaded process may inherit a held allocator lock), it drops
 * to uid 65534, waits for the go byte and uses only raw calls. Exit 0: the
 * server refused (an EACCES line, or a reset before it); 1: it answered.
 */
static void __attribute__((noreturn)) stranger(int go)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char c, buf[512];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534) || read(go, &c, 1) != 1)
		_exit(3);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		_exit(4);
	if (send(fd, VERSION_REQ, strlen(VERSION_REQ), MSG_NOSIGNAL) < 0) {
		/* Reset already: that is a refusal too. */
	}
	alarm(5);
	while (len < sizeof(buf) - 1 && (n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (strstr(buf, "\"ok\":true"))
		_exit(1);
	_exit(len == 0 || strstr(buf, "\"code\":13") ? 0 : 2);
}

Test(ctl_server, other_users_are_refused_by_peer_credentials)
{
	int go[2], status;
	pid_t child;

	cr_assert_eq(geteuid(), 0, "this test switches to uid 65534: run the unit tests as root");
	snprintf(path, sizeof(path), "/tmp/sn-ctlsrv-%d.sock", getpid());
	cr_assert_eq(pipe(go), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0)
		stranger(go[0]);
	start(0, 0, 0, 0);
	/* Let anyone reach the socket, so only SO_PEERCRED stands in the way. */
	cr_assert_eq(chmod(path, 0666), 0);
	cr_assert_eq(write(go[1], "g", 1), 1);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	cr_assert_eq(counters().refused_peer, 1);
	cr_assert_eq(counters().accepted, 0);
	close(go[0]);
	close(go[1]);
}

Test(ctl_server, ticks_about_once_a_second)
{
	start(0, 0, 0, 0);
	usleep(1300 * 1000);
	cr_assert_geq(__atomic_load_n(&ticks, __ATOMIC_RELAXED), 1);
	cr_assert_leq(__atomic_load_n(&ticks, __ATOMIC_RELAXED), 2);
}

Test(ctl_server, a_bad_path_fails_with_a_message)
{
	struct ctl_server_options opts;
	const struct ctl_server_ops ops = {.handle = stub_handle};
	char msg[256] = "";

	ctl_server_options_init(&opts);
	opts.path = "/nonexistent-dir/ctl.sock";
	cr_assert_null(ctl_server_create(&opts, &ops, msg, sizeof(msg)));
	cr_assert_eq(errno, ENOENT);
	cr_assert(strstr(msg, "/nonexistent-dir/ctl.sock"), "%s", msg);
	opts.group = "no-such-group-here";
	cr_assert_null(ctl_server_create(&opts, &ops, msg, sizeof(msg)));
	cr_assert(strstr(msg, "no-such-group-here"), "%s", msg);
}
