#include "plugin/conf/json_get.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool json_get_present(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return v && !json_is_null(v);
}

/* The value as JSON text for a message, shortened. */
static void show(const json_t *v, char *out, size_t size)
{
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	snprintf(out, size, "%s", text ? text : "?");
	if (text && strlen(text) >= size && size > 4)
		strcpy(out + size - 4, "...");
	free(text);
}

static int bad(struct cni_error *err, const char *where, const char *key, const json_t *v,
	       const char *want)
{
	char value[64];

	show(v, value, sizeof(value));
	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL, "%s\"%s\": %s must be %s", where,
			     key, value, want);
}

int json_get_string(const json_t *obj, const char *key, char *dst, size_t size, const char *where,
		    bool required, struct cni_error *err)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!v || json_is_null(v)) {
		if (required)
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "%s\"%s\" is required", where, key);
		return 0;
	}
	if (!json_is_string(v))
		return bad(err, where, key, v, "a string");
	if (json_string_length(v) >= size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "%s\"%s\" value \"%.40s...\" is longer than %zu bytes", where,
				     key, json_string_value(v), size - 1);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(err, where, key, v, "a string without NUL bytes");
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

int json_get_uint(const json_t *obj, const char *key, unsigned long long min,
		  unsigned long long max, unsigned int *dst, bool *present, const char *where,
		  struct cni_error *err)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	char want[64];

	if (present)
		*present = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (unsigned long long)json_integer_value(v) < min ||
	    (unsigned long long)json_integer_value(v) > max) {
		snprintf(want, sizeof(want), "an integer from %llu to %llu", min, max);
		return bad(err, where, key, v, want);
	}
	*dst = (unsigned int)json_integer_value(v);
	if (present)
		*present = true;
	return 0;
}

int json_get_bool(const json_t *obj, const char *key, bool *dst, bool *present, const char *where,
		  struct cni_error *err)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (present)
		*present = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return bad(err, where, key, v, "true or false");
	*dst = json_is_true(v);
	if (present)
		*present = true;
	return 0;
}

int json_get_object(const json_t *obj, const char *key, const json_t **dst, const char *where,
		    struct cni_error *err)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	*dst = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(err, where, key, v, "an object");
	*dst = v;
	return 0;
}

int json_get_enum(const json_t *obj, const char *key, const char *const *names, size_t n,
		  unsigned int *index, const char *where, struct cni_error *err)
{
	char text[64] = "", want[160] = "one of";
	size_t used = strlen(want);
	int ret = json_get_string(obj, key, text, sizeof(text), where, false, err);

	if (ret || !json_get_present(obj, key))
		return ret;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(text, names[i])) {
			*index = (unsigned int)i;
			return 0;
		}
		if (used < sizeof(want))
			used += (size_t)snprintf(want + used, sizeof(want) - used, "%s \"%s\"",
						 i ? "," : "", names[i]);
	}
	return bad(err, where, key, json_object_get(obj, key), want);
}
