/*
 * An HDR-style latency histogram for the benchmarks: log-linear buckets
 * (exact below 256 ns, then 128 sub-buckets per power of two, so a reported
 * value is at most 0.8 % above the true one), fixed size, no allocation per
 * sample. Values are nanoseconds; anything above 2^40 ns lands in the last
 * bucket (max stays exact).
 */
#ifndef SLICENET_BENCH_HIST_H
#define SLICENET_BENCH_HIST_H

#include <stdint.h>
#include <stdio.h>

#define HIST_SUB_BITS 7
#define HIST_MAX_BITS 40
#define HIST_BUCKETS                                                                               \
	((2u << HIST_SUB_BITS) + (HIST_MAX_BITS - HIST_SUB_BITS) * (1u << HIST_SUB_BITS))

struct hist {
	uint64_t count;
	uint64_t min;
	uint64_t max;
	double sum;
	uint64_t b[HIST_BUCKETS];
};

void hist_init(struct hist *h);

static inline unsigned int hist_index(uint64_t v)
{
	unsigned int msb, shift;

	if (v < (2u << HIST_SUB_BITS))
		return (unsigned int)v;
	if (v >> HIST_MAX_BITS)
		return HIST_BUCKETS - 1;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	return (2u << HIST_SUB_BITS) + (shift - 1) * (1u << HIST_SUB_BITS) +
	       (unsigned int)((v >> shift) - (1u << HIST_SUB_BITS));
}

static inline void hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v > h->max)
		h->max = v;
	if (v < h->min)
		h->min = v;
}

/* Highest value equivalent to bucket i (what HdrHistogram reports). */
uint64_t hist_bucket_top(unsigned int i);
/* The value at quantile q (0..1]: the smallest bucket top covering q of the samples; max for 1. */
uint64_t hist_quantile(const struct hist *h, double q);
/* "samples=N p50=.. p99=.. p99.9=.. p99.99=.. max=.. mean=.." in ns, no newline. */
void hist_print_summary(const struct hist *h, FILE *f);
/* One "value_ns cumulative_fraction" line per non-empty bucket, for gnuplot. */
int hist_write_cdf(const struct hist *h, const char *path);

#endif
