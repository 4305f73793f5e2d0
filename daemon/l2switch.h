/*
 * The L2 switching decision for a burst of frames, without DPDK: learn the
 * sources, look up destinations, stage each packet per output port (floods
 * to every other active port), then hand each port's batch to a send
 * function once. Packets are opaque handles; the caller owns and frees them
 * after l2switch_flush (vhost enqueue copies, so one handle may be staged on
 * several ports). fwd.c drives it with mbufs; the unit tests with buffers.
 */
#ifndef SLICENET_DAEMON_L2SWITCH_H
#define SLICENET_DAEMON_L2SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/ctl_proto.h"
#include "daemon/fdb.h"

#define L2SWITCH_BURST	  32
#define L2SWITCH_PORT_MAX 256 /* pod ports + uplink */

/* Counters of one port as seen by one lcore; only that lcore writes them. */
struct l2switch_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t drops[CTL_DROP_COUNT];
} __attribute__((aligned(64)));

/*
 * The set of ports that may receive traffic, published by the control
 * thread (RCU): ports[] lists them for flooding, active is the same set as a
 * bitmap for the unicast check.
 */
struct l2switch_view {
	uint16_t n_ports;
	uint16_t ports[L2SWITCH_PORT_MAX];
	uint64_t active[L2SWITCH_PORT_MAX / 64];
};

static inline bool l2switch_view_has(const struct l2switch_view *view, uint16_t port)
{
	return port < L2SWITCH_PORT_MAX && (view->active[port / 64] >> (port % 64) & 1);
}

void l2switch_view_init(struct l2switch_view *view);
void l2switch_view_add(struct l2switch_view *view, uint16_t port);

/* Per-lcore state: staging arrays and counters. */
struct l2switch {
	struct fdb *fdb; /* shared by all lcores */
	uint16_t n_touched;
	uint16_t touched[L2SWITCH_PORT_MAX];
	uint16_t staged_n[L2SWITCH_PORT_MAX];
	uint16_t staged_queue[L2SWITCH_PORT_MAX];
	void *staged[L2SWITCH_PORT_MAX][L2SWITCH_BURST];
	struct l2switch_counters counters[L2SWITCH_PORT_MAX];
};

/* Sends n packets on port (queue is a hint for multiqueue); returns how many were taken. */
typedef uint16_t (*l2switch_send_fn)(void *opaque, uint16_t port, uint16_t queue, void **pkts,
				     uint16_t n);

void l2switch_init(struct l2switch *sw, struct fdb *fdb);

/*
 * Classify n (<= L2SWITCH_BURST) frames received on in_port (queue in_queue).
 * frames[i] points at the Ethernet header, lens[i] is the frame length.
 */
void l2switch_burst(struct l2switch *sw, const struct l2switch_view *view, uint16_t in_port,
		    uint16_t in_queue, void *const *pkts, const uint8_t *const *frames,
		    const uint32_t *lens, uint16_t n, uint32_t now);

/* Send every staged batch (call once after every l2switch_burst); counts tx and tx_full drops per
 * output port. */
void l2switch_flush(struct l2switch *sw, l2switch_send_fn send, void *opaque);

#endif
