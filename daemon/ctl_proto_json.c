/* The control protocol's JSON plumbing: one value per line, and the typed getters. */
#include "daemon/ctl_proto_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ctl_proto_json_string(json_t *v, const char *key, char *dst, size_t size, char *msg,
			  size_t msg_size)
{
	if (!json_is_string(v))
		return ctl_proto_errorf(msg, msg_size, -EINVAL, "\"%s\" must be a string", key);
	if (json_string_length(v) >= size)
		return ctl_proto_errorf(msg, msg_size, -EINVAL, "\"%s\" is longer than %zu bytes",
					key, size - 1);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return ctl_proto_errorf(msg, msg_size, -EINVAL, "\"%s\" contains a NUL byte", key);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int ctl_proto_json_get_str(json_t *obj, const char *key, char *dst, size_t size)
{
	return ctl_proto_json_string(json_object_get(obj, key), key, dst, size, NULL, 0) ? -EPROTO
											 : 0;
}

int ctl_proto_json_get_u64(json_t *obj, const char *key, uint64_t *dst)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -EPROTO;
	*dst = (uint64_t)json_integer_value(v);
	return 0;
}

int ctl_proto_json_load(const char *text, size_t len, size_t flags, const char *what, json_t **root,
			char *msg, size_t msg_size)
{
	json_error_t jerr;

	*root = json_loadb(text, len, flags, &jerr);
	if (!*root)
		return ctl_proto_errorf(msg, msg_size, -EINVAL, "%s: %s", what, jerr.text);
	return 0;
}

int ctl_proto_json_dump_line(json_t *root, char **out, size_t *out_len)
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
