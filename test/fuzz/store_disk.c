/*
 * The IPAM store files (host-local's format), reached the way the plugin
 * reaches them: ipam_add/check/gc/del on a dataDir pre-populated from the
 * input. Input: sections "=== <file name>\n<contents>" (contents run to the
 * next "\n=== "). The invariant: ADD never hands out an address that a file
 * already gives to someone else or that holds an unreadable record.
 */
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipam/ipam_conf.h"
#include "test/fuzz/fuzz_util.h"

#define MAX_FILES    64
#define OWNER	     "ctr1"
#define OWNER_IFNAME "eth0"

struct seeded {
	char name[256];
	struct ip_address ip; /* family 0: the name is no address */
	bool ours;	      /* the contents name OWNER/OWNER_IFNAME */
};

static struct ipam_conf conf;
static char network_dir[PATH_MAX];

static void setup(void)
{
	char data_dir[PATH_MAX], text[PATH_MAX + 256];
	struct cni_error err = {0};
	json_t *json;

	snprintf(data_dir, sizeof(data_dir), "%s/data", fuzz_scratch_dir());
	snprintf(network_dir, sizeof(network_dir), "%s/net", data_dir);
	/* Small ranges so fuzzed names often hit real candidates. */
	snprintf(text, sizeof(text),
		 "{\"ranges\":[[{\"subnet\":\"10.1.0.0/29\"}],[{\"subnet\":\"fd00::/125\"}]],"
		 "\"dataDir\":\"%s\"}",
		 data_dir);
	json = json_loads(text, 0, NULL);
	if (!json || ipam_conf_parse(json, "net", &conf, &err))
		abort();
	json_decref(json);
	mkdir(data_dir, 0700);
	mkdir(network_dir, 0700);
}

static bool is_ours(const char *contents)
{
	char trimmed[64];
	size_t n = strlen(contents);

	while (n && strchr(" \t\r\n", contents[n - 1]))
		n--;
	snprintf(trimmed, sizeof(trimmed), "%.*s", (int)n, contents);
	return !strcmp(trimmed, OWNER "\r\n" OWNER_IFNAME) || !strcmp(trimmed, OWNER);
}

static void write_file(const char *name, size_t name_len, const char *contents, size_t len,
		       struct seeded *seeds, size_t n)
{
	struct seeded *seed = &seeds[n];
	char path[PATH_MAX * 2], base[256], *text;
	int fd;

	seed->ip.family = 0;
	seed->name[0] = '\0';
	if (!name_len || name_len >= sizeof(base) || memchr(name, '/', name_len) ||
	    memchr(name, '\0', name_len))
		return;
	snprintf(base, sizeof(base), "%.*s", (int)name_len, name);
	if (!strcmp(base, ".") || !strcmp(base, ".."))
		return;
	/* A later section with the same name replaces the file. */
	for (size_t i = 0; i < n; i++)
		if (!strcmp(seeds[i].name, base))
			seeds[i].ip.family = 0;
	snprintf(seed->name, sizeof(seed->name), "%s", base);
	snprintf(path, sizeof(path), "%s/%s", network_dir, base);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (write(fd, contents, len) != (ssize_t)len)
		abort();
	close(fd);
	if (ip_address_parse(base, &seed->ip))
		seed->ip.family = 0;
	text = fuzz_strndup((const uint8_t *)contents, len);
	seed->ours = !memchr(contents, '\0', len) && is_ours(text);
	free(text);
}

static size_t populate(const char *data, size_t size, struct seeded *seeds)
{
	const char *p = data, *end = data + size;
	size_t n = 0;

	if (size < 4 || memcmp(data, "=== ", 4))
		return 0;
	while (p < end && n < MAX_FILES) {
		const char *name = p + 4, *nl = memchr(name, '\n', (size_t)(end - name));
		const char *contents, *next;

		if (!nl)
			break;
		contents = nl + 1;
		next = memmem(contents, (size_t)(end - contents), "\n=== ", 5);
		write_file(name, (size_t)(nl - name), contents,
			   (size_t)((next ? next : end) - contents), seeds, n);
		n++;
		p = next ? next + 1 : end;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seeded seeds[MAX_FILES];
	struct cni_result *result = malloc(sizeof(*result));
	const struct cni_gc_attachment keep = {OWNER, OWNER_IFNAME};
	struct cni_error err = {0};
	size_t n;

	if (!result)
		abort();
	if (!conf.n_sets)
		setup();
	n = populate((const char *)data, size, seeds);
	cni_result_init(result);
	if (!ipam_add(&conf, OWNER, OWNER_IFNAME, NULL, 0, result, &err)) {
		for (unsigned int i = 0; i < result->n_ips; i++)
			for (size_t s = 0; s < n; s++)
				if (seeds[s].ip.family &&
				    ip_address_equal(&seeds[s].ip, &result->ips[i].address.addr) &&
				    !seeds[s].ours)
					__builtin_trap(); /* handed out a taken address */
		memset(&err, 0, sizeof(err));
		(void)!ipam_check(&conf, OWNER, OWNER_IFNAME, result, &err);
	} else if (!err.msg[0]) {
		__builtin_trap();
	}
	memset(&err, 0, sizeof(err));
	(void)!ipam_status(&conf, &err);
	memset(&err, 0, sizeof(err));
	(void)!ipam_gc(&conf, &keep, 1, &err);
	memset(&err, 0, sizeof(err));
	(void)!ipam_del(&conf, OWNER, OWNER_IFNAME, &err);
	fuzz_empty_dir(network_dir);
	free(result);
	return 0;
}
