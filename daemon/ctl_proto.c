/* Encode/decode of the control protocol; the only daemon file that knows its JSON. */
#include "daemon/ctl_proto.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[CTL_METHOD_COUNT] = {
	[CTL_PORT_ADD] = "port.add", [CTL_PORT_DEL] = "port.del", [CTL_PORT_LIST] = "port.list",
	[CTL_STATS] = "stats",	     [CTL_FDB_LIST] = "fdb.list", [CTL_VERSION] = "version",
};

static const char *const drop_names[CTL_DROP_COUNT] = {
	[CTL_DROP_INVALID] = "invalid",
	[CTL_DROP_FILTERED] = "filtered",
	[CTL_DROP_NO_DEST] = "no_dest",
	[CTL_DROP_TX_FULL] = "tx_full",
	[CTL_DROP_SPOOFED] = "spoofed",
	[CTL_DROP_OVERSIZE] = "oversize",
	[CTL_DROP_FLOOD_LIMITED] = "flood_limited",
};

const char *ctl_method_name(enum ctl_method method)
{
	if ((unsigned int)method >= CTL_METHOD_COUNT)
		return NULL;
	return method_names[method];
}

const char *ctl_drop_name(enum ctl_drop drop)
{
	if ((unsigned int)drop >= CTL_DROP_COUNT)
		return NULL;
	return drop_names[drop];
}

void ctl_port_spec_init(struct ctl_port_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->mode = CTL_MODE_CLIENT;
	spec->queues = 1;
	spec->mtu = CTL_MTU_DEFAULT;
}

