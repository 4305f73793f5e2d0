/*
 * The agent's node-level observability, on a thread of its own: once a
 * second it reads the plugin's new event lines (agent/events_tail.h) into
 * the CNI counters, posts a DatapathFallback Event for each fallback ADD of
 * a known pod, counts IPAM reservations and reads the installer's status
 * (logging each change). With --metrics a second thread serves all of it as
 * Prometheus text (daemon/metrics_http.h). Independent of the Node watch:
 * a stuck API server delays Events, never the counters.
 */
#ifndef SLICENET_AGENT_NODE_METRICS_H
#define SLICENET_AGENT_NODE_METRICS_H

#include "agent/kube_config.h"
#include "agent/options.h"
#include "plugin/util/error.h"

struct node_metrics;

/*
 * Start the threads. config NULL: no Events (counters and /metrics only).
 * NULL with err when the metrics address cannot be bound.
 */
struct node_metrics *node_metrics_start(const struct agent_options *options,
					const struct kube_config *config, struct error *err);

/* Stop and join the threads and free everything. Accepts NULL. */
void node_metrics_stop(struct node_metrics *nm);

#endif
