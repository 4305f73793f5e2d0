#include "plugin/util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		bool end = *p == '\0';

		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (buf[0] && mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		if (buf[0] && (stat(buf, &st) || !S_ISDIR(st.st_mode)))
			return -ENOTDIR;
		if (end)
			return 0;
		*p = '/';
	}
}

int fs_mkdirs_parent(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *slash;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	return fs_mkdirs(buf, mode);
}

int fs_dir_open_at(int dir_fd, const char *name, bool create, mode_t mode)
{
	int fd;

	if (create && mkdirat(dir_fd, name, mode) && errno != EEXIST)
		return -errno;
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int write_all(int fd, const void *data, size_t size)
{
	const char *p = data;

	while (size) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

static int create_and_write(int dir_fd, const char *name, const void *data, size_t size,
			    mode_t mode)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, size);
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		unlinkat(dir_fd, name, 0);
	return ret;
}

int fs_write_replace_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode,
			bool exclusive)
{
	char tmp[NAME_MAX + 1];
	int ret;

	if (snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", name, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dir_fd, tmp, 0); /* a leftover of a killed process with our pid */
	ret = create_and_write(dir_fd, tmp, data, size, mode);
	if (ret)
		return ret;
	/* link() fails on an existing name where rename() would replace it. */
	if (exclusive ? linkat(dir_fd, tmp, dir_fd, name, 0) : renameat(dir_fd, tmp, dir_fd, name))
		ret = -errno;
	if (exclusive || ret)
		unlinkat(dir_fd, tmp, 0);
	return ret;
}

int fs_create_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode)
{
	return create_and_write(dir_fd, name, data, size, mode);
}

int fs_write_inplace_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
			mode);
	struct stat st;
	ssize_t n;
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	n = pwrite(fd, data, size, 0);
	if (n < 0 || (size_t)n != size) {
		ret = n < 0 ? -errno : -EIO;
		goto out;
	}
	/* Never to 0: ext4 flushes a file truncated to 0 on close, as it does on rename. */
	if ((off_t)size < st.st_size && size && ftruncate(fd, (off_t)size))
		ret = -errno;
out:
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int fs_write_replace(const char *path, const void *data, size_t size, mode_t mode, bool exclusive)
{
	char dir[PATH_MAX];
	const char *name;
	char *slash;
	int dir_fd, ret;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash) {
		name = path;
		strcpy(dir, ".");
	} else {
		name = path + (slash - dir) + 1;
		*slash = '\0';
		if (!dir[0])
			strcpy(dir, "/");
	}
	if (!*name)
		return -EISDIR;
	dir_fd = fs_dir_open_at(AT_FDCWD, dir, false, 0);
	if (dir_fd < 0)
		return dir_fd;
	ret = fs_write_replace_at(dir_fd, name, data, size, mode, exclusive);
	close(dir_fd);
	return ret;
}

int fs_unlink_at(int dir_fd, const char *name)
{
	if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
		return 0;
	return -errno;
}

int fs_write_new_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode)
{
	int ret = fs_unlink_at(dir_fd, name);

	if (ret)
		return ret;
	return create_and_write(dir_fd, name, data, size, mode);
}

int fs_read_at(int dir_fd, const char *name, size_t max, char **out, size_t *size)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	size_t used = 0;
	struct stat st;
	char *buf = NULL;
	int ret;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	ret = -EINVAL;
	if (!S_ISREG(st.st_mode))
		goto out;
	ret = -EFBIG;
	if ((size_t)st.st_size > max)
		goto out;
	ret = -ENOMEM;
	buf = malloc(max + 1);
	if (!buf)
		goto out;
	/* Read up to max+1: a file growing under us is still capped. */
	for (;;) {
		ssize_t n = read(fd, buf + used, max + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			ret = -EFBIG;
			goto out;
		}
	}
	buf[used] = '\0';
	*out = buf;
	*size = used;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

int fs_lock(const char *dir, const char *name)
{
	int dir_fd = fs_dir_open_at(AT_FDCWD, dir, false, 0), fd;

	if (dir_fd < 0)
		return dir_fd;
	fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dir_fd);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		int ret = -errno;

		if (ret == -EINTR)
			continue;
		close(fd);
		return ret;
	}
	return fd;
}

void fs_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}
