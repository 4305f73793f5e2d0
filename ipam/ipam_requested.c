/*
 * Static addresses a runtime asks for: CNI_ARGS "IP=", args.cni.ips and
 * runtimeConfig.ips (the "ips" capability), merged as host-local merges them.
 */
#include "ipam/ipam_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Room for one item of a comma-separated list: an IPv6 prefix. */
#define ITEM_MAX IP_PREFIX_STRLEN

static int bad_value(struct cni_error *err, const char *where, const char *text, const char *why)
{
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			     "ipam: requested address %s \"%s\" %s", where, text, why);
}

/* host-local canonicalises with To4(): ::ffff:10.1.2.3 is 10.1.2.3. */
static void unmap_v4(struct ip_prefix *prefix)
{
	struct ip_address *addr = &prefix->addr;
	struct in_addr v4;

	if (addr->family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&addr->v6))
		return;
	memcpy(&v4, &addr->v6.s6_addr[12], sizeof(v4));
	memset(addr, 0, sizeof(*addr));
	addr->family = AF_INET;
	addr->v4 = v4;
	if (prefix->len)
		prefix->len = prefix->len > 96 ? prefix->len - 96 : 0;
}

/* "10.1.2.3" (len 0) or "10.1.2.3/24" (len 24; "/0" names no subnet). */
static int parse_one(const char *text, const char *where, struct ip_prefix *out,
		     struct cni_error *err)
{
	bool mapped_v4 = false;

	memset(out, 0, sizeof(*out));
	if (strchr(text, '/')) {
		if (ip_prefix_parse(text, out))
			return bad_value(err, where, text, "is not an IP address or prefix");
		mapped_v4 = out->addr.family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&out->addr.v6);
		if (!out->len || (mapped_v4 && out->len <= 96))
			return bad_value(err, where, text, "has a prefix length naming no subnet");
	} else if (ip_address_parse(text, &out->addr)) {
		return bad_value(err, where, text, "is not an IP address");
	}
	unmap_v4(out);
	return 0;
}

/* Add one request; the same address twice is one request (host-local keys a map by it). */
static int add_one(struct ipam_requested *out, const struct ip_prefix *ip, const char *where,
		   const char *text, struct cni_error *err)
{
	for (size_t i = 0; i < out->n; i++) {
		struct ip_prefix *seen = &out->ips[i];

		if (!ip_address_equal(&seen->addr, &ip->addr))
			continue;
		if (seen->len && ip->len && seen->len != ip->len)
			return bad_value(err, where, text,
					 "is requested again with another prefix length");
		if (!seen->len)
			seen->len = ip->len;
		return 0;
	}
	if (out->n == IPAM_MAX_REQUESTED)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, E2BIG,
				     "ipam: requested address %s \"%s\": at most %d addresses can "
				     "be requested (one per range set)",
				     where, text, IPAM_MAX_REQUESTED);
	out->ips[out->n++] = *ip;
	return 0;
}

static int parse_cni_args(const char *value, struct ipam_requested *out, struct cni_error *err)
{
	const char *p = value;

	if (!value || !*value)
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct ip_prefix ip;
		char item[ITEM_MAX];
		int ret;

		if (!len || len >= sizeof(item))
			return bad_value(err, "in CNI_ARGS IP=", value,
					 len ? "has an item too long to be an address"
					     : "has an empty item");
		memcpy(item, p, len);
		item[len] = '\0';
		if ((ret = parse_one(item, "CNI_ARGS IP=", &ip, err)) ||
		    (ret = add_one(out, &ip, "CNI_ARGS IP=", item, err)))
			return ret;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* A JSON list of address strings; where names it ("runtimeConfig.ips"). */
static int parse_list(const json_t *list, const char *where, struct ipam_requested *out,
		      struct cni_error *err)
{
	const json_t *item;
	char at[64];
	size_t i;
	int ret;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: %s must be a list of IP address strings", where);
	json_array_foreach(list, i, item)
	{
		struct ip_prefix ip;

		snprintf(at, sizeof(at), "%s[%zu]", where, i);
		if (!json_is_string(item))
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "ipam: %s must be an IP address string", at);
		if ((ret = parse_one(json_string_value(item), at, &ip, err)) ||
		    (ret = add_one(out, &ip, at, json_string_value(item), err)))
			return ret;
	}
	return 0;
}

/* obj[key] when obj is an object; NULL when absent or null; where names a bad container. */
static int member(const json_t *obj, const char *key, const char *where, const json_t **out,
		  struct cni_error *err)
{
	*out = NULL;
	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: %s must be an object", where);
	*out = json_object_get(obj, key);
	return 0;
}

int ipam_requested_parse(const json_t *runtime_config, const json_t *args, const char *cni_args_ip,
			 struct ipam_requested *out, struct cni_error *err)
{
	const json_t *cni, *args_ips, *runtime_ips;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = member(args, "cni", "args", &cni, err)) ||
	    (ret = member(cni, "ips", "args.cni", &args_ips, err)) ||
	    (ret = member(runtime_config, "ips", "runtimeConfig", &runtime_ips, err)) ||
	    (ret = parse_cni_args(cni_args_ip, out, err)) ||
	    (ret = parse_list(args_ips, "args.cni.ips", out, err)) ||
	    (ret = parse_list(runtime_ips, "runtimeConfig.ips", out, err)))
		memset(out, 0, sizeof(*out));
	return ret;
}
