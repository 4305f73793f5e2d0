#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/cni/cni_gc.h"
#include "plugin/commands.h"
#include "plugin/datapath/datapath.h"
#include "plugin/ipam_client.h"
#include "plugin/util/log.h"
#include "plugin/state.h"

/*
 * Remove one attachment: the datapath named by the record, or every datapath
 * when there is no record (each del is a no-op for what it never created).
 * Best effort: every step runs, the first failure is returned.
 */
static int remove_attachment(const struct cni_call *call, const struct cni_env *env,
			     const struct attachment *att, bool have_record, struct cni_error *err)
{
	struct ipam_request ipam = {&call->conf, env, call->raw_config, call->raw_config_size};
	struct datapath_context ctx = {.env = env, .conf = &call->conf};
	int first = 0, ret;

	if (have_record)
		ctx.slice = conf_find_slice(&call->conf, att->slice);
	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++) {
		if (have_record && strcmp((*ops)->name, att->datapath))
			continue;
		ret = (*ops)->del(&ctx, att, err);
		if (ret && !first)
			first = ret;
	}
	/* Release addresses even when the netns is gone (spec: DEL is best effort). */
	ret = ipam_client_del(&ipam, err);
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

int cmd_del(const struct cni_call *call, struct cni_error *err)
{
	struct attachment *att = calloc(1, sizeof(*att));
	bool have_record;
	int ret;

	if (!att)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	ret = state_load(call->conf.state_dir, call->conf.name, call->env.container_id,
			 call->env.ifname, att, err);
	have_record = ret == 0;
	if (ret && ret != -ENOENT) {
		/* A corrupt record must not block DEL: fall back to the ids we were given. */
		log_warn("DEL: %s; cleaning up by container id", err->msg);
		memset(err, 0, sizeof(*err));
	}
	if (!have_record) {
		memset(att, 0, sizeof(*att));
		snprintf(att->container_id, sizeof(att->container_id), "%s",
			 call->env.container_id);
		snprintf(att->ifname, sizeof(att->ifname), "%s", call->env.ifname);
		snprintf(att->network, sizeof(att->network), "%s", call->conf.name);
		snprintf(att->netns, sizeof(att->netns), "%s", call->env.netns);
	}
	log_info("DEL %s/%s (%s)", att->container_id, att->ifname,
		 have_record ? att->datapath : "no record");
	ret = remove_attachment(call, &call->env, att, have_record, err);
	free(att);
	return ret;
}

struct gc_walk {
	const struct cni_call *call;
	const struct cni_gc_attachment *valid;
	size_t n_valid;
	int first_error;
	struct cni_error *err;
};

static bool gc_is_valid(const char *container_id, const char *ifname, void *arg);

static int gc_one(const struct attachment *att, bool ok, void *arg)
{
	struct gc_walk *walk = arg;
	struct cni_env env = walk->call->env;
	int ret;

	if (gc_is_valid(att->container_id, att->ifname, walk))
		return 0;
	log_info("GC: removing stale attachment %s/%s", att->container_id, att->ifname);
	snprintf(env.container_id, sizeof(env.container_id), "%s", att->container_id);
	snprintf(env.ifname, sizeof(env.ifname), "%s", att->ifname);
	snprintf(env.netns, sizeof(env.netns), "%s", ok ? att->netns : "");
	ret = remove_attachment(walk->call, &env, att, ok, walk->err);
	if (ret && !walk->first_error)
		walk->first_error = ret;
	return 0;
}

static bool gc_is_valid(const char *container_id, const char *ifname, void *arg)
{
	const struct gc_walk *walk = arg;

	for (size_t i = 0; i < walk->n_valid; i++)
		if (!strcmp(walk->valid[i].container_id, container_id) &&
		    !strcmp(walk->valid[i].ifname, ifname))
			return true;
	return false;
}

/* Host-side leftovers that no record describes (a crash before the record). */
static int gc_datapaths(const struct cni_call *call, struct gc_walk *walk, struct cni_error *err)
{
	struct datapath_context ctx = {.env = &call->env, .conf = &call->conf};
	int first = 0;

	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++) {
		int ret = (*ops)->gc ? (*ops)->gc(&ctx, gc_is_valid, walk, err) : 0;

		if (ret && !first)
			first = ret;
	}
	return first;
}

int cmd_gc(const struct cni_call *call, struct cni_error *err)
{
	struct ipam_request ipam = {&call->conf, &call->env, call->raw_config,
				    call->raw_config_size};
	struct gc_walk walk = {.call = call, .err = err};
	struct cni_gc_attachment *valid = NULL;
	int ret;

	ret = cni_gc_valid_attachments(call->conf.root, &valid, &walk.n_valid, err);
	if (ret)
		return ret;
	walk.valid = valid;
	ret = state_foreach(call->conf.state_dir, call->conf.name, gc_one, &walk, err);
	if (!ret)
		ret = walk.first_error;
	if (!ret)
		ret = gc_datapaths(call, &walk, err);
	/* Reservations with no record (e.g. a crash between IPAM and the record). */
	if (!ret)
		ret = ipam_client_gc(&ipam, valid, walk.n_valid, err);
	free(valid);
	return ret;
}
