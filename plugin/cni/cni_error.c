#include "plugin/cni/cni_error.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cni_error_set(struct cni_error *err, int code, int errnum, const char *fmt, ...)
{
	int ret = errnum > 0 ? -errnum : errnum < 0 ? errnum : -EINVAL;
	va_list ap;

	if (!err || err->code)
		return ret;
	err->code = code;
	if (err->msg[0])
		return ret;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

int cni_error_code(struct cni_error *err, int code, int ret)
{
	if (ret && err && !err->code)
		err->code = code;
	return ret;
}

void cni_error_details(struct cni_error *err, const char *fmt, ...)
{
	char text[ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	error_details(&err->base, "%s", text);
}

/*
 * Messages quote outside input (a container id, a truncated value) that may
 * not be UTF-8, which JSON strings must be: keep valid text as it is, else
 * replace every non-ASCII byte so the runtime still gets the error object.
 */
static json_t *json_text(const char *text)
{
	char safe[sizeof(((struct cni_error *)0)->msg)];
	size_t i;
	json_t *json = json_string(text);

	if (json)
		return json;
	for (i = 0; text[i] && i < sizeof(safe) - 1; i++)
		safe[i] = (unsigned char)text[i] < 0x80 ? text[i] : '?';
	safe[i] = '\0';
	return json_string(safe);
}

int cni_error_print(FILE *out, const struct cni_error *err, const char *cni_version)
{
	json_t *obj;
	int ret = 0;

	obj = json_pack("{s:s, s:i, s:o}", "cniVersion",
			cni_version && *cni_version ? cni_version : "1.1.0", "code",
			err->code ? err->code : CNI_ERR_INTERNAL, "msg",
			json_text(err->msg[0] ? err->msg : "unknown error"));
	if (!obj)
		return -ENOMEM;
	if (err->details[0] && json_object_set_new(obj, "details", json_text(err->details)))
		ret = -ENOMEM;
	if (!ret && (json_dumpf(obj, out, JSON_COMPACT) || fputc('\n', out) == EOF))
		ret = -EIO;
	json_decref(obj);
	return ret;
}
