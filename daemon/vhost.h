/* vhost-user sockets through the raw rte_vhost API (not net_vhost: 32-ethdev cap). */
#ifndef SLICENET_DAEMON_VHOST_H
#define SLICENET_DAEMON_VHOST_H

#include <stddef.h>

#include "daemon/ctl_proto.h"

/*
 * What a device's arrival and departure mean to whoever owns the ports
 * (port.c registers them): vhost.c never calls into the port table itself.
 */
struct vhost_events {
	/* Device vid on socket path negotiated nr_queues pairs; non-zero refuses it for now. */
	int (*attach)(const char *path, int vid, unsigned int nr_queues);
	/* Device vid goes away; return only once the datapath stopped using it. */
	void (*detach)(int vid);
};

/* Set once, before the first vhost_port_start. */
void vhost_set_events(const struct vhost_events *events);

/*
 * Register and start spec's port under path (what DPDK and the callbacks know
 * it by): client mode connects to path and keeps reconnecting (path is the
 * port's shadow, port_shadow.h); server mode creates spec->socket (= path;
 * stale socket removed, mode 0660). Must not be called with locks a
 * callback takes.
 */
int vhost_port_start(const struct ctl_port_spec *spec, const char *path, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));
/*
 * Unregister (destroy_device runs first for a live device). Never from a
 * vhost callback. The library waits for the socket's running callback;
 * this waits for it at most a deadline (0), then lets it finish on its own
 * thread and returns -ETIMEDOUT; the socket path stays busy until then.
 */
int vhost_port_stop(const char *path) __attribute__((warn_unused_result));

#endif
