/* The ranges file's subnets and this node's data blocks. */
#include "agent/ipam_ranges.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/util/data_block.h"
#include "plugin/util/fs.h"

#define RANGES_FILE_READ_MAX 65536

static void add(struct ipam_ranges *out, const struct ip_prefix *subnet)
{
	struct ip_prefix p = *subnet;

	ip_prefix_network(subnet, &p.addr);
	for (size_t i = 0; i < out->n; i++)
		if (out->subnets[i].len == p.len &&
		    ip_address_equal(&out->subnets[i].addr, &p.addr))
			return;
	if (out->n < IPAM_RANGES_MAX)
		out->subnets[out->n++] = p;
}

int ipam_ranges_parse(const char *text, size_t len, struct ipam_ranges *out, struct error *err)
{
	struct ipam_ranges found = *out;
	json_error_t json_err;
	json_t *root = json_loadb(text, len, 0, &json_err), *sets, *set, *range;
	size_t i, j;
	int ret = 0;

	if (!root)
		return error_set(err, EINVAL, "ranges file: %s (line %d)", json_err.text,
				 json_err.line);
	sets = json_object_get(root, "ranges");
	if (!json_is_array(sets)) {
		ret = error_set(err, EINVAL, "ranges file: no \"ranges\" array");
		goto out;
	}
	json_array_foreach(sets, i, set)
	{
		if (!json_is_array(set)) {
			ret = error_set(err, EINVAL, "ranges file: ranges[%zu] is not an array", i);
			goto out;
		}
		json_array_foreach(set, j, range)
		{
			const char *subnet = json_string_value(json_object_get(range, "subnet"));
			struct ip_prefix p;

			if (!subnet || ip_prefix_parse(subnet, &p)) {
				ret = error_set(err, EINVAL,
						"ranges file: ranges[%zu][%zu] has no valid subnet",
						i, j);
				goto out;
			}
			add(&found, &p);
		}
	}
	*out = found;
out:
	json_decref(root);
	return ret;
}

void ipam_ranges_add_data_blocks(struct ipam_ranges *out, const struct ip_prefix *cluster4,
				 const struct data_subnet *data, size_t n_data)
{
	const struct ip_prefix *pod = NULL;
	size_t n = out->n;

	for (size_t i = 0; i < n && !pod; i++)
		if (out->subnets[i].addr.family == AF_INET)
			pod = &out->subnets[i];
	if (!pod || !cluster4 || cluster4->addr.family != AF_INET)
		return;
	for (size_t i = 0; i < n_data; i++) {
		struct ip_prefix block;

		if (data_block_of(cluster4, pod, &data[i].subnet, data[i].block_len, &block, NULL,
				  NULL) == 0)
			add(out, &block);
	}
}

int ipam_ranges_read(const char *path, struct ipam_ranges *out, struct error *err)
{
	char *text = NULL;
	size_t size = 0;
	int ret;

	out->n = 0;
	ret = fs_read_at(AT_FDCWD, path, RANGES_FILE_READ_MAX, &text, &size);
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return error_set(err, -ret, "ranges file %s: %s", path, strerror(-ret));
	ret = ipam_ranges_parse(text, size, out, err);
	free(text);
	return ret;
}

int ipam_ranges_find(const struct ipam_ranges *ranges, const struct ip_address *addr)
{
	int best = -1;

	for (size_t i = 0; i < ranges->n; i++)
		if (ip_prefix_contains(&ranges->subnets[i], addr) &&
		    (best < 0 || ranges->subnets[i].len > ranges->subnets[best].len))
			best = (int)i;
	return best;
}

uint64_t ipam_ranges_size(const struct ip_prefix *subnet)
{
	unsigned int bits = ip_address_bits(&subnet->addr);
	unsigned int host = subnet->len < bits ? bits - subnet->len : 0;
	uint64_t reserved = subnet->addr.family == AF_INET ? 3 : 2;
	uint64_t total;

	if (host >= 64)
		return host == 64 ? UINT64_MAX - 1 : UINT64_MAX;
	total = (uint64_t)1 << host;
	return total > reserved ? total - reserved : 0;
}
