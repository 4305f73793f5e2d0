/*
 * The response envelope ({"ok": true, "result": {...}} or {"ok": false,
 * "error": {...}}) and each method's result, both ways.
 */
#include "daemon/ctl_proto_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static json_t *stats_to_json(const struct ctl_port_stats *s)
{
	json_t *drops;
	int d;

	drops = json_object();
	for (d = 0; drops && d < CTL_DROP_COUNT; d++)
		if (json_object_set_new(drops, ctl_drop_name((enum ctl_drop)d),
					json_integer((json_int_t)s->drops[d]))) {
			json_decref(drops);
			return NULL;
		}
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "name", s->name, "rx", (json_int_t)s->rx,
			 "tx", (json_int_t)s->tx, "rxPps", (json_int_t)s->rx_pps, "txPps",
			 (json_int_t)s->tx_pps, "drops", drops);
}

static json_t *lcore_to_json(const struct ctl_lcore_stats *l)
{
	return json_pack("{s:i, s:I, s:I, s:f}", "lcore", (int)l->lcore, "busyCycles",
			 (json_int_t)l->busy_cycles, "cycles", (json_int_t)l->cycles, "busyRatio",
			 l->busy_ratio);
}

static json_t *fdb_to_json(const struct ctl_fdb_entry *e)
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

static int result_to_json(const struct ctl_response *resp, json_t *result)
{
	switch (resp->method) {
	case CTL_PORT_ADD:
		return json_object_set_new(result, "port", ctl_proto_port_info_to_json(&resp->port))
			       ? -ENOMEM
			       : 0;
	case CTL_PORT_LIST:
		return ARRAY_RESULT(result, "ports", resp->ports, resp->n_ports,
				    ctl_proto_port_info_to_json);
	case CTL_STATS:
		if (ARRAY_RESULT(result, "ports", resp->stats, resp->n_stats, stats_to_json) ||
		    ARRAY_RESULT(result, "lcores", resp->lcores, resp->n_lcores, lcore_to_json) ||
		    json_object_set_new(result, "tscHz", json_integer((json_int_t)resp->tsc_hz)))
			return -ENOMEM;
		return 0;
	case CTL_FDB_LIST:
		if (ARRAY_RESULT(result, "entries", resp->fdb, resp->n_fdb, fdb_to_json) ||
		    json_object_set_new(result, "agingTime",
					json_integer((json_int_t)resp->fdb_aging)))
			return -ENOMEM;
		return 0;
	case CTL_VERSION:
		if (json_object_set_new(result, "daemon", json_string(resp->version.daemon)) ||
		    json_object_set_new(result, "dpdk", json_string(resp->version.dpdk)) ||
		    json_object_set_new(result, "protocol", json_integer(resp->version.protocol)))
			return -ENOMEM;
		return 0;
	default:
		return 0;
	}
}

int ctl_proto_encode_response(const struct ctl_response *resp, char **out, size_t *out_len)
{
	json_t *root, *result;
	int rc;

	if (resp->error) {
		root = json_pack("{s:b, s:{s:i, s:s}}", "ok", 0, "error", "code", -resp->error,
				 "message", resp->message);
		return ctl_proto_json_dump_line(root, out, out_len);
	}
	result = json_object();
	root = json_pack("{s:b, s:o}", "ok", 1, "result", result);
	if (!root)
		return -ENOMEM;
	rc = result_to_json(resp, result);
	if (rc) {
		json_decref(root);
		return rc;
	}
	return ctl_proto_json_dump_line(root, out, out_len);
}

static int stats_from_json(json_t *obj, void *item)
{
	struct ctl_port_stats *s = item;
	json_t *drops = json_object_get(obj, "drops");
	int d;

	if (ctl_proto_json_get_str(obj, "name", s->name, sizeof(s->name)) ||
	    ctl_proto_json_get_u64(obj, "rx", &s->rx) ||
	    ctl_proto_json_get_u64(obj, "tx", &s->tx) ||
	    ctl_proto_json_get_u64(obj, "rxPps", &s->rx_pps) ||
	    ctl_proto_json_get_u64(obj, "txPps", &s->tx_pps) || !json_is_object(drops))
		return -EPROTO;
	/* A reason an older daemon does not know is one it never counted: 0, so a newer
	 * slicenetctl still reads it; a reason that is present must be a count. */
	for (d = 0; d < CTL_DROP_COUNT; d++) {
		const char *reason = ctl_drop_name((enum ctl_drop)d);

		s->drops[d] = 0;
		if (json_object_get(drops, reason) &&
		    ctl_proto_json_get_u64(drops, reason, &s->drops[d]))
			return -EPROTO;
	}
	return 0;
}

