/* The /metrics collector and its thread (see metrics.h). */
#include "daemon/metrics.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>

#include "daemon/fwd.h"
#include "daemon/log.h"
#include "daemon/metrics_http.h"
#include "daemon/metrics_text.h"
#include "daemon/port.h"
#include "daemon/stats.h"

#define LCORES_MAX 128

static struct {
	struct metrics_http *srv;
	struct fdb *fdb;
	pthread_t thread;
	bool running;
} metrics;

struct port_row {
	const struct ctl_port_info *info;
	struct ctl_port_stats stats;
	uint64_t rx_bytes, tx_bytes;
	struct metrics_label labels[4]; /* port, pod_namespace, pod_name, reason (drops) */
};

/* One counter per port: name, help, and where the value is. */
struct port_series {
	const char *name, *type, *help;
	uint64_t (*value)(const struct port_row *row);
};

static uint64_t rx_packets(const struct port_row *r)
{
	return r->stats.rx;
}
static uint64_t tx_packets(const struct port_row *r)
{
	return r->stats.tx;
}
static uint64_t rx_bytes(const struct port_row *r)
{
	return r->rx_bytes;
}
static uint64_t tx_bytes(const struct port_row *r)
{
	return r->tx_bytes;
}
static uint64_t up(const struct port_row *r)
{
	return r->info->connected;
}
static uint64_t refused(const struct port_row *r)
{
	return r->info->refused;
}
static uint64_t memory_faults(const struct port_row *r)
{
	return r->info->memory_faults;
}

static const struct port_series port_series[] = {
	{"slicenet_port_rx_packets_total", "counter",
	 "Frames the switch received from the port (all, dropped ones included).", rx_packets},
	{"slicenet_port_tx_packets_total", "counter", "Frames the switch delivered to the port.",
	 tx_packets},
	{"slicenet_port_rx_bytes_total", "counter", "Bytes of the frames received from the port.",
	 rx_bytes},
	{"slicenet_port_tx_bytes_total", "counter", "Bytes of the frames delivered to the port.",
	 tx_bytes},
	{"slicenet_port_up", "gauge", "1 when a vhost-user peer (or the uplink) is connected.", up},
	{"slicenet_port_refused_total", "counter",
	 "vhost-user frontends refused on the port (hostile or broken).", refused},
	{"slicenet_port_memory_faults_total", "counter",
	 "Connections cut because the pod shrank the memory it shared (counted in refused too).",
	 memory_faults},
};

static void render_ports(struct metrics_text *t, struct port_row *rows, size_t n)
{
	size_t s, i;
	int d;

	for (s = 0; s < sizeof(port_series) / sizeof(port_series[0]); s++) {
		metrics_text_family(t, port_series[s].name, port_series[s].type,
				    port_series[s].help);
		for (i = 0; i < n; i++)
			metrics_text_sample(t, port_series[s].name, rows[i].labels, 3,
					    port_series[s].value(&rows[i]));
	}
	metrics_text_family(t, "slicenet_port_drops_total", "counter",
			    "Frames dropped, by port and reason (see slicenetctl stats).");
	for (i = 0; i < n; i++)
		for (d = 0; d < CTL_DROP_COUNT; d++) {
			rows[i].labels[3] =
				(struct metrics_label){"reason", ctl_drop_name((enum ctl_drop)d)};
			metrics_text_sample(t, "slicenet_port_drops_total", rows[i].labels, 4,
					    rows[i].stats.drops[d]);
		}
}

/* The per-lcore TSC counters: one family each, a sample per lcore. */
static const struct {
	const char *name, *help;
	size_t offset; /* of a uint64_t in struct stats_lcore */
} lcore_counters[] = {
	{"slicenet_lcore_busy_cycles_total",
	 "TSC cycles a forwarding lcore spent in passes that moved packets.",
	 offsetof(struct stats_lcore, busy_cycles)},
	{"slicenet_lcore_cycles_total", "TSC cycles since a forwarding lcore started its loop.",
	 offsetof(struct stats_lcore, cycles)},
	{"slicenet_lcore_sleep_cycles_total",
	 "TSC cycles a forwarding lcore slept in the idle back-off (part of the "
	 "cycles that were not busy).",
	 offsetof(struct stats_lcore, sleep_cycles)},
};

