/*
 * host-local's on-disk store (plugins/ipam/host-local/backend/disk), so both
 * plugins can share a dataDir: one file per address, named by it, holding
 * "<containerID>\r\n<ifname>"; last_reserved_ip.<set>; flock() on "lock".
 * Unlike host-local, a record is written to a temp file and linked into
 * place (fs_write_replace_at), so a crash never leaves a half-written
 * record, and link() keeps O_EXCL's "fails when taken" semantics. This file
 * opens, locks and writes the store; store_disk_list.c reads it.
 */
#include "ipam/store.h"

#include "ipam/store_disk_internal.h"
#include "plugin/util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOCK_NAME	     "lock"
#define LAST_RESERVED_PREFIX "last_reserved_ip."
/*
 * fs_write_replace_at's temp files are ".<name>.<pid>.tmp"; older slicenet
 * versions used ".tmp-<name>-<pid>". Names starting with '.' are never
 * addresses: host-local ignores them too.
 */
#define TEMP_SUFFIX	   ".tmp"
#define LEGACY_TEMP_PREFIX ".tmp-"
#define PROBE_NAME	   ".probe"
#define RECORD_MODE	   0600

int store_disk_io_error(struct cni_error *err, int errnum, const char *what, const char *dir,
			const char *name)
{
	return cni_error_set(err, CNI_ERR_IO, errnum, "ipam: %s %s%s%s: %s", what, dir,
			     name ? "/" : "", name ? name : "", strerror(errnum));
}

/* go-filemutex (host-local) flocks the same "lock" file: the two plugins exclude each other. */
static int disk_lock(struct ipam_store *store, struct cni_error *err)
{
	struct disk_store *disk = store_disk_of(store);
	int fd = fs_lock(disk->path, LOCK_NAME);

	if (fd < 0)
		return store_disk_io_error(err, -fd, "cannot lock", disk->path, LOCK_NAME);
	disk->lock_fd = fd;
	return 0;
}

static void disk_unlock(struct ipam_store *store)
{
	struct disk_store *disk = store_disk_of(store);

	fs_unlock(disk->lock_fd);
	disk->lock_fd = -1;
}

int store_disk_open_dir(struct disk_store *disk, DIR **out, struct cni_error *err)
{
	int fd = openat(disk->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(*out = fdopendir(fd))) {
		int errnum = errno;

		if (fd >= 0)
			close(fd);
		return store_disk_io_error(err, errnum, "cannot list", disk->path, NULL);
	}
	return 0;
}

static int disk_reserve(struct ipam_store *store, const struct ip_address *ip,
			const char *container_id, const char *ifname, struct cni_error *err)
{
	struct disk_store *disk = store_disk_of(store);
	char name[INET6_ADDRSTRLEN], record[STORE_DISK_RECORD_MAX];
	int len, ret;

	ip_address_format(ip, name, sizeof(name));
	len = snprintf(record, sizeof(record), "%s\r\n%s", container_id, ifname);
	if (len < 0 || (size_t)len >= sizeof(record))
		return cni_error_set(err, CNI_ERR_INTERNAL, ENAMETOOLONG,
				     "ipam: container ID %.32s... too long to record",
				     container_id);
	/*
	 * No fsync, like host-local: a killed process loses nothing already
	 * written, and a power loss ends every pod on the node anyway. Each
	 * fsync cost ~0.6 ms of a ~5 ms ADD on the development VM.
	 */
	ret = fs_write_replace_at(disk->dir_fd, name, record, (size_t)len, RECORD_MODE, true);
	if (ret == -EEXIST)
		return ret;
	if (ret)
		return store_disk_io_error(err, -ret, "cannot reserve", disk->path, name);
	return 0;
}

static int disk_release(struct ipam_store *store, const struct ipam_reservation *reservation,
			struct cni_error *err)
{
	struct disk_store *disk = store_disk_of(store);

	if (unlinkat(disk->dir_fd, reservation->key, 0) && errno != ENOENT)
		return store_disk_io_error(err, errno, "cannot release", disk->path,
					   reservation->key);
	return 0;
}

static int disk_last_reserved_get(struct ipam_store *store, unsigned int index,
				  struct ip_address *out)
{
	struct disk_store *disk = store_disk_of(store);
	char name[64], *data;
	size_t n;
	int ret;

	snprintf(name, sizeof(name), LAST_RESERVED_PREFIX "%u", index);
	if (fs_read_at(disk->dir_fd, name, INET6_ADDRSTRLEN + 8, &data, &n))
		return -ENOENT;
	while (n && (data[n - 1] == '\n' || data[n - 1] == ' '))
		n--;
	data[n] = '\0';
	/* Only a hint: a bad one costs round robin once, as in host-local. */
	ret = ip_address_parse(data, out) ? -ENOENT : 0;
	free(data);
	return ret;
}

