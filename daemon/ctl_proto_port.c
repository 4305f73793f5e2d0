/*
 * The port record in JSON: port.add params, port.list entries and the lines
 * of the daemon's state file are all this one object.
 */
#include "daemon/ctl_proto_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define fail(msg, msg_size, ...) ctl_proto_errorf(msg, msg_size, -EINVAL, __VA_ARGS__)

/* [a-z0-9] at both ends, [a-z0-9-] (and '.' when dots) between, 1..max bytes. */
static bool dns_name_valid(const char *text, size_t max, bool dots)
{
	size_t len = strlen(text), i;

	if (len == 0 || len > max)
		return false;
	for (i = 0; i < len; i++) {
		char c = text[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && ((i == 0 || i == len - 1) || (c != '-' && !(dots && c == '.'))))
			return false;
	}
	return true;
}

bool ctl_pod_namespace_valid(const char *text)
{
	return dns_name_valid(text, CTL_POD_NAMESPACE_MAX - 1, false);
}

bool ctl_pod_name_valid(const char *text)
{
	return dns_name_valid(text, CTL_POD_NAME_MAX - 1, true);
}

/* An optional pod identity key: bounded, and what Kubernetes allows. */
static int pod_key(json_t *v, const char *key, char *dst, size_t size, bool (*valid)(const char *),
		   const char *what, char *msg, size_t msg_size)
{
	int rc = ctl_proto_json_string(v, key, dst, size, msg, msg_size);

	if (rc)
		return rc;
	if (!valid(dst))
		return fail(msg, msg_size, "\"%s\" \"%s\" is not a valid Kubernetes %s", key, dst,
			    what);
	return 0;
}

int ctl_proto_port_decode(json_t *obj, struct ctl_port_spec *spec, bool name_only,
			  bool socket_optional, char *msg, size_t msg_size)
{
	const char *key;
	json_t *v;
	char buf[32];
	int rc;

	ctl_port_spec_init(spec);
	if (!json_is_object(obj))
		return fail(msg, msg_size, "\"params\" must be an object");
	json_object_foreach(obj, key, v)
	{
		if (!strcmp(key, "name")) {
			rc = ctl_proto_json_string(v, key, spec->name, sizeof(spec->name), msg,
						   msg_size);
			if (rc)
				return rc;
			if (!ctl_name_valid(spec->name))
				return fail(msg, msg_size,
					    "\"name\" \"%s\": only letters, digits and ._:/@-",
					    spec->name);
		} else if (name_only) {
			return fail(msg, msg_size, "unknown key \"%s\"", key);
		} else if (!strcmp(key, "socket")) {
			rc = ctl_proto_json_string(v, key, spec->socket, sizeof(spec->socket), msg,
						   msg_size);
			if (rc)
				return rc;
			if (spec->socket[0] != '/')
				return fail(msg, msg_size,
					    "\"socket\" \"%s\" is not an absolute path",
					    spec->socket);
		} else if (!strcmp(key, "mode")) {
			rc = ctl_proto_json_string(v, key, buf, sizeof(buf), msg, msg_size);
			if (rc)
				return rc;
			if (!strcmp(buf, "client"))
				spec->mode = CTL_MODE_CLIENT;
			else if (!strcmp(buf, "server"))
				spec->mode = CTL_MODE_SERVER;
			else
				return fail(msg, msg_size,
					    "\"mode\" \"%s\": want \"client\" or \"server\"", buf);
		} else if (!strcmp(key, "mac")) {
			rc = ctl_proto_json_string(v, key, buf, sizeof(buf), msg, msg_size);
			if (rc)
				return rc;
			if (ctl_mac_parse(buf, spec->mac) || (spec->mac[0] & 1))
				return fail(msg, msg_size, "\"mac\" \"%s\" is not a unicast MAC",
					    buf);
			spec->has_mac = true;
		} else if (!strcmp(key, "queues")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > CTL_MAX_QUEUES)
				return fail(msg, msg_size, "\"queues\" must be an integer 1..%d",
					    CTL_MAX_QUEUES);
			spec->queues = (unsigned int)json_integer_value(v);
		} else if (!strcmp(key, "mtu")) {
			if (!json_is_integer(v) || json_integer_value(v) < CTL_MTU_MIN ||
			    json_integer_value(v) > CTL_MTU_MAX)
				return fail(msg, msg_size, "\"mtu\" must be an integer %d..%d",
					    CTL_MTU_MIN, CTL_MTU_MAX);
			spec->mtu = (unsigned int)json_integer_value(v);
		} else if (!strcmp(key, "priority")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > CTL_PRIORITY_MAX)
				return fail(msg, msg_size,
					    "\"priority\" must be an integer 0 (highest)..%d",
					    CTL_PRIORITY_MAX);
			spec->priority = (unsigned int)json_integer_value(v);
		} else if (!strcmp(key, "addresses")) {
			size_t i;
			json_t *a;

			if (!json_is_array(v) || json_array_size(v) > CTL_MAX_ADDRESSES)
				return fail(msg, msg_size,
					    "\"addresses\" must be an array of at most %d strings",
					    CTL_MAX_ADDRESSES);
			json_array_foreach(v, i, a)
			{
				rc = ctl_proto_json_string(a, "addresses[]", spec->addresses[i],
							   sizeof(spec->addresses[i]), msg,
							   msg_size);
				if (rc)
					return rc;
			}
			spec->n_addresses = (unsigned int)json_array_size(v);
		} else if (!strcmp(key, "podNamespace")) {
			rc = pod_key(v, key, spec->pod_namespace, sizeof(spec->pod_namespace),
				     ctl_pod_namespace_valid, "namespace", msg, msg_size);
			if (rc)
				return rc;
		} else if (!strcmp(key, "podName")) {
			rc = pod_key(v, key, spec->pod_name, sizeof(spec->pod_name),
				     ctl_pod_name_valid, "pod name", msg, msg_size);
			if (rc)
				return rc;
		} else {
			return fail(msg, msg_size, "unknown key \"%s\"", key);
		}
	}
	if (!spec->name[0])
		return fail(msg, msg_size, "\"name\" is required");
	if (!name_only && !socket_optional && !spec->socket[0])
		return fail(msg, msg_size, "\"socket\" is required");
	return 0;
}

