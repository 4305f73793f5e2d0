/* The "ipam" object of a network config (host-local syntax) into struct ipam_conf. */
#include "ipam/ipam_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/range.h"
#include "plugin/util/fs.h"

/* A ranges file holds a handful of subnets; anything larger is not one. */
#define IPAM_RANGES_FILE_MAX (64 * 1024)

static int invalid(struct cni_error *err, const char *what)
{
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "ipam: %s", what);
}

/* An optional string member: NULL when absent or null, an error when not a string. */
static int get_string(const json_t *obj, const char *key, const char *where, const char **out,
		      struct cni_error *err)
{
	const json_t *value = json_object_get(obj, key);

	*out = NULL;
	if (!value || json_is_null(value))
		return 0;
	if (!json_is_string(value))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: %s\"%s\" must be a string", where, key);
	*out = json_string_value(value);
	return 0;
}

static int parse_range(const json_t *obj, const char *where, struct ipam_range *out,
		       struct cni_error *err)
{
	const char *subnet, *start, *end, *gateway;
	int ret;

	if (!json_is_object(obj))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: %smust be an object with \"subnet\"", where);
	if ((ret = get_string(obj, "subnet", where, &subnet, err)) ||
	    (ret = get_string(obj, "rangeStart", where, &start, err)) ||
	    (ret = get_string(obj, "rangeEnd", where, &end, err)) ||
	    (ret = get_string(obj, "gateway", where, &gateway, err)))
		return ret;
	if (!subnet)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: %sneeds a \"subnet\"", where);
	return ipam_range_init(out, subnet, start, end, gateway, err);
}

static int parse_set(const json_t *list, unsigned int index, struct ipam_range_set *out,
		     struct cni_error *err)
{
	const json_t *item;
	char where[64];
	size_t i;
	int ret;

	if (!json_is_array(list))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: ranges[%u] must be a list of range objects", index);
	if (json_array_size(list) > IPAM_MAX_RANGES)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
				     "ipam: ranges[%u] has %zu ranges, at most %d are supported",
				     index, json_array_size(list), IPAM_MAX_RANGES);
	json_array_foreach(list, i, item)
	{
		snprintf(where, sizeof(where), "ranges[%u][%zu] ", index, i);
		ret = parse_range(item, where, &out->ranges[out->n_ranges], err);
		if (ret)
			return ret;
		out->n_ranges++;
	}
	return ipam_range_set_validate(out, index, err);
}

/* host-local puts the legacy top-level range first, before "ranges". */
static int parse_ranges(const json_t *ipam, struct ipam_conf *out, struct cni_error *err)
{
	const json_t *ranges = json_object_get(ipam, "ranges"), *item;
	const json_t *subnet = json_object_get(ipam, "subnet");
	size_t i;
	int ret;

	if (subnet && !json_is_null(subnet)) {
		ret = parse_range(ipam, "", &out->sets[0].ranges[0], err);
		if (ret)
			return ret;
		out->sets[0].n_ranges = 1;
		out->n_sets = 1;
	}
	if (ranges && !json_is_null(ranges)) {
		if (!json_is_array(ranges))
			return invalid(err, "\"ranges\" must be a list of lists of range objects");
		if (out->n_sets + json_array_size(ranges) > IPAM_MAX_RANGE_SETS)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
					     "ipam: %zu range sets, at most %d are supported",
					     out->n_sets + json_array_size(ranges),
					     IPAM_MAX_RANGE_SETS);
		json_array_foreach(ranges, i, item)
		{
			ret = parse_set(item, (unsigned int)i, &out->sets[out->n_sets], err);
			if (ret)
				return ret;
			out->n_sets++;
		}
	}
	if (!out->n_sets)
		return invalid(err, "no IP ranges specified (\"ranges\" or \"subnet\")");
	return ipam_range_sets_validate(out->sets, out->n_sets, err);
}

/*
 * "rangesFile": the node agent writes this node's pod ranges there (the
 * same "ranges" syntax) once the API server has allocated them, and they
 * replace the config's. Until then there is nothing to allocate from: code
 * 11, so the runtime retries the ADD instead of giving up.
 */
