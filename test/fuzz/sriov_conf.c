/*
 * The "sriov" section, a class's "sriov" overrides, runtimeConfig deviceID
 * and CNIDeviceInfoFile: sriov_conf_parse, after conf_parse as cmd_add runs
 * them. Input: a network config, optionally preceded by a CNI_ARGS line
 * starting with "CNI_ARGS=".
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
	struct datapath_context ctx = {.env = env, .conf = conf};
	struct cni_error err = {0};
	json_t *probe;

	if (!conf || !env || !out)
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
	if (conf_parse((const char *)data, size, conf, &err))
		goto out;
	ctx.slice = conf_find_slice(conf, conf->default_slice);
	if (!sriov_conf_parse(&ctx, out, &err)) {
		if (out->n_pfs > SRIOV_MAX_PFS || !out->sysfs_root[0] || !out->pool_dir[0])
			__builtin_trap();
	} else if (!err.msg[0]) {
		__builtin_trap();
	}
out:
	conf_free(conf);
	free(out);
	free(env);
	free(conf);
	return 0;
}
