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
	unsigned int ring[8]; /* how many it accepts in all; 0 = no limit */
	unsigned int calls, max_n;
};

static uint16_t fake_send(void *opaque, uint16_t port, uint16_t queue, void **pkts, uint16_t n)
{
	struct sink *s = opaque;
	uint16_t take = s->capacity[port] && s->capacity[port] < n ? s->capacity[port] : n;

	(void)queue;
	if (s->ring[port] && take > s->ring[port] - s->got[port])
		take = (uint16_t)(s->ring[port] - s->got[port]);
	s->calls++;
	if (n > s->max_n)
		s->max_n = n;
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

#define HZ 1000 /* ticks per second of the test clock */

/* A port that learns, like the uplink: what the original tests exercise. */
static void add_port(uint16_t port, unsigned int mtu)
{
	struct l2switch_port_conf conf = {.mtu = (uint16_t)mtu, .gen = port + 1u};

	l2switch_view_add(&view, port, &conf);
}

/* A pod port; mac_last 0 = no MAC in its spec. */
static void add_pod(uint16_t port, uint8_t mac_last, uint32_t gen)
{
	struct ctl_port_spec spec;
	struct l2switch_port_conf conf;

	ctl_port_spec_init(&spec);
	if (mac_last) {
		spec.has_mac = true;
		memcpy(spec.mac, (uint8_t[]){2, 0, 0, 0, 0, mac_last}, 6);
		cr_assert_eq(fdb_add_static(fdb, fdb_mac_key(spec.mac), port, 1, NULL), 0);
	}
	l2switch_port_conf_init(&conf, &spec, true, gen);
	l2switch_view_add(&view, port, &conf);
}

static void setup_with(uint64_t flood_pps, uint64_t flood_burst)
{
	struct l2switch_limits lim = {.flood_pps = flood_pps, .flood_burst = flood_burst, .hz = HZ};

	fdb = fdb_create(256, 300);
	sw = malloc(sizeof(*sw));
	cr_assert_eq(l2switch_init(sw, fdb, &lim), 0);
	l2switch_view_init(&view);
	memset(&sink, 0, sizeof(sink));
}

static void setup(void)
{
	setup_with(L2SWITCH_FLOOD_PPS, L2SWITCH_FLOOD_BURST);
	for (uint16_t p = 0; p < 4; p++)
		add_port(p, CTL_MTU_DEFAULT);
}

static void teardown(void)
{
	free(sw);
	fdb_free(fdb);
}

/* Switch one burst of frames from in_port at tick t, without flushing. */
static void stage_at(uint16_t in_port, struct frame *frames, uint16_t n, uint32_t now, uint64_t t)
{
	struct l2switch_clock clock = {.now = now, .ticks = t};
	void *pkts[L2SWITCH_BURST];
	const uint8_t *hdrs[L2SWITCH_BURST];
	uint32_t lens[L2SWITCH_BURST];

	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = &frames[i];
		hdrs[i] = frames[i].bytes;
		lens[i] = frames[i].len;
	}
	l2switch_burst(sw, &view, in_port, 0, pkts, hdrs, lens, n, &clock);
}

/* Run one burst of frames from in_port through the switch at tick t and flush. */
static void run_at(uint16_t in_port, struct frame *frames, uint16_t n, uint32_t now, uint64_t t)
{
	stage_at(in_port, frames, n, now, t);
	l2switch_flush(sw, fake_send, &sink);
}

static void run(uint16_t in_port, struct frame *frames, uint16_t n, uint32_t now)
{
	run_at(in_port, frames, n, now, (uint64_t)now * HZ);
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

	fdb_learn(fdb, 0x02000000000b, 1, 1, false);
	fdb_learn(fdb, 0x02000000000c, 3, 1, false);
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

	fdb_learn(fdb, 0x02000000000b, 0, 1, false);
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

	fdb_learn(fdb, 0x02000000000b, 7, 1, false); /* port 7 is not in the view */
	make_frame(&f, 0xb, 0xa);
	run(0, &f, 1, 1);
	cr_assert_eq(sink.got[1] + sink.got[2] + sink.got[3], 3);
}

Test(l2switch, lone_port_counts_no_dest)
{
	struct frame f;

	l2switch_view_init(&view);
	add_port(0, CTL_MTU_DEFAULT);
	make_frame(&f, 0xff, 0xa);
	run(0, &f, 1, 1);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_NO_DEST], 1);
}

