/* The ranges file: format, compare, replace. */
#include "agent/ranges_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/util/fs.h"

#define RANGES_FILE_MAX 1024

/* CIDR text is digits, hex, '.', ':' and '/': nothing needs JSON escaping. */
int ranges_file_format(const struct node *node, char *buf, size_t size)
{
	size_t len;
	int n;

	if (!node->n_pod_cidrs)
		return -EINVAL;
	n = snprintf(buf, size, "{\"ranges\": [");
	for (size_t i = 0; n >= 0 && (size_t)n < size && i < node->n_pod_cidrs; i++) {
		char cidr[IP_PREFIX_STRLEN];

		len = (size_t)n;
		n += snprintf(buf + len, size - len, "%s[{\"subnet\": \"%s\"}]", i ? ", " : "",
			      ip_prefix_format(&node->pod_cidrs[i], cidr, sizeof(cidr)));
	}
	if (n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "]}\n");
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int ranges_file_write(const char *path, const struct node *node, bool *written, struct error *err)
{
	char text[RANGES_FILE_MAX], *old = NULL;
	size_t old_size = 0;
	int ret;

	*written = false;
	ret = ranges_file_format(node, text, sizeof(text));
	if (ret < 0)
		return error_set(err, -ret, "ranges file: node %s has no pod CIDR", node->name);
	if (fs_read_at(AT_FDCWD, path, RANGES_FILE_MAX, &old, &old_size) == 0 &&
	    old_size == strlen(text) && !memcmp(old, text, old_size)) {
		free(old);
		return 0;
	}
	free(old);
	ret = fs_mkdirs_parent(path, 0755);
	if (ret == 0)
		ret = fs_write_replace(path, text, strlen(text), 0644, false);
	if (ret < 0)
		return error_set(err, -ret, "ranges file %s: %s", path, strerror(-ret));
	*written = true;
	return 0;
}

int ranges_file_remove(const char *path, struct error *err)
{
	if (unlink(path) && errno != ENOENT)
		return error_set(err, errno, "ranges file %s: remove: %s", path, strerror(errno));
	return 0;
}
