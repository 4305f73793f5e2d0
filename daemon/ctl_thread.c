/* The control server on a DPDK control thread, with ctl_cmds and the slicenetd log. */
#include "daemon/ctl_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <rte_lcore.h>

#include "daemon/ctl_cmds.h"
#include "daemon/ctl_server.h"
#include "daemon/log.h"

static struct ctl_server *server;
static pthread_t thread;
static bool running;

static void log_line(enum ctl_server_log_level level, const char *line)
{
	switch (level) {
	case CTL_SERVER_LOG_WARNING:
		LOG(WARNING, "%s", line);
		break;
	case CTL_SERVER_LOG_INFO:
		LOG(INFO, "%s", line);
		break;
	default:
		LOG(DEBUG, "%s", line);
		break;
	}
}

int ctl_thread_start(const struct daemon_config *cfg, void (*tick)(void))
{
	const struct ctl_server_ops ops = {
		.handle = ctl_cmds_handle, .tick = tick, .log = log_line};
	struct ctl_server_options opts;
	char msg[CTL_MESSAGE_MAX];
	int rc;

	ctl_server_options_init(&opts);
	opts.path = cfg->ctl_socket;
	opts.group = cfg->ctl_group;
	opts.max_clients = cfg->ctl_max_clients;
	opts.limits.partial_timeout_ms = cfg->ctl_partial_timeout_ms;
	opts.limits.idle_timeout_ms = cfg->ctl_idle_timeout_ms;
	server = ctl_server_create(&opts, &ops, msg, sizeof(msg));
	if (!server) {
		rc = -errno;
		LOG(ERR, "%s", msg);
		return rc;
	}
	/* A control thread runs on the CPUs left to the control plane, not a forwarding lcore's. */
	rc = rte_ctrl_thread_create(&thread, "slicenet-ctl", NULL, ctl_server_run, server);
	if (rc) {
		LOG(ERR, "control thread: %s", strerror(rc));
		ctl_server_free(server);
		server = NULL;
		return -rc;
	}
	running = true;
	LOG(INFO, "control socket %s", cfg->ctl_socket);
	return 0;
}

void ctl_thread_stop(void)
{
	if (running) {
		ctl_server_stop(server);
		pthread_join(thread, NULL);
		running = false;
	}
	ctl_server_free(server);
	server = NULL;
}
