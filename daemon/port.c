/* Port table: names, sockets and the datapath view derived from them. */
#include "daemon/port.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/fwd.h"
#include "daemon/log.h"
#include "daemon/state.h"
#include "daemon/stats.h"
#include "daemon/vhost.h"

enum slot_state {
	SLOT_FREE,
	SLOT_ADDING, /* vhost driver being registered, lock not held */
	SLOT_READY,
	SLOT_DELETING, /* vhost driver being unregistered, lock not held */
};

struct slot {
	enum slot_state state;
	enum fwd_port_kind kind;
	struct ctl_port_spec spec;
	int vid; /* -1 while no device is connected */
	unsigned int nr_queues;
	uint16_t eth_port;
	uint32_t gen; /* new for every port added: the datapath resets its per-port state */
};

static struct {
	/*
	 * Taken by the control thread and by vhost callbacks; never held while
	 * calling rte_vhost_driver_start/unregister, which wait for those
	 * callbacks (the SPDK #2748 deadlock).
	 */
	pthread_mutex_t lock;
	struct slot slots[L2SWITCH_PORT_MAX];
	struct fdb *fdb;
	char state_dir[PATH_MAX];
	char socket_dir[PATH_MAX]; /* resolved; every port socket lives below it */
	struct fwd_table table;	   /* scratch for publish, under lock */
	bool restoring;		   /* no saves until the whole old table is back */
	uint32_t last_gen;
} ports = {.lock = PTHREAD_MUTEX_INITIALIZER};

int port_table_init(struct fdb *fdb, const char *state_dir, const char *socket_dir)
{
	unsigned int i;

	ports.fdb = fdb;
	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		ports.slots[i].vid = -1;
	if (snprintf(ports.state_dir, sizeof(ports.state_dir), "%s", state_dir) >=
	    (int)sizeof(ports.state_dir))
		return -ENAMETOOLONG;
	if (!realpath(socket_dir, ports.socket_dir))
		return -errno;
	return 0;
}

__attribute__((format(printf, 3, 4))) static int set_msg(char *msg, size_t size, const char *fmt,
							 ...);

/*
 * A root daemon binds, unlinks and connects at paths its clients name: keep
 * them below --socket-dir, resolved, so no client can point it elsewhere.
 */
static int socket_path_allowed(const char *socket, char *msg, size_t msg_size)
{
	char parent[PATH_MAX], resolved[PATH_MAX];
	size_t len = strlen(ports.socket_dir);
	const char *slash = strrchr(socket, '/');

	if (socket[0] != '/' || !slash || (size_t)(slash - socket) >= sizeof(parent)) {
		set_msg(msg, msg_size, "socket %s: not an absolute path", socket);
		return -EINVAL;
	}
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - socket), socket);
	if (!realpath(parent[0] ? parent : "/", resolved)) {
		set_msg(msg, msg_size, "socket %s: directory %s: %s", socket, parent,
			strerror(errno));
		return -errno;
	}
	if (strncmp(resolved, ports.socket_dir, len) ||
	    (resolved[len] != '\0' && resolved[len] != '/' && strcmp(ports.socket_dir, "/"))) {
		set_msg(msg, msg_size, "socket %s: outside the socket directory %s", socket,
			ports.socket_dir);
		return -EPERM;
	}
	return 0;
}

/* Rebuild and publish the datapath table; returns after the lcores dropped the old one. */
static void publish_locked(void)
{
	struct fwd_table *t = &ports.table;
	unsigned int lcores = fwd_lcore_count() ? fwd_lcore_count() : 1;
	uint16_t i;

	memset(t, 0, sizeof(*t));
	l2switch_view_init(&t->view);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		const struct slot *s = &ports.slots[i];

		if (s->state == SLOT_FREE || (s->kind == FWD_PORT_VHOST && s->vid < 0))
			continue;
		t->ports[i] = (struct fwd_port){
			.kind = (uint8_t)s->kind,
			.nr_queues = (uint16_t)s->nr_queues,
			.eth_port = s->eth_port,
			.lcore_index = (uint16_t)(i % lcores),
			.vid = s->vid,
		};
		struct l2switch_port_conf conf;

		l2switch_port_conf_init(&conf, &s->spec, s->kind == FWD_PORT_VHOST, s->gen);
		l2switch_view_add(&t->view, i, &conf);
	}
	fwd_publish(t);
}