static int parse_ranges_file(const char *path, struct ipam_conf *out, struct cni_error *err)
{
	json_error_t json_err;
	char *text = NULL;
	json_t *file;
	size_t size;
	int ret;

	ret = fs_read_at(AT_FDCWD, path, IPAM_RANGES_FILE_MAX, &text, &size);
	if (ret == -ENOENT)
		return cni_error_set(err, CNI_ERR_TRY_AGAIN, ENOENT,
				     "ipam: rangesFile %s does not exist yet: this node's pod "
				     "range is not known, try again",
				     path);
	if (ret < 0)
		return cni_error_set(err, CNI_ERR_IO, -ret, "ipam: rangesFile %s: %s", path,
				     strerror(-ret));
	file = json_loadb(text, size, 0, &json_err);
	free(text);
	if (!file)
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "ipam: rangesFile %s: %s (line %d)", path, json_err.text,
				     json_err.line);
	if (!json_is_object(file))
		ret = cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				    "ipam: rangesFile %s must hold an object with \"ranges\"",
				    path);
	else
		ret = parse_ranges(file, out, err);
	if (ret)
		cni_error_details(err, "in rangesFile %s", path);
	json_decref(file);
	return ret;
}

static int parse_route(const json_t *obj, size_t index, struct cni_route *out,
		       struct cni_error *err)
{
	const char *dst, *gw;
	char where[32];
	int ret;

	snprintf(where, sizeof(where), "routes[%zu] ", index);
	if (!json_is_object(obj))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: routes[%zu] must be an object with \"dst\"", index);
	if ((ret = get_string(obj, "dst", where, &dst, err)) ||
	    (ret = get_string(obj, "gw", where, &gw, err)))
		return ret;
	memset(out, 0, sizeof(*out));
	out->scope = -1;
	if (!dst)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: routes[%zu] needs a \"dst\"", index);
	if (ip_prefix_parse(dst, &out->dst))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: route dst \"%s\" is not an IP prefix", dst);
	/* Like Go's net.ParseCIDR: the destination is the network. */
	ip_prefix_network(&out->dst, &out->dst.addr);
	if (gw && ip_address_parse(gw, &out->gw))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: route %s: gw \"%s\" is not an IP address", dst, gw);
	if (gw && out->gw.family != out->dst.addr.family)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: route %s: gw %s is of another address family", dst, gw);
	return 0;
}

static int parse_routes(const json_t *ipam, struct ipam_conf *out, struct cni_error *err)
{
	const json_t *routes = json_object_get(ipam, "routes"), *item;
	size_t i;
	int ret;

	if (!routes || json_is_null(routes))
		return 0;
	if (!json_is_array(routes))
		return invalid(err, "\"routes\" must be a list of {\"dst\", \"gw\"} objects");
	if (json_array_size(routes) > CNI_MAX_ROUTES)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
				     "ipam: %zu routes, at most %d are supported",
				     json_array_size(routes), CNI_MAX_ROUTES);
	json_array_foreach(routes, i, item)
	{
		ret = parse_route(item, i, &out->routes[out->n_routes], err);
		if (ret)
			return ret;
		out->n_routes++;
	}
	return 0;
}

/* The network name is the store's directory name. */
static int set_network_name(const char *name, struct ipam_conf *out, struct cni_error *err)
{
	if (!name || !*name)
		return invalid(err,
			       "the network \"name\" is required (it names the store directory)");
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: network name \"%s\" cannot be a directory name", name);
	if ((size_t)snprintf(out->network_name, sizeof(out->network_name), "%s", name) >=
	    sizeof(out->network_name))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "ipam: network name \"%.32s...\" is too long", name);
	return 0;
}

int ipam_conf_parse(const json_t *ipam, const char *network_name, struct ipam_conf *out,
		    struct cni_error *err)
{
	const char *data_dir, *ranges_file;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(ipam))
		return invalid(err, "the \"ipam\" section must be an object");
	if ((ret = set_network_name(network_name, out, err)) ||
	    (ret = get_string(ipam, "rangesFile", "", &ranges_file, err)))
		return ret;
	if (ranges_file && *ranges_file)
		ret = parse_ranges_file(ranges_file, out, err);
	else
		ret = parse_ranges(ipam, out, err);
	if (ret || (ret = parse_routes(ipam, out, err)) ||
	    (ret = get_string(ipam, "dataDir", "", &data_dir, err)))
		return ret;
	if (!data_dir || !*data_dir)
		data_dir = IPAM_DEFAULT_DATA_DIR;
	if ((size_t)snprintf(out->data_dir, sizeof(out->data_dir), "%s", data_dir) >=
	    sizeof(out->data_dir))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "ipam: dataDir \"%.64s...\" is too long", data_dir);
	return 0;
}
