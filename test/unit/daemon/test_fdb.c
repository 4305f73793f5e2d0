/* MAC learning table: learning, moves, aging, static entries, flushes, full buckets. */
#include <criterion/criterion.h>
#include <errno.h>

#include "daemon/fdb.h"

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t mac_b[6] = {2, 0, 0, 0, 0, 0xb};

Test(fdb, create_rejects_bad_arguments)
{
	cr_assert_null(fdb_create(0, 300));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(fdb_create(16, 0));
	fdb_free(NULL);
}

Test(fdb, learn_and_lookup)
{
	struct fdb *fdb = fdb_create(64, 300);

	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 1), -1);
	fdb_learn(fdb, fdb_mac_key(mac_a), 3, 1);
	fdb_learn(fdb, fdb_mac_key(mac_b), 0, 1);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 2), 3);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_b), 2), 0);
	cr_assert_eq(fdb_count(fdb, 2), 2);
	fdb_free(fdb);
}

Test(fdb, station_move)
{
	struct fdb *fdb = fdb_create(64, 300);

	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 1);
	fdb_learn(fdb, fdb_mac_key(mac_a), 2, 5);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 5), 2);
	cr_assert_eq(fdb_count(fdb, 5), 1);
	fdb_free(fdb);
}

Test(fdb, aging)
{
	struct fdb *fdb = fdb_create(64, 10);
	struct fdb_entry e;

	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 100);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 110), 1);
	cr_assert_eq(fdb_snapshot(fdb, &e, 1, 104), 1);
	cr_assert_eq(e.age, 4);
	/* Refreshing the timestamp keeps it alive. */
	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 108);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 118), 1);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 119), -1);
	cr_assert_eq(fdb_age(fdb, 118), 0);
	cr_assert_eq(fdb_age(fdb, 119), 1);
	cr_assert_eq(fdb_count(fdb, 0), 0);
	fdb_free(fdb);
}

Test(fdb, static_entries_do_not_move_or_age)
{
	struct fdb *fdb = fdb_create(64, 10);
	struct fdb_entry e;

	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_a), 4, 0), 0);
	fdb_learn(fdb, fdb_mac_key(mac_a), 5, 1);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 1000), 4);
	cr_assert_eq(fdb_age(fdb, 1000), 0);
	cr_assert_eq(fdb_snapshot(fdb, &e, 1, 1000), 1);
	cr_assert(e.is_static);
	cr_assert_eq(e.port, 4);
	fdb_free(fdb);
}

Test(fdb, flush_port)
{
	struct fdb *fdb = fdb_create(64, 300);

	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 1);
	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_b), 1, 1), 0);
	fdb_learn(fdb, 0x020000000077, 2, 1);
	cr_assert_eq(fdb_flush_port(fdb, 1), 2);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 1), -1);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000077, 1), 2);
	fdb_free(fdb);
}

Test(fdb, full_table_replaces_oldest_dynamic)
{
	/* capacity 4 = one bucket: every MAC competes for the same 4 ways. */
	struct fdb *fdb = fdb_create(4, 300);
	uint64_t m;

	for (m = 1; m <= 4; m++)
		fdb_learn(fdb, 0x020000000000 | m, (uint16_t)m, (uint32_t)m);
	fdb_learn(fdb, 0x020000000005, 5, 10);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000001, 10), -1, "oldest evicted");
	cr_assert_eq(fdb_lookup(fdb, 0x020000000005, 10), 5);
	cr_assert_eq(fdb_count(fdb, 10), 4);
	fdb_free(fdb);
}

Test(fdb, static_fills_bucket)
{
	struct fdb *fdb = fdb_create(4, 300);
	uint64_t m;

	for (m = 1; m <= 4; m++)
		cr_assert_eq(fdb_add_static(fdb, 0x020000000000 | m, 1, 0), 0);
	cr_assert_eq(fdb_add_static(fdb, 0x020000000009, 1, 0), -ENOSPC);
	/* Learning into an all-static bucket is silently skipped: traffic floods. */
	fdb_learn(fdb, 0x020000000009, 2, 0);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000009, 0), -1);
	fdb_free(fdb);
}

Test(fdb, many_macs)
{
	struct fdb *fdb = fdb_create(4096, 300);
	unsigned int i, found = 0;

	for (i = 0; i < 2048; i++)
		fdb_learn(fdb, 0x020000000000 | i, (uint16_t)(i % 200), 1);
	for (i = 0; i < 2048; i++)
		found += fdb_lookup(fdb, 0x020000000000 | i, 1) == (int)(i % 200);
	/* Half-full 4-way buckets: collisions beyond 4 per bucket are rare, not impossible. */
	cr_assert_geq(found, 2000, "found %u", found);
	fdb_free(fdb);
}
