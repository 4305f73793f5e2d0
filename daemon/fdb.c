/* MAC learning table: lock-free set-associative hash; see fdb.h for the concurrency rules. */
#include "daemon/fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * One slot word: MAC in bits 0-47, port+1 in bits 48-61 (0 = empty), pinned
 * flag in bit 62, static flag in bit 63.
 */
#define MAC_MASK   ((UINT64_C(1) << 48) - 1)
#define PORT_SHIFT 48
#define PORT_MASK  UINT64_C(0x3fff)
#define PINNED_BIT (UINT64_C(1) << 62)
#define STATIC_BIT (UINT64_C(1) << 63)
#define OWNED_BITS (STATIC_BIT | PINNED_BIT) /* entries only their own port may change */

struct fdb_bucket {
	uint64_t word[FDB_WAYS];
	uint32_t seen[FDB_WAYS];
} __attribute__((aligned(64)));

struct fdb {
	uint32_t mask;
	uint32_t aging;
	uint32_t port_limit;
	struct fdb_bucket *buckets;
	uint32_t
		*learned; /* per port: live dynamic + pinned entries, changed on CAS success only */
	uint64_t learn_events; /* entries written by learning (new MACs and moves) */
};

static inline uint64_t load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline bool cas(uint64_t *p, uint64_t old, uint64_t new)
{
	return __atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static inline bool slot_used(uint64_t w)
{
	return (w >> PORT_SHIFT & PORT_MASK) != 0;
}

static inline int slot_port(uint64_t w)
{
	return (int)(w >> PORT_SHIFT & PORT_MASK) - 1;
}

static inline uint64_t make_word(uint64_t mac, uint16_t port, uint64_t flags)
{
	return (mac & MAC_MASK) | (uint64_t)(port + 1) << PORT_SHIFT | flags;
}

static inline uint32_t seen_of(const struct fdb_bucket *b, int i)
{
	return __atomic_load_n(&b->seen[i], __ATOMIC_RELAXED);
}

static inline struct fdb_bucket *bucket_of(const struct fdb *fdb, uint64_t mac)
{
	/* Fibonacci hashing: pods' MACs often differ only in the last byte. */
	uint64_t h = (mac & MAC_MASK) * UINT64_C(0x9e3779b97f4a7c15);

	return &fdb->buckets[(h >> 32) & fdb->mask];
}

static inline bool expired(const struct fdb *fdb, uint64_t w, uint32_t seen, uint32_t now)
{
	return !(w & STATIC_BIT) && now - seen > fdb->aging;
}

/* A slot went from old to new: keep the per-port learned counts in step. */
static void account(struct fdb *fdb, uint64_t old, uint64_t new)
{
	if (slot_used(old) && !(old & STATIC_BIT))
		__atomic_fetch_sub(&fdb->learned[slot_port(old)], 1, __ATOMIC_RELAXED);
	if (slot_used(new) && !(new &STATIC_BIT))
		__atomic_fetch_add(&fdb->learned[slot_port(new)], 1, __ATOMIC_RELAXED);
}

struct fdb *fdb_create(unsigned int capacity, uint32_t aging_seconds)
{
	struct fdb *fdb;
	uint32_t n = 1;

	if (capacity == 0 || capacity > (1u << 24) || aging_seconds == 0) {
		errno = EINVAL;
		return NULL;
	}
	while (n * FDB_WAYS < capacity)
		n <<= 1;
	fdb = calloc(1, sizeof(*fdb));
	if (!fdb)
		return NULL;
	fdb->buckets = aligned_alloc(64, n * sizeof(struct fdb_bucket));
	fdb->learned = calloc(FDB_PORT_MAX, sizeof(*fdb->learned));
	if (!fdb->buckets || !fdb->learned) {
		fdb_free(fdb);
		errno = ENOMEM;
		return NULL;
	}
	memset(fdb->buckets, 0, n * sizeof(struct fdb_bucket));
	fdb->mask = n - 1;
	fdb->aging = aging_seconds;
	/* One uplink must not fill the whole table and leave no room for the next. */
	fdb->port_limit = capacity / 4 ? capacity / 4 : 1;
	return fdb;
}

void fdb_free(struct fdb *fdb)
{
	if (!fdb)
		return;
	free(fdb->buckets);
	free(fdb->learned);
	free(fdb);
}

uint32_t fdb_aging(const struct fdb *fdb)
{
	return fdb->aging;
}

void fdb_set_port_limit(struct fdb *fdb, unsigned int limit)
{
	fdb->port_limit = limit ? limit : 1;
}

unsigned int fdb_port_limit(const struct fdb *fdb)
{
	return fdb->port_limit;
}

unsigned int fdb_port_learned(const struct fdb *fdb, uint16_t port)
{
	return port < FDB_PORT_MAX ? __atomic_load_n(&fdb->learned[port], __ATOMIC_RELAXED) : 0;
}

int fdb_lookup(const struct fdb *fdb, uint64_t mac, uint32_t now)
{
	const struct fdb_bucket *b = bucket_of(fdb, mac);
	int i;

	mac &= MAC_MASK;
	for (i = 0; i < FDB_WAYS; i++) {
		uint64_t w = load(&b->word[i]);

		if (slot_used(w) && (w & MAC_MASK) == mac) {
			if (expired(fdb, w, seen_of(b, i), now))
				return -1;
			return slot_port(w);
		}
	}
	return -1;
}

/*
 * Slot to overwrite for a new MAC: empty, else expired, else oldest dynamic;
 * -1 if every slot is static or pinned (those are never evicted).
 */
static int victim(const struct fdb *fdb, struct fdb_bucket *b, uint32_t now, uint64_t *old)
{
	int i, best = -1;
	uint32_t best_age = 0;

	for (i = 0; i < FDB_WAYS; i++) {
		uint64_t w = load(&b->word[i]);
		uint32_t age = now - seen_of(b, i);

		if (!slot_used(w)) {
			*old = w;
			return i;
		}
		if (expired(fdb, w, now - age, now)) {
			*old = w;
			return i;
		}
		if (w & OWNED_BITS)
			continue;
		if (best < 0 || age > best_age) {
			best = i;
			best_age = age;
			*old = w;
		}
	}
	return best;
}

static inline bool at_limit(const struct fdb *fdb, uint16_t port)
{
	return __atomic_load_n(&fdb->learned[port], __ATOMIC_RELAXED) >= fdb->port_limit;
}

/* Write new over old in slot i; the seen stamp first, so a reader never finds it expired. */
static void replace(struct fdb *fdb, struct fdb_bucket *b, int i, uint64_t old, uint64_t new,
		    uint32_t now)
{
	__atomic_store_n(&b->seen[i], now, __ATOMIC_RELAXED);
	/* A lost race means another writer changed the slot; the next packet learns again. */
	if (cas(&b->word[i], old, new)) {
		account(fdb, old, new);
		/* Only on a change (new MAC, move), never per packet: like the CAS itself. */
		if (!(new &STATIC_BIT))
			__atomic_fetch_add(&fdb->learn_events, 1, __ATOMIC_RELAXED);
	}
}

uint64_t fdb_learn_events(const struct fdb *fdb)
{
	return __atomic_load_n(&fdb->learn_events, __ATOMIC_RELAXED);
}

enum fdb_learn_result fdb_learn(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now,
				bool pin)
{
	struct fdb_bucket *b = bucket_of(fdb, mac);
	uint64_t flags = pin ? PINNED_BIT : 0, w, old = 0;
	int i;

	if (port >= FDB_PORT_MAX)
		return FDB_FULL;
	mac &= MAC_MASK;
	for (i = 0; i < FDB_WAYS; i++) {
		w = load(&b->word[i]);
		if (!slot_used(w) || (w & MAC_MASK) != mac)
			continue;
		if (expired(fdb, w, seen_of(b, i), now))
			break; /* as good as absent: reuse this slot */
		if (slot_port(w) == port) {
			if (pin && !(w & OWNED_BITS))
				cas(&b->word[i], w, w | PINNED_BIT);
			if (!(w & STATIC_BIT) && seen_of(b, i) != now)
				__atomic_store_n(&b->seen[i], now, __ATOMIC_RELAXED);
			return FDB_LEARNED;
		}
		/* A pod never takes a MAC that lives elsewhere, and nobody takes a pod's. */
		if ((w & OWNED_BITS) || pin)
			return FDB_HELD;
		if (at_limit(fdb, port))
			return FDB_LIMIT;
		replace(fdb, b, i, w, make_word(mac, port, flags), now);
		return FDB_LEARNED;
	}
	if (at_limit(fdb, port))
		return FDB_LIMIT;
	if (i == FDB_WAYS) {
		i = victim(fdb, b, now, &old);
		if (i < 0)
			return FDB_FULL;
	} else {
		old = w;
	}
	replace(fdb, b, i, old, make_word(mac, port, flags), now);
	return FDB_LEARNED;
}

int fdb_add_static(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now, int *holder)
{
	struct fdb_bucket *b = bucket_of(fdb, mac);
	uint64_t w, old = 0, new;
	int i, tries;

	if (port >= FDB_PORT_MAX)
		return -EINVAL;
	mac &= MAC_MASK;
	new = make_word(mac, port, STATIC_BIT);
	/* Retry: the datapath may be rewriting a slot of this bucket at the same time. */
	for (tries = 0; tries < 16; tries++) {
		for (i = 0; i < FDB_WAYS; i++) {
			w = load(&b->word[i]);
			if (slot_used(w) && (w & MAC_MASK) == mac)
				break;
		}
		if (i < FDB_WAYS) {
			if (w == new)
				return 0;
			if ((w & OWNED_BITS) && slot_port(w) != port &&
			    !expired(fdb, w, seen_of(b, i), now)) {
				if (holder)
					*holder = slot_port(w);
				return -EEXIST;
			}
		} else {
			i = victim(fdb, b, now, &w);
			if (i < 0)
				return -ENOSPC;
		}
		old = w;
		__atomic_store_n(&b->seen[i], now, __ATOMIC_RELAXED);
		if (cas(&b->word[i], old, new)) {
			account(fdb, old, new);
			return 0;
		}
	}
	return -EAGAIN;
}

/* Clear slots that match; returns how many. */
static unsigned int
clear_where(struct fdb *fdb, bool (*match)(const struct fdb *, uint64_t, uint32_t, uint32_t, int),
	    int arg, uint32_t now)
{
	unsigned int n = 0;
	uint32_t bi;
	int i;

	for (bi = 0; bi <= fdb->mask; bi++)
		for (i = 0; i < FDB_WAYS; i++) {
			struct fdb_bucket *b = &fdb->buckets[bi];
			uint64_t w = load(&b->word[i]);

			if (slot_used(w) && match(fdb, w, seen_of(b, i), now, arg) &&
			    cas(&b->word[i], w, 0)) {
				account(fdb, w, 0);
				n++;
			}
		}
	return n;
}

static bool on_port(const struct fdb *fdb, uint64_t w, uint32_t seen, uint32_t now, int port)
{
	(void)fdb, (void)seen, (void)now;
	return slot_port(w) == port;
}

static bool is_expired(const struct fdb *fdb, uint64_t w, uint32_t seen, uint32_t now, int unused)
{
	(void)unused;
	return expired(fdb, w, seen, now);
}

unsigned int fdb_flush_port(struct fdb *fdb, uint16_t port)
{
	return clear_where(fdb, on_port, port, 0);
}

unsigned int fdb_age(struct fdb *fdb, uint32_t now)
{
	return clear_where(fdb, is_expired, 0, now);
}

size_t fdb_snapshot(const struct fdb *fdb, struct fdb_entry *out, size_t max, uint32_t now)
{
	size_t n = 0;
	uint32_t bi;
	int i;

	for (bi = 0; bi <= fdb->mask; bi++)
		for (i = 0; i < FDB_WAYS; i++) {
			const struct fdb_bucket *b = &fdb->buckets[bi];
			uint64_t w = load(&b->word[i]);
			uint32_t seen = seen_of(b, i);

			if (!slot_used(w) || expired(fdb, w, seen, now))
				continue;
			if (out && n < max) {
				out[n].mac = w & MAC_MASK;
				out[n].port = (uint16_t)slot_port(w);
				out[n].is_static = w & STATIC_BIT;
				out[n].is_pinned = w & PINNED_BIT;
				out[n].age = (w & STATIC_BIT) ? 0 : now - seen;
			}
			n++;
			if (out && n == max)
				return n;
		}
	return n;
}

size_t fdb_count(const struct fdb *fdb, uint32_t now)
{
	return fdb_snapshot(fdb, NULL, 0, now);
}