static void render_lcores(struct metrics_text *t)
{
	struct stats_lcore lcores[LCORES_MAX];
	unsigned int n = stats_lcores(lcores, LCORES_MAX), i;
	size_t c;
	char ids[LCORES_MAX][12];
	struct metrics_label label[LCORES_MAX][1];

	for (i = 0; i < n; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%u", lcores[i].lcore_id);
		label[i][0] = (struct metrics_label){"lcore", ids[i]};
	}
	metrics_text_family(t, "slicenet_lcore_busy_ratio", "gauge",
			    "Share of the last second a forwarding lcore spent in loop passes "
			    "that moved packets (the rest: polling empty queues).");
	for (i = 0; i < n; i++)
		metrics_text_sample_double(t, "slicenet_lcore_busy_ratio", label[i], 1,
					   lcores[i].busy_ratio);
	for (c = 0; c < sizeof(lcore_counters) / sizeof(lcore_counters[0]); c++) {
		metrics_text_family(t, lcore_counters[c].name, "counter", lcore_counters[c].help);
		for (i = 0; i < n; i++)
			metrics_text_sample(t, lcore_counters[c].name, label[i], 1,
					    *(const uint64_t *)((const char *)&lcores[i] +
								lcore_counters[c].offset));
	}
	metrics_text_family(t, "slicenet_lcore_backoff_seconds", "gauge",
			    "The idle sleep a forwarding lcore is backing off with now; 0 while "
			    "it polls flat out.");
	for (i = 0; i < n; i++)
		metrics_text_sample_double(t, "slicenet_lcore_backoff_seconds", label[i], 1,
					   lcores[i].backoff_ns / 1e9);
	metrics_text_family(t, "slicenet_tsc_hz", "gauge", "TSC cycles per second.");
	metrics_text_sample(t, "slicenet_tsc_hz", NULL, 0, fwd_tsc_hz());
}

static int render(void *opaque, char **body, size_t *len)
{
	struct port_snapshot *snap = NULL;
	struct port_row *rows = NULL;
	struct metrics_text t;
	size_t n = 0, i;
	int rc;

	(void)opaque;
	metrics_text_init(&t);
	rc = port_snapshot(&snap, &n);
	if (rc)
		return rc;
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(snap);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct ctl_port_spec *spec = &snap[i].info.spec;
		bool pod = spec->pod_name[0] != '\0';

		rows[i].info = &snap[i].info;
		stats_get(snap[i].index, &rows[i].stats);
		stats_get_bytes(snap[i].index, &rows[i].rx_bytes, &rows[i].tx_bytes);
		rows[i].labels[0] = (struct metrics_label){"port", spec->name};
		rows[i].labels[1] =
			(struct metrics_label){"pod_namespace", pod ? spec->pod_namespace : NULL};
		rows[i].labels[2] = (struct metrics_label){"pod_name", pod ? spec->pod_name : NULL};
	}
	render_ports(&t, rows, n);
	metrics_text_family(&t, "slicenet_ports", "gauge",
			    "Ports in the switch (uplink included).");
	metrics_text_sample(&t, "slicenet_ports", NULL, 0, n);
	metrics_text_family(&t, "slicenet_fdb_entries", "gauge",
			    "Live entries in the MAC table (static, pinned and learned).");
	metrics_text_sample(&t, "slicenet_fdb_entries", NULL, 0, fdb_count(metrics.fdb, fwd_now()));
	metrics_text_family(&t, "slicenet_fdb_learned_total", "counter",
			    "MAC table entries written by learning (new MACs and moves).");
	metrics_text_sample(&t, "slicenet_fdb_learned_total", NULL, 0,
			    fdb_learn_events(metrics.fdb));
	render_lcores(&t);
	free(rows);
	free(snap);
	return metrics_text_finish(&t, body, len);
}

static void *run(void *arg)
{
	int rc = metrics_http_run(arg);

	if (rc)
		LOG(ERR, "metrics server stopped: %s", strerror(-rc));
	return NULL;
}

int metrics_start(const char *addr, struct fdb *fdb)
{
	struct metrics_http_options opts;
	char msg[CTL_MESSAGE_MAX];
	int rc;

	metrics.fdb = fdb;
	metrics_http_options_init(&opts);
	opts.addr = addr;
	opts.render = render;
	opts.content_type = METRICS_TEXT_CONTENT_TYPE;
	metrics.srv = metrics_http_create(&opts, msg, sizeof(msg));
	if (!metrics.srv) {
		rc = -errno;
		LOG(ERR, "%s", msg);
		return rc;
	}
	rc = rte_ctrl_thread_create(&metrics.thread, "slicenet-metric", NULL, run, metrics.srv);
	if (rc) {
		LOG(ERR, "metrics thread: %s", strerror(rc));
		metrics_http_free(metrics.srv);
		metrics.srv = NULL;
		return -rc;
	}
	metrics.running = true;
	LOG(INFO, "metrics on http://%s/metrics (port %u)", addr, metrics_http_port(metrics.srv));
	return 0;
}

void metrics_stop(void)
{
	if (metrics.running) {
		metrics_http_stop(metrics.srv);
		pthread_join(metrics.thread, NULL);
		metrics.running = false;
	}
	metrics_http_free(metrics.srv);
	metrics.srv = NULL;
}
