/* Table -> ranges file, VXLAN device, FDB/neighbours, routes, masquerade. */
#include "agent/reconcile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agent/agent_vxlan.h"
#include "agent/data_uplink.h"
#include "agent/desired.h"
#include "agent/kernel_sync.h"
#include "agent/masq.h"
#include "agent/ranges_file.h"
#include "agent/underlay.h"
#include "agent/vxlan_device.h"
#include "plugin/util/log.h"

static void underlay_oif(struct netlink *nl, const struct node *self, int family, int *oif)
{
	const struct ip_address *ip = node_internal_ip(self, family);
	struct error err = {0};
	unsigned int mtu;

	*oif = 0;
	if (ip && underlay_find(nl, ip, oif, &mtu, &err) < 0) {
		log_warn("host-gw: %s; that family is not routed", err.msg);
		*oif = 0;
	}
}

static int sync_kernel(struct reconciler *r, const struct node_table *table,
		       const struct node *self, struct error *err)
{
	const struct agent_options *o = r->options;
	struct desired_input in = {.mode = o->mode,
				   .self = o->node_name,
				   .cluster4 = o->n_data ? &o->cluster4 : NULL,
				   .data = o->data,
				   .n_data = o->n_data};
	struct ip_prefix gateways[DESIRED_DATA_MAX];
	struct sync_counts routes = {0}, neighs = {0};
	struct desired desired;
	int ret;

	if (o->mode == AGENT_MODE_VXLAN) {
		ret = vxlan_device_ensure(r->nl, &o->vxlan, self, &in.vxlan_ifindex, err);
		if (ret < 0)
			return ret;
		in.vxlan_family = node_internal_ip(self, AF_UNSPEC)->family;
	} else {
		underlay_oif(r->nl, self, AF_INET, &in.underlay_oif4);
		underlay_oif(r->nl, self, AF_INET6, &in.underlay_oif6);
	}
	if (desired_compute(table, &in, &desired) < 0)
		return error_set(err, ENOMEM, "reconcile: out of memory");
	ret = 0;
	/* Neighbour and FDB before the routes that use them; stale ones after. */
	if (in.vxlan_ifindex)
		ret = kernel_sync_neighs(r->nl, in.vxlan_ifindex, desired.neighs, desired.n_neighs,
					 KERNEL_SYNC_ADD, &neighs, err);
	if (ret == 0)
		ret = kernel_sync_routes(r->nl, desired.routes, desired.n_routes, &routes, err);
	if (ret == 0 && in.vxlan_ifindex)
		ret = kernel_sync_neighs(r->nl, in.vxlan_ifindex, desired.neighs, desired.n_neighs,
					 KERNEL_SYNC_PRUNE, &neighs, err);
	if (ret == 0 && o->data_uplink[0])
		ret = data_uplink_sync(r->nl, o->data_uplink, o->data, o->n_data, gateways,
				       desired_uplink_addrs(&in, self, gateways), err);
	/* host-gw after vxlan (a mode change): the old device carries no route any more. */
	if (ret == 0 && o->mode == AGENT_MODE_HOST_GW) {
		struct error ignored = {0};

		if (vxlan_device_remove(r->nl, o->vxlan.name, &ignored) == 0)
			log_info("host-gw: removed the VXLAN device %s", o->vxlan.name);
	}
	desired_free(&desired);
	if (routes.added || routes.replaced || routes.removed || neighs.added || neighs.removed)
		log_info("reconciled: routes +%u ~%u -%u (%u kept, %u blocked), fdb/neigh +%u -%u",
			 routes.added, routes.replaced, routes.removed, routes.kept, routes.blocked,
			 neighs.added, neighs.removed);
	return ret;
}

static int sync_masq(struct reconciler *r, const struct node *self, struct error *err)
{
	char script[RECONCILE_MASQ_SCRIPT_MAX];
	int ret;

	if (!r->options->masq.n_cluster)
		return 0;
	if (masq_script(&r->options->masq, self, script, sizeof(script)) < 0)
		return error_set(err, ENAMETOOLONG, "masquerade: ruleset too long");
	if (!strcmp(script, r->masq_applied))
		return 0;
	ret = masq_apply(script, err);
	if (ret == 0) {
		memcpy(r->masq_applied, script, sizeof(script));
		log_info("masquerade: table %s %s written", MASQ_TABLE_FAMILY, MASQ_TABLE_NAME);
	}
	return ret;
}

int reconcile_run(struct reconciler *r, const struct node_table *table, struct error *err)
{
	const struct agent_options *o = r->options;
	const struct node *self = node_table_find(table, o->node_name);
	bool written;
	int ret;

	/*
	 * Without this node's own Node (or its address) nothing can be computed:
	 * leave the kernel alone rather than remove routes on a guess.
	 */
	if (!self || !node_internal_ip(self, AF_UNSPEC) || !self->n_pod_cidrs) {
		if (!r->waiting_logged)
			log_warn("node %s: %s; waiting for it", o->node_name,
				 !self		      ? "not in the cluster (yet)"
				 : !self->n_pod_cidrs ? "no podCIDR allocated yet"
						      : "no InternalIP yet");
		r->waiting_logged = true;
		return 0;
	}
	r->waiting_logged = false;
	ret = ranges_file_write(o->ranges_file, self, &written, err);
	if (ret < 0)
		return ret;
	if (written)
		log_info("ranges file %s written", o->ranges_file);
	ret = sync_kernel(r, table, self, err);
	if (ret == 0)
		ret = sync_masq(r, self, err);
	return ret;
}

int reconcile_uninstall(const struct agent_options *options, struct netlink *nl, struct error *err)
{
	struct agent_route *routes = NULL;
	struct error step = {0};
	size_t n_routes = 0;
	int first = 0, ret;

	ret = agent_route_list(nl, &routes, &n_routes, &step);
	for (size_t i = 0; ret == 0 && i < n_routes; i++) {
		int del = agent_route_del(nl, &routes[i], &step);

		if (del < 0 && del != -ESRCH && !first)
			first = error_set(err, -del, "%s", step.msg);
	}
	free(routes);
	if (ret < 0 && !first)
		first = error_set(err, -ret, "%s", step.msg);
	log_info("uninstall: %zu routes of protocol %d removed", n_routes, AGENT_ROUTE_PROTOCOL);

	memset(&step, 0, sizeof(step));
	ret = vxlan_device_remove(nl, options->vxlan.name, &step);
	if (ret < 0 && ret != -ENODEV && !first)
		first = error_set(err, -ret, "%s", step.msg);
	memset(&step, 0, sizeof(step));
	if ((ret = masq_remove(&step)) < 0 && !first)
		first = error_set(err, -ret, "%s", step.msg);
	memset(&step, 0, sizeof(step));
	if (options->data_uplink[0] &&
	    (ret = data_uplink_sync(nl, options->data_uplink, options->data, options->n_data, NULL,
				    0, &step)) < 0 &&
	    !first)
		first = error_set(err, -ret, "%s", step.msg);
	memset(&step, 0, sizeof(step));
	if ((ret = ranges_file_remove(options->ranges_file, &step)) < 0 && !first)
		first = error_set(err, -ret, "%s", step.msg);
	return first;
}
