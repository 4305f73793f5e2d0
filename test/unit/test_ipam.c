#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipam/ipam_conf.h"

static char data_dir[64];
static struct ipam_conf conf;
static struct cni_error err;
static struct cni_result result;

static void make_dir(void)
{
	snprintf(data_dir, sizeof(data_dir), "/tmp/slicenet-ipam-test.XXXXXX");
	cr_assert_not_null(mkdtemp(data_dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data_dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ipam, .init = make_dir, .fini = remove_dir);

/* Parse an "ipam" object given without braces; dataDir is the test's. */
static void load(const char *ipam_body)
{
	char text[2048];
	json_t *json;

	snprintf(text, sizeof(text), "{\"dataDir\":\"%s\",%s}", data_dir, ipam_body);
	json = json_loads(text, 0, NULL);
	cr_assert_not_null(json, "bad test JSON %s", text);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(ipam_conf_parse(json, "net1", &conf, &err), 0, "%s", err.msg);
	json_decref(json);
}

/* ADD; the first address as text, or NULL with err filled. */
static const char *add(const char *id, const char *ifname)
{
	static char text[8][IP_PREFIX_STRLEN];
	static int next;
	char *buf = text[next++ % 8];

	cni_result_init(&result);
	memset(&err, 0, sizeof(err));
	if (ipam_add(&conf, id, ifname, NULL, 0, &result, &err))
		return NULL;
	cr_assert_eq(result.n_ips, conf.n_sets);
	return ip_address_format(&result.ips[0].address.addr, buf, IP_PREFIX_STRLEN);
}

static const char *must_add(const char *id, const char *ifname)
{
	const char *ip = add(id, ifname);

	cr_assert_not_null(ip, "ADD %s/%s: %s", id, ifname, err.msg);
	return ip;
}

static void del(const char *id, const char *ifname)
{
	memset(&err, 0, sizeof(err));
	cr_assert_eq(ipam_del(&conf, id, ifname, &err), 0, "DEL %s: %s", id, err.msg);
}

static bool store_has(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/net1/%s", data_dir, name);
	return access(path, F_OK) == 0;
}

static void store_write(const char *name, const char *data)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/net1", data_dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/net1/%s", data_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

static char *store_read(const char *name)
{
	static char data[256];
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/net1/%s", data_dir, name);
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0, "%s missing", path);
	n = read(fd, data, sizeof(data) - 1);
	close(fd);
	data[n < 0 ? 0 : n] = '\0';
	return data;
}

static int count_records(void)
{
	char cmd[256];
	int n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls '%s/net1' | grep -c '^[0-9a-f:.]*$'", data_dir);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

#define SMALL "\"subnet\":\"10.1.0.0/29\""

Test(ipam, allocates_in_order_skipping_network_and_gateway)
{
	load(SMALL);
	cr_assert_str_eq(must_add("c1", "eth0"), "10.1.0.2");
	cr_assert_eq(result.ips[0].address.len, 29);
	cr_assert_eq(result.ips[0].interface, -1);
	cr_assert_eq(result.ips[0].gateway.family, AF_INET);
	cr_assert_str_eq(must_add("c2", "eth0"), "10.1.0.3");
	cr_assert_str_eq(store_read("10.1.0.2"), "c1\r\neth0");
	cr_assert_str_eq(store_read("last_reserved_ip.0"), "10.1.0.3");
}

Test(ipam, round_robin_does_not_reuse_a_released_address_at_once)
{
	load(SMALL);
	must_add("c1", "eth0");
	must_add("c2", "eth0");
	del("c1", "eth0");
	cr_assert_not(store_has("10.1.0.2"));
	cr_assert_str_eq(must_add("c3", "eth0"), "10.1.0.4");
	must_add("c4", "eth0");
	must_add("c5", "eth0");
	/* Wraps to the start of the range, skipping the gateway .1. */
	cr_assert_str_eq(must_add("c6", "eth0"), "10.1.0.2");
}

Test(ipam, re_add_is_idempotent_per_container_and_ifname)
{
	load(SMALL);
	cr_assert_str_eq(must_add("c1", "eth0"), "10.1.0.2");
	cr_assert_str_eq(must_add("c1", "eth0"), "10.1.0.2");
	cr_assert_str_eq(must_add("c1", "net1"), "10.1.0.3");
	cr_assert_eq(count_records(), 2);
}

Test(ipam, never_hands_out_network_gateway_or_broadcast_and_exhaustion_names_range)
{
	const char *got[5];

	load(SMALL);
	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		got[i] = must_add(id, "eth0");
		cr_assert(strcmp(got[i], "10.1.0.0") && strcmp(got[i], "10.1.0.1") &&
			  strcmp(got[i], "10.1.0.7"));
	}
	cr_assert_null(add("c9", "eth0"));
	cr_assert_eq(err.code, CNI_ERR_IPAM_EXHAUSTED);
	cr_assert_str_eq(err.msg, "ipam: no free address in range 10.1.0.1-10.1.0.6");
}

Test(ipam, exhaustion_in_one_set_releases_the_others)
{
	load("\"ranges\":[[{\"subnet\":\"fd00:1::/120\"}],[{\"subnet\":\"10.1.0.0/29\","
	     "\"rangeStart\":\"10.1.0.2\",\"rangeEnd\":\"10.1.0.6\"}]]");
	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		must_add(id, "eth0");
	}
	cr_assert_eq(count_records(), 10);
	cr_assert_null(add("late", "eth0"));
	cr_assert_eq(err.code, CNI_ERR_IPAM_EXHAUSTED);
	cr_assert_str_eq(err.msg, "ipam: no free address in range 10.1.0.2-10.1.0.6");
	cr_assert_eq(count_records(), 10, "the IPv6 address of the failed ADD stays reserved");
	cr_assert_not(store_has("fd00:1::7"));
}

