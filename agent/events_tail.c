/* pread from a remembered offset; rename-then-drain instead of truncate. */
#include "agent/events_tail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/cni_event.h"

#define READ_CHUNK 65536

int events_tail_init(struct events_tail *t, const char *state_dir, size_t rotate_bytes,
		     struct error *err)
{
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->rotate_bytes = rotate_bytes ? rotate_bytes : EVENTS_TAIL_DEFAULT_ROTATE;
	if ((size_t)snprintf(t->path, sizeof(t->path), "%s/events.log", state_dir) >=
		    sizeof(t->path) ||
	    (size_t)snprintf(t->consumed_path, sizeof(t->consumed_path),
			     "%s" EVENTS_TAIL_CONSUMED_SUFFIX, t->path) >= sizeof(t->consumed_path))
		return error_set(err, ENAMETOOLONG, "--state-dir %.64s...: too long", state_dir);
	/* Left by a crash between rename and delete: drain it whole. */
	if (!lstat(t->consumed_path, &st) && S_ISREG(st.st_mode)) {
		t->consumed_pending = true;
		t->consumed_dev = st.st_dev;
		t->consumed_ino = st.st_ino;
		t->consumed_offset = 0;
	}
	return 0;
}

/*
 * Read path from *offset to its end (file identity checked against dev/ino
 * when known), delivering whole lines. A line longer than a chunk is junk:
 * skipped. Returns 0 (also when the file is gone) or -errno.
 */
static int drain(const char *path, bool *known, dev_t *dev, ino_t *ino, off_t *offset,
		 events_tail_line_fn fn, void *arg, struct error *err)
{
	char buf[READ_CHUNK];
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			*known = false;
			return 0;
		}
		return error_set(err, errno, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		ret = error_set(err, EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if (!*known || st.st_dev != *dev || st.st_ino != *ino || st.st_size < *offset) {
		*known = true;
		*dev = st.st_dev;
		*ino = st.st_ino;
		*offset = 0;
	}
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
			start = sizeof(buf); /* no newline in a whole chunk: not ours */
		*offset += (off_t)start;
		if (start < (size_t)n)
			break; /* a partial line: wait for the rest */
	}
	if (n < 0)
		ret = error_set(err, errno, "%s: read: %s", path, strerror(errno));
out:
	close(fd);
	return ret;
}

int events_tail_poll(struct events_tail *t, events_tail_line_fn fn, void *arg, struct error *err)
{
	int ret;

	if (t->consumed_pending) {
		bool known = true;

		ret = drain(t->consumed_path, &known, &t->consumed_dev, &t->consumed_ino,
			    &t->consumed_offset, fn, arg, err);
		if (ret < 0)
			return ret;
		if (unlink(t->consumed_path) && errno != ENOENT)
			return error_set(err, errno, "%s: %s", t->consumed_path, strerror(errno));
		t->consumed_pending = false;
	}
	ret = drain(t->path, &t->known, &t->dev, &t->ino, &t->offset, fn, arg, err);
	if (ret < 0 || !t->known || (size_t)t->offset < t->rotate_bytes)
		return ret;
	if (rename(t->path, t->consumed_path))
		return error_set(err, errno, "rename %s: %s", t->path, strerror(errno));
	t->consumed_pending = true;
	t->consumed_dev = t->dev;
	t->consumed_ino = t->ino;
	t->consumed_offset = t->offset;
	t->known = false;
	return 0;
}
