/* Forwarding lcore loop, RCU-published port table, per-lcore counters. */
#include "daemon/fwd.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_vhost.h>

#include "daemon/fwd_sched.h"
#include "daemon/log.h"

#define VIRTIO_RXQ     0 /* pod RX ring of queue pair q is 2q, its TX ring 2q+1 */
#define VIRTIO_TXQ     1
#define FRAME_OVERHEAD (14 + 2 * 4) /* Ethernet header and two VLAN tags */
#define VID_MAX	       1024	    /* rte_vhost's MAX_VHOST_DEVICE */

/*
 * Adaptive polling. After IDLE_SPIN_TURNS turns that moved nothing the
 * loop pauses (rte_pause, a hint to the core), after IDLE_SLEEP_TURNS it
 * sleeps, starting at IDLE_SLEEP_MIN_NS and doubling up to
 * IDLE_SLEEP_MAX_NS; the first packet puts it back to full polling. An
 * lcore with a class-0 (urllc) port never sleeps: its worst case is a
 * pause, not a wake-up. A sleeping lcore adds up to IDLE_SLEEP_MAX_NS (plus
 * the wake-up) to the first packet after an idle spell.
 */
#define IDLE_SPIN_TURNS	  1024
#define IDLE_SLEEP_TURNS  (16 * 1024)
#define IDLE_PAUSES	  16
#define IDLE_SLEEP_MIN_NS 1000
#define IDLE_SLEEP_MAX_NS 256000

/* Turns one pass may take to fill the staging (see fwd_loop). */
#define FWD_TURNS_MAX L2SWITCH_STAGE_BURSTS

/*
 * Ready rings per vid, a bit per vring (CTL_MAX_QUEUES pairs fit 16 bits).
 * rte_vhost reports every ring that becomes ready (enabled, addresses and
 * kick set) before new_device, and every change after; a ring starts not
 * ready (vhost-user with protocol features, which virtio-user negotiates).
 * Written by the vhost thread, read by the lcores once per burst.
 */
static uint16_t vring_on[VID_MAX];

/*
 * Bumped with every ring state change and device reset of a vid: the ring's
 * indexes may have been set anew (SET_VRING_BASE, a reconnect), so the
 * lcores resync what they expect of them instead of counting (see
 * txq_sync).
 */
static uint16_t vring_epoch[VID_MAX];

/*
 * rte_vhost's dequeue consumes a chain it cannot hand over (LINEARBUF with
 * EXTBUF: longer than an external buffer holds, 65,368 bytes of frame; or a
 * copy that failed), ends the burst there and counts nothing (DPDK 22.11
 * lib/vhost/virtio_net.c virtio_dev_tx_split). The ring's last_avail_idx
 * still moved past it: per polled pod TX ring we keep where our own
 * dequeues left it, and the difference to what the library reports is the
 * frames it dropped. Split rings only (vhost.c does not offer packed ones,
 * whose index counts descriptors, not chains).
 */
struct txq_sync {
	uint16_t expected; /* last_avail_idx after our dequeues so far */
	uint16_t epoch;	   /* vring_epoch of the vid when expected was read */
	bool valid;
};

struct fwd_lcore {
	struct l2switch sw;
	struct fwd_sched sched; /* rebuilt by this lcore when the table's gen changes */
	uint64_t sched_gen;
	unsigned int index;
	unsigned int lcore_id;
	/* Written only by this lcore, read (racily, 64-bit loads) by the metrics. */
	uint64_t loop_start;   /* TSC when the loop began; 0 before */
	uint64_t busy_cycles;  /* TSC spent in passes that moved packets */
	uint64_t sleep_cycles; /* TSC spent asleep in the idle back-off */
	uint32_t backoff_ns;   /* current idle sleep; 0 while polling flat out */
	uint64_t rx_bytes[L2SWITCH_PORT_MAX];
	uint64_t tx_bytes[L2SWITCH_PORT_MAX];
	struct txq_sync txq[L2SWITCH_PORT_MAX][CTL_MAX_QUEUES]; /* pod TX rings this lcore polls */
} __rte_cache_aligned;

