/* Kubernetes JSON (NodeList, watch events, Status) into the agent's structs. */
#include "agent/node_parse.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/util/log.h"

/* A string member or "" (absent, null or not a string). */
static const char *member_string(const json_t *obj, const char *key)
{
	const char *value = json_string_value(json_object_get(obj, key));

	return value ? value : "";
}

/* Copy a string member; a value that does not fit is an error, never cut. */
static int copy_member(const json_t *obj, const char *key, char *out, size_t size, const char *what,
		       struct error *err)
{
	const char *value = member_string(obj, key);

	if ((size_t)snprintf(out, size, "%s", value) >= size)
		return error_set(err, ENAMETOOLONG, "node: %s \"%.40s...\" is too long", what,
				 value);
	return 0;
}

static void add_pod_cidr(struct node *node, const char *text)
{
	struct ip_prefix prefix;

	if (ip_prefix_parse(text, &prefix)) {
		log_warn("node %s: podCIDR \"%s\" is not a CIDR, ignored", node->name, text);
		return;
	}
	ip_prefix_network(&prefix, &prefix.addr);
	/* At most one per family (API validation); the first wins. */
	if (node_pod_cidr(node, prefix.addr.family) || node->n_pod_cidrs >= NODE_MAX_CIDRS)
		return;
	node->pod_cidrs[node->n_pod_cidrs++] = prefix;
}

static void parse_pod_cidrs(const json_t *spec, struct node *node)
{
	const json_t *cidrs = json_object_get(spec, "podCIDRs"), *item;
	size_t i;

	json_array_foreach(cidrs, i, item) if (json_is_string(item))
		add_pod_cidr(node, json_string_value(item));
	/* Old single-stack nodes only have the legacy field. */
	if (!node->n_pod_cidrs && *member_string(spec, "podCIDR"))
		add_pod_cidr(node, member_string(spec, "podCIDR"));
}

static void parse_addresses(const json_t *status, struct node *node)
{
	const json_t *addresses = json_object_get(status, "addresses"), *item;
	size_t i;

	json_array_foreach(addresses, i, item)
	{
		const char *text = member_string(item, "address");
		struct ip_address addr;

		if (strcmp(member_string(item, "type"), "InternalIP"))
			continue;
		if (ip_address_parse(text, &addr)) {
			log_warn("node %s: InternalIP \"%s\" is not an address, ignored",
				 node->name, text);
			continue;
		}
		if (node->n_internal_ips < NODE_MAX_ADDRS)
			node->internal_ips[node->n_internal_ips++] = addr;
	}
}

static int parse_node(const json_t *obj, struct node *out, char *rv, size_t rv_size,
		      struct error *err)
{
	const json_t *meta = json_object_get(obj, "metadata");
	int ret;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj) || !json_is_object(meta))
		return error_set(err, EINVAL, "node: not an object with \"metadata\"");
	if ((ret = copy_member(meta, "name", out->name, sizeof(out->name), "name", err)) ||
	    (ret = copy_member(meta, "uid", out->uid, sizeof(out->uid), "uid", err)))
		return ret;
	if (rv && (ret = copy_member(meta, "resourceVersion", rv, rv_size, "resourceVersion", err)))
		return ret;
	if (!out->name[0])
		return error_set(err, EINVAL, "node: metadata.name is missing");
	parse_pod_cidrs(json_object_get(obj, "spec"), out);
	parse_addresses(json_object_get(obj, "status"), out);
	return 0;
}

static json_t *load(const char *text, size_t size, const char *what, struct error *err)
{
	json_error_t json_err;
	json_t *root = json_loadb(text, size, 0, &json_err);

	if (!root)
		error_set(err, EINVAL, "%s: invalid JSON: %s (offset %d)", what, json_err.text,
			  json_err.position);
	else if (!json_is_object(root)) {
		error_set(err, EINVAL, "%s: not a JSON object", what);
		json_decref(root);
		root = NULL;
	}
	return root;
}

