/* Switching decisions: flooding, learning, forwarding, filtering, counters, tx_full. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/l2switch.h"

struct frame {
	uint8_t bytes[64];
	uint32_t len;
};

/* What the fake send function was given, per port. */
struct sink {
	unsigned int got[8];
	void *last[8][64];
	uint16_t capacity[8]; /* how many it accepts per call; 0 = all */
};

static uint16_t fake_send(void *opaque, uint16_t port, uint16_t queue, void **pkts, uint16_t n)
{
	struct sink *s = opaque;
	uint16_t take = s->capacity[port] && s->capacity[port] < n ? s->capacity[port] : n;

	(void)queue;
	memcpy(s->last[port], pkts, take * sizeof(void *));
	s->got[port] += take;
	return take;
}

static void make_frame(struct frame *f, uint8_t dst_last, uint8_t src_last)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	memset(f, 0, sizeof(*f));
	if (dst_last == 0xff)
		memcpy(f->bytes, bcast, 6);
	else
		memcpy(f->bytes, (uint8_t[]){2, 0, 0, 0, 0, dst_last}, 6);
	memcpy(f->bytes + 6, (uint8_t[]){2, 0, 0, 0, 0, src_last}, 6);
	f->len = 60;
}

static struct l2switch *sw;
static struct fdb *fdb;
static struct l2switch_view view;
static struct sink sink;

static void setup(void)
{
	fdb = fdb_create(256, 300);
	sw = malloc(sizeof(*sw));
	l2switch_init(sw, fdb);
	l2switch_view_init(&view);
	for (uint16_t p = 0; p < 4; p++)
		l2switch_view_add(&view, p);
	memset(&sink, 0, sizeof(sink));
}

static void teardown(void)
{
	free(sw);
	fdb_free(fdb);
}

/* Run one burst of frames from in_port through the switch and flush. */
static void run(uint16_t in_port, struct frame *frames, uint16_t n, uint32_t now)
{
	void *pkts[L2SWITCH_BURST];
	const uint8_t *hdrs[L2SWITCH_BURST];
	uint32_t lens[L2SWITCH_BURST];

	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = &frames[i];
		hdrs[i] = frames[i].bytes;
		lens[i] = frames[i].len;
	}
	l2switch_burst(sw, &view, in_port, 0, pkts, hdrs, lens, n, now);
	l2switch_flush(sw, fake_send, &sink);
}

TestSuite(l2switch, .init = setup, .fini = teardown);

Test(l2switch, broadcast_floods_all_other_ports)
{
	struct frame f;

	make_frame(&f, 0xff, 0xa);
	run(0, &f, 1, 1);
	cr_assert_eq(sink.got[0], 0, "never back to the ingress port");
	cr_assert_eq(sink.got[1], 1);
	cr_assert_eq(sink.got[2], 1);
	cr_assert_eq(sink.got[3], 1);
	cr_assert_eq(sw->counters[0].rx, 1);
	cr_assert_eq(sw->counters[1].tx, 1);
}

Test(l2switch, unknown_unicast_floods_then_learned_forwards)
{
	struct frame f;

	make_frame(&f, 0xb, 0xa);
	run(0, &f, 1, 1); /* B unknown: flood; A learned on 0 */
	cr_assert_eq(sink.got[1] + sink.got[2] + sink.got[3], 3);
	make_frame(&f, 0xa, 0xb);
	run(2, &f, 1, 1); /* reply from B on port 2: A known -> only port 0 */
	cr_assert_eq(sink.got[0], 1);
	cr_assert_eq(sink.got[2], 1, "nothing more to 2");
	cr_assert_eq(sink.got[1], 1);
	make_frame(&f, 0xb, 0xa);
	run(0, &f, 1, 2); /* B now known on port 2 */
	cr_assert_eq(sink.got[2], 2);
	cr_assert_eq(sink.got[1], 1);
	cr_assert_eq(sink.got[3], 1);
}