static struct {
	struct rte_rcu_qsbr *qsbr;
	struct rte_mempool *pool;
	unsigned int mtu_max; /* largest MTU whose frames fit the pool's mbufs */
	struct fwd_lcore *lcores[RTE_MAX_LCORE];
	unsigned int n_lcores;
	bool on_main;		  /* no worker lcores: the main lcore forwards */
	struct fwd_table *tables; /* two: published and spare */
	struct fwd_table *current;
	pthread_mutex_t publish_lock;
	uint64_t last_gen; /* under publish_lock */
	uint64_t tsc_hz, tsc_start;
	volatile bool stop;
} fwd = {.publish_lock = PTHREAD_MUTEX_INITIALIZER};

uint32_t fwd_now(void)
{
	/* +1: an FDB timestamp of 0 must not look ancient right after start. */
	return (uint32_t)((rte_get_tsc_cycles() - fwd.tsc_start) / fwd.tsc_hz) + 1;
}

unsigned int fwd_lcore_count(void)
{
	return fwd.n_lcores;
}

/* Frames up to mtu + header + two VLAN tags must fit one mbuf of the pool. */
static unsigned int pool_mtu(struct rte_mempool *pool)
{
	unsigned int room = rte_pktmbuf_data_room_size(pool);

	return room > RTE_PKTMBUF_HEADROOM + FRAME_OVERHEAD
		       ? room - RTE_PKTMBUF_HEADROOM - FRAME_OVERHEAD
		       : 0;
}

unsigned int fwd_mtu_max(void)
{
	return fwd.mtu_max;
}

int fwd_init(struct fdb *fdb, struct rte_mempool *pool, const struct l2switch_limits *limits)
{
	unsigned int lcore_id, ids[RTE_MAX_LCORE], i, n = 0;
	struct l2switch_limits lim = *limits;
	size_t sz;
	int rc = -ENOMEM;

	fwd.pool = pool;
	fwd.mtu_max = pool_mtu(pool);
	fwd.tsc_hz = rte_get_tsc_hz();
	lim.hz = fwd.tsc_hz;
	fwd.tsc_start = rte_get_tsc_cycles();
	fwd.n_lcores = rte_lcore_count() > 1 ? rte_lcore_count() - 1 : 1;
	fwd.on_main = rte_lcore_count() == 1;
	sz = rte_rcu_qsbr_get_memsize(fwd.n_lcores);
	fwd.qsbr = rte_zmalloc("fwd_qsbr", sz, RTE_CACHE_LINE_SIZE);
	fwd.tables = rte_zmalloc("fwd_tables", 2 * sizeof(struct fwd_table), RTE_CACHE_LINE_SIZE);
	if (!fwd.qsbr || !fwd.tables)
		goto fail;
	if (rte_rcu_qsbr_init(fwd.qsbr, fwd.n_lcores)) {
		rc = -EINVAL;
		goto fail;
	}
	l2switch_view_init(&fwd.tables[0].view);
	fwd.current = &fwd.tables[0];
	if (fwd.on_main) {
		ids[n++] = rte_get_main_lcore();
	} else {
		RTE_LCORE_FOREACH_WORKER(lcore_id)
		ids[n++] = lcore_id;
	}
	for (i = 0; i < n; i++) {
		fwd.lcores[i] = rte_zmalloc_socket("fwd_lcore", sizeof(struct fwd_lcore),
						   RTE_CACHE_LINE_SIZE,
						   (int)rte_lcore_to_socket_id(ids[i]));
		if (!fwd.lcores[i]) {
			rc = -ENOMEM;
			goto fail;
		}
		rc = l2switch_init(&fwd.lcores[i]->sw, fdb, &lim);
		if (rc)
			goto fail;
		rc = -ENOMEM;
		fwd.lcores[i]->index = i;
		fwd.lcores[i]->lcore_id = ids[i];
	}
	return 0;
fail:
	fwd_fini();
	return rc;
}

void fwd_fini(void)
{
	unsigned int i;

	for (i = 0; i < RTE_MAX_LCORE; i++) {
		rte_free(fwd.lcores[i]);
		fwd.lcores[i] = NULL;
	}
	rte_free(fwd.qsbr);
	rte_free(fwd.tables);
	fwd.qsbr = NULL;
	fwd.tables = NULL;
	fwd.current = NULL;
}

void fwd_publish(const struct fwd_table *table)
{
	struct fwd_table *spare;

	pthread_mutex_lock(&fwd.publish_lock);
	spare = fwd.current == &fwd.tables[0] ? &fwd.tables[1] : &fwd.tables[0];
	memcpy(spare, table, sizeof(*spare));
	/* The two buffers alternate: only gen tells an lcore that skipped one table apart. */
	spare->gen = ++fwd.last_gen;

	__atomic_store_n(&fwd.current, spare, __ATOMIC_RELEASE);
	/* After this no lcore reads the old table or a vid that only it listed. */
	rte_rcu_qsbr_synchronize(fwd.qsbr, RTE_QSBR_THRID_INVALID);
	pthread_mutex_unlock(&fwd.publish_lock);
}

