/* HDR-style histogram: see hist.h. */
#include "test/bench/hist.h"

#include <errno.h>
#include <string.h>

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t hist_bucket_top(unsigned int i)
{
	unsigned int shift, sub;

	if (i < (2u << HIST_SUB_BITS))
		return i;
	shift = (i - (2u << HIST_SUB_BITS)) / (1u << HIST_SUB_BITS) + 1;
	sub = (i - (2u << HIST_SUB_BITS)) % (1u << HIST_SUB_BITS) + (1u << HIST_SUB_BITS);
	return (((uint64_t)sub + 1) << shift) - 1;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0, top;
	unsigned int i;

	if (!h->count)
		return 0;
	if (q >= 1.0)
		return h->max;
	want = (uint64_t)(q * (double)h->count + 0.999999);
	if (want < 1)
		want = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want) {
			top = hist_bucket_top(i);
			/* The bucket's top may lie above every sample in it. */
			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}

void hist_print_summary(const struct hist *h, FILE *f)
{
	fprintf(f, "samples=%llu p50=%llu p99=%llu p99.9=%llu p99.99=%llu max=%llu mean=%.0f",
		(unsigned long long)h->count, (unsigned long long)hist_quantile(h, 0.5),
		(unsigned long long)hist_quantile(h, 0.99),
		(unsigned long long)hist_quantile(h, 0.999),
		(unsigned long long)hist_quantile(h, 0.9999), (unsigned long long)h->max,
		h->count ? h->sum / (double)h->count : 0.0);
}

int hist_write_cdf(const struct hist *h, const char *path)
{
	uint64_t seen = 0;
	unsigned int i;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	for (i = 0; i < HIST_BUCKETS && h->count; i++) {
		if (!h->b[i])
			continue;
		seen += h->b[i];
		fprintf(f, "%llu %.9f\n", (unsigned long long)hist_bucket_top(i),
			(double)seen / (double)h->count);
	}
	if (fclose(f))
		return -errno;
	return 0;
}
