#include "plugin/datapath/sriov_pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
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

/* mkdir -p: the pool may be the first thing written under the state dir. */
static int pool_mkdirs(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

int sriov_pool_lock(const char *dir, struct cni_error *err)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = pool_mkdirs(dir);
	if (ret < 0)
		return cni_error_set(err, CNI_ERR_STATE, -ret, "sriov: create pool dir %s: %s", dir,
				     strerror(-ret));
	ret = pool_path(path, sizeof(path), dir, "lock", "", err);
	if (ret < 0)
		return ret;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return cni_error_set(err, CNI_ERR_STATE, errno, "sriov: open %s: %s", path,
				     strerror(errno));
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		ret = cni_error_set(err, CNI_ERR_STATE, errno, "sriov: lock %s: %s", path,
				    strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

void sriov_pool_unlock(int lock_fd)
{
	if (lock_fd >= 0)
		close(lock_fd); /* closing drops the flock */
}

static json_t *pool_encode_fields(const struct sriov_reservation *r);

static json_t *pool_encode(const struct sriov_reservation *r)
{
	json_t *root = pool_encode_fields(r);

	if (root && r->network[0] &&
	    json_object_set_new(root, "network", json_string(r->network))) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static json_t *pool_encode_fields(const struct sriov_reservation *r)
{
	const struct sriov_vf_settings *o = &r->orig_vf;
	char mac[18], vf_mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", r->orig_mac[0], r->orig_mac[1],
		 r->orig_mac[2], r->orig_mac[3], r->orig_mac[4], r->orig_mac[5]);
	snprintf(vf_mac, sizeof(vf_mac), "%02x:%02x:%02x:%02x:%02x:%02x", o->mac[0], o->mac[1],
		 o->mac[2], o->mac[3], o->mac[4], o->mac[5]);
	return json_pack("{s:s, s:s, s:I, s:b, s:s, s:s, s:s, s:s*, s:I, s:{s:I, s:s, s:I, s:I, "
			 "s:I, s:b, s:b, s:I, s:I, s:I}}",
			 "pciAddress", r->pci, "pf", r->pf, "vf", (json_int_t)r->vf_index, "dpdk",
			 r->dpdk, "containerID", r->container_id, "ifname", r->ifname, "origName",
			 r->orig_name, "origMac", r->have_orig_mac ? mac : NULL, "origMtu",
			 (json_int_t)r->orig_mtu, "origVF", "set", (json_int_t)o->set, "mac",
			 vf_mac, "vlan", (json_int_t)o->vlan, "qos", (json_int_t)o->vlan_qos,
			 "proto", (json_int_t)o->vlan_proto, "spoofchk", o->spoofchk, "trust",
			 o->trust, "minTxRate", (json_int_t)o->min_tx_rate, "maxTxRate",
			 (json_int_t)o->max_tx_rate, "linkState", (json_int_t)o->link_state);
}

static bool pool_mac(const char *text, unsigned char out[6])
{
	unsigned int b[6];

	if (!text ||
	    sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		out[i] = (unsigned char)b[i];
	return true;
}

static int pool_copy(char *dst, size_t size, const char *src)
{
	if (!src || snprintf(dst, size, "%s", src) >= (int)size)
		return -EINVAL;
	return 0;
}

static int pool_decode(json_t *root, struct sriov_reservation *r)
{
	const char *pci = NULL, *pf = NULL, *id = NULL, *ifname = NULL, *name = NULL;
	const char *mac = NULL, *vf_mac = NULL;
	json_int_t index = 0, mtu = 0, set = 0, vlan = 0, qos = 0, proto = 0, min = 0, max = 0;
	json_int_t state = 0;
	int dpdk = 0, spoofchk = 0, trust = 0;
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	if (json_unpack_ex(root, &jerr, 0,
			   "{s:s, s:s, s:I, s:b, s:s, s:s, s:s, s?s, s:I, s:{s:I, s:s, s:I, "
			   "s:I, s:I, s:b, s:b, s:I, s:I, s:I}}",
			   "pciAddress", &pci, "pf", &pf, "vf", &index, "dpdk", &dpdk,
			   "containerID", &id, "ifname", &ifname, "origName", &name, "origMac",
			   &mac, "origMtu", &mtu, "origVF", "set", &set, "mac", &vf_mac, "vlan",
			   &vlan, "qos", &qos, "proto", &proto, "spoofchk", &spoofchk, "trust",
			   &trust, "minTxRate", &min, "maxTxRate", &max, "linkState", &state) < 0)
		return -EINVAL;
	if (pool_copy(r->pci, sizeof(r->pci), pci) || pool_copy(r->pf, sizeof(r->pf), pf) ||
	    pool_copy(r->container_id, sizeof(r->container_id), id) ||
	    pool_copy(r->ifname, sizeof(r->ifname), ifname) ||
	    pool_copy(r->orig_name, sizeof(r->orig_name), name) || index < 0 || mtu < 0)
		return -EINVAL;
	/* Records written before the network was recorded have none: GC skips them. */
	if (json_is_string(json_object_get(root, "network")) &&
	    pool_copy(r->network, sizeof(r->network),
		      json_string_value(json_object_get(root, "network"))))
		return -EINVAL;
	r->vf_index = (unsigned int)index;
	r->dpdk = dpdk;
	r->have_orig_mac = mac && pool_mac(mac, r->orig_mac);
	r->orig_mtu = (unsigned int)mtu;
	r->orig_vf.set = (unsigned int)set;
	if (!pool_mac(vf_mac, r->orig_vf.mac))
		r->orig_vf.set &= ~SRIOV_VF_MAC;
	r->orig_vf.vlan = (unsigned int)vlan;
	r->orig_vf.vlan_qos = (unsigned int)qos;
	r->orig_vf.vlan_proto = (uint16_t)proto;
	r->orig_vf.spoofchk = spoofchk;
	r->orig_vf.trust = trust;
	r->orig_vf.min_tx_rate = (unsigned int)min;
	r->orig_vf.max_tx_rate = (unsigned int)max;
	r->orig_vf.link_state = (unsigned int)state;
	return 0;
}

/* Write r to <dir>/<pci>.json through a temporary file; excl: fail if it exists. */
static int pool_write(const char *dir, const struct sriov_reservation *r, bool excl,
		      struct cni_error *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	json_t *root = NULL;
	int ret;

	if ((ret = pool_check_pci(r->pci, err)) < 0 ||
	    (ret = pool_path(path, sizeof(path), dir, r->pci, POOL_SUFFIX, err)) < 0 ||
	    (ret = pool_path(tmp, sizeof(tmp), dir, r->pci, ".tmp", err)) < 0)
		return ret;
	root = pool_encode(r);
	if (!root)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: encoding record %s",
				     r->pci);
	if (json_dump_file(root, tmp, JSON_COMPACT) < 0) {
		ret = cni_error_set(err, CNI_ERR_STATE, errno ? errno : EIO, "sriov: write %s: %s",
				    tmp, strerror(errno ? errno : EIO));
		goto out;
	}
	/* link() fails on an existing name: the O_EXCL of a record written whole. */
	if (excl ? link(tmp, path) < 0 : rename(tmp, path) < 0) {
		ret = -errno;
		if (ret == -EEXIST) {
			struct sriov_reservation holder;

			if (sriov_pool_load(dir, r->pci, &holder, NULL) == 0)
				ret = cni_error_set(err, CNI_ERR_DATAPATH, EBUSY,
						    "sriov: VF %s is in use by %s/%s", r->pci,
						    holder.container_id, holder.ifname);
			else
				ret = cni_error_set(err, CNI_ERR_DATAPATH, EBUSY,
						    "sriov: VF %s is in use", r->pci);
		} else {
			ret = cni_error_set(err, CNI_ERR_STATE, -ret, "sriov: record %s: %s", path,
					    strerror(-ret));
		}
		unlink(tmp);
		goto out;
	}
	if (excl)
		unlink(tmp);
	ret = 0;
out:
	json_decref(root);
	return ret;
}

int sriov_pool_reserve(const char *dir, const struct sriov_reservation *r, struct cni_error *err)
{
	return pool_write(dir, r, true, err);
}

int sriov_pool_update(const char *dir, const struct sriov_reservation *r, struct cni_error *err)
{
	return pool_write(dir, r, false, err);
}

static int pool_load_path(const char *path, struct sriov_reservation *out, struct cni_error *err)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	root = json_load_file(path, 0, &jerr);
	if (!root) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return -ENOENT;
		return cni_error_set(err, CNI_ERR_STATE, EINVAL, "sriov: record %s: %s", path,
				     jerr.text);
	}
	ret = pool_decode(root, out);
	json_decref(root);
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
