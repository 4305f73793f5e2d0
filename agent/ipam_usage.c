/* readdir twice deep; names are checked with inet_pton, only round-robin hints are read. */
#include "agent/ipam_usage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin/util/fs.h"

#define LAST_RESERVED_PREFIX "last_reserved_ip."

/* The row of (network, range), added when missing; NULL when the table is full. */
static struct ipam_usage_row *row_of(struct ipam_usage *usage, size_t network, int range)
{
	struct ipam_usage_row *row;

	for (size_t i = 0; i < usage->n_rows; i++)
		if (usage->rows[i].network == network && usage->rows[i].range == (size_t)range)
			return &usage->rows[i];
	if (usage->n_rows == IPAM_USAGE_ROWS_MAX)
		return NULL;
	row = &usage->rows[usage->n_rows++];
	*row = (struct ipam_usage_row){.network = network, .range = (size_t)range};
	return row;
}

/* A hint names the range the network last handed out from. */
static void note_hint(struct ipam_usage *usage, size_t network, int dir_fd, const char *name)
{
	struct ip_address addr;
	char *text = NULL;
	size_t size = 0;
	int range;

	if (fs_read_at(dir_fd, name, INET6_ADDRSTRLEN, &text, &size) < 0)
		return;
	text[strcspn(text, " \t\r\n")] = '\0';
	if (ip_address_parse(text, &addr) == 0 &&
	    (range = ipam_ranges_find(&usage->ranges, &addr)) >= 0)
		(void)row_of(usage, network, range);
	free(text);
}

/* -1 when name is not a directory we can read. */
static int count(struct ipam_usage *usage, size_t network, int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct ipam_usage_row *row;
	struct ip_address addr;
	struct dirent *de;
	int range;
	DIR *d;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, LAST_RESERVED_PREFIX, strlen(LAST_RESERVED_PREFIX))) {
			note_hint(usage, network, dirfd(d), de->d_name);
			continue;
		}
		if (ip_address_parse(de->d_name, &addr))
			continue;
		usage->networks[network].in_use++;
		range = ipam_ranges_find(&usage->ranges, &addr);
		if (range >= 0 && (row = row_of(usage, network, range)))
			row->in_use++;
	}
	closedir(d);
	return 0;
}

int ipam_usage_scan(const char *dir, const struct ipam_ranges *ranges, struct ipam_usage *out,
		    struct error *err)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	out->n = out->n_rows = 0;
	out->ranges.n = 0;
	if (ranges)
		out->ranges = *ranges;
	if (!d)
		return errno == ENOENT ? 0 : error_set(err, errno, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) && out->n < IPAM_USAGE_NETWORKS_MAX) {
		struct ipam_usage_network *net = &out->networks[out->n];
		size_t rows = out->n_rows;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
		    strlen(de->d_name) >= sizeof(net->name))
			continue;
		strcpy(net->name, de->d_name);
		net->in_use = 0;
		if (count(out, out->n, dirfd(d), de->d_name) < 0) {
			out->n_rows = rows;
			continue;
		}
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
	if (!usage->n_rows)
		return;
	metrics_text_family(text, "slicenet_ipam_range_used", "gauge",
			    "addresses reserved in the node's IPAM store, per network and range");
	for (size_t i = 0; i < usage->n_rows; i++) {
		const struct ipam_usage_row *row = &usage->rows[i];
		char range[IP_PREFIX_STRLEN];
		struct metrics_label l[] = {
			{"network", usage->networks[row->network].name},
			{"range", ip_prefix_format(&usage->ranges.subnets[row->range], range,
						   sizeof(range))},
		};

		metrics_text_sample(text, "slicenet_ipam_range_used", l, 2, row->in_use);
	}
	metrics_text_family(text, "slicenet_ipam_range_size", "gauge",
			    "addresses the range hands out (host-local defaults: not the network, "
			    "gateway or broadcast address)");
	for (size_t i = 0; i < usage->n_rows; i++) {
		const struct ipam_usage_row *row = &usage->rows[i];
		const struct ip_prefix *subnet = &usage->ranges.subnets[row->range];
		char range[IP_PREFIX_STRLEN];
		struct metrics_label l[] = {
			{"network", usage->networks[row->network].name},
			{"range", ip_prefix_format(subnet, range, sizeof(range))},
		};

		metrics_text_sample(text, "slicenet_ipam_range_size", l, 2,
				    ipam_ranges_size(subnet));
	}
}
