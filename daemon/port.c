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
#include "daemon/fwd_sched.h"
#include "daemon/guest_mem.h"
#include "daemon/log.h"
#include "daemon/port_shadow.h"
#include "daemon/port_slots.h"
#include "daemon/state.h"
#include "daemon/stats.h"
#include "daemon/vhost.h"
#include "daemon/vhost_guard.h"

static struct {
	/*
	 * Taken by the control thread and by vhost callbacks; never held while
	 * calling rte_vhost_driver_start/unregister, which wait for those
	 * callbacks (the SPDK #2748 deadlock).
	 */
	pthread_mutex_t lock;
	struct port_slots t;
	struct fdb *fdb;
	char state_dir[PATH_MAX];
	struct fwd_table table; /* scratch for publish, under lock */
	bool restoring;		/* no saves until the whole old table is back */
	uint32_t last_gen;	/* every added port gets a new gen: the datapath resets its state */
	/* Forwarding lcore of each connected port, chosen by load when it connects. */
	bool placed[L2SWITCH_PORT_MAX];
	uint16_t lcore[L2SWITCH_PORT_MAX];
	uint64_t rx_mark[L2SWITCH_PORT_MAX]; /* rx at the last publish: the load since */
	/*
	 * Since the port was added: connections cut on a memory fault, and the
	 * guard's refusals of registrations dropped by those restarts.
	 */
	uint64_t memory_faults[L2SWITCH_PORT_MAX];
	uint64_t refused_before[L2SWITCH_PORT_MAX];
} ports = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int vhost_attach(const char *path, int vid, unsigned int nr_queues);
static void vhost_detach(int vid);

static const struct vhost_events events = {
	.attach = vhost_attach,
	.detach = vhost_detach,
};

int port_table_init(struct fdb *fdb, const char *state_dir, const char *socket_dir)
{
	int rc;

	ports.fdb = fdb;
	if (snprintf(ports.state_dir, sizeof(ports.state_dir), "%s", state_dir) >=
	    (int)sizeof(ports.state_dir))
		return -ENAMETOOLONG;
	vhost_set_events(&events);
	rc = port_slots_init(&ports.t, socket_dir);
	return rc ? rc : port_shadow_init(ports.t.socket_dir);
}

/* The slot whose DPDK registration is path, or -1. */
static int find_registered(const char *path)
{
	for (int i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.t.slot[i].state != PORT_SLOT_FREE &&
		    ports.t.slot[i].kind == PORT_SLOT_VHOST &&
		    !strcmp(ports.t.slot[i].reg_path, path))
			return i;
	return -1;
}

/*
 * Client mode: DPDK connects to the slot's shadow, re-linked to the pod's
 * socket here (port add, and every second while the port is not connected).
 */
static void refresh_shadow_locked(int i, bool log_absent)
{
	struct port_slot *s = &ports.t.slot[i];
	char why[CTL_SOCKET_MAX + 64] = "";
	int rc;

	if (s->kind != PORT_SLOT_VHOST || s->spec.mode != CTL_MODE_CLIENT || s->vid >= 0)
		return;
	rc = port_shadow_refresh(i, s->spec.socket, why, sizeof(why));
	if (rc == 1)
		LOG(INFO, "port %s: linked to the pod's socket %s", s->spec.name, s->spec.socket);
	else if (rc < 0 && (rc != -ENOENT || log_absent) && why[0])
		LOG(WARNING, "port %s: not connecting: %s", s->spec.name, why);
}

void port_refresh_shadows(void)
{
	pthread_mutex_lock(&ports.lock);
	for (int i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.t.slot[i].state == PORT_SLOT_READY)
			refresh_shadow_locked(i, false);
	pthread_mutex_unlock(&ports.lock);
}

static bool slot_forwards(const struct port_slot *s)
{
	return s->state != PORT_SLOT_FREE && (s->kind == PORT_SLOT_ETH || s->vid >= 0);
}

/*
 * Lcores for ports that just connected, by load: the packets each lcore's
 * ports received since the last publish. Ports placed earlier stay put.
 */
