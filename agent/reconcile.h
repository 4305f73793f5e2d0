/*
 * One reconcile: from the node table to the kernel and files. The ranges
 * file, the VXLAN device, FDB / neighbour entries and routes, the
 * masquerade table; each step applies only what differs.
 */
#ifndef SLICENET_AGENT_RECONCILE_H
#define SLICENET_AGENT_RECONCILE_H

#include "agent/node_table.h"
#include "agent/options.h"
#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"

#define RECONCILE_MASQ_SCRIPT_MAX 4096

struct reconciler {
	const struct agent_options *options;
	struct netlink *nl;
	char masq_applied[RECONCILE_MASQ_SCRIPT_MAX]; /* "" until applied once */
	bool waiting_logged; /* "own node not ready" said once, not every resync */
};

/*
 * Make everything match table. Only call it after a complete list: a
 * partial table would remove routes of nodes not seen yet.
 */
int reconcile_run(struct reconciler *r, const struct node_table *table, struct error *err)
	__attribute__((warn_unused_result));

/*
 * --uninstall: remove every route with the agent's protocol, the VXLAN
 * device, the nft table, the data gateways on --data-uplink (given the same
 * --data-subnet flags) and the ranges file. Continues past failures;
 * returns the first.
 */
int reconcile_uninstall(const struct agent_options *options, struct netlink *nl, struct error *err)
	__attribute__((warn_unused_result));

#endif
