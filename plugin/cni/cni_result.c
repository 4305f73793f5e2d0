#include "plugin/cni/cni_result.h"

#include <jansson.h>
#include <errno.h>
#include <string.h>

#include "plugin/cni/cni_version.h"

void cni_result_init(struct cni_result *result)
{
	memset(result, 0, sizeof(*result));
	for (unsigned int i = 0; i < CNI_MAX_ROUTES; i++)
		result->routes[i].scope = -1;
}

/* json_object_set_new that turns allocation failure into a sticky flag. */
static void put(json_t *obj, const char *key, json_t *value, bool *failed)
{
	if (!value || json_object_set_new(obj, key, value))
		*failed = true;
}

static json_t *encode_interface(const struct cni_interface *iface, bool v11, bool *failed)
{
	json_t *obj = json_object();

	if (!obj) {
		*failed = true;
		return NULL;
	}
	put(obj, "name", json_string(iface->name), failed);
	if (iface->mac[0])
		put(obj, "mac", json_string(iface->mac), failed);
	if (iface->sandbox[0])
		put(obj, "sandbox", json_string(iface->sandbox), failed);
	if (v11 && iface->mtu)
		put(obj, "mtu", json_integer(iface->mtu), failed);
	if (v11 && iface->socket_path[0])
		put(obj, "socketPath", json_string(iface->socket_path), failed);
	if (v11 && iface->pci_id[0])
		put(obj, "pciID", json_string(iface->pci_id), failed);
	return obj;
}

static json_t *encode_ip(const struct cni_ip *ip, bool with_version, bool *failed)
{
	char buf[IP_PREFIX_STRLEN];
	json_t *obj = json_object();

	if (!obj) {
		*failed = true;
		return NULL;
	}
	/* 0.3.x/0.4.0 name the family; 1.0.0 removed the key. */
	if (with_version)
		put(obj, "version", json_string(ip->address.addr.family == AF_INET6 ? "6" : "4"),
		    failed);
	put(obj, "address", json_string(ip_prefix_format(&ip->address, buf, sizeof(buf))), failed);
	if (ip->gateway.family)
		put(obj, "gateway", json_string(ip_address_format(&ip->gateway, buf, sizeof(buf))),
		    failed);
	if (ip->interface >= 0)
		put(obj, "interface", json_integer(ip->interface), failed);
	return obj;
}

static json_t *encode_route(const struct cni_route *route, bool v11, bool *failed)
{
	char buf[IP_PREFIX_STRLEN];
	json_t *obj = json_object();

	if (!obj) {
		*failed = true;
		return NULL;
	}
	put(obj, "dst", json_string(ip_prefix_format(&route->dst, buf, sizeof(buf))), failed);
	if (route->gw.family)
		put(obj, "gw", json_string(ip_address_format(&route->gw, buf, sizeof(buf))),
		    failed);
	if (v11) {
		if (route->mtu)
			put(obj, "mtu", json_integer(route->mtu), failed);
		if (route->advmss)
			put(obj, "advmss", json_integer(route->advmss), failed);
		if (route->priority)
			put(obj, "priority", json_integer(route->priority), failed);
		if (route->table)
			put(obj, "table", json_integer(route->table), failed);
		if (route->scope >= 0)
			put(obj, "scope", json_integer(route->scope), failed);
	}
	return obj;
}

static json_t *string_array(const char *items, size_t stride, unsigned int n, bool *failed)
{
	json_t *array = json_array();

	if (!array) {
		*failed = true;
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++)
		if (json_array_append_new(array, json_string(items + i * stride)))
			*failed = true;
	return array;
}

static json_t *encode_dns(const struct cni_dns *dns, bool *failed)
{
	json_t *obj = json_object();

	if (!obj) {
		*failed = true;
		return NULL;
	}
	if (dns->n_nameservers)
		put(obj, "nameservers",
		    string_array(dns->nameservers[0], sizeof(dns->nameservers[0]),
				 dns->n_nameservers, failed),
		    failed);
	if (dns->domain[0])
		put(obj, "domain", json_string(dns->domain), failed);
	if (dns->n_search)
		put(obj, "search",
		    string_array(dns->search[0], sizeof(dns->search[0]), dns->n_search, failed),
		    failed);
	if (dns->n_options)
		put(obj, "options",
		    string_array(dns->options[0], sizeof(dns->options[0]), dns->n_options, failed),
		    failed);
	return obj;
}

json_t *cni_result_encode(const struct cni_result *result, const char *cni_version,
			  struct cni_error *err)
{
	bool v11 = cni_version_at_least(cni_version, "1.1.0");
	bool with_version = !cni_version_at_least(cni_version, "1.0.0");
	bool failed = false;
	json_t *root, *interfaces, *ips, *routes;

