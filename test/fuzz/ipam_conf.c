/*
 * The "ipam" section (host-local syntax): ipam_conf_parse, and the static
 * addresses of an ADD: ipam_requested_parse, then ipam_range_sets_match.
 * Input: a network config; its "name" names the store directory, its
 * "runtimeConfig" and "args" are the runtime's, and a string "IP" member
 * stands in for CNI_ARGS IP=. What is accepted must give non-empty range
 * sets whose bounds lie in their subnet, a store directory name that cannot
 * leave dataDir, at most one request per set, each inside a range of its
 * set, never a gateway, never an address twice.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/ipam_conf.h"
#include "ipam/range.h"
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

static void check_requested(const struct ipam_requested *req)
{
	if (req->n > IPAM_MAX_REQUESTED)
		__builtin_trap();
	for (size_t i = 0; i < req->n; i++) {
		const struct ip_prefix *ip = &req->ips[i];

		if ((ip->addr.family != AF_INET && ip->addr.family != AF_INET6) ||
		    ip->len > ip_address_bits(&ip->addr))
			__builtin_trap();
		for (size_t j = 0; j < i; j++)
			if (ip_address_equal(&req->ips[j].addr, &ip->addr))
				__builtin_trap();
	}
}

static void check_match(const struct ipam_conf *conf, const struct ipam_requested *req)
{
	const struct ip_prefix *wanted[IPAM_MAX_RANGE_SETS] = {NULL};
	struct cni_error err = {0};
	size_t matched = 0;

	if (ipam_range_sets_match(conf->sets, conf->n_sets, req->ips, req->n, wanted, &err)) {
		if (!err.msg[0])
			__builtin_trap();
		return;
	}
	for (unsigned int s = 0; s < conf->n_sets; s++) {
		int index;

		if (!wanted[s])
			continue;
		matched++;
		index = ipam_range_set_find(&conf->sets[s], &wanted[s]->addr);
		if (index < 0 || ipam_range_set_is_gateway(&conf->sets[s], &wanted[s]->addr) ||
		    (wanted[s]->len && wanted[s]->len != conf->sets[s].ranges[index].subnet.len))
			__builtin_trap();
	}
	if (matched != req->n)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, 0, NULL);
	struct ipam_conf *conf = malloc(sizeof(*conf));
	struct cni_error err = {0};
	struct ipam_requested req;
	const char *name;
	bool conf_ok;

	if (!conf)
		abort();
	memset(conf, 0, sizeof(*conf));
	if (!json_is_object(root))
		goto out;
	name = json_string_value(json_object_get(root, "name"));
	conf_ok = !ipam_conf_parse(json_object_get(root, "ipam"), name ? name : "net", conf, &err);
	if (conf_ok)
		check(conf);
	else if (!err.msg[0])
		__builtin_trap();
	memset(&err, 0, sizeof(err));
	if (!ipam_requested_parse(json_object_get(root, "runtimeConfig"),
				  json_object_get(root, "args"),
				  json_string_value(json_object_get(root, "IP")), &req, &err)) {
		check_requested(&req);
		if (conf_ok)
			check_match(conf, &req);
	} else if (!err.msg[0] || req.n) {
		__builtin_trap();
	}
out:
	free(conf);
	json_decref(root);
	return 0;
}
