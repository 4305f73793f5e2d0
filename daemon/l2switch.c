/* L2 switching decision per burst: check, learn, look up, stage, flush (see l2switch.h). */
#include "daemon/l2switch.h"

#include <string.h>

#define ETH_HLEN      14
#define VLAN_HLEN     4
#define VLAN_TAGS_MAX 2
#define unlikely(x)   __builtin_expect(!!(x), 0)
#define DST_CACHE     4 /* destinations remembered per burst */

void l2switch_view_init(struct l2switch_view *view)
{
	memset(view, 0, sizeof(*view));
}

void l2switch_view_add(struct l2switch_view *view, uint16_t port,
		       const struct l2switch_port_conf *conf)
{
	if (port >= L2SWITCH_PORT_MAX || l2switch_view_has(view, port))
		return;
	view->ports[view->n_ports++] = port;
	view->active[port / 64] |= UINT64_C(1) << (port % 64);
	view->conf[port] = *conf;
}

void l2switch_port_conf_init(struct l2switch_port_conf *conf, const struct ctl_port_spec *spec,
			     bool pod, uint32_t gen)
{
	memset(conf, 0, sizeof(*conf));
	conf->gen = gen;
	conf->mtu = (uint16_t)(spec->mtu ? spec->mtu : CTL_MTU_DEFAULT);
	conf->flags = pod ? L2SWITCH_PORT_POD : 0;
	if (spec->has_mac) {
		conf->mac = fdb_mac_key(spec->mac);
		conf->flags |= L2SWITCH_PORT_HAS_MAC;
	}
}

int l2switch_init(struct l2switch *sw, struct fdb *fdb, const struct l2switch_limits *limits)
{
	memset(sw, 0, sizeof(*sw));
	sw->fdb = fdb;
	return tbucket_rate_init(&sw->flood_rate, limits->flood_pps, limits->flood_burst,
				 limits->hz);
}

/* Frame length minus the Ethernet header and its VLAN tags: what the MTU limits. */
static inline uint32_t l3_len(const uint8_t *eth, uint32_t len)
{
	uint32_t hdr = ETH_HLEN;
	int tags;

	/* 802.1Q and 802.1ad tags do not count against the MTU (as on Linux bridges). */
	for (tags = 0; tags < VLAN_TAGS_MAX && len >= hdr + VLAN_HLEN; tags++) {
		uint16_t type = (uint16_t)(eth[hdr - 2] << 8 | eth[hdr - 1]);

		if (type != 0x8100 && type != 0x88a8)
			break;
		hdr += VLAN_HLEN;
	}
	return len - hdr;
}

static inline void stage(struct l2switch *sw, uint16_t port, uint16_t queue, void *pkt)
{
	/* Only when a caller stages more bursts than L2SWITCH_STAGE_BURSTS without a flush. */
	if (sw->staged_n[port] == L2SWITCH_STAGE_MAX) {
		sw->counters[port].drops[CTL_DROP_TX_FULL]++;
		return;
	}
	if (sw->staged_n[port] == 0) {
		sw->touched[sw->n_touched++] = port;
		sw->staged_queue[port] = queue;
	}
	sw->staged[port][sw->staged_n[port]++] = pkt;
}

/* Stage pkt on out unless it is longer than out's MTU (then count it there). */
static inline void stage_checked(struct l2switch *sw, const struct l2switch_view *view,
				 uint16_t out, uint16_t queue, void *pkt, uint32_t l3len)
{
	if (unlikely(l3len > view->conf[out].mtu)) {
		sw->counters[out].drops[CTL_DROP_OVERSIZE]++;
		return;
	}
	stage(sw, out, queue, pkt);
}

/* The port number now belongs to another port (or is new to this lcore): forget the old one. */
static void port_state_reset(struct l2switch *sw, struct l2switch_port_state *st, uint32_t gen,
			     uint64_t ticks)
{
	memset(st, 0, sizeof(*st));
	st->gen = gen;
	tbucket_init(&st->flood, &sw->flood_rate, ticks);
}

/* May src send on in_port? Learns it where the port learns. */
static bool source_allowed(struct l2switch *sw, const struct l2switch_port_conf *conf,
			   struct l2switch_port_state *st, uint16_t in_port, uint64_t src,
			   uint32_t now)
{
	if (!(conf->flags & L2SWITCH_PORT_POD))
		/* Uplink: learn; a MAC a pod port holds never comes from outside. */
		return fdb_learn(sw->fdb, src, in_port, now, false) != FDB_HELD;
	if (conf->flags & L2SWITCH_PORT_HAS_MAC)
		return src == conf->mac; /* its static entry was added with the port */
	if (st->locked) {
		if (src != st->locked_mac)
			return false;
		/* Keeps the pinned entry from aging out while the pod talks. */
		(void)fdb_learn(sw->fdb, src, in_port, now, true);
		return true;
	}
	/* First frame of a MAC-less pod: claim its source, unless another port holds it. */
	if (fdb_learn(sw->fdb, src, in_port, now, true) == FDB_HELD)
		return false;
	st->locked = true;
	st->locked_mac = src;
	return true;
}

