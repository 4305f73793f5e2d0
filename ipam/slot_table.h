/*
 * An open-addressing table of entry numbers, for the IPAM's in-memory
 * lookups (the owner index's names, the allocator's taken addresses): the
 * caller keeps its entries in an array and supplies the hash and the
 * equality; the table holds only their numbers, at most half full, probed
 * linearly.
 */
#ifndef SLICENET_IPAM_SLOT_TABLE_H
#define SLICENET_IPAM_SLOT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define SLOT_TABLE_FREE UINT32_MAX

struct slot_table {
	uint32_t *slots; /* entry numbers, SLOT_TABLE_FREE when free */
	size_t mask;	 /* slots - 1, a power of two minus one */
};

/* Room for n entries (n < SLOT_TABLE_FREE / 4), all free; -ENOMEM or -E2BIG. */
int slot_table_init(struct slot_table *t, size_t n) __attribute__((warn_unused_result));
void slot_table_free(struct slot_table *t);

/* FNV-1a over size bytes: the hash both tables use. */
uint64_t slot_table_hash(const void *data, size_t size);

/*
 * Probe order for a hash: for (s = slot_table_first(t, h); t->slots[s] !=
 * SLOT_TABLE_FREE; s = slot_table_next(t, s)) compares entry t->slots[s];
 * the free slot it stops at is where a new entry goes.
 */
static inline size_t slot_table_first(const struct slot_table *t, uint64_t hash)
{
	return (size_t)(hash ^ (hash >> 29)) & t->mask;
}

static inline size_t slot_table_next(const struct slot_table *t, size_t slot)
{
	return (slot + 1) & t->mask;
}

#endif
