#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "agent/node_table.h"

static struct node make(const char *name, const char *cidr, const char *ip)
{
	struct node n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	snprintf(n.uid, sizeof(n.uid), "uid-%s", name);
	if (cidr) {
		cr_assert_eq(ip_prefix_parse(cidr, &n.pod_cidrs[0]), 0);
		n.n_pod_cidrs = 1;
	}
	if (ip) {
		cr_assert_eq(ip_address_parse(ip, &n.internal_ips[0]), 0);
		n.n_internal_ips = 1;
	}
	return n;
}

Test(node_table, upsert_reports_routing_changes_only)
{
	struct node_table t = {0};
	struct node a = make("a", "10.244.1.0/24", "10.0.0.1");

	cr_assert_eq(node_table_upsert(&t, &a), 1);
	cr_assert_eq(node_table_upsert(&t, &a), 0, "same node again: no change");
	a.internal_ips[0].bytes[3] = 9;
	cr_assert_eq(node_table_upsert(&t, &a), 1, "address change");
	snprintf(a.uid, sizeof(a.uid), "uid-new");
	cr_assert_eq(node_table_upsert(&t, &a), 1, "re-registered node");
	cr_assert_eq(t.n_nodes, 1);
	cr_assert_eq(node_table_remove(&t, "a"), 1);
	cr_assert_eq(node_table_remove(&t, "a"), 0);
	node_table_free(&t);
}

Test(node_table, replace_drops_nodes_the_list_lacks)
{
	struct node_table t = {0};
	struct node list[2] = {make("a", "10.244.1.0/24", "10.0.0.1"),
			       make("b", "10.244.2.0/24", "10.0.0.2")};

	for (int i = 0; i < 40; i++) { /* grow past the first allocation */
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		struct node n = make(name, NULL, NULL);
		cr_assert_geq(node_table_upsert(&t, &n), 0);
	}
	cr_assert_eq(node_table_replace(&t, list, 2), 1);
	cr_assert_eq(t.n_nodes, 2);
	cr_assert_null(node_table_find(&t, "n3"));
	cr_assert_not_null(node_table_find(&t, "b"));
	cr_assert_eq(node_table_replace(&t, list, 2), 0, "same list: no change");
	cr_assert_eq(node_table_replace(&t, list, 1), 1, "b vanished");
	node_table_free(&t);
}