static void place_locked(unsigned int lcores)
{
	struct fwd_sched_lcore_load loads[FWD_SCHED_LCORES_MAX];
	struct l2switch_counters c;
	uint16_t i;

	memset(loads, 0, sizeof(loads));
	if (lcores > FWD_SCHED_LCORES_MAX)
		lcores = FWD_SCHED_LCORES_MAX;
	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		const struct port_slot *s = &ports.t.slot[i];

		if (!slot_forwards(s)) {
			ports.placed[i] = false;
			continue;
		}
		fwd_counters(i, &c);
		if (ports.placed[i] && ports.lcore[i] < lcores) {
			struct fwd_sched_lcore_load *l = &loads[ports.lcore[i]];

			l->packets += c.rx - ports.rx_mark[i];
			l->ports++;
			l->high += s->spec.priority == 0;
		} else {
			ports.placed[i] = false;
		}
		ports.rx_mark[i] = c.rx;
	}
	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		const struct port_slot *s = &ports.t.slot[i];
		unsigned int l;

		if (!slot_forwards(s) || ports.placed[i])
			continue;
		l = fwd_sched_pick_lcore(loads, lcores, s->spec.priority);
		ports.lcore[i] = (uint16_t)l;
		ports.placed[i] = true;
		loads[l].ports++;
		loads[l].high += s->spec.priority == 0;
		if (lcores > 1)
			LOG(INFO, "port %s forwarded by lcore index %u", s->spec.name, l);
	}
}

/* Rebuild and publish the datapath table; returns after the lcores dropped the old one. */
static void publish_locked(void)
{
	struct fwd_table *t = &ports.table;
	unsigned int lcores = fwd_lcore_count() ? fwd_lcore_count() : 1;
	uint16_t i;

	place_locked(lcores);
	memset(t, 0, sizeof(*t));
	l2switch_view_init(&t->view);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++) {
		const struct port_slot *s = &ports.t.slot[i];

		if (!slot_forwards(s))
			continue;
		t->ports[i] = (struct fwd_port){
			.kind = (uint8_t)(s->kind == PORT_SLOT_ETH ? FWD_PORT_ETH : FWD_PORT_VHOST),
			.nr_queues = (uint16_t)s->nr_queues,
			.eth_port = s->eth_port,
			.lcore_index = ports.lcore[i],
			.priority = (uint8_t)s->spec.priority,
			.vid = s->vid,
		};
		struct l2switch_port_conf conf;

		l2switch_port_conf_init(&conf, &s->spec, s->kind == PORT_SLOT_VHOST, s->gen);
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
		if (ports.t.slot[i].kind == PORT_SLOT_VHOST &&
		    (ports.t.slot[i].state == PORT_SLOT_READY ||
		     ports.t.slot[i].state == PORT_SLOT_ADDING))
			specs[n++] = ports.t.slot[i].spec;
	rc = state_save(ports.state_dir, specs, n);
	if (rc)
		LOG(ERR, "state: saving the port table in %s: %s", ports.state_dir, strerror(-rc));
	free(specs);
}

