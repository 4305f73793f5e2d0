/* Flood token bucket: burst, sustained rate, refill cap, unlimited, bad settings. */
#include <criterion/criterion.h>

#include "daemon/tbucket.h"

#define HZ 1000 /* ticks per second in these tests */

Test(tbucket, rejects_bad_settings)
{
	struct tbucket_rate r;

	cr_assert_eq(tbucket_rate_init(&r, 10, 0, HZ), -EINVAL, "burst 0");
	cr_assert_eq(tbucket_rate_init(&r, 10, 5, 0), -EINVAL, "hz 0");
	cr_assert_eq(tbucket_rate_init(&r, TBUCKET_PPS_MAX + 1ull, 5, HZ), -EINVAL);
	cr_assert_eq(tbucket_rate_init(&r, 10, TBUCKET_BURST_MAX + 1ull, HZ), -EINVAL);
	/* The extremes must not overflow: a 4 GHz TSC, the largest rate and burst. */
	cr_assert_eq(tbucket_rate_init(&r, TBUCKET_PPS_MAX, TBUCKET_BURST_MAX, 4000000000ull), 0);
}

Test(tbucket, burst_then_rate)
{
	struct tbucket_rate r;
	struct tbucket b;
	int i, n = 0;

	cr_assert_eq(tbucket_rate_init(&r, 10, 5, HZ), 0);
	tbucket_init(&b, &r, 0);
	for (i = 0; i < 20; i++)
		n += tbucket_take(&b, &r, 0);
	cr_assert_eq(n, 5, "a full bucket gives the burst, then nothing");
	cr_assert_not(tbucket_take(&b, &r, 99), "10 pps: nothing new within 99 ms");
	cr_assert(tbucket_take(&b, &r, 100), "one token after 100 ms");
	cr_assert_not(tbucket_take(&b, &r, 100));
}

Test(tbucket, sustained_rate_over_ten_seconds)
{
	struct tbucket_rate r;
	struct tbucket b;
	uint64_t t;
	int n = 0;

	cr_assert_eq(tbucket_rate_init(&r, 10, 5, HZ), 0);
	tbucket_init(&b, &r, 0);
	/* A storm: one attempt every tick for 10 s. */
	for (t = 0; t < 10 * HZ; t++)
		for (int k = 0; k < 4; k++)
			n += tbucket_take(&b, &r, t);
	cr_assert(n >= 5 + 99 && n <= 5 + 100, "burst + 10 s * 10 pps, got %d", n);
}

Test(tbucket, idle_time_refills_only_to_the_burst)
{
	struct tbucket_rate r;
	struct tbucket b;
	int n = 0;

	cr_assert_eq(tbucket_rate_init(&r, 10, 5, HZ), 0);
	tbucket_init(&b, &r, 0);
	while (tbucket_take(&b, &r, 0))
		;
	/* An hour later: still only the burst, and no overflow on the long gap. */
	for (int i = 0; i < 20; i++)
		n += tbucket_take(&b, &r, 3600ull * HZ);
	cr_assert_eq(n, 5);
}

Test(tbucket, zero_rate_is_unlimited)
{
	struct tbucket_rate r;
	struct tbucket b;

	cr_assert_eq(tbucket_rate_init(&r, 0, 1, HZ), 0);
	tbucket_init(&b, &r, 0);
	for (int i = 0; i < 100000; i++)
		cr_assert(tbucket_take(&b, &r, 0));
}
