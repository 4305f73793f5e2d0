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
	char ids[FAKE_MAX][IPAM_STORE_ID_MAX]; /* records[i].container_id points at ids[i] */
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

static int fake_list(struct ipam_store *store, const char *container_id, const char *ifname,
		     struct ipam_reservation **out, size_t *n, struct cni_error *err)
{
	(void)store;
	(void)container_id;
	(void)ifname;
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
	snprintf(fake.ids[fake.n], sizeof(fake.ids[fake.n]), "%s", id);
	res->container_id = fake.ids[fake.n];
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
			memcpy(fake.ids[i], fake.ids[fake.n], sizeof(fake.ids[i]));
			fake.records[i].container_id = fake.ids[i];
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
	if (allocator_add(&fake.store, &conf, id, "eth0", NULL, 0, &result, &err))
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

/* Static addresses (issue 14): the rules of ipam_add, one test each. */

#define DUAL                                                                                       \
	"{\"ranges\":[[{\"subnet\":\"10.0.0.0/24\",\"rangeStart\":\"10.0.0.10\",\"rangeEnd\":"     \
	"\"10.0.0.20\"}],[{\"subnet\":\"fd00::/120\"}]]}"

static struct cni_result last_result;

/*
 * ADD of (id, ifname) requesting ips (CNI_ARGS IP= syntax); the address
 * of set index `set` as text, or NULL with err filled.
 */
static const char *add_static(const char *id, const char *ifname, const char *ips, unsigned int set)
{
	static char text[4][INET6_ADDRSTRLEN];
	static int next;
	struct ipam_requested req;

	memset(&err, 0, sizeof(err));
	cr_assert_eq(ipam_requested_parse(NULL, NULL, ips, &req, &err), 0, "%s", err.msg);
	cni_result_init(&last_result);
	if (allocator_add(&fake.store, &conf, id, ifname, req.ips, req.n, &last_result, &err))
		return NULL;
	cr_assert_not(fake.locked, "lock released");
	cr_assert_eq(last_result.n_ips, conf.n_sets);
	return ip_address_format(&last_result.ips[set].address.addr, text[next++ % 4],
				 INET6_ADDRSTRLEN);
}

/* The failed call left the store exactly as it was. */
static void assert_unchanged(size_t n_before, const struct ip_address *last_before)
{
	cr_assert_eq(fake.n, n_before, "nothing left reserved");
	for (unsigned int i = 0; i < IPAM_MAX_RANGE_SETS; i++)
		cr_assert(fake.last[i].family == last_before[i].family &&
				  (!fake.last[i].family ||
				   ip_address_equal(&fake.last[i], &last_before[i])),
			  "hint of set %u unchanged", i);
}

Test(allocator, requested_address_is_given_and_other_sets_allocate_dynamically)
{
	char prefix[IP_PREFIX_STRLEN], gw[INET6_ADDRSTRLEN];

	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.15", 0), "10.0.0.15");
	cr_assert_str_eq(ip_prefix_format(&last_result.ips[0].address, prefix, sizeof(prefix)),
			 "10.0.0.15/24");
	cr_assert_str_eq(ip_address_format(&last_result.ips[0].gateway, gw, sizeof(gw)),
			 "10.0.0.1");
	cr_assert_str_eq(ip_address_format(&last_result.ips[1].address.addr, gw, sizeof(gw)),
			 "fd00::2", "the IPv6 set had no request: round robin from the start");
	cr_assert_eq(fake.n, 2);
}

Test(allocator, one_request_per_set_in_both_families)
{
	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", "fd00::40,10.0.0.11", 0), "10.0.0.11");
	{
		char text[INET6_ADDRSTRLEN];

		cr_assert_str_eq(
			ip_address_format(&last_result.ips[1].address.addr, text, sizeof(text)),
			"fd00::40");
	}
}

Test(allocator, requested_address_moves_the_round_robin_hint_like_host_local)
{
	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.15", 0), "10.0.0.15");
	cr_assert_str_eq(add("b"), "10.0.0.16", "the next dynamic address follows it");
}

Test(allocator, re_add_of_the_same_owner_returns_its_requested_address)
{
	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.15", 0), "10.0.0.15");
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.15", 0), "10.0.0.15");
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.15/24", 0), "10.0.0.15");
	cr_assert_eq(fake.n, 2, "no second reservation");
}

Test(allocator, address_taken_by_another_attachment_is_try_again_naming_it)
{
	struct ip_address last[IPAM_MAX_RANGE_SETS];

	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.15", 0), "10.0.0.15");
	memcpy(last, fake.last, sizeof(last));
	cr_assert_null(add_static("b", "eth0", "10.0.0.15", 0));
	cr_assert_eq(err.code, CNI_ERR_TRY_AGAIN);
	cr_assert_str_eq(err.msg, "ipam: requested address 10.0.0.15 is already allocated to "
				  "another attachment of network fake");
	assert_unchanged(2, last);
	/* The same container on another interface is another attachment. */
	cr_assert_null(add_static("a", "net1", "10.0.0.15", 0));
	cr_assert_eq(err.code, CNI_ERR_TRY_AGAIN);
	assert_unchanged(2, last);
}

Test(allocator, failure_in_a_later_set_releases_the_earlier_requested_address)
{
	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", "fd00::40", 1), "fd00::40");
	/*
	 * 10.0.0.12 is free and reserved first; fd00::40 then fails. (The
	 * round-robin hint may have moved, as in host-local: it is no reservation.)
	 */
	cr_assert_null(add_static("b", "eth0", "10.0.0.12,fd00::40", 0));
	cr_assert_eq(err.code, CNI_ERR_TRY_AGAIN);
	cr_assert(strstr(err.msg, "fd00::40"), "%s", err.msg);
	cr_assert_eq(fake.n, 2, "10.0.0.12 released again");
	for (size_t i = 0; i < fake.n; i++)
		cr_assert_str_neq(fake.records[i].key, "10.0.0.12");
}

Test(allocator, address_outside_every_range_is_code_7_naming_it)
{
	static const char *const outside[] = {
		"10.0.0.9",  /* in the subnet, before rangeStart */
		"10.0.0.21", /* after rangeEnd */
		"10.9.9.9",  /* in no subnet */
		"fd01::1",
	};
	struct ip_address last[IPAM_MAX_RANGE_SETS];

	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", NULL, 0), "10.0.0.10");
	memcpy(last, fake.last, sizeof(last));
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		char want[256];

		cr_assert_null(add_static("b", "eth0", outside[i], 0), "%s", outside[i]);
		cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
		snprintf(want, sizeof(want),
			 "ipam: requested address %s is not in any configured range "
			 "(10.0.0.10-10.0.0.20, fd00::1-fd00::ff)",
			 outside[i]);
		cr_assert_str_eq(err.msg, want);
		assert_unchanged(2, last);
	}
}

