/* The allocator over an in-memory store: iteration order and failure unwinding. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "ipam/allocator.h"
#include "ipam/ipam_conf.h"

#define FAKE_MAX 64

struct fake_store {
	struct ipam_store store;
	struct ipam_reservation records[FAKE_MAX];
	size_t n;
	struct ip_address last[IPAM_MAX_RANGE_SETS];
	bool locked;
	int fail_last_reserved; /* errno to fail last_reserved_set with */
};

static struct fake_store fake;

static int fake_lock(struct ipam_store *store, struct cni_error *err)
{
	(void)store;
	(void)err;
	cr_assert_not(fake.locked, "lock taken twice");
	fake.locked = true;
	return 0;
}

static void fake_unlock(struct ipam_store *store)
{
	(void)store;
	fake.locked = false;
}

static int fake_list(struct ipam_store *store, struct ipam_reservation **out, size_t *n,
		     struct cni_error *err)
{
	(void)store;
	(void)err;
	cr_assert(fake.locked);
	*out = malloc(sizeof(fake.records));
	memcpy(*out, fake.records, sizeof(fake.records));
	*n = fake.n;
	return 0;
}

static int fake_reserve(struct ipam_store *store, const struct ip_address *ip, const char *id,
			const char *ifname, struct cni_error *err)
{
	struct ipam_reservation *res = &fake.records[fake.n];

	(void)store;
	(void)err;
	cr_assert(fake.locked);
	for (size_t i = 0; i < fake.n; i++)
		if (ip_address_equal(&fake.records[i].ip, ip))
			return -EEXIST;
	cr_assert_lt(fake.n, FAKE_MAX);
	memset(res, 0, sizeof(*res));
	res->ip = *ip;
	ip_address_format(ip, res->key, sizeof(res->key));
	snprintf(res->container_id, sizeof(res->container_id), "%s", id);
	snprintf(res->ifname, sizeof(res->ifname), "%s", ifname);
	fake.n++;
	return 0;
}

static int fake_release(struct ipam_store *store, const struct ipam_reservation *res,
			struct cni_error *err)
{
	(void)store;
	(void)err;
	cr_assert(fake.locked);
	for (size_t i = 0; i < fake.n; i++)
		if (!strcmp(fake.records[i].key, res->key)) {
			fake.records[i] = fake.records[--fake.n];
			return 0;
		}
	return 0;
}

static int fake_last_get(struct ipam_store *store, unsigned int index, struct ip_address *out)
{
	(void)store;
	*out = fake.last[index];
	return out->family ? 0 : -ENOENT;
}

static int fake_last_set(struct ipam_store *store, unsigned int index, const struct ip_address *ip,
			 struct cni_error *err)
{
	(void)store;
	if (fake.fail_last_reserved)
		return cni_error_set(err, CNI_ERR_IO, fake.fail_last_reserved, "fake: disk full");
	fake.last[index] = *ip;
	return 0;
}

static int fake_nothing(struct ipam_store *store, struct cni_error *err)
{
	(void)store;
	(void)err;
	return 0;
}

static void fake_close(struct ipam_store *store)
{
	(void)store;
}

static const struct ipam_store_ops fake_ops = {
	.lock = fake_lock,
	.unlock = fake_unlock,
	.list = fake_list,
	.reserve = fake_reserve,
	.release = fake_release,
	.last_reserved_get = fake_last_get,
	.last_reserved_set = fake_last_set,
	.sweep = fake_nothing,
	.probe = fake_nothing,
	.close = fake_close,
};

static struct ipam_conf conf;
static struct cni_error err;

static void load(const char *ipam)
{
	json_t *json = json_loads(ipam, 0, NULL);

	cr_assert_not_null(json);
	memset(&fake, 0, sizeof(fake));
	fake.store.ops = &fake_ops;
	cr_assert_eq(ipam_conf_parse(json, "fake", &conf, &err), 0, "%s", err.msg);
	json_decref(json);
}

static const char *add(const char *id)
{
	static char text[4][INET6_ADDRSTRLEN];
	static int next;
	struct cni_result result;

	cni_result_init(&result);
	memset(&err, 0, sizeof(err));
	if (allocator_add(&fake.store, &conf, id, "eth0", &result, &err))
		return NULL;
	cr_assert_not(fake.locked, "lock released");
	return ip_address_format(&result.ips[0].address.addr, text[next++ % 4], INET6_ADDRSTRLEN);
}

Test(allocator, walks_ranges_of_a_set_in_order_and_wraps)
{
	const char *want[] = {"10.0.0.5", "10.0.0.6", "10.0.1.9", "10.0.1.10", "10.0.0.5"};
	struct ipam_reservation first;

	load("{\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.5\",\"rangeEnd\":"
	     "\"10.0.0.6\"},{\"subnet\":\"10.0.1.0/24\",\"rangeStart\":\"10.0.1.9\","
	     "\"rangeEnd\":\"10.0.1.10\"}]]}");
	for (int i = 0; i < 4; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		cr_assert_str_eq(add(id), want[i]);
	}
	cr_assert_null(add("c4"));
	cr_assert_str_eq(err.msg,
			 "ipam: no free address in range 10.0.0.5-10.0.0.6, 10.0.1.9-10.0.1.10");
	first = fake.records[0];
	fake_lock(&fake.store, NULL);
	fake_release(&fake.store, &first, NULL);
	fake_unlock(&fake.store);
	cr_assert_str_eq(add("c5"), want[4]);
}

Test(allocator, gateway_inside_the_range_is_skipped)
{
	load("{\"subnet\":\"10.0.0.0/29\",\"gateway\":\"10.0.0.3\"}");
	cr_assert_str_eq(add("a"), "10.0.0.1");
	cr_assert_str_eq(add("b"), "10.0.0.2");
	cr_assert_str_eq(add("c"), "10.0.0.4");
}

Test(allocator, stale_hint_outside_the_set_starts_at_the_beginning)
{
	load("{\"subnet\":\"10.0.0.0/29\"}");
	cr_assert_eq(ip_address_parse("192.168.0.1", &fake.last[0]), 0);
	cr_assert_str_eq(add("a"), "10.0.0.2");
}

Test(allocator, failed_hint_write_releases_the_address)
{
	load("{\"ranges\":[[{\"subnet\":\"10.0.0.0/29\"}],[{\"subnet\":\"fd00::/120\"}]]}");
	fake.fail_last_reserved = ENOSPC;
	cr_assert_null(add("a"));
	cr_assert_eq(err.code, CNI_ERR_IO);
	cr_assert_eq(fake.n, 0, "nothing left reserved");
}
