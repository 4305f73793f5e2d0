/* pread from a remembered offset on a held fd; rename-then-drain, not truncate. */
#include "agent/events_tail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK 65536

static int open_regular(const char *path, int *fd, struct error *err)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0)
		return errno == ENOENT ? 0 : error_set(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return error_set(err, EINVAL, "%s: not a regular file", path);
	}
	return 0;
}

int events_tail_init(struct events_tail *t, const char *state_dir, size_t rotate_bytes,
		     struct error *err)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->consumed_fd = -1;
	t->rotate_bytes = rotate_bytes ? rotate_bytes : EVENTS_TAIL_DEFAULT_ROTATE;
	if ((size_t)snprintf(t->path, sizeof(t->path), "%s/events.log", state_dir) >=
		    sizeof(t->path) ||
	    (size_t)snprintf(t->consumed_path, sizeof(t->consumed_path),
			     "%s" EVENTS_TAIL_CONSUMED_SUFFIX, t->path) >= sizeof(t->consumed_path))
		return error_set(err, ENAMETOOLONG, "--state-dir %.64s...: too long", state_dir);
	/* Left by a crash between rename and delete: drain it whole on the first poll. */
	return open_regular(t->consumed_path, &t->consumed_fd, err);
}

void events_tail_close(struct events_tail *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->consumed_fd >= 0)
		close(t->consumed_fd);
	t->fd = t->consumed_fd = -1;
}

/*
 * Deliver whole lines from *offset to the end of fd. A chunk without a
 * newline is not a line the plugin wrote (its lines are short): skipped.
 */
static int drain(int fd, const char *path, off_t *offset, events_tail_line_fn fn, void *arg,
		 struct error *err)
{
	char buf[READ_CHUNK];
	struct stat st;
	ssize_t n;

	if (!fstat(fd, &st) && st.st_size < *offset)
		*offset = 0; /* truncated under us */
	while ((n = pread(fd, buf, sizeof(buf), *offset)) > 0) {
		size_t start = 0, end;
		char *nl;

		while ((nl = memchr(buf + start, '\n', (size_t)n - start))) {
			end = (size_t)(nl - buf);
			if (end > start)
				fn(buf + start, end - start, arg);
			start = end + 1;
		}
		if (start == 0 && n == (ssize_t)sizeof(buf))
			start = sizeof(buf);
		*offset += (off_t)start;
		if (start < (size_t)n)
			break; /* a partial line: wait for the rest */
	}
	return n < 0 ? error_set(err, errno, "%s: read: %s", path, strerror(errno)) : 0;
}

/* Does path still name the file open on fd? */
static int same_file(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !lstat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int events_tail_poll(struct events_tail *t, events_tail_line_fn fn, void *arg, struct error *err)
{
	int ret;

	if (t->consumed_fd >= 0) {
		ret = drain(t->consumed_fd, t->consumed_path, &t->consumed_offset, fn, arg, err);
		if (ret < 0)
			return ret;
		if (same_file(t->consumed_fd, t->consumed_path) && unlink(t->consumed_path))
			return error_set(err, errno, "%s: %s", t->consumed_path, strerror(errno));
		close(t->consumed_fd);
		t->consumed_fd = -1;
		t->consumed_offset = 0;
	}
	if (t->fd >= 0 && !same_file(t->fd, t->path)) {
		/* Replaced or removed: finish the old file, then the new one from 0. */
		ret = drain(t->fd, t->path, &t->offset, fn, arg, err);
		close(t->fd);
		t->fd = -1;
		t->offset = 0;
		if (ret < 0)
			return ret;
	}
	if (t->fd < 0) {
		ret = open_regular(t->path, &t->fd, err);
		if (ret < 0 || t->fd < 0)
			return ret;
		t->offset = 0;
	}
	ret = drain(t->fd, t->path, &t->offset, fn, arg, err);
	if (ret < 0 || (size_t)t->offset < t->rotate_bytes)
		return ret;
	if (rename(t->path, t->consumed_path))
		return error_set(err, errno, "rename %s: %s", t->path, strerror(errno));
	t->consumed_fd = t->fd;
	t->consumed_offset = t->offset;
	t->fd = -1;
	t->offset = 0;
	return 0;
}