void fwd_vring_state(int vid, uint16_t vring, bool enabled)
{
	uint16_t bit = (uint16_t)(1u << vring);

	if (vid < 0 || vid >= VID_MAX || vring >= 16)
		return;
	__atomic_add_fetch(&vring_epoch[vid], 1, __ATOMIC_RELEASE);
	if (enabled)
		__atomic_or_fetch(&vring_on[vid], bit, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&vring_on[vid], (uint16_t)~bit, __ATOMIC_RELAXED);
}

void fwd_vring_reset(int vid)
{
	if (vid < 0 || vid >= VID_MAX)
		return;
	__atomic_add_fetch(&vring_epoch[vid], 1, __ATOMIC_RELEASE);
	__atomic_store_n(&vring_on[vid], 0, __ATOMIC_RELAXED);
}

/*
 * After a dequeue of n frames out of max asked for from pod TX ring q
 * (count) or when this lcore starts polling it (!count): compare the
 * ring's last_avail_idx with what our dequeues account for and count the
 * difference as vhost_refused. Only this lcore dequeues from the ring, so
 * between its dequeues the index moves only by a reset, which the epoch
 * tells; an implausible difference (a reset the epoch missed) only
 * resyncs. Called only when a burst came back short: a drop ends the burst
 * early, so a full one has none and just adds n (the hot path).
 */
static void __rte_noinline txq_sync(struct fwd_lcore *lc, const struct fwd_port *fp, uint16_t port,
				    uint16_t q, uint16_t n, uint16_t max, bool count)
{
	struct txq_sync *s = &lc->txq[port][q];
	uint16_t epoch, avail, used, dropped;

	if (fp->vid < 0 || fp->vid >= VID_MAX)
		return;
	/* Read before the index: a reset in between shows as a new epoch next time. */
	epoch = __atomic_load_n(&vring_epoch[fp->vid], __ATOMIC_ACQUIRE);
	if (rte_vhost_get_vring_base(fp->vid, (uint16_t)(2 * q + VIRTIO_TXQ), &avail, &used)) {
		s->valid = false;
		return;
	}
	dropped = (uint16_t)(avail - s->expected - n);
	if (count && s->valid && s->epoch == epoch && dropped > 0 && dropped <= max)
		lc->sw.counters[port].drops[CTL_DROP_VHOST_REFUSED] += dropped;
	s->expected = avail;
	s->epoch = epoch;
	s->valid = true;
}

static inline uint16_t vrings_on(int vid)
{
	return vid >= 0 && vid < VID_MAX ? __atomic_load_n(&vring_on[vid], __ATOMIC_RELAXED)
					 : UINT16_MAX;
}

/*
 * The pod RX ring (queue pair) this lcore sends on: one of its own
 * (fwd_sched_tx_pair), or the next enabled one when the pod has not enabled
 * it. -1 when the pod enabled none.
 */
static inline int tx_pair(const struct fwd_port *fp, uint16_t lcore_index, uint16_t in_queue)
{
	uint16_t on = vrings_on(fp->vid), q, i;

	q = fp->nr_queues == 1
		    ? 0
		    : fwd_sched_tx_pair(lcore_index, fwd.n_lcores, fp->nr_queues, in_queue);
	for (i = 0; i < fp->nr_queues; i++) {
		if (likely(on >> (2 * q + VIRTIO_RXQ) & 1))
			return q;
		if (++q == fp->nr_queues)
			q = 0;
	}
	return -1;
}

struct send_ctx {
	const struct fwd_table *table;
	struct fwd_lcore *lc;
	uint16_t txq;
	/* The loop's clock, read by poll_queue for the burst it switches. */
	uint32_t now;
	uint64_t mark, first;
	/* Switched but not yet sent: freed after the flush (vhost enqueue copies). */
	uint16_t n_held, bursts_held;
	uint16_t held_queue; /* the ingress queue of every held burst */
	struct rte_mbuf *held[L2SWITCH_STAGE_MAX];
};

/* Bytes of the first n mbufs (single segments: see switch_burst). */
static inline uint64_t burst_bytes(struct rte_mbuf *const *mbufs, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_data_len(mbufs[i]);
	return bytes;
}