Test(l2switch, full_receiver_counts_tx_full)
{
	struct frame f[5];

	fdb_learn(fdb, 0x02000000000b, 1, 1, false);
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

	fdb_learn(fdb, 0x02000000000b, 1, 1, false);
	fdb_learn(fdb, 0x02000000000a, 0, 1, false);
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

/* Issue 9: frames from hostile pods. Ports are added per test. */

static void setup_empty(void)
{
	setup_with(L2SWITCH_FLOOD_PPS, L2SWITCH_FLOOD_BURST);
}

/* 10 flooded frames per second, bursts of 5, per ingress port. */
static void setup_flood_limited(void)
{
	setup_with(10, 5);
}

Test(frames, pod_with_mac_accepts_only_its_own_source, .init = setup_empty, .fini = teardown)
{
	struct frame f[4];

	add_pod(0, 0xa, 1);
	add_pod(1, 0xb, 2);
	make_frame(&f[0], 0xb, 0xa);  /* honest */
	make_frame(&f[1], 0xb, 0xc);  /* spoofed unicast */
	make_frame(&f[2], 0xff, 0xd); /* spoofed broadcast */
	make_frame(&f[3], 0xb, 0xb);  /* B's MAC from A's port */
	run(0, f, 4, 1);
	cr_assert_eq(sink.got[1], 1, "only the honest frame reaches B");
	cr_assert_eq(sink.last[1][0], &f[0]);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_SPOOFED], 3);
	cr_assert_eq(sw->counters[0].rx, 4);
	/* Nothing was learned from the spoofed frames; B still points at port 1. */
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000c, 1), -1);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000d, 1), -1);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000b, 1), 1);
	cr_assert_eq(fdb_count(fdb, 1), 2);
}

Test(frames, pod_without_mac_locks_to_its_first_source, .init = setup_empty, .fini = teardown)
{
	struct frame f[3];

	add_pod(0, 0, 1);
	add_pod(1, 0xb, 2);
	make_frame(&f[0], 0xb, 0xc); /* first frame: C is claimed */
	make_frame(&f[1], 0xb, 0xd);
	make_frame(&f[2], 0xb, 0xc);
	run(0, f, 3, 1);
	cr_assert_eq(sink.got[1], 2);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_SPOOFED], 1);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000c, 1), 0);
	/* The lock holds across bursts. */
	make_frame(&f[0], 0xb, 0xd);
	run(0, f, 1, 2);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_SPOOFED], 2);
	/* Another port at the same number (new gen) starts unlocked. */
	fdb_flush_port(fdb, 0);
	l2switch_view_init(&view);
	add_pod(0, 0, 7);
	add_pod(1, 0xb, 2);
	run(0, f, 1, 3);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_SPOOFED], 2);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000d, 3), 0);
}

Test(frames, pod_without_mac_cannot_claim_a_held_mac, .init = setup_empty, .fini = teardown)
{
	struct frame f[2];

	add_pod(0, 0, 1);
	add_pod(1, 0xb, 2);
	add_port(2, CTL_MTU_DEFAULT);		     /* uplink */
	fdb_learn(fdb, 0x020000000099, 2, 1, false); /* e.g. the gateway, behind the uplink */
	make_frame(&f[0], 0xff, 0xb);
	make_frame(&f[1], 0xff, 0x99);
	run(0, f, 2, 1);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_SPOOFED], 2);
	cr_assert_eq(sink.got[1] + sink.got[2], 0);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000b, 1), 1);
	cr_assert_eq(fdb_lookup(fdb, 0x020000000099, 1), 2);
	/* Not locked by the refused frames: its own MAC still works. */
	make_frame(&f[0], 0xb, 0xe);
	run(0, f, 1, 1);
	cr_assert_eq(sink.got[1], 1);
}

Test(frames, uplink_frame_with_a_pod_source_is_dropped, .init = setup_empty, .fini = teardown)
{
	struct frame f[2];

	add_pod(0, 0xa, 1);
	add_pod(1, 0xb, 2);
	add_port(2, CTL_MTU_DEFAULT);
	make_frame(&f[0], 0xb, 0xa); /* impersonating pod A from outside */
	make_frame(&f[1], 0xb, 0x77);
	run(2, f, 2, 1);
	cr_assert_eq(sw->counters[2].drops[CTL_DROP_SPOOFED], 1);
	cr_assert_eq(sink.got[1], 1);
	cr_assert_eq(sink.last[1][0], &f[1]);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000a, 1), 0, "A's entry did not move");
	cr_assert_eq(fdb_lookup(fdb, 0x020000000077, 1), 2, "the honest one was learned");
}

