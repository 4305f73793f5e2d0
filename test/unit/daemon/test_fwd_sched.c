/*
 * The poll order of a forwarding lcore (daemon/fwd_sched.c, included: it is
 * compiled into slicenetd's DPDK archive, and has no DPDK in it).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "daemon/fwd_sched.c"

/* A fake set of queues: each holds `backlog` packets; floods never run dry. */
struct fake {
	unsigned int backlog[L2SWITCH_PORT_MAX];
	unsigned int moved[L2SWITCH_PORT_MAX];
	unsigned int polls[L2SWITCH_PORT_MAX];
	unsigned int order[4096];
	unsigned int n_order;
	unsigned int max_seen;
};

#define FLOOD 1000000000u

static uint16_t fake_poll(void *opaque, uint16_t port, uint16_t queue, uint16_t max)
{
	struct fake *f = opaque;
	unsigned int n = f->backlog[port] < max ? f->backlog[port] : max;

	(void)queue;
	cr_assert_leq(max, L2SWITCH_BURST);
	if (max > f->max_seen)
		f->max_seen = max;
	f->backlog[port] -= n;
	f->moved[port] += n;
	f->polls[port]++;
	if (f->n_order < 4096)
		f->order[f->n_order++] = port;
	return (uint16_t)n;
}

/* A flush is recorded in the poll order as port FLUSH_MARK. */
#define FLUSH_MARK 9999

static void fake_flush(void *opaque)
{
	struct fake *f = opaque;

	if (f->n_order < 4096)
		f->order[f->n_order++] = FLUSH_MARK;
}

static struct fwd_sched sched;

Test(fwd_sched, entries_per_class_and_queue)
{
	struct fwd_sched_port ports[] = {
		{.port = 1, .nr_queues = 2, .priority = 0},
		{.port = 2, .nr_queues = 1, .priority = 3},
		{.port = 3, .nr_queues = 1, .priority = 9}, /* clamped to 3 */
	};

	fwd_sched_build(&sched, ports, 3);
	cr_assert_eq(sched.n[0], 2);
	cr_assert_eq(sched.entry[0][1].port, 1);
	cr_assert_eq(sched.entry[0][1].queue, 1);
	cr_assert_eq(sched.n[1], 0);
	cr_assert_eq(sched.n[2], 0);
	cr_assert_eq(sched.n[3], 2);
	cr_assert_eq(fwd_sched_budget(0), 0);
	cr_assert_eq(fwd_sched_budget(9), fwd_sched_budget(3));
}

Test(fwd_sched, idle_ports_all_polled_every_turn)
{
	struct fwd_sched_port ports[64];
	static struct fake f;
	unsigned int i;

	for (i = 0; i < 64; i++)
		ports[i] = (struct fwd_sched_port){
			.port = (uint16_t)i, .nr_queues = 1, .priority = (uint8_t)(i % 4)};
	fwd_sched_build(&sched, ports, 64);
	cr_assert_eq(fwd_sched_turn(&sched, fake_poll, fake_flush, &f), 0);
	for (i = 0; i < 64; i++)
		cr_assert_eq(f.polls[i], 1, "port %u polled %u times", i, f.polls[i]);
}

/*
 * The isolation property: with 8 flooding class-2 ports, the class-0 port is
 * polled first in every turn and at most a class budget of flood packets is
 * moved between two of its polls; without classes (all 2) one turn would
 * move 8 full bursts first.
 */
Test(fwd_sched, flood_cannot_starve_class_0)
{
	struct fwd_sched_port ports[9];
	static struct fake f;
	unsigned int i, turn, moved;

	ports[0] = (struct fwd_sched_port){.port = 0, .nr_queues = 1, .priority = 0};
	for (i = 1; i < 9; i++) {
		ports[i] =
			(struct fwd_sched_port){.port = (uint16_t)i, .nr_queues = 1, .priority = 2};
		f.backlog[i] = FLOOD;
	}
	fwd_sched_build(&sched, ports, 9);
	for (turn = 0; turn < 96; turn++) {
		f.n_order = 0;
		f.backlog[0] = 1; /* one urllc packet arrives per turn */
		moved = fwd_sched_turn(&sched, fake_poll, fake_flush, &f);
		cr_assert_eq(f.order[0], 0, "turn %u did not start with class 0", turn);
		cr_assert_eq(moved, 1 + FWD_SCHED_BUDGET_2, "turn %u moved %u", turn, moved);
	}
	cr_assert_eq(f.moved[0], 96, "every urllc packet forwarded in its turn");
	/* Round-robin inside the class: the budget went to every flooding port in turn. */
	for (i = 1; i < 9; i++)
		cr_assert_eq(f.moved[i], 96 * FWD_SCHED_BUDGET_2 / 8, "port %u moved %u", i,
			     f.moved[i]);
}

