/*
 * The vhostuser parse op. netconf: "vhostuser": {"daemonSocket",
 * "socketDir", "podSocketDir", "mode": "client"|"server" (the switch's role;
 * client survives daemon restarts), "queues", "timeoutMs"}; a slice class may
 * set "queues" too.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl_client.h"
#include "plugin/conf/json_get.h"
#include "plugin/datapath/vhostuser.h"
#include "plugin/datapath/vhostuser_internal.h"

static int absolute(const char *key, const char *path, struct cni_error *err)
{
	if (path[0] == '/')
		return 0;
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			     "vhostuser: \"%s\": \"%s\" must be an absolute path", key, path);
}

/* "podDirMode": "0770" or "770": permission bits only, never setuid/setgid/sticky. */
static int parse_dir_mode(const json_t *obj, unsigned int *out, struct cni_error *err)
{
	char text[8] = "", *end;
	unsigned long mode;
	int ret = json_get_string(obj, "podDirMode", text, sizeof(text), "vhostuser: ", false, err);

	if (ret || !text[0])
		return ret;
	mode = strtoul(text, &end, 8);
	if (*end || end == text || mode > 0777 || strlen(text) < 3)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "vhostuser: \"podDirMode\": \"%s\" is not an octal mode from "
				     "000 to 0777",
				     text);
	*out = (unsigned int)mode;
	return 0;
}

int vhostuser_parse(const struct datapath_parse_input *in, void *out, struct cni_error *err)
{
	static const char *const modes[] = {"client", "server"};
	const json_t *obj = in->section;
	struct vhu_conf *c = out;
	unsigned int mode = 0;
	char where[SLICE_NAME_MAX + 48];
	int ret;

	snprintf(c->daemon_socket, sizeof(c->daemon_socket), "%s", CTL_DEFAULT_SOCKET);
	snprintf(c->socket_dir, sizeof(c->socket_dir), "%s", VHU_DEFAULT_SOCKET_DIR);
	snprintf(c->pod_dir, sizeof(c->pod_dir), "%s", VHU_DEFAULT_POD_DIR);
	c->queues = 1;
	c->timeout_ms = VHU_DEFAULT_TIMEOUT_MS;
	if ((ret = json_get_string(obj, "daemonSocket", c->daemon_socket, sizeof(c->daemon_socket),
				   "vhostuser: ", false, err)) ||
	    (ret = json_get_string(obj, "socketDir", c->socket_dir, sizeof(c->socket_dir),
				   "vhostuser: ", false, err)) ||
	    (ret = json_get_string(obj, "podSocketDir", c->pod_dir, sizeof(c->pod_dir),
				   "vhostuser: ", false, err)) ||
	    (ret = json_get_enum(obj, "mode", modes, 2, &mode, "vhostuser: ", err)) ||
	    (ret = json_get_uint(obj, "queues", 1, CTL_MAX_QUEUES, &c->queues, NULL,
				 "vhostuser: ", err)) ||
	    (ret = json_get_uint(obj, "timeoutMs", 1, 60000, &c->timeout_ms, NULL,
				 "vhostuser: ", err)) ||
	    (ret = absolute("daemonSocket", c->daemon_socket, err)) ||
	    (ret = absolute("socketDir", c->socket_dir, err)) ||
	    (ret = absolute("podSocketDir", c->pod_dir, err)))
		return ret;
	c->mode = mode ? CTL_MODE_SERVER : CTL_MODE_CLIENT;
	if ((ret = json_get_uint(obj, "podDirGroup", 0, 4294967294ULL, &c->pod_dir_group,
				 &c->has_pod_dir_group, "vhostuser: ", err)) ||
	    (ret = parse_dir_mode(obj, &c->pod_dir_mode, err)))
		return ret;
	/* A latency class may want more queue pairs than the network default. */
	if (in->class_obj) {
		snprintf(where, sizeof(where), "slices: class \"%s\": ", in->class_name);
		ret = json_get_uint(in->class_obj, "queues", 1, CTL_MAX_QUEUES, &c->queues, NULL,
				    where, err);
	}
	return ret;
}
