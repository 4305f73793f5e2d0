/*
 * Guest memory table: lookups by address, replace and clear by owner, bad
 * ranges, a full table; a random walk checked against a plain model; and a
 * reader racing writers never sees a range that was not set as one.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "daemon/guest_mem_table.h"

static struct guest_mem_table t;

static void setup(void)
{
	guest_mem_table_init(&t);
}

TestSuite(guest_mem_table, .init = setup);

Test(guest_mem_table, finds_the_owner_of_an_address)
{
	struct guest_mem_range a[2] = {{0x10000, 0x1000}, {0x40000, 0x20000}};
	struct guest_mem_range b[1] = {{0x20000, 0x1000}};
	struct guest_mem_range hit;

	cr_assert_eq(guest_mem_table_set(&t, 3, a, 2), 0);
	cr_assert_eq(guest_mem_table_set(&t, 7, b, 1), 0);
	cr_assert_eq(guest_mem_table_find(&t, 0x10000, &hit), 3);
	cr_assert_eq(hit.start, 0x10000);
	cr_assert_eq(hit.len, 0x1000);
	cr_assert_eq(guest_mem_table_find(&t, 0x10fff, &hit), 3, "last byte");
	cr_assert_eq(guest_mem_table_find(&t, 0x11000, &hit), -1, "one past the end");
	cr_assert_eq(guest_mem_table_find(&t, 0xffff, &hit), -1, "one before");
	cr_assert_eq(guest_mem_table_find(&t, 0x5ffff, &hit), 3);
	cr_assert_eq(hit.start, 0x40000);
	cr_assert_eq(guest_mem_table_find(&t, 0x20800, &hit), 7);
	cr_assert_eq(guest_mem_table_find(&t, 0, &hit), -1, "address 0 is nobody's");
}

Test(guest_mem_table, set_replaces_and_clear_forgets_only_that_owner)
{
	struct guest_mem_range old = {0x10000, 0x1000}, new = {0x90000, 0x1000};
	struct guest_mem_range other = {0x20000, 0x1000}, hit;

	cr_assert_eq(guest_mem_table_set(&t, 1, &old, 1), 0);
	cr_assert_eq(guest_mem_table_set(&t, 2, &other, 1), 0);
	cr_assert_eq(guest_mem_table_set(&t, 1, &new, 1), 0);
	cr_assert_eq(guest_mem_table_find(&t, 0x10000, &hit), -1, "the old table is gone");
	cr_assert_eq(guest_mem_table_find(&t, 0x90000, &hit), 1);
	guest_mem_table_clear(&t, 1);
	cr_assert_eq(guest_mem_table_find(&t, 0x90000, &hit), -1);
	cr_assert_eq(guest_mem_table_find(&t, 0x20000, &hit), 2, "owner 2 untouched");
	guest_mem_table_clear(&t, 9); /* nothing of 9's: no effect */
	cr_assert_eq(guest_mem_table_find(&t, 0x20000, &hit), 2);
	cr_assert_eq(guest_mem_table_set(&t, 2, NULL, 0), 0, "an empty table is fine");
	cr_assert_eq(guest_mem_table_find(&t, 0x20000, &hit), -1);
}

Test(guest_mem_table, bad_ranges_change_nothing)
{
	struct guest_mem_range good = {0x10000, 0x1000}, hit;
	struct guest_mem_range empty[2] = {{0x30000, 0x1000}, {0x50000, 0}};
	struct guest_mem_range wrap[1] = {{UINTPTR_MAX - 0xfff, 0x2000}};

	cr_assert_eq(guest_mem_table_set(&t, 1, &good, 1), 0);
	cr_assert_eq(guest_mem_table_set(&t, 1, empty, 2), -EINVAL);
	cr_assert_eq(guest_mem_table_set(&t, 1, wrap, 1), -EINVAL);
	cr_assert_eq(guest_mem_table_set(&t, -1, &good, 1), -EINVAL);
	cr_assert_eq(guest_mem_table_find(&t, 0x10000, &hit), 1, "kept after refusals");
	cr_assert_eq(guest_mem_table_find(&t, 0x30000, &hit), -1);
	/* A range ending one page below the top does not wrap. */
	wrap[0] = (struct guest_mem_range){UINTPTR_MAX - 0x1fff, 0x1000};
	cr_assert_eq(guest_mem_table_set(&t, 4, wrap, 1), 0);
	cr_assert_eq(guest_mem_table_find(&t, UINTPTR_MAX - 0x1000, &hit), 4);
	cr_assert_eq(guest_mem_table_find(&t, UINTPTR_MAX - 0xfff, &hit), -1);
}