Test(l2switch, burst_is_staged_per_port_in_order)
{
	struct frame f[8];

	fdb_learn(fdb, 0x02000000000b, 1, 1);
	fdb_learn(fdb, 0x02000000000c, 3, 1);
	for (int i = 0; i < 8; i++)
		make_frame(&f[i], i % 2 ? 0xc : 0xb, 0xa);
	run(0, f, 8, 1);
	cr_assert_eq(sink.got[1], 4);
	cr_assert_eq(sink.got[3], 4);
	cr_assert_eq(sink.got[2], 0);
	cr_assert_eq(sink.last[1][0], &f[0]);
	cr_assert_eq(sink.last[1][3], &f[6]);
	cr_assert_eq(sink.last[3][0], &f[1]);
}

Test(l2switch, destination_on_ingress_port_is_filtered)
{
	struct frame f;

	fdb_learn(fdb, 0x02000000000b, 0, 1);
	make_frame(&f, 0xb, 0xa);
	run(0, &f, 1, 1);
	cr_assert_eq(sink.got[0] + sink.got[1] + sink.got[2] + sink.got[3], 0);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_FILTERED], 1);
}

Test(l2switch, invalid_frames_dropped_and_not_learned)
{
	struct frame f[2];

	make_frame(&f[0], 0xb, 0xa);
	f[0].len = 10; /* runt */
	make_frame(&f[1], 0xb, 0xa);
	f[1].bytes[6] = 0x03; /* group source MAC */
	run(1, f, 2, 1);
	cr_assert_eq(sw->counters[1].drops[CTL_DROP_INVALID], 2);
	cr_assert_eq(sw->counters[1].rx, 2);
	cr_assert_eq(fdb_count(fdb, 1), 0);
}

Test(l2switch, stale_entry_for_inactive_port_floods)
{
	struct frame f;

	fdb_learn(fdb, 0x02000000000b, 7, 1); /* port 7 is not in the view */
	make_frame(&f, 0xb, 0xa);
	run(0, &f, 1, 1);
	cr_assert_eq(sink.got[1] + sink.got[2] + sink.got[3], 3);
}

Test(l2switch, lone_port_counts_no_dest)
{
	struct frame f;

	l2switch_view_init(&view);
	l2switch_view_add(&view, 0);
	make_frame(&f, 0xff, 0xa);
	run(0, &f, 1, 1);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_NO_DEST], 1);
}

Test(l2switch, full_receiver_counts_tx_full)
{
	struct frame f[5];

	fdb_learn(fdb, 0x02000000000b, 1, 1);
	for (int i = 0; i < 5; i++)
		make_frame(&f[i], 0xb, 0xa);
	sink.capacity[1] = 3;
	run(0, f, 5, 1);
	cr_assert_eq(sw->counters[1].tx, 3);
	cr_assert_eq(sw->counters[1].drops[CTL_DROP_TX_FULL], 2);
	cr_assert_eq(sw->counters[0].rx, 5);
}

Test(l2switch, counters_balance_over_many_bursts)
{
	struct frame f[L2SWITCH_BURST];
	uint64_t rx = 0, tx = 0;

	fdb_learn(fdb, 0x02000000000b, 1, 1);
	fdb_learn(fdb, 0x02000000000a, 0, 1);
	for (int round = 0; round < 100; round++) {
		uint16_t in = round % 2;

		for (int i = 0; i < L2SWITCH_BURST; i++)
			make_frame(&f[i], in ? 0xa : 0xb, in ? 0xb : 0xa);
		run(in, f, L2SWITCH_BURST, 1);
	}
	for (int p = 0; p < 4; p++) {
		rx += sw->counters[p].rx;
		tx += sw->counters[p].tx;
	}
	cr_assert_eq(rx, 100 * L2SWITCH_BURST);
	cr_assert_eq(tx, rx);
	cr_assert_eq(sink.got[0], 50 * L2SWITCH_BURST);
	cr_assert_eq(sink.got[1], 50 * L2SWITCH_BURST);
}

Test(l2switch, learning_within_a_burst_is_seen_by_later_frames)
{
	struct frame f[3];

	/* From port 0: A->C (C unknown: flood), C->A (C now on 0, A on 0: filtered), A->C
	 * (filtered). */
	make_frame(&f[0], 0xc, 0xa);
	make_frame(&f[1], 0xa, 0xc);
	make_frame(&f[2], 0xc, 0xa);
	run(0, f, 3, 1);
	cr_assert_eq(sink.got[1], 1);
	cr_assert_eq(sink.got[2], 1);
	cr_assert_eq(sink.got[3], 1);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_FILTERED], 2);
}
