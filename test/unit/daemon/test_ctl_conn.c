/* One control client's framing, reply queue bound and timeouts, over a socketpair. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/ctl_conn.h"

static const struct ctl_conn_limits limits = {
	.out_max = 1024, .partial_timeout_ms = 2000, .idle_timeout_ms = 30000};
static int peer = -1;
static struct ctl_conn *conn;

static void setup(void)
{
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	conn = ctl_conn_new(sv[0], 1000);
	cr_assert_not_null(conn);
	peer = sv[1];
}

static void teardown(void)
{
	ctl_conn_free(conn);
	close(peer);
}

TestSuite(ctl_conn, .init = setup, .fini = teardown);

static void peer_send(const char *text)
{
	cr_assert_eq(send(peer, text, strlen(text), 0), (ssize_t)strlen(text));
}

/* Send len bytes and read them into conn, as much as the socket takes at a time. */
static void feed(const char *data, size_t len)
{
	size_t sent = 0;
	ssize_t n;

	while (sent < len) {
		n = send(peer, data + sent, len - sent, 0);
		cr_assert_gt(n, 0);
		sent += (size_t)n;
		cr_assert_eq(ctl_conn_read(conn, 1000), 0);
	}
	while (conn->in_len < len)
		cr_assert_eq(ctl_conn_read(conn, 1000), 0);
}

Test(ctl_conn, lines_are_framed_and_consumed_in_order)
{
	peer_send("{\"a\":1}\n{\"b\":2}\n{\"c\"");
	cr_assert_eq(ctl_conn_read(conn, 1100), 0);
	cr_assert_eq(ctl_conn_next_line(conn), 8);
	cr_assert_eq(memcmp(conn->in, "{\"a\":1}\n", 8), 0);
	ctl_conn_consume(conn, 8, 1100);
	cr_assert_eq(ctl_conn_next_line(conn), 8);
	ctl_conn_consume(conn, 8, 1100);
	cr_assert_eq(ctl_conn_next_line(conn), 0, "half a request is not a line");
	cr_assert_eq(conn->end, CTL_CONN_OPEN);
	cr_assert_eq(conn->in_len, 4);
	cr_assert_not(ctl_conn_is_idle(conn));
}

Test(ctl_conn, a_full_buffer_without_newline_is_oversize)
{
	char *junk = malloc(CTL_PROTO_MAX_REQUEST);

	memset(junk, 'x', CTL_PROTO_MAX_REQUEST);
	feed(junk, CTL_PROTO_MAX_REQUEST);
	cr_assert_eq(ctl_conn_next_line(conn), 0);
	cr_assert_eq(conn->end, CTL_CONN_OVERSIZE);
	free(junk);
}

Test(ctl_conn, a_request_of_exactly_the_maximum_is_a_line)
{
	char *line = malloc(CTL_PROTO_MAX_REQUEST);

	memset(line, ' ', CTL_PROTO_MAX_REQUEST);
	line[CTL_PROTO_MAX_REQUEST - 1] = '\n';
	feed(line, CTL_PROTO_MAX_REQUEST);
	cr_assert_eq(ctl_conn_next_line(conn), CTL_PROTO_MAX_REQUEST);
	cr_assert_eq(conn->end, CTL_CONN_OPEN);
	free(line);
}

Test(ctl_conn, peer_close_is_hangup)
{
	close(peer);
	peer = -1;
	cr_assert_lt(ctl_conn_read(conn, 1000), 0);
	cr_assert_eq(conn->end, CTL_CONN_HANGUP);
}

Test(ctl_conn, first_reply_may_exceed_the_limit_the_next_may_not)
{
	char big[4096], small[100];

	memset(big, 'b', sizeof(big));
	memset(small, 's', sizeof(small));
	cr_assert_eq(ctl_conn_queue(conn, big, sizeof(big), &limits, 1000), 0);
	cr_assert(ctl_conn_has_output(conn));
	cr_assert_eq(ctl_conn_queue(conn, small, sizeof(small), &limits, 1000), -ENOBUFS);
	cr_assert_eq(conn->end, CTL_CONN_OVERFLOW);
}

Test(ctl_conn, replies_queue_up_to_the_limit_and_flush_in_order)
{
	char got[2048];
	int i;

	for (i = 0; i < 10; i++)
		cr_assert_eq(ctl_conn_queue(conn, "0123456789\n", 11, &limits, 1000), 0);
	cr_assert_eq(ctl_conn_flush(conn, 1200), 0);
	cr_assert_not(ctl_conn_has_output(conn));
	cr_assert_eq(conn->stall_ms, 1200);
	cr_assert_eq(recv(peer, got, sizeof(got), 0), 110);
	cr_assert_eq(memcmp(got + 99, "0123456789\n", 11), 0);
	cr_assert(ctl_conn_is_idle(conn));
}

Test(ctl_conn, unfinished_request_expires_after_the_partial_timeout)
{
	long long next = 1000000;

	peer_send("{\"method\":");
	cr_assert_eq(ctl_conn_read(conn, 5000), 0);
	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 6999, &next), CTL_CONN_OPEN);
	cr_assert_eq(next, 7000, "next deadline %lld", next);
	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 7000, &next), CTL_CONN_PARTIAL);
	cr_assert_eq(conn->end, CTL_CONN_PARTIAL);
}

Test(ctl_conn, a_served_line_restarts_the_partial_clock)
{
	long long next = 1000000;

	peer_send("{}\n{\"met");
	cr_assert_eq(ctl_conn_read(conn, 5000), 0);
	ctl_conn_consume(conn, ctl_conn_next_line(conn), 6500);
	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 8000, &next), CTL_CONN_OPEN);
	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 8500, &next), CTL_CONN_PARTIAL);
}

Test(ctl_conn, silent_connection_expires_after_the_idle_timeout)
{
	long long next = 1000000;

	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 30999, &next), CTL_CONN_OPEN);
	cr_assert_eq(next, 31000);
	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 31000, &next), CTL_CONN_IDLE);
}

Test(ctl_conn, replies_left_unread_expire_after_the_partial_timeout)
{
	static char chunk[65536];
	struct ctl_conn_limits unlimited = limits;
	long long next = 1000000;

	/* More than the socket buffer holds, and the peer never reads. */
	unlimited.out_max = (size_t)-1;
	memset(chunk, 'r', sizeof(chunk));
	for (int i = 0; i < 32; i++)
		cr_assert_eq(ctl_conn_queue(conn, chunk, sizeof(chunk), &unlimited, 1000), 0);
	cr_assert_eq(ctl_conn_flush(conn, 1000), 0);
	cr_assert(ctl_conn_has_output(conn), "the socket took 2 MiB: test assumption broken");
	cr_assert_eq(ctl_conn_flush(conn, 1500), 0);
	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 2999, &next), CTL_CONN_OPEN);
	cr_assert_eq(ctl_conn_check_timeouts(conn, &limits, 3000, &next), CTL_CONN_STALLED);
}