static void info_locked(int i, struct ctl_port_info *info)
{
	const struct port_slot *s = &ports.t.slot[i];

	memset(info, 0, sizeof(*info));
	info->spec = s->spec;
	info->connected = s->kind == PORT_SLOT_ETH || s->vid >= 0;
	info->active_queues = info->connected ? s->nr_queues : 0;
	if (s->kind == PORT_SLOT_VHOST) {
		long refused = vhost_guard_refusals(s->reg_path);

		info->refused = refused > 0 ? (uint64_t)refused : 0;
		info->memory_faults = ports.memory_faults[i];
		info->refused += ports.refused_before[i] + ports.memory_faults[i];
	}
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
	int free_slot = -1, rc;

	rc = port_slots_socket_allowed(&ports.t, spec->socket, msg, msg_size);
	if (rc)
		return rc;
	pthread_mutex_lock(&ports.lock);
	rc = port_slots_claim(&ports.t, spec, &free_slot, msg, msg_size);
	if (rc) {
		if (rc > 0)
			info_locked(free_slot, info);
		pthread_mutex_unlock(&ports.lock);
		return rc > 0 ? 0 : rc;
	}
	if (spec->mtu > fwd_mtu_max()) {
		set_msg(msg, msg_size, "port %s: mtu %u is more than this daemon's mbufs hold (%u)",
			spec->name, spec->mtu, fwd_mtu_max());
		port_slots_release(&ports.t, free_slot);
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
					? ports.t.slot[holder].spec.name
					: "");
			port_slots_release(&ports.t, free_slot);
			pthread_mutex_unlock(&ports.lock);
			return rc;
		}
	}
	ports.t.slot[free_slot].gen = ++ports.last_gen;
	if (spec->mode == CTL_MODE_CLIENT)
		rc = port_shadow_path(free_slot, ports.t.slot[free_slot].reg_path, CTL_SOCKET_MAX);
	else
		snprintf(ports.t.slot[free_slot].reg_path, CTL_SOCKET_MAX, "%s", spec->socket);
	if (rc) {
		set_msg(msg, msg_size, "port %s: the socket directory's path is too long",
			spec->name);
		goto fail_locked;
	}
	refresh_shadow_locked(free_slot, true);
	pthread_mutex_unlock(&ports.lock);

	rc = vhost_port_start(spec, ports.t.slot[free_slot].reg_path, msg, msg_size);

	pthread_mutex_lock(&ports.lock);
	if (rc) {
	fail_locked:
		if (spec->mode == CTL_MODE_CLIENT)
			port_shadow_remove(free_slot);
		fdb_flush_port(ports.fdb, (uint16_t)free_slot);
		port_slots_release(&ports.t, free_slot);
		pthread_mutex_unlock(&ports.lock);
		return rc;
	}
	ports.t.slot[free_slot].state = PORT_SLOT_READY;
	ports.memory_faults[free_slot] = 0;
	ports.refused_before[free_slot] = 0;
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

	/* Caller holds the lock and set PORT_SLOT_DELETING: nobody else touches the slot. */
	memcpy(path, ports.t.slot[i].reg_path, sizeof(path));
	pthread_mutex_unlock(&ports.lock);
	if (vhost_port_stop(path))
		LOG(WARNING, "port %s: removed while its vhost connection still winds down",
		    ports.t.slot[i].spec.name);
	pthread_mutex_lock(&ports.lock);
	if (ports.t.slot[i].vid >= 0) {
		/* Unregister without a destroy_device callback (never negotiated): unpublish here.
		 */
		ports.t.slot[i].vid = -1;
		publish_locked();
	}
	if (ports.t.slot[i].spec.mode == CTL_MODE_CLIENT)
		port_shadow_remove(i);
	fdb_flush_port(ports.fdb, (uint16_t)i);
	port_slots_release(&ports.t, i);
	if (forget)
		save_locked();
}

int port_del(const char *name, char *msg, size_t msg_size)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	i = port_slots_find_name(&ports.t, name);
	if (i < 0 || ports.t.slot[i].state != PORT_SLOT_READY) {
		pthread_mutex_unlock(&ports.lock);
		set_msg(msg, msg_size, "no port named %s", name);
		return -ENOENT;
	}
	if (ports.t.slot[i].kind != PORT_SLOT_VHOST) {
		pthread_mutex_unlock(&ports.lock);
		set_msg(msg, msg_size, "port %s is the uplink; it goes with the daemon", name);
		return -EPERM;
	}
	ports.t.slot[i].state = PORT_SLOT_DELETING;
	remove_vhost(i, true);
	pthread_mutex_unlock(&ports.lock);
	LOG(INFO, "port %s removed", name);
	return 0;
}

