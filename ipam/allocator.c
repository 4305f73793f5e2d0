#include "ipam/allocator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipam/range.h"
#include "ipam/slot_table.h"

/*
 * A snapshot of the store in the store's order, with a table of its
 * addresses for "is this one taken": sorting the list for a binary search
 * cost more than the lookups at 500 pods (glibc's merge sort copies the
 * ~350-byte reservations; even sorting bare addresses took ~20 us).
 */
struct snapshot {
	struct ipam_reservation *list;
	size_t n;
	struct slot_table taken; /* list entries by address */
};

/* host-local's RangeIter: from after the last reserved address, wrapping once. */
struct range_iter {
	const struct ipam_range_set *set;
	unsigned int index;
	struct ip_address cur;
	struct ip_address first;
	bool started;
};

static uint64_t address_hash(const struct ip_address *ip)
{
	return slot_table_hash(ip->bytes, ip_address_size(ip)) ^ (uint64_t)ip->family;
}

static void snapshot_free(struct snapshot *snap)
{
	free(snap->list);
	slot_table_free(&snap->taken);
	memset(snap, 0, sizeof(*snap));
}

static int snapshot_index(struct snapshot *snap)
{
	struct slot_table *t = &snap->taken;
	int ret = slot_table_init(t, snap->n);

	for (size_t i = 0; !ret && i < snap->n; i++) {
		size_t slot = slot_table_first(t, address_hash(&snap->list[i].ip));

		while (t->slots[slot] != SLOT_TABLE_FREE)
			slot = slot_table_next(t, slot);
		t->slots[slot] = (uint32_t)i;
	}
	return ret;
}

/*
 * strict: a corrupt record is an error naming it. DEL is not strict: one bad
 * file must not leave every other pod of the network stuck in Terminating.
 */
static int snapshot_take(struct ipam_store *store, const char *container_id, const char *ifname,
			 struct snapshot *snap, bool strict, struct cni_error *err)
{
	int ret = store->ops->list(store, container_id, ifname, &snap->list, &snap->n, err);

	if (ret)
		return ret;
	for (size_t i = 0; strict && i < snap->n; i++) {
		if (!snap->list[i].corrupt)
			continue;
		ret = cni_error_set(err, CNI_ERR_IPAM, EUCLEAN,
				    "ipam: store record %s is corrupt; its address stays reserved "
				    "until the file is removed",
				    snap->list[i].key);
		snapshot_free(snap);
		return ret;
	}
	ret = snapshot_index(snap);
	if (ret) {
		ret = cni_error_set(err, CNI_ERR_INTERNAL, -ret,
				    "ipam: indexing %zu reservations: %s", snap->n, strerror(-ret));
		snapshot_free(snap);
	}
	return ret;
}

static bool snapshot_has(const struct snapshot *snap, const struct ip_address *ip)
{
	const struct slot_table *t = &snap->taken;

	if (!snap->n)
		return false;
	for (size_t s = slot_table_first(t, address_hash(ip)); t->slots[s] != SLOT_TABLE_FREE;
	     s = slot_table_next(t, s))
		if (ip_address_equal(&snap->list[t->slots[s]].ip, ip))
			return true;
	return false;
}

static bool owned_by(const struct ipam_reservation *res, const char *container_id,
		     const char *ifname)
{
	/* host-local's old records carry no ifname and match any. */
	return !strcmp(res->container_id, container_id) &&
	       (!res->ifname[0] || !strcmp(res->ifname, ifname));
}

/* The owner's lowest reservation inside set (one, unless host-local left more), or NULL. */
static const struct ipam_reservation *find_held(const struct snapshot *snap,
						const struct ipam_range_set *set,
						const char *container_id, const char *ifname)
{
	const struct ipam_reservation *held = NULL;

	for (size_t i = 0; i < snap->n; i++)
		if (owned_by(&snap->list[i], container_id, ifname) &&
		    ipam_range_set_find(set, &snap->list[i].ip) >= 0 &&
		    (!held || ip_address_compare(&snap->list[i].ip, &held->ip) < 0))
			held = &snap->list[i];
	return held;
}

static void iter_advance(struct range_iter *it)
{
	const struct ipam_range *range = &it->set->ranges[it->index];

	if (ip_address_equal(&it->cur, &range->range_end)) {
		it->index = (it->index + 1) % it->set->n_ranges;
		it->cur = it->set->ranges[it->index].range_start;
	} else {
		ip_address_increment(&it->cur);
	}
}

