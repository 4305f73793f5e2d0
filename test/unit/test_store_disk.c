/* The disk store (host-local's format) through its ops, in a temp dir. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipam/store.h"
#include "ipam/store_index.h"

static char data_dir[64];
static char net_dir[128];
static struct ipam_store *store;
static struct cni_error err;

static void open_store(void)
{
	snprintf(data_dir, sizeof(data_dir), "/tmp/slicenet-store-test.XXXXXX");
	cr_assert_not_null(mkdtemp(data_dir));
	/* The store makes every missing directory below dataDir. */
	snprintf(net_dir, sizeof(net_dir), "%s/a/b/net1", data_dir);
	cr_assert_eq(ipam_store_disk_open(data_dir, "a/b/net1", &store, &err), 0, "%s", err.msg);
	cr_assert_eq(store->ops->lock(store, &err), 0, "%s", err.msg);
}

static void close_store(void)
{
	char cmd[128];

	if (store)
		store->ops->unlock(store);
	ipam_store_close(store);
	store = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data_dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(store_disk, .init = open_store, .fini = close_store);

static struct ip_address addr(const char *text)
{
	struct ip_address ip;

	cr_assert_eq(ip_address_parse(text, &ip), 0, "%s", text);
	return ip;
}

static void reserve(const char *ip, const char *id, const char *ifname)
{
	struct ip_address a = addr(ip);

	memset(&err, 0, sizeof(err));
	cr_assert_eq(store->ops->reserve(store, &a, id, ifname, &err), 0, "%s: %s", ip, err.msg);
}

/* The file's exact bytes, or NULL when it does not exist. */
static char *file_text(const char *name)
{
	static char buf[4096];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", net_dir, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	cr_assert_geq(n, 0);
	buf[n] = '\0';
	return buf;
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", net_dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static const char *in_dir(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", net_dir, name);
	return path;
}

/*
 * list() as owner id/ifname (NULL: read everything), and a copy of the
 * reservation named key in it (NULL when absent); its container ID lives in
 * the list, so it is copied too.
 */
static struct ipam_reservation *list_key(const char *id, const char *ifname, const char *key,
					 size_t *n)
{
	static struct ipam_reservation found;
	static char found_id[IPAM_STORE_ID_MAX];
	struct ipam_reservation *list = NULL;
	bool hit = false;

	memset(&err, 0, sizeof(err));
	cr_assert_eq(store->ops->list(store, id, ifname, &list, n, &err), 0, "%s", err.msg);
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(list[i].key, key)) {
			found = list[i];
			snprintf(found_id, sizeof(found_id), "%s", list[i].container_id);
			found.container_id = found_id;
			hit = true;
		}
	free(list);
	return hit ? &found : NULL;
}

/* list(), and the reservation named key in it (NULL when absent). */
static struct ipam_reservation *list_find(const char *key, size_t *n)
{
	return list_key(NULL, NULL, key, n);
}

Test(store_disk, reserve_writes_host_local_records_and_list_reads_them)
{
	struct ipam_reservation *res;
	size_t n;

	reserve("10.1.0.2", "c1", "eth0");
	reserve("fd00::2", "c2", "net1");
	cr_assert_str_eq(file_text("10.1.0.2"), "c1\r\neth0");
	cr_assert_str_eq(file_text("fd00::2"), "c2\r\nnet1");
	res = list_find("10.1.0.2", &n);
	cr_assert_eq(n, 2);
	cr_assert_not_null(res);
	cr_assert_str_eq(res->container_id, "c1");
	cr_assert_str_eq(res->ifname, "eth0");
	cr_assert_not(res->corrupt);
	res = list_find("fd00::2", &n);
	cr_assert_not_null(res);
	cr_assert_str_eq(res->container_id, "c2");
	{
		struct ip_address want = addr("fd00::2");

		cr_assert(ip_address_equal(&res->ip, &want));
	}
	/* No temp file is left behind by a successful write. */
	cr_assert_null(file_text(".10.1.0.2.tmp"));
}

