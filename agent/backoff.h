/*
 * Retry delays as client-go's reflector takes them: 800 ms doubling to a
 * 30 s cap, each delay drawn uniformly from [d, 2d) (jitter 1.0) so a
 * restarted API server is not hit by every node at once, and a reset after
 * two minutes without failure.
 */
#ifndef SLICENET_AGENT_BACKOFF_H
#define SLICENET_AGENT_BACKOFF_H

#include <stdint.h>

struct backoff {
	uint64_t initial_ms;
	uint64_t cap_ms;
	uint64_t reset_after_ms;
	uint64_t current_ms;	  /* base of the next delay, 0 = initial */
	uint64_t last_failure_ms; /* monotonic time of the last failure */
	uint64_t seed;		  /* xorshift state for the jitter */
};

/* The reflector's numbers; seed varies the jitter between nodes. */
void backoff_init(struct backoff *b, uint64_t seed);

/* A failure at now_ms: the delay to wait before the next attempt, in ms. */
uint64_t backoff_next(struct backoff *b, uint64_t now_ms);

/* Monotonic clock in milliseconds. */
uint64_t backoff_now_ms(void);

#endif
