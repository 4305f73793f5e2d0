/*
 * The disk store's owner index, kept in the store's lock file: for every
 * reservation file the store last read, its name, inode number and
 * owner (or that it is corrupt). With it an ADD reads one file and lists the
 * directory instead of opening every reservation: at 500 pods that was most
 * of ADD's time. The per-address files stay the truth, written as before and
 * shared with host-local; the index is only a cache of their contents, kept
 * by ipam/store_disk_list.c (when an entry may be used is said there).
 */
#ifndef SLICENET_IPAM_STORE_INDEX_H
#define SLICENET_IPAM_STORE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipam/slot_table.h"
#include "ipam/store.h"

/*
 * One line of the index. Small on purpose (the strings point into the
 * index's own text): at 500 reservations, entries holding a whole struct
 * ipam_reservation cost ADD ~70 page faults and a sort of 175 KB.
 */
struct store_index_entry {
	const char *key;	  /* the record's file name */
	const char *container_id; /* "" when corrupt */
	const char *ifname;	  /* "" in host-local's old id-only records */
	uint64_t ino;
	bool corrupt;
};

struct store_index {
	struct store_index_entry *entries; /* in the file's order */
	size_t n;
	char *text;		 /* what the entries point into */
	struct slot_table table; /* entry numbers by key */
};

/*
 * Parse an index file: text (size bytes, malloc'd with room for one more)
 * is taken over, parsed in place and freed with the index. Anything but a
 * whole, intact index (a torn write, a bad checksum, a bad line, a name
 * twice) is -EUCLEAN and leaves out empty: the caller reads every record
 * instead. -ENOMEM when out of memory.
 */
int store_index_parse(char *text, size_t size, struct store_index *out)
	__attribute__((warn_unused_result));

/* The entry named key, or NULL. */
const struct store_index_entry *store_index_find(const struct store_index *index, const char *key);

/*
 * The file's text for n reservations (any order) and their inode numbers;
 * malloc'd, NULL when out of memory.
 */
char *store_index_encode(const struct ipam_reservation *res, const uint64_t *inos, size_t n,
			 size_t *size);

/* Accepts an empty index. */
void store_index_free(struct store_index *index);

#endif
