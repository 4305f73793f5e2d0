/*
 * Per-port counters as operators see them: since the port was added, and per
 * second; and the forwarding lcores' load over the last second. Control
 * plane only (control and metrics threads), never the datapath.
 */
#ifndef SLICENET_DAEMON_STATS_H
#define SLICENET_DAEMON_STATS_H

#include <stdint.h>

#include "daemon/ctl_proto.h"

/* The port number was (re)assigned: count from zero again. */
void stats_port_reset(uint16_t port);
/* Sample all ports and lcores; called about once a second by the control thread. */
void stats_tick(void);
/* Counters of port into out (name left untouched). */
void stats_get(uint16_t port, struct ctl_port_stats *out);
/* Bytes received and sent since the port was added. */
void stats_get_bytes(uint16_t port, uint64_t *rx, uint64_t *tx);

struct stats_lcore {
	unsigned int lcore_id;
	uint64_t busy_cycles, cycles; /* since the lcore started (fwd_lcore_loads) */
	uint64_t sleep_cycles;	      /* idle cycles spent asleep (adaptive polling) */
	uint32_t backoff_ns;	      /* current idle sleep, 0 = polling flat out */
	double busy_ratio;	      /* busy share of the last tick's interval, 0..1 */
};
/* Up to max forwarding lcores into out; returns how many. */
unsigned int stats_lcores(struct stats_lcore *out, unsigned int max);

#endif
