#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/commands.h"
#include "plugin/conf/annotations.h"
#include "plugin/datapath/datapath.h"
#include "plugin/ipam_client.h"
#include "plugin/slice.h"
#include "plugin/state.h"
#include "plugin/util/fault.h"
#include "plugin/util/log.h"

/*
 * The record is written before anything is created, under the network's
 * lock: a second ADD of a live attachment (a runtime retry, or two racing)
 * finds it and fails before it could touch the live pod's addresses, and a
 * crash at any later step leaves a record that DEL and GC work from.
 */
static int claim(const struct cni_call *call, const struct attachment *att,
		 struct cni_error *err)
{
	struct attachment *existing;
	struct cni_error ignored = {0};
	int lock, ret;

	lock = state_lock(call->conf.state_dir, call->conf.name, err);
	if (lock < 0)
		return lock;
	ret = state_claim(call->conf.state_dir, att, err);
	if (ret != -EEXIST) {
		state_unlock(lock);
		return ret;
	}
	existing = malloc(sizeof(*existing));
	ret = existing ? state_load(call->conf.state_dir, call->conf.name, att->container_id,
				    att->ifname, existing, &ignored)
		       : -ENOMEM;
	state_unlock(lock);
	ret = cni_error_set(err, CNI_ERR_STATE, EEXIST,
			    "%s/%s is already attached to network %s (datapath %s); DEL it first",
			    att->container_id, att->ifname, call->conf.name,
			    ret ? "unknown: its record is unreadable" : existing->datapath);
	free(existing);
	return ret;
}

static int save(const struct cni_call *call, const struct attachment *att, struct cni_error *err)
{
	int lock = state_lock(call->conf.state_dir, call->conf.name, err), ret;

	if (lock < 0)
		return lock;
	ret = state_update(call->conf.state_dir, att, err);
	state_unlock(lock);
	return ret;
}

/* The class the pod asked for, and the datapath this node gives it. */
static int choose(const struct cni_call *call, const struct attachment *att,
		  const struct datapath_ops **ops, struct datapath_context *ctx,
		  struct cni_error *err)
{
	const struct slice_class *slice;
	char slice_name[SLICE_NAME_MAX];
	const char *source = "";
	int ret;

	ret = annotations_slice(&call->conf, &call->env, slice_name, sizeof(slice_name), &source,
				err);
	if (!ret)
		ret = slice_resolve(&call->conf, slice_name, &slice, err);
	if (ret)
		return ret;
	log_info("slice %s (from %s)", slice_name, source);
	return slice_pick_datapath(&call->conf, slice, att, ops, ctx, err);
}

int cmd_add(const struct cni_call *call, struct cni_result *result, struct cni_error *err)
{
	struct attachment *att = calloc(1, sizeof(*att));
	struct ipam_request ipam = {&call->conf, &call->env, att, call->raw_config,
				    call->raw_config_size};
	const struct datapath_ops *ops = NULL;
	struct datapath_context ctx;
	struct cni_error ignored = {0};
	int ret;

	if (!att)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	ret = attachment_from_call(&call->env, &call->conf, att, err);
	if (!ret && !call->conf.has_ipam)
		ret = cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "the \"ipam\" section is required: the pod needs an address");
	if (!ret)
		ret = choose(call, att, &ops, &ctx, err);
	if (ret)
		goto out;
	if (call->conf.prev_result)
		log_info("ADD with a prevResult: slicenet creates its own interface and does not "
			 "merge it");
	snprintf(att->slice, sizeof(att->slice), "%s", ctx.slice->name);
	snprintf(att->datapath, sizeof(att->datapath), "%s", ops->name);
	ret = claim(call, att, err);
	if (ret)
		goto out;

	cni_result_init(result);
	ret = ipam_client_add(&ipam, result, err);
	if (ret)
		goto remove_record;
	fault_point("add-after-ipam");
	if (!result->dns.n_nameservers && !result->dns.domain[0] && !result->dns.n_search)
		result->dns = call->conf.dns;
	ret = ops->add(&ctx, att, result, err);
	if (ret) {
		/* What the kernel layer refused carries a message but no CNI code. */
		cni_error_code(err, CNI_ERR_NETLINK, ret);
		goto release_ipam;
	}
	fault_point("add-after-datapath");
	att->result = *result;
	ret = save(call, att, err);
	if (ret)
		goto remove_datapath;
	fault_point("add-after-state");
	log_info("added %s/%s: datapath %s, %u address(es)", att->container_id, att->ifname,
		 att->datapath, result->n_ips);
	goto out;

remove_datapath:
	if (ops->del(&ctx, att, &ignored))
		log_error("rollback: removing the %s datapath failed: %s", ops->name, ignored.msg);
release_ipam:
	memset(&ignored, 0, sizeof(ignored));
	if (ipam_client_del(&ipam, &ignored))
		log_error("rollback: releasing the addresses failed: %s", ignored.msg);
remove_record:
	memset(&ignored, 0, sizeof(ignored));
	if (state_remove(call->conf.state_dir, call->conf.name, att->container_id, att->ifname,
			 &ignored))
		log_error("rollback: removing the record failed: %s", ignored.msg);
out:
	free(att);
	return ret;
}