static uint16_t send_port(void *opaque, uint16_t port, uint16_t queue, void **pkts, uint16_t n)
{
	const struct send_ctx *ctx = opaque;
	const struct fwd_port *fp = &ctx->table->ports[port];
	struct rte_mbuf **mbufs = (struct rte_mbuf **)pkts;
	uint16_t sent, i;

	if (likely(fp->kind == FWD_PORT_VHOST)) {
		/*
		 * Copies into the pod's ring; we keep ownership and free after the
		 * burst. The ring follows this lcore, not the ingress queue: two
		 * lcores then never contend for one ring's lock.
		 */
		int q = tx_pair(fp, ctx->txq, queue);

		/* No ring enabled: the pod takes nothing, these are dropped (tx_full). */
		if (unlikely(q < 0))
			return 0;
		sent = rte_vhost_enqueue_burst(fp->vid, (uint16_t)(2 * q + VIRTIO_RXQ), mbufs, n);
		ctx->lc->tx_bytes[port] += burst_bytes(mbufs, sent);
		return sent;
	}
	/* ethdev TX consumes the mbufs it takes: an extra reference keeps our bulk free balanced.
	 */
	for (i = 0; i < n; i++)
		rte_mbuf_refcnt_update(mbufs[i], 1);
	sent = rte_eth_tx_burst(fp->eth_port, ctx->txq, mbufs, n);
	for (i = sent; i < n; i++)
		rte_mbuf_refcnt_update(mbufs[i], -1);
	/* Still ours to read: the extra reference keeps sent mbufs alive until our bulk free. */
	ctx->lc->tx_bytes[port] += burst_bytes(mbufs, sent);
	return sent;
}

static inline void switch_burst(struct fwd_lcore *lc, struct send_ctx *ctx, uint16_t in_port,
				uint16_t queue, struct rte_mbuf **pkts, uint16_t n, uint32_t now,
				uint64_t ticks)
{
	const uint8_t *frames[L2SWITCH_BURST];
	uint32_t lens[L2SWITCH_BURST];
	struct l2switch_clock clock = {.now = now, .ticks = ticks};
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		frames[i] = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		/* Single segments only: vhost ports are LINEARBUF, the uplink has no RX scatter. */
		lens[i] = rte_pktmbuf_data_len(pkts[i]);
		bytes += lens[i];
	}
	lc->rx_bytes[in_port] += bytes;
	l2switch_burst(&lc->sw, &ctx->table->view, in_port, queue, (void *const *)pkts, frames,
		       lens, n, &clock);
}

/* Send what was staged, then free the held input packets. */
static void flush_now(struct send_ctx *ctx)
{
	if (!ctx->n_held)
		return;
	l2switch_flush(&ctx->lc->sw, send_port, ctx);
	rte_pktmbuf_free_bulk(ctx->held, ctx->n_held);
	ctx->n_held = ctx->bursts_held = 0;
}

/*
 * fwd_sched's flush: at once, unless no class-0 port waits for it, in which
 * case fwd_loop gathers a fuller batch over more turns.
 */
static void flush_held(void *opaque)
{
	struct send_ctx *ctx = opaque;

	if (ctx->lc->sched.n[0])
		flush_now(ctx);
}

/* fwd_sched's poll: one burst of at most max packets from (port, queue), switched. */
static uint16_t poll_queue(void *opaque, uint16_t port, uint16_t q, uint16_t max)
{
	struct send_ctx *ctx = opaque;
	const struct fwd_port *fp = &ctx->table->ports[port];
	struct rte_mbuf **pkts;
	uint16_t n;

	/*
	 * Staging holds L2SWITCH_STAGE_BURSTS bursts: send before it could
	 * overflow. A batch keeps to one ingress queue: an output port's batch
	 * goes out on the queue pair its first frame chose (fwd_sched_tx_pair),
	 * and a multiqueue pod's RX must follow its TX spread.
	 */
	if (ctx->bursts_held == L2SWITCH_STAGE_BURSTS || (ctx->bursts_held && q != ctx->held_queue))
		flush_now(ctx);
	pkts = ctx->held + ctx->n_held;

	if (fp->kind == FWD_PORT_VHOST) {
		/* A ring the pod disabled has nothing for us: skip the call and its lock. */
		if (unlikely(!(vrings_on(fp->vid) >> (2 * q + VIRTIO_TXQ) & 1)))
			return 0;
		n = rte_vhost_dequeue_burst(fp->vid, (uint16_t)(2 * q + VIRTIO_TXQ), fwd.pool, pkts,
					    max);
		if (likely(n == max))
			ctx->lc->txq[port][q].expected += n;
		else
			txq_sync(ctx->lc, fp, port, q, n, max, true);
	} else {
		n = rte_eth_rx_burst(fp->eth_port, q, pkts, max);
	}
	if (n) {
		if (!ctx->first)
			ctx->first = ctx->mark ? ctx->mark : rte_rdtsc();
		switch_burst(ctx->lc, ctx, port, q, pkts, n, ctx->now, ctx->first);
		ctx->n_held = (uint16_t)(ctx->n_held + n);
		ctx->bursts_held++;
		ctx->held_queue = q;
	}
	return n;
}

