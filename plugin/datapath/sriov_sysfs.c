#include "plugin/datapath/sriov_sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SRIOV_SYSFS_MAX_CPUS  1024
#define SRIOV_SYSFS_MAX_NODES 64

static int sysfs_path(char *buf, size_t size, struct cni_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int sysfs_path(char *buf, size_t size, struct cni_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "sriov: sysfs path for %.60s... is too long", buf);
	return 0;
}

/* Read a one-line attribute without its newline. -errno without touching err. */
static int sysfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int sysfs_read_int(const char *path, int *out)
{
	char buf[32], *end;
	long value;
	int ret;

	ret = sysfs_read(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	value = strtol(buf, &end, 10);
	if (errno || end == buf || *end || value < INT_MIN || value > INT_MAX)
		return -EINVAL;
	*out = (int)value;
	return 0;
}

/* The last component of a symlink's target ("../0000:3b:02.1" -> "0000:3b:02.1"). */
static int sysfs_link_name(const char *path, char *out, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (snprintf(out, size, "%s", base) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* The first entry of <dev>/net/: a VF has at most one netdev. */
static void sysfs_netdev(const char *dev_dir, char out[IFNAMSIZ])
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/net", dev_dir) >= (int)sizeof(path))
		return;
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) < IFNAMSIZ) {
			strcpy(out, de->d_name);
			break;
		}
	}
	closedir(dir);
}

/* Driver, netdev, NUMA node and IOMMU group of the device at out->pci. */
static int sysfs_fill_device(const char *root, struct sriov_sysfs_vf *out, struct cni_error *err)
{
	char dev[PATH_MAX], path[PATH_MAX], group[32];
	int ret;

	ret = sysfs_path(dev, sizeof(dev), err, "%s/bus/pci/devices/%s", root, out->pci);
	if (ret < 0)
		return ret;
	if (access(dev, F_OK) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOENT,
				     "sriov: PCI device %s does not exist (%s)", out->pci, dev);
	if ((ret = sysfs_path(path, sizeof(path), err, "%s/driver", dev)) < 0)
		return ret;
	if (sysfs_link_name(path, out->driver, sizeof(out->driver)) < 0)
		out->driver[0] = '\0';
	sysfs_netdev(dev, out->netdev);
	if ((ret = sysfs_path(path, sizeof(path), err, "%s/numa_node", dev)) < 0)
		return ret;
	if (sysfs_read_int(path, &out->numa_node) < 0)
		out->numa_node = -1;
	if ((ret = sysfs_path(path, sizeof(path), err, "%s/iommu_group", dev)) < 0)
		return ret;
	out->iommu_group = -1;
	if (sysfs_link_name(path, group, sizeof(group)) == 0)
		out->iommu_group = atoi(group);
	return 0;
}

int sriov_sysfs_num_vfs(const char *root, const char *pf, unsigned int *out, struct cni_error *err)
{
	char path[PATH_MAX];
	int ret, value;

	ret = sysfs_path(path, sizeof(path), err, "%s/class/net/%s", root, pf);
	if (ret < 0)
		return ret;
	if (access(path, F_OK) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
				     "sriov: PF %s does not exist (no %s)", pf, path);
	ret = sysfs_path(path, sizeof(path), err, "%s/class/net/%s/device/sriov_numvfs", root, pf);
	if (ret < 0)
		return ret;
	ret = sysfs_read_int(path, &value);
	if (ret == -ENOENT)
		return cni_error_set(err, CNI_ERR_DATAPATH, EOPNOTSUPP,
				     "sriov: %s is not an SR-IOV PF (no %s)", pf, path);
	if (ret < 0 || value < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, ret < 0 ? -ret : EINVAL,
				     "sriov: PF %s: cannot read %s", pf, path);
	*out = (unsigned int)value;
	return 0;
}

int sriov_sysfs_vf(const char *root, const char *pf, unsigned int index, struct sriov_sysfs_vf *out,
		   struct cni_error *err)
{
	char path[PATH_MAX];
	int ret;

	memset(out, 0, sizeof(*out));
	if (snprintf(out->pf, sizeof(out->pf), "%s", pf) >= (int)sizeof(out->pf))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, ENAMETOOLONG,
				     "sriov: PF name \"%s\" is too long", pf);
	out->index = index;
	ret = sysfs_path(path, sizeof(path), err, "%s/class/net/%s/device", root, pf);
	if (ret < 0)
		return ret;
	if (sysfs_link_name(path, out->pf_pci, sizeof(out->pf_pci)) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENODEV,
				     "sriov: PF %s has no PCI device (%s)", pf, path);
	ret = sysfs_path(path, sizeof(path), err, "%s/class/net/%s/device/virtfn%u", root, pf,
			 index);
	if (ret < 0)
		return ret;
	if (sysfs_link_name(path, out->pci, sizeof(out->pci)) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOENT, "sriov: PF %s has no VF %u", pf,
				     index);
	return sysfs_fill_device(root, out, err);
}

