#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/commands.h"
#include "plugin/datapath/datapath.h"
#include "plugin/events.h"
#include "plugin/ipam_client.h"
#include "plugin/remove.h"
#include "plugin/state.h"
#include "plugin/util/log.h"

int cmd_del(const struct cni_call *call, struct cni_error *err)
{
	struct attachment *att = calloc(1, sizeof(*att));
	struct cni_error ignored = {0};
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
	if (!have_record && attachment_from_call(&call->env, &call->conf, att, &ignored)) {
		/* A bad deviceID must not keep DEL from removing the rest. */
		log_warn("DEL: %s", ignored.msg);
		memset(att, 0, sizeof(*att));
		snprintf(att->container_id, sizeof(att->container_id), "%s",
			 call->env.container_id);
		snprintf(att->ifname, sizeof(att->ifname), "%s", call->env.ifname);
		snprintf(att->network, sizeof(att->network), "%s", call->conf.name);
		snprintf(att->netns, sizeof(att->netns), "%s", call->env.netns);
		snprintf(att->ipam_type, sizeof(att->ipam_type), "%s", call->conf.ipam_type);
	}
	/* The runtime's netns now wins over the one recorded: DEL acts where it is told. */
	if (have_record)
		snprintf(att->netns, sizeof(att->netns), "%s", call->env.netns);
	log_info("DEL %s/%s (%s)", att->container_id, att->ifname,
		 have_record ? att->datapath : "no record");
	ret = remove_attachment(call, att, have_record, err);
	events_append(call->conf.state_dir, "DEL", att, ret ? (err->code ? err->code : 100) : 0);
	free(att);
	return ret;
}
