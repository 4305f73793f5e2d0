/* See slot_table.h. */
#include "ipam/slot_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int slot_table_init(struct slot_table *t, size_t n)
{
	size_t size = 16;

	t->slots = NULL;
	t->mask = 0;
	if (n >= SLOT_TABLE_FREE / 4)
		return -E2BIG;
	while (size < 2 * n)
		size *= 2;
	t->slots = malloc(size * sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	memset(t->slots, 0xff, size * sizeof(*t->slots));
	t->mask = size - 1;
	return 0;
}

void slot_table_free(struct slot_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->mask = 0;
}

uint64_t slot_table_hash(const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++) {
		hash ^= p[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}
