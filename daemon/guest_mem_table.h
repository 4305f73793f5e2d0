/*
 * The guest memory slicenetd has mapped for its vhost-user ports: which
 * owner (a vhost device id) each address range belongs to. Written by the
 * vhost threads when a device's memory table changes; read, lock-free and
 * async-signal-safe, by the SIGBUS handler (guest_mem.h) to tell a pod's
 * shrunken memfd from a bug of our own. No DPDK here: unit tested.
 */
#ifndef SLICENET_DAEMON_GUEST_MEM_TABLE_H
#define SLICENET_DAEMON_GUEST_MEM_TABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* 8 regions (the vhost-user maximum) for each of 256 ports. */
#define GUEST_MEM_TABLE_ENTRIES 2048u

struct guest_mem_range {
	uintptr_t start;
	uintptr_t len;
};

struct guest_mem_entry {
	/* Odd while a writer changes the entry: readers skip or retry. */
	atomic_uint seq;
	atomic_uintptr_t start, len; /* len 0: free */
	atomic_int owner;
};

struct guest_mem_table {
	pthread_mutex_t lock; /* writers only */
	struct guest_mem_entry e[GUEST_MEM_TABLE_ENTRIES];
};

/* Empty table (a zeroed static one is empty too, once its lock is set up). */
void guest_mem_table_init(struct guest_mem_table *t);

/*
 * Owner's ranges become exactly ranges[0..n). -EINVAL for an owner < 0 or
 * a range that is empty or wraps (nothing changed), -ENOSPC when the table
 * is full (owner then has no ranges).
 */
int guest_mem_table_set(struct guest_mem_table *t, int owner, const struct guest_mem_range *ranges,
			unsigned int n) __attribute__((warn_unused_result));
/* Owner has no ranges any more. */
void guest_mem_table_clear(struct guest_mem_table *t, int owner);

/*
 * The owner of the range holding addr (and that range), or -1. Lock-free
 * and async-signal-safe; may run in a signal handler interrupting a writer.
 */
int guest_mem_table_find(struct guest_mem_table *t, uintptr_t addr, struct guest_mem_range *hit);

#endif