Test(guest_mem_table, full_table_leaves_the_owner_empty)
{
	struct guest_mem_range r, hit;
	unsigned int i;

	for (i = 0; i < GUEST_MEM_TABLE_ENTRIES; i++) {
		r = (struct guest_mem_range){0x100000 + i * 0x1000ull, 0x1000};
		cr_assert_eq(guest_mem_table_set(&t, (int)i, &r, 1), 0);
	}
	struct guest_mem_range two[2] = {{0x10000, 0x1000}, {0x20000, 0x1000}};

	cr_assert_eq(guest_mem_table_set(&t, 5000, two, 2), -ENOSPC);
	cr_assert_eq(guest_mem_table_find(&t, 0x10000, &hit), -1);
	/* Owner 0 replacing its one range by two: one slot only, so it ends with none. */
	cr_assert_eq(guest_mem_table_set(&t, 0, two, 2), -ENOSPC);
	cr_assert_eq(guest_mem_table_find(&t, 0x100000, &hit), -1, "owner 0's old range gone");
	cr_assert_eq(guest_mem_table_find(&t, 0x10000, &hit), -1);
	cr_assert_eq(guest_mem_table_find(&t, 0x101000, &hit), 1, "others kept");
	cr_assert_eq(guest_mem_table_set(&t, 0, two, 1), 0, "room for one again");
}

/* Owners 0..7, each with up to 8 disjoint ranges in its own 1 MiB window. */
#define OWNERS 8

struct model {
	unsigned int n[OWNERS];
	struct guest_mem_range r[OWNERS][8];
};

static int model_find(const struct model *m, uintptr_t addr)
{
	for (int o = 0; o < OWNERS; o++)
		for (unsigned int i = 0; i < m->n[o]; i++)
			if (addr >= m->r[o][i].start && addr - m->r[o][i].start < m->r[o][i].len)
				return o;
	return -1;
}

Test(guest_mem_table, random_walk_matches_a_model)
{
	struct model m = {0};
	struct guest_mem_range hit;
	unsigned int seed = 12345, step, i;

	for (step = 0; step < 20000; step++) {
		int o = (int)(rand_r(&seed) % OWNERS);
		unsigned int op = (unsigned int)rand_r(&seed) % 4;

		if (op == 0) {
			guest_mem_table_clear(&t, o);
			m.n[o] = 0;
		} else if (op == 1) {
			struct guest_mem_range r[8];
			unsigned int n = (unsigned int)rand_r(&seed) % 9;

			for (i = 0; i < n; i++)
				r[i] = (struct guest_mem_range){
					((uintptr_t)o << 20) + i * 0x20000 +
						(uintptr_t)(rand_r(&seed) % 0x100),
					1 + (uintptr_t)(rand_r(&seed) % 0x10000)};
			cr_assert_eq(guest_mem_table_set(&t, o, r, n), 0);
			m.n[o] = n;
			memcpy(m.r[o], r, sizeof(r));
		} else {
			uintptr_t addr = (uintptr_t)(rand_r(&seed) % (OWNERS << 20));
			int want = model_find(&m, addr), got = guest_mem_table_find(&t, addr, &hit);

			cr_assert_eq(got, want, "step %u: address %#lx", step, (unsigned long)addr);
			if (got >= 0)
				cr_assert(addr >= hit.start && addr - hit.start < hit.len);
		}
	}
}

static atomic_bool stop;

/* Owner 1 flips between two tables; owner 2 stays put. */
static void *writer(void *arg)
{
	struct guest_mem_range x = {0x100000, 0x1000}, y = {0x300000, 0x8000};

	(void)arg;
	while (!atomic_load(&stop)) {
		cr_assert_eq(guest_mem_table_set(&t, 1, &x, 1), 0);
		cr_assert_eq(guest_mem_table_set(&t, 1, &y, 1), 0);
		guest_mem_table_clear(&t, 1);
	}
	return NULL;
}

Test(guest_mem_table, readers_see_whole_entries_while_writers_change_them)
{
	struct guest_mem_range fixed = {0x200000, 0x1000}, hit;
	pthread_t w;
	long i;

	cr_assert_eq(guest_mem_table_set(&t, 2, &fixed, 1), 0);
	cr_assert_eq(pthread_create(&w, NULL, writer, NULL), 0);
	for (i = 0; i < 20000; i++) {
		int o = guest_mem_table_find(&t, 0x100800, &hit);

		cr_assert(o == -1 || (o == 1 && hit.start == 0x100000 && hit.len == 0x1000),
			  "torn entry: owner %d %#lx+%#lx", o, (unsigned long)hit.start,
			  (unsigned long)hit.len);
		o = guest_mem_table_find(&t, 0x307000, &hit);
		cr_assert(o == -1 || (o == 1 && hit.start == 0x300000 && hit.len == 0x8000));
		/* Owner 2's entry is never rewritten: always found. */
		if (!(i & 63))
			cr_assert_eq(guest_mem_table_find(&t, 0x200000, &hit), 2);
	}
	atomic_store(&stop, true);
	pthread_join(w, NULL);
}