json_t *ctl_proto_port_to_json(const struct ctl_port_spec *spec)
{
	json_t *obj, *addrs;
	char mac[18];
	unsigned int i;

	obj = json_pack("{s:s, s:s, s:i}", "name", spec->name, "mode",
			spec->mode == CTL_MODE_SERVER ? "server" : "client", "queues",
			(int)spec->queues);
	if (!obj)
		return NULL;
	/* Only the uplink has none. */
	if (spec->socket[0] && json_object_set_new(obj, "socket", json_string(spec->socket)))
		goto fail;
	if (spec->has_mac) {
		ctl_mac_format(spec->mac, mac);
		if (json_object_set_new(obj, "mac", json_string(mac)))
			goto fail;
	}
	/* Only when set: records and requests from before the key existed stay byte-identical. */
	if (spec->mtu != CTL_MTU_DEFAULT &&
	    json_object_set_new(obj, "mtu", json_integer((json_int_t)spec->mtu)))
		goto fail;
	if (spec->priority != CTL_PRIORITY_DEFAULT &&
	    json_object_set_new(obj, "priority", json_integer((json_int_t)spec->priority)))
		goto fail;
	if (spec->n_addresses) {
		addrs = json_array();
		if (json_object_set_new(obj, "addresses", addrs))
			goto fail;
		for (i = 0; i < spec->n_addresses; i++)
			if (json_array_append_new(addrs, json_string(spec->addresses[i])))
				goto fail;
	}
	/* Optional like mtu: a port added without them encodes as before. */
	if (spec->pod_namespace[0] &&
	    json_object_set_new(obj, "podNamespace", json_string(spec->pod_namespace)))
		goto fail;
	if (spec->pod_name[0] && json_object_set_new(obj, "podName", json_string(spec->pod_name)))
		goto fail;
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

json_t *ctl_proto_port_info_to_json(const struct ctl_port_info *info)
{
	json_t *obj = ctl_proto_port_to_json(&info->spec);

	/* Operators see the MTU and priority of every port, also the default ones. */
	if (obj &&
	    (json_object_set_new(obj, "mtu", json_integer((json_int_t)info->spec.mtu)) ||
	     json_object_set_new(obj, "priority", json_integer((json_int_t)info->spec.priority)) ||
	     json_object_set_new(obj, "connected", json_boolean(info->connected)) ||
	     json_object_set_new(obj, "activeQueues", json_integer(info->active_queues)) ||
	     json_object_set_new(obj, "refused", json_integer((json_int_t)info->refused)) ||
	     json_object_set_new(obj, "memoryFaults",
				 json_integer((json_int_t)info->memory_faults)))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int ctl_proto_port_info_from_json(json_t *obj, struct ctl_port_info *info)
{
	json_t *copy;
	char msg[8];
	uint64_t q = 0;
	int rc;

	if (!json_is_object(obj))
		return -EPROTO;
	/* The spec part is exactly what port.add accepts; strip the info-only keys. */
	copy = json_copy(obj);
	if (!copy)
		return -ENOMEM;
	info->connected = json_is_true(json_object_get(obj, "connected"));
	if (ctl_proto_json_get_u64(obj, "activeQueues", &q))
		q = 0; /* missing or bad: report 0, the spec part decides */
	info->active_queues = (unsigned int)q;
	if (ctl_proto_json_get_u64(obj, "refused", &info->refused))
		info->refused = 0;
	if (ctl_proto_json_get_u64(obj, "memoryFaults", &info->memory_faults))
		info->memory_faults = 0;
	json_object_del(copy, "connected");
	json_object_del(copy, "activeQueues");
	json_object_del(copy, "refused");
	json_object_del(copy, "memoryFaults");
	rc = ctl_proto_port_decode(copy, &info->spec, false, true, msg, sizeof(msg)) ? -EPROTO : 0;
	json_decref(copy);
	return rc;
}

int ctl_proto_encode_port_spec(const struct ctl_port_spec *spec, char **out)
{
	json_t *obj = ctl_proto_port_to_json(spec);

	if (!obj)
		return -ENOMEM;
	*out = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	return *out ? 0 : -ENOMEM;
}

int ctl_proto_decode_port_spec(const char *text, struct ctl_port_spec *spec, char *msg,
			       size_t msg_size)
{
	json_t *obj;
	int rc;

	/* Reject duplicates: two "name" keys must not mean the last one wins. */
	rc = ctl_proto_json_load(text, strlen(text), JSON_REJECT_DUPLICATES, "malformed JSON", &obj,
				 msg, msg_size);
	if (rc)
		return rc;
	rc = ctl_proto_port_decode(obj, spec, false, false, msg, msg_size);
	json_decref(obj);
	return rc;
}
