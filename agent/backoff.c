/* Exponential backoff with jitter (see backoff.h for the numbers' origin). */
#include "agent/backoff.h"

#include <time.h>

void backoff_init(struct backoff *b, uint64_t seed)
{
	b->initial_ms = 800;
	b->cap_ms = 30000;
	b->reset_after_ms = 120000;
	b->current_ms = 0;
	b->last_failure_ms = 0;
	b->seed = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static uint64_t xorshift(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

uint64_t backoff_next(struct backoff *b, uint64_t now_ms)
{
	if (b->last_failure_ms && now_ms - b->last_failure_ms >= b->reset_after_ms)
		b->current_ms = 0;
	b->last_failure_ms = now_ms ? now_ms : 1;
	if (!b->current_ms)
		b->current_ms = b->initial_ms;
	else if (b->current_ms < b->cap_ms)
		b->current_ms = b->current_ms * 2 > b->cap_ms ? b->cap_ms : b->current_ms * 2;
	return b->current_ms + xorshift(&b->seed) % b->current_ms;
}

uint64_t backoff_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
