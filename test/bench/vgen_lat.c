/*
 * vgen's latency loop: port 0 -> port 1, every frame stamped with the TSC
 * just before it is handed to port 0, and measured the moment port 1's poll
 * returns it. Ping-pong (--rate 0: the next frame leaves when the last one
 * arrived) or paced (--rate: frames leave on a fixed schedule, up to a burst
 * of those due at once). With --flood, ports 2 and 3 send each other frames
 * flat out in between (the eMBB pair of the isolation scenario): that work
 * delays our own polls too, which is why its burst is kept small, port 1 is
 * polled between the two flood ports, and (vgen.c) TX frees sent mbufs in
 * small steps; pass_* and flood_port_* in the RESULT line say how long one
 * loop pass and one flood port's work took (ns), the generator's share of a
 * frame's wait.
 */
#include "test/bench/vgen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

struct flood {
	uint16_t n[2];
	struct rte_mbuf *m[2][VGEN_BURST];
	uint64_t rx;
};

/* One eMBB port's share of the flood: top up and send its burst, drain what came back. */
static void flood_port(struct vgen *g, struct flood *f, uint16_t i)
{
	struct rte_mbuf *m[VGEN_BURST];
	uint16_t port = (uint16_t)(2 + i), s, n;

	if (!f->n[i] && !vgen_frames(g, f->m[i], g->flood_burst, port, (uint16_t)(3 - i)))
		f->n[i] = (uint16_t)g->flood_burst;
	s = rte_eth_tx_burst(port, 0, f->m[i], f->n[i]);
	if (s && s < f->n[i])
		memmove(f->m[i], f->m[i] + s, (size_t)(f->n[i] - s) * sizeof(f->m[i][0]));
	f->n[i] = (uint16_t)(f->n[i] - s);
	n = rte_eth_rx_burst(port, 0, m, VGEN_BURST);
	f->rx += n;
	rte_pktmbuf_free_bulk(m, n);
}

/* Polls port 1 once; records every stamped frame sent at or after rec_start. */
static unsigned int receive(struct vgen *g, uint64_t rec_start, double ns_per_tick)
{
	struct rte_mbuf *m[VGEN_BURST];
	uint16_t n = rte_eth_rx_burst(1, 0, m, VGEN_BURST), i, stamped = 0;
	uint64_t t = rte_rdtsc(), st;

	for (i = 0; i < n; i++) {
		st = vgen_stamp_of(m[i]);
		if (!st)
			continue;
		stamped++;
		if (st >= rec_start && t >= st)
			hist_add(&g->hist, (uint64_t)((double)(t - st) * ns_per_tick));
	}
	rte_pktmbuf_free_bulk(m, n);
	return stamped;
}

