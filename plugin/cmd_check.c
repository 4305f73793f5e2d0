#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/cni/cni_result.h"
#include "plugin/cluster.h"
#include "plugin/commands.h"
#include "plugin/datapath/datapath.h"
#include "plugin/ipam_client.h"
#include "plugin/util/log.h"
#include "plugin/state.h"

/* The container interface must be in the result, in this netns (spec: CHECK). */
static int check_result_shape(const struct cni_call *call, const struct cni_result *expected,
			      struct cni_error *err)
{
	for (unsigned int i = 0; i < expected->n_interfaces; i++) {
		const struct cni_interface *iface = &expected->interfaces[i];

		if (strcmp(iface->name, call->env.ifname) || !iface->sandbox[0])
			continue;
		if (strcmp(iface->sandbox, call->env.netns))
			return cni_error_set(err, CNI_ERR_CHECK_FAILED, EINVAL,
					     "interface %s: prevResult sandbox %s is not "
					     "CNI_NETNS %s",
					     iface->name, iface->sandbox, call->env.netns);
		return 0;
	}
	return cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
			     "prevResult has no interface %s in a sandbox", call->env.ifname);
}

/* Primary mode: the extra interface, against its own record, with its data block. */
static int check_extra(const struct cni_call *call, const struct attachment *att,
		       struct cni_error *err)
{
	struct attachment *extra = malloc(sizeof(*extra));
	struct ipam_conf *data_ipam = malloc(sizeof(*data_ipam));
	struct ipam_request ipam = {.conf = &call->conf, .env = &call->env, .att = extra};
	const struct datapath_ops *ops;
	struct datapath_context ctx;
	int ret;

	if (!extra || !data_ipam) {
		ret = cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	ret = state_load(call->conf.state_dir, call->conf.name, att->container_id, att->data_ifname,
			 extra, err);
	if (ret == -ENOENT)
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
				    "check: the record of %s/%s is missing", att->container_id,
				    att->data_ifname);
	if (ret)
		goto out;
	snprintf(extra->netns, sizeof(extra->netns), "%s", att->netns);
	ops = datapath_find(extra->datapath);
	const struct slice_class *slice = conf_find_slice(&call->conf, extra->slice);

	if (!ops || !slice) {
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
				    "check: %s uses datapath %s of class %s, which this "
				    "configuration does not have",
				    extra->ifname, extra->datapath, extra->slice);
		goto out;
	}
	if (!(ret = datapath_context_make(&call->conf, slice, ops, &ctx, err)) &&
	    !(ret = cni_error_code(err, CNI_ERR_NETLINK,
				   ops->check(&ctx, extra, &extra->result, err))) &&
	    !(ret = cluster_data_ipam(&call->conf, slice, data_ipam, err))) {
		ipam.ipam = data_ipam;
		ret = ipam_client_check(&ipam, &extra->result, err);
	}
out:
	free(extra);
	free(data_ipam);
	return ret;
}

int cmd_check(const struct cni_call *call, struct cni_error *err)
{
	struct attachment *att = malloc(sizeof(*att));
	struct ipam_request ipam = {.conf = &call->conf,
				    .env = &call->env,
				    .att = att,
				    .raw_config = call->raw_config,
				    .raw_config_size = call->raw_config_size};
	const struct cni_result *expected;
	const struct datapath_ops *ops;
	struct datapath_context ctx;
	int ret;

	if (!att)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	ret = state_load(call->conf.state_dir, call->conf.name, call->env.container_id,
			 call->env.ifname, att, err);
	if (ret == -ENOENT)
		ret = cni_error_set(err, CNI_ERR_UNKNOWN_CONTAINER, ENOENT,
				    "no attachment %s/%s in network %s (never added, or deleted)",
				    call->env.container_id, call->env.ifname, call->conf.name);
	if (ret)
		goto out;
	snprintf(att->netns, sizeof(att->netns), "%s", call->env.netns);
	/* prevResult is authoritative (later chained plugins may change things); else the record.
	 */
	expected = call->conf.prev_result ? call->conf.prev_result : &att->result;
	ret = check_result_shape(call, expected, err);
	if (ret)
		goto out;
	ops = datapath_find(att->datapath);
	if (!ops) {
		ret = cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
				    "attachment uses datapath %s, which this plugin does not have",
				    att->datapath);
		goto out;
	}
	ret = datapath_context_make(&call->conf, conf_find_slice(&call->conf, att->slice), ops,
				    &ctx, err);
	if (!ret)
		ret = cni_error_code(err, CNI_ERR_NETLINK, ops->check(&ctx, att, expected, err));
	if (!ret && att->data_ifname[0]) {
		/* IPAM holds only the main interface's addresses; the extra's are its block's. */
		struct cni_result *own = malloc(sizeof(*own));

		if (!own) {
			ret = cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
			goto out;
		}
		cluster_main_ips(expected, att->data_ifname, own);
		ret = ipam_client_check(&ipam, own, err);
		free(own);
	} else if (!ret) {
		ret = ipam_client_check(&ipam, expected, err);
	}
	if (!ret && att->data_ifname[0])
		ret = check_extra(call, att, err);
out:
	free(att);
	return ret;
}
