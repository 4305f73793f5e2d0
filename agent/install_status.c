/* jansson over a small file the installer writes; unknown keys ignored. */
#include "agent/install_status.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STATUS_FILE_MAX 65536

static void copy(const json_t *obj, const char *key, char *out, size_t size)
{
	const char *value = json_string_value(json_object_get(obj, key));

	snprintf(out, size, "%s", value ? value : "");
}

int install_status_parse(const char *text, size_t size, struct install_status *out,
			 struct error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, size, 0, &jerr);
	const char *state;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!root)
		return error_set(err, EINVAL, "install status: %s", jerr.text);
	state = json_string_value(json_object_get(root, "state"));
	if (!json_is_object(root) || !state || (strcmp(state, "ok") && strcmp(state, "rejected"))) {
		ret = error_set(err, EINVAL,
				"install status: \"state\" must be \"ok\" or "
				"\"rejected\"");
		goto out;
	}
	out->rejected = !strcmp(state, "rejected");
	copy(root, "time", out->time, sizeof(out->time));
	copy(root, "installed", out->installed, sizeof(out->installed));
	copy(root, "candidate", out->candidate, sizeof(out->candidate));
	copy(root, "error", out->error, sizeof(out->error));
out:
	json_decref(root);
	return ret;
}

int install_status_read(const char *path, struct install_status *out, struct error *err)
{
	char buf[STATUS_FILE_MAX];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : error_set(err, errno, "%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return error_set(err, errno, "%s: %s", path, strerror(errno));
	if (n == (ssize_t)sizeof(buf))
		return error_set(err, EFBIG, "%s: larger than %d bytes", path, STATUS_FILE_MAX);
	return install_status_parse(buf, (size_t)n, out, err);
}
