/* Poll order of one forwarding lcore: class 0 every turn, lower classes on a budget. */
#include "daemon/fwd_sched.h"

static const uint16_t budget[FWD_SCHED_CLASSES] = {
	0,
	FWD_SCHED_BUDGET_1,
	FWD_SCHED_BUDGET_2,
	FWD_SCHED_BUDGET_3,
};

unsigned int fwd_sched_budget(unsigned int priority)
{
	return priority < FWD_SCHED_CLASSES ? budget[priority] : budget[CTL_PRIORITY_MAX];
}

void fwd_sched_build(struct fwd_sched *sched, const struct fwd_sched_port *ports, unsigned int n)
{
	unsigned int i, c;
	uint16_t q;

	for (c = 0; c < FWD_SCHED_CLASSES; c++)
		sched->n[c] = sched->cursor[c] = 0;
	for (i = 0; i < n; i++) {
		c = ports[i].priority > CTL_PRIORITY_MAX ? CTL_PRIORITY_MAX : ports[i].priority;
		for (q = 0; q < ports[i].nr_queues && q < CTL_MAX_QUEUES; q++) {
			if (sched->n[c] == FWD_SCHED_ENTRIES)
				break;
			sched->entry[c][sched->n[c]++] =
				(struct fwd_sched_entry){.port = ports[i].port, .queue = q};
		}
	}
}

/* Class c from its cursor, each entry at most once, until it moved scale times its budget. */
static unsigned int turn_class(struct fwd_sched *sched, unsigned int c, unsigned int scale,
			       fwd_sched_poll_fn poll, void *opaque)
{
	unsigned int left = budget[c] * scale, moved = 0, polls;
	uint16_t n = sched->n[c], at = sched->cursor[c];

	for (polls = 0; polls < n && left; polls++) {
		const struct fwd_sched_entry *e = &sched->entry[c][at];
		uint16_t got = poll(opaque, e->port, e->queue,
				    (uint16_t)(left < L2SWITCH_BURST ? left : L2SWITCH_BURST));

		moved += got;
		left -= got;
		if (++at == n)
			at = 0;
	}
	sched->cursor[c] = at;
	return moved;
}

unsigned int fwd_sched_turn(struct fwd_sched *sched, fwd_sched_poll_fn poll,
			    fwd_sched_flush_fn flush, void *opaque)
{
	unsigned int moved = 0, low = 0, c;
	/* Nothing urgent waits between turns: longer turns fill whole TX batches (fwd_sched.h). */
	unsigned int scale = sched->n[0] ? 1 : FWD_SCHED_ALONE_SCALE;
	uint16_t i;

	for (i = 0; i < sched->n[0]; i++)
		moved += poll(opaque, sched->entry[0][i].port, sched->entry[0][i].queue,
			      L2SWITCH_BURST);
	if (moved)
		flush(opaque);
	for (c = 1; c < FWD_SCHED_CLASSES; c++)
		low += turn_class(sched, c, scale, poll, opaque);
	if (low)
		flush(opaque);
	return moved + low;
}

/* Does l mix in what a port of this class should keep apart from? */
static int mixes(const struct fwd_sched_lcore_load *l, unsigned int priority)
{
	return priority == 0 ? l->ports > l->high : l->high > 0;
}

unsigned int fwd_sched_pick_lcore(const struct fwd_sched_lcore_load *loads, unsigned int n,
				  unsigned int priority)
{
	unsigned int best = 0, i;

	for (i = 1; i < n; i++) {
		const struct fwd_sched_lcore_load *a = &loads[i], *b = &loads[best];
		int ma = mixes(a, priority), mb = mixes(b, priority);

		if (ma != mb		       ? ma < mb
		    : a->packets != b->packets ? a->packets < b->packets
					       : a->ports < b->ports)
			best = i;
	}
	return best;
}

uint16_t fwd_sched_tx_pair(unsigned int lcore_index, unsigned int n_lcores, uint16_t nr_queues,
			   uint16_t in_queue)
{
	unsigned int owned;

	if (!n_lcores)
		n_lcores = 1;
	if (lcore_index >= nr_queues)
		return (uint16_t)(lcore_index % nr_queues);
	owned = (nr_queues - lcore_index + n_lcores - 1) / n_lcores;
	return (uint16_t)(lcore_index + n_lcores * (in_queue % owned));
}
