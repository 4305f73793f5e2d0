/*
 * Make the kernel match the desired state by applying only the
 * difference: an entry already right is not touched (so a restarted agent
 * changes nothing), a changed one is replaced in place, a stale one goes.
 */
#ifndef SLICENET_AGENT_KERNEL_SYNC_H
#define SLICENET_AGENT_KERNEL_SYNC_H

#include <stddef.h>

#include "agent/agent_neigh.h"
#include "agent/agent_route.h"

struct sync_counts {
	unsigned int added, replaced, removed, kept, blocked;
};

/*
 * The agent's routes (its protocol) become want. A destination held by
 * another owner's route at the same metric is left to it (counted as
 * blocked, logged). The first error stops and is returned; the next
 * reconcile retries.
 */
int kernel_sync_routes(struct netlink *nl, const struct agent_route *want, size_t n_want,
		       struct sync_counts *counts, struct error *err)
	__attribute__((warn_unused_result));

enum kernel_sync_phase {
	KERNEL_SYNC_ADD,   /* create and replace only (before routes use them) */
	KERNEL_SYNC_PRUNE, /* delete what is not wanted (after routes left them) */
};

/* The permanent FDB and neighbour entries on ifindex become want, in phase. */
int kernel_sync_neighs(struct netlink *nl, int ifindex, const struct agent_neigh *want,
		       size_t n_want, enum kernel_sync_phase phase, struct sync_counts *counts,
		       struct error *err) __attribute__((warn_unused_result));

#endif
