/*
 * runtimeConfig pod annotations, args.cni and CNI_ARGS: annotations_slice.
 * Input: a CNI_ARGS line, '\n', then a network config. Any slice it returns
 * must fit the buffer; every failure must carry a message.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/conf/annotations.h"
#include "test/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool core_ok;

	const uint8_t *newline = memchr(data, '\n', size);
	struct netconf *conf = calloc(1, sizeof(*conf));
	struct cni_env *env = calloc(1, sizeof(*env));
	struct cni_error err = {0};
	char slice[SLICE_NAME_MAX];
	const char *source = NULL;
	char *args;
	json_t *probe;

	if (!conf || !env)
		abort();
	if (!newline)
		goto out;
	args = fuzz_strndup(data, (size_t)(newline - data));
	probe = json_loadb((const char *)newline + 1, size - (size_t)(newline + 1 - data), 0, NULL);
	/* slicesFile would read a fuzzed path. */
	if (json_is_object(probe) && json_object_get(probe, "slicesFile")) {
		json_decref(probe);
		free(args);
		goto out;
	}
	json_decref(probe);
	if (!cni_args_parse(args, &env->args, &err) &&
	    !conf_parse((const char *)newline + 1, size - (size_t)(newline + 1 - data), conf,
			&core_ok, &err)) {
		memset(slice, 'x', sizeof(slice));
		if (!annotations_slice(conf, env, slice, sizeof(slice), &source, &err)) {
			if (!memchr(slice, '\0', sizeof(slice)) || !source)
				__builtin_trap();
		} else if (!err.msg[0]) {
			__builtin_trap();
		}
	}
	conf_free(conf); /* conf_parse may fail after taking the JSON */
	free(args);
out:
	free(env);
	free(conf);
	return 0;
}
