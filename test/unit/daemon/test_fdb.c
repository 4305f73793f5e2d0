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
	fdb_learn(fdb, fdb_mac_key(mac_a), 3, 1, false);
	fdb_learn(fdb, fdb_mac_key(mac_b), 0, 1, false);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 2), 3);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_b), 2), 0);
	cr_assert_eq(fdb_count(fdb, 2), 2);
	fdb_free(fdb);
}

Test(fdb, station_move)
{
	struct fdb *fdb = fdb_create(64, 300);

	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 1, false);
	fdb_learn(fdb, fdb_mac_key(mac_a), 2, 5, false);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 5), 2);
	cr_assert_eq(fdb_count(fdb, 5), 1);
	fdb_free(fdb);
}

Test(fdb, aging)
{
	struct fdb *fdb = fdb_create(64, 10);
	struct fdb_entry e;

	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 100, false);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 110), 1);
	cr_assert_eq(fdb_snapshot(fdb, &e, 1, 104), 1);
	cr_assert_eq(e.age, 4);
	/* Refreshing the timestamp keeps it alive. */
	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 108, false);
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

	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_a), 4, 0, NULL), 0);
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_a), 5, 1, false), FDB_HELD);
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

	fdb_learn(fdb, fdb_mac_key(mac_a), 1, 1, false);
	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_b), 1, 1, NULL), 0);
	fdb_learn(fdb, 0x020000000077, 2, 1, false);
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
		fdb_learn(fdb, 0x020000000000 | m, (uint16_t)m, (uint32_t)m, false);
	fdb_learn(fdb, 0x020000000005, 5, 10, false);
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
		cr_assert_eq(fdb_add_static(fdb, 0x020000000000 | m, 1, 0, NULL), 0);
	cr_assert_eq(fdb_add_static(fdb, 0x020000000009, 1, 0, NULL), -ENOSPC);
	/* Learning into an all-static bucket is skipped: traffic floods. */
	cr_assert_eq(fdb_learn(fdb, 0x020000000009, 2, 0, false), FDB_FULL);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000009, 0), -1);
	fdb_free(fdb);
}

Test(fdb, many_macs)
{
	struct fdb *fdb = fdb_create(4096, 300);
	unsigned int i, found = 0;

	for (i = 0; i < 2048; i++)
		fdb_learn(fdb, 0x020000000000 | i, (uint16_t)(i % 200), 1, false);
	for (i = 0; i < 2048; i++)
		found += fdb_lookup(fdb, 0x020000000000 | i, 1) == (int)(i % 200);
	/* Half-full 4-way buckets: collisions beyond 4 per bucket are rare, not impossible. */
	cr_assert_geq(found, 2000, "found %u", found);
	fdb_free(fdb);
}

/* Issue 9: a pod's MAC belongs to its port; learning elsewhere never takes it. */

Test(fdb, uplink_learning_never_evicts_static_or_pinned)
{
	/* One bucket: 2 static + 1 pinned + 1 dynamic; new MACs may only replace the dynamic. */
	struct fdb *fdb = fdb_create(4, 300);

	fdb_set_port_limit(fdb, 100);
	cr_assert_eq(fdb_add_static(fdb, 0x020000000001, 1, 0, NULL), 0);
	cr_assert_eq(fdb_add_static(fdb, 0x020000000002, 2, 0, NULL), 0);
	cr_assert_eq(fdb_learn(fdb, 0x020000000003, 3, 0, true), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, 0x020000000004, 9, 0, false), FDB_LEARNED);
	for (uint64_t m = 0x10; m < 0x30; m++)
		cr_assert_eq(fdb_learn(fdb, 0x020000000000 | m, 9, 1, false), FDB_LEARNED);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000001, 1), 1);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000002, 1), 2);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000003, 1), 3);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000002f, 1), 9, "the newest took the dynamic slot");
	cr_assert_eq(fdb_port_learned(fdb, 9), 1, "evictions keep the count exact");
	/* Moves are refused too. */
	cr_assert_eq(fdb_learn(fdb, 0x020000000001, 9, 1, false), FDB_HELD);
	cr_assert_eq(fdb_learn(fdb, 0x020000000003, 9, 1, false), FDB_HELD);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000003, 1), 3);
	fdb_free(fdb);
}

Test(fdb, bucket_of_owned_entries_is_full)
{
	struct fdb *fdb = fdb_create(4, 300);

	for (uint64_t m = 1; m <= 2; m++)
		cr_assert_eq(fdb_add_static(fdb, 0x020000000000 | m, (uint16_t)m, 0, NULL), 0);
	for (uint64_t m = 3; m <= 4; m++)
		cr_assert_eq(fdb_learn(fdb, 0x020000000000 | m, (uint16_t)m, 0, true), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, 0x020000000009, 9, 0, false), FDB_FULL);
	cr_assert_eq(fdb_count(fdb, 0), 4);
	fdb_free(fdb);
}

Test(fdb, pin_claims_only_a_free_mac)
{
	struct fdb *fdb = fdb_create(64, 300);
	struct fdb_entry e[2];

	/* Learned on the uplink (port 9): a pod cannot claim it, e.g. the gateway's MAC. */
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_a), 9, 1, false), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_a), 2, 1, true), FDB_HELD);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 1), 9);
	/* Free: claimed and pinned; refreshing it is fine; others can't have it. */
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_b), 2, 1, true), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_b), 2, 2, true), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_b), 3, 2, true), FDB_HELD);
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_b), 9, 2, false), FDB_HELD);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_b), 2), 2);
	cr_assert_eq(fdb_snapshot(fdb, e, 2, 2), 2);
	for (int k = 0; k < 2; k++) {
		cr_assert_eq(e[k].is_pinned, e[k].mac == fdb_mac_key(mac_b));
		cr_assert_not(e[k].is_static);
	}
	fdb_free(fdb);
}

