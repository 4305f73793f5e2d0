#include "daemon/port_shadow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHADOW_DIR ".slicenetd"

static struct {
	int dir_fd;
	char dir[PATH_MAX];
} shadow = {.dir_fd = -1};

int port_shadow_init(const char *socket_dir)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (snprintf(shadow.dir, sizeof(shadow.dir), "%s/" SHADOW_DIR, socket_dir) >=
	    (int)sizeof(shadow.dir))
		return -ENAMETOOLONG;
	if (mkdir(shadow.dir, 0700) && errno != EEXIST)
		return -errno;
	fd = open(shadow.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Links of an earlier run: every port makes its own again. */
	d = fdopendir(dup(fd));
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(fd, de->d_name, 0);
	if (d)
		closedir(d);
	if (shadow.dir_fd >= 0)
		close(shadow.dir_fd);
	shadow.dir_fd = fd;
	return 0;
}

int port_shadow_path(int slot, char *out, size_t size)
{
	if (snprintf(out, size, "%s/p%d.sock", shadow.dir, slot) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

void port_shadow_remove(int slot)
{
	char name[32];

	snprintf(name, sizeof(name), "p%d.sock", slot);
	if (shadow.dir_fd >= 0)
		unlinkat(shadow.dir_fd, name, 0);
}

static int say(char *why, size_t size, int ret, const char *text, const char *path)
{
	if (why && size)
		snprintf(why, size, "%s %s", path, text);
	return ret;
}

int port_shadow_refresh(int slot, const char *pod_path, char *why, size_t why_size)
{
	char dir[PATH_MAX], name[32], tmp[48];
	struct stat pod, ours;
	const char *base;
	int dir_fd, ret;

	snprintf(name, sizeof(name), "p%d.sock", slot);
	snprintf(tmp, sizeof(tmp), ".p%d.sock.tmp", slot);
	base = strrchr(pod_path, '/');
	if (shadow.dir_fd < 0 || !base || (size_t)(base - pod_path) >= sizeof(dir))
		return say(why, why_size, -EINVAL, "cannot be linked", pod_path);
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - pod_path), pod_path);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0) {
		port_shadow_remove(slot);
		return -errno;
	}
	ret = 0;
	if (fstatat(dir_fd, base + 1, &pod, AT_SYMLINK_NOFOLLOW)) {
		ret = -errno; /* not there yet: the pod's application has not started */
		goto remove;
	}
	if (!S_ISSOCK(pod.st_mode)) {
		ret = say(why, why_size, -EINVAL, "is not a socket (a symlink, FIFO or file)",
			  pod_path);
		goto remove;
	}
	if (!fstatat(shadow.dir_fd, name, &ours, AT_SYMLINK_NOFOLLOW) &&
	    ours.st_ino == pod.st_ino && ours.st_dev == pod.st_dev)
		goto out;
	unlinkat(shadow.dir_fd, tmp, 0);
	if (linkat(dir_fd, base + 1, shadow.dir_fd, tmp, 0)) {
		ret = say(why, why_size, -errno, "cannot be linked to (another filesystem?)",
			  pod_path);
		goto remove;
	}
	/* The check that counts: on our own link, which the pod cannot touch. */
	if (fstatat(shadow.dir_fd, tmp, &ours, AT_SYMLINK_NOFOLLOW) || !S_ISSOCK(ours.st_mode)) {
		unlinkat(shadow.dir_fd, tmp, 0);
		ret = say(why, why_size, -EINVAL, "was swapped for something not a socket",
			  pod_path);
		goto remove;
	}
	if (renameat(shadow.dir_fd, tmp, shadow.dir_fd, name)) {
		ret = -errno;
		unlinkat(shadow.dir_fd, tmp, 0);
		goto remove;
	}
	ret = 1;
	goto out;
remove:
	unlinkat(shadow.dir_fd, name, 0);
out:
	close(dir_fd);
	return ret;
}
