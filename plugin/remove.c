#include "plugin/remove.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/datapath/datapath.h"
#include "plugin/ipam_client.h"
#include "plugin/state.h"
#include "plugin/util/log.h"

/* Can a class of this network use datapath name? Unknown when the table is broken. */
static bool network_uses(const struct cni_call *call, const char *name)
{
	if (!call->conf_complete)
		return true;
	for (unsigned int c = 0; c < call->conf.n_slices; c++)
		for (unsigned int d = 0; d < call->conf.slices[c].n_datapaths; d++)
			if (!strcmp(call->conf.slices[c].datapaths[d], name))
				return true;
	return false;
}

static int remove_datapath(const struct cni_call *call, const struct datapath_ops *ops,
			   const struct attachment *att, struct cni_error *err)
{
	const struct slice_class *slice = conf_find_slice(&call->conf, att->slice);
	struct datapath_context ctx;
	int ret = datapath_context_make(&call->conf, slice, ops, &ctx, err);

	return ret ? ret : cni_error_code(err, CNI_ERR_NETLINK, ops->del(&ctx, att, err));
}

/* Primary mode: the extra interface a main record names goes first. */
static int remove_extra(const struct cni_call *call, const struct attachment *att,
			struct cni_error *err)
{
	struct attachment *extra = malloc(sizeof(*extra));
	struct cni_error ignored = {0};
	int ret;

	if (!extra)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	ret = state_load(call->conf.state_dir, call->conf.name, att->container_id, att->data_ifname,
			 extra, &ignored);
	if (ret == -ENOENT) {
		ret = 0; /* never made, or already removed */
	} else if (ret) {
		log_warn("%s: %s; its datapath is left to GC", att->data_ifname, ignored.msg);
		ret = 0;
	} else {
		snprintf(extra->netns, sizeof(extra->netns), "%s", att->netns);
		ret = remove_attachment(call, extra, true, err);
	}
	free(extra);
	return ret;
}

int remove_attachment(const struct cni_call *call, const struct attachment *att, bool have_record,
		      struct cni_error *err)
{
	struct ipam_request ipam = {.conf = &call->conf,
				    .env = &call->env,
				    .att = att,
				    .raw_config = call->raw_config,
				    .raw_config_size = call->raw_config_size};
	int first = 0, ret;

	if (have_record && att->data_ifname[0])
		first = remove_extra(call, att, err);
	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++) {
		if (have_record ? strcmp((*ops)->name, att->datapath)
				: !network_uses(call, (*ops)->name))
			continue;
		ret = remove_datapath(call, *ops, att, err);
		if (ret && !first)
			first = ret;
	}
	/* Release addresses even when the netns is gone (spec: DEL is best effort). */
	ret = ipam_client_del(&ipam, first ? &(struct cni_error){0} : err);
	if (ret && !first)
		first = ret;
	if (!first) {
		ret = state_remove(call->conf.state_dir, call->conf.name, att->container_id,
				   att->ifname, err);
		if (ret)
			first = ret;
	}
	return first;
}