static int fdb_from_json(json_t *obj, void *item)
{
	struct ctl_fdb_entry *e = item;
	char mac[18];
	uint64_t age;

	if (ctl_proto_json_get_str(obj, "mac", mac, sizeof(mac)) || ctl_mac_parse(mac, e->mac) ||
	    ctl_proto_json_get_str(obj, "port", e->port, sizeof(e->port)) ||
	    ctl_proto_json_get_u64(obj, "age", &age) ||
	    !json_is_boolean(json_object_get(obj, "static")))
		return -EPROTO;
	e->is_static = json_is_true(json_object_get(obj, "static"));
	e->age = (unsigned int)age;
	return 0;
}

static int lcore_from_json(json_t *obj, void *item)
{
	struct ctl_lcore_stats *l = item;
	json_t *ratio = json_object_get(obj, "busyRatio");
	uint64_t id;

	if (ctl_proto_json_get_u64(obj, "lcore", &id) || id > UINT32_MAX ||
	    ctl_proto_json_get_u64(obj, "busyCycles", &l->busy_cycles) ||
	    ctl_proto_json_get_u64(obj, "cycles", &l->cycles) || !json_is_number(ratio))
		return -EPROTO;
	l->lcore = (unsigned int)id;
	l->busy_ratio = json_number_value(ratio);
	return 0;
}

static int port_info_from_json(json_t *obj, void *item)
{
	return ctl_proto_port_info_from_json(obj, item);
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

static int result_from_json(json_t *result, struct ctl_response *resp)
{
	uint64_t v = 0;
	int rc;

	switch (resp->method) {
	case CTL_PORT_ADD:
		return ctl_proto_port_info_from_json(json_object_get(result, "port"), &resp->port);
	case CTL_PORT_LIST:
		return array_from_json(result, "ports", sizeof(*resp->ports), (void **)&resp->ports,
				       &resp->n_ports, port_info_from_json);
	case CTL_STATS:
		rc = array_from_json(result, "ports", sizeof(*resp->stats), (void **)&resp->stats,
				     &resp->n_stats, stats_from_json);
		/* lcores and tscHz came later: a daemon without them still answers. */
		if (rc || !json_object_get(result, "lcores"))
			return rc;
		rc = array_from_json(result, "lcores", sizeof(*resp->lcores),
				     (void **)&resp->lcores, &resp->n_lcores, lcore_from_json);
		return rc ? rc : ctl_proto_json_get_u64(result, "tscHz", &resp->tsc_hz);
	case CTL_FDB_LIST:
		rc = array_from_json(result, "entries", sizeof(*resp->fdb), (void **)&resp->fdb,
				     &resp->n_fdb, fdb_from_json);
		return rc ? rc : ctl_proto_json_get_u64(result, "agingTime", &resp->fdb_aging);
	case CTL_VERSION:
		rc = ctl_proto_json_get_str(result, "daemon", resp->version.daemon,
					    sizeof(resp->version.daemon));
		if (!rc)
			rc = ctl_proto_json_get_str(result, "dpdk", resp->version.dpdk,
						    sizeof(resp->version.dpdk));
		if (!rc)
			rc = ctl_proto_json_get_u64(result, "protocol", &v);
		resp->version.protocol = (unsigned int)v;
		return rc;
	default:
		return 0;
	}
}

/* {"ok": false, "error": {"code": <errno 1..4095>, "message": "..."}} into resp. */
static int error_from_json(json_t *root, struct ctl_response *resp)
{
	json_t *error = json_object_get(root, "error");
	uint64_t code = 0;

	if (ctl_proto_json_get_u64(error, "code", &code) || code == 0 || code > 4095 ||
	    ctl_proto_json_get_str(error, "message", resp->message, sizeof(resp->message)))
		return -EPROTO;
	resp->error = -(int)code;
	return 0;
}

int ctl_proto_decode_response(const char *line, size_t len, enum ctl_method method,
			      struct ctl_response *resp, char *msg, size_t msg_size)
{
	json_t *root, *ok, *result;
	int rc;

	memset(resp, 0, sizeof(*resp));
	resp->method = method;
	if (len > CTL_PROTO_MAX_RESPONSE)
		return ctl_proto_errorf(msg, msg_size, -EPROTO, "response longer than %u bytes",
					CTL_PROTO_MAX_RESPONSE);
	if (ctl_proto_json_load(line, len, JSON_DISABLE_EOF_CHECK, "malformed response", &root, msg,
				msg_size))
		return -EPROTO;
	ok = json_object_get(root, "ok");
	result = json_object_get(root, "result");
	if (!json_is_boolean(ok)) {
		rc = ctl_proto_errorf(msg, msg_size, -EPROTO, "response without \"ok\"");
	} else if (!json_is_true(ok)) {
		rc = error_from_json(root, resp);
		if (rc)
			ctl_proto_errorf(msg, msg_size, rc, "malformed error response");
	} else if (!json_is_object(result)) {
		rc = ctl_proto_errorf(msg, msg_size, -EPROTO, "response without \"result\"");
	} else if (result_from_json(result, resp)) {
		rc = ctl_proto_errorf(msg, msg_size, -EPROTO, "malformed %s result",
				      ctl_method_name(method));
		ctl_response_free(resp);
	} else {
		rc = 0;
	}
	json_decref(root);
	return rc;
}