Test(fwd_sched, budget_is_exact_with_partial_bursts)
{
	/* An idle class-0 port: the budgets apply unscaled (FWD_SCHED_ALONE_SCALE). */
	struct fwd_sched_port ports[4] = {
		{.port = 1, .nr_queues = 1, .priority = 3},
		{.port = 2, .nr_queues = 1, .priority = 3},
		{.port = 3, .nr_queues = 1, .priority = 1},
		{.port = 4, .nr_queues = 1, .priority = 0},
	};
	static struct fake f;

	/* Less than the budget: the next port gets the rest of it. */
	f.backlog[1] = FWD_SCHED_BUDGET_3 / 2;
	f.backlog[2] = FLOOD;
	f.backlog[3] = FLOOD;
	fwd_sched_build(&sched, ports, 4);
	unsigned int moved = fwd_sched_turn(&sched, fake_poll, fake_flush, &f);

	/* Each entry is polled at most once a turn: class 1's one queue gives one burst. */
	cr_assert_eq(moved, L2SWITCH_BURST + FWD_SCHED_BUDGET_3, "moved %u: %u %u %u", moved,
		     f.moved[1], f.moved[2], f.moved[3]);
	cr_assert_eq(f.moved[1], FWD_SCHED_BUDGET_3 / 2);
	cr_assert_eq(f.moved[2], FWD_SCHED_BUDGET_3 - FWD_SCHED_BUDGET_3 / 2);
	cr_assert_eq(f.moved[3], L2SWITCH_BURST);
	cr_assert_leq(f.max_seen, L2SWITCH_BURST);
}

/* No class starves another below it: class 3 still moves its budget under a class-1 flood. */
Test(fwd_sched, lower_classes_keep_their_budget)
{
	struct fwd_sched_port ports[3] = {
		{.port = 1, .nr_queues = 4, .priority = 1},
		{.port = 2, .nr_queues = 1, .priority = 3},
		{.port = 3, .nr_queues = 1, .priority = 0}, /* idle */
	};
	static struct fake f;
	unsigned int turn;

	f.backlog[1] = FLOOD;
	f.backlog[2] = FLOOD;
	fwd_sched_build(&sched, ports, 3);
	for (turn = 0; turn < 10; turn++)
		fwd_sched_turn(&sched, fake_poll, fake_flush, &f);
	cr_assert_eq(f.moved[1], 10 * FWD_SCHED_BUDGET_1);
	cr_assert_eq(f.moved[2], 10 * FWD_SCHED_BUDGET_3);
}

/*
 * Without a class-0 port nothing waits between turns: the budgets scale so
 * that one turn fills the TX staging (whole bursts per output port), and the
 * classes keep their shares.
 */
Test(fwd_sched, budgets_scale_without_class_0)
{
	struct fwd_sched_port ports[6];
	static struct fake f;
	unsigned int i, turn, flushes = 0;

	for (i = 0; i < 4; i++)
		ports[i] =
			(struct fwd_sched_port){.port = (uint16_t)i, .nr_queues = 1, .priority = 2};
	ports[4] = (struct fwd_sched_port){.port = 4, .nr_queues = 8, .priority = 1};
	ports[5] = (struct fwd_sched_port){.port = 5, .nr_queues = 8, .priority = 3};
	for (i = 0; i < 6; i++)
		f.backlog[i] = FLOOD;
	fwd_sched_build(&sched, ports, 6);
	for (turn = 0; turn < 10; turn++) {
		f.n_order = 0;
		cr_assert_eq(fwd_sched_turn(&sched, fake_poll, fake_flush, &f),
			     FWD_SCHED_ALONE_SCALE * FWD_SCHED_LOW_BUDGET_TOTAL);
		for (i = 0; i < f.n_order; i++)
			flushes += f.order[i] == FLUSH_MARK;
	}
	/* A turn of one class never stages more than fwd.c holds before it flushes. */
	cr_assert_leq(FWD_SCHED_ALONE_SCALE * FWD_SCHED_BUDGET_2, L2SWITCH_STAGE_MAX);
	cr_assert_eq(flushes, 10, "one flush per turn (fwd.c flushes a full staging itself)");
	cr_assert_eq(f.moved[4], 10 * FWD_SCHED_ALONE_SCALE * FWD_SCHED_BUDGET_1);
	cr_assert_eq(f.moved[5], 10 * FWD_SCHED_ALONE_SCALE * FWD_SCHED_BUDGET_3);
	for (i = 0; i < 4; i++)
		cr_assert_eq(f.moved[i], 10 * FWD_SCHED_ALONE_SCALE * FWD_SCHED_BUDGET_2 / 4,
			     "port %u moved %u", i, f.moved[i]);
}

