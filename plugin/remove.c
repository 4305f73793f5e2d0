#include "plugin/remove.h"

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

int remove_attachment(const struct cni_call *call, const struct attachment *att,
		      bool have_record, struct cni_error *err)
{
	struct ipam_request ipam = {&call->conf, &call->env, att, call->raw_config,
				    call->raw_config_size};
	int first = 0, ret;

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
