/*
 * slicenetd's guard between a pod's vhost-user frontend and DPDK's vhost
 * library: one connection per port at a bounded connect rate, socket
 * timeouts so a half-sent message can't park the vhost thread, and every
 * message checked (vhost_msg.h) before the library acts on it. A refused
 * frontend is disconnected, logged and counted per port.
 */
#ifndef SLICENET_DAEMON_VHOST_GUARD_H
#define SLICENET_DAEMON_VHOST_GUARD_H

#include <stdint.h>

/* A connection may reconnect this often per window before it is refused. */
#define VHOST_GUARD_CONN_MAX	   20
#define VHOST_GUARD_CONN_WINDOW_MS 10000
/* A frontend that starts a message must finish it (and read our replies) within this. */
#define VHOST_GUARD_IO_TIMEOUT_MS 500

/*
 * Watch socket path of port name with queue_pairs pairs; before the socket
 * is registered. -EBUSY while an earlier port on path is still being
 * removed, -ENOSPC when full.
 */
int vhost_guard_add(const char *path, const char *name, unsigned int queue_pairs)
	__attribute__((warn_unused_result));
/* Forget path; after its unregister returned. */
void vhost_guard_del(const char *path);

/* rte_vhost_device_ops hooks (vhost.c registers them). */
int vhost_guard_new_connection(int vid);
void vhost_guard_destroy_connection(int vid);

/* Frontends refused on path since it was added (-1: not watched). */
long vhost_guard_refusals(const char *path);

#endif
