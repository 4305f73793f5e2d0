/*
 * slicenetd's Prometheus endpoint (--metrics ADDR:PORT): what the switch
 * counts, rendered by metrics_text on each GET /metrics and served by
 * metrics_http on a DPDK control thread of its own (off the forwarding
 * lcores; it reads per-lcore counters without stopping them). Series:
 *
 *   slicenet_port_{rx,tx}_{packets,bytes}_total  {port, pod_namespace, pod_name}
 *   slicenet_port_drops_total                    {port, ..., reason}
 *   slicenet_port_up, slicenet_port_refused_total, slicenet_port_memory_faults_total
 *   slicenet_ports, slicenet_fdb_entries, slicenet_fdb_learned_total
 *   slicenet_lcore_busy_ratio, slicenet_lcore_{busy_,}cycles_total  {lcore}
 *
 * Port counters count from when the port was (re)added (a counter reset to
 * Prometheus); pod labels only on ports whose pod is known.
 */
#ifndef SLICENET_DAEMON_METRICS_H
#define SLICENET_DAEMON_METRICS_H

#include "daemon/fdb.h"

/* Listen on addr and serve; 0 or -errno (logged). */
int metrics_start(const char *addr, struct fdb *fdb) __attribute__((warn_unused_result));
/* Stop the thread and close the socket. Safe if not started. */
void metrics_stop(void);

#endif
