/*
 * A token bucket in packets per second, for the flood limit of a switch
 * port. Pure integer logic on a caller-supplied tick counter (the TSC on the
 * datapath, anything monotonic in tests), no division on the hot path.
 *
 * Units: one packet costs `hz` credits (ticks per second) and every tick
 * earns `pps` credits, so credits = ticks * pps and the bucket holds at most
 * burst * hz. One bucket is touched by one thread only (the lcore that polls
 * the port); header-only because the datapath inlines it.
 */
#ifndef SLICENET_DAEMON_TBUCKET_H
#define SLICENET_DAEMON_TBUCKET_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define TBUCKET_PPS_MAX	  100000000u /* 100 Mpps: more means "no limit" in practice */
#define TBUCKET_BURST_MAX 1000000u

struct tbucket_rate {
	uint64_t pps;	      /* 0 = unlimited */
	uint64_t hz;	      /* ticks per second */
	uint64_t depth;	      /* burst * hz: a full bucket */
	uint64_t max_elapsed; /* ticks that fill an empty bucket; caps ticks * pps */
};

struct tbucket {
	uint64_t credits;
	uint64_t last; /* tick of the last refill */
};

/* pps 1..TBUCKET_PPS_MAX (0 = unlimited), burst 1..TBUCKET_BURST_MAX packets. 0 or -EINVAL. */
static inline int tbucket_rate_init(struct tbucket_rate *r, uint64_t pps, uint64_t burst,
				    uint64_t hz)
{
	/* burst * hz and elapsed * pps stay below 2^64 for hz up to 10 GHz. */
	if (pps > TBUCKET_PPS_MAX || burst == 0 || burst > TBUCKET_BURST_MAX || hz == 0 ||
	    hz > 10000000000ull)
		return -EINVAL;
	r->pps = pps;
	r->hz = hz;
	r->depth = burst * hz;
	r->max_elapsed = pps ? r->depth / pps + 1 : 0;
	return 0;
}

/* A full bucket at tick now. */
static inline void tbucket_init(struct tbucket *b, const struct tbucket_rate *r, uint64_t now)
{
	b->credits = r->depth;
	b->last = now;
}

/* Take one packet's worth at tick now; false when the rate is exceeded. */
static inline bool tbucket_take(struct tbucket *b, const struct tbucket_rate *r, uint64_t now)
{
	if (r->pps == 0)
		return true;
	/* Refill only when short: a bucket with credit costs one compare. */
	if (b->credits < r->hz) {
		uint64_t elapsed = now - b->last;

		if (elapsed > r->max_elapsed)
			elapsed = r->max_elapsed;
		b->credits += elapsed * r->pps;
		if (b->credits > r->depth)
			b->credits = r->depth;
		b->last = now;
		if (b->credits < r->hz)
			return false;
	}
	b->credits -= r->hz;
	return true;
}

#endif
