/* Handlers for port.add, port.del, port.list, stats, fdb.list, version. */
#include "daemon/ctl_cmds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_version.h>

#include "daemon/fwd.h"
#include "daemon/port.h"
#include "daemon/stats.h"

#define SLICENETD_VERSION "0.1.0"

static struct fdb *cmds_fdb;

void ctl_cmds_init(struct fdb *fdb)
{
	cmds_fdb = fdb;
}

static int cmd_port_add(const struct ctl_request *req, struct ctl_response *resp)
{
	return port_add(&req->port, &resp->port, resp->message, sizeof(resp->message));
}

static int cmd_port_del(const struct ctl_request *req, struct ctl_response *resp)
{
	return port_del(req->port.name, resp->message, sizeof(resp->message));
}

/* The port snapshot plus a zeroed array of as many items of size sz, for the caller to fill. */
static int snapshot_with_array(struct port_snapshot **snap, size_t *n, size_t sz, void **items)
{
	int rc;

	rc = port_snapshot(snap, n);
	if (rc)
		return rc;
	*items = calloc(*n ? *n : 1, sz);
	if (!*items) {
		free(*snap);
		return -ENOMEM;
	}
	return 0;
}

static int cmd_port_list(const struct ctl_request *req, struct ctl_response *resp)
{
	struct port_snapshot *snap;
	size_t n, i;
	int rc;

	(void)req;
	rc = snapshot_with_array(&snap, &n, sizeof(*resp->ports), (void **)&resp->ports);
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		resp->ports[i] = snap[i].info;
	resp->n_ports = n;
	free(snap);
	return 0;
}

/* Forwarding lcores reported by stats (as many as the metrics report). */
#define CMDS_LCORES_MAX 128

static int cmd_stats(const struct ctl_request *req, struct ctl_response *resp)
{
	struct stats_lcore lcores[CMDS_LCORES_MAX];
	unsigned int n_lcores = stats_lcores(lcores, CMDS_LCORES_MAX), l;
	struct port_snapshot *snap;
	size_t n, i;
	int rc;

	(void)req;
	rc = snapshot_with_array(&snap, &n, sizeof(*resp->stats), (void **)&resp->stats);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		memcpy(resp->stats[i].name, snap[i].info.spec.name, sizeof(resp->stats[i].name));
		stats_get(snap[i].index, &resp->stats[i]);
	}
	resp->n_stats = n;
	free(snap);
	resp->lcores = calloc(n_lcores ? n_lcores : 1, sizeof(*resp->lcores));
	if (!resp->lcores)
		return -ENOMEM;
	for (l = 0; l < n_lcores; l++)
		resp->lcores[l] = (struct ctl_lcore_stats){.lcore = lcores[l].lcore_id,
							   .busy_cycles = lcores[l].busy_cycles,
							   .cycles = lcores[l].cycles,
							   .busy_ratio = lcores[l].busy_ratio};
	resp->n_lcores = n_lcores;
	resp->tsc_hz = fwd_tsc_hz();
	return 0;
}

static int cmd_fdb_list(const struct ctl_request *req, struct ctl_response *resp)
{
	uint32_t now = fwd_now();
	struct fdb_entry *entries;
	size_t n, i, max;

	(void)req;
	/* Snapshot size is a bound, not exact: the datapath keeps learning meanwhile. */
	max = fdb_count(cmds_fdb, now) + 64;
	entries = calloc(max, sizeof(*entries));
	resp->fdb = calloc(max, sizeof(*resp->fdb));
	if (!entries || !resp->fdb) {
		free(entries);
		return -ENOMEM;
	}
	n = fdb_snapshot(cmds_fdb, entries, max, now);
	for (i = 0; i < n; i++) {
		struct ctl_fdb_entry *e = &resp->fdb[i];
		int b;

		for (b = 0; b < 6; b++)
			e->mac[b] = (uint8_t)(entries[i].mac >> (40 - 8 * b));
		port_name(entries[i].port, e->port, sizeof(e->port));
		e->is_static = entries[i].is_static;
		e->age = entries[i].age;
	}
	resp->n_fdb = n;
	resp->fdb_aging = fdb_aging(cmds_fdb);
	free(entries);
	return 0;
}

static int cmd_version(const struct ctl_request *req, struct ctl_response *resp)
{
	(void)req;
	snprintf(resp->version.daemon, sizeof(resp->version.daemon), "%s", SLICENETD_VERSION);
	snprintf(resp->version.dpdk, sizeof(resp->version.dpdk), "%s", rte_version());
	resp->version.protocol = CTL_PROTO_VERSION;
	return 0;
}

static int (*const handlers[CTL_METHOD_COUNT])(const struct ctl_request *,
					       struct ctl_response *) = {
	[CTL_PORT_ADD] = cmd_port_add,	 [CTL_PORT_DEL] = cmd_port_del,
	[CTL_PORT_LIST] = cmd_port_list, [CTL_STATS] = cmd_stats,
	[CTL_FDB_LIST] = cmd_fdb_list,	 [CTL_VERSION] = cmd_version,
};

void ctl_cmds_handle(const struct ctl_request *req, struct ctl_response *resp)
{
	int rc;

	memset(resp, 0, sizeof(*resp));
	resp->method = req->method;
	rc = handlers[req->method](req, resp);
	if (rc) {
		ctl_response_free(resp);
		resp->error = rc;
		/* Handlers that saw the bad value wrote the message; the rest get strerror. */
		if (!resp->message[0])
			snprintf(resp->message, sizeof(resp->message), "%s: %s",
				 ctl_method_name(req->method), strerror(-rc));
	}
}
