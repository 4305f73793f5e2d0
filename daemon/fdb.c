/* MAC learning table: lock-free set-associative hash; see fdb.h for the concurrency rules. */
#include "daemon/fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One slot word: MAC in bits 0-47, port+1 in bits 48-62 (0 = empty), static flag in bit 63. */
#define MAC_MASK   ((UINT64_C(1) << 48) - 1)
#define PORT_SHIFT 48
#define PORT_MASK  UINT64_C(0x7fff)
#define STATIC_BIT (UINT64_C(1) << 63)

struct fdb_bucket {
	uint64_t word[FDB_WAYS];
	uint32_t seen[FDB_WAYS];
} __attribute__((aligned(64)));

struct fdb {
	uint32_t mask;
	uint32_t aging;
	struct fdb_bucket *buckets;
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

static inline uint64_t make_word(uint64_t mac, uint16_t port, bool is_static)
{
	return (mac & MAC_MASK) | (uint64_t)(port + 1) << PORT_SHIFT | (is_static ? STATIC_BIT : 0);
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
	if (!fdb->buckets) {
		free(fdb);
		return NULL;
	}
	memset(fdb->buckets, 0, n * sizeof(struct fdb_bucket));
	fdb->mask = n - 1;
	fdb->aging = aging_seconds;
	return fdb;
}

void fdb_free(struct fdb *fdb)
{
	if (!fdb)
		return;
	free(fdb->buckets);
	free(fdb);
}

uint32_t fdb_aging(const struct fdb *fdb)
{
	return fdb->aging;
}

int fdb_lookup(const struct fdb *fdb, uint64_t mac, uint32_t now)
{
	const struct fdb_bucket *b = bucket_of(fdb, mac);
	int i;

	mac &= MAC_MASK;
	for (i = 0; i < FDB_WAYS; i++) {
		uint64_t w = load(&b->word[i]);

		if (slot_used(w) && (w & MAC_MASK) == mac) {
			if (expired(fdb, w, __atomic_load_n(&b->seen[i], __ATOMIC_RELAXED), now))
				return -1;
			return slot_port(w);
		}
	}
	return -1;
}

/* Slot to overwrite for a new MAC: empty, else expired, else oldest dynamic; -1 if all static. */
static int victim(const struct fdb *fdb, struct fdb_bucket *b, uint32_t now, uint64_t *old)
{
	int i, best = -1;
	uint32_t best_age = 0;

	for (i = 0; i < FDB_WAYS; i++) {
		uint64_t w = load(&b->word[i]);
		uint32_t age = now - __atomic_load_n(&b->seen[i], __ATOMIC_RELAXED);

		if (!slot_used(w)) {
			*old = w;
			return i;
		}
		if (w & STATIC_BIT)
			continue;
		if (best < 0 || age > best_age || expired(fdb, w, now - age, now)) {
			best = i;
			best_age = age;
			*old = w;
		}
	}
	return best;
}

void fdb_learn(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now)
{
	struct fdb_bucket *b = bucket_of(fdb, mac);
	uint64_t w, old = 0;
	int i;

	mac &= MAC_MASK;
	for (i = 0; i < FDB_WAYS; i++) {
		w = load(&b->word[i]);
		if (!slot_used(w) || (w & MAC_MASK) != mac)
			continue;
		if (w & STATIC_BIT)
			return;
		if (slot_port(w) != port) {
			__atomic_store_n(&b->seen[i], now, __ATOMIC_RELAXED);
			/* Lost race: another writer changed the slot; the next packet relearns. */
			cas(&b->word[i], w, make_word(mac, port, false));
		} else if (__atomic_load_n(&b->seen[i], __ATOMIC_RELAXED) != now) {
			__atomic_store_n(&b->seen[i], now, __ATOMIC_RELAXED);
		}
		return;
	}
	i = victim(fdb, b, now, &old);
	if (i < 0)
		return;
	/* seen first: a reader that sees the new word must not find it expired. */
	__atomic_store_n(&b->seen[i], now, __ATOMIC_RELAXED);
	cas(&b->word[i], old, make_word(mac, port, false));
}

int fdb_add_static(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now)
{
	struct fdb_bucket *b = bucket_of(fdb, mac);
	uint64_t w, old = 0;
	int i, tries;

	if (port >= FDB_PORT_MAX)
		return -EINVAL;
	mac &= MAC_MASK;
	/* Retry: the datapath may be rewriting a slot of this bucket at the same time. */
	for (tries = 0; tries < 16; tries++) {
		for (i = 0; i < FDB_WAYS; i++) {
			w = load(&b->word[i]);
			if (slot_used(w) && (w & MAC_MASK) == mac)
				break;
		}
		if (i == FDB_WAYS) {
			i = victim(fdb, b, now, &old);
			if (i < 0)
				return -ENOSPC;
			w = old;
		}
		__atomic_store_n(&b->seen[i], now, __ATOMIC_RELAXED);
		if (cas(&b->word[i], w, make_word(mac, port, true)))
			return 0;
	}
	return -EAGAIN;
}

unsigned int fdb_flush_port(struct fdb *fdb, uint16_t port)
{
	unsigned int n = 0;
	uint32_t bi;
	int i;

	for (bi = 0; bi <= fdb->mask; bi++)
		for (i = 0; i < FDB_WAYS; i++) {
			uint64_t w = load(&fdb->buckets[bi].word[i]);

			if (slot_used(w) && slot_port(w) == port &&
			    cas(&fdb->buckets[bi].word[i], w, 0))
				n++;
		}
	return n;
}

unsigned int fdb_age(struct fdb *fdb, uint32_t now)
{
	unsigned int n = 0;
	uint32_t bi;
	int i;

	for (bi = 0; bi <= fdb->mask; bi++)
		for (i = 0; i < FDB_WAYS; i++) {
			struct fdb_bucket *b = &fdb->buckets[bi];
			uint64_t w = load(&b->word[i]);

			if (slot_used(w) &&
			    expired(fdb, w, __atomic_load_n(&b->seen[i], __ATOMIC_RELAXED), now) &&
			    cas(&b->word[i], w, 0))
				n++;
		}
	return n;
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
			uint32_t seen = __atomic_load_n(&b->seen[i], __ATOMIC_RELAXED);

			if (!slot_used(w) || expired(fdb, w, seen, now))
				continue;
			if (out && n < max) {
				out[n].mac = w & MAC_MASK;
				out[n].port = (uint16_t)slot_port(w);
				out[n].is_static = w & STATIC_BIT;
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
