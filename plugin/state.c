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

#include "plugin/cni/cni_result.h"

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
	char dir[PATH_MAX], path[PATH_MAX + 8];
	int fd, ret;

	ret = network_dir(state_dir, network, dir, sizeof(dir), true, err);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return cni_error_set(err, CNI_ERR_STATE, errno, "state lock %s: %s", path,
				     strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		ret = cni_error_set(err, CNI_ERR_STATE, errno, "state lock %s: %s", path,
				    strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

void state_unlock(int lock_fd)
{
	if (lock_fd >= 0)
		close(lock_fd); /* closing drops the flock */
}

/* One write() of the whole text: json_dumpfd writes token by token. */
static int write_json(int fd, const json_t *json)
{
	char *text = json_dumps(json, JSON_COMPACT);
	size_t size, done = 0;
	int ret = 0;

	if (!text)
		return -ENOMEM;
	size = strlen(text);
	while (done < size) {
		ssize_t n = write(fd, text + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	free(text);
	return ret;
}

static json_t *attachment_encode(const struct attachment *att, struct cni_error *err)
{
	json_t *result = cni_result_encode(&att->result, "1.1.0", err);

	if (!result)
		return NULL;
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "version",
			 1, "containerID", att->container_id, "ifname", att->ifname, "netns",
			 att->netns, "network", att->network, "slice", att->slice, "datapath",
			 att->datapath, "hostIfname", att->host_ifname, "socketPath",
			 att->socket_path, "pciID", att->pci_id, "ipamType", att->ipam_type,
			 "result", result);
}

static int copy_field(const json_t *obj, const char *key, char *dst, size_t size)
{
	const char *value = json_string_value(json_object_get(obj, key));

	if (!value)
		return -EINVAL;
	return snprintf(dst, size, "%s", value) >= (int)size ? -ENAMETOOLONG : 0;
}

static int attachment_decode(const json_t *obj, struct attachment *att, struct cni_error *err)
{
	struct cni_error ignored = {0};

	if (copy_field(obj, "containerID", att->container_id, sizeof(att->container_id)) ||
	    copy_field(obj, "ifname", att->ifname, sizeof(att->ifname)) ||
	    copy_field(obj, "netns", att->netns, sizeof(att->netns)) ||
	    copy_field(obj, "network", att->network, sizeof(att->network)) ||
	    copy_field(obj, "slice", att->slice, sizeof(att->slice)) ||
	    copy_field(obj, "datapath", att->datapath, sizeof(att->datapath)) ||
	    copy_field(obj, "hostIfname", att->host_ifname, sizeof(att->host_ifname)) ||
	    copy_field(obj, "socketPath", att->socket_path, sizeof(att->socket_path)) ||
	    copy_field(obj, "pciID", att->pci_id, sizeof(att->pci_id)) ||
	    copy_field(obj, "ipamType", att->ipam_type, sizeof(att->ipam_type)))
		return cni_error_set(err, CNI_ERR_STATE, EINVAL, "a field is missing or too long");
	if (cni_result_decode(json_object_get(obj, "result"), &att->result, &ignored))
		return cni_error_set(err, CNI_ERR_STATE, EINVAL, "result: %s", ignored.msg);
	return 0;
}

int state_save(const char *state_dir, const struct attachment *att, struct cni_error *err)
{
	char dir[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX + 16];
	json_t *json = NULL;
	int fd = -1, ret;

	if ((ret = network_dir(state_dir, att->network, dir, sizeof(dir), true, err)) ||
	    (ret = record_path(state_dir, att->network, att->container_id, att->ifname, path,
			       sizeof(path), err)))
		return ret;
	json = attachment_encode(att, err);
	if (!json)
		return -ENOMEM;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = cni_error_set(err, CNI_ERR_STATE, errno, "state record %s: %s", tmp,
				    strerror(errno));
		goto out;
	}
	/*
	 * Write then rename: a killed plugin leaves the old record or the new
	 * one, never half. No fsync (see ipam/store_disk.c): pods do not
	 * outlive a power loss.
	 */
	ret = write_json(fd, json);
	if (close(fd) && !ret)
		ret = -errno;
	if (ret) {
		fd = -1;
		ret = cni_error_set(err, CNI_ERR_STATE, -ret, "state record %s: write failed: %s",
				    tmp, strerror(-ret));
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		ret = cni_error_set(err, CNI_ERR_STATE, errno, "state record %s: %s", path,
				    strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	json_decref(json);
	return ret;
}

static int load_file(const char *path, struct attachment *out, struct cni_error *err)
{
	json_error_t jerr;
	json_t *json;
	int ret;

	memset(out, 0, sizeof(*out));
	json = json_load_file(path, 0, &jerr);
	if (!json) {
		if (errno == ENOENT && access(path, F_OK))
			return -ENOENT;
		return cni_error_set(err, CNI_ERR_STATE, EINVAL, "state record %s is corrupt: %s",
				     path, jerr.text);
	}
	ret = attachment_decode(json, out, err);
	json_decref(json);
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