Test(frames, uplink_learning_stops_at_the_port_limit, .init = setup_empty, .fini = teardown)
{
	struct frame f[L2SWITCH_BURST];

	add_pod(0, 0xa, 1);
	add_port(2, CTL_MTU_DEFAULT);
	fdb_set_port_limit(fdb, 4);
	for (int i = 0; i < L2SWITCH_BURST; i++)
		make_frame(&f[i], 0xa, (uint8_t)(0x40 + i));
	run(2, f, L2SWITCH_BURST, 1);
	cr_assert_eq(sink.got[0], L2SWITCH_BURST, "frames still forwarded");
	cr_assert_eq(fdb_port_learned(fdb, 2), 4);
	cr_assert_eq(fdb_lookup(fdb, 0x02000000000a, 1), 0);
}

Test(frames, mtu_limits_frames_in_and_out, .init = setup_empty, .fini = teardown)
{
	struct frame f[4];

	add_port(0, 1500);
	add_port(1, 9000);
	add_port(2, 9000);
	fdb_learn(fdb, 0x02000000000b, 2, 1, false);
	make_frame(&f[0], 0xb, 0xa);
	f[0].len = 1514; /* exactly the MTU */
	make_frame(&f[1], 0xb, 0xa);
	f[1].len = 1515;
	make_frame(&f[2], 0xb, 0xa);
	f[2].len = 1518; /* 802.1Q tag: 4 more bytes allowed */
	f[2].bytes[12] = 0x81;
	f[2].bytes[13] = 0x00;
	make_frame(&f[3], 0xb, 0xa);
	f[3].len = 1522; /* tag but still 4 over */
	f[3].bytes[12] = 0x81;
	f[3].bytes[13] = 0x00;
	run(0, f, 4, 1);
	cr_assert_eq(sink.got[2], 2);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_OVERSIZE], 2);

	/* Jumbo from a 9000 port: passes to 9000, dropped (and counted there) at 1500. */
	memset(&sink, 0, sizeof(sink));
	make_frame(&f[0], 0xb, 0xc);
	f[0].len = 9014;
	make_frame(&f[1], 0xff, 0xc);
	f[1].len = 9014;
	make_frame(&f[2], 0xb, 0xc);
	f[2].len = 9015;
	run(1, f, 3, 1);
	cr_assert_eq(sink.got[2], 2, "unicast and broadcast jumbo");
	cr_assert_eq(sink.got[0], 0);
	cr_assert_eq(sw->counters[0].drops[CTL_DROP_OVERSIZE], 2 + 1, "egress: the broadcast");
	cr_assert_eq(sw->counters[1].drops[CTL_DROP_OVERSIZE], 1, "ingress: 9015");
	cr_assert_eq(sw->counters[1].rx, 3);
}

Test(frames, flood_is_rate_limited_per_port, .init = setup_flood_limited, .fini = teardown)
{
	struct frame storm[L2SWITCH_BURST], f[2];

	add_pod(0, 0xa, 1);
	add_pod(1, 0xb, 2);
	add_pod(2, 0xc, 3);
	for (int i = 0; i < L2SWITCH_BURST; i++)
		make_frame(&storm[i], 0xff, 0xa);
	/* 10 s of storm from port 0, 10 bursts a second. */
	for (int t = 0; t < 100; t++)
		run_at(0, storm, L2SWITCH_BURST, 1, (uint64_t)t * HZ / 10);
	uint64_t flooded = sink.got[1], limited = sw->counters[0].drops[CTL_DROP_FLOOD_LIMITED];

	cr_assert(flooded >= 5 + 99 && flooded <= 5 + 100, "burst + 10 pps * 10 s, got %lu",
		  (unsigned long)flooded);
	cr_assert_eq(sink.got[2], flooded);
	cr_assert_eq(flooded + limited, 100 * L2SWITCH_BURST, "every frame forwarded or counted");
	/* Unicast from the stormy port is not limited; port 1's floods have their own budget. */
	make_frame(&f[0], 0xb, 0xa);
	run_at(0, f, 1, 1, 99 * HZ / 10);
	cr_assert_eq(sink.got[1], flooded + 1);
	make_frame(&f[0], 0xff, 0xb);
	make_frame(&f[1], 0x0e, 0xb); /* unknown unicast floods too */
	run_at(1, f, 2, 1, 99 * HZ / 10);
	cr_assert_eq(sink.got[2], flooded + 2);
	cr_assert_eq(sw->counters[1].drops[CTL_DROP_FLOOD_LIMITED], 0);
}