Test(store_disk, second_reservation_of_an_address_is_eexist_and_keeps_the_first)
{
	struct ip_address a = addr("10.1.0.2");

	reserve("10.1.0.2", "c1", "eth0");
	memset(&err, 0, sizeof(err));
	cr_assert_eq(store->ops->reserve(store, &a, "c2", "eth0", &err), -EEXIST);
	cr_assert_eq(err.code, 0, "EEXIST leaves err untouched");
	cr_assert_str_eq(file_text("10.1.0.2"), "c1\r\neth0");
}

Test(store_disk, release_removes_the_record_and_is_idempotent)
{
	struct ipam_reservation *res;
	size_t n;

	reserve("10.1.0.2", "c1", "eth0");
	res = list_find("10.1.0.2", &n);
	cr_assert_not_null(res);
	cr_assert_eq(store->ops->release(store, res, &err), 0, "%s", err.msg);
	cr_assert_null(file_text("10.1.0.2"));
	cr_assert_eq(store->ops->release(store, res, &err), 0, "already gone is fine");
	cr_assert_null(list_find("10.1.0.2", &n));
	cr_assert_eq(n, 0);
}

Test(store_disk, last_reserved_round_trips_per_set_without_newline)
{
	struct ip_address a = addr("10.1.0.7"), b = addr("fd00::9"), got;

	cr_assert_eq(store->ops->last_reserved_get(store, 0, &got), -ENOENT);
	cr_assert_eq(store->ops->last_reserved_set(store, 0, &a, &err), 0, "%s", err.msg);
	cr_assert_eq(store->ops->last_reserved_set(store, 1, &b, &err), 0, "%s", err.msg);
	cr_assert_str_eq(file_text("last_reserved_ip.0"), "10.1.0.7");
	cr_assert_str_eq(file_text("last_reserved_ip.1"), "fd00::9");
	cr_assert_eq(store->ops->last_reserved_get(store, 0, &got), 0);
	cr_assert(ip_address_equal(&got, &a));
	cr_assert_eq(store->ops->last_reserved_get(store, 1, &got), 0);
	cr_assert(ip_address_equal(&got, &b));
	/* host-local may leave a trailing newline; garbage is no hint. */
	write_file("last_reserved_ip.0", "10.1.0.9\n");
	cr_assert_eq(store->ops->last_reserved_get(store, 0, &got), 0);
	a = addr("10.1.0.9");
	cr_assert(ip_address_equal(&got, &a));
	write_file("last_reserved_ip.0", "bogus");
	cr_assert_eq(store->ops->last_reserved_get(store, 0, &got), -ENOENT);
	/* Hints are not records. */
	{
		size_t n;

		list_find("x", &n);
		cr_assert_eq(n, 0);
	}
}

Test(store_disk, last_reserved_hint_that_is_a_fifo_or_symlink_is_ignored, .timeout = 10)
{
	struct ip_address got;
	char target[256];

	cr_assert_eq(mkfifo(in_dir("last_reserved_ip.0"), 0600), 0);
	cr_assert_eq(store->ops->last_reserved_get(store, 0, &got), -ENOENT);
	write_file("target", "10.1.0.5");
	snprintf(target, sizeof(target), "%s", in_dir("target"));
	cr_assert_eq(symlink(target, in_dir("last_reserved_ip.1")), 0);
	cr_assert_eq(store->ops->last_reserved_get(store, 1, &got), -ENOENT);
}

