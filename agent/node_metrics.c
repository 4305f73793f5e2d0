/* Poller thread + HTTP thread sharing one mutex-guarded snapshot. */
#include "agent/node_metrics.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/cni_event.h"
#include "agent/cni_stats.h"
#include "agent/events_tail.h"
#include "agent/fallback_event.h"
#include "agent/install_status.h"
#include "agent/ipam_ranges.h"
#include "agent/ipam_usage.h"
#include "agent/kube_http.h"
#include "daemon/metrics_http.h"
#include "daemon/metrics_text.h"
#include "plugin/util/log.h"

#define POLL_MS 1000
/* Events not yet accepted by the API server are retried; past this, dropped. */
#define PENDING_EVENTS_MAX 64

struct node_metrics {
	const struct agent_options *options;
	struct kube_http *http; /* NULL: no Events */
	struct events_tail tail;
	pthread_mutex_t lock; /* guards the four below */
	struct cni_stats stats;
	struct ipam_usage ipam;
	int status_known; /* 0 none, 1 read */
	bool rejected;
	uint64_t events_posted, events_failed;
	struct cni_event pending[PENDING_EVENTS_MAX];
	size_t n_pending;
	struct metrics_http *srv;
	pthread_t poller, server;
	bool poller_started, server_started;
	volatile sig_atomic_t stopping;
	pthread_mutex_t wake_lock;
	pthread_cond_t wake;
};

static void on_line(const char *line, size_t size, void *arg)
{
	struct node_metrics *nm = arg;
	struct cni_event ev;

	if (cni_event_parse(line, size, &ev) < 0) {
		log_warn("events.log: malformed line ignored: %.*s", (int)(size > 200 ? 200 : size),
			 line);
		return;
	}
	pthread_mutex_lock(&nm->lock);
	(void)!cni_stats_add(&nm->stats, &ev);
	pthread_mutex_unlock(&nm->lock);
	if (!cni_event_is_fallback(&ev))
		return;
	log_info("pod %s/%s slice %s: fallback from %s to %s",
		 ev.pod_namespace[0] ? ev.pod_namespace : "-", ev.pod_name[0] ? ev.pod_name : "-",
		 ev.slice, ev.preferred, ev.datapath);
	if (nm->http && ev.pod_namespace[0] && ev.pod_name[0]) {
		if (nm->n_pending < PENDING_EVENTS_MAX)
			nm->pending[nm->n_pending++] = ev;
		else
			nm->events_failed++;
	}
}

static void post_pending(struct node_metrics *nm)
{
	size_t kept = 0;

	for (size_t i = 0; i < nm->n_pending; i++) {
		struct error err = {0};
		int ret = fallback_event_post(nm->http, &nm->pending[i], nm->options->node_name,
					      &err);

		if (ret == 0) {
			nm->events_posted++;
			continue;
		}
		log_warn("event for pod %s/%s: %s", nm->pending[i].pod_namespace,
			 nm->pending[i].pod_name, err.msg);
		/* Refused outright (RBAC, a gone namespace): retrying will not help. */
		if (ret == -EPERM || ret == -EINVAL) {
			nm->events_failed++;
			continue;
		}
		nm->pending[kept++] = nm->pending[i];
	}
	nm->n_pending = kept;
}

static void read_status(struct node_metrics *nm)
{
	struct install_status st;
	struct error err = {0};
	int ret = install_status_read(nm->options->install_status, &st, &err);

	if (ret == -ENOENT)
		return;
	if (ret < 0) {
		log_debug("%s", err.msg);
		return;
	}
	if (!nm->status_known || st.rejected != nm->rejected) {
		if (st.rejected)
			log_warn("slice table rejected by the installer (%s): %s; still installed: "
				 "%s; candidate: %s",
				 st.time, st.error, st.installed, st.candidate);
		else
			log_info("slice table accepted by the installer (%s): %s", st.time,
				 st.installed);
	}
	pthread_mutex_lock(&nm->lock);
	nm->status_known = 1;
	nm->rejected = st.rejected;
	pthread_mutex_unlock(&nm->lock);
}

/* The ranges this node's IPAM hands out, read afresh: the file follows the Node's podCIDRs. */
static void read_ranges(struct node_metrics *nm, struct ipam_ranges *ranges)
{
	const struct agent_options *o = nm->options;
	struct error err = {0};

	/* Without ranges the per-network totals still count. */
	if (ipam_ranges_read(o->ranges_file, ranges, &err) < 0)
		log_debug("ipam: %s", err.msg);
	ipam_ranges_add_data_blocks(ranges, &o->cluster4, o->data, o->n_data);
}

static void poll_once(struct node_metrics *nm)
{
	struct ipam_usage *ipam = malloc(sizeof(*ipam));
	struct ipam_ranges ranges;
	struct error err = {0};

	if (events_tail_poll(&nm->tail, on_line, nm, &err) < 0)
		log_warn("events: %s", err.msg);
	if (nm->n_pending)
		post_pending(nm);
	read_ranges(nm, &ranges);
	if (ipam && ipam_usage_scan(nm->options->ipam_dir, &ranges, ipam, &err) == 0) {
		pthread_mutex_lock(&nm->lock);
		nm->ipam = *ipam;
		pthread_mutex_unlock(&nm->lock);
	} else if (ipam) {
		log_debug("ipam: %s", err.msg);
	}
	free(ipam);
	read_status(nm);
}