static void save_locked(void)
{
	struct ctl_port_spec *specs;
	size_t n = 0;
	unsigned int i;
	int rc;

	if (!ports.state_dir[0] || ports.restoring)
		return;
	specs = calloc(L2SWITCH_PORT_MAX, sizeof(*specs));
	if (!specs) {
		LOG(ERR, "state: out of memory, port table not saved");
		return;
	}
	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.slots[i].kind == FWD_PORT_VHOST &&
		    (ports.slots[i].state == SLOT_READY || ports.slots[i].state == SLOT_ADDING))
			specs[n++] = ports.slots[i].spec;
	rc = state_save(ports.state_dir, specs, n);
	if (rc)
		LOG(ERR, "state: saving the port table in %s: %s", ports.state_dir, strerror(-rc));
	free(specs);
}

static int find_locked(const char *name)
{
	int i;

	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.slots[i].state != SLOT_FREE && !strcmp(ports.slots[i].spec.name, name))
			return i;
	return -1;
}

static void info_locked(int i, struct ctl_port_info *info)
{
	const struct slot *s = &ports.slots[i];

	memset(info, 0, sizeof(*info));
	info->spec = s->spec;
	info->connected = s->kind == FWD_PORT_ETH || s->vid >= 0;
	info->active_queues = info->connected ? s->nr_queues : 0;
}

__attribute__((format(printf, 3, 4))) static int set_msg(char *msg, size_t size, const char *fmt,
							 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return 0;
}

int port_add(const struct ctl_port_spec *spec, struct ctl_port_info *info, char *msg,
	     size_t msg_size)
{
	int i, free_slot = -1, rc;

	rc = socket_path_allowed(spec->socket, msg, msg_size);
	if (rc)
		return rc;
	pthread_mutex_lock(&ports.lock);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		struct slot *s = &ports.slots[i];

		if (s->state == SLOT_FREE) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (!strcmp(s->spec.name, spec->name) || !strcmp(s->spec.socket, spec->socket)) {
			if (s->state == SLOT_READY && !memcmp(&s->spec, spec, sizeof(*spec))) {
				info_locked(i, info);
				pthread_mutex_unlock(&ports.lock);
				return 0;
			}
			set_msg(msg, msg_size, "port %s: name or socket %s already used by port %s",
				spec->name, spec->socket, s->spec.name);
			pthread_mutex_unlock(&ports.lock);
			return -EEXIST;
		}
	}
	if (free_slot < 0 || !strcmp(spec->name, PORT_UPLINK_NAME)) {
		rc = free_slot < 0 ? -ENOSPC : -EEXIST;
		set_msg(msg, msg_size, "port %s: %s", spec->name,
			free_slot < 0 ? "the port table is full" : "name reserved for the uplink");
		pthread_mutex_unlock(&ports.lock);
		return rc;
	}
	if (spec->mtu > fwd_mtu_max()) {
		set_msg(msg, msg_size, "port %s: mtu %u is more than this daemon's mbufs hold (%u)",
			spec->name, spec->mtu, fwd_mtu_max());
		pthread_mutex_unlock(&ports.lock);
		return -EINVAL;
	}
	/* The MAC is claimed before anything is created: a port never takes another's MAC. */
	if (spec->has_mac) {
		int holder = -1;
		char mac[18];

		rc = fdb_add_static(ports.fdb, fdb_mac_key(spec->mac), (uint16_t)free_slot,
				    fwd_now(), &holder);
		if (rc) {
			ctl_mac_format(spec->mac, mac);
			set_msg(msg, msg_size, "port %s: MAC %s %s%s", spec->name, mac,
				rc == -EEXIST ? "is already held by port "
					      : "has no room in the FDB",
				rc == -EEXIST && holder >= 0 && holder < L2SWITCH_PORT_MAX
					? ports.slots[holder].spec.name
					: "");
			pthread_mutex_unlock(&ports.lock);
			return rc;
		}
	}
	ports.slots[free_slot] = (struct slot){.state = SLOT_ADDING,
					       .kind = FWD_PORT_VHOST,
					       .spec = *spec,
					       .vid = -1,
					       .gen = ++ports.last_gen};
	pthread_mutex_unlock(&ports.lock);

	rc = vhost_port_start(spec, msg, msg_size);

	pthread_mutex_lock(&ports.lock);
	if (rc) {
		fdb_flush_port(ports.fdb, (uint16_t)free_slot);
		ports.slots[free_slot] = (struct slot){.state = SLOT_FREE, .vid = -1};
		pthread_mutex_unlock(&ports.lock);
		return rc;
	}
	ports.slots[free_slot].state = SLOT_READY;
	stats_port_reset((uint16_t)free_slot);
	save_locked();
	info_locked(free_slot, info);
	pthread_mutex_unlock(&ports.lock);
	LOG(INFO, "port %s added (%s mode, %s)", spec->name,
	    spec->mode == CTL_MODE_SERVER ? "server" : "client", spec->socket);
	return 0;
}

