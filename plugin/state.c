#include "plugin/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/conf/record.h"
#include "plugin/util/fs.h"

/* ':' separates the ids: neither a container id nor an ifname may contain it. */
#define RECORD_SUFFIX ".json"

static int network_dir(const char *state_dir, const char *network, char *out, size_t size,
		       bool create, struct cni_error *err)
{
	if (snprintf(out, size, "%s/%s", state_dir, network) >= (int)size)
		return cni_error_set(err, CNI_ERR_STATE, ENAMETOOLONG,
				     "state directory %s/%s: path too long", state_dir, network);
	if (!create)
		return 0;
	/* The network's directory first: on every call but a node's first it exists. */
	if (!mkdir(out, 0700) || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return cni_error_set(err, CNI_ERR_STATE, errno, "state directory %s: %s", out,
				     strerror(errno));
	if (mkdir(state_dir, 0700) && errno != EEXIST)
		return cni_error_set(err, CNI_ERR_STATE, errno, "state directory %s: %s", state_dir,
				     strerror(errno));
	if (mkdir(out, 0700) && errno != EEXIST)
		return cni_error_set(err, CNI_ERR_STATE, errno, "state directory %s: %s", out,
				     strerror(errno));
	return 0;
}

static int record_path(const char *state_dir, const char *network, const char *container_id,
		       const char *ifname, char *out, size_t size, struct cni_error *err)
{
	if (snprintf(out, size, "%s/%s/%s:%s" RECORD_SUFFIX, state_dir, network, container_id,
		     ifname) >= (int)size)
		return cni_error_set(err, CNI_ERR_STATE, ENAMETOOLONG,
				     "state record for %s/%s: path too long", container_id, ifname);
	return 0;
}

int state_lock(const char *state_dir, const char *network, struct cni_error *err)
{
	char dir[PATH_MAX];
	int fd;

	fd = network_dir(state_dir, network, dir, sizeof(dir), true, err);
	if (fd)
		return fd;
	fd = fs_lock(dir, "lock");
	if (fd < 0)
		return cni_error_set(err, CNI_ERR_STATE, -fd, "state lock %s/lock: %s", dir,
				     strerror(-fd));
	return fd;
}

void state_unlock(int lock_fd)
{
	fs_unlock(lock_fd);
}

int state_save(const char *state_dir, const struct attachment *att, struct cni_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	char *text;
	int ret;

	if ((ret = network_dir(state_dir, att->network, dir, sizeof(dir), true, err)) ||
	    (ret = record_path(state_dir, att->network, att->container_id, att->ifname, path,
			       sizeof(path), err)))
		return ret;
	text = record_encode(att, err);
	if (!text)
		return -ENOMEM;
	/*
	 * Write then rename: a killed plugin leaves the old record or the new
	 * one, never half. No fsync (see ipam/store_disk.c): pods do not
	 * outlive a power loss.
	 */
	ret = fs_write_replace(path, text, strlen(text), 0600, false);
	free(text);
	if (ret)
		return cni_error_set(err, CNI_ERR_STATE, -ret, "state record %s: %s", path,
				     strerror(-ret));
	return 0;
}

/*
 * The record's text and the network directory it goes in, opened without
 * following symlinks. Under state_lock() the directory exists: it is made
 * here only when it does not.
 */
static int record_prepare(const char *state_dir, const struct attachment *att, char **text,
			  int *dir_fd, char *name, size_t name_size, struct cni_error *err)
{
	char dir[PATH_MAX];
	int ret;

	if ((ret = network_dir(state_dir, att->network, dir, sizeof(dir), false, err)))
		return ret;
	if (snprintf(name, name_size, "%s:%s" RECORD_SUFFIX, att->container_id, att->ifname) >=
	    (int)name_size)
		return cni_error_set(err, CNI_ERR_STATE, ENAMETOOLONG,
				     "state record for %s/%s: name too long", att->container_id,
				     att->ifname);
	*dir_fd = fs_dir_open_at(AT_FDCWD, dir, false, 0);
	if (*dir_fd == -ENOENT &&
	    !(ret = network_dir(state_dir, att->network, dir, sizeof(dir), true, err)))
		*dir_fd = fs_dir_open_at(AT_FDCWD, dir, false, 0);
	if (ret)
		return ret;
	if (*dir_fd < 0)
		return cni_error_set(err, CNI_ERR_STATE, -*dir_fd, "state directory %s: %s", dir,
				     strerror(-*dir_fd));
	*text = record_encode(att, err);
	if (!*text) {
		close(*dir_fd);
		return -ENOMEM;
	}
	return 0;
}

int state_claim(const char *state_dir, const struct attachment *att, struct cni_error *err)
{
	char name[NAME_MAX + 1], *text;
	int dir_fd, ret;

	ret = record_prepare(state_dir, att, &text, &dir_fd, name, sizeof(name), err);
	if (ret)
		return ret;
	/* Created in place, no temp file and rename: see state.h. */
	ret = fs_create_at(dir_fd, name, text, strlen(text), 0600);
	free(text);
	close(dir_fd);
	if (ret && ret != -EEXIST)
		return cni_error_set(err, CNI_ERR_STATE, -ret, "state record %s/%s/%s: %s",
				     state_dir, att->network, name, strerror(-ret));
	return ret;
}

int state_update(const char *state_dir, const struct attachment *att, struct cni_error *err)
{
	char name[NAME_MAX + 1], *text;
	int dir_fd, ret;

	ret = record_prepare(state_dir, att, &text, &dir_fd, name, sizeof(name), err);
	if (ret)
		return ret;
	ret = fs_write_inplace_at(dir_fd, name, text, strlen(text), 0600);
	free(text);
	close(dir_fd);
	if (ret)
		return cni_error_set(err, CNI_ERR_STATE, -ret, "state record %s/%s/%s: %s",
				     state_dir, att->network, name, strerror(-ret));
	return 0;
}

/* Records are small; a huge file is not one of ours. */
#define RECORD_MAX (256 * 1024)

static int load_file(const char *path, struct attachment *out, struct cni_error *err)
{
	size_t size = 0;
	char *text = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = fs_read_at(AT_FDCWD, path, RECORD_MAX, &text, &size);
	if (ret == -ENOENT)
		return -ENOENT;
	if (ret)
		return cni_error_set(err, CNI_ERR_STATE, -ret, "state record %s: %s", path,
				     strerror(-ret));
	ret = record_decode(text, size, out, err);
	free(text);
	if (ret)
		cni_error_details(err, "in state record %s", path);
	return ret;
}

int state_load(const char *state_dir, const char *network, const char *container_id,
	       const char *ifname, struct attachment *out, struct cni_error *err)
{
	char path[PATH_MAX];
	int ret;

	ret = record_path(state_dir, network, container_id, ifname, path, sizeof(path), err);
	if (ret)
		return ret;
	return load_file(path, out, err);
}

int state_remove(const char *state_dir, const char *network, const char *container_id,
		 const char *ifname, struct cni_error *err)
{
	char path[PATH_MAX];
	int ret;

	ret = record_path(state_dir, network, container_id, ifname, path, sizeof(path), err);
	if (ret)
		return ret;
	if (unlink(path) && errno != ENOENT)
		return cni_error_set(err, CNI_ERR_STATE, errno, "state record %s: %s", path,
				     strerror(errno));
	return 0;
}

int state_foreach(const char *state_dir, const char *network,
		  int (*fn)(const struct attachment *att, bool ok, void *arg), void *arg,
		  struct cni_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct attachment *att;
	struct dirent *entry;
	DIR *d;
	int ret;

	ret = network_dir(state_dir, network, dir, sizeof(dir), false, err);
	if (ret)
		return ret;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT
			       ? 0
			       : cni_error_set(err, CNI_ERR_STATE, errno, "state directory %s: %s",
					       dir, strerror(errno));
	att = malloc(sizeof(*att));
	if (!att) {
		closedir(d);
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	while ((entry = readdir(d))) {
		size_t len = strlen(entry->d_name);
		struct cni_error ignored = {0};
		char *colon;
		bool ok;

		if (len <= strlen(RECORD_SUFFIX) ||
		    strcmp(entry->d_name + len - strlen(RECORD_SUFFIX), RECORD_SUFFIX))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
		ok = load_file(path, att, &ignored) == 0;
		if (!ok) {
			/* Keep the ids from the name so GC can still clean up after it. */
			memset(att, 0, sizeof(*att));
			snprintf(att->network, sizeof(att->network), "%s", network);
			colon = strchr(entry->d_name, ':');
			if (!colon)
				continue;
			snprintf(att->container_id, sizeof(att->container_id), "%.*s",
				 (int)(colon - entry->d_name), entry->d_name);
			snprintf(att->ifname, sizeof(att->ifname), "%.*s",
				 (int)(len - strlen(RECORD_SUFFIX) -
				       (size_t)(colon + 1 - entry->d_name)),
				 colon + 1);
		}
		ret = fn(att, ok, arg);
		if (ret)
			break;
	}
	free(att);
	closedir(d);
	return ret;
}
