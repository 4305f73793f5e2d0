#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/cluster.h"
#include "plugin/commands.h"
#include "plugin/conf/annotations.h"
#include "plugin/datapath/datapath.h"
#include "plugin/events.h"
#include "plugin/ipam_client.h"
#include "plugin/remove.h"
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
static int claim(const struct cni_call *call, const struct attachment *att, struct cni_error *err)
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

/*
 * One attachment: its record claimed, addresses from IPAM (the network's, or
 * ipam_override), the datapath, the record saved. Rolls back what it made.
 */
static int add_one(const struct cni_call *call, struct attachment *att,
		   const struct datapath_ops *ops, const struct datapath_context *ctx,
		   const struct ipam_conf *ipam_override, struct cni_result *result,
		   struct cni_error *err)
{
	struct ipam_request ipam = {.conf = &call->conf,
				    .env = &call->env,
				    .att = att,
				    .ipam = ipam_override,
				    .raw_config = call->raw_config,
				    .raw_config_size = call->raw_config_size};
	struct cni_error ignored = {0};
	int ret;

	ret = claim(call, att, err);
	if (ret)
		return ret;
	cni_result_init(result);
	ret = ipam_client_add(&ipam, result, err);
	if (ret)
		goto remove_record;
	fault_point("add-after-ipam");
	if (!result->dns.n_nameservers && !result->dns.domain[0] && !result->dns.n_search)
		result->dns = call->conf.dns;
	ret = ops->add(ctx, att, result, err);
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
	return 0;

remove_datapath:
	if (ops->del(ctx, att, &ignored))
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
	return ret;
}

/* Append extra's interfaces and addresses to result, re-pointing ips[].interface. */
static void merge_result(struct cni_result *result, const struct cni_result *extra)
{
	unsigned int base = result->n_interfaces;

	for (unsigned int i = 0;
	     i < extra->n_interfaces && result->n_interfaces < CNI_MAX_INTERFACES; i++)
		result->interfaces[result->n_interfaces++] = extra->interfaces[i];
	for (unsigned int i = 0; i < extra->n_ips && result->n_ips < CNI_MAX_IPS; i++) {
		result->ips[result->n_ips] = extra->ips[i];
		if (extra->ips[i].interface >= 0)
			result->ips[result->n_ips].interface = extra->ips[i].interface + (int)base;
		result->n_ips++;
	}
	for (unsigned int i = 0; i < extra->n_routes && result->n_routes < CNI_MAX_ROUTES; i++)
		result->routes[result->n_routes++] = extra->routes[i];
}

/*
 * Primary mode with a fast datapath: the pod's CNI_IFNAME is a veth on the
 * cluster network (so probes, Services and DNS reach it), and the class's
 * datapath comes on top as the class's data interface, addressed from this
 * node's block of the class's data network. Two records: the main one names
 * the extra interface, the extra one its owner.
 */
static int add_primary(const struct cni_call *call, struct attachment *att,
		       const struct datapath_ops *fast, const struct datapath_context *fast_ctx,
		       struct cni_result *result, struct cni_error *err)
{
	const struct datapath_ops *veth = datapath_find("veth");
	struct attachment *extra = malloc(sizeof(*extra));
	struct cni_result *extra_result = malloc(sizeof(*extra_result));
	struct ipam_conf *data_ipam = malloc(sizeof(*data_ipam));
	struct datapath_context veth_ctx;
	struct cni_error ignored = {0};
	int ret;

	ret = -ENOMEM;
	if (!extra || !extra_result || !data_ipam || !veth) {
		cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	if ((ret = cluster_data_ipam(&call->conf, fast_ctx->slice, data_ipam, err)) ||
	    (ret = datapath_context_make(&call->conf, fast_ctx->slice, veth, &veth_ctx, err)))
		goto out;
	*extra = *att;
	snprintf(extra->ifname, sizeof(extra->ifname), "%s", fast_ctx->slice->data_ifname);
	snprintf(extra->owner_ifname, sizeof(extra->owner_ifname), "%s", att->ifname);
	snprintf(extra->ipam_network, sizeof(extra->ipam_network), "%s", data_ipam->network_name);
	snprintf(extra->ipam_data_dir, sizeof(extra->ipam_data_dir), "%s", data_ipam->data_dir);
	snprintf(extra->ipam_type, sizeof(extra->ipam_type), "%s", CONF_IPAM_IN_PROCESS_TYPE);
	snprintf(att->datapath, sizeof(att->datapath), "veth");
	snprintf(att->data_ifname, sizeof(att->data_ifname), "%s", extra->ifname);
	if (!strcmp(extra->ifname, att->ifname)) {
		ret = cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "slice %s: dataIfname %s is the pod's CNI_IFNAME",
				    fast_ctx->slice->name, extra->ifname);
		goto out;
	}
	ret = add_one(call, att, veth, &veth_ctx, NULL, result, err);
	if (ret)
		goto out;
	ret = add_one(call, extra, fast, fast_ctx, data_ipam, extra_result, err);
	if (ret) {
		if (remove_attachment(call, att, true, &ignored))
			log_error("rollback: removing %s failed: %s", att->ifname, ignored.msg);
		goto out;
	}
	merge_result(result, extra_result);
	/* The main record carries the whole result: CHECK compares it as the runtime got it. */
	att->result = *result;
	ret = save(call, att, err);
	if (ret && (remove_attachment(call, extra, true, &ignored) ||
		    remove_attachment(call, att, true, &ignored)))
		log_error("rollback: removing the attachment failed: %s", ignored.msg);
out:
	free(extra);
	free(extra_result);
	free(data_ipam);
	return ret;
}

int cmd_add(const struct cni_call *call, struct cni_result *result, struct cni_error *err)
{
	struct attachment *att = calloc(1, sizeof(*att));
	const struct datapath_ops *ops = NULL;
	struct datapath_context ctx;
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
	snprintf(att->preferred, sizeof(att->preferred), "%s", ctx.slice->datapaths[0]);
	if (call->conf.primary && strcmp(ops->name, "veth"))
		ret = add_primary(call, att, ops, &ctx, result, err);
	else
		ret = add_one(call, att, ops, &ctx, NULL, result, err);
out:
	events_append(call->conf.state_dir, "ADD", att, ret ? (err->code ? err->code : 100) : 0);
	free(att);
	return ret;
}