static void remove_vhost(int i, bool forget)
{
	char path[CTL_SOCKET_MAX];

	/* Caller holds the lock and set SLOT_DELETING: nobody else touches the slot. */
	memcpy(path, ports.slots[i].spec.socket, sizeof(path));
	pthread_mutex_unlock(&ports.lock);
	vhost_port_stop(path);
	pthread_mutex_lock(&ports.lock);
	if (ports.slots[i].vid >= 0) {
		/* Unregister without a destroy_device callback (never negotiated): unpublish here.
		 */
		ports.slots[i].vid = -1;
		publish_locked();
	}
	fdb_flush_port(ports.fdb, (uint16_t)i);
	ports.slots[i] = (struct slot){.state = SLOT_FREE, .vid = -1};
	if (forget)
		save_locked();
}

int port_del(const char *name, char *msg, size_t msg_size)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	i = find_locked(name);
	if (i < 0 || ports.slots[i].state != SLOT_READY) {
		pthread_mutex_unlock(&ports.lock);
		set_msg(msg, msg_size, "no port named %s", name);
		return -ENOENT;
	}
	if (ports.slots[i].kind != FWD_PORT_VHOST) {
		pthread_mutex_unlock(&ports.lock);
		set_msg(msg, msg_size, "port %s is the uplink; it goes with the daemon", name);
		return -EPERM;
	}
	ports.slots[i].state = SLOT_DELETING;
	remove_vhost(i, true);
	pthread_mutex_unlock(&ports.lock);
	LOG(INFO, "port %s removed", name);
	return 0;
}

int port_add_uplink(uint16_t eth_port, uint16_t nr_queues)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	for (i = 0; i < L2SWITCH_PORT_MAX && ports.slots[i].state != SLOT_FREE; i++)
		;
	if (i == L2SWITCH_PORT_MAX) {
		pthread_mutex_unlock(&ports.lock);
		return -ENOSPC;
	}
	ports.slots[i] = (struct slot){.state = SLOT_READY,
				       .kind = FWD_PORT_ETH,
				       .vid = -1,
				       .nr_queues = nr_queues,
				       .eth_port = eth_port,
				       .gen = ++ports.last_gen};
	ctl_port_spec_init(&ports.slots[i].spec);
	strcpy(ports.slots[i].spec.name, PORT_UPLINK_NAME);
	stats_port_reset((uint16_t)i);
	publish_locked();
	pthread_mutex_unlock(&ports.lock);
	return 0;
}

static bool socket_dir_exists(const char *socket)
{
	char dir[CTL_SOCKET_MAX];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", socket);
	return stat(dirname(dir), &st) == 0 && S_ISDIR(st.st_mode);
}

