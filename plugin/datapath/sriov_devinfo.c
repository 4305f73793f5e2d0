#include "plugin/datapath/sriov_devinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/cni/device_info.h"
#include "plugin/util/fs.h"
#include "plugin/util/ipaddr.h"

/* Write text to path (parents made); keep an existing file when keep_existing. */
static int devinfo_store(const char *path, char *text, bool keep_existing, struct cni_error *err)
{
	int ret = text ? fs_mkdirs_parent(path, 0755) : -ENOMEM;

	if (!ret)
		ret = fs_write_replace(path, text, strlen(text), 0644, keep_existing);
	free(text);
	if (ret == -EEXIST && keep_existing)
		return 0;
	if (ret)
		return cni_error_set(err, CNI_ERR_IO, -ret, "sriov: write %s: %s", path,
				     strerror(-ret));
	return 0;
}

int sriov_devinfo_write(const char *path, const struct sriov_sysfs_vf *vf, struct cni_error *err)
{
	struct device_info info = {
		.type = DEVICE_INFO_PCI,
		.pci_address = vf->pci,
		.pf_pci_address = vf->pf_pci,
	};

	/* The spec lets a device plugin write it first: an existing file stays. */
	return devinfo_store(path, device_info_encode(&info, NULL), true, err);
}

int sriov_descriptor_path(const char *dir, const char *container_id, const char *ifname, char *out,
			  size_t size, struct cni_error *err)
{
	if (snprintf(out, size, "%s/%s-%s.json", dir, container_id, ifname) >= (int)size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "sriov: descriptor path in %s is too long", dir);
	return 0;
}

int sriov_descriptor_write(const char *path, const struct sriov_sysfs_vf *vf, const char *ifname,
			   const struct cni_result *result, struct cni_error *err)
{
	char vfio[32] = "";
	struct device_pci_descriptor desc = {
		.ifname = ifname,
		.pci_address = vf->pci,
		.pf_pci_address = vf->pf_pci,
		.driver = vf->driver,
		.vfio_device = vfio,
		.numa_node = vf->numa_node,
		.result = result,
	};

	if (vf->iommu_group >= 0)
		snprintf(vfio, sizeof(vfio), "/dev/vfio/%d", vf->iommu_group);
	return devinfo_store(path, device_pci_descriptor_encode(&desc), false, err);
}

int sriov_devinfo_remove(const char *path, struct cni_error *err)
{
	if (path[0] && unlink(path) < 0 && errno != ENOENT)
		return cni_error_set(err, CNI_ERR_IO, errno, "sriov: remove %s: %s", path,
				     strerror(errno));
	return 0;
}