__attribute__((format(printf, 3, 4))) static int fail(char *msg, size_t msg_size, const char *fmt,
						      ...)
{
	va_list ap;

	if (msg && msg_size) {
		va_start(ap, fmt);
		vsnprintf(msg, msg_size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int ctl_mac_parse(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (strlen(text) != 17 || sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
					 &b[3], &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		/* sscanf accepts "+1"/" 1"; a MAC is exactly hex digits and colons. */
		if (!strchr("0123456789abcdefABCDEF", text[i * 3]) ||
		    !strchr("0123456789abcdefABCDEF", text[i * 3 + 1]))
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

void ctl_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

static bool name_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@-",
			    *s))
			return false;
	return true;
}

/* Copy a JSON string value into a fixed buffer; too long or not a string is an error. */
static int get_string(json_t *v, const char *key, char *dst, size_t size, char *msg,
		      size_t msg_size)
{
	if (!json_is_string(v))
		return fail(msg, msg_size, "\"%s\" must be a string", key);
	if (json_string_length(v) >= size)
		return fail(msg, msg_size, "\"%s\" is longer than %zu bytes", key, size - 1);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(msg, msg_size, "\"%s\" contains a NUL byte", key);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* name_only: port.del; socket_optional: port.list entries (the uplink has no socket). */
static int decode_port_spec(json_t *obj, struct ctl_port_spec *spec, bool name_only,
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
			rc = get_string(v, key, spec->name, sizeof(spec->name), msg, msg_size);
			if (rc)
				return rc;
			if (!name_valid(spec->name))
				return fail(msg, msg_size,
					    "\"name\" \"%s\": only letters, digits and ._:/@-",
					    spec->name);
		} else if (name_only) {
			return fail(msg, msg_size, "unknown key \"%s\"", key);
		} else if (!strcmp(key, "socket")) {
			rc = get_string(v, key, spec->socket, sizeof(spec->socket), msg, msg_size);
			if (rc)
				return rc;
			if (spec->socket[0] != '/')
				return fail(msg, msg_size,
					    "\"socket\" \"%s\" is not an absolute path",
					    spec->socket);
		} else if (!strcmp(key, "mode")) {
			rc = get_string(v, key, buf, sizeof(buf), msg, msg_size);
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
			rc = get_string(v, key, buf, sizeof(buf), msg, msg_size);
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
		} else if (!strcmp(key, "addresses")) {
			size_t i;
			json_t *a;

			if (!json_is_array(v) || json_array_size(v) > CTL_MAX_ADDRESSES)
				return fail(msg, msg_size,
					    "\"addresses\" must be an array of at most %d strings",
					    CTL_MAX_ADDRESSES);
			json_array_foreach(v, i, a)
			{
				rc = get_string(a, "addresses[]", spec->addresses[i],
						sizeof(spec->addresses[i]), msg, msg_size);
				if (rc)
					return rc;
			}
			spec->n_addresses = (unsigned int)json_array_size(v);
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

int ctl_proto_decode_request(const char *line, size_t len, struct ctl_request *req, char *msg,
			     size_t msg_size)
{
	json_t *root = NULL, *params = NULL, *v;
	json_error_t jerr;
	const char *key, *method = NULL;
	int rc = -EINVAL, m;

	memset(req, 0, sizeof(*req));
	ctl_port_spec_init(&req->port);
	if (len > CTL_PROTO_MAX_REQUEST) {
		fail(msg, msg_size, "request longer than %d bytes", CTL_PROTO_MAX_REQUEST);
		return -EMSGSIZE;
	}
	if (len && line[len - 1] == '\n')
		len--;
	/* JSON_REJECT_DUPLICATES: two "name" keys must not mean the last one wins. */
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(msg, msg_size, "malformed JSON: %s", jerr.text);
	if (!json_is_object(root)) {
		fail(msg, msg_size, "request must be a JSON object");
		goto out;
	}
	json_object_foreach(root, key, v)
	{
		if (!strcmp(key, "method")) {
			if (!json_is_string(v)) {
				fail(msg, msg_size, "\"method\" must be a string");
				goto out;
			}
			method = json_string_value(v);
		} else if (!strcmp(key, "params")) {
			params = v;
		} else {
			fail(msg, msg_size, "unknown key \"%s\"", key);
			goto out;
		}
	}
	if (!method) {
		fail(msg, msg_size, "\"method\" is required");
		goto out;
	}
	for (m = 0; m < CTL_METHOD_COUNT; m++)
		if (!strcmp(method, method_names[m]))
			break;
	if (m == CTL_METHOD_COUNT) {
		fail(msg, msg_size, "unknown method \"%.64s\"", method);
		goto out;
	}
	req->method = (enum ctl_method)m;
	switch (req->method) {
	case CTL_PORT_ADD:
	case CTL_PORT_DEL:
		if (!params) {
			fail(msg, msg_size, "%s needs \"params\"", method_names[m]);
			goto out;
		}
		if (decode_port_spec(params, &req->port, req->method == CTL_PORT_DEL, false, msg,
				     msg_size))
			goto out;
		break;
	default:
		if (params && (!json_is_object(params) || json_object_size(params))) {
			fail(msg, msg_size, "%s takes no params", method_names[m]);
			goto out;
		}
		break;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static json_t *port_spec_json(const struct ctl_port_spec *spec)
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
	if (spec->n_addresses) {
		addrs = json_array();
		if (json_object_set_new(obj, "addresses", addrs))
			goto fail;
		for (i = 0; i < spec->n_addresses; i++)
			if (json_array_append_new(addrs, json_string(spec->addresses[i])))
				goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

/* Serialize compactly and append '\n'. Consumes root. */
static int dump_line(json_t *root, char **out, size_t *out_len)
{
	char *text;
	size_t n;

	if (!root)
		return -ENOMEM;
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	n = strlen(text);
	/* json_dumps allocates with malloc by default: room for '\n' needs a realloc. */
	*out = realloc(text, n + 2);
	if (!*out) {
		free(text);
		return -ENOMEM;
	}
	(*out)[n] = '\n';
	(*out)[n + 1] = '\0';
	if (out_len)
		*out_len = n + 1;
	return 0;
}

int ctl_proto_encode_request(const struct ctl_request *req, char **out, size_t *out_len)
{
	json_t *root, *params;
	const char *name = ctl_method_name(req->method);

	if (!name)
		return -EINVAL;
	root = json_pack("{s:s}", "method", name);
	if (!root)
		return -ENOMEM;
	if (req->method == CTL_PORT_ADD)
		params = port_spec_json(&req->port);
	else if (req->method == CTL_PORT_DEL)
		params = json_pack("{s:s}", "name", req->port.name);
	else
		params = NULL;
	if ((req->method == CTL_PORT_ADD || req->method == CTL_PORT_DEL) &&
	    json_object_set_new(root, "params", params)) {
		json_decref(root);
		return -ENOMEM;
	}
	return dump_line(root, out, out_len);
}

static json_t *port_info_json(const struct ctl_port_info *info)
{
	json_t *obj = port_spec_json(&info->spec);

	/* Operators see the MTU of every port, also the default one. */
	if (obj && (json_object_set_new(obj, "mtu", json_integer((json_int_t)info->spec.mtu)) ||
		    json_object_set_new(obj, "connected", json_boolean(info->connected)) ||
		    json_object_set_new(obj, "activeQueues", json_integer(info->active_queues)))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *stats_json(const struct ctl_port_stats *s)
{
	json_t *obj, *drops;
	int d;

	drops = json_object();
	for (d = 0; drops && d < CTL_DROP_COUNT; d++)
		if (json_object_set_new(drops, drop_names[d],
					json_integer((json_int_t)s->drops[d]))) {
			json_decref(drops);
			return NULL;
		}
	obj = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "name", s->name, "rx", (json_int_t)s->rx,
			"tx", (json_int_t)s->tx, "rxPps", (json_int_t)s->rx_pps, "txPps",
			(json_int_t)s->tx_pps, "drops", drops);
	return obj;
}

static json_t *fdb_json(const struct ctl_fdb_entry *e)
{
	char mac[18];

	ctl_mac_format(e->mac, mac);
	return json_pack("{s:s, s:s, s:b, s:i}", "mac", mac, "port", e->port, "static",
			 e->is_static, "age", (int)e->age);
}

/* Append n records produced by fn to a new array stored under key in result. */
#define ARRAY_RESULT(result, key, items, n, fn)                                                    \
	({                                                                                         \
		json_t *arr_ = json_array();                                                       \
		int rc_ = json_object_set_new(result, key, arr_) ? -ENOMEM : 0;                    \
		for (size_t i_ = 0; !rc_ && i_ < (n); i_++)                                        \
			if (json_array_append_new(arr_, fn(&(items)[i_])))                         \
				rc_ = -ENOMEM;                                                     \
		rc_;                                                                               \
	})

int ctl_proto_encode_response(const struct ctl_response *resp, char **out, size_t *out_len)
{
	json_t *root, *result;
	int rc = 0;

	if (resp->error) {
		root = json_pack("{s:b, s:{s:i, s:s}}", "ok", 0, "error", "code", -resp->error,
				 "message", resp->message);
		return dump_line(root, out, out_len);
	}
	result = json_object();
	root = json_pack("{s:b, s:o}", "ok", 1, "result", result);
	if (!root)
		return -ENOMEM;
	switch (resp->method) {
	case CTL_PORT_ADD:
		rc = json_object_set_new(result, "port", port_info_json(&resp->port)) ? -ENOMEM : 0;
		break;
	case CTL_PORT_LIST:
		rc = ARRAY_RESULT(result, "ports", resp->ports, resp->n_ports, port_info_json);
		break;
	case CTL_STATS:
		rc = ARRAY_RESULT(result, "ports", resp->stats, resp->n_stats, stats_json);
		break;
	case CTL_FDB_LIST:
		rc = ARRAY_RESULT(result, "entries", resp->fdb, resp->n_fdb, fdb_json);
		if (!rc && json_object_set_new(result, "agingTime",
					       json_integer((json_int_t)resp->fdb_aging)))
			rc = -ENOMEM;
		break;
	case CTL_VERSION:
		if (json_object_set_new(result, "daemon", json_string(resp->version.daemon)) ||
		    json_object_set_new(result, "dpdk", json_string(resp->version.dpdk)) ||
		    json_object_set_new(result, "protocol", json_integer(resp->version.protocol)))
			rc = -ENOMEM;
		break;
	default:
		break;
	}
	if (rc) {
		json_decref(root);
		return rc;
	}
	return dump_line(root, out, out_len);
}

/* Responses are trusted more than requests but still checked: a client must not crash on one. */
static int get_u64(json_t *obj, const char *key, uint64_t *dst)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -EPROTO;
	*dst = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_str(json_t *obj, const char *key, char *dst, size_t size)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) >= size)
		return -EPROTO;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int port_info_from_json(json_t *obj, struct ctl_port_info *info)
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
	get_u64(obj, "activeQueues", &q);
	info->active_queues = (unsigned int)q;
	json_object_del(copy, "connected");
	json_object_del(copy, "activeQueues");
	rc = decode_port_spec(copy, &info->spec, false, true, msg, sizeof(msg)) ? -EPROTO : 0;
	json_decref(copy);
	return rc;
}

static int stats_from_json(json_t *obj, struct ctl_port_stats *s)
{
	json_t *drops = json_object_get(obj, "drops");
	int d;

	if (get_str(obj, "name", s->name, sizeof(s->name)) || get_u64(obj, "rx", &s->rx) ||
	    get_u64(obj, "tx", &s->tx) || get_u64(obj, "rxPps", &s->rx_pps) ||
	    get_u64(obj, "txPps", &s->tx_pps) || !json_is_object(drops))
		return -EPROTO;
	for (d = 0; d < CTL_DROP_COUNT; d++)
		if (get_u64(drops, drop_names[d], &s->drops[d]))
			return -EPROTO;
	return 0;
}

static int fdb_from_json(json_t *obj, struct ctl_fdb_entry *e)
{
	char mac[18];
	uint64_t age;

	if (get_str(obj, "mac", mac, sizeof(mac)) || ctl_mac_parse(mac, e->mac) ||
	    get_str(obj, "port", e->port, sizeof(e->port)) || get_u64(obj, "age", &age) ||
	    !json_is_boolean(json_object_get(obj, "static")))
		return -EPROTO;
	e->is_static = json_is_true(json_object_get(obj, "static"));
	e->age = (unsigned int)age;
	return 0;
}

/* Decode result[key] (an array) into a calloc'ed array of n items of size sz. */
static int array_from_json(json_t *result, const char *key, size_t sz, void **items, size_t *n,
			   int (*fn)(json_t *, void *))
{
	json_t *arr = json_object_get(result, key), *v;
	size_t i;
	int rc;

	if (!json_is_array(arr))
		return -EPROTO;
	*n = json_array_size(arr);
	*items = calloc(*n ? *n : 1, sz);
	if (!*items)
		return -ENOMEM;
	json_array_foreach(arr, i, v)
	{
		rc = fn(v, (char *)*items + i * sz);
		if (rc)
			return rc;
	}
	return 0;
}

static int port_info_cb(json_t *v, void *p)
{
	return port_info_from_json(v, p);
}
static int stats_cb(json_t *v, void *p)
{
	return stats_from_json(v, p);
}
static int fdb_cb(json_t *v, void *p)
{
	return fdb_from_json(v, p);
}

int ctl_proto_decode_response(const char *line, size_t len, enum ctl_method method,
			      struct ctl_response *resp, char *msg, size_t msg_size)
{
	json_t *root, *ok, *result, *error;
	json_error_t jerr;
	uint64_t v = 0;
	int rc = -EPROTO;

	memset(resp, 0, sizeof(*resp));
	resp->method = method;
	if (len > CTL_PROTO_MAX_RESPONSE) {
		fail(msg, msg_size, "response longer than %u bytes", CTL_PROTO_MAX_RESPONSE);
		return -EPROTO;
	}
	root = json_loadb(line, len, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!root) {
		fail(msg, msg_size, "malformed response: %s", jerr.text);
		return -EPROTO;
	}
	ok = json_object_get(root, "ok");
	if (!json_is_boolean(ok)) {
		fail(msg, msg_size, "response without \"ok\"");
		goto out;
	}
	if (!json_is_true(ok)) {
		error = json_object_get(root, "error");
		if (get_u64(error, "code", &v) || v == 0 || v > 4095 ||
		    get_str(error, "message", resp->message, sizeof(resp->message))) {
			fail(msg, msg_size, "malformed error response");
			goto out;
		}
		resp->error = -(int)v;
		rc = 0;
		goto out;
	}
	result = json_object_get(root, "result");
	if (!json_is_object(result)) {
		fail(msg, msg_size, "response without \"result\"");
		goto out;
	}
	switch (method) {
	case CTL_PORT_ADD:
		rc = port_info_from_json(json_object_get(result, "port"), &resp->port);
		break;
	case CTL_PORT_LIST:
		rc = array_from_json(result, "ports", sizeof(*resp->ports), (void **)&resp->ports,
				     &resp->n_ports, port_info_cb);
		break;
	case CTL_STATS:
		rc = array_from_json(result, "ports", sizeof(*resp->stats), (void **)&resp->stats,
				     &resp->n_stats, stats_cb);
		break;
	case CTL_FDB_LIST:
		rc = array_from_json(result, "entries", sizeof(*resp->fdb), (void **)&resp->fdb,
				     &resp->n_fdb, fdb_cb);
		if (!rc)
			rc = get_u64(result, "agingTime", &resp->fdb_aging);
		break;
	case CTL_VERSION:
		rc = get_str(result, "daemon", resp->version.daemon, sizeof(resp->version.daemon));
		if (!rc)
			rc = get_str(result, "dpdk", resp->version.dpdk,
				     sizeof(resp->version.dpdk));
		if (!rc)
			rc = get_u64(result, "protocol", &v);
		resp->version.protocol = (unsigned int)v;
		break;
	default:
		rc = 0;
		break;
	}
	if (rc) {
		fail(msg, msg_size, "malformed %s result", ctl_method_name(method));
		ctl_response_free(resp);
	}
out:
	json_decref(root);
	return rc ? -EPROTO : 0;
}

int ctl_response_fail(struct ctl_response *resp, int error, const char *fmt, ...)
{
	va_list ap;

	resp->error = error ? error : -EINVAL;
	va_start(ap, fmt);
	vsnprintf(resp->message, sizeof(resp->message), fmt, ap);
	va_end(ap);
	return resp->error;
}

void ctl_response_free(struct ctl_response *resp)
{
	if (!resp)
		return;
	free(resp->ports);
	free(resp->stats);
	free(resp->fdb);
	resp->ports = NULL;
	resp->stats = NULL;
	resp->fdb = NULL;
	resp->n_ports = resp->n_stats = resp->n_fdb = 0;
}

int ctl_proto_encode_port_spec(const struct ctl_port_spec *spec, char **out)
{
	json_t *obj = port_spec_json(spec);

	if (!obj)
		return -ENOMEM;
	*out = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	return *out ? 0 : -ENOMEM;
}

int ctl_proto_decode_port_spec(const char *text, struct ctl_port_spec *spec, char *msg,
			       size_t msg_size)
{
	json_error_t jerr;
	json_t *obj = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (!obj)
		return fail(msg, msg_size, "malformed JSON: %s", jerr.text);
	rc = decode_port_spec(obj, spec, false, false, msg, msg_size);
	json_decref(obj);
	return rc;
}
