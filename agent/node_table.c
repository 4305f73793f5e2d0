/* The table of Nodes: a small array, linear lookups (clusters of hundreds). */
#include "agent/node_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void node_table_free(struct node_table *table)
{
	free(table->nodes);
	memset(table, 0, sizeof(*table));
}

static struct node *find(const struct node_table *table, const char *name)
{
	for (size_t i = 0; i < table->n_nodes; i++)
		if (!strcmp(table->nodes[i].name, name))
			return &table->nodes[i];
	return NULL;
}

const struct node *node_table_find(const struct node_table *table, const char *name)
{
	return find(table, name);
}

int node_table_upsert(struct node_table *table, const struct node *node)
{
	struct node *slot = find(table, node->name);

	if (slot) {
		bool same = node_same_routing(slot, node);

		*slot = *node;
		return same ? 0 : 1;
	}
	if (table->n_nodes == table->capacity) {
		size_t capacity = table->capacity ? table->capacity * 2 : 16;
		struct node *nodes = realloc(table->nodes, capacity * sizeof(*nodes));

		if (!nodes)
			return -ENOMEM;
		table->nodes = nodes;
		table->capacity = capacity;
	}
	table->nodes[table->n_nodes++] = *node;
	return 1;
}

int node_table_remove(struct node_table *table, const char *name)
{
	struct node *slot = find(table, name);

	if (!slot)
		return 0;
	*slot = table->nodes[--table->n_nodes];
	return 1;
}

int node_table_replace(struct node_table *table, const struct node *nodes, size_t n_nodes)
{
	struct node_table next = {0};
	int changed = n_nodes != table->n_nodes;

	for (size_t i = 0; i < n_nodes; i++) {
		const struct node *old = find(table, nodes[i].name);
		int ret = node_table_upsert(&next, &nodes[i]);

		if (ret < 0) {
			node_table_free(&next);
			return ret;
		}
		if (!old || !node_same_routing(old, &nodes[i]))
			changed = 1;
	}
	/* Same count and every listed node unchanged: none can have vanished. */
	node_table_free(table);
	*table = next;
	return changed;
}
