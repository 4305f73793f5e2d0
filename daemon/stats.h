/* Per-port counters as operators see them: since the port was added, and per second. */
#ifndef SLICENET_DAEMON_STATS_H
#define SLICENET_DAEMON_STATS_H

#include <stdint.h>

#include "daemon/ctl_proto.h"

/* The port number was (re)assigned: count from zero again. */
void stats_port_reset(uint16_t port);
/* Sample all ports; called about once a second by the control thread. */
void stats_tick(void);
/* Counters of port into out (name left untouched). */
void stats_get(uint16_t port, struct ctl_port_stats *out);

#endif
