/* Lock-free table of mapped guest memory ranges (see guest_mem_table.h). */
#include "daemon/guest_mem_table.h"

#include <errno.h>

void guest_mem_table_init(struct guest_mem_table *t)
{
	unsigned int i;

	pthread_mutex_init(&t->lock, NULL);
	for (i = 0; i < GUEST_MEM_TABLE_ENTRIES; i++) {
		atomic_init(&t->e[i].seq, 0);
		atomic_init(&t->e[i].start, 0);
		atomic_init(&t->e[i].len, 0);
		atomic_init(&t->e[i].owner, -1);
	}
}

/* Writers hold t->lock; the seq bracket lets a reader see a whole entry or none. */
static void write_entry(struct guest_mem_entry *e, uintptr_t start, uintptr_t len, int owner)
{
	atomic_fetch_add_explicit(&e->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&e->start, start, memory_order_relaxed);
	atomic_store_explicit(&e->len, len, memory_order_relaxed);
	atomic_store_explicit(&e->owner, owner, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->seq, 1, memory_order_release);
}

static void clear_locked(struct guest_mem_table *t, int owner)
{
	unsigned int i;

	for (i = 0; i < GUEST_MEM_TABLE_ENTRIES; i++)
		if (atomic_load_explicit(&t->e[i].len, memory_order_relaxed) &&
		    atomic_load_explicit(&t->e[i].owner, memory_order_relaxed) == owner)
			write_entry(&t->e[i], 0, 0, -1);
}

int guest_mem_table_set(struct guest_mem_table *t, int owner, const struct guest_mem_range *ranges,
			unsigned int n)
{
	unsigned int i, k = 0;

	if (owner < 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!ranges[i].len || ranges[i].start + ranges[i].len < ranges[i].start)
			return -EINVAL;
	pthread_mutex_lock(&t->lock);
	clear_locked(t, owner);
	for (i = 0; i < n; i++) {
		while (k < GUEST_MEM_TABLE_ENTRIES &&
		       atomic_load_explicit(&t->e[k].len, memory_order_relaxed))
			k++;
		if (k == GUEST_MEM_TABLE_ENTRIES) {
			clear_locked(t, owner);
			pthread_mutex_unlock(&t->lock);
			return -ENOSPC;
		}
		write_entry(&t->e[k], ranges[i].start, ranges[i].len, owner);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void guest_mem_table_clear(struct guest_mem_table *t, int owner)
{
	pthread_mutex_lock(&t->lock);
	clear_locked(t, owner);
	pthread_mutex_unlock(&t->lock);
}

int guest_mem_table_find(struct guest_mem_table *t, uintptr_t addr, struct guest_mem_range *hit)
{
	unsigned int i, tries;

	for (i = 0; i < GUEST_MEM_TABLE_ENTRIES; i++) {
		struct guest_mem_entry *e = &t->e[i];

		/* A writer interrupted mid-entry never finishes while we run: give up on it. */
		for (tries = 0; tries < 4; tries++) {
			unsigned int seq = atomic_load_explicit(&e->seq, memory_order_acquire);
			uintptr_t start, len;
			int owner;

			if (seq & 1)
				continue;
			start = atomic_load_explicit(&e->start, memory_order_relaxed);
			len = atomic_load_explicit(&e->len, memory_order_relaxed);
			owner = atomic_load_explicit(&e->owner, memory_order_relaxed);
			atomic_thread_fence(memory_order_acquire);
			if (atomic_load_explicit(&e->seq, memory_order_relaxed) != seq)
				continue;
			if (len && addr >= start && addr - start < len) {
				hit->start = start;
				hit->len = len;
				return owner;
			}
			break;
		}
	}
	return -1;
}
