/*
 * What one forwarding lcore polls, and in which order (issue 12: a URLLC
 * pod keeps its latency while an eMBB pod floods). Pure logic, no DPDK:
 * fwd.c supplies the poll function, the unit tests a fake one.
 *
 * Every (port, queue) an lcore owns is an entry of its port's priority
 * class. A turn polls every class-0 entry, then each lower class on a
 * packet budget: its entries round-robin from where the last turn stopped,
 * at most once each, until the class moved its budget. Empty polls cost no
 * budget, so idle ports are all polled every turn; under a flood a class
 * moves at most its budget per turn, and class 0 is polled again after at
 * most FWD_SCHED_LOW_BUDGET_TOTAL packets of lower-class work, however many
 * flooding ports there are. No class is starved: each gets its budget.
 */
#ifndef SLICENET_DAEMON_FWD_SCHED_H
#define SLICENET_DAEMON_FWD_SCHED_H

#include <stdint.h>

#include "daemon/ctl_proto.h"
#include "daemon/l2switch.h"

#define FWD_SCHED_CLASSES    (CTL_PRIORITY_MAX + 1)
#define FWD_SCHED_ENTRIES    (L2SWITCH_PORT_MAX * CTL_MAX_QUEUES)
#define FWD_SCHED_LCORES_MAX 128 /* forwarding lcores a port may be placed on */

/*
 * Packets per turn of classes 1..3 (class 0: unbounded, one burst per queue
 * per turn). The bulk class moves a quarter of a burst: a class-0 frame that
 * arrives while an eMBB pod floods waits for at most that much
 * (bench-latency's isolation scenario, two runs of 4 interleaved rounds
 * against half a burst: urllc p50 under the flood 2.27 -> 1.79 us, p99
 * 5.5-8.8 -> 4.6-6.3 us, the flood 13 % slower; from a whole burst to half:
 * p50 3.0 -> 2.3 us, the flood 5 % slower).
 */
#define FWD_SCHED_BUDGET_1	   (2 * L2SWITCH_BURST)
#define FWD_SCHED_BUDGET_2	   L2SWITCH_BURST
#define FWD_SCHED_BUDGET_3	   (L2SWITCH_BURST / 4)
#define FWD_SCHED_LOW_BUDGET_TOTAL (FWD_SCHED_BUDGET_1 + FWD_SCHED_BUDGET_2 + FWD_SCHED_BUDGET_3)
/*
 * On an lcore without class-0 ports the budgets only share the turn between
 * the lower classes: they are multiplied by this, so a turn moves several
 * input bursts and (with the further turns fwd.c runs before one flush,
 * up to L2SWITCH_STAGE_BURSTS bursts) each output port gets full enqueues
 * instead of a third of a burst each (4 ports, 64 B: 303-313 busy cycles a
 * frame against 301-343 with the plain budgets in paired runs, a small gain
 * within this VM's noise). The classes keep their shares (4:2:1).
 */
#define FWD_SCHED_ALONE_SCALE 4

struct fwd_sched_entry {
	uint16_t port;
	uint16_t queue;
};

/* One port as the scheduler sees it. */
struct fwd_sched_port {
	uint16_t port;
	uint16_t nr_queues;
	uint8_t priority; /* 0..CTL_PRIORITY_MAX; larger values are clamped */
};

struct fwd_sched {
	uint16_t n[FWD_SCHED_CLASSES];
	uint16_t cursor[FWD_SCHED_CLASSES];
	struct fwd_sched_entry entry[FWD_SCHED_CLASSES][FWD_SCHED_ENTRIES];
};

/*
 * Polls one queue, moving at most max (<= L2SWITCH_BURST) packets; returns
 * how many it moved.
 */
typedef uint16_t (*fwd_sched_poll_fn)(void *opaque, uint16_t port, uint16_t queue, uint16_t max);

/* The entries of ports[0..n) (queues beyond CTL_MAX_QUEUES ignored); cursors restart. */
void fwd_sched_build(struct fwd_sched *sched, const struct fwd_sched_port *ports, unsigned int n);

/* Budget of a class per turn; 0 = unbounded (class 0). */
unsigned int fwd_sched_budget(unsigned int priority);

/* Sends what the polls since the last call switched (TX batched across input ports). */
typedef void (*fwd_sched_flush_fn)(void *opaque);

/*
 * One turn (see above); returns the packets moved. flush runs after the
 * class-0 polls (their packets never wait for lower classes) and at the end
 * of the turn; the poll function flushes on its own when its batch is full.
 */
unsigned int fwd_sched_turn(struct fwd_sched *sched, fwd_sched_poll_fn poll,
			    fwd_sched_flush_fn flush, void *opaque);

/*
 * The queue pair of a pod (nr_queues > 0) that lcore index (of n_lcores)
 * sends a frame that came in on queue in_queue to. Pairs are split between
 * lcores (pair q belongs to lcore q mod n_lcores), so two lcores never
 * contend for one ring while the pod has a pair for each; within its own
 * pairs an lcore follows the ingress queue, so a pod's RX spreads over its
 * pairs as its TX did. With more lcores than pairs they share (index mod
 * pairs).
 */
uint16_t fwd_sched_tx_pair(unsigned int lcore_index, unsigned int n_lcores, uint16_t nr_queues,
			   uint16_t in_queue);

/*
 * Placing a port on a forwarding lcore, when it connects (it then stays
 * there until it disconnects: a port never moves while it forwards, so no
 * two lcores poll one queue and per-lcore port state stays put).
 */
struct fwd_sched_lcore_load {
	uint64_t packets;   /* packets its ports received lately (port.c: since the last publish) */
	unsigned int ports; /* ports placed on it */
	unsigned int high;  /* of those, class 0 */
};

/*
 * The lcore for a new port of class priority among n (> 0): a class-0 port
 * prefers lcores without lower-class ports and a lower-class port lcores
 * without class-0 ports (a class gets cores of its own when there are
 * enough); then the fewest packets, the fewest ports, the lowest index.
 */
unsigned int fwd_sched_pick_lcore(const struct fwd_sched_lcore_load *loads, unsigned int n,
				  unsigned int priority);

#endif