void l2switch_burst(struct l2switch *sw, const struct l2switch_view *view, uint16_t in_port,
		    uint16_t in_queue, void *const *pkts, const uint8_t *const *frames,
		    const uint32_t *lens, uint16_t n, const struct l2switch_clock *clock)
{
	struct l2switch_counters *in = &sw->counters[in_port];
	const struct l2switch_port_conf *conf = &view->conf[in_port];
	struct l2switch_port_state *st = &sw->state[in_port];
	/*
	 * A burst usually carries one or a few conversations: remember the last
	 * source checked and the last DST_CACHE destinations looked up, so most
	 * packets skip both hash lookups (a pod talking to a few peers
	 * alternates destinations frame by frame). A new source invalidates
	 * the cached destinations, so results match a lookup per packet.
	 */
	uint64_t last_src = UINT64_MAX, dst_mac[DST_CACHE];
	int dst_out[DST_CACHE];
	unsigned int dst_next = 0, d;
	bool last_src_ok = false;
	uint16_t i, p;

	for (d = 0; d < DST_CACHE; d++)
		dst_mac[d] = UINT64_MAX;

	if (unlikely(st->gen != conf->gen))
		port_state_reset(sw, st, conf->gen, clock->ticks);
	in->rx += n;
	for (i = 0; i < n; i++) {
		const uint8_t *eth = frames[i];
		uint32_t l3len;
		uint64_t src, dst;
		int out, hit;

		/* A group source MAC is never valid (802.1D 7.8); learning it would poison the
		 * table. */
		if (lens[i] < ETH_HLEN || (eth[6] & 1)) {
			in->drops[CTL_DROP_INVALID]++;
			continue;
		}
		l3len = l3_len(eth, lens[i]);
		if (unlikely(l3len > conf->mtu)) {
			in->drops[CTL_DROP_OVERSIZE]++;
			continue;
		}
		src = fdb_mac_key(eth + 6);
		if (src != last_src) {
			last_src_ok = source_allowed(sw, conf, st, in_port, src, clock->now);
			last_src = src;
			for (d = 0; d < DST_CACHE; d++)
				dst_mac[d] = UINT64_MAX;
		}
		if (unlikely(!last_src_ok)) {
			in->drops[CTL_DROP_SPOOFED]++;
			continue;
		}
		if (eth[0] & 1) {
			out = -1;
		} else {
			dst = fdb_mac_key(eth);
			hit = -1;
			for (d = 0; d < DST_CACHE; d++)
				hit = dst_mac[d] == dst ? (int)d : hit;
			if (hit >= 0) {
				out = dst_out[hit];
			} else {
				out = fdb_lookup(sw->fdb, dst, clock->now);
				dst_mac[dst_next] = dst;
				dst_out[dst_next] = out;
				dst_next = (dst_next + 1) % DST_CACHE;
			}
		}
		if (out >= 0 && l2switch_view_has(view, (uint16_t)out)) {
			if (out == in_port)
				in->drops[CTL_DROP_FILTERED]++;
			else
				stage_checked(sw, view, (uint16_t)out, in_queue, pkts[i], l3len);
			continue;
		}
		/* Broadcast, multicast, unknown unicast, or a stale entry for a port that is gone.
		 */
		if (unlikely(!tbucket_take(&st->flood, &sw->flood_rate, clock->ticks))) {
			in->drops[CTL_DROP_FLOOD_LIMITED]++;
			continue;
		}
		bool sent = false;
		for (p = 0; p < view->n_ports; p++) {
			uint16_t dst_port = view->ports[p];

			if (dst_port == in_port)
				continue;
			stage_checked(sw, view, dst_port, in_queue, pkts[i], l3len);
			sent = true;
		}
		if (!sent)
			in->drops[CTL_DROP_NO_DEST]++;
	}
}

void l2switch_flush(struct l2switch *sw, l2switch_send_fn send, void *opaque)
{
	uint16_t t;

	for (t = 0; t < sw->n_touched; t++) {
		uint16_t port = sw->touched[t];
		uint16_t n = sw->staged_n[port], done = 0, sent, chunk;

		/* Bursts of 32 at most; a ring that took less than offered is full: stop there. */
		do {
			chunk = (uint16_t)(n - done < L2SWITCH_BURST ? n - done : L2SWITCH_BURST);
			sent = send(opaque, port, sw->staged_queue[port], sw->staged[port] + done,
				    chunk);
			done = (uint16_t)(done + sent);
		} while (sent == chunk && done < n);
		sw->counters[port].tx += done;
		sw->counters[port].drops[CTL_DROP_TX_FULL] += (uint16_t)(n - done);
		sw->staged_n[port] = 0;
	}
	sw->n_touched = 0;
}