Test(store_disk, last_reserved_is_rewritten_in_place_and_replaces_what_is_no_file, .timeout = 10)
{
	struct ip_address a, b, got;
	struct stat before, after;
	char target[256];

	cr_assert_eq(ip_address_parse("10.1.0.100", &a), 0);
	cr_assert_eq(ip_address_parse("10.1.0.9", &b), 0);
	cr_assert_eq(store->ops->last_reserved_set(store, 0, &a, &err), 0, "%s", err.msg);
	cr_assert_eq(stat(in_dir("last_reserved_ip.0"), &before), 0);
	cr_assert_eq(store->ops->last_reserved_set(store, 0, &b, &err), 0, "%s", err.msg);
	cr_assert_str_eq(file_text("last_reserved_ip.0"), "10.1.0.9", "a shorter hint is cut");
	cr_assert_eq(stat(in_dir("last_reserved_ip.0"), &after), 0);
	cr_assert_eq(before.st_ino, after.st_ino, "written in place, not renamed over");
	cr_assert_eq(store->ops->last_reserved_get(store, 0, &got), 0);
	cr_assert(ip_address_equal(&got, &b));

	/* Whatever is no regular file is replaced, never written through. */
	cr_assert_eq(mkfifo(in_dir("last_reserved_ip.1"), 0600), 0);
	cr_assert_eq(store->ops->last_reserved_set(store, 1, &a, &err), 0, "%s", err.msg);
	cr_assert_str_eq(file_text("last_reserved_ip.1"), "10.1.0.100");
	write_file("target", "keep");
	snprintf(target, sizeof(target), "%s", in_dir("target"));
	cr_assert_eq(symlink(target, in_dir("last_reserved_ip.2")), 0);
	cr_assert_eq(store->ops->last_reserved_set(store, 2, &b, &err), 0, "%s", err.msg);
	cr_assert_str_eq(file_text("target"), "keep", "the link's target is untouched");
	cr_assert_str_eq(file_text("last_reserved_ip.2"), "10.1.0.9");
}

Test(store_disk, sweep_removes_interrupted_writes_only)
{
	size_t n;

	reserve("10.1.0.2", "c1", "eth0");
	write_file(".10.1.0.3.12345.tmp", "c9\r");
	write_file(".tmp-10.1.0.4-12345", "c9\r"); /* older slicenet's temp name */
	write_file(".last_reserved_ip.0.777.tmp", "10.1");
	write_file("last_reserved_ip.0", "10.1.0.2");
	cr_assert_eq(store->ops->sweep(store, &err), 0, "%s", err.msg);
	cr_assert_null(file_text(".10.1.0.3.12345.tmp"));
	cr_assert_null(file_text(".tmp-10.1.0.4-12345"));
	cr_assert_null(file_text(".last_reserved_ip.0.777.tmp"));
	cr_assert_str_eq(file_text("10.1.0.2"), "c1\r\neth0");
	cr_assert_str_eq(file_text("last_reserved_ip.0"), "10.1.0.2");
	cr_assert_not_null(file_text("lock"));
	cr_assert_not_null(list_find("10.1.0.2", &n));
	cr_assert_eq(n, 1);
}

/* A record under an address's name that we must not trust: listed corrupt, owner empty. */
static void assert_corrupt(const char *key)
{
	struct ipam_reservation *res;
	size_t n;

	res = list_find(key, &n);
	cr_assert_not_null(res, "%s is still listed (its address is not free)", key);
	cr_assert(res->corrupt, "%s is corrupt", key);
	cr_assert_str_eq(res->container_id, "");
	cr_assert_str_eq(res->ifname, "");
}

Test(store_disk, symlinked_record_is_never_followed)
{
	char victim[256];
	struct stat before, after;

	/* A host file the link points at: listing must not read it as a record. */
	snprintf(victim, sizeof(victim), "%s/victim", data_dir);
	{
		FILE *f = fopen(victim, "w");

		cr_assert_not_null(f);
		fputs("c1\r\neth0", f);
		fclose(f);
	}
	cr_assert_eq(stat(victim, &before), 0);
	cr_assert_eq(symlink(victim, in_dir("10.1.0.5")), 0);
	assert_corrupt("10.1.0.5");
	cr_assert_eq(stat(victim, &after), 0);
	cr_assert_eq(before.st_size, after.st_size);
	/* Reserving that address does not write through the link either. */
	{
		struct ip_address a = addr("10.1.0.5");

		cr_assert_eq(store->ops->reserve(store, &a, "c2", "eth0", &err), -EEXIST);
	}
	cr_assert_eq(stat(victim, &after), 0);
	cr_assert_eq(before.st_size, after.st_size);
}

