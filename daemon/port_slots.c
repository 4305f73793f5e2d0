/* Port table slots: names, sockets, clashes (see port_slots.h). */
#include "daemon/port_slots.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4))) static void set_msg(char *msg, size_t size, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
}

int port_slots_init(struct port_slots *t, const char *socket_dir)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		t->slot[i].vid = -1;
	if (!realpath(socket_dir, t->socket_dir))
		return -errno;
	return 0;
}

/*
 * A root daemon binds, unlinks and connects at paths its clients name: keep
 * them below --socket-dir, resolved, so no client can point it elsewhere.
 */
int port_slots_socket_allowed(const struct port_slots *t, const char *socket, char *msg,
			      size_t msg_size)
{
	char parent[PATH_MAX], resolved[PATH_MAX];
	size_t len = strlen(t->socket_dir);
	const char *slash = strrchr(socket, '/');

	if (socket[0] != '/' || !slash || (size_t)(slash - socket) >= sizeof(parent)) {
		set_msg(msg, msg_size, "socket %s: not an absolute path", socket);
		return -EINVAL;
	}
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - socket), socket);
	if (!realpath(parent[0] ? parent : "/", resolved)) {
		int rc = -errno;

		set_msg(msg, msg_size, "socket %s: directory %s: %s", socket, parent,
			strerror(-rc));
		return rc;
	}
	if (strncmp(resolved, t->socket_dir, len) ||
	    (resolved[len] != '\0' && resolved[len] != '/' && strcmp(t->socket_dir, "/"))) {
		set_msg(msg, msg_size, "socket %s: outside the socket directory %s", socket,
			t->socket_dir);
		return -EPERM;
	}
	return 0;
}

int port_slots_claim(struct port_slots *t, const struct ctl_port_spec *spec, int *index, char *msg,
		     size_t msg_size)
{
	int i, free_slot = -1;

	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		const struct port_slot *s = &t->slot[i];

		if (s->state == PORT_SLOT_FREE) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (!strcmp(s->spec.name, spec->name) || !strcmp(s->spec.socket, spec->socket)) {
			if (s->state == PORT_SLOT_READY && !memcmp(&s->spec, spec, sizeof(*spec))) {
				*index = i;
				return 1;
			}
			set_msg(msg, msg_size, "port %s: name or socket %s already used by port %s",
				spec->name, spec->socket, s->spec.name);
			return -EEXIST;
		}
	}
	if (free_slot < 0) {
		set_msg(msg, msg_size, "port %s: the port table is full", spec->name);
		return -ENOSPC;
	}
	if (!strcmp(spec->name, PORT_SLOTS_UPLINK_NAME)) {
		set_msg(msg, msg_size, "port %s: name reserved for the uplink", spec->name);
		return -EEXIST;
	}
	t->slot[free_slot] = (struct port_slot){
		.state = PORT_SLOT_ADDING, .kind = PORT_SLOT_VHOST, .spec = *spec, .vid = -1};
	*index = free_slot;
	return 0;
}

int port_slots_add_uplink(struct port_slots *t, uint16_t eth_port, uint16_t nr_queues)
{
	int i;

	for (i = 0; i < L2SWITCH_PORT_MAX && t->slot[i].state != PORT_SLOT_FREE; i++)
		;
	if (i == L2SWITCH_PORT_MAX)
		return -ENOSPC;
	t->slot[i] = (struct port_slot){.state = PORT_SLOT_READY,
					.kind = PORT_SLOT_ETH,
					.vid = -1,
					.nr_queues = nr_queues,
					.eth_port = eth_port};
	ctl_port_spec_init(&t->slot[i].spec);
	strcpy(t->slot[i].spec.name, PORT_SLOTS_UPLINK_NAME);
	return i;
}

void port_slots_release(struct port_slots *t, int i)
{
	t->slot[i] = (struct port_slot){.state = PORT_SLOT_FREE, .vid = -1};
}

int port_slots_find_name(const struct port_slots *t, const char *name)
{
	int i;

	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (t->slot[i].state != PORT_SLOT_FREE && !strcmp(t->slot[i].spec.name, name))
			return i;
	return -1;
}

int port_slots_find_socket(const struct port_slots *t, const char *path)
{
	int i;

	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		const struct port_slot *s = &t->slot[i];

		if ((s->state == PORT_SLOT_READY || s->state == PORT_SLOT_ADDING) &&
		    s->kind == PORT_SLOT_VHOST && !strcmp(s->spec.socket, path))
			return i;
	}
	return -1;
}

int port_slots_find_vid(const struct port_slots *t, int vid)
{
	int i;

	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (t->slot[i].state != PORT_SLOT_FREE && t->slot[i].kind == PORT_SLOT_VHOST &&
		    t->slot[i].vid == vid)
			return i;
	return -1;
}
