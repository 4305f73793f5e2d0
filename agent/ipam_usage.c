/* readdir twice deep; names are checked with inet_pton, nothing is opened. */
#include "agent/ipam_usage.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool is_address(const char *name)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/* -1 when name is not a directory we can read. */
static long count(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	long n = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)))
		n += is_address(de->d_name);
	closedir(d);
	return n;
}

int ipam_usage_scan(const char *dir, struct ipam_usage *out, struct error *err)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	out->n = 0;
	if (!d)
		return errno == ENOENT ? 0 : error_set(err, errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) && out->n < IPAM_USAGE_NETWORKS_MAX) {
		struct ipam_usage_network *net = &out->networks[out->n];
		long n;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
		    strlen(de->d_name) >= sizeof(net->name))
			continue;
		n = count(dirfd(d), de->d_name);
		if (n < 0)
			continue;
		strcpy(net->name, de->d_name);
		net->in_use = (unsigned long)n;
		out->n++;
	}
	closedir(d);
	return 0;
}

void ipam_usage_render(const struct ipam_usage *usage, struct metrics_text *text)
{
	metrics_text_family(text, "slicenet_ipam_addresses_in_use", "gauge",
			    "addresses reserved in the node's IPAM store, per network");
	for (size_t i = 0; i < usage->n; i++) {
		struct metrics_label l = {"network", usage->networks[i].name};

		metrics_text_sample(text, "slicenet_ipam_addresses_in_use", &l, 1,
				    usage->networks[i].in_use);
	}
}
