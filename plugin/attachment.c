#include "plugin/attachment.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Every field has room for what env and conf validated; truncation means a bug. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}
#define COPY(dst, src) copy((dst), sizeof(dst), (src))

int attachment_from_call(const struct cni_env *env, const struct netconf *conf,
			 struct attachment *out, struct cni_error *err)
{
	const char *uid = env->args.pod_uid;

	memset(out, 0, sizeof(*out));
	COPY(out->container_id, env->container_id);
	COPY(out->ifname, env->ifname);
	COPY(out->netns, env->netns);
	COPY(out->network, conf->name);
	COPY(out->pod_namespace, env->args.pod_namespace);
	COPY(out->pod_name, env->args.pod_name);
	COPY(out->pod_uid, uid);
	COPY(out->infra_container_id, env->args.pod_infra_container_id);
	COPY(out->ipam_type, conf->ipam_type);
	if (conf->ipam)
		COPY(out->ipam_data_dir, conf->ipam->data_dir);
	/* runtimeConfig's mac (the capability) wins over CNI_ARGS MAC=. */
	if (conf->runtime.mac[0])
		COPY(out->mac, conf->runtime.mac);
	else if (env->args.mac[0] &&
		 conf_mac_normalize(env->args.mac, out->mac, "CNI_ARGS MAC", err))
		return -EINVAL;
	COPY(out->device_info_file, conf->runtime.device_info_file);
	/* deviceID: runtimeConfig or the top level (Multus) first, then CNI_ARGS. */
	if (conf->runtime.device_id[0])
		COPY(out->device_id, conf->runtime.device_id);
	else if (strlen(env->args.device_id) >= sizeof(out->device_id))
		return cni_error_set(err, CNI_ERR_INVALID_ENV, ENAMETOOLONG,
				     "CNI_ARGS deviceID \"%.40s...\" is too long",
				     env->args.device_id);
	else
		COPY(out->device_id, env->args.device_id);
	return 0;
}
