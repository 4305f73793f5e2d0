/*
 * The forwarding lcores: poll the ports each lcore owns, switch bursts with
 * l2switch, send per output port, free in bulk. The control thread
 * publishes the port table here; fwd_publish returns only after every
 * forwarding lcore has passed a quiescent point (rte_rcu_qsbr), so the
 * caller may then reuse or tear down what the old table referenced.
 */
#ifndef SLICENET_DAEMON_FWD_H
#define SLICENET_DAEMON_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/fdb.h"
#include "daemon/l2switch.h"

struct rte_mempool;

enum fwd_port_kind {
	FWD_PORT_VHOST,
	FWD_PORT_ETH,
};

struct fwd_port {
	uint8_t kind;
	uint16_t nr_queues;   /* vhost queue pairs / eth rx queues */
	uint16_t eth_port;    /* FWD_PORT_ETH */
	uint16_t lcore_index; /* which forwarding lcore polls it */
	uint8_t priority;     /* 0 (highest)..CTL_PRIORITY_MAX: poll order (fwd_sched.h) */
	int vid;	      /* FWD_PORT_VHOST */
};

/* What the datapath sees: the view (who may receive) and how to reach each port. */
struct fwd_table {
	uint64_t gen; /* set by fwd_publish: the lcores rebuild their poll order when it changes */
	struct l2switch_view view;
	struct fwd_port ports[L2SWITCH_PORT_MAX];
};

/*
 * Set up for the worker lcores (or the main lcore when there is none).
 * vhost_pool is what pod frames are dequeued into: rte_vhost (LINEARBUF)
 * drops a frame that does not fit one mbuf before the switch can see or
 * count it, so its mbufs must hold the largest MTU plus headers; the switch
 * then counts every frame over a port's MTU. limits.hz is filled in here
 * (TSC). 0 or -errno.
 */
int fwd_init(struct fdb *fdb, struct rte_mempool *vhost_pool, const struct l2switch_limits *limits)
	__attribute__((warn_unused_result));
/* Largest MTU a port may have (what vhost_pool's mbufs hold). */
unsigned int fwd_mtu_max(void);
void fwd_fini(void);
/* Number of forwarding lcores; ports are spread over them by index. */
unsigned int fwd_lcore_count(void);

/* Replace the published table and wait for every forwarding lcore to let go of the old one. */
void fwd_publish(const struct fwd_table *table);

/* Launch on all worker lcores, or run on the calling (main) lcore until fwd_stop if none. */
int fwd_run(void) __attribute__((warn_unused_result));
/* Ask the loops to return (async-signal-safe), then fwd_wait joins the workers. */
void fwd_stop(void);
void fwd_wait(void);

/*
 * rte_vhost's vring_state_changed: the pod enabled or disabled a ring. The
 * lcores skip disabled rings (a multiqueue pod may enable fewer pairs than
 * it negotiated) instead of polling them or counting frames as tx_full.
 * fwd_vring_reset forgets a vid's states when its device is destroyed.
 */
void fwd_vring_state(int vid, uint16_t vring, bool enabled);
void fwd_vring_reset(int vid);

/* Sum of one port's counters over all forwarding lcores. */
void fwd_counters(uint16_t port, struct l2switch_counters *sum);

/* Bytes one port received and sent, summed over the forwarding lcores (single-segment frames). */
void fwd_bytes(uint16_t port, uint64_t *rx, uint64_t *tx);

/*
 * How busy a forwarding lcore is: TSC cycles since its loop started, and
 * those spent in loop passes that moved at least one packet (the rest went
 * to polling empty queues, or asleep: adaptive polling backs off after
 * many empty passes, see fwd.c). busy / cycles over an interval is its load.
 */
struct fwd_lcore_load {
	unsigned int lcore_id;
	uint64_t busy_cycles;
	uint64_t cycles;
	uint64_t sleep_cycles; /* of the idle ones, those asleep in the back-off */
	uint32_t backoff_ns;   /* the idle sleep now; 0 = polling flat out */
};
/* Fill up to max entries, one per forwarding lcore; returns how many. */
unsigned int fwd_lcore_loads(struct fwd_lcore_load *out, unsigned int max);
/* TSC ticks per second. */
uint64_t fwd_tsc_hz(void);

/* Seconds on the datapath's clock (TSC based, monotonic), also used for FDB aging. */
uint32_t fwd_now(void);

#endif