Test(ipam, dual_stack_gives_one_address_per_set)
{
	char v6[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];

	load("\"ranges\":[[{\"subnet\":\"10.2.0.0/24\"}],[{\"subnet\":\"fd00:2::/64\"}]],"
	     "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\"}]");
	cr_assert_str_eq(must_add("c1", "eth0"), "10.2.0.2");
	cr_assert_eq(result.n_ips, 2);
	cr_assert_str_eq(ip_address_format(&result.ips[1].address.addr, v6, sizeof(v6)),
			 "fd00:2::2");
	cr_assert_eq(result.ips[1].address.len, 64);
	cr_assert_str_eq(ip_address_format(&result.ips[1].gateway, gw, sizeof(gw)), "fd00:2::1");
	cr_assert_eq(result.n_routes, 2);
	cr_assert(store_has("fd00:2::2"));
	cr_assert_str_eq(store_read("last_reserved_ip.1"), "fd00:2::2");
	del("c1", "eth0");
	cr_assert_eq(count_records(), 0);
}

Test(ipam, ipv6_range_end_is_the_last_address)
{
	load("\"subnet\":\"fd00:3::/126\"");
	cr_assert_str_eq(must_add("a", "eth0"), "fd00:3::2");
	cr_assert_str_eq(must_add("b", "eth0"), "fd00:3::3");
	cr_assert_null(add("c", "eth0"));
	cr_assert_eq(err.code, CNI_ERR_IPAM_EXHAUSTED);
}

Test(ipam, del_of_nothing_and_twice_succeeds)
{
	load(SMALL);
	del("nobody", "eth0");
	must_add("c1", "eth0");
	must_add("c1", "eth1");
	del("c1", "eth0");
	del("c1", "eth0");
	cr_assert(store_has("10.1.0.3"), "the other ifname keeps its address");
	cr_assert_eq(count_records(), 1);
}

Test(ipam, gc_keeps_only_valid_attachments)
{
	struct cni_gc_attachment valid[] = {{"c2", "eth0"}, {"c3", "eth0"}};

	load(SMALL);
	must_add("c1", "eth0");
	must_add("c2", "eth0");
	must_add("c2", "eth1");
	must_add("c3", "eth0");
	store_write(".tmp-10.1.0.6-4242", "torn");
	memset(&err, 0, sizeof(err));
	cr_assert_eq(ipam_gc(&conf, valid, 2, &err), 0, "%s", err.msg);
	cr_assert_not(store_has("10.1.0.2"));
	cr_assert(store_has("10.1.0.3"));
	cr_assert_not(store_has("10.1.0.4"));
	cr_assert(store_has("10.1.0.5"));
	cr_assert_not(store_has(".tmp-10.1.0.6-4242"), "GC sweeps interrupted writes");
	cr_assert_eq(ipam_gc(&conf, NULL, 0, &err), 0, "%s", err.msg);
	cr_assert_eq(count_records(), 0);
}

