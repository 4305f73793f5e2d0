/* Control client: unreachable daemon, timeouts, garbled and good answers, from a fake server. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/ctl_client.h"

static char path[64];
static pid_t server = -1;

/* A one-connection server in a child: reads one line, waits delay_ms, writes answer (NULL: none).
 */
static void fake_server(const char *answer, int delay_ms)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int lfd, fd;

	snprintf(path, sizeof(path), "/tmp/sn-ctl-test-%d.sock", getpid());
	strcpy(addr.sun_path, path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	cr_assert_eq(listen(lfd, 1), 0);
	server = fork();
	cr_assert_geq(server, 0);
	if (server == 0) {
		char buf[4096];

		fd = accept(lfd, NULL, NULL);
		if (read(fd, buf, sizeof(buf)) < 0)
			_exit(1);
		usleep((useconds_t)delay_ms * 1000);
		if (answer && write(fd, answer, strlen(answer)) < 0)
			_exit(1);
		sleep(answer ? 0 : 5);
		_exit(0);
	}
	close(lfd);
}

static void teardown(void)
{
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	unlink(path);
}

TestSuite(ctl_client, .fini = teardown);

Test(ctl_client, no_daemon_is_enotconn)
{
	struct ctl_request req = {.method = CTL_VERSION};
	struct ctl_response resp;
	char err[256];

	cr_assert_eq(
		ctl_client_call("/tmp/sn-no-such.sock", 500, &req, &resp, NULL, err, sizeof(err)),
		-ENOTCONN);
	cr_assert(strstr(err, "not listening on /tmp/sn-no-such.sock"), "%s", err);
}

Test(ctl_client, silent_daemon_times_out)
{
	struct ctl_request req = {.method = CTL_VERSION};
	struct ctl_response resp;
	char err[256];

	fake_server(NULL, 0);
	cr_assert_eq(ctl_client_call(path, 300, &req, &resp, NULL, err, sizeof(err)), -ETIMEDOUT);
	cr_assert(strstr(err, "within 300 ms"), "%s", err);
}

Test(ctl_client, version_answer)
{
	struct ctl_request req = {.method = CTL_VERSION};
	struct ctl_response resp;
	char err[256], *raw;

	fake_server("{\"ok\":true,\"result\":{\"daemon\":\"0.1.0\",\"dpdk\":\"DPDK "
		    "22.11\",\"protocol\":1}}\n",
		    50);
	cr_assert_eq(ctl_client_call(path, 2000, &req, &resp, &raw, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_eq(resp.version.daemon, "0.1.0");
	cr_assert_eq(resp.version.protocol, 1);
	cr_assert(strstr(raw, "DPDK 22.11"));
	free(raw);
}

Test(ctl_client, daemon_error_is_returned_with_message)
{
	struct ctl_request req = {.method = CTL_PORT_DEL};
	struct ctl_response resp;
	char err[256];

	strcpy(req.port.name, "x");
	fake_server("{\"ok\":false,\"error\":{\"code\":2,\"message\":\"no port named x\"}}\n", 0);
	cr_assert_eq(ctl_client_call(path, 2000, &req, &resp, NULL, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "no port named x"), "%s", err);
}

Test(ctl_client, garbled_answer_is_eproto)
{
	struct ctl_request req = {.method = CTL_PORT_LIST};
	struct ctl_response resp;
	char err[256];

	fake_server("hello\n", 0);
	cr_assert_eq(ctl_client_call(path, 2000, &req, &resp, NULL, err, sizeof(err)), -EPROTO);
}
