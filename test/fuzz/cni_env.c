/*
 * The CNI_* environment: cni_env_load and the CNI_ARGS parser it calls. The
 * input is the values of CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS,
 * CNI_IFNAME, CNI_ARGS and CNI_PATH separated by '\n' (the kernel cannot
 * hand us a NUL inside a value; '\n' it can).
 */
#include <stdlib.h>
#include <string.h>

#include "plugin/cni/cni_env.h"
#include "test/fuzz/fuzz_util.h"

static const char *const names[] = {"CNI_COMMAND", "CNI_IFNAME", "CNI_CONTAINERID",
				    "CNI_NETNS",   "CNI_ARGS",	 "CNI_PATH"};
static const char *values[sizeof(names) / sizeof(names[0])];

static const char *lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return values[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), *save = NULL, *field;
	struct cni_env *env = malloc(sizeof(*env));
	struct cni_args args;
	struct cni_error err = {0};
	size_t n = 0;

	if (!env)
		abort();
	memset(values, 0, sizeof(values));
	/* The whole input is also one CNI_ARGS string. */
	if (cni_args_parse(text, &args, &err) && !err.msg[0])
		__builtin_trap();
	for (field = strtok_r(text, "\n", &save); field && n < sizeof(names) / sizeof(names[0]);
	     field = strtok_r(NULL, "\n", &save))
		values[n++] = field;
	memset(&err, 0, sizeof(err));
	if (!cni_env_load(env, lookup, &err) && env->command != CNI_CMD_VERSION) {
		struct cni_error check = {0};

		/* What was accepted passes the validators the paths rely on. */
		if ((env->container_id[0] &&
		     cni_validate_container_id(env->container_id, &check)) ||
		    (env->ifname[0] && cni_validate_ifname(env->ifname, &check)) ||
		    strchr(env->container_id, '/') || strchr(env->ifname, '/'))
			__builtin_trap();
	}
	free(env);
	free(text);
	return 0;
}