static void *poller_main(void *arg)
{
	struct node_metrics *nm = arg;
	struct timespec deadline;

	while (!nm->stopping) {
		poll_once(nm);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += POLL_MS / 1000;
		pthread_mutex_lock(&nm->wake_lock);
		if (!nm->stopping)
			pthread_cond_timedwait(&nm->wake, &nm->wake_lock, &deadline);
		pthread_mutex_unlock(&nm->wake_lock);
	}
	return NULL;
}

static int render(void *opaque, char **body, size_t *len)
{
	struct node_metrics *nm = opaque;
	struct metrics_text text;

	metrics_text_init(&text);
	pthread_mutex_lock(&nm->lock);
	cni_stats_render(&nm->stats, &text);
	ipam_usage_render(&nm->ipam, &text);
	if (nm->status_known) {
		metrics_text_family(&text, "slicenet_slice_table_rejected", "gauge",
				    "1 when the installer rejected the last slice table "
				    "(the last good one stays installed)");
		metrics_text_sample(&text, "slicenet_slice_table_rejected", NULL, 0, nm->rejected);
	}
	metrics_text_family(&text, "slicenet_agent_events_posted_total", "counter",
			    "DatapathFallback Events the API server accepted");
	metrics_text_sample(&text, "slicenet_agent_events_posted_total", NULL, 0,
			    nm->events_posted);
	metrics_text_family(&text, "slicenet_agent_events_failed_total", "counter",
			    "DatapathFallback Events given up on");
	metrics_text_sample(&text, "slicenet_agent_events_failed_total", NULL, 0,
			    nm->events_failed);
	pthread_mutex_unlock(&nm->lock);
	return metrics_text_finish(&text, body, len);
}

static void *server_main(void *arg)
{
	struct node_metrics *nm = arg;

	if (metrics_http_run(nm->srv) < 0)
		log_error("metrics: the HTTP server stopped");
	return NULL;
}

struct node_metrics *node_metrics_start(const struct agent_options *options,
					const struct kube_config *config, struct error *err)
{
	struct node_metrics *nm = calloc(1, sizeof(*nm));
	struct metrics_http_options mo;
	char msg[256];
	int ret;

	if (!nm) {
		error_set(err, ENOMEM, "metrics: out of memory");
		return NULL;
	}
	nm->options = options;
	pthread_mutex_init(&nm->lock, NULL);
	pthread_mutex_init(&nm->wake_lock, NULL);
	pthread_cond_init(&nm->wake, NULL);
	nm->tail.fd = nm->tail.consumed_fd = -1;
	if (events_tail_init(&nm->tail, options->state_dir, 0, err) < 0)
		goto fail;
	if (config && !(nm->http = kube_http_new(config, err)))
		goto fail;
	if (options->metrics_addr) {
		metrics_http_options_init(&mo);
		mo.addr = options->metrics_addr;
		mo.render = render;
		mo.opaque = nm;
		mo.content_type = METRICS_TEXT_CONTENT_TYPE;
		nm->srv = metrics_http_create(&mo, msg, sizeof(msg));
		if (!nm->srv) {
			error_set(err, errno, "--metrics %s: %s", options->metrics_addr, msg);
			goto fail;
		}
		ret = pthread_create(&nm->server, NULL, server_main, nm);
		if (ret) {
			error_set(err, ret, "metrics: pthread_create: %s", strerror(ret));
			goto fail;
		}
		nm->server_started = true;
		log_info("metrics on %s (port %u)", options->metrics_addr,
			 metrics_http_port(nm->srv));
	}
	ret = pthread_create(&nm->poller, NULL, poller_main, nm);
	if (ret) {
		error_set(err, ret, "metrics: pthread_create: %s", strerror(ret));
		goto fail;
	}
	nm->poller_started = true;
	return nm;
fail:
	node_metrics_stop(nm);
	return NULL;
}

void node_metrics_stop(struct node_metrics *nm)
{
	if (!nm)
		return;
	pthread_mutex_lock(&nm->wake_lock);
	nm->stopping = 1;
	pthread_cond_signal(&nm->wake);
	pthread_mutex_unlock(&nm->wake_lock);
	if (nm->poller_started)
		pthread_join(nm->poller, NULL);
	if (nm->server_started) {
		metrics_http_stop(nm->srv);
		pthread_join(nm->server, NULL);
	}
	metrics_http_free(nm->srv);
	events_tail_close(&nm->tail);
	kube_http_free(nm->http);
	cni_stats_free(&nm->stats);
	pthread_cond_destroy(&nm->wake);
	pthread_mutex_destroy(&nm->wake_lock);
	pthread_mutex_destroy(&nm->lock);
	free(nm);
}
