#include "plugin/util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int error_set(struct error *err, int errnum, const char *fmt, ...)
{
	int ret = errnum > 0 ? -errnum : errnum < 0 ? errnum : -EINVAL;
	va_list ap;

	if (!err || err->msg[0])
		return ret;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

void error_details(struct error *err, const char *fmt, ...)
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
