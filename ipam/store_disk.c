/*
 * host-local's on-disk store (plugins/ipam/host-local/backend/disk), so both
 * plugins can share a dataDir: one file per address, named by it, holding
 * "<containerID>\r\n<ifname>"; last_reserved_ip.<set>; flock() on "lock".
 * Unlike host-local, a record is written to a temp file and linked into
 * place, so a crash never leaves a half-written record, and link() keeps
 * O_EXCL's "fails when taken" semantics.
 */
#include "ipam/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_NAME	     "lock"
#define LAST_RESERVED_PREFIX "last_reserved_ip."
/* Names starting with '.' are never addresses: host-local ignores them too. */
#define TEMP_PREFIX ".tmp-"
#define RECORD_MAX  1024

struct disk_store {
	struct ipam_store store;
	char path[PATH_MAX];
	int dir_fd;
	int lock_fd;
};

static struct disk_store *to_disk(struct ipam_store *store)
{
	return (struct disk_store *)store;
}

static int io_error(struct cni_error *err, int errnum, const char *what, const char *dir,
		    const char *name)
{
	return cni_error_set(err, CNI_ERR_IO, errnum, "ipam: %s %s%s%s: %s", what, dir,
			     name ? "/" : "", name ? name : "", strerror(errnum));
}

static int make_dirs(char *path, struct cni_error *err)
{
	for (char *p = path + 1;; p++) {
		char saved = *p;

		if (*p && *p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			int errnum = errno;

			*p = saved;
			return io_error(err, errnum, "cannot create", path, NULL);
		}
		*p = saved;
		if (!saved)
			return 0;
	}
}

static int write_all(int fd, const char *data, size_t size)
{
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		size -= (size_t)n;
	}
	return 0;
}

/* Write data to a fresh temp file; its name goes to tmp. */
static int write_temp(struct disk_store *disk, const char *base, const char *data, size_t size,
		      char *tmp, size_t tmp_size, struct cni_error *err)
{
	int fd, ret;

	if ((size_t)snprintf(tmp, tmp_size, TEMP_PREFIX "%s-%d", base, (int)getpid()) >= tmp_size)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENAMETOOLONG,
				     "ipam: temp name for %s too long", base);
	/* Only a dead writer leaves one behind: we hold the lock. */
	unlinkat(disk->dir_fd, tmp, 0);
	fd = openat(disk->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_error(err, errno, "cannot create", disk->path, tmp);
	/*
	 * No fsync, like host-local: a killed process loses nothing already
	 * written, and a power loss ends every pod on the node anyway. Each
	 * fsync cost ~0.6 ms of a ~5 ms ADD on the development VM.
	 */
	ret = write_all(fd, data, size);
	if (close(fd) && !ret)
		ret = -errno;
	if (ret) {
		unlinkat(disk->dir_fd, tmp, 0);
		return io_error(err, -ret, "cannot write", disk->path, tmp);
	}
	return 0;
}

static int disk_lock(struct ipam_store *store, struct cni_error *err)
{
	struct disk_store *disk = to_disk(store);

	while (flock(disk->lock_fd, LOCK_EX))
		if (errno != EINTR)
			return io_error(err, errno, "cannot lock", disk->path, LOCK_NAME);
	return 0;
}

static void disk_unlock(struct ipam_store *store)
{
	flock(to_disk(store)->lock_fd, LOCK_UN);
}