static void iter_init(struct range_iter *it, const struct ipam_range_set *set,
		      const struct ip_address *last)
{
	int index = last ? ipam_range_set_find(set, last) : -1;

	memset(it, 0, sizeof(*it));
	it->set = set;
	if (index >= 0) {
		it->index = (unsigned int)index;
		it->cur = *last;
		iter_advance(it);
	} else {
		it->cur = set->ranges[0].range_start;
	}
	it->first = it->cur;
}

static bool iter_next(struct range_iter *it, struct ip_address *out)
{
	if (it->started && ip_address_equal(&it->cur, &it->first))
		return false;
	it->started = true;
	*out = it->cur;
	iter_advance(it);
	return true;
}

/* Next candidate that is neither reserved nor a gateway; false when none is left. */
static bool next_candidate(struct range_iter *it, const struct snapshot *snap,
			   struct ip_address *out)
{
	while (iter_next(it, out))
		if (!ipam_range_set_is_gateway(it->set, out) && !snapshot_has(snap, out))
			return true;
	return false;
}

static void start_iter(struct ipam_store *store, const struct ipam_range_set *set,
		       unsigned int index, struct range_iter *it)
{
	struct ip_address last;

	iter_init(it, set, store->ops->last_reserved_get(store, index, &last) ? NULL : &last);
}

static int exhausted(const struct ipam_range_set *set, int code, struct cni_error *err)
{
	char ranges[8 * IPAM_RANGE_STRLEN];

	return cni_error_set(err, code, ENOSPC, "ipam: no free address in range %s",
			     ipam_range_set_format(set, ranges, sizeof(ranges)));
}

static int reserve_in_set(struct ipam_store *store, const struct ipam_range_set *set,
			  unsigned int index, const struct snapshot *snap, const char *container_id,
			  const char *ifname, struct ip_address *out, struct cni_error *err)
{
	struct range_iter it;
	int ret;

	start_iter(store, set, index, &it);
	while (next_candidate(&it, snap, out)) {
		ret = store->ops->reserve(store, out, container_id, ifname, err);
		if (ret == -EEXIST)
			continue;
		if (ret)
			return ret;
		ret = store->ops->last_reserved_set(store, index, out, err);
		if (ret) {
			struct ipam_reservation res = {.ip = *out};

			ip_address_format(out, res.key, sizeof(res.key));
			store->ops->release(store, &res, NULL);
		}
		return ret;
	}
	return exhausted(set, CNI_ERR_IPAM_EXHAUSTED, err);
}

/*
 * Reserve the requested address of set index (see ipam_add for the rules).
 * *fresh tells the caller's unwind whether this call reserved it.
 */
static int reserve_wanted(struct ipam_store *store, const struct ipam_conf *conf,
			  unsigned int index, const struct snapshot *snap,
			  const struct ip_prefix *want, const char *container_id,
			  const char *ifname, struct ip_address *out, bool *fresh,
			  struct cni_error *err)
{
	const struct ipam_range_set *set = &conf->sets[index];
	const struct ipam_reservation *held;
	char text[INET6_ADDRSTRLEN], other[INET6_ADDRSTRLEN];
	int ret;

	ip_address_format(&want->addr, text, sizeof(text));
	for (size_t i = 0; i < snap->n; i++) {
		if (!ip_address_equal(&snap->list[i].ip, &want->addr))
			continue;
		if (!owned_by(&snap->list[i], container_id, ifname))
			goto taken;
		*out = want->addr; /* a re-ADD of the same owner */
		return 0;
	}
	held = find_held(snap, set, container_id, ifname);
	if (held)
		return cni_error_set(err, CNI_ERR_IPAM, EEXIST,
				     "ipam: %s/%s already holds %s, not the requested address %s; "
				     "DEL it first",
				     container_id, ifname,
				     ip_address_format(&held->ip, other, sizeof(other)), text);
	ret = store->ops->reserve(store, &want->addr, container_id, ifname, err);
	if (ret == -EEXIST)
		goto taken;
	if (ret)
		return ret;
	/* host-local's store moves the round-robin hint on every reservation. */
	ret = store->ops->last_reserved_set(store, index, &want->addr, err);
	if (ret) {
		struct ipam_reservation res = {.ip = want->addr};

		memcpy(res.key, text, sizeof(text));
		store->ops->release(store, &res, NULL);
		return ret;
	}
	*out = want->addr;
	*fresh = true;
	return 0;

taken:
	/*
	 * Not a config error and not exhaustion: another attachment holds it,
	 * most often the previous incarnation of the same pod whose DEL has
	 * not run yet. That clears by itself, which is what code 11 says.
	 */
	return cni_error_set(err, CNI_ERR_TRY_AGAIN, EADDRINUSE,
			     "ipam: requested address %s is already allocated to another "
			     "attachment of network %s",
			     text, conf->network_name);
}