int port_add_uplink(uint16_t eth_port, uint16_t nr_queues)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	i = port_slots_add_uplink(&ports.t, eth_port, nr_queues);
	if (i < 0) {
		pthread_mutex_unlock(&ports.lock);
		return i;
	}
	ports.t.slot[i].gen = ++ports.last_gen;
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
		if (ports.t.slot[i].state == PORT_SLOT_READY &&
		    ports.t.slot[i].kind == PORT_SLOT_VHOST) {
			ports.t.slot[i].state = PORT_SLOT_DELETING;
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
		if (ports.t.slot[i].state == PORT_SLOT_READY) {
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
		 index < L2SWITCH_PORT_MAX && ports.t.slot[index].state != PORT_SLOT_FREE
			 ? ports.t.slot[index].spec.name
			 : "");
	pthread_mutex_unlock(&ports.lock);
}

static int vhost_attach(const char *path, int vid, unsigned int nr_queues)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	i = find_registered(path);
	if (i < 0) {
		pthread_mutex_unlock(&ports.lock);
		LOG(ERR, "vhost device %d on %s: no such port", vid, path);
		return -ENOENT;
	}
	ports.t.slot[i].vid = vid;
	ports.t.slot[i].nr_queues = nr_queues ? nr_queues : 1;
	publish_locked();
	pthread_mutex_unlock(&ports.lock);
	LOG(INFO, "port %s connected (vid %d, %u queue pairs)", ports.t.slot[i].spec.name, vid,
	    nr_queues);
	return 0;
}

static void vhost_detach(int vid)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	i = port_slots_find_vid(&ports.t, vid);
	if (i >= 0) {
		ports.t.slot[i].vid = -1;
		/* Returns after every lcore passed a quiescent point: vid is no longer used. */
		publish_locked();
		LOG(INFO, "port %s disconnected (vid %d)", ports.t.slot[i].spec.name, vid);
		/* The pod left before port_reap_faulted came round: count it here. */
		if (guest_mem_take_fault(vid)) {
			ports.memory_faults[i]++;
			LOG(WARNING, "port %s: the pod shrank the memory it shared (SIGBUS caught)",
			    ports.t.slot[i].spec.name);
		}
	}
	pthread_mutex_unlock(&ports.lock);
}

/*
 * The library has no call that drops one connection: unregister the
 * faulted port's socket (destroy_device: off the lcores, memory unmapped)
 * and register it again, so the pod may reconnect with honest memory.
 */
static void restart_faulted(int i)
{
	struct ctl_port_spec spec = ports.t.slot[i].spec;
	char path[CTL_SOCKET_MAX], msg[CTL_MESSAGE_MAX];
	long refused;
	int rc;

	/* Caller holds the lock and set PORT_SLOT_DELETING: nobody else touches the slot. */
	memcpy(path, ports.t.slot[i].reg_path, sizeof(path));
	refused = vhost_guard_refusals(path);
	if (refused > 0)
		ports.refused_before[i] += (uint64_t)refused;
	ports.memory_faults[i]++;
	LOG(WARNING,
	    "port %s: the pod shrank the memory it shared (SIGBUS caught); disconnecting it",
	    spec.name);
	pthread_mutex_unlock(&ports.lock);
	if (vhost_port_stop(path))
		LOG(WARNING, "port %s: its vhost connection still winds down", spec.name);
	rc = vhost_port_start(&spec, path, msg, sizeof(msg));
	if (rc)
		LOG(ERR, "port %s: registering again after the fault: %s", spec.name, msg);
	pthread_mutex_lock(&ports.lock);
	if (ports.t.slot[i].vid >= 0) {
		ports.t.slot[i].vid = -1;
		publish_locked();
	}
	ports.t.slot[i].state = PORT_SLOT_READY;
}

void port_reap_faulted(void)
{
	int i;

	pthread_mutex_lock(&ports.lock);
	for (i = 0; i < L2SWITCH_PORT_MAX; i++)
		if (ports.t.slot[i].state == PORT_SLOT_READY &&
		    ports.t.slot[i].kind == PORT_SLOT_VHOST && ports.t.slot[i].vid >= 0 &&
		    guest_mem_take_fault(ports.t.slot[i].vid)) {
			ports.t.slot[i].state = PORT_SLOT_DELETING;
			restart_faulted(i);
		}
	pthread_mutex_unlock(&ports.lock);
}
