/*
 * The disk store's owner index, kept in the store's lock file: for every
 * reservation file the store last read, its name, inode number and
 * owner (or that it is corrupt). With it an ADD reads one file and lists the
 * directory instead of opening every reservation: at 500 pods that was most
 * of ADD's time. The per-address files stay the truth, written as before and
 * shared with host-local; the index is only a cache of their contents, kept
 * by ipam/store_disk.c (when an entry may be used is said there).
 */
#ifndef SLICENET_IPAM_STORE_INDEX_H
#define SLICENET_IPAM_STORE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "ipam/store.h"

struct store_index_entry {
	struct ipam_reservation res;
	uint64_t ino;
};

struct store_index {
	struct store_index_entry *entries; /* sorted by res.key */
	size_t n;
};

/*
 * Parse an index file. Anything but a whole, intact index (a torn write, a
 * bad checksum, a bad line) is -EUCLEAN and leaves out empty: the caller
 * reads every record instead. -ENOMEM when out of memory.
 */
int store_index_parse(const char *text, size_t size, struct store_index *out)
	__attribute__((warn_unused_result));

/* The entry named key, or NULL. */
const struct store_index_entry *store_index_find(const struct store_index *index, const char *key);

/* The file's text for n entries (any order); malloc'd, NULL when out of memory. */
char *store_index_encode(const struct store_index_entry *entries, size_t n, size_t *size);

/* Accepts an empty index. */
void store_index_free(struct store_index *index);

#endif
