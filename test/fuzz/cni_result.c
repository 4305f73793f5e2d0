/*
 * prevResult of every cniVersion (and a delegated IPAM plugin's stdout):
 * cni_result_decode. A decoded result must survive the round trip the state
 * records make (encode 1.1.0, decode, encode again: same JSON).
 */
#include <jansson.h>
#include <stdlib.h>

#include "plugin/cni/cni_result.h"
#include "test/fuzz/fuzz_util.h"

static const char *const versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_result *result = malloc(sizeof(*result)), *again = malloc(sizeof(*again));
	struct cni_error err = {0};
	json_t *json, *first = NULL, *second = NULL;

	if (!result || !again)
		abort();
	json = json_loadb((const char *)data, size, 0, NULL);
	if (!json)
		goto out;
	if (cni_result_decode(json, result, &err))
		goto out;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		struct cni_error ignored = {0};

		json_decref(cni_result_encode(result, versions[i], &ignored));
	}
	first = cni_result_encode(result, "1.1.0", &err);
	if (!first)
		__builtin_trap(); /* what we accepted, we must be able to record */
	if (cni_result_decode(first, again, &err))
		__builtin_trap();
	second = cni_result_encode(again, "1.1.0", &err);
	if (!second || !json_equal(first, second))
		__builtin_trap();
out:
	json_decref(second);
	json_decref(first);
	json_decref(json);
	free(again);
	free(result);
	return 0;
}
