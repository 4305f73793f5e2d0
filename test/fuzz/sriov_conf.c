/*
 * The "sriov" section, a class's "sriov" overrides, runtimeConfig deviceID
 * and CNIDeviceInfoFile: conf_parse (which runs sriov's parse op), then the
 * per-call config as cmd_add builds it. Input: a network config, optionally preceded by a CNI_ARGS
 * line starting with "CNI_ARGS=".
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/datapath/sriov_conf.h"
#include "test/fuzz/fuzz_util.h"

#define ARGS_PREFIX "CNI_ARGS="

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netconf *conf = calloc(1, sizeof(*conf));
	struct cni_env *env = calloc(1, sizeof(*env));
	struct sriov_conf *out = malloc(sizeof(*out));
	struct attachment *att = calloc(1, sizeof(*att));
	struct datapath_context ctx = {.conf = conf};
	struct cni_error err = {0};
	bool core_ok;
	json_t *probe;

	if (!conf || !env || !out || !att)
		abort();
	if (size > strlen(ARGS_PREFIX) && !memcmp(data, ARGS_PREFIX, strlen(ARGS_PREFIX))) {
		const uint8_t *nl = memchr(data, '\n', size);
		char *args;

		if (!nl)
			goto out;
		args = fuzz_strndup(data + strlen(ARGS_PREFIX),
				    (size_t)(nl - data) - strlen(ARGS_PREFIX));
		if (cni_args_parse(args, &env->args, &err)) {
			free(args);
			goto out;
		}
		free(args);
		size -= (size_t)(nl + 1 - data);
		data = nl + 1;
	}
	probe = json_loadb((const char *)data, size, 0, NULL);
	if (json_is_object(probe) && json_object_get(probe, "slicesFile")) {
		json_decref(probe);
		goto out;
	}
	json_decref(probe);
	if (conf_parse((const char *)data, size, conf, &core_ok, &err)) {
		if (!err.msg[0])
			__builtin_trap();
		goto out;
	}
	ctx.slice = conf_find_slice(conf, conf->default_slice);
	ctx.dp_conf = conf_datapath_conf(conf, ctx.slice, "sriov");
	if (!ctx.dp_conf)
		__builtin_trap(); /* every datapath has a network-level config */
	if (!attachment_from_call(env, conf, att, &err)) {
		sriov_conf_for(&ctx, att, out);
		if (out->n_pfs > SRIOV_MAX_PFS || !out->sysfs_root[0] || !out->pool_dir[0])
			__builtin_trap();
	} else if (!err.msg[0]) {
		__builtin_trap();
	}
out:
	conf_free(conf);
	free(out);
	free(att);
	free(env);
	free(conf);
	return 0;
}
