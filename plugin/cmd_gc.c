#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugin/commands.h"
#include "plugin/datapath/datapath.h"
#include "plugin/ipam_client.h"
#include "plugin/remove.h"
#include "plugin/state.h"
#include "plugin/util/log.h"

struct gc_walk {
	const struct cni_call *call;
	int first_error;
	struct cni_error *err;
};

static bool gc_is_valid(const char *container_id, const char *ifname, void *arg)
{
	const struct gc_walk *walk = arg;
	const struct netconf *conf = &walk->call->conf;

	for (size_t i = 0; i < conf->n_valid; i++)
		if (!strcmp(conf->valid[i].container_id, container_id) &&
		    !strcmp(conf->valid[i].ifname, ifname))
			return true;
	return false;
}

static int gc_one(const struct attachment *att, bool ok, void *arg)
{
	struct gc_walk *walk = arg;
	struct attachment one = *att;
	int ret;

	/* Primary mode's extra interface lives as long as the attachment that owns it. */
	if (gc_is_valid(att->container_id, att->owner_ifname[0] ? att->owner_ifname : att->ifname,
			walk))
		return 0;
	/* The ids come from a file name we wrote; still, they must be what CNI allows. */
	if (cni_validate_container_id(att->container_id, &(struct cni_error){0}) ||
	    cni_validate_ifname(att->ifname, &(struct cni_error){0})) {
		log_warn("GC: skipping a record with invalid ids");
		return 0;
	}
	log_info("GC: removing stale attachment %s/%s", att->container_id, att->ifname);
	if (!ok)
		one.netns[0] = '\0';
	ret = remove_attachment(walk->call, &one, ok, walk->err);
	if (ret && !walk->first_error)
		walk->first_error = ret;
	return 0;
}

/* Host-side leftovers that no record describes (records of older versions, lost records). */
static int gc_datapaths(const struct cni_call *call, struct gc_walk *walk, struct cni_error *err)
{
	int first = 0;

	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++) {
		struct datapath_context ctx;
		int ret = 0;

		if ((*ops)->gc && !datapath_context_make(&call->conf, NULL, *ops, &ctx, err))
			ret = cni_error_code(err, CNI_ERR_NETLINK,
					     (*ops)->gc(&ctx, gc_is_valid, walk, err));
		if (ret && !first)
			first = ret;
	}
	return first;
}

int cmd_gc(const struct cni_call *call, struct cni_error *err)
{
	struct ipam_request ipam = {.conf = &call->conf,
				    .env = &call->env,
				    .att = NULL,
				    .raw_config = call->raw_config,
				    .raw_config_size = call->raw_config_size};
	struct gc_walk walk = {.call = call, .err = err};
	int ret;

	ret = state_foreach(call->conf.state_dir, call->conf.name, gc_one, &walk, err);
	if (!ret)
		ret = walk.first_error;
	if (!ret)
		ret = gc_datapaths(call, &walk, err);
	/* Reservations with no record (e.g. a crash between IPAM and the record). */
	if (!ret)
		ret = ipam_client_gc(&ipam, err);
	return ret;
}
