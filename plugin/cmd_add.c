#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugin/conf/annotations.h"
#include "plugin/commands.h"
#include "plugin/datapath/datapath.h"
#include "plugin/util/fault.h"
#include "plugin/ipam_client.h"
#include "plugin/util/log.h"
#include "plugin/slice.h"
#include "plugin/state.h"

static void fill_attachment(const struct cni_call *call, const struct slice_class *slice,
			    const struct datapath_ops *ops, struct attachment *att)
{
	memset(att, 0, sizeof(*att));
	snprintf(att->container_id, sizeof(att->container_id), "%s", call->env.container_id);
	snprintf(att->ifname, sizeof(att->ifname), "%s", call->env.ifname);
	snprintf(att->netns, sizeof(att->netns), "%s", call->env.netns);
	snprintf(att->network, sizeof(att->network), "%s", call->conf.name);
	snprintf(att->slice, sizeof(att->slice), "%s", slice->name);
	snprintf(att->datapath, sizeof(att->datapath), "%s", ops->name);
	snprintf(att->ipam_type, sizeof(att->ipam_type), "%s", call->conf.ipam_type);
}

int cmd_add(const struct cni_call *call, struct cni_result *result, struct cni_error *err)
{
	struct ipam_request ipam = {&call->conf, &call->env, call->raw_config,
				    call->raw_config_size};
	struct datapath_context ctx = {.env = &call->env, .conf = &call->conf};
	const struct datapath_ops *ops = NULL;
	struct attachment att;
	char slice_name[SLICE_NAME_MAX];
	const char *source = "";
	struct cni_error ignored = {0};
	int lock_fd = -1, ret;

	if (!call->conf.ipam)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "the \"ipam\" section is required: the pod needs an address");
	if (call->conf.prev_result)
		log_info("ADD with a prevResult: slicenet creates its own interface and does not "
			 "merge it");
	ret = annotations_slice(&call->conf, &call->env, slice_name, sizeof(slice_name), &source,
				err);
	if (ret)
		return ret;
	ret = slice_resolve(&call->conf, slice_name, &ctx.slice, err);
	if (ret)
		return ret;
	log_info("slice %s (from %s)", slice_name, source);
	ret = slice_pick_datapath(&ctx, &ops, err);
	if (ret)
		return ret;

	cni_result_init(result);
	ret = ipam_client_add(&ipam, result, err);
	if (ret)
		return ret;
	fault_point("add-after-ipam");
	if (!result->dns.n_nameservers && !result->dns.domain[0] && !result->dns.n_search)
		result->dns = call->conf.dns;

	fill_attachment(call, ctx.slice, ops, &att);
	ret = ops->add(&ctx, result, &att, err);
	if (ret)
		goto release_ipam;
	fault_point("add-after-datapath");
	att.result = *result;

	lock_fd = state_lock(call->conf.state_dir, call->conf.name, err);
	if (lock_fd < 0) {
		ret = lock_fd;
		goto remove_datapath;
	}
	ret = state_save(call->conf.state_dir, &att, err);
	state_unlock(lock_fd);
	if (ret)
		goto remove_datapath;
	fault_point("add-after-state");
	log_info("added %s/%s: datapath %s, %u address(es)", att.container_id, att.ifname,
		 att.datapath, result->n_ips);
	return 0;

remove_datapath:
	if (ops->del(&ctx, &att, &ignored))
		log_error("rollback: removing the %s datapath failed: %s", ops->name, ignored.msg);
release_ipam:
	memset(&ignored, 0, sizeof(ignored));
	if (ipam_client_del(&ipam, &ignored))
		log_error("rollback: releasing the addresses failed: %s", ignored.msg);
	return ret;
}
