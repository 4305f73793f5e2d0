/*
 * slicenet-agent: the node agent. Watches Nodes through the API server and
 * keeps this node's ranges file, routes / VXLAN entries to every other node
 * and the egress masquerade in line with them; counts the plugin's calls for
 * /metrics and reports datapath fallbacks as Pod Events (agent/node_metrics.h).
 * The only slicenet part that holds Kubernetes credentials (get/list/watch
 * nodes, create events, nothing else). --mode none (slicenet as a secondary
 * network) keeps only the metrics and Events.
 */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/backoff.h"
#include "agent/kube_config.h"
#include "agent/kube_http.h"
#include "agent/node_metrics.h"
#include "agent/node_table.h"
#include "agent/options.h"
#include "agent/reconcile.h"
#include "agent/reflector.h"
#include "plugin/kernel/netlink.h"
#include "plugin/util/log.h"

/* A failed reconcile is retried on the next tick, about a second later. */
#define RECONCILE_RETRY_MS 1000

static volatile sig_atomic_t stop_signal;

struct agent {
	struct agent_options options;
	struct node_table table;
	struct reconciler reconciler;
	bool listed; /* a complete list arrived: the table can be trusted */
	bool dirty;  /* the table changed since the last good reconcile */
	uint64_t next_reconcile_ms;
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void reconcile(struct agent *a, bool force)
{
	uint64_t now = backoff_now_ms();
	struct error err = {0};

	if (!a->listed || (!force && !a->dirty && now < a->next_reconcile_ms))
		return;
	if (reconcile_run(&a->reconciler, &a->table, &err) < 0) {
		log_error("reconcile: %s%s%s", err.msg, err.details[0] ? ": " : "", err.details);
		a->dirty = true;
		a->next_reconcile_ms = now + RECONCILE_RETRY_MS;
		return;
	}
	a->dirty = false;
	a->next_reconcile_ms = now + (uint64_t)a->options.resync_seconds * 1000;
}

static int on_replace(void *arg, const struct node *nodes, size_t n_nodes)
{
	struct agent *a = arg;
	int ret = node_table_replace(&a->table, nodes, n_nodes);

	if (ret < 0)
		return ret;
	a->listed = true;
	/* Every (re)list reconciles: deletes missed meanwhile are applied now. */
	reconcile(a, true);
	return 0;
}

static int on_upsert(void *arg, const struct node *node)
{
	struct agent *a = arg;
	int ret = node_table_upsert(&a->table, node);

	if (ret < 0)
		return ret;
	if (ret > 0) {
		log_info("node %s added or changed", node->name);
		reconcile(a, true);
	}
	return 0;
}

static int on_remove(void *arg, const struct node *node)
{
	struct agent *a = arg;

	if (node_table_remove(&a->table, node->name) > 0) {
		log_info("node %s deleted", node->name);
		reconcile(a, true);
	}
	return 0;
}

static int on_tick(void *arg)
{
	struct agent *a = arg;

	if (stop_signal)
		return 1;
	reconcile(a, false);
	return 0;
}

/*
 * --mode none (slicenet as a secondary network): the node metrics and
 * fallback Events only, until a signal. sleep() returns early on one.
 */
static void idle_until_signal(void)
{
	while (!stop_signal)
		sleep(1);
	log_info("stopping on signal %d", (int)stop_signal);
}

static int run(struct agent *a)
{
	const struct reflector_ops ops = {
		.replace = on_replace, .upsert = on_upsert, .remove = on_remove, .tick = on_tick};
	struct reflector_stats stats = {0};
	struct kube_config config;
	struct node_metrics *metrics = NULL;
	struct kube_http *http = NULL;
	struct error err = {0};
	int ret;

	ret = kube_config_resolve(a->options.api_server, a->options.token_file, a->options.ca_file,
				  &config, &err);
	if (ret < 0)
		goto fail;
	metrics = node_metrics_start(&a->options, &config, &err);
	if (!metrics) {
		ret = -EINVAL;
		goto fail;
	}
	if (!a->options.routing) {
		log_info("node %s, API server %s, mode none: no routes, VXLAN, masquerade or "
			 "ranges file",
			 a->options.node_name, config.server);
		idle_until_signal();
		node_metrics_stop(metrics);
		return 0;
	}
	http = kube_http_new(&config, &err);
	if (!http) {
		ret = -errno;
		goto fail;
	}
	log_info("node %s, API server %s, mode %s", a->options.node_name, config.server,
		 a->options.mode == AGENT_MODE_VXLAN ? "vxlan" : "host-gw");
	reflector_run(http, &ops, a, &stats);
	log_info("stopping on signal %d (routes stay unless --uninstall-on-stop): %lu lists, "
		 "%lu watches, %lu events, %lu gone, %lu unauthorized, %lu failures",
		 (int)stop_signal, stats.lists, stats.watches, stats.events, stats.gone,
		 stats.unauthorized, stats.failures);
	node_metrics_stop(metrics);
	kube_http_free(http);
	return 0;
fail:
	log_error("%s", err.msg);
	node_metrics_stop(metrics);
	kube_http_free(http);
	return ret;
}

/* --uninstall, --uninstall-on-stop and the start of --mode none. 0 or 1 (exit code). */
static int uninstall(struct agent *a)
{
	struct error err = {0};

	if (reconcile_uninstall(&a->options, a->reconciler.nl, &err) < 0) {
		log_error("uninstall: %s", err.msg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct agent *a = calloc(1, sizeof(*a));
	struct sigaction sa = {.sa_handler = on_signal};
	struct error err = {0};
	int ret = 1;

	if (!a)
		return 1;
	if (options_parse(argc, argv, &a->options, &err) < 0) {
		fprintf(stderr, "slicenet-agent: %s\n", err.msg);
		options_usage(stderr);
		free(a);
		return 2;
	}
	if (a->options.help) {
		options_usage(stdout);
		free(a);
		return 0;
	}
	if (log_open(a->options.log_file ? a->options.log_file : "/dev/stderr",
		     (enum log_level)a->options.log_level,
		     a->options.log_file ? 10ULL << 20 : 0) < 0) {
		fprintf(stderr, "slicenet-agent: cannot open log %s\n", a->options.log_file);
		free(a);
		return 1;
	}
	log_set_context("slicenet-agent");
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	a->reconciler.options = &a->options;
	a->reconciler.nl = netlink_open(&err);
	if (!a->reconciler.nl) {
		log_error("%s", err.msg);
		goto out;
	}
	if (a->options.uninstall) {
		ret = uninstall(a);
		goto out;
	}
	/*
	 * A switch from primary to secondary mode (helm upgrade) must not leave
	 * routes to other nodes' pod ranges behind: they are all marked ours.
	 */
	if (!a->options.routing) {
		log_info("mode none: removing what an earlier routing run left, if anything");
		if (uninstall(a))
			goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		log_error("curl_global_init failed");
		goto out;
	}
	ret = run(a) < 0;
	curl_global_cleanup();
	/* Only a stop on a signal, never a failed start, removes the node's routes. */
	if (ret == 0 && a->options.uninstall_on_stop)
		ret = uninstall(a);
out:
	netlink_close(a->reconciler.nl);
	node_table_free(&a->table);
	free(a);
	log_close();
	return ret;
}
