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
#define FDB_PORT_MAX	  0x7ffe /* port numbers 0..FDB_PORT_MAX-1 */
#define FDB_DEFAULT_AGING 300	 /* seconds, as 802.1D recommends */

struct fdb;

/* Room for at least capacity MACs (rounded up to a power of two); NULL + errno. */
struct fdb *fdb_create(unsigned int capacity, uint32_t aging_seconds);
void fdb_free(struct fdb *fdb);
uint32_t fdb_aging(const struct fdb *fdb);

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

/*
 * The datapath saw mac as a source on port. Writes only when something
 * changed (new MAC, a move, or the timestamp is a second old) so the hot path
 * does not dirty shared cache lines per packet. A static entry never moves.
 * When the bucket is full the oldest dynamic entry is replaced.
 */
void fdb_learn(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now);

/* Pin mac to port (a pod's known MAC); replaces a dynamic entry. 0 or -ENOSPC. */
int fdb_add_static(struct fdb *fdb, uint64_t mac, uint16_t port, uint32_t now)
	__attribute__((warn_unused_result));

/* Forget every entry (static too) that points at port; returns how many. */
unsigned int fdb_flush_port(struct fdb *fdb, uint16_t port);

/* Remove dynamic entries older than the aging time; returns how many. */
unsigned int fdb_age(struct fdb *fdb, uint32_t now);

struct fdb_entry {
	uint64_t mac;
	uint16_t port;
	bool is_static;
	uint32_t age; /* seconds since last seen */
};

/* Copy up to max live entries into out; returns how many (a racy but consistent-per-entry
 * snapshot). */
size_t fdb_snapshot(const struct fdb *fdb, struct fdb_entry *out, size_t max, uint32_t now);
/* Number of live entries. */
size_t fdb_count(const struct fdb *fdb, uint32_t now);

#endif