static bool valid_token(const char *text, size_t len, size_t max)
{
	if (!len || len >= max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (text[i] <= ' ' || text[i] >= 0x7f)
			return false;
	return true;
}

/* Parse "<id>\r\n<ifname>" or host-local's older "<id>"; NULL or why not. */
static const char *parse_record(char *data, size_t size, struct ipam_reservation *out)
{
	char *sep;
	size_t id_len;

	if (memchr(data, '\0', size))
		return "NUL byte";
	/* host-local compares after strings.TrimSpace. */
	while (size && (data[size - 1] == ' ' || data[size - 1] == '\n' || data[size - 1] == '\r' ||
			data[size - 1] == '\t'))
		size--;
	data[size] = '\0';
	if (!size)
		return "empty";
	sep = strstr(data, "\r\n");
	id_len = sep ? (size_t)(sep - data) : size;
	if (!valid_token(data, id_len, sizeof(out->container_id)))
		return "bad container ID";
	memcpy(out->container_id, data, id_len);
	out->container_id[id_len] = '\0';
	out->ifname[0] = '\0';
	if (!sep)
		return NULL;
	if (!valid_token(sep + 2, strlen(sep + 2), sizeof(out->ifname)))
		return "bad interface name";
	strcpy(out->ifname, sep + 2);
	return NULL;
}

static int read_record(struct disk_store *disk, const char *name, struct ipam_reservation *out,
		       struct cni_error *err)
{
	char data[RECORD_MAX + 1];
	const char *why;
	ssize_t n;
	int fd;

	fd = openat(disk->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : io_error(err, errno, "cannot read", disk->path, name);
	do
		n = read(fd, data, RECORD_MAX);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return io_error(err, errno, "cannot read", disk->path, name);
	why = n == RECORD_MAX ? "too long" : parse_record(data, (size_t)n, out);
	return why ? -EUCLEAN : 0;
}

static int open_dir(struct disk_store *disk, DIR **out, struct cni_error *err)
{
	int fd = openat(disk->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(*out = fdopendir(fd))) {
		int errnum = errno;

		if (fd >= 0)
			close(fd);
		return io_error(err, errnum, "cannot list", disk->path, NULL);
	}
	return 0;
}

static int disk_list(struct ipam_store *store, struct ipam_reservation **out, size_t *n,
		     struct cni_error *err)
{
	struct disk_store *disk = to_disk(store);
	struct ipam_reservation *list = NULL;
	size_t used = 0, cap = 0;
	struct dirent *entry;
	DIR *dir = NULL;
	int ret;

	ret = open_dir(disk, &dir, err);
	if (ret)
		return ret;
	while ((entry = readdir(dir))) {
		struct ipam_reservation res;

		/* Anything not named by an address (lock, hints, temp files) is not a record. */
		if (entry->d_name[0] == '.' || strlen(entry->d_name) >= sizeof(res.key) ||
		    ip_address_parse(entry->d_name, &res.ip))
			continue;
		if (used == cap) {
			struct ipam_reservation *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				ret = cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
				goto fail;
			}
			list = grown;
		}
		memcpy(res.key, entry->d_name, strlen(entry->d_name) + 1);
		res.corrupt = false;
		ret = read_record(disk, entry->d_name, &res, err);
		if (ret == -ENOENT)
			continue;
		if (ret == -EUCLEAN) {
			res.corrupt = true;
			res.container_id[0] = res.ifname[0] = '\0';
		} else if (ret) {
			goto fail;
		}
		list[used++] = res;
	}
	closedir(dir);
	*out = list;
	*n = used;
	return 0;

fail:
	closedir(dir);
	free(list);
	return ret;
}

static int disk_reserve(struct ipam_store *store, const struct ip_address *ip,
			const char *container_id, const char *ifname, struct cni_error *err)
{
	struct disk_store *disk = to_disk(store);
	char name[INET6_ADDRSTRLEN], tmp[NAME_MAX + 1], record[RECORD_MAX];
	int len, ret, errnum = 0;

	ip_address_format(ip, name, sizeof(name));
	len = snprintf(record, sizeof(record), "%s\r\n%s", container_id, ifname);
	if (len < 0 || (size_t)len >= sizeof(record))
		return cni_error_set(err, CNI_ERR_INTERNAL, ENAMETOOLONG,
				     "ipam: container ID %.32s... too long to record",
				     container_id);
	ret = write_temp(disk, name, record, (size_t)len, tmp, sizeof(tmp), err);
	if (ret)
		return ret;
	if (linkat(disk->dir_fd, tmp, disk->dir_fd, name, 0))
		errnum = errno;
	unlinkat(disk->dir_fd, tmp, 0);
	if (errnum == EEXIST)
		return -EEXIST;
	if (errnum)
		return io_error(err, errnum, "cannot reserve", disk->path, name);
	return 0;
}

static int disk_release(struct ipam_store *store, const struct ipam_reservation *reservation,
			struct cni_error *err)
{
	struct disk_store *disk = to_disk(store);

	if (unlinkat(disk->dir_fd, reservation->key, 0) && errno != ENOENT)
		return io_error(err, errno, "cannot release", disk->path, reservation->key);
	return 0;
}

static int disk_last_reserved_get(struct ipam_store *store, unsigned int index,
				  struct ip_address *out)
{
	struct disk_store *disk = to_disk(store);
	char name[64], data[INET6_ADDRSTRLEN + 8];
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), LAST_RESERVED_PREFIX "%u", index);
	fd = openat(disk->dir_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	do
		n = read(fd, data, sizeof(data) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	while (n && (data[n - 1] == '\n' || data[n - 1] == ' '))
		n--;
	data[n] = '\0';
	/* Only a hint: a bad one costs round robin once, as in host-local. */
	return ip_address_parse(data, out) ? -ENOENT : 0;
}

static int disk_last_reserved_set(struct ipam_store *store, unsigned int index,
				  const struct ip_address *ip, struct cni_error *err)
{
	struct disk_store *disk = to_disk(store);
	char name[64], text[INET6_ADDRSTRLEN], tmp[NAME_MAX + 1];
	int ret;

	snprintf(name, sizeof(name), LAST_RESERVED_PREFIX "%u", index);
	/* host-local parses the whole file as an address: no newline. */
	ip_address_format(ip, text, sizeof(text));
	ret = write_temp(disk, name, text, strlen(text), tmp, sizeof(tmp), err);
	if (ret)
		return ret;
	if (renameat(disk->dir_fd, tmp, disk->dir_fd, name)) {
		ret = io_error(err, errno, "cannot write", disk->path, name);
		unlinkat(disk->dir_fd, tmp, 0);
	}
	return ret;
}

static int disk_sweep(struct ipam_store *store, struct cni_error *err)
{
	struct disk_store *disk = to_disk(store);
	struct dirent *entry;
	DIR *dir = NULL;
	int ret;

	ret = open_dir(disk, &dir, err);
	if (ret)
		return ret;
	while ((entry = readdir(dir)))
		if (!strncmp(entry->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) &&
		    unlinkat(disk->dir_fd, entry->d_name, 0) && errno != ENOENT) {
			ret = io_error(err, errno, "cannot remove", disk->path, entry->d_name);
			break;
		}
	closedir(dir);
	return ret;
}

static int disk_probe(struct ipam_store *store, struct cni_error *err)
{
	struct disk_store *disk = to_disk(store);
	char tmp[NAME_MAX + 1];
	int ret;

	ret = write_temp(disk, "probe", "", 0, tmp, sizeof(tmp), err);
	if (!ret)
		unlinkat(disk->dir_fd, tmp, 0);
	return ret;
}

static void disk_close(struct ipam_store *store)
{
	struct disk_store *disk = to_disk(store);

	if (disk->lock_fd >= 0)
		close(disk->lock_fd);
	if (disk->dir_fd >= 0)
		close(disk->dir_fd);
	free(disk);
}

static const struct ipam_store_ops disk_ops = {
	.lock = disk_lock,
	.unlock = disk_unlock,
	.list = disk_list,
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
	ret = make_dirs(disk->path, err);
	if (ret)
		goto fail;
	disk->dir_fd = open(disk->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (disk->dir_fd < 0) {
		ret = io_error(err, errno, "cannot open", disk->path, NULL);
		goto fail;
	}
	/* go-filemutex (host-local) opens it O_RDONLY|O_CREAT: the same flock. */
	disk->lock_fd = openat(disk->dir_fd, LOCK_NAME, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	if (disk->lock_fd < 0) {
		ret = io_error(err, errno, "cannot open", disk->path, LOCK_NAME);
		goto fail;
	}
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
