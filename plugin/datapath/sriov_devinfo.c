#include "plugin/datapath/sriov_devinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/util/ipaddr.h"

/* mkdir -p of path's parent directory. */
static int devinfo_mkdirs(const char *path)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* Dump root to path via path.tmp + rename; excl keeps an existing file. */
static int devinfo_dump(const char *path, json_t *root, bool excl, struct cni_error *err)
{
	char tmp[PATH_MAX];
	int ret;

	if (!root)
		return cni_error_set(err, CNI_ERR_INTERNAL, ENOMEM, "sriov: encoding %s", path);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return cni_error_set(err, CNI_ERR_IO, ENAMETOOLONG, "sriov: path %s is too long",
				     path);
	if ((ret = devinfo_mkdirs(path)) < 0)
		return cni_error_set(err, CNI_ERR_IO, -ret, "sriov: directory of %s: %s", path,
				     strerror(-ret));
	if (json_dump_file(root, tmp, JSON_COMPACT) < 0)
		return cni_error_set(err, CNI_ERR_IO, errno ? errno : EIO, "sriov: write %s: %s",
				     tmp, strerror(errno ? errno : EIO));
	ret = excl ? link(tmp, path) : rename(tmp, path);
	if (ret < 0 && !(excl && errno == EEXIST)) {
		ret = cni_error_set(err, CNI_ERR_IO, errno, "sriov: write %s: %s", path,
				    strerror(errno));
		unlink(tmp);
		return ret;
	}
	if (excl)
		unlink(tmp);
	return 0;
}

int sriov_devinfo_write(const char *path, const struct sriov_sysfs_vf *vf, struct cni_error *err)
{
	json_t *root;
	int ret;

	root = json_pack("{s:s, s:s, s:{s:s, s:s}}", "type", "pci", "version",
			 SRIOV_DEVINFO_VERSION, "pci", "pci-address", vf->pci, "pf-pci-address",
			 vf->pf_pci);
	ret = devinfo_dump(path, root, true, err);
	json_decref(root);
	return ret;
}

int sriov_descriptor_path(const char *dir, const char *container_id, const char *ifname, char *out,
			  size_t size, struct cni_error *err)
{
	if (snprintf(out, size, "%s/%s-%s.json", dir, container_id, ifname) >= (int)size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "sriov: descriptor path in %s is too long", dir);
	return 0;
}

static json_t *descriptor_addresses(const struct cni_result *result, json_t **gateways)
{
	char text[IP_PREFIX_STRLEN];
	json_t *ips = json_array();

	*gateways = json_array();
	if (!ips || !*gateways)
		return ips;
	for (unsigned int i = 0; i < result->n_ips; i++) {
		const struct cni_ip *ip = &result->ips[i];

		json_array_append_new(
			ips, json_string(ip_prefix_format(&ip->address, text, sizeof(text))));
		if (ip->gateway.family)
			json_array_append_new(
				*gateways,
				json_string(ip_address_format(&ip->gateway, text, sizeof(text))));
	}
	return ips;
}

static json_t *descriptor_routes(const struct cni_result *result)
{
	char dst[IP_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN];
	json_t *routes = json_array();

	for (unsigned int i = 0; routes && i < result->n_routes; i++) {
		const struct cni_route *r = &result->routes[i];

		if (r->gw.family)
			json_array_append_new(
				routes, json_pack("{s:s, s:s}", "dst",
						  ip_prefix_format(&r->dst, dst, sizeof(dst)), "gw",
						  ip_address_format(&r->gw, gw, sizeof(gw))));
		else
			json_array_append_new(
				routes, json_pack("{s:s}", "dst",
						  ip_prefix_format(&r->dst, dst, sizeof(dst))));
	}
	return routes;
}

int sriov_descriptor_write(const char *path, const struct sriov_sysfs_vf *vf, const char *ifname,
			   const struct cni_result *result, struct cni_error *err)
{
	char vfio[32] = "";
	json_t *root, *ips, *gateways = NULL;
	int ret;

	if (vf->iommu_group >= 0)
		snprintf(vfio, sizeof(vfio), "/dev/vfio/%d", vf->iommu_group);
	ips = descriptor_addresses(result, &gateways);
	/* o: the object takes the arrays' references, also when packing fails. */
	root = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s*, s:i, s:o, s:o, s:o}", "version",
			 1, "datapath", "sriov", "mode", "dpdk", "interface", ifname, "pciAddress",
			 vf->pci, "pfPciAddress", vf->pf_pci, "driver", vf->driver, "vfioDevice",
			 vfio[0] ? vfio : NULL, "numaNode", vf->numa_node, "ips", ips, "gateways",
			 gateways, "routes", descriptor_routes(result));
	ret = devinfo_dump(path, root, false, err);
	json_decref(root);
	return ret;
}

int sriov_devinfo_remove(const char *path, struct cni_error *err)
{
	if (path[0] && unlink(path) < 0 && errno != ENOENT)
		return cni_error_set(err, CNI_ERR_IO, errno, "sriov: remove %s: %s", path,
				     strerror(errno));
	return 0;
}
