/*
 * The "ipam" section (host-local syntax): ipam_conf_parse. Input: a network
 * config; its "name" names the store directory. What is accepted must give
 * non-empty range sets whose bounds lie in their subnet, and a store
 * directory name that cannot leave dataDir.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/ipam_conf.h"
#include "test/fuzz/fuzz_util.h"

static void check(const struct ipam_conf *conf)
{
	if (!conf->n_sets || conf->n_sets > IPAM_MAX_RANGE_SETS ||
	    strchr(conf->network_name, '/') || !strcmp(conf->network_name, "..") ||
	    !strcmp(conf->network_name, "."))
		__builtin_trap();
	for (unsigned int s = 0; s < conf->n_sets; s++) {
		const struct ipam_range_set *set = &conf->sets[s];

		if (!set->n_ranges || set->n_ranges > IPAM_MAX_RANGES)
			__builtin_trap();
		for (unsigned int r = 0; r < set->n_ranges; r++) {
			const struct ipam_range *range = &set->ranges[r];

			if (!ip_prefix_contains(&range->subnet, &range->range_start) ||
			    !ip_prefix_contains(&range->subnet, &range->range_end) ||
			    ip_address_compare(&range->range_start, &range->range_end) > 0)
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, 0, NULL);
	struct ipam_conf *conf = malloc(sizeof(*conf));
	struct cni_error err = {0};
	const char *name;

	if (!conf)
		abort();
	if (!json_is_object(root))
		goto out;
	name = json_string_value(json_object_get(root, "name"));
	if (!ipam_conf_parse(json_object_get(root, "ipam"), name ? name : "net", conf, &err))
		check(conf);
	else if (!err.msg[0])
		__builtin_trap();
out:
	free(conf);
	json_decref(root);
	return 0;
}
