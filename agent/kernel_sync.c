/* Diff desired against the kernel and apply the difference. */
#include "agent/kernel_sync.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "plugin/util/log.h"

static bool same_dst(const struct agent_route *a, const struct agent_route *b)
{
	return a->dst.len == b->dst.len && ip_address_equal(&a->dst.addr, &b->dst.addr);
}

int kernel_sync_routes(struct netlink *nl, const struct agent_route *want, size_t n_want,
		       struct sync_counts *counts, struct error *err)
{
	struct agent_route *have = NULL;
	size_t n_have = 0;
	char text[128];
	int ret;

	ret = agent_route_list(nl, &have, &n_have, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n_want; i++) {
		const struct agent_route *mine = NULL;
		bool exact = false;

		for (size_t j = 0; j < n_have && !exact; j++) {
			if (!same_dst(&want[i], &have[j]))
				continue;
			mine = &have[j];
			exact = agent_route_equal(&want[i], &have[j]);
		}
		if (exact) {
			counts->kept++;
			continue;
		}
		/* Replace only when the route in the way is ours. */
		ret = agent_route_add(nl, &want[i], mine != NULL, err);
		if (ret == -EEXIST) {
			counts->blocked++;
			log_warn("route %s: another owner's route is there, left alone",
				 agent_route_format(&want[i], text, sizeof(text)));
			continue;
		}
		if (ret < 0)
			goto out;
		log_info("%s route %s", mine ? "replaced" : "added",
			 agent_route_format(&want[i], text, sizeof(text)));
		if (mine)
			counts->replaced++;
		else
			counts->added++;
	}
	for (size_t j = 0; j < n_have; j++) {
		bool wanted = false;

		for (size_t i = 0; i < n_want && !wanted; i++)
			wanted = same_dst(&want[i], &have[j]);
		if (wanted)
			continue;
		ret = agent_route_del(nl, &have[j], err);
		if (ret == -ESRCH)
			continue;
		if (ret < 0)
			goto out;
		log_info("removed route %s", agent_route_format(&have[j], text, sizeof(text)));
		counts->removed++;
	}
	ret = 0;
out:
	free(have);
	return ret;
}

static int sync_kind(struct netlink *nl, int ifindex, enum agent_neigh_kind kind,
		     const struct agent_neigh *want, size_t n_want, enum kernel_sync_phase phase,
		     struct sync_counts *counts, struct error *err)
{
	struct agent_neigh *have = NULL;
	size_t n_have = 0;
	int ret;

	ret = agent_neigh_list(nl, ifindex, kind, &have, &n_have, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; phase == KERNEL_SYNC_ADD && i < n_want; i++) {
		bool exact = false;

		if (want[i].kind != kind)
			continue;
		for (size_t j = 0; j < n_have && !exact; j++)
			exact = agent_neigh_equal(&want[i], &have[j]);
		if (exact) {
			counts->kept++;
			continue;
		}
		ret = agent_neigh_replace(nl, ifindex, &want[i], err);
		if (ret < 0)
			goto out;
		counts->added++;
	}
	for (size_t j = 0; phase == KERNEL_SYNC_PRUNE && j < n_have; j++) {
		bool wanted = false;

		for (size_t i = 0; i < n_want && !wanted; i++)
			wanted = agent_neigh_equal(&want[i], &have[j]);
		if (wanted)
			continue;
		ret = agent_neigh_del(nl, ifindex, &have[j], err);
		if (ret == -ENOENT)
			continue;
		if (ret < 0)
			goto out;
		counts->removed++;
	}
	ret = 0;
out:
	free(have);
	return ret;
}

int kernel_sync_neighs(struct netlink *nl, int ifindex, const struct agent_neigh *want,
		       size_t n_want, enum kernel_sync_phase phase, struct sync_counts *counts,
		       struct error *err)
{
	int ret = sync_kind(nl, ifindex, AGENT_NEIGH_FDB, want, n_want, phase, counts, err);

	if (ret == 0)
		ret = sync_kind(nl, ifindex, AGENT_NEIGH_IP, want, n_want, phase, counts, err);
	return ret;
}