int node_parse_list(const char *text, size_t size, struct node_list *out, struct error *err)
{
	const json_t *items, *meta, *item;
	json_t *root;
	size_t i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	root = load(text, size, "node list", err);
	if (!root)
		return -EINVAL;
	meta = json_object_get(root, "metadata");
	items = json_object_get(root, "items");
	if (strcmp(member_string(root, "kind"), "NodeList") || !json_is_array(items)) {
		ret = error_set(err, EINVAL, "node list: not a NodeList with \"items\"");
		goto out;
	}
	if ((ret = copy_member(meta, "resourceVersion", out->resource_version,
			       sizeof(out->resource_version), "list resourceVersion", err)) ||
	    (ret = copy_member(meta, "continue", out->continue_token, sizeof(out->continue_token),
			       "list continue token", err)))
		goto out;
	out->items = calloc(json_array_size(items) + 1, sizeof(*out->items));
	if (!out->items) {
		ret = error_set(err, ENOMEM, "node list: out of memory for %zu nodes",
				json_array_size(items));
		goto out;
	}
	json_array_foreach(items, i, item)
	{
		struct error item_err = {0};

		if (parse_node(item, &out->items[out->n_items], NULL, 0, &item_err)) {
			log_warn("node list: item %zu skipped: %s", i, item_err.msg);
			continue;
		}
		out->n_items++;
	}
out:
	if (ret)
		node_list_free(out);
	json_decref(root);
	return ret;
}

void node_list_free(struct node_list *list)
{
	free(list->items);
	list->items = NULL;
	list->n_items = 0;
}

static const char *const event_types[] = {
	[NODE_EVENT_ADDED] = "ADDED",	  [NODE_EVENT_MODIFIED] = "MODIFIED",
	[NODE_EVENT_DELETED] = "DELETED", [NODE_EVENT_BOOKMARK] = "BOOKMARK",
	[NODE_EVENT_ERROR] = "ERROR",
};

static void status_from_json(const json_t *obj, struct api_status *out)
{
	memset(out, 0, sizeof(*out));
	if (json_is_integer(json_object_get(obj, "code")))
		out->code = (int)json_integer_value(json_object_get(obj, "code"));
	snprintf(out->reason, sizeof(out->reason), "%s", member_string(obj, "reason"));
	snprintf(out->message, sizeof(out->message), "%s", member_string(obj, "message"));
}

int node_parse_event(const char *text, size_t size, struct node_event *out, struct error *err)
{
	const char *type;
	const json_t *object;
	json_t *root;
	size_t i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	root = load(text, size, "watch event", err);
	if (!root)
		return -EINVAL;
	type = member_string(root, "type");
	object = json_object_get(root, "object");
	for (i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++)
		if (!strcmp(type, event_types[i]))
			break;
	if (i == sizeof(event_types) / sizeof(event_types[0]) || !json_is_object(object)) {
		ret = error_set(err, EINVAL, "watch event: unknown type \"%.32s\" or no object",
				type);
		goto out;
	}
	out->type = (enum node_event_type)i;
	switch (out->type) {
	case NODE_EVENT_ERROR:
		status_from_json(object, &out->status);
		break;
	case NODE_EVENT_BOOKMARK:
		/* A bookmark's object carries only metadata.resourceVersion. */
		ret = copy_member(json_object_get(object, "metadata"), "resourceVersion",
				  out->resource_version, sizeof(out->resource_version),
				  "bookmark resourceVersion", err);
		break;
	default:
		ret = parse_node(object, &out->node, out->resource_version,
				 sizeof(out->resource_version), err);
		break;
	}
out:
	json_decref(root);
	return ret;
}

int node_parse_status(const char *text, size_t size, struct api_status *out)
{
	json_t *root = json_loadb(text, size, 0, NULL);

	memset(out, 0, sizeof(*out));
	if (!root || strcmp(member_string(root, "kind"), "Status")) {
		json_decref(root);
		return -EINVAL;
	}
	status_from_json(root, out);
	json_decref(root);
	return 0;
}
