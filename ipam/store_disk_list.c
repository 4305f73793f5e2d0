/*
 * Reading the disk store: every reservation file, parsed, with the owner
 * index in the lock file (ipam/store_index.c is its codec) standing in for
 * the records it still describes. Records are read with fs_read_at: a
 * symlink, FIFO, directory or oversized file under an address's name is
 * never followed, never blocks us, and counts as a corrupt record (its
 * address is neither free nor anyone's).
 */
#include "ipam/store_disk_internal.h"

#include "ipam/store_index.h"
#include "plugin/util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 16 MiB: a /16 of records fits; a larger store is read record by record. */
#define INDEX_MAX (16U << 20)

static bool valid_token(const char *text, size_t len, size_t max)
{
	if (!len || len >= max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (text[i] <= ' ' || text[i] >= 0x7f)
			return false;
	return true;
}

/*
 * Parse "<id>\r\n<ifname>" or host-local's older "<id>"; NULL or why not.
 * *id is left pointing into data, NUL-terminated.
 */
static const char *parse_record(char *data, size_t size, struct ipam_reservation *out,
				const char **id)
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
	if (!valid_token(data, id_len, IPAM_STORE_ID_MAX))
		return "bad container ID";
	data[id_len] = '\0';
	*id = data;
	out->ifname[0] = '\0';
	if (!sep)
		return NULL;
	if (!valid_token(sep + 2, strlen(sep + 2), sizeof(out->ifname)))
		return "bad interface name";
	strcpy(out->ifname, sep + 2);
	return NULL;
}

/* 0, -ENOENT (gone meanwhile), -EUCLEAN (not a record we can trust) or an I/O error. */
static int read_record(struct disk_store *disk, const char *name, struct ipam_reservation *out,
		       struct cni_error *err)
{
	const char *why, *id;
	size_t size;
	char *data;
	int ret;

	ret = fs_read_at(disk->dir_fd, name, STORE_DISK_RECORD_MAX, &data, &size);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:
		return ret;
	case -ELOOP:  /* a symlink: never followed */
	case -EINVAL: /* a FIFO, socket, device */
	case -EISDIR:
	case -EFBIG:
	case -ENXIO: /* a FIFO or socket without a peer */
		return -EUCLEAN;
	default:
		return store_disk_io_error(err, -ret, "cannot read", disk->path, name);
	}
	why = parse_record(data, size, out, &id);
	/* The caller's to free; moved into the listing's allocation at the end (listing_finish). */
	if (!why && !(out->container_id = strdup(id)))
		ret = cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	free(data);
	return why ? -EUCLEAN : ret;
}

/* host-local's rule (allocator.c has the same): an old id-only record matches any ifname. */
static bool cached_as(const struct store_index_entry *cached, const char *container_id,
		      const char *ifname)
{
	return !strcmp(cached->container_id, container_id) &&
	       (!cached->ifname[0] || !strcmp(cached->ifname, ifname));
}

/*
 * A cached entry stands for the file only while a file of that name and
 * inode exists: a record is never rewritten in place (it is linked into
 * place, host-local creates it O_EXCL), so a new record is a new inode. What
 * the cache cannot see is a record released and taken again between two of
 * our listings (by host-local) that got the freed inode number back; hence
 * the caller's own and corrupt entries are always read afresh (store.h).
 */
static bool cache_usable(const struct store_index_entry *cached, uint64_t ino,
			 const char *container_id, const char *ifname)
{
	return cached && cached->ino == ino && !cached->corrupt &&
	       !cached_as(cached, container_id, ifname);
}

/*
 * The index lives in the "lock" file, which we hold while it is read or
 * written: host-local's go-filemutex only opens and flocks that file, never
 * reads or truncates it, and the store directory keeps host-local's layout.
 */