	if (cni_version_require(cni_version, err))
		return NULL;
	root = json_object();
	interfaces = json_array();
	ips = json_array();
	routes = json_array();
	if (!root || !interfaces || !ips || !routes) {
		failed = true;
		goto out;
	}
	put(root, "cniVersion", json_string(cni_version), &failed);
	for (unsigned int i = 0; i < result->n_interfaces; i++)
		if (json_array_append_new(interfaces,
					  encode_interface(&result->interfaces[i], v11, &failed)))
			failed = true;
	for (unsigned int i = 0; i < result->n_ips; i++)
		if (json_array_append_new(ips, encode_ip(&result->ips[i], with_version, &failed)))
			failed = true;
	for (unsigned int i = 0; i < result->n_routes; i++)
		if (json_array_append_new(routes, encode_route(&result->routes[i], v11, &failed)))
			failed = true;
	if (result->n_interfaces)
		put(root, "interfaces", json_incref(interfaces), &failed);
	if (result->n_ips)
		put(root, "ips", json_incref(ips), &failed);
	if (result->n_routes)
		put(root, "routes", json_incref(routes), &failed);
	put(root, "dns", encode_dns(&result->dns, &failed), &failed);
out:
	json_decref(interfaces);
	json_decref(ips);
	json_decref(routes);
	if (failed) {
		json_decref(root);
		cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "encoding the result: out of memory");
		return NULL;
	}
	return root;
}

int cni_result_print(FILE *out, const struct cni_result *result, const char *cni_version,
		     struct cni_error *err)
{
	json_t *json = cni_result_encode(result, cni_version, err);
	int ret = 0;

	if (!json)
		return -EINVAL;
	if (json_dumpf(json, out, JSON_COMPACT) || fputc('\n', out) == EOF || fflush(out))
		ret = cni_error_set(err, CNI_ERR_IO, EIO, "writing the result to stdout failed");
	json_decref(json);
	return ret;
}

/* Decoding: every failure is code 6 and names the field and value. */

static int decode_string(const json_t *obj, const char *key, char *dst, size_t size,
			 const char *where, struct cni_error *err)
{
	const json_t *value = json_object_get(obj, key);

	if (!value || json_is_null(value))
		return 0;
	if (!json_is_string(value))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: \"%s\" is not a string",
				     where, key);
	if (snprintf(dst, size, "%s", json_string_value(value)) >= (int)size)
		return cni_error_set(err, CNI_ERR_DECODE, ENAMETOOLONG,
				     "%s: \"%s\" value \"%.40s\" is too long", where, key,
				     json_string_value(value));
	return 0;
}

static int decode_uint(const json_t *obj, const char *key, unsigned int *dst, const char *where,
		       struct cni_error *err)
{
	const json_t *value = json_object_get(obj, key);

	if (!value || json_is_null(value))
		return 0;
	if (!json_is_integer(value) || json_integer_value(value) < 0 ||
	    json_integer_value(value) > 0xffffffffLL)
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "%s: \"%s\" is not a non-negative integer", where, key);
	*dst = (unsigned int)json_integer_value(value);
	return 0;
}

static int decode_address(const json_t *obj, const char *key, struct ip_address *dst,
			  const char *where, struct cni_error *err)
{
	char text[IP_PREFIX_STRLEN] = "";
	int ret = decode_string(obj, key, text, sizeof(text), where, err);

	if (ret || !text[0])
		return ret;
	if (ip_address_parse(text, dst))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "%s: \"%s\" value \"%s\" is not an IP address", where, key,
				     text);
	return 0;
}

static int decode_prefix(const json_t *obj, const char *key, struct ip_prefix *dst,
			 const char *where, struct cni_error *err)
{
	char text[IP_PREFIX_STRLEN] = "";
	int ret = decode_string(obj, key, text, sizeof(text), where, err);

	if (ret)
		return ret;
	if (!text[0])
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL, "%s: \"%s\" is missing", where,
				     key);
	if (ip_prefix_parse(text, dst))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "%s: \"%s\" value \"%s\" is not an address/prefix", where, key,
				     text);
	return 0;
}

static int decode_interfaces(const json_t *array, struct cni_result *out, struct cni_error *err)
{
	size_t i;
	const json_t *obj;

	if (!json_is_array(array))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "result: \"interfaces\" is not a list");
	if (json_array_size(array) > CNI_MAX_INTERFACES)
		return cni_error_set(err, CNI_ERR_DECODE, E2BIG, "result: more than %d interfaces",
				     CNI_MAX_INTERFACES);
	json_array_foreach(array, i, obj)
	{
		struct cni_interface *iface = &out->interfaces[i];
		int ret;

		if (!json_is_object(obj))
			return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
					     "result: interfaces[%zu] is not an object", i);
		if ((ret = decode_string(obj, "name", iface->name, sizeof(iface->name),
					 "result interface", err)) ||
		    (ret = decode_string(obj, "mac", iface->mac, sizeof(iface->mac),
					 "result interface", err)) ||
		    (ret = decode_string(obj, "sandbox", iface->sandbox, sizeof(iface->sandbox),
					 "result interface", err)) ||
		    (ret = decode_uint(obj, "mtu", &iface->mtu, "result interface", err)) ||
		    (ret = decode_string(obj, "socketPath", iface->socket_path,
					 sizeof(iface->socket_path), "result interface", err)) ||
		    (ret = decode_string(obj, "pciID", iface->pci_id, sizeof(iface->pci_id),
					 "result interface", err)))
			return ret;
		out->n_interfaces++;
	}
	return 0;
}

