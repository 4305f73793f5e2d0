/* The optional uplink: one ethdev (tap or af_packet) joined to the switch as port "uplink". */
#ifndef SLICENET_DAEMON_UPLINK_H
#define SLICENET_DAEMON_UPLINK_H

#include <stdint.h>

#include "daemon/config.h"

struct rte_mempool;

/* Probe, configure (1 RX queue, one TX queue per forwarding lcore) and start it. */
int uplink_start(const struct daemon_config *cfg, struct rte_mempool *pool, uint16_t n_txq,
		 uint16_t *eth_port) __attribute__((warn_unused_result));
void uplink_stop(uint16_t eth_port);

#endif
