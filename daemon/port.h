/*
 * The port table: vhost-user pod ports and the uplink, by name. The control
 * thread adds and removes ports; vhost.c reports devices coming and going
 * through the vhost_events it registers here. Every change republishes the
 * datapath table (fwd.h).
 */
#ifndef SLICENET_DAEMON_PORT_H
#define SLICENET_DAEMON_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/ctl_proto.h"
#include "daemon/fdb.h"
#include "daemon/port_slots.h"

#define PORT_UPLINK_NAME PORT_SLOTS_UPLINK_NAME

/*
 * state_dir: where the port table is persisted after every change ("" =
 * nowhere). socket_dir: port sockets must lie below it (it must exist).
 */
int port_table_init(struct fdb *fdb, const char *state_dir, const char *socket_dir)
	__attribute__((warn_unused_result));

/*
 * Create a vhost-user port. Adding a port that exists with the same spec
 * succeeds (CNI retries, state restore); a clash on name or socket is
 * -EEXIST. msg names the problem.
 */
int port_add(const struct ctl_port_spec *spec, struct ctl_port_info *info, char *msg,
	     size_t msg_size) __attribute__((warn_unused_result));
/* Remove a port and its socket; -ENOENT when there is none by that name. */
int port_del(const char *name, char *msg, size_t msg_size) __attribute__((warn_unused_result));

/* Register the uplink ethdev as a switch port. */
int port_add_uplink(uint16_t eth_port, uint16_t nr_queues) __attribute__((warn_unused_result));

/* Re-add every port of the state file; ports that fail are logged and skipped. */
int port_restore(void) __attribute__((warn_unused_result));

/* Client-mode ports not connected: re-link their shadows (port_shadow.h); once a second. */
void port_refresh_shadows(void);

/*
 * Disconnect every port whose pod faulted its shared memory (guest_mem.h)
 * and count it (ctl_port_info.memory_faults); the port keeps its socket.
 * From the control thread, about once a second.
 */
void port_reap_faulted(void);

/* Unregister every vhost port for shutdown; the state file keeps them. */
void port_shutdown(void);

/* A consistent copy of the table (malloc'ed arrays, index = switch port number). */
struct port_snapshot {
	uint16_t index;
	struct ctl_port_info info;
};
int port_snapshot(struct port_snapshot **out, size_t *n) __attribute__((warn_unused_result));
/* Name of switch port index (for fdb.list); "" when unused. */
void port_name(uint16_t index, char *out, size_t size);

#endif
