#include "plugin/cni_error.h"

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
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

void cni_error_details(struct cni_error *err, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!err)
		return;
	used = strnlen(err->details, sizeof(err->details));
	if (used + 3 >= sizeof(err->details))
		return;
	if (used) {
		err->details[used++] = ';';
		err->details[used++] = ' ';
	}
	va_start(ap, fmt);
	vsnprintf(err->details + used, sizeof(err->details) - used, fmt, ap);
	va_end(ap);
}

int cni_error_print(FILE *out, const struct cni_error *err, const char *cni_version)
{
	json_t *obj;
	int ret = 0;

	obj = json_pack("{s:s, s:i, s:s}", "cniVersion",
			cni_version && *cni_version ? cni_version : "1.1.0", "code",
			err->code ? err->code : CNI_ERR_INTERNAL, "msg",
			err->msg[0] ? err->msg : "unknown error");
	if (!obj)
		return -ENOMEM;
	if (err->details[0] && json_object_set_new(obj, "details", json_string(err->details)))
		ret = -ENOMEM;
	if (!ret && (json_dumpf(obj, out, JSON_COMPACT) || fputc('\n', out) == EOF))
		ret = -EIO;
	json_decref(obj);
	return ret;
}