/* This lcore's ports of t, in fwd_sched's terms. */
static void sched_rebuild(struct fwd_lcore *lc, const struct fwd_table *t)
{
	struct fwd_sched_port mine[L2SWITCH_PORT_MAX];
	unsigned int n = 0;
	uint16_t p, q;

	for (p = 0; p < t->view.n_ports; p++) {
		uint16_t port = t->view.ports[p];
		const struct fwd_port *fp = &t->ports[port];

		if (fp->lcore_index != lc->index)
			continue;
		/* A new table may list a port anew, or the same port with a new vid. */
		if (fp->kind == FWD_PORT_VHOST)
			for (q = 0; q < fp->nr_queues && q < CTL_MAX_QUEUES; q++)
				txq_sync(lc, fp, port, q, 0, 0, false);
		mine[n++] = (struct fwd_sched_port){
			.port = port, .nr_queues = fp->nr_queues, .priority = fp->priority};
	}
	fwd_sched_build(&lc->sched, mine, n);
	lc->sched_gen = t->gen;
}

/* One idle turn more (the empty-turn count so far); pauses or sleeps per the back-off. */
static void idle_backoff(struct fwd_lcore *lc, uint32_t empty)
{
	struct timespec ts;
	uint64_t t0;
	int i;

	if (empty < IDLE_SPIN_TURNS)
		return;
	if (empty < IDLE_SLEEP_TURNS || lc->sched.n[0]) {
		lc->backoff_ns = 0;
		for (i = 0; i < IDLE_PAUSES; i++)
			rte_pause();
		return;
	}
	if (!lc->backoff_ns)
		lc->backoff_ns = IDLE_SLEEP_MIN_NS;
	else if (lc->backoff_ns < IDLE_SLEEP_MAX_NS)
		lc->backoff_ns *= 2;
	ts = (struct timespec){.tv_nsec = lc->backoff_ns};
	t0 = rte_rdtsc();
	nanosleep(&ts, NULL);
	lc->sleep_cycles += rte_rdtsc() - t0;
}