/*
 * TX batched across input ports: bursts from two ports to one output are
 * staged together and sent in calls of at most L2SWITCH_BURST.
 */
Test(l2switch, bursts_from_several_ports_batched_in_one_flush)
{
	const uint16_t out = L2SWITCH_STAGE_BURSTS - 1; /* above every input port; < 8 (sink) */
	struct frame f[L2SWITCH_BURST];
	uint16_t in;

	for (in = 4; in <= out; in++)
		add_port(in, CTL_MTU_DEFAULT);
	fdb_learn(fdb, 0x02000000000b, out, 1, false);
	for (int i = 0; i < L2SWITCH_BURST; i++)
		make_frame(&f[i], 0xb, 0xa);
	/* Source 0xa may come from every input: plain (non-pod) ports learn, the last one wins. */
	for (in = 0; in < L2SWITCH_STAGE_BURSTS - 1; in++)
		stage_at(in, f, L2SWITCH_BURST, 1, HZ);
	cr_assert_eq(sink.calls, 0, "nothing sent before the flush");
	l2switch_flush(sw, fake_send, &sink);
	cr_assert_eq(sink.got[out], (L2SWITCH_STAGE_BURSTS - 1) * L2SWITCH_BURST);
	cr_assert_eq(sink.calls, L2SWITCH_STAGE_BURSTS - 1, "one call per 32 packets");
	cr_assert_leq(sink.max_n, L2SWITCH_BURST);
	cr_assert_eq(sw->counters[out].tx, (L2SWITCH_STAGE_BURSTS - 1) * L2SWITCH_BURST);
	cr_assert_eq(sw->counters[out].drops[CTL_DROP_TX_FULL], 0);
}

/* More destinations in one burst than it remembers: each frame still reaches its own port. */
Test(l2switch, alternating_destinations_in_one_burst)
{
	static const uint8_t dst[5] = {0xb, 0xc, 0xd, 0xe, 0xf};
	static const uint16_t port_of[5] = {1, 2, 3, 1, 2};
	unsigned int want[4] = {0};
	struct frame f[L2SWITCH_BURST];

	for (int d = 0; d < 5; d++)
		fdb_learn(fdb, 0x020000000000 | dst[d], port_of[d], 1, false);
	for (int i = 0; i < L2SWITCH_BURST; i++) {
		make_frame(&f[i], dst[i % 5], 0xa);
		want[port_of[i % 5]]++;
	}
	stage_at(0, f, L2SWITCH_BURST, 1, HZ);
	l2switch_flush(sw, fake_send, &sink);
	for (uint16_t p = 1; p < 4; p++)
		cr_assert_eq(sink.got[p], want[p], "port %u got %u", p, sink.got[p]);
	cr_assert_eq(sink.got[0], 0);
	cr_assert_eq(sw->counters[0].rx, L2SWITCH_BURST);
}

/* A ring that fills during a batched flush: the rest is counted, not offered again. */
Test(l2switch, batched_flush_stops_at_a_full_ring)
{
	struct frame f[L2SWITCH_BURST];

	fdb_learn(fdb, 0x02000000000b, 1, 1, false);
	for (int i = 0; i < L2SWITCH_BURST; i++)
		make_frame(&f[i], 0xb, 0xa);
	sink.ring[1] = 40;
	stage_at(0, f, L2SWITCH_BURST, 1, HZ);
	stage_at(0, f, L2SWITCH_BURST, 1, HZ);
	l2switch_flush(sw, fake_send, &sink);
	cr_assert_eq(sink.calls, 2, "32 taken, then 8 of 32: stop");
	cr_assert_eq(sw->counters[1].tx, 40);
	cr_assert_eq(sw->counters[1].drops[CTL_DROP_TX_FULL], 2 * L2SWITCH_BURST - 40);
}