Test(fwd_sched, pick_lcore_by_load_then_ports)
{
	struct fwd_sched_lcore_load l[3] = {
		{.packets = 5000, .ports = 1},
		{.packets = 100, .ports = 4},
		{.packets = 100, .ports = 2},
	};

	/* The fewest packets wins over the fewest ports: a slot number says nothing of load. */
	cr_assert_eq(fwd_sched_pick_lcore(l, 3, 2), 2);
	l[2].packets = 101;
	cr_assert_eq(fwd_sched_pick_lcore(l, 3, 2), 1);
	cr_assert_eq(fwd_sched_pick_lcore(l, 1, 2), 0);
}

Test(fwd_sched, pick_lcore_keeps_classes_apart_when_it_can)
{
	struct fwd_sched_lcore_load l[2] = {
		{.packets = 0, .ports = 1, .high = 1},	     /* a urllc port */
		{.packets = 9000000, .ports = 3, .high = 0}, /* three busy embb ports */
	};

	/* Another embb port joins the busy embb lcore rather than the urllc one... */
	cr_assert_eq(fwd_sched_pick_lcore(l, 2, 3), 1);
	/* ...and a urllc port the urllc lcore. */
	cr_assert_eq(fwd_sched_pick_lcore(l, 2, 0), 0);
	/* With one lcore (or every lcore mixed) load decides. */
	l[1].high = 1;
	cr_assert_eq(fwd_sched_pick_lcore(l, 2, 3), 0);
}

/* Class-0 packets are sent before any lower class is polled: they never wait in a TX batch. */
Test(fwd_sched, class_0_flushed_before_lower_classes)
{
	struct fwd_sched_port ports[3] = {
		{.port = 1, .nr_queues = 1, .priority = 2},
		{.port = 0, .nr_queues = 1, .priority = 0},
		{.port = 2, .nr_queues = 1, .priority = 2},
	};
	static struct fake f;

	f.backlog[0] = 1;
	f.backlog[1] = FLOOD;
	f.backlog[2] = FLOOD;
	fwd_sched_build(&sched, ports, 3);
	fwd_sched_turn(&sched, fake_poll, fake_flush, &f);
	cr_assert_eq(f.n_order, 4, "polls and flushes: %u", f.n_order);
	cr_assert_eq(f.order[0], 0);
	cr_assert_eq(f.order[1], FLUSH_MARK, "class 0 sent right after its polls");
	cr_assert_eq(f.order[2], 1);
	cr_assert_eq(f.order[3], FLUSH_MARK, "the lower classes' batch sent at the turn's end");
	/* An idle turn flushes nothing. */
	f.n_order = 0;
	f.backlog[1] = f.backlog[2] = 0;
	fwd_sched_turn(&sched, fake_poll, fake_flush, &f);
	for (unsigned int i = 0; i < f.n_order; i++)
		cr_assert_neq(f.order[i], FLUSH_MARK);
}

Test(fwd_sched, tx_pair_per_lcore)
{
	unsigned int lc, in;

	/* One lcore: the ingress queue, as a pod spreading its TX expects on RX. */
	for (in = 0; in < 4; in++)
		cr_assert_eq(fwd_sched_tx_pair(0, 1, 4, (uint16_t)in), in);
	/* Two lcores, four pairs: lcore 0 sends on 0 and 2, lcore 1 on 1 and 3, never the other's.
	 */
	for (in = 0; in < 8; in++) {
		cr_assert_eq(fwd_sched_tx_pair(0, 2, 4, (uint16_t)in) % 2, 0);
		cr_assert_eq(fwd_sched_tx_pair(1, 2, 4, (uint16_t)in) % 2, 1);
	}
	cr_assert_eq(fwd_sched_tx_pair(0, 2, 4, 1), 2);
	cr_assert_eq(fwd_sched_tx_pair(1, 2, 4, 1), 3);
	/* Three lcores, two pairs: the third shares. */
	cr_assert_eq(fwd_sched_tx_pair(2, 3, 2, 0), 0);
	/* Always a valid pair. */
	for (lc = 0; lc < 5; lc++)
		for (in = 0; in < 8; in++)
			cr_assert_lt(fwd_sched_tx_pair(lc, 5, 3, (uint16_t)in), 3);
}