Test(allocator, two_requests_in_one_set_are_code_7_naming_both)
{
	load(DUAL);
	cr_assert_null(add_static("a", "eth0", "10.0.0.11,10.0.0.12", 0));
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert_str_eq(err.msg, "ipam: requested addresses 10.0.0.11 and 10.0.0.12 are both in "
				  "range 10.0.0.10-10.0.0.20: at most one address per range set "
				  "can be requested");
	cr_assert_eq(fake.n, 0);
}

Test(allocator, prefix_of_a_request_must_match_the_subnet)
{
	load(DUAL);
	cr_assert_null(add_static("a", "eth0", "10.0.0.11/16", 0));
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert_str_eq(err.msg, "ipam: requested address 10.0.0.11/16 does not match the subnet "
				  "10.0.0.0/24 of its range");
	cr_assert_eq(fake.n, 0);
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.11/24", 0), "10.0.0.11");
}

Test(allocator, gateway_cannot_be_requested)
{
	load("{\"subnet\":\"10.0.0.0/29\",\"gateway\":\"10.0.0.3\"}");
	cr_assert_null(add_static("a", "eth0", "10.0.0.3", 0));
	cr_assert_eq(err.code, CNI_ERR_INVALID_CONFIG);
	cr_assert_str_eq(
		err.msg,
		"ipam: requested address 10.0.0.3 is the gateway of range 10.0.0.1-10.0.0.6");
	cr_assert_eq(fake.n, 0);
}

Test(allocator, owner_holding_another_address_must_del_first)
{
	load(DUAL);
	cr_assert_str_eq(add("a"), "10.0.0.10");
	cr_assert_null(add_static("a", "eth0", "10.0.0.15", 0));
	cr_assert_eq(err.code, CNI_ERR_IPAM);
	cr_assert_str_eq(err.msg, "ipam: a/eth0 already holds 10.0.0.10, not the requested "
				  "address 10.0.0.15; DEL it first");
	cr_assert_eq(fake.n, 2);
}

Test(allocator, del_releases_a_requested_address)
{
	load(DUAL);
	cr_assert_str_eq(add_static("a", "eth0", "10.0.0.15", 0), "10.0.0.15");
	cr_assert_eq(allocator_del(&fake.store, "a", "eth0", &err), 0, "%s", err.msg);
	cr_assert_eq(fake.n, 0);
	cr_assert_str_eq(add_static("b", "eth0", "10.0.0.15", 0), "10.0.0.15");
}

/* The store lists in its own order (a directory's); the snapshot must not depend on it. */
Test(allocator, free_addresses_and_held_address_do_not_depend_on_the_listing_order)
{
	const char *held[] = {"10.0.0.4", "10.0.0.2", "10.0.0.5", "10.0.0.1"};

	load("{\"subnet\":\"10.0.0.0/29\"}");
	fake_lock(&fake.store, NULL);
	for (size_t i = 0; i < 4; i++) {
		struct ip_address ip;

		cr_assert_eq(ip_address_parse(held[i], &ip), 0);
		/* Two of them left behind by host-local for the same owner "old". */
		cr_assert_eq(fake_reserve(&fake.store, &ip, i % 2 ? "old" : "x", "eth0", NULL), 0);
	}
	fake_unlock(&fake.store);
	cr_assert_str_eq(add("a"), "10.0.0.3");
	cr_assert_str_eq(add("b"), "10.0.0.6");
	/* An owner holding two addresses in the set gets the lower one back. */
	cr_assert_str_eq(add("old"), "10.0.0.1");
	cr_assert_eq(fake.n, 6);
}
