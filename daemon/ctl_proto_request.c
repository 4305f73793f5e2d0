/* The request envelope: {"method": "...", "params": {...}}, both ways. */
#include "daemon/ctl_proto_internal.h"

#include <errno.h>
#include <string.h>

#define fail(msg, msg_size, ...) ctl_proto_errorf(msg, msg_size, -EINVAL, __VA_ARGS__)

/* Split the envelope into method and params (borrowed from root); unknown keys are errors. */
static int envelope_split(json_t *root, const char **method, json_t **params, char *msg,
			  size_t msg_size)
{
	const char *key;
	json_t *v;

	*method = NULL;
	*params = NULL;
	if (!json_is_object(root))
		return fail(msg, msg_size, "request must be a JSON object");
	json_object_foreach(root, key, v)
	{
		if (!strcmp(key, "method")) {
			if (!json_is_string(v))
				return fail(msg, msg_size, "\"method\" must be a string");
			*method = json_string_value(v);
		} else if (!strcmp(key, "params")) {
			*params = v;
		} else {
			return fail(msg, msg_size, "unknown key \"%s\"", key);
		}
	}
	if (!*method)
		return fail(msg, msg_size, "\"method\" is required");
	return 0;
}

static int method_lookup(const char *name, enum ctl_method *method, char *msg, size_t msg_size)
{
	int m;

	for (m = 0; m < CTL_METHOD_COUNT; m++)
		if (!strcmp(name, ctl_method_name((enum ctl_method)m))) {
			*method = (enum ctl_method)m;
			return 0;
		}
	return fail(msg, msg_size, "unknown method \"%.64s\"", name);
}

static int params_decode(json_t *params, struct ctl_request *req, char *msg, size_t msg_size)
{
	const char *name = ctl_method_name(req->method);

	switch (req->method) {
	case CTL_PORT_ADD:
	case CTL_PORT_DEL:
		if (!params)
			return fail(msg, msg_size, "%s needs \"params\"", name);
		return ctl_proto_port_decode(params, &req->port, req->method == CTL_PORT_DEL, false,
					     msg, msg_size);
	default:
		if (params && (!json_is_object(params) || json_object_size(params)))
			return fail(msg, msg_size, "%s takes no params", name);
		return 0;
	}
}

int ctl_proto_decode_request(const char *line, size_t len, struct ctl_request *req, char *msg,
			     size_t msg_size)
{
	json_t *root, *params;
	const char *method;
	int rc;

	memset(req, 0, sizeof(*req));
	ctl_port_spec_init(&req->port);
	if (len > CTL_PROTO_MAX_REQUEST)
		return ctl_proto_errorf(msg, msg_size, -EMSGSIZE, "request longer than %d bytes",
					CTL_PROTO_MAX_REQUEST);
	if (len && line[len - 1] == '\n')
		len--;
	/* JSON_REJECT_DUPLICATES: two "name" keys must not mean the last one wins. */
	rc = ctl_proto_json_load(line, len, JSON_REJECT_DUPLICATES, "malformed JSON", &root, msg,
				 msg_size);
	if (rc)
		return rc;
	rc = envelope_split(root, &method, &params, msg, msg_size);
	if (!rc)
		rc = method_lookup(method, &req->method, msg, msg_size);
	if (!rc)
		rc = params_decode(params, req, msg, msg_size);
	json_decref(root);
	return rc ? -EINVAL : 0;
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
		params = ctl_proto_port_to_json(&req->port);
	else if (req->method == CTL_PORT_DEL)
		params = json_pack("{s:s}", "name", req->port.name);
	else
		params = NULL;
	if ((req->method == CTL_PORT_ADD || req->method == CTL_PORT_DEL) &&
	    json_object_set_new(root, "params", params)) {
		json_decref(root);
		return -ENOMEM;
	}
	return ctl_proto_json_dump_line(root, out, out_len);
}
