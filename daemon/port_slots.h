/*
 * The pure part of slicenetd's port table (no DPDK, no locks): which slot
 * holds which port, name and socket clashes, same-spec re-adds, and the
 * socket directory every port socket must lie below. port.c adds the lock,
 * the vhost driver and the datapath publishing around it.
 */
#ifndef SLICENET_DAEMON_PORT_SLOTS_H
#define SLICENET_DAEMON_PORT_SLOTS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ctl_proto.h"
#include "daemon/l2switch.h"

#define PORT_SLOTS_UPLINK_NAME "uplink"

enum port_slot_state {
	PORT_SLOT_FREE,
	PORT_SLOT_ADDING, /* vhost driver being registered, lock not held */
	PORT_SLOT_READY,
	PORT_SLOT_DELETING, /* vhost driver being unregistered, lock not held */
};

enum port_slot_kind {
	PORT_SLOT_VHOST,
	PORT_SLOT_ETH,
};

struct port_slot {
	enum port_slot_state state;
	enum port_slot_kind kind;
	struct ctl_port_spec spec;
	int vid; /* -1 while no device is connected */
	unsigned int nr_queues;
	uint16_t eth_port;
	char reg_path[CTL_SOCKET_MAX]; /* what DPDK knows the port by: its shadow in client mode */
	uint32_t gen; /* set by port.c for every port added: the datapath resets its per-port state
		       */
};

/* Index = switch port number. */
struct port_slots {
	struct port_slot slot[L2SWITCH_PORT_MAX];
	char socket_dir[PATH_MAX]; /* resolved */
};

/* Every slot free; socket_dir resolved with realpath (it must exist). 0 or -errno. */
int port_slots_init(struct port_slots *t, const char *socket_dir)
	__attribute__((warn_unused_result));

/*
 * 0 when socket is an absolute path whose directory resolves below the
 * socket directory; -EINVAL, -EPERM or the realpath error with msg otherwise.
 */
int port_slots_socket_allowed(const struct port_slots *t, const char *socket, char *msg,
			      size_t msg_size) __attribute__((warn_unused_result));

/*
 * Claim a slot for spec. 0: *index is a new slot, now PORT_SLOT_ADDING.
 * 1: a ready port with exactly this spec exists at *index (a CNI retry or a
 * state restore). -EEXIST: the name or socket belongs to another port, or
 * the name is the uplink's. -ENOSPC: the table is full. msg says which.
 */
int port_slots_claim(struct port_slots *t, const struct ctl_port_spec *spec, int *index, char *msg,
		     size_t msg_size) __attribute__((warn_unused_result));

/* Put the uplink in the first free slot: its index, or -ENOSPC. */
int port_slots_add_uplink(struct port_slots *t, uint16_t eth_port, uint16_t nr_queues)
	__attribute__((warn_unused_result));

/* Free slot i (any state). */
void port_slots_release(struct port_slots *t, int i);

/* Index of the port by that name (any state but free), or -1. */
int port_slots_find_name(const struct port_slots *t, const char *name);
/* Index of the adding or ready vhost port on socket path, or -1. */
int port_slots_find_socket(const struct port_slots *t, const char *path);
/* Index of the vhost port whose connected device is vid, or -1. */
int port_slots_find_vid(const struct port_slots *t, int vid);

#endif