static int fwd_loop(void *arg)
{
	struct fwd_lcore *lc = arg;
	struct send_ctx ctx = {.txq = (uint16_t)lc->index, .lc = lc};
	/*
	 * Busy accounting, one TSC read per pass that moved packets and none
	 * in an idle one: mark is the TSC at the end of the last pass if that
	 * pass was busy (0 otherwise). A busy pass after a busy one is busy
	 * from mark to its end; after an idle one from its first non-empty
	 * burst (that burst's dequeue copy is not counted: a small undercount
	 * at the idle-to-busy edge only). Under load every pass is busy and the
	 * account is exact. The same reads serve the flood buckets' clock.
	 */
	uint32_t pass = 0, empty = 0, turns;

	/* The default 50 us timer slack would stretch every idle sleep (nanosleep). */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	rte_rcu_qsbr_thread_register(fwd.qsbr, lc->index);
	rte_rcu_qsbr_thread_online(fwd.qsbr, lc->index);
	LOG(INFO, "forwarding on lcore %u", lc->lcore_id);
	ctx.now = fwd_now();
	lc->sched_gen = UINT64_MAX;
	lc->loop_start = rte_rdtsc();
	while (likely(!fwd.stop)) {
		const struct fwd_table *t = __atomic_load_n(&fwd.current, __ATOMIC_ACQUIRE);

		ctx.first = 0;
		/*
		 * rdtsc plus a division took a quarter of an idle pass (perf, this VM);
		 * FDB ages in seconds, so reading the clock every 256 passes is plenty.
		 */
		if (unlikely((++pass & 255) == 0))
			ctx.now = fwd_now();
		if (unlikely(t->gen != lc->sched_gen))
			sched_rebuild(lc, t);
		ctx.table = t;
		/*
		 * Without a class-0 port nothing waits for the end of a turn: more
		 * turns (up to FWD_TURNS_MAX, while they move packets) fill the
		 * staging before one flush, so each output port gets fewer, fuller
		 * enqueues. All within one pass: held packets never outlive
		 * the table they were switched with (the quiescent report below).
		 */
		turns = 0;
		while (fwd_sched_turn(&lc->sched, poll_queue, flush_held, &ctx) &&
		       !lc->sched.n[0] && ctx.bursts_held && ++turns < FWD_TURNS_MAX)
			;
		flush_now(&ctx);
		if (ctx.first) {
			uint64_t end = rte_rdtsc();

			lc->busy_cycles += end - ctx.first;
			ctx.mark = end;
			empty = 0;
			lc->backoff_ns = 0;
		} else {
			ctx.mark = 0;
		}
		/* One quiescent report per pass: the table pointer is not held across it. */
		rte_rcu_qsbr_quiescent(fwd.qsbr, lc->index);
		/* After the report: a sleeping lcore never holds up fwd_publish's wait for long. */
		if (!ctx.first)
			idle_backoff(lc, empty < UINT32_MAX ? ++empty : empty);
	}
	rte_rcu_qsbr_thread_offline(fwd.qsbr, lc->index);
	rte_rcu_qsbr_thread_unregister(fwd.qsbr, lc->index);
	return 0;
}

int fwd_run(void)
{
	unsigned int i;
	int rc;

	if (fwd.on_main)
		return fwd_loop(fwd.lcores[0]);
	for (i = 0; i < fwd.n_lcores; i++) {
		rc = rte_eal_remote_launch(fwd_loop, fwd.lcores[i], fwd.lcores[i]->lcore_id);
		if (rc)
			return rc;
	}
	return 0;
}

void fwd_stop(void)
{
	fwd.stop = true;
}

void fwd_wait(void)
{
	if (!fwd.on_main)
		rte_eal_mp_wait_lcore();
}

void fwd_counters(uint16_t port, struct l2switch_counters *sum)
{
	unsigned int i;
	int d;

	memset(sum, 0, sizeof(*sum));
	if (port >= L2SWITCH_PORT_MAX)
		return;
	for (i = 0; i < fwd.n_lcores; i++) {
		const struct l2switch_counters *c = &fwd.lcores[i]->sw.counters[port];

		/* 64-bit loads are atomic on our targets; a counter may lag by one burst. */
		sum->rx += c->rx;
		sum->tx += c->tx;
		for (d = 0; d < CTL_DROP_COUNT; d++)
			sum->drops[d] += c->drops[d];
	}
}

void fwd_bytes(uint16_t port, uint64_t *rx, uint64_t *tx)
{
	unsigned int i;

	*rx = *tx = 0;
	if (port >= L2SWITCH_PORT_MAX)
		return;
	for (i = 0; i < fwd.n_lcores; i++) {
		*rx += fwd.lcores[i]->rx_bytes[port];
		*tx += fwd.lcores[i]->tx_bytes[port];
	}
}

unsigned int fwd_lcore_loads(struct fwd_lcore_load *out, unsigned int max)
{
	uint64_t now = rte_rdtsc();
	unsigned int i;

	for (i = 0; i < fwd.n_lcores && i < max; i++) {
		const struct fwd_lcore *lc = fwd.lcores[i];
		uint64_t start = __atomic_load_n(&lc->loop_start, __ATOMIC_RELAXED);

		out[i].lcore_id = lc->lcore_id;
		out[i].busy_cycles = __atomic_load_n(&lc->busy_cycles, __ATOMIC_RELAXED);
		out[i].sleep_cycles = __atomic_load_n(&lc->sleep_cycles, __ATOMIC_RELAXED);
		out[i].backoff_ns = __atomic_load_n(&lc->backoff_ns, __ATOMIC_RELAXED);
		out[i].cycles = start ? now - start : 0;
		/* Read racily: never report more busy than elapsed. */
		if (out[i].busy_cycles > out[i].cycles)
			out[i].busy_cycles = out[i].cycles;
	}
	return i;
}

uint64_t fwd_tsc_hz(void)
{
	return fwd.tsc_hz;
}