int port_restore(void)
{
	struct ctl_port_spec *specs = NULL;
	struct ctl_port_info info;
	size_t n = 0, i, ok = 0, dropped = 0;
	char msg[CTL_MESSAGE_MAX];
	int rc;

	if (!ports.state_dir[0])
		return 0;
	rc = state_load(ports.state_dir, &specs, &n);
	if (rc)
		return rc;
	ports.restoring = true;
	for (i = 0; i < n; i++) {
		/*
		 * The CNI plugin removes a pod's socket directory on DEL, also while
		 * we are down: a client-mode port without its directory belongs to
		 * a pod that is gone, and would reconnect forever.
		 */
		if (specs[i].mode == CTL_MODE_CLIENT && !socket_dir_exists(specs[i].socket)) {
			LOG(INFO, "port %s dropped: %s is gone with its pod", specs[i].name,
			    specs[i].socket);
			dropped++;
			continue;
		}
		rc = port_add(&specs[i], &info, msg, sizeof(msg));
		if (rc)
			LOG(ERR, "restore port %s: %s", specs[i].name, msg);
		else
			ok++;
	}
	if (n)
		LOG(INFO, "restored %zu of %zu ports from %s (%zu gone with their pods)", ok, n,
		    ports.state_dir, dropped);
	pthread_mutex_lock(&ports.lock);
	ports.restoring = false;
	if (ok != n)
		save_locked();
	pthread_mutex_unlock(&ports.lock);
	free(specs);
	return 0;
}

void port_shutdown(void)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.slots[i].state == SLOT_READY && ports.slots[i].kind == FWD_PORT_VHOST) {
			ports.slots[i].state = SLOT_DELETING;
			remove_vhost(i, false);
		}
	pthread_mutex_unlock(&ports.lock);
}

int port_snapshot(struct port_snapshot **out, size_t *n)
{
	int i;

	*n = 0;
	*out = calloc(L2SWITCH_PORT_MAX, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	pthread_mutex_lock(&ports.lock);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.slots[i].state == SLOT_READY) {
			(*out)[*n].index = (uint16_t)i;
			info_locked(i, &(*out)[*n].info);
			(*n)++;
		}
	pthread_mutex_unlock(&ports.lock);
	return 0;
}

void port_name(uint16_t index, char *out, size_t size)
{
	pthread_mutex_lock(&ports.lock);
	snprintf(out, size, "%s",
		 index < L2SWITCH_PORT_MAX && ports.slots[index].state != SLOT_FREE
			 ? ports.slots[index].spec.name
			 : "");
	pthread_mutex_unlock(&ports.lock);
}

int port_vhost_attach(const char *path, int vid, unsigned int nr_queues)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		struct slot *s = &ports.slots[i];

		if ((s->state == SLOT_READY || s->state == SLOT_ADDING) &&
		    s->kind == FWD_PORT_VHOST && !strcmp(s->spec.socket, path))
			break;
	}
	if (i == L2SWITCH_PORT_MAX) {
		pthread_mutex_unlock(&ports.lock);
		LOG(ERR, "vhost device %d on %s: no such port", vid, path);
		return -ENOENT;
	}
	ports.slots[i].vid = vid;
	ports.slots[i].nr_queues = nr_queues ? nr_queues : 1;
	publish_locked();
	pthread_mutex_unlock(&ports.lock);
	LOG(INFO, "port %s connected (vid %d, %u queue pairs)", ports.slots[i].spec.name, vid,
	    nr_queues);
	return 0;
}

void port_vhost_detach(int vid)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.slots[i].state != SLOT_FREE && ports.slots[i].kind == FWD_PORT_VHOST &&
		    ports.slots[i].vid == vid)
			break;
	if (i < L2SWITCH_PORT_MAX) {
		ports.slots[i].vid = -1;
		/* Returns after every lcore passed a quiescent point: vid is no longer used. */
		publish_locked();
		LOG(INFO, "port %s disconnected (vid %d)", ports.slots[i].spec.name, vid);
	}
	pthread_mutex_unlock(&ports.lock);
}
