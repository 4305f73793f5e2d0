/*
 * The MAC learning table (forwarding database): MAC -> port, with aging.
 *
 * Pure logic, no DPDK: the forwarding lcores learn and look up, the control
 * thread adds static entries, flushes a removed port and sweeps expired
 * entries, all at the same time. Every slot is one 64-bit word changed only
 * by compare-and-swap, so no lock is taken and a reader never sees half an
 * entry. A set-associative layout (a MAC lives only in its bucket) keeps
 * deletion trivial: no probe chains, no tombstones.
 */
#ifndef SLICENET_DAEMON_FDB_H
#define SLICENET_DAEMON_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDB_WAYS	  4
#define FDB_PORT_MAX	  0x3ffe /* port numbers 0..FDB_PORT_MAX-1 */
#define FDB_DEFAULT_AGING 300	 /* seconds, as 802.1D recommends */

/*
 * Who may hold a MAC. A static entry is a pod's MAC from its port spec; a
 * pinned entry is the MAC a pod port without one claimed with its first
 * frame; both belong to their port until it is removed: learning on another
 * port never moves or evicts them. Dynamic entries (learned on the uplink)
 * are limited per port, age, move and are evicted oldest first.
 */

struct fdb;

/*
 * Room for at least capacity MACs (rounded up to a power of two); NULL + errno.
 * Each port may hold at most capacity / 4 learned entries until
 * fdb_set_port_limit says otherwise.
 */
struct fdb *fdb_create(unsigned int capacity, uint32_t aging_seconds);
void fdb_free(struct fdb *fdb);
uint32_t fdb_aging(const struct fdb *fdb);
/* Most learned (dynamic and pinned) entries one port may hold, >= 1. */
void fdb_set_port_limit(struct fdb *fdb, unsigned int limit);
unsigned int fdb_port_limit(const struct fdb *fdb);
/* Learned entries port holds now (may briefly lag a concurrent change). */
unsigned int fdb_port_learned(const struct fdb *fdb, uint16_t port);

/* 6 MAC bytes as the low 48 bits of a key. */
static inline uint64_t fdb_mac_key(const uint8_t *mac)
{
	return (uint64_t)mac[0] << 40 | (uint64_t)mac[1] << 32 | (uint64_t)mac[2] << 24 |
	       (uint64_t)mac[3] << 16 | (uint64_t)mac[4] << 8 | mac[5];
}

/*
 * Port the MAC was last seen on, or -1 when unknown or older than the aging
 * time (now and all times are seconds on a monotonic clock).
 */
int fdb_lookup(const struct fdb *fdb, uint64_t mac, uint32_t now);

enum fdb_learn_result {
	FDB_LEARNED, /* entry is (now) this port's: new, moved, refreshed, or static already */
	FDB_HELD,    /* another port holds mac: static or pinned, or (pin) any live entry */
	FDB_LIMIT,   /* port already holds its limit of learned entries; nothing written */
	FDB_FULL,    /* every slot of the bucket is static or pinned; nothing written */
};

/*
 * The datapath saw mac as a source on port. Writes only when something
 * changed (new MAC, a move, or the timestamp is a second old) so the hot path
 * does not dirty shared cache lines per packet. pin: claim mac for a pod port
 * (a pinned entry), which only succeeds when no other port holds a live entry.
 */
enum fdb_learn_result fdb_learn(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now,
				bool pin);

/*
 * Pin mac to port (a pod's MAC from its spec); replaces a dynamic entry of
 * any port. 0, -EEXIST when another port holds it static or pinned (*holder
 * is that port), -ENOSPC when its bucket has no slot left, -EINVAL.
 */
int fdb_add_static(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now, int *holder)
	__attribute__((warn_unused_result));

/* Forget every entry (static too) that points at port; returns how many. */
unsigned int fdb_flush_port(struct fdb *fdb, uint16_t port);

/* Remove learned (dynamic and pinned) entries older than the aging time; returns how many. */
unsigned int fdb_age(struct fdb *fdb, uint32_t now);

struct fdb_entry {
	uint64_t mac;
	uint16_t port;
	bool is_static;
	bool is_pinned;
	uint32_t age; /* seconds since last seen */
};

/* Copy up to max live entries into out; returns how many (a racy but consistent-per-entry
 * snapshot). */
size_t fdb_snapshot(const struct fdb *fdb, struct fdb_entry *out, size_t max, uint32_t now);
/* Number of live entries. */
size_t fdb_count(const struct fdb *fdb, uint32_t now);
/* Entries written by learning since creation (new MACs and moves; not refreshes, not static). */
uint64_t fdb_learn_events(const struct fdb *fdb);

#endif
