/* vgen's three measurement loops; see vgen.h. */
#include "test/bench/vgen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#define PEND_MAX 512

/* Frames waiting for room in a port's TX ring (tput, max, flood): never dropped. */
struct pend {
	uint16_t n;
	struct rte_mbuf *m[PEND_MAX];
};

static uint16_t pend_flush(struct pend *p, uint16_t port)
{
	uint16_t s;

	if (!p->n)
		return 0;
	s = rte_eth_tx_burst(port, 0, p->m, p->n);
	if (s && s < p->n)
		memmove(p->m, p->m + s, (size_t)(p->n - s) * sizeof(p->m[0]));
	p->n = (uint16_t)(p->n - s);
	return s;
}

unsigned int vgen_drain(uint16_t port)
{
	struct rte_mbuf *m[VGEN_BURST];
	uint16_t n = rte_eth_rx_burst(port, 0, m, VGEN_BURST);

	rte_pktmbuf_free_bulk(m, n);
	return n;
}

/*
 * Every port says who it is (one broadcast frame each) so a learning switch
 * knows all MACs before the measurement, then everything in flight is dropped.
 */
void vgen_announce(struct vgen *g)
{
	struct rte_mbuf *m;
	uint64_t end;
	uint16_t p;
	int i;

	for (i = 0; i < 2; i++) {
		for (p = 0; p < g->n_ports; p++) {
			if (vgen_frames(g, &m, 1, p, p))
				continue;
			memset(rte_pktmbuf_mtod(m, uint8_t *), 0xff, RTE_ETHER_ADDR_LEN);
			if (!rte_eth_tx_burst(p, 0, &m, 1))
				rte_pktmbuf_free(m);
		}
		end = rte_get_tsc_cycles() + g->hz / 10;
		while (rte_get_tsc_cycles() < end)
			for (p = 0; p < g->n_ports; p++)
				vgen_drain(p);
	}
}

static uint16_t next_target(const struct vgen *g, uint16_t port, uint16_t *cursor)
{
	/* Cycles over every other port: 1, 2, ..., n-1 ports ahead. */
	*cursor = (uint16_t)(*cursor % (g->n_ports - 1) + 1);
	return (uint16_t)((port + *cursor) % g->n_ports);
}

int vgen_run_tput(struct vgen *g)
{
	static struct pend pend[VGEN_MAX_PORTS];
	uint64_t rx[VGEN_MAX_PORTS] = {0}, rx0[VGEN_MAX_PORTS] = {0}, busy = 0, busy0 = 0;
	uint16_t cursor[VGEN_MAX_PORTS] = {0}, p;
	struct rte_mbuf *m[VGEN_BURST];
	uint64_t t0, t_win, t_end, now, total = 0;
	unsigned int i, k;
	bool in_window = false;

	vgen_announce(g);
	for (p = 0; p < g->n_ports; p++)
		for (i = 0; i < g->inflight; i++) {
			if (vgen_frames(g, &pend[p].m[pend[p].n], 1, p,
					next_target(g, p, &cursor[p])))
				return -ENOMEM;
			pend[p].n++;
		}
	t0 = rte_get_tsc_cycles();
	t_win = t0 + (uint64_t)(g->warmup_s * (double)g->hz);
	t_end = t_win + (uint64_t)(g->duration_s * (double)g->hz);
	for (now = t0; now < t_end;) {
		bool work = false;

		for (p = 0; p < g->n_ports; p++) {
			uint16_t n = 0;

			if (pend[p].n + VGEN_BURST <= PEND_MAX)
				n = rte_eth_rx_burst(p, 0, m, VGEN_BURST);
			for (k = 0; k < n; k++) {
				struct rte_ether_hdr *eth =
					rte_pktmbuf_mtod(m[k], struct rte_ether_hdr *);

				rte_ether_addr_copy(&g->mac[next_target(g, p, &cursor[p])],
						    &eth->dst_addr);
				rte_ether_addr_copy(&g->mac[p], &eth->src_addr);
				pend[p].m[pend[p].n++] = m[k];
			}
			rx[p] += n;
			if (pend_flush(&pend[p], p) || n)
				work = true;
		}
		uint64_t t = rte_get_tsc_cycles();

		if (work)
			busy += t - now;
		now = t;
		if (!in_window && now >= t_win) {
			in_window = true;
			memcpy(rx0, rx, sizeof(rx));
			busy0 = busy;
			t_win = now;
			printf("WINDOW hz=%llu\n", (unsigned long long)g->hz);
			fflush(stdout);
		}
	}
	printf("RESULT mode=tput ports=%u size=%u", g->n_ports, g->frame_len + 4);
	for (p = 0; p < g->n_ports; p++)
		total += rx[p] - rx0[p];
	printf(" mpps=%.4f gen_busy=%.3f per_port=",
	       (double)total * (double)g->hz / (double)(now - t_win) / 1e6,
	       (double)(busy - busy0) / (double)(now - t_win));
	for (p = 0; p < g->n_ports; p++)
		printf("%s%llu", p ? "," : "", (unsigned long long)(rx[p] - rx0[p]));
	printf(" seconds=%.3f\n", (double)(now - t_win) / (double)g->hz);
	return total ? 0 : -EIO;
}

int vgen_run_max(struct vgen *g)
{
	static struct pend pend;
	uint64_t rx = 0, rx0 = 0, busy = 0, busy0 = 0, t0, t_win, t_end, now;
	bool in_window = false;
	unsigned int n;
	uint16_t p;

	vgen_announce(g);
	t0 = rte_get_tsc_cycles();
	t_win = t0 + (uint64_t)(g->warmup_s * (double)g->hz);
	t_end = t_win + (uint64_t)(g->duration_s * (double)g->hz);
	for (now = t0; now < t_end;) {
		unsigned int got;

		if (!pend.n && !vgen_frames(g, pend.m, VGEN_BURST, 0, 1))
			pend.n = VGEN_BURST;
		got = pend_flush(&pend, 0);
		n = vgen_drain(1);
		rx += n;
		got += n;
		vgen_drain(0);
		for (p = 2; p < g->n_ports; p++)
			vgen_drain(p);
		uint64_t t = rte_get_tsc_cycles();

		if (got)
			busy += t - now;
		now = t;
		if (!in_window && now >= t_win) {
			in_window = true;
			rx0 = rx;
			busy0 = busy;
			t_win = now;
		}
	}
	printf("RESULT mode=max size=%u mpps=%.4f gen_busy=%.3f seconds=%.3f\n", g->frame_len + 4,
	       (double)(rx - rx0) * (double)g->hz / (double)(now - t_win) / 1e6,
	       (double)(busy - busy0) / (double)(now - t_win),
	       (double)(now - t_win) / (double)g->hz);
	rte_pktmbuf_free_bulk(pend.m, pend.n);
	g->max_mpps = (double)(rx - rx0) * (double)g->hz / (double)(now - t_win) / 1e6;
	return rx - rx0 ? 0 : -EIO;
}
