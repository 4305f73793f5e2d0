/*
 * The agent's view of the cluster: the Nodes it last listed or was told of
 * by the watch, keyed by name. Desired kernel state is always derived from
 * this table, never from what was programmed before.
 */
#ifndef SLICENET_AGENT_NODE_TABLE_H
#define SLICENET_AGENT_NODE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/node.h"

struct node_table {
	struct node *nodes;
	size_t n_nodes;
	size_t capacity;
};

/* An empty table needs no init beyond zeroing; free accepts a zeroed table. */
void node_table_free(struct node_table *table);

const struct node *node_table_find(const struct node_table *table, const char *name);

/*
 * Insert or replace node. Returns 1 when routing changed (new node, or a
 * different uid, CIDR or address), 0 when not, -ENOMEM.
 */
int node_table_upsert(struct node_table *table, const struct node *node)
	__attribute__((warn_unused_result));

/* Remove the node named name: 1 when it was there, 0 when not. */
int node_table_remove(struct node_table *table, const char *name);

/*
 * Replace the whole table with a full list (nodes the list lacks are gone:
 * their deletes may have been missed). Returns 1 when routing changed, 0
 * when not, -ENOMEM (the table is then unchanged).
 */
int node_table_replace(struct node_table *table, const struct node *nodes, size_t n_nodes)
	__attribute__((warn_unused_result));

#endif