static int decode_ips(const json_t *array, struct cni_result *out, struct cni_error *err)
{
	size_t i;
	const json_t *obj;

	if (!json_is_array(array))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL, "result: \"ips\" is not a list");
	if (json_array_size(array) > CNI_MAX_IPS)
		return cni_error_set(err, CNI_ERR_DECODE, E2BIG, "result: more than %d ips",
				     CNI_MAX_IPS);
	json_array_foreach(array, i, obj)
	{
		struct cni_ip *ip = &out->ips[i];
		const json_t *index = json_object_get(obj, "interface");
		int ret;

		if (!json_is_object(obj))
			return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
					     "result: ips[%zu] is not an object", i);
		if ((ret = decode_prefix(obj, "address", &ip->address, "result ip", err)) ||
		    (ret = decode_address(obj, "gateway", &ip->gateway, "result ip", err)))
			return ret;
		ip->interface = -1;
		if (index && !json_is_null(index)) {
			if (!json_is_integer(index) || json_integer_value(index) < 0 ||
			    json_integer_value(index) >= (json_int_t)out->n_interfaces)
				return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
						     "result: ips[%zu].interface does not index "
						     "an interface",
						     i);
			ip->interface = (int)json_integer_value(index);
		}
		out->n_ips++;
	}
	return 0;
}

static int decode_routes(const json_t *array, struct cni_result *out, struct cni_error *err)
{
	size_t i;
	const json_t *obj;

	if (!json_is_array(array))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "result: \"routes\" is not a list");
	if (json_array_size(array) > CNI_MAX_ROUTES)
		return cni_error_set(err, CNI_ERR_DECODE, E2BIG, "result: more than %d routes",
				     CNI_MAX_ROUTES);
	json_array_foreach(array, i, obj)
	{
		struct cni_route *route = &out->routes[i];
		const json_t *scope = json_object_get(obj, "scope");
		int ret;

		if (!json_is_object(obj))
			return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
					     "result: routes[%zu] is not an object", i);
		if ((ret = decode_prefix(obj, "dst", &route->dst, "result route", err)) ||
		    (ret = decode_address(obj, "gw", &route->gw, "result route", err)) ||
		    (ret = decode_uint(obj, "mtu", &route->mtu, "result route", err)) ||
		    (ret = decode_uint(obj, "advmss", &route->advmss, "result route", err)) ||
		    (ret = decode_uint(obj, "priority", &route->priority, "result route", err)) ||
		    (ret = decode_uint(obj, "table", &route->table, "result route", err)))
			return ret;
		if (scope && json_is_integer(scope))
			route->scope = (int)json_integer_value(scope);
		out->n_routes++;
	}
	return 0;
}

static int decode_string_list(const json_t *obj, const char *key, char *items, size_t stride,
			      unsigned int *n, struct cni_error *err)
{
	const json_t *array = json_object_get(obj, key), *value;
	size_t i;

	if (!array || json_is_null(array))
		return 0;
	if (!json_is_array(array) || json_array_size(array) > CNI_MAX_DNS_ENTRIES)
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
				     "dns: \"%s\" is not a list of at most %d strings", key,
				     CNI_MAX_DNS_ENTRIES);
	json_array_foreach(array, i, value)
	{
		if (!json_is_string(value) || snprintf(items + i * stride, stride, "%s",
						       json_string_value(value)) >= (int)stride)
			return cni_error_set(err, CNI_ERR_DECODE, EINVAL,
					     "dns: %s[%zu] is not a string of at most %zu bytes",
					     key, i, stride - 1);
		(*n)++;
	}
	return 0;
}

int cni_dns_decode(const json_t *obj, struct cni_dns *out, struct cni_error *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL, "\"dns\" is not an object");
	if ((ret = decode_string_list(obj, "nameservers", out->nameservers[0],
				      sizeof(out->nameservers[0]), &out->n_nameservers, err)) ||
	    (ret = decode_string(obj, "domain", out->domain, sizeof(out->domain), "dns", err)) ||
	    (ret = decode_string_list(obj, "search", out->search[0], sizeof(out->search[0]),
				      &out->n_search, err)) ||
	    (ret = decode_string_list(obj, "options", out->options[0], sizeof(out->options[0]),
				      &out->n_options, err)))
		return ret;
	return 0;
}

int cni_result_decode(const json_t *json, struct cni_result *out, struct cni_error *err)
{
	const json_t *value;
	int ret;

	cni_result_init(out);
	if (!json_is_object(json))
		return cni_error_set(err, CNI_ERR_DECODE, EINVAL, "result is not a JSON object");
	if ((value = json_object_get(json, "interfaces")) && !json_is_null(value) &&
	    (ret = decode_interfaces(value, out, err)))
		return ret;
	if ((value = json_object_get(json, "ips")) && !json_is_null(value) &&
	    (ret = decode_ips(value, out, err)))
		return ret;
	if ((value = json_object_get(json, "routes")) && !json_is_null(value) &&
	    (ret = decode_routes(value, out, err)))
		return ret;
	return cni_dns_decode(json_object_get(json, "dns"), &out->dns, err);
}