Test(fdb, pinned_entry_ages_and_is_then_free)
{
	struct fdb *fdb = fdb_create(64, 10);

	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_a), 2, 100, true), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_a), 3, 105, true), FDB_HELD);
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_a), 3, 111, true), FDB_LEARNED);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 111), 3);
	cr_assert_eq(fdb_port_learned(fdb, 2), 0);
	cr_assert_eq(fdb_port_learned(fdb, 3), 1);
	fdb_free(fdb);
}

Test(fdb, add_static_refuses_a_mac_another_port_holds)
{
	struct fdb *fdb = fdb_create(64, 300);
	int holder = -1;

	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_a), 1, 1, &holder), 0);
	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_a), 1, 1, &holder), 0,
		     "same port: idempotent");
	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_a), 2, 1, &holder), -EEXIST);
	cr_assert_eq(holder, 1);
	cr_assert_eq(fdb_lookup(fdb, fdb_mac_key(mac_a), 1), 1);
	/* Pinned by a MAC-less pod on port 3. */
	cr_assert_eq(fdb_learn(fdb, fdb_mac_key(mac_b), 3, 1, true), FDB_LEARNED);
	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_b), 4, 1, &holder), -EEXIST);
	cr_assert_eq(holder, 3);
	/* Learned on the uplink: the pod's assigned MAC wins, the count follows. */
	cr_assert_eq(fdb_learn(fdb, 0x020000000077, 9, 1, false), FDB_LEARNED);
	cr_assert_eq(fdb_port_learned(fdb, 9), 1);
	cr_assert_eq(fdb_add_static(fdb, 0x020000000077, 5, 1, &holder), 0);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000077, 1), 5);
	cr_assert_eq(fdb_port_learned(fdb, 9), 0);
	/* Once the holder is flushed (port removed) the MAC is free. */
	cr_assert_eq(fdb_flush_port(fdb, 1), 1);
	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(mac_a), 2, 1, &holder), 0);
	fdb_free(fdb);
}

Test(fdb, learned_macs_are_limited_per_port)
{
	struct fdb *fdb = fdb_create(1024, 10);
	unsigned int ok = 0, limited = 0;

	cr_assert_eq(fdb_port_limit(fdb), 256, "default: a quarter of the table");
	fdb_set_port_limit(fdb, 8);
	for (uint64_t m = 0; m < 20; m++) {
		enum fdb_learn_result r = fdb_learn(fdb, 0x020000001000 | m, 9, 100, false);

		ok += r == FDB_LEARNED;
		limited += r == FDB_LIMIT;
	}
	cr_assert_eq(ok, 8);
	cr_assert_eq(limited, 12);
	cr_assert_eq(fdb_port_learned(fdb, 9), 8);
	cr_assert_eq(fdb_lookup(fdb, 0x020000001013, 100), -1, "not learned over the limit");
	/* Known MACs still refresh at the limit; other ports are not affected. */
	cr_assert_eq(fdb_learn(fdb, 0x020000001000, 9, 101, false), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, 0x020000002000, 8, 101, false), FDB_LEARNED);
	/* A station move onto a full port is refused as well. */
	cr_assert_eq(fdb_learn(fdb, 0x020000002000, 9, 101, false), FDB_LIMIT);
	cr_assert_eq(fdb_lookup(fdb, 0x020000002000, 101), 8);
	/* Aging frees the quota. */
	cr_assert_eq(fdb_age(fdb, 111), 7, "0x1000 was refreshed at 101, port 8's too");
	cr_assert_eq(fdb_port_learned(fdb, 9), 1);
	cr_assert_eq(fdb_learn(fdb, 0x020000001013, 9, 111, false), FDB_LEARNED);
	cr_assert_eq(fdb_flush_port(fdb, 9), 2);
	cr_assert_eq(fdb_port_learned(fdb, 9), 0);
	fdb_free(fdb);
}

Test(fdb, learn_events_count_new_macs_and_moves_only)
{
	struct fdb *fdb = fdb_create(64, 300);
	uint64_t a = fdb_mac_key(mac_a), b = fdb_mac_key(mac_b);

	cr_assert_eq(fdb_learn_events(fdb), 0);
	cr_assert_eq(fdb_learn(fdb, a, 1, 10, false), FDB_LEARNED);
	cr_assert_eq(fdb_learn_events(fdb), 1);
	/* The same MAC on the same port again, even a second later: a refresh, not an event. */
	cr_assert_eq(fdb_learn(fdb, a, 1, 10, false), FDB_LEARNED);
	cr_assert_eq(fdb_learn(fdb, a, 1, 11, false), FDB_LEARNED);
	cr_assert_eq(fdb_learn_events(fdb), 1);
	cr_assert_eq(fdb_learn(fdb, a, 2, 12, false), FDB_LEARNED); /* a move */
	cr_assert_eq(fdb_learn_events(fdb), 2);
	cr_assert_eq(fdb_learn(fdb, b, 3, 12, true), FDB_LEARNED); /* a pod pins its MAC */
	cr_assert_eq(fdb_learn_events(fdb), 3);
	/* Static entries come from port specs, not learning. */
	cr_assert_eq(fdb_add_static(fdb, fdb_mac_key((uint8_t[]){2, 0, 0, 0, 0, 0xc}), 4, 12, NULL),
		     0);
	cr_assert_eq(fdb_learn_events(fdb), 3);
	fdb_free(fdb);
}
