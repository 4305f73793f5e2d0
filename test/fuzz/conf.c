/* The network configuration on stdin: conf_parse, as main.c calls it. */
#include <jansson.h>
#include <string.h>

#include "plugin/conf/conf.h"
#include "test/fuzz/fuzz_util.h"

/* "slicesFile" names a file to read; fuzzed paths could name /dev/stdin. */
static bool names_a_file(const uint8_t *data, size_t size)
{
	json_t *json = json_loadb((const char *)data, size, 0, NULL);
	bool ret = json_is_object(json) && json_object_get(json, "slicesFile");

	json_decref(json);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netconf conf;
	struct cni_error err = {0};
	bool core_ok;

	if (names_a_file(data, size))
		return -1;
	if (!conf_parse((const char *)data, size, &conf, &core_ok, &err)) {
		const struct slice_class *def = conf_find_slice(&conf, conf.default_slice);

		/* Success promises a default class that exists, with a datapath. */
		if (!def || !def->n_datapaths)
			__builtin_trap();
	} else if (!err.code || !err.msg[0]) {
		__builtin_trap(); /* a failure must say why */
	}
	conf_free(&conf);
	return 0;
}
