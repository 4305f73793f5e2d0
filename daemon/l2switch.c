/* L2 switching decision per burst: learn, look up, stage, flush (see l2switch.h). */
#include "daemon/l2switch.h"

#include <string.h>

#define ETH_HLEN 14

void l2switch_view_init(struct l2switch_view *view)
{
	memset(view, 0, sizeof(*view));
}

void l2switch_view_add(struct l2switch_view *view, uint16_t port)
{
	if (port >= L2SWITCH_PORT_MAX || l2switch_view_has(view, port))
		return;
	view->ports[view->n_ports++] = port;
	view->active[port / 64] |= UINT64_C(1) << (port % 64);
}

void l2switch_init(struct l2switch *sw, struct fdb *fdb)
{
	memset(sw, 0, sizeof(*sw));
	sw->fdb = fdb;
}

static inline void stage(struct l2switch *sw, uint16_t port, uint16_t queue, void *pkt)
{
	/* Only when a caller stages two bursts without a flush in between. */
	if (sw->staged_n[port] == L2SWITCH_BURST) {
		sw->counters[port].drops[CTL_DROP_TX_FULL]++;
		return;
	}
	if (sw->staged_n[port] == 0) {
		sw->touched[sw->n_touched++] = port;
		sw->staged_queue[port] = queue;
	}
	sw->staged[port][sw->staged_n[port]++] = pkt;
}

void l2switch_burst(struct l2switch *sw, const struct l2switch_view *view, uint16_t in_port,
		    uint16_t in_queue, void *const *pkts, const uint8_t *const *frames,
		    const uint32_t *lens, uint16_t n, uint32_t now)
{
	struct l2switch_counters *in = &sw->counters[in_port];
	/*
	 * A burst usually carries one or a few conversations: remember the last
	 * source learned and the last destination looked up, so most packets
	 * skip both hash lookups. A new source invalidates the cached
	 * destination, so results match a lookup per packet.
	 */
	uint64_t last_src = UINT64_MAX, last_dst = UINT64_MAX;
	int last_out = -1;
	uint16_t i, p;

	in->rx += n;
	for (i = 0; i < n; i++) {
		const uint8_t *eth = frames[i];
		uint64_t src, dst;
		int out;

		/* A group source MAC is never valid (802.1D 7.8); learning it would poison the
		 * table. */
		if (lens[i] < ETH_HLEN || (eth[6] & 1)) {
			in->drops[CTL_DROP_INVALID]++;
			continue;
		}
		src = fdb_mac_key(eth + 6);
		if (src != last_src) {
			fdb_learn(sw->fdb, src, in_port, now);
			last_src = src;
			last_dst = UINT64_MAX;
		}
		if (eth[0] & 1) {
			out = -1;
		} else {
			dst = fdb_mac_key(eth);
			if (dst != last_dst) {
				last_out = fdb_lookup(sw->fdb, dst, now);
				last_dst = dst;
			}
			out = last_out;
		}
		if (out >= 0 && l2switch_view_has(view, (uint16_t)out)) {
			if (out == in_port)
				in->drops[CTL_DROP_FILTERED]++;
			else
				stage(sw, (uint16_t)out, in_queue, pkts[i]);
			continue;
		}
		/* Broadcast, multicast, unknown unicast, or a stale entry for a port that is gone.
		 */
		bool sent = false;
		for (p = 0; p < view->n_ports; p++) {
			uint16_t dst_port = view->ports[p];

			if (dst_port == in_port)
				continue;
			stage(sw, dst_port, in_queue, pkts[i]);
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
		uint16_t n = sw->staged_n[port];
		uint16_t sent = send(opaque, port, sw->staged_queue[port], sw->staged[port], n);

		sw->counters[port].tx += sent;
		sw->counters[port].drops[CTL_DROP_TX_FULL] += (uint16_t)(n - sent);
		sw->staged_n[port] = 0;
	}
	sw->n_touched = 0;
}