static int disk_last_reserved_set(struct ipam_store *store, unsigned int index,
				  const struct ip_address *ip, struct cni_error *err)
{
	struct disk_store *disk = store_disk_of(store);
	char name[64], text[INET6_ADDRSTRLEN];
	int ret;

	snprintf(name, sizeof(name), LAST_RESERVED_PREFIX "%u", index);
	/* host-local parses the whole file as an address: no newline. */
	ip_address_format(ip, text, sizeof(text));
	/*
	 * In place, not renamed over: a rename costs ext4's flush (see
	 * fs_write_inplace_at). A hint torn by a crash parses as another
	 * address or none; either costs at most one round-robin pass.
	 */
	ret = fs_write_inplace_at(disk->dir_fd, name, text, strlen(text), RECORD_MODE);
	if (ret == -ELOOP || ret == -EINVAL || ret == -ENXIO) /* a symlink, FIFO: replace it */
		ret = fs_write_replace_at(disk->dir_fd, name, text, strlen(text), RECORD_MODE,
					  false);
	return ret ? store_disk_io_error(err, -ret, "cannot write", disk->path, name) : 0;
}

/* What an interrupted write leaves: never an address, a hint or the lock. */
static bool is_temp_name(const char *name)
{
	size_t len = strlen(name);

	if (name[0] != '.' || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	return !strncmp(name, LEGACY_TEMP_PREFIX, strlen(LEGACY_TEMP_PREFIX)) ||
	       (len > strlen(TEMP_SUFFIX) &&
		!strcmp(name + len - strlen(TEMP_SUFFIX), TEMP_SUFFIX));
}

static int disk_sweep(struct ipam_store *store, struct cni_error *err)
{
	struct disk_store *disk = store_disk_of(store);
	struct dirent *entry;
	DIR *dir = NULL;
	int ret;

	ret = store_disk_open_dir(disk, &dir, err);
	if (ret)
		return ret;
	while ((entry = readdir(dir))) {
		if (!is_temp_name(entry->d_name))
			continue;
		ret = fs_unlink_at(disk->dir_fd, entry->d_name);
		if (ret) {
			ret = store_disk_io_error(err, -ret, "cannot remove", disk->path,
						  entry->d_name);
			break;
		}
	}
	closedir(dir);
	return ret;
}

static int disk_probe(struct ipam_store *store, struct cni_error *err)
{
	struct disk_store *disk = store_disk_of(store);
	int ret;

	/* The same write path a reservation takes, under a name that is no address. */
	ret = fs_write_replace_at(disk->dir_fd, PROBE_NAME, "", 0, RECORD_MODE, false);
	if (!ret)
		ret = fs_unlink_at(disk->dir_fd, PROBE_NAME);
	return ret ? store_disk_io_error(err, -ret, "cannot write", disk->path, PROBE_NAME) : 0;
}

static void disk_close(struct ipam_store *store)
{
	struct disk_store *disk = store_disk_of(store);

	fs_unlock(disk->lock_fd);
	if (disk->dir_fd >= 0)
		close(disk->dir_fd);
	free(disk);
}

static const struct ipam_store_ops disk_ops = {
	.lock = disk_lock,
	.unlock = disk_unlock,
	.list = store_disk_list,
	.reserve = disk_reserve,
	.release = disk_release,
	.last_reserved_get = disk_last_reserved_get,
	.last_reserved_set = disk_last_reserved_set,
	.sweep = disk_sweep,
	.probe = disk_probe,
	.close = disk_close,
};

int ipam_store_disk_open(const char *data_dir, const char *network, struct ipam_store **out,
			 struct cni_error *err)
{
	struct disk_store *disk = calloc(1, sizeof(*disk));
	int ret;

	*out = NULL;
	if (!disk)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	disk->store.ops = &disk_ops;
	disk->dir_fd = -1;
	disk->lock_fd = -1;
	if ((size_t)snprintf(disk->path, sizeof(disk->path), "%s/%s", data_dir, network) >=
	    sizeof(disk->path)) {
		ret = cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				    "ipam: store path %s/%s too long", data_dir, network);
		goto fail;
	}
	ret = fs_mkdirs(disk->path, 0755);
	if (ret) {
		ret = store_disk_io_error(err, -ret, "cannot create", disk->path, NULL);
		goto fail;
	}
	ret = fs_dir_open_at(AT_FDCWD, disk->path, false, 0);
	if (ret < 0) {
		ret = store_disk_io_error(err, -ret, "cannot open", disk->path, NULL);
		goto fail;
	}
	disk->dir_fd = ret;
	ret = 0;
	*out = &disk->store;
	return 0;

fail:
	disk_close(&disk->store);
	return ret;
}

void ipam_store_close(struct ipam_store *store)
{
	if (store)
		store->ops->close(store);
}
