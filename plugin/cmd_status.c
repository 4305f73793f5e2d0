#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/commands.h"
#include "plugin/datapath/datapath.h"
#include "plugin/ipam_client.h"
#include "plugin/slice.h"

/*
 * Not ready only when an ADD truly cannot be served: containerd 2.x marks the
 * whole node NotReady on a failing STATUS, so a down daemon with a fallback
 * datapath is not a failure.
 */
int cmd_status(const struct cni_call *call, struct cni_error *err)
{
	struct ipam_request ipam = {.conf = &call->conf,
				    .env = &call->env,
				    .att = NULL,
				    .raw_config = call->raw_config,
				    .raw_config_size = call->raw_config_size};
	const struct attachment nobody = {0};
	const struct datapath_ops *ops;
	struct datapath_context ctx;
	struct cni_error why = {0};
	int ret;

	if (mkdir(call->conf.state_dir, 0700) && errno != EEXIST)
		return cni_error_set(err, CNI_ERR_NOT_AVAILABLE, errno,
				     "state directory %s is unusable: %s", call->conf.state_dir,
				     strerror(errno));
	if (access(call->conf.state_dir, W_OK))
		return cni_error_set(err, CNI_ERR_NOT_AVAILABLE, errno,
				     "state directory %s is not writable: %s", call->conf.state_dir,
				     strerror(errno));
	if (slice_pick_datapath(&call->conf, conf_find_slice(&call->conf, call->conf.default_slice),
				&nobody, &ops, &ctx, &why))
		return cni_error_set(err, CNI_ERR_NOT_AVAILABLE, ENODEV, "%s", why.msg);
	ret = ipam_client_status(&ipam, err);
	if (ret && err->code != CNI_ERR_LIMITED && err->code != CNI_ERR_NOT_AVAILABLE) {
		/* A delegate's own failure code: report it as not available, keep its text. */
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		memset(err, 0, sizeof(*err));
		return cni_error_set(err, CNI_ERR_NOT_AVAILABLE, -ret, "IPAM not ready: %s", msg);
	}
	return ret;
}