/* Which virtfnN of the PF at pf_dir points at pci. */
static int sysfs_vf_index(const char *pf_dir, const char *pci, unsigned int *out)
{
	char path[PATH_MAX], name[SRIOV_PCI_ADDR_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = -ENOENT;

	dir = opendir(pf_dir);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char *end;
		unsigned long index;

		if (strncmp(de->d_name, "virtfn", 6) || !de->d_name[6])
			continue;
		index = strtoul(de->d_name + 6, &end, 10);
		if (*end || index > UINT_MAX)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", pf_dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (sysfs_link_name(path, name, sizeof(name)) == 0 && !strcmp(name, pci)) {
			*out = (unsigned int)index;
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

int sriov_sysfs_vf_by_pci(const char *root, const char *pci, struct sriov_sysfs_vf *out,
			  struct cni_error *err)
{
	char dev[PATH_MAX], path[PATH_MAX];
	int ret;

	memset(out, 0, sizeof(*out));
	if (!pci[0] || strchr(pci, '/') ||
	    snprintf(out->pci, sizeof(out->pci), "%s", pci) >= (int)sizeof(out->pci))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "sriov: deviceID \"%.64s\" is not a PCI address", pci);
	ret = sysfs_path(dev, sizeof(dev), err, "%s/bus/pci/devices/%s", root, pci);
	if (ret < 0)
		return ret;
	if (access(dev, F_OK) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOENT,
				     "sriov: deviceID %s: no such PCI device (%s)", pci, dev);
	if ((ret = sysfs_path(path, sizeof(path), err, "%s/physfn", dev)) < 0)
		return ret;
	if (sysfs_link_name(path, out->pf_pci, sizeof(out->pf_pci)) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, EINVAL,
				     "sriov: deviceID %s is not a virtual function (no physfn)",
				     pci);
	ret = sysfs_path(path, sizeof(path), err, "%s/bus/pci/devices/%s", root, out->pf_pci);
	if (ret < 0)
		return ret;
	if (sysfs_vf_index(path, pci, &out->index) < 0)
		return cni_error_set(err, CNI_ERR_DATAPATH, ENOENT,
				     "sriov: deviceID %s: PF %s lists no virtfn link to it", pci,
				     out->pf_pci);
	/* The PF's netdev is needed for the VF settings; a PF without one gets none. */
	sysfs_netdev(path, out->pf);
	return sysfs_fill_device(root, out, err);
}

bool sriov_sysfs_driver_is_dpdk(const char *driver)
{
	static const char *const dpdk[] = {"vfio-pci", "igb_uio", "uio_pci_generic"};

	for (size_t i = 0; i < sizeof(dpdk) / sizeof(dpdk[0]); i++)
		if (!strcmp(driver, dpdk[i]))
			return true;
	return false;
}

/* Parse "0-3,8,10-11" into a CPU bit set; -EINVAL on anything else. */
static int cpulist_parse(const char *text, unsigned char set[SRIOV_SYSFS_MAX_CPUS / 8])
{
	const char *p = text;

	memset(set, 0, SRIOV_SYSFS_MAX_CPUS / 8);
	while (*p) {
		unsigned long lo, hi;
		char *end;

		lo = strtoul(p, &end, 10);
		if (end == p)
			return -EINVAL;
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			hi = strtoul(p, &end, 10);
			if (end == p || hi < lo)
				return -EINVAL;
		}
		for (unsigned long cpu = lo; cpu <= hi && cpu < SRIOV_SYSFS_MAX_CPUS; cpu++)
			set[cpu / 8] |= (unsigned char)(1U << (cpu % 8));
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return 0;
}

unsigned long long sriov_sysfs_numa_nodes_of(const char *root, const char *cpulist)
{
	unsigned char want[SRIOV_SYSFS_MAX_CPUS / 8], have[SRIOV_SYSFS_MAX_CPUS / 8];
	unsigned long long nodes = 0;
	char path[PATH_MAX], text[4096];

	if (!cpulist || !cpulist[0] || cpulist_parse(cpulist, want) < 0)
		return 0;
	for (unsigned int node = 0; node < SRIOV_SYSFS_MAX_NODES; node++) {
		if (snprintf(path, sizeof(path), "%s/devices/system/node/node%u/cpulist", root,
			     node) >= (int)sizeof(path))
			return 0;
		if (sysfs_read(path, text, sizeof(text)) < 0 || cpulist_parse(text, have) < 0)
			continue;
		for (size_t i = 0; i < sizeof(want); i++)
			if (want[i] & have[i]) {
				nodes |= 1ULL << node;
				break;
			}
	}
	return nodes;
}