static int add_locked(struct ipam_store *store, const struct ipam_conf *conf,
		      const char *container_id, const char *ifname,
		      const struct ip_prefix *requested, size_t n_requested,
		      struct cni_result *result, struct cni_error *err)
{
	const struct ip_prefix *wanted[IPAM_MAX_RANGE_SETS] = {NULL};
	struct ip_address got[IPAM_MAX_RANGE_SETS];
	bool fresh[IPAM_MAX_RANGE_SETS] = {false};
	struct snapshot snap = {0};
	unsigned int i;
	int ret;

	if (result->n_ips + conf->n_sets > CNI_MAX_IPS ||
	    result->n_routes + conf->n_routes > CNI_MAX_ROUTES)
		return cni_error_set(err, CNI_ERR_INTERNAL, E2BIG,
				     "ipam: the result has no room for %u addresses and %u routes",
				     conf->n_sets, conf->n_routes);
	ret = ipam_range_sets_match(conf->sets, conf->n_sets, requested, n_requested, wanted, err);
	if (ret)
		return ret;
	ret = snapshot_take(store, container_id, ifname, &snap, true, err);
	if (ret)
		return ret;
	for (i = 0; i < conf->n_sets; i++) {
		const struct ipam_reservation *held =
			find_held(&snap, &conf->sets[i], container_id, ifname);

		if (wanted[i]) {
			ret = reserve_wanted(store, conf, i, &snap, wanted[i], container_id, ifname,
					     &got[i], &fresh[i], err);
			if (ret)
				goto unwind;
			continue;
		}
		if (held) {
			got[i] = held->ip;
			continue;
		}
		ret = reserve_in_set(store, &conf->sets[i], i, &snap, container_id, ifname, &got[i],
				     err);
		if (ret)
			goto unwind;
		fresh[i] = true;
	}
	for (i = 0; i < conf->n_sets; i++) {
		const struct ipam_range_set *set = &conf->sets[i];
		const struct ipam_range *range = &set->ranges[ipam_range_set_find(set, &got[i])];
		struct cni_ip *ip = &result->ips[result->n_ips++];

		memset(ip, 0, sizeof(*ip));
		ip->address.addr = got[i];
		ip->address.len = range->subnet.len;
		ip->gateway = range->gateway;
		ip->interface = -1;
	}
	for (i = 0; i < conf->n_routes; i++)
		result->routes[result->n_routes++] = conf->routes[i];
	snapshot_free(&snap);
	return 0;

unwind:
	/* Exhaustion in one set must not leave this call's other addresses held. */
	while (i-- > 0) {
		struct ipam_reservation res = {.ip = got[i]};

		if (!fresh[i])
			continue;
		ip_address_format(&got[i], res.key, sizeof(res.key));
		store->ops->release(store, &res, NULL);
	}
	snapshot_free(&snap);
	return ret;
}

int allocator_add(struct ipam_store *store, const struct ipam_conf *conf, const char *container_id,
		  const char *ifname, const struct ip_prefix *requested, size_t n_requested,
		  struct cni_result *result, struct cni_error *err)
{
	int ret = store->ops->lock(store, err);

	if (ret)
		return ret;
	ret = add_locked(store, conf, container_id, ifname, requested, n_requested, result, err);
	store->ops->unlock(store);
	return ret;
}

int allocator_del(struct ipam_store *store, const char *container_id, const char *ifname,
		  struct cni_error *err)
{
	struct snapshot snap = {0};
	int ret = store->ops->lock(store, err);

	if (ret)
		return ret;
	ret = snapshot_take(store, container_id, ifname, &snap, false, err);
	for (size_t i = 0; !ret && i < snap.n; i++)
		if (owned_by(&snap.list[i], container_id, ifname))
			ret = store->ops->release(store, &snap.list[i], err);
	store->ops->unlock(store);
	snapshot_free(&snap);
	return ret;
}

