/* Port table persistence: JSON lines, write-then-rename. */
#include "daemon/state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int path_in(char *out, size_t size, const char *dir, const char *name)
{
	if (snprintf(out, size, "%s/%s", dir, name) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int state_save(const char *dir, const struct ctl_port_spec *specs, size_t n)
{
	char path[PATH_MAX], tmp[PATH_MAX], *text;
	int fd = -1, dfd = -1, rc;
	size_t i;

	rc = path_in(path, sizeof(path), dir, STATE_FILE);
	if (!rc)
		rc = path_in(tmp, sizeof(tmp), dir, "." STATE_FILE ".tmp");
	if (rc)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		rc = ctl_proto_encode_port_spec(&specs[i], &text);
		if (rc)
			goto fail;
		rc = write_all(fd, text, strlen(text));
		free(text);
		if (!rc)
			rc = write_all(fd, "\n", 1);
		if (rc)
			goto fail;
	}
	/* fsync before rename: otherwise a crash can leave an empty file under the final name. */
	if (fsync(fd) || close(fd)) {
		fd = -1;
		rc = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path)) {
		rc = -errno;
		goto fail;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

int state_load(const char *dir, struct ctl_port_spec **specs, size_t *n)
{
	char path[PATH_MAX], msg[CTL_MESSAGE_MAX], *line = NULL;
	size_t cap = 0, alloc = 0, lineno = 0;
	struct ctl_port_spec *arr = NULL, *grown;
	ssize_t len;
	FILE *f;
	int rc;

	*specs = NULL;
	*n = 0;
	rc = path_in(path, sizeof(path), dir, STATE_FILE);
	if (rc)
		return rc;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len <= 1)
			continue;
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			grown = realloc(arr, alloc * sizeof(*arr));
			if (!grown) {
				rc = -ENOMEM;
				goto out;
			}
			arr = grown;
		}
		if (ctl_proto_decode_port_spec(line, &arr[*n], msg, sizeof(msg))) {
			fprintf(stderr, "slicenetd: %s line %zu skipped: %s\n", path, lineno, msg);
			continue;
		}
		(*n)++;
	}
	*specs = arr;
	arr = NULL;
out:
	free(arr);
	free(line);
	fclose(f);
	if (rc)
		*n = 0;
	return rc;
}