static void index_load(struct disk_store *disk, struct store_index *index)
{
	struct stat st;
	char *text;
	ssize_t n;

	if (disk->lock_fd < 0 || fstat(disk->lock_fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || st.st_size > INDEX_MAX)
		return;
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return;
	n = pread(disk->lock_fd, text, (size_t)st.st_size, 0);
	if (n <= 0) {
		free(text);
		return;
	}
	/* The index owns text now, even when it is no index. */
	if (store_index_parse(text, (size_t)n, index))
		memset(index, 0, sizeof(*index));
}

/* Best effort: a failed or torn write costs the next call a full read (checksum), nothing else. */
static void index_save(struct disk_store *disk, const struct ipam_reservation *res,
		       const uint64_t *inos, size_t n)
{
	size_t size;
	char *text = disk->lock_fd >= 0 ? store_index_encode(res, inos, n, &size) : NULL;
	struct stat st;

	if (!text)
		return;
	/* Never truncated to 0 (ext4 would flush it on close); trailing bytes are ignored. */
	if (size <= INDEX_MAX && pwrite(disk->lock_fd, text, size, 0) == (ssize_t)size &&
	    !fstat(disk->lock_fd, &st) && st.st_size > (off_t)size)
		(void)!ftruncate(disk->lock_fd, (off_t)size);
	free(text);
}

/*
 * What store_disk_list builds: the reservations it returns and their inodes,
 * for the index. Until listing_finish, container IDs point into the index's
 * text or into strings of their own (owned[i] marks those).
 */
struct listing {
	struct ipam_reservation *res;
	uint64_t *inos;
	bool *owned;
	size_t used, cap;
};

static int listing_grow(struct listing *l, struct cni_error *err)
{
	struct ipam_reservation *res;
	uint64_t *inos;
	bool *owned;
	size_t cap;

	if (l->used < l->cap)
		return 0;
	cap = l->cap ? l->cap * 2 : 64;
	res = realloc(l->res, cap * sizeof(*res));
	if (res)
		l->res = res;
	inos = res ? realloc(l->inos, cap * sizeof(*inos)) : NULL;
	if (inos)
		l->inos = inos;
	owned = inos ? realloc(l->owned, cap * sizeof(*owned)) : NULL;
	if (!owned)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	l->owned = owned;
	l->cap = cap;
	return 0;
}

static void listing_free(struct listing *l)
{
	for (size_t i = 0; l->owned && i < l->used; i++)
		if (l->owned[i])
			free((char *)l->res[i].container_id);
	free(l->owned);
	free(l->res);
	free(l->inos);
}

/* Copy the container IDs behind the array, so one free() releases the list. */
static int listing_finish(struct listing *l, struct cni_error *err)
{
	struct ipam_reservation *res;
	size_t bytes = 0;
	char *p;

	for (size_t i = 0; i < l->used; i++)
		bytes += strlen(l->res[i].container_id) + 1;
	res = realloc(l->res, l->used * sizeof(*res) + bytes);
	if (!res)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
	l->res = res;
	p = (char *)(res + l->used);
	for (size_t i = 0; i < l->used; i++) {
		size_t len = strlen(res[i].container_id) + 1;

		memcpy(p, res[i].container_id, len);
		if (l->owned[i])
			free((char *)res[i].container_id);
		l->owned[i] = false;
		res[i].container_id = p;
		p += len;
	}
	return 0;
}

/* Read one record into res; 1 when it is gone, 0 when read (corrupt or not). */
static int read_entry(struct disk_store *disk, const char *name, struct ipam_reservation *res,
		      struct cni_error *err)
{
	int ret = read_record(disk, name, res, err);

	if (ret == -ENOENT)
		return 1;
	if (ret == -EUCLEAN) {
		res->corrupt = true;
		res->container_id = "";
		res->ifname[0] = '\0';
		return 0;
	}
	return ret;
}

/*
 * Fill res from a cached entry: the strings were checked when the index was
 * parsed; the ID stays in the index's text until listing_finish copies it.
 */
static void from_cache(struct ipam_reservation *res, const struct store_index_entry *cached)
{
	memcpy(res->key, cached->key, strlen(cached->key) + 1);
	res->container_id = cached->container_id;
	memcpy(res->ifname, cached->ifname, strlen(cached->ifname) + 1);
}

int store_disk_list(struct ipam_store *store, const char *container_id, const char *ifname,
		    struct ipam_reservation **out, size_t *n, struct cni_error *err)
{
	struct disk_store *disk = store_disk_of(store);
	struct store_index index = {0};
	struct listing l = {0};
	size_t reused = 0;
	struct dirent *entry;
	DIR *dir = NULL;
	int ret;

	ret = store_disk_open_dir(disk, &dir, err);
	if (ret)
		return ret;
	if (container_id)
		index_load(disk, &index);
	/* Room for what the index knows and some more, so the list is not regrown. */
	l.cap = index.n ? index.n + 64 : 0;
	if (l.cap && (!(l.res = malloc(l.cap * sizeof(*l.res))) ||
		      !(l.inos = malloc(l.cap * sizeof(*l.inos))) ||
		      !(l.owned = malloc(l.cap * sizeof(*l.owned))))) {
		ret = cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "out of memory");
		goto fail;
	}
	while ((entry = readdir(dir))) {
		const struct store_index_entry *cached;
		struct ipam_reservation *res;

		/* Anything not named by an address (lock, hints, index, temp files) is not a
		 * record. */
		if (entry->d_name[0] == '.' || strlen(entry->d_name) >= sizeof(res->key))
			continue;
		if ((ret = listing_grow(&l, err)))
			goto fail;
		res = &l.res[l.used];
		memset(res, 0, sizeof(*res));
		if (ip_address_parse(entry->d_name, &res->ip))
			continue;
		l.inos[l.used] = entry->d_ino;
		l.owned[l.used] = false;
		cached = container_id ? store_index_find(&index, entry->d_name) : NULL;
		if (cache_usable(cached, entry->d_ino, container_id, ifname)) {
			from_cache(res, cached);
			reused++;
			l.used++;
			continue;
		}
		memcpy(res->key, entry->d_name, strlen(entry->d_name) + 1);
		ret = read_entry(disk, entry->d_name, res, err);
		if (ret < 0)
			goto fail;
		if (ret == 0) {
			l.owned[l.used] = !res->corrupt;
			l.used++;
		}
	}
	closedir(dir);
	dir = NULL;
	/* Rewrite the cache unless it held exactly what is there. */
	if (reused != index.n || reused != l.used)
		index_save(disk, l.res, l.inos, l.used);
	/* Before the index goes: cached IDs still point into its text. */
	if (l.used && (ret = listing_finish(&l, err)))
		goto fail;
	store_index_free(&index);
	free(l.inos);
	free(l.owned);
	if (!l.used) {
		free(l.res);
		l.res = NULL;
	}
	*out = l.res;
	*n = l.used;
	return 0;

fail:
	if (dir)
		closedir(dir);
	store_index_free(&index);
	listing_free(&l);
	return ret;
}