Test(store_disk, fifo_record_does_not_block_listing, .timeout = 10)
{
	cr_assert_eq(mkfifo(in_dir("10.1.0.6"), 0600), 0);
	assert_corrupt("10.1.0.6");
}

Test(store_disk, socket_and_directory_records_are_corrupt, .timeout = 10)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", in_dir("10.1.0.8"));
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0, "%s", strerror(errno));
	assert_corrupt("10.1.0.8");
	close(fd);
	cr_assert_eq(mkdir(in_dir("10.1.0.9"), 0700), 0);
	assert_corrupt("10.1.0.9");
}

Test(store_disk, huge_record_is_corrupt_and_not_read_whole)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s", in_dir("10.1.0.7"));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	/* Sparse: 1 GiB on paper, nothing on disk; reading it whole would balloon. */
	cr_assert_eq(ftruncate(fd, 1L << 30), 0);
	close(fd);
	assert_corrupt("10.1.0.7");
}

Test(store_disk, malformed_records_are_corrupt)
{
	static const char *const bad[] = {
		"",			   /* empty */
		"   \r\n",		   /* only space */
		"c1\r\n",		   /* trimmed to an id-only record: fine, see below */
		"c 1\r\neth0",		   /* space in the id */
		"c1\r\neth0 extra",	   /* space in the ifname */
		"c1\r\nabcdefghijklmnopq", /* ifname longer than IFNAMSIZ - 1 */
	};
	char name[32];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "10.1.1.%zu", i + 1);
		write_file(name, bad[i]);
	}
	{
		/* NUL inside */
		int fd = open(in_dir("10.1.1.99"), O_WRONLY | O_CREAT | O_EXCL, 0600);

		cr_assert_geq(fd, 0);
		cr_assert_eq(write(fd, "c1\0\r\neth0", 9), 9);
		close(fd);
	}
	assert_corrupt("10.1.1.1");
	assert_corrupt("10.1.1.2");
	assert_corrupt("10.1.1.4");
	assert_corrupt("10.1.1.5");
	assert_corrupt("10.1.1.6");
	assert_corrupt("10.1.1.99");
	/* host-local's trailing-space trim makes "c1\r\n" an old id-only record. */
	{
		size_t n;
		struct ipam_reservation *res = list_find("10.1.1.3", &n);

		cr_assert_not_null(res);
		cr_assert_not(res->corrupt);
		cr_assert_str_eq(res->container_id, "c1");
		cr_assert_str_eq(res->ifname, "");
		cr_assert_eq(n, 7);
	}
}

Test(store_disk, names_that_are_no_address_are_not_records)
{
	size_t n;

	write_file("notes.txt", "c1\r\neth0");
	write_file(".hidden", "c1\r\neth0");
	write_file("10.1.0.300", "c1\r\neth0");
	cr_assert_null(list_find("notes.txt", &n));
	cr_assert_eq(n, 0);
}

Test(store_disk, probe_leaves_nothing_behind)
{
	size_t n;

	cr_assert_eq(store->ops->probe(store, &err), 0, "%s", err.msg);
	cr_assert_null(file_text(".probe"));
	list_find("x", &n);
	cr_assert_eq(n, 0);
}