Test(ipam, corrupt_record_is_a_clear_error_and_never_free)
{
	load(SMALL);
	store_write("10.1.0.2", "");
	cr_assert_null(add("c1", "eth0"));
	cr_assert_eq(err.code, CNI_ERR_IPAM);
	cr_assert(strstr(err.msg, "store record 10.1.0.2 is corrupt"), "%s", err.msg);
	cr_assert_str_eq(store_read("10.1.0.2"), "", "not overwritten");
	cr_assert_eq(count_records(), 1, "nothing allocated");

	store_write("10.1.0.2", "c1\r\neth0 with spaces");
	cr_assert_null(add("c1", "eth0"));
	cr_assert(strstr(err.msg, "10.1.0.2 is corrupt"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	/* DEL of another pod is not blocked by a file it does not own. */
	cr_assert_eq(ipam_del(&conf, "c9", "eth0", &err), 0, "%s", err.msg);
	cr_assert(store_has("10.1.0.2"), "DEL does not free what it cannot read");
	cr_assert_lt(ipam_gc(&conf, NULL, 0, &err), 0);
	cr_assert(store_has("10.1.0.2"), "GC does not free what it cannot read");
}

Test(ipam, torn_temp_file_is_ignored)
{
	load(SMALL);
	store_write(".tmp-10.1.0.2-99999", "c0\r");
	cr_assert_str_eq(must_add("c1", "eth0"), "10.1.0.2");
	cr_assert_eq(count_records(), 1);
}

Test(ipam, host_local_records_are_honoured)
{
	load(SMALL);
	/* Written by host-local: a current record and an old id-only one. */
	store_write("10.1.0.2", "other\r\neth0");
	store_write("10.1.0.3", "legacy");
	store_write("last_reserved_ip.0", "10.1.0.3");
	cr_assert_str_eq(must_add("legacy", "eth0"), "10.1.0.3", "old records match any ifname");
	cr_assert_str_eq(must_add("new", "eth0"), "10.1.0.4");
	del("legacy", "eth0");
	cr_assert_not(store_has("10.1.0.3"));
}

Test(ipam, check_compares_held_and_listed_addresses)
{
	struct cni_result other;

	load("\"ranges\":[[{\"subnet\":\"10.2.0.0/24\"}],[{\"subnet\":\"fd00:2::/64\"}]]");
	must_add("c1", "eth0");
	memset(&err, 0, sizeof(err));
	cr_assert_eq(ipam_check(&conf, "c1", "eth0", &result, &err), 0, "%s", err.msg);
	other = result;
	cr_assert_lt(ipam_check(&conf, "c1", "eth1", &other, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_CHECK_FAILED);
	cr_assert(strstr(err.msg, "holds no address in range 10.2.0.1-10.2.0.254"), "%s", err.msg);
	other.n_ips = 1;
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_check(&conf, "c1", "eth0", &other, &err), 0);
	cr_assert(strstr(err.msg, "holds fd00:2::2 but the result does not list it"), "%s",
		  err.msg);
	other = result;
	must_add("c2", "eth0");
	other.ips[other.n_ips++] = result.ips[0];
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_check(&conf, "c1", "eth0", &other, &err), 0);
	cr_assert(strstr(err.msg, "10.2.0.3 in the result is not reserved for c1/eth0"), "%s",
		  err.msg);
}

Test(ipam, concurrent_processes_get_unique_addresses, .timeout = 120)
{
	enum { N = 64 };
	char seen[N][INET6_ADDRSTRLEN];
	int fds[2];
	FILE *in;

	load("\"subnet\":\"10.5.0.0/24\"");
	cr_assert_eq(pipe(fds), 0);
	for (int i = 0; i < N; i++) {
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			char id[16], line[64];
			const char *ip;
			int len;

			close(fds[0]);
			snprintf(id, sizeof(id), "proc%d", i);
			ip = add(id, "eth0");
			len = snprintf(line, sizeof(line), "%s\n", ip ? ip : "error");
			_exit(write(fds[1], line, (size_t)len) == len ? 0 : 1);
		}
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	for (int i = 0; i < N; i++) {
		cr_assert_eq(fscanf(in, "%45s", seen[i]), 1, "child %d wrote nothing", i);
		cr_assert_str_neq(seen[i], "error");
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(seen[i], seen[j], "duplicate %s", seen[i]);
	}
	fclose(in);
	for (int i = 0; i < N; i++) {
		int status;

		cr_assert_gt(wait(&status), 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	cr_assert_eq(count_records(), N);
}

Test(ipam, status_reports_free_full_and_unusable)
{
	char path[128];

	load(SMALL);
	memset(&err, 0, sizeof(err));
	cr_assert_eq(ipam_status(&conf, &err), 0, "%s", err.msg);
	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		must_add(id, "eth0");
	}
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_status(&conf, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_LIMITED);
	cr_assert(strstr(err.msg, "10.1.0.1-10.1.0.6"), "%s", err.msg);

	/* A regular file where a directory must go: no amount of root helps. */
	store_write("blocker", "x");
	snprintf(path, sizeof(path), "%s/net1/blocker/sub", data_dir);
	snprintf(conf.data_dir, sizeof(conf.data_dir), "%s", path);
	memset(&err, 0, sizeof(err));
	cr_assert_lt(ipam_status(&conf, &err), 0);
	cr_assert_eq(err.code, CNI_ERR_NOT_AVAILABLE);
	cr_assert(strstr(err.msg, "blocker"), "%s", err.msg);
	memset(&err, 0, sizeof(err));
	cr_assert_null(add("c9", "eth0"));
	cr_assert_eq(err.code, CNI_ERR_IO);
}

/* Static addresses through the disk store, requests parsed from a network config. */
static const char *add_config(const char *id, const char *ifname, const char *config,
			      const char *cni_ip)
{
	static char text[IP_PREFIX_STRLEN];
	struct ipam_requested req;
	json_t *root = json_loads(config, 0, NULL);
	int ret;

	cr_assert_not_null(root, "bad test JSON %s", config);
	memset(&err, 0, sizeof(err));
	ret = ipam_requested_parse(json_object_get(root, "runtimeConfig"),
				   json_object_get(root, "args"), cni_ip, &req, &err);
	json_decref(root);
	if (ret)
		return NULL;
	cni_result_init(&result);
	if (ipam_add(&conf, id, ifname, req.ips, req.n, &result, &err))
		return NULL;
	return ip_prefix_format(&result.ips[0].address, text, sizeof(text));
}

Test(ipam, static_address_from_each_source_is_recorded_like_host_local)
{
	load(SMALL);
	cr_assert_str_eq(add_config("c1", "eth0", "{}", "10.1.0.5"), "10.1.0.5/29", "%s", err.msg);
	cr_assert_str_eq(store_read("10.1.0.5"), "c1\r\neth0");
	cr_assert_str_eq(store_read("last_reserved_ip.0"), "10.1.0.5");
	cr_assert_str_eq(
		add_config("c2", "eth0", "{\"runtimeConfig\":{\"ips\":[\"10.1.0.3/29\"]}}", NULL),
		"10.1.0.3/29", "%s", err.msg);
	cr_assert_str_eq(
		add_config("c3", "eth0", "{\"args\":{\"cni\":{\"ips\":[\"10.1.0.6\"]}}}", ""),
		"10.1.0.6/29", "%s", err.msg);
	cr_assert_eq(count_records(), 3);
	/* A re-ADD (a runtime retry) gives the same address, nothing more. */
	cr_assert_str_eq(add_config("c1", "eth0", "{}", "10.1.0.5"), "10.1.0.5/29", "%s", err.msg);
	cr_assert_eq(count_records(), 3);
	/* Dynamic ADDs go around the static ones. */
	cr_assert_str_eq(must_add("c4", "eth0"), "10.1.0.2");
	cr_assert_str_eq(must_add("c5", "eth0"), "10.1.0.4");
}

Test(ipam, static_address_that_cannot_be_honoured_leaves_the_store_unchanged)
{
	load(SMALL);
	cr_assert_not_null(add_config("c1", "eth0", "{}", "10.1.0.5"), "%s", err.msg);
	cr_assert_null(add_config("c2", "eth0", "{}", "10.1.0.5"));
	cr_assert_eq(err.code, CNI_ERR_TRY_AGAIN);
	cr_assert(strstr(err.msg, "10.1.0.5"), "%s", err.msg);
	cr_assert_null(add_config("c2", "eth0", "{}", "10.1.0.7"), "broadcast is not in the range");
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert(strstr(err.msg, "10.1.0.7 is not in any configured range"), "%s", err.msg);
	cr_assert_null(add_config("c2", "eth0", "{}", "10.1.0.1"), "the gateway");
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert_eq(count_records(), 1);
	cr_assert_str_eq(store_read("10.1.0.5"), "c1\r\neth0");
	cr_assert_str_eq(store_read("last_reserved_ip.0"), "10.1.0.5");
}

Test(ipam, del_releases_a_static_address)
{
	load(SMALL);
	cr_assert_not_null(add_config("c1", "eth0", "{}", "10.1.0.5"), "%s", err.msg);
	del("c1", "eth0");
	cr_assert_not(store_has("10.1.0.5"));
	cr_assert_str_eq(add_config("c2", "eth0", "{}", "10.1.0.5"), "10.1.0.5/29", "%s", err.msg);
}
