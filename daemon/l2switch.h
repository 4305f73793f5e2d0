/*
 * The L2 switching decision for a burst of frames, without DPDK: check the
 * sources (anti-spoofing), the MTU and the flood budget, learn, look up
 * destinations, stage each packet per output port (floods to every other
 * active port), then hand each port's batch to a send function once.
 * Packets are opaque handles; the caller owns and frees them after
 * l2switch_flush (vhost enqueue copies, so one handle may be staged on
 * several ports). fwd.c drives it with mbufs; the unit tests with buffers.
 *
 * Frame rules (issue 9: pods are hostile):
 * - A pod port with a MAC accepts only frames from that MAC. A pod port
 *   without one locks to the first source MAC it sends, if no other port
 *   holds that MAC (a pinned FDB entry); from then on only that MAC passes,
 *   until the port is removed. Everything else is dropped as "spoofed".
 * - The uplink learns (within the FDB's per-port limit) but a frame whose
 *   source a pod port holds is dropped as "spoofed": it can only be a loop
 *   or someone impersonating a pod.
 * - Frames longer than the port's MTU (plus the Ethernet header and up to
 *   two VLAN tags) are dropped as "oversize", on the ingress port; a frame
 *   bound for a port with a smaller MTU is dropped as "oversize" there.
 * - Broadcast, multicast and unknown unicast frames spend one token of the
 *   ingress port's flood bucket each (whatever the fan-out); without a token
 *   they are dropped as "flood_limited".
 */
#ifndef SLICENET_DAEMON_L2SWITCH_H
#define SLICENET_DAEMON_L2SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/ctl_proto.h"
#include "daemon/fdb.h"
#include "daemon/tbucket.h"

#define L2SWITCH_BURST	  32
#define L2SWITCH_PORT_MAX 256 /* pod ports + uplink */
/*
 * Packets staged per output port between two flushes: up to this many
 * input bursts may be switched before one l2switch_flush (TX batched across
 * input ports; each input packet is staged at most once per output port).
 * With 4 ports fanning out to 3 each, 8 bursts give every output about two
 * full enqueues per flush; in paired runs (bench-datapath, 64 B) 8 moved
 * 1.02-1.07x the frames of 4, 3 0.98-1.00x and 2 0.90-0.97x.
 */
#define L2SWITCH_STAGE_BURSTS 8
#define L2SWITCH_STAGE_MAX    (L2SWITCH_STAGE_BURSTS * L2SWITCH_BURST)

/* Defaults of the per-port flood limit: ARP, ND and DHCP need a few per second. */
#define L2SWITCH_FLOOD_PPS   10000
#define L2SWITCH_FLOOD_BURST 1000

/* Counters of one port as seen by one lcore; only that lcore writes them. */
struct l2switch_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t drops[CTL_DROP_COUNT];
} __attribute__((aligned(64)));

enum l2switch_port_flags {
	L2SWITCH_PORT_POD = 1u << 0,	 /* a pod port: source MAC enforced, never learns */
	L2SWITCH_PORT_HAS_MAC = 1u << 1, /* mac is set (from the port spec) */
};

/* What the datapath must know about a port besides how to reach it. */
struct l2switch_port_conf {
	uint64_t mac;  /* fdb_mac_key of the port's MAC, with L2SWITCH_PORT_HAS_MAC */
	uint32_t gen;  /* differs for every port that ever used this number: resets its state */
	uint16_t mtu;  /* largest frame = mtu + 14 (+4 per VLAN tag, up to two) */
	uint8_t flags; /* enum l2switch_port_flags */
};

/*
 * The set of ports that may receive traffic, published by the control
 * thread (RCU): ports[] lists them for flooding, active is the same set as a
 * bitmap for the unicast check, conf[] their settings.
 */
struct l2switch_view {
	uint16_t n_ports;
	uint16_t ports[L2SWITCH_PORT_MAX];
	uint64_t active[L2SWITCH_PORT_MAX / 64];
	struct l2switch_port_conf conf[L2SWITCH_PORT_MAX];
};

static inline bool l2switch_view_has(const struct l2switch_view *view, uint16_t port)
{
	return port < L2SWITCH_PORT_MAX && (view->active[port / 64] >> (port % 64) & 1);
}

void l2switch_view_init(struct l2switch_view *view);
void l2switch_view_add(struct l2switch_view *view, uint16_t port,
		       const struct l2switch_port_conf *conf);
/* conf of a port from its spec; pod: a vhost-user port (not the uplink). */
void l2switch_port_conf_init(struct l2switch_port_conf *conf, const struct ctl_port_spec *spec,
			     bool pod, uint32_t gen);

/* Flood budget per ingress port; hz is the rate of the tick counter passed to l2switch_burst. */
struct l2switch_limits {
	uint64_t flood_pps; /* 0 = unlimited */
	uint64_t flood_burst;
	uint64_t hz;
};

/* Per-port state of the lcore that polls the port. */
struct l2switch_port_state {
	uint32_t gen;
	bool locked; /* a MAC-less pod port has sent its first frame */
	uint64_t locked_mac;
	struct tbucket flood;
};

/* Per-lcore state: staging arrays and counters. */
struct l2switch {
	struct fdb *fdb; /* shared by all lcores */
	struct tbucket_rate flood_rate;
	uint16_t n_touched;
	uint16_t touched[L2SWITCH_PORT_MAX];
	uint16_t staged_n[L2SWITCH_PORT_MAX];
	uint16_t staged_queue[L2SWITCH_PORT_MAX];
	void *staged[L2SWITCH_PORT_MAX][L2SWITCH_STAGE_MAX];
	struct l2switch_port_state state[L2SWITCH_PORT_MAX];
	struct l2switch_counters counters[L2SWITCH_PORT_MAX];
};

/* Sends n packets on port (queue is a hint for multiqueue); returns how many were taken. */
typedef uint16_t (*l2switch_send_fn)(void *opaque, uint16_t port, uint16_t queue, void **pkts,
				     uint16_t n);

/* 0, or -EINVAL for limits out of range (tbucket.h). */
int l2switch_init(struct l2switch *sw, struct fdb *fdb, const struct l2switch_limits *limits)
	__attribute__((warn_unused_result));

/* The time of a burst: seconds for FDB aging, ticks (limits.hz per second) for the flood bucket. */
struct l2switch_clock {
	uint32_t now;
	uint64_t ticks;
};

/*
 * Classify n (<= L2SWITCH_BURST) frames received on in_port (queue in_queue).
 * frames[i] points at the Ethernet header, lens[i] is the frame length.
 */
void l2switch_burst(struct l2switch *sw, const struct l2switch_view *view, uint16_t in_port,
		    uint16_t in_queue, void *const *pkts, const uint8_t *const *frames,
		    const uint32_t *lens, uint16_t n, const struct l2switch_clock *clock);

/*
 * Send every staged batch, in calls of at most L2SWITCH_BURST packets (call
 * at least once per L2SWITCH_STAGE_BURSTS l2switch_burst calls); counts tx
 * and tx_full drops per output port.
 */
void l2switch_flush(struct l2switch *sw, l2switch_send_fn send, void *opaque);

#endif