/* Another process trying the same flock host-local's go-filemutex takes. */
static int try_lock_elsewhere(void)
{
	pid_t pid = fork();
	int status;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(in_dir("lock"), O_RDONLY);

		if (fd < 0)
			_exit(2);
		_exit(flock(fd, LOCK_EX | LOCK_NB) ? (errno == EWOULDBLOCK ? 1 : 3) : 0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(store_disk, lock_excludes_other_processes_until_unlocked)
{
	cr_assert_eq(try_lock_elsewhere(), 1, "held by the suite's init");
	store->ops->unlock(store);
	cr_assert_eq(try_lock_elsewhere(), 0, "free after unlock");
	cr_assert_eq(store->ops->lock(store, &err), 0, "%s", err.msg);
	cr_assert_eq(try_lock_elsewhere(), 1, "held again");
}

Test(store_disk, lock_file_that_is_a_symlink_is_refused)
{
	char target[256];

	store->ops->unlock(store);
	cr_assert_eq(unlink(in_dir("lock")), 0);
	snprintf(target, sizeof(target), "%s/elsewhere", data_dir);
	cr_assert_eq(symlink(target, in_dir("lock")), 0);
	memset(&err, 0, sizeof(err));
	cr_assert_lt(store->ops->lock(store, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_IO);
	cr_assert(strstr(err.msg, "lock"), "%s", err.msg);
	cr_assert_eq(access(target, F_OK), -1, "nothing created through the link");
	/* The suite's fini unlocks: give it a lock to drop. */
	cr_assert_eq(unlink(in_dir("lock")), 0);
	cr_assert_eq(store->ops->lock(store, &err), 0, "%s", err.msg);
}

Test(store_disk, symlinked_network_directory_is_refused)
{
	struct ipam_store *other = NULL;
	char real[256], link[256];

	snprintf(real, sizeof(real), "%s/real", data_dir);
	snprintf(link, sizeof(link), "%s/linked", data_dir);
	cr_assert_eq(mkdir(real, 0700), 0);
	cr_assert_eq(symlink(real, link), 0);
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_store_disk_open(data_dir, "linked", &other, &err), 0);
	cr_assert_null(other);
	cr_assert(strstr(err.msg, "linked"), "%s", err.msg);
}

Test(store_disk, data_dir_path_through_a_file_is_an_error_naming_it)
{
	struct ipam_store *other = NULL;
	char file[256];

	snprintf(file, sizeof(file), "%s/file", data_dir);
	{
		FILE *f = fopen(file, "w");

		cr_assert_not_null(f);
		fclose(f);
	}
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_store_disk_open(file, "net1", &other, &err), 0);
	cr_assert_null(other);
	cr_assert_eq(err.code, CNI_ERR_IO);
	cr_assert(strstr(err.msg, file), "%s", err.msg);
}

/* list() as the owner id/eth0 sees it: the reservation named key (NULL when absent). */
static struct ipam_reservation *list_as(const char *id, const char *key, size_t *n)
{
	return list_key(id, "eth0", key, n);
}

/* Rewrite a record in place (same inode), as no writer of the store does: shows what is cached. */
static void overwrite(const char *name, const char *text)
{
	int fd = open(in_dir(name), O_WRONLY | O_TRUNC);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

Test(store_disk, owner_index_caches_other_owners_and_rereads_the_callers)
{
	struct ipam_reservation *res;
	size_t n;

	reserve("10.1.0.2", "c1", "eth0");
	reserve("10.1.0.3", "c2", "eth0");
	cr_assert_not_null(list_as("c9", "10.1.0.2", &n));
	cr_assert(strstr(file_text("lock"), "slicenet-ipam-index"), "the listing left an index");
	cr_assert_str_eq(file_text("10.1.0.2"), "c1\r\neth0", "records stay host-local's");

	/* Another owner's record is answered from the index... */
	overwrite("10.1.0.2", "cX\r\neth0");
	res = list_as("c9", "10.1.0.2", &n);
	cr_assert_str_eq(res->container_id, "c1", "served from the index");
	/* ...the caller's own is read afresh, and so is every record the caller cannot trust. */
	overwrite("10.1.0.3", "c2\r\nnet9");
	res = list_as("c2", "10.1.0.3", &n);
	cr_assert_str_eq(res->ifname, "net9");
	/* A full listing (GC) reads everything and renews the index. */
	res = list_find("10.1.0.2", &n);
	cr_assert_str_eq(res->container_id, "cX");
	res = list_as("c9", "10.1.0.2", &n);
	cr_assert_str_eq(res->container_id, "cX");

	/* Records written or removed by someone else (host-local) are seen at once. */
	write_file("10.1.0.7", "hl\r\neth0");
	cr_assert_eq(unlink(in_dir("10.1.0.3")), 0);
	res = list_as("c9", "10.1.0.7", &n);
	cr_assert_not_null(res);
	cr_assert_str_eq(res->container_id, "hl");
	cr_assert_eq(n, 2, "10.1.0.2 and 10.1.0.7");
	cr_assert_null(list_as("c9", "10.1.0.3", &n));

	/* A corrupt record stays corrupt until fixed, and is re-read every time. */
	overwrite("10.1.0.7", "");
	cr_assert(list_find("10.1.0.7", &n)->corrupt);
	overwrite("10.1.0.7", "hl\r\neth0");
	cr_assert_not(list_as("c9", "10.1.0.7", &n)->corrupt);
}

Test(store_disk, owner_index_torn_is_ignored)
{
	size_t n;

	reserve("10.1.0.2", "c1", "eth0");
	cr_assert_not_null(list_as("c9", "10.1.0.2", &n));
	/* A torn write: the checksum no longer matches, so every record is read. */
	overwrite("lock", "slicenet-ipam-index 1 1 30 0000000000000000\n10.1.0.2 1 o cZ =eth0\n");
	overwrite("10.1.0.2", "c7\r\neth0");
	cr_assert_str_eq(list_as("c9", "10.1.0.2", &n)->container_id, "c7");
	cr_assert_eq(n, 1);
	cr_assert(strstr(file_text("lock"), "10.1.0.2"), "and the index is written anew");
	/* An empty lock file (host-local made it) is no index either. */
	overwrite("lock", "");
	overwrite("10.1.0.2", "c8\r\neth0");
	cr_assert_str_eq(list_as("c9", "10.1.0.2", &n)->container_id, "c8");
}

Test(store_disk, owner_index_of_hundreds_answers_every_other_owner_from_cache)
{
	char ip[32], id[32], key[32];
	struct ipam_reservation *res;
	size_t n;

	for (int i = 0; i < 600; i++) {
		snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 200, i % 200 + 2);
		snprintf(id, sizeof(id), "owner-%d", i);
		reserve(ip, id, i % 2 ? "eth0" : "");
	}
	cr_assert_not_null(list_as("c9", "10.1.0.2", &n));
	cr_assert_eq(n, 600);
	/* Rewritten in place (same inode): what comes back is the index's. */
	for (int i = 0; i < 600; i += 7) {
		snprintf(key, sizeof(key), "10.1.%d.%d", i / 200, i % 200 + 2);
		overwrite(key, "changed\r\neth0");
	}
	for (int i = 0; i < 600; i += 7) {
		snprintf(key, sizeof(key), "10.1.%d.%d", i / 200, i % 200 + 2);
		snprintf(id, sizeof(id), "owner-%d", i);
		res = list_as("c9", key, &n);
		cr_assert_not_null(res, "%s", key);
		cr_assert_str_eq(res->container_id, id, "%s served from the index", key);
		cr_assert_str_eq(res->ifname, i % 2 ? "eth0" : "");
		cr_assert_eq(n, 600);
	}
	/* A full listing (GC) reads them all as they are now. */
	cr_assert_str_eq(list_find("10.1.0.2", &n)->container_id, "changed");
	cr_assert_eq(n, 600);
}

Test(store_disk, owner_index_naming_a_file_twice_is_not_used)
{
	struct ipam_reservation twice[2] = {
		{.key = "10.1.0.2", .container_id = "cZ", .ifname = "eth0"},
		{.key = "10.1.0.2", .container_id = "cZ", .ifname = "eth0"}};
	uint64_t inos[2] = {1, 1};
	size_t n, size;
	char *text;

	reserve("10.1.0.2", "c1", "eth0");
	cr_assert_not_null(list_as("c9", "10.1.0.2", &n));
	/* A well-formed, checksummed index whose key repeats is no index. */
	text = store_index_encode(twice, inos, 2, &size);
	cr_assert_not_null(text);
	overwrite("lock", text);
	free(text);
	cr_assert_str_eq(list_as("c9", "10.1.0.2", &n)->container_id, "c1");
}
