#include "plugin/datapath/sriov_pool.h"
#include "plugin/datapath/sriov_pool_codec.h"
#include "plugin/util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define POOL_SUFFIX ".json"

static int pool_path(char *buf, size_t size, const char *dir, const char *name, const char *suffix,
		     struct cni_error *err)
{
	if (snprintf(buf, size, "%s/%s%s", dir, name, suffix) >= (int)size)
		return cni_error_set(err, CNI_ERR_STATE, ENAMETOOLONG,
				     "sriov: pool path %s/%s is too long", dir, name);
	return 0;
}

/* A PCI address becomes a file name; anything with a '/' is refused. */
static int pool_check_pci(const char *pci, struct cni_error *err)
{
	if (!pci[0] || strchr(pci, '/') || pci[0] == '.')
		return cni_error_set(err, CNI_ERR_STATE, EINVAL,
				     "sriov: \"%s\" is not a PCI address", pci);
	return 0;
}

int sriov_pool_lock(const char *dir, struct cni_error *err)
{
	/* The pool may be the first thing written under the state dir. */
	int fd = fs_mkdirs(dir, 0700);

	if (fd < 0)
		return cni_error_set(err, CNI_ERR_STATE, -fd, "sriov: create pool dir %s: %s", dir,
				     strerror(-fd));
	fd = fs_lock(dir, "lock");
	if (fd < 0)
		return cni_error_set(err, CNI_ERR_STATE, -fd, "sriov: lock %s/lock: %s", dir,
				     strerror(-fd));
	return fd;
}

void sriov_pool_unlock(int lock_fd)
{
	fs_unlock(lock_fd);
}

/* Write r to <dir>/<pci>.json through a temporary file; excl: fail if it exists. */
static int pool_write(const char *dir, const struct sriov_reservation *r, bool excl,
		      struct cni_error *err)
{
	char path[PATH_MAX], *text;
	int ret;

	if ((ret = pool_check_pci(r->pci, err)) < 0 ||
	    (ret = pool_path(path, sizeof(path), dir, r->pci, POOL_SUFFIX, err)) < 0)
		return ret;
	text = sriov_pool_encode(r);
	if (!text)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: encoding record %s",
				     r->pci);
	/* Exclusive: the O_EXCL of a record written whole (fs_write_replace links it). */
	ret = fs_write_replace(path, text, strlen(text), 0600, excl);
	free(text);
	if (ret == -EEXIST) {
		struct sriov_reservation holder;

		if (sriov_pool_load(dir, r->pci, &holder, NULL) == 0)
			return cni_error_set(err, CNI_ERR_DATAPATH, EBUSY,
					     "sriov: VF %s is in use by %s/%s", r->pci,
					     holder.container_id, holder.ifname);
		return cni_error_set(err, CNI_ERR_DATAPATH, EBUSY, "sriov: VF %s is in use",
				     r->pci);
	}
	if (ret)
		return cni_error_set(err, CNI_ERR_STATE, -ret, "sriov: record %s: %s", path,
				     strerror(-ret));
	return 0;
}

int sriov_pool_reserve(const char *dir, const struct sriov_reservation *r, struct cni_error *err)
{
	return pool_write(dir, r, true, err);
}

int sriov_pool_update(const char *dir, const struct sriov_reservation *r, struct cni_error *err)
{
	return pool_write(dir, r, false, err);
}

/* Pool records are small; anything large is not one of ours. */
#define POOL_RECORD_MAX (64 * 1024)

static int pool_load_path(const char *path, struct sriov_reservation *out, struct cni_error *err)
{
	size_t size = 0;
	char *text = NULL;
	int ret = fs_read_at(AT_FDCWD, path, POOL_RECORD_MAX, &text, &size);

	if (ret == -ENOENT)
		return -ENOENT;
	if (ret)
		return cni_error_set(err, CNI_ERR_STATE, -ret, "sriov: record %s: %s", path,
				     strerror(-ret));
	ret = sriov_pool_decode(text, size, out);
	free(text);
	if (ret < 0)
		return cni_error_set(err, CNI_ERR_STATE, EINVAL, "sriov: record %s is malformed",
				     path);
	return 0;
}

int sriov_pool_load(const char *dir, const char *pci, struct sriov_reservation *out,
		    struct cni_error *err)
{
	char path[PATH_MAX];
	int ret;

	if ((ret = pool_check_pci(pci, err)) < 0 ||
	    (ret = pool_path(path, sizeof(path), dir, pci, POOL_SUFFIX, err)) < 0)
		return ret;
	return pool_load_path(path, out, err);
}

int sriov_pool_find(const char *dir, const char *container_id, const char *ifname,
		    struct sriov_reservation *out, struct cni_error *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = -ENOENT;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT
			       ? -ENOENT
			       : cni_error_set(err, CNI_ERR_STATE, errno,
					       "sriov: read pool dir %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= strlen(POOL_SUFFIX) ||
		    strcmp(de->d_name + len - strlen(POOL_SUFFIX), POOL_SUFFIX))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		/* A record that does not parse belongs to nobody we can name: skip it. */
		if (pool_load_path(path, out, NULL) < 0)
			continue;
		if (!strcmp(out->container_id, container_id) && !strcmp(out->ifname, ifname)) {
			ret = 0;
			break;
		}
	}
	closedir(d);
	if (ret < 0)
		memset(out, 0, sizeof(*out));
	return ret;
}

int sriov_pool_list(const char *dir, struct sriov_reservation **out, size_t *n,
		    struct cni_error *err)
{
	struct sriov_reservation *list = NULL, *grown;
	size_t cap = 0;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT
			       ? 0
			       : cni_error_set(err, CNI_ERR_STATE, errno,
					       "sriov: read pool dir %s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len <= strlen(POOL_SUFFIX) ||
		    strcmp(de->d_name + len - strlen(POOL_SUFFIX), POOL_SUFFIX) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				free(list);
				closedir(d);
				*n = 0;
				return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM,
						     "sriov: out of memory");
			}
			list = grown;
		}
		if (pool_load_path(path, &list[*n], NULL) == 0)
			(*n)++;
	}
	closedir(d);
	*out = list;
	return 0;
}

int sriov_pool_release(const char *dir, const char *pci, struct cni_error *err)
{
	char path[PATH_MAX];
	int ret;

	if ((ret = pool_check_pci(pci, err)) < 0 ||
	    (ret = pool_path(path, sizeof(path), dir, pci, POOL_SUFFIX, err)) < 0)
		return ret;
	if (unlink(path) < 0 && errno != ENOENT)
		return cni_error_set(err, CNI_ERR_STATE, errno, "sriov: remove %s: %s", path,
				     strerror(errno));
	return 0;
}

bool sriov_pool_is_reserved(const char *dir, const char *pci)
{
	char path[PATH_MAX];

	if (pool_check_pci(pci, NULL) < 0 ||
	    pool_path(path, sizeof(path), dir, pci, POOL_SUFFIX, NULL) < 0)
		return false;
	return access(path, F_OK) == 0;
}