static bool result_lists(const struct cni_result *result, const struct ip_address *addr)
{
	for (unsigned int i = 0; i < result->n_ips; i++)
		if (ip_address_equal(&result->ips[i].address.addr, addr))
			return true;
	return false;
}

static int check_snapshot(const struct snapshot *snap, const struct ipam_conf *conf,
			  const char *container_id, const char *ifname,
			  const struct cni_result *result, struct cni_error *err)
{
	char text[IP_PREFIX_STRLEN];

	for (unsigned int i = 0; i < conf->n_sets; i++) {
		const struct ipam_reservation *held =
			find_held(snap, &conf->sets[i], container_id, ifname);
		char ranges[8 * IPAM_RANGE_STRLEN];

		if (!held)
			return cni_error_set(
				err, CNI_ERR_CHECK_FAILED, ENOENT,
				"ipam: %s/%s holds no address in range %s", container_id, ifname,
				ipam_range_set_format(&conf->sets[i], ranges, sizeof(ranges)));
		if (!result_lists(result, &held->ip))
			return cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
					     "ipam: %s/%s holds %s but the result does not list it",
					     container_id, ifname,
					     ip_address_format(&held->ip, text, sizeof(text)));
	}
	for (unsigned int i = 0; i < result->n_ips; i++) {
		const struct ip_address *addr = &result->ips[i].address.addr;
		bool ours = false, held = false;

		for (unsigned int s = 0; s < conf->n_sets; s++)
			ours = ours || ipam_range_set_in_subnet(&conf->sets[s], addr);
		for (size_t r = 0; ours && r < snap->n; r++)
			held = held || (ip_address_equal(&snap->list[r].ip, addr) &&
					owned_by(&snap->list[r], container_id, ifname));
		if (ours && !held)
			return cni_error_set(err, CNI_ERR_CHECK_FAILED, ENOENT,
					     "ipam: %s in the result is not reserved for %s/%s",
					     ip_address_format(addr, text, sizeof(text)),
					     container_id, ifname);
	}
	return 0;
}

int allocator_check(struct ipam_store *store, const struct ipam_conf *conf,
		    const char *container_id, const char *ifname, const struct cni_result *result,
		    struct cni_error *err)
{
	struct snapshot snap = {0};
	int ret = store->ops->lock(store, err);

	if (ret)
		return ret;
	ret = snapshot_take(store, container_id, ifname, &snap, true, err);
	store->ops->unlock(store);
	if (!ret)
		ret = check_snapshot(&snap, conf, container_id, ifname, result, err);
	snapshot_free(&snap);
	return ret;
}

static bool is_valid(const struct ipam_reservation *res, const struct cni_gc_attachment *valid,
		     size_t n_valid)
{
	for (size_t i = 0; i < n_valid; i++)
		if (owned_by(res, valid[i].container_id, valid[i].ifname))
			return true;
	return false;
}

int allocator_gc(struct ipam_store *store, const struct cni_gc_attachment *valid, size_t n_valid,
		 struct cni_error *err)
{
	struct snapshot snap = {0};
	int ret = store->ops->lock(store, err);

	if (ret)
		return ret;
	ret = store->ops->sweep(store, err);
	/* GC frees what it finds unowned: it reads every record, and so renews the cache. */
	if (!ret)
		ret = snapshot_take(store, NULL, NULL, &snap, true, err);
	for (size_t i = 0; !ret && i < snap.n; i++)
		if (!is_valid(&snap.list[i], valid, n_valid))
			ret = store->ops->release(store, &snap.list[i], err);
	store->ops->unlock(store);
	snapshot_free(&snap);
	return ret;
}

int allocator_status(struct ipam_store *store, const struct ipam_conf *conf, struct cni_error *err)
{
	struct snapshot snap = {0};
	int ret = store->ops->lock(store, err);

	if (ret)
		return ret;
	/* STATUS needs addresses and corrupt records only: no owner to read afresh. */
	ret = snapshot_take(store, "", "", &snap, true, err);
	for (unsigned int i = 0; !ret && i < conf->n_sets; i++) {
		struct range_iter it;
		struct ip_address free_ip;

		start_iter(store, &conf->sets[i], i, &it);
		if (!next_candidate(&it, &snap, &free_ip))
			ret = exhausted(&conf->sets[i], CNI_ERR_LIMITED, err);
	}
	store->ops->unlock(store);
	snapshot_free(&snap);
	return ret;
}