int vgen_run_lat(struct vgen *g)
{
	static struct flood flood;
	/* How long one pass of this loop takes: a frame that arrives waits up to one for its poll.
	 */
	static struct hist pass, flooding;
	const double ns_per_tick = 1e9 / (double)g->hz;
	const uint64_t interval = g->rate > 0 ? (uint64_t)((double)g->hz / g->rate) : 0;
	const uint64_t timeout = g->hz / 100; /* ping-pong: a frame not back in 10 ms is lost */
	uint64_t t0, rec_start, t_end, now, prev = 0, next, sent_at = 0, sent = 0, sent0 = 0,
					    lost = 0, refused = 0, late = 0, flood0 = 0, drained;
	bool outstanding = false, in_window = false;
	struct rte_mbuf *m[VGEN_BURST];
	unsigned int k, s;
	int rc = 0;

	if (g->rate > 0 && !interval)
		return -EINVAL;
	vgen_announce(g);
	hist_init(&pass);
	hist_init(&flooding);
	t0 = rte_get_tsc_cycles();
	rec_start = t0 + (uint64_t)(g->warmup_s * (double)g->hz);
	t_end = rec_start + (uint64_t)(g->duration_s * (double)g->hz);
	next = t0;
	for (now = t0; now < t_end && g->hist.count < g->samples; now = rte_rdtsc()) {
		if (!in_window && now >= rec_start) {
			in_window = true;
			sent0 = sent;
			flood0 = flood.rx;
			rec_start = now;
		} else if (in_window) {
			hist_add(&pass, (uint64_t)((double)(now - prev) * ns_per_tick));
		}
		prev = now;
		k = 0;
		if (!interval) {
			if (outstanding && now - sent_at > timeout) {
				lost++;
				outstanding = false;
			}
			k = outstanding ? 0 : 1;
		} else {
			while (next <= now && k < VGEN_BURST) {
				next += interval;
				k++;
			}
			/* More than 1 ms behind schedule (preempted): restart the schedule. */
			if (now > next + g->hz / 1000) {
				late++;
				next = now;
			}
		}
		if (k && !vgen_frames(g, m, k, 0, 1)) {
			sent_at = rte_rdtsc();
			vgen_stamp(m, k, sent_at);
			s = rte_eth_tx_burst(0, 0, m, (uint16_t)k);
			if (s < k) {
				refused += k - s;
				rte_pktmbuf_free_bulk(m + s, k - s);
			}
			sent += s;
			outstanding = s > 0;
		}
		if (receive(g, rec_start, ns_per_tick))
			outstanding = false;
		vgen_drain(0);
		/* The urllc port is polled between the two eMBB ports too, as a pod with its
		 * own core would notice its frame while another pod floods. */
		for (uint16_t i = 0; g->flood && i < 2; i++) {
			uint64_t f0 = rte_rdtsc();

			flood_port(g, &flood, i);
			if (in_window)
				hist_add(&flooding,
					 (uint64_t)((double)(rte_rdtsc() - f0) * ns_per_tick));
			if (!i && receive(g, rec_start, ns_per_tick))
				outstanding = false;
		}
	}
	double secs = (double)(now - rec_start) / (double)g->hz;

	/* Frames still in flight arrive now; they are not recorded. */
	for (drained = rte_get_tsc_cycles() + g->hz / 50; rte_get_tsc_cycles() < drained;) {
		receive(g, UINT64_MAX, ns_per_tick);
		for (uint16_t i = 0; g->flood && i < 2; i++)
			flood_port(g, &flood, i);
	}
	rte_pktmbuf_free_bulk(flood.m[0], flood.n[0]);
	rte_pktmbuf_free_bulk(flood.m[1], flood.n[1]);
	printf("RESULT mode=lat point=%s size=%u rate=%.0f sent_pps=%.0f lost=%llu refused=%llu "
	       "late=%llu "
	       "flood_mpps=%.4f seconds=%.3f ",
	       g->point ? g->point : "-", g->frame_len + 4, g->rate,
	       secs > 0 ? (double)(sent - sent0) / secs : 0.0, (unsigned long long)lost,
	       (unsigned long long)refused, (unsigned long long)late,
	       secs > 0 ? (double)(flood.rx - flood0) / secs / 1e6 : 0.0, secs);
	hist_print_summary(&g->hist, stdout);
	printf(" pass_p50=%llu pass_p99=%llu pass_p99.9=%llu pass_max=%llu",
	       (unsigned long long)hist_quantile(&pass, 0.5),
	       (unsigned long long)hist_quantile(&pass, 0.99),
	       (unsigned long long)hist_quantile(&pass, 0.999), (unsigned long long)pass.max);
	if (g->flood)
		printf(" flood_port_p99=%llu flood_port_p99.9=%llu",
		       (unsigned long long)hist_quantile(&flooding, 0.99),
		       (unsigned long long)hist_quantile(&flooding, 0.999));
	printf("\n");
	if (g->cdf_path)
		rc = hist_write_cdf(&g->hist, g->cdf_path);
	if (!rc && !g->hist.count)
		rc = -EIO;
	return rc;
}
