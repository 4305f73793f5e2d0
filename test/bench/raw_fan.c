/*
 * raw_fan: raw_fwd's upper bound in bench-datapath's traffic pattern. The
 * generator sends each frame to the next of the other ports' MACs, so a
 * switch splits every input burst over several outputs, while raw_fwd
 * forwards port i to i^1 whole. raw_fan picks the output from the last byte
 * of the destination MAC (the generator's MACs end in the port index: no
 * FDB, no checks, no counters) and stages the frames of --batch input bursts
 * per output before one enqueue per output (in calls of at most 32), then
 * frees them: --batch 1 sends after every input burst, --batch 4 (at most
 * one pass over 4 pods) as slicenetd did before it gathered up to 8 over
 * several turns (L2SWITCH_STAGE_BURSTS). Ports, pool, signals and the STATS
 * line are raw_fwd's (raw_ports.c).
 *   raw_fan <EAL args> -- [--mbuf-room BYTES] [--batch N] SOCKET0 SOCKET1 [SOCKET2 ...]
 */
#include <stdbool.h>

#include <rte_vhost.h>

#include "raw_ports.h"

#define BATCH_MAX 8

/* Per output: the frames staged for it since the last send. */
static struct rte_mbuf *staged[RAW_MAX_PORTS][BATCH_MAX * RAW_BURST];
static uint16_t n_staged[RAW_MAX_PORTS];

/* Enqueue what each output has staged; returns frames taken, adds the rest to *drops. */
static uint64_t send_staged(uint64_t *drops)
{
	uint64_t sent = 0;
	unsigned int o;

	for (o = 0; o < raw_ports.n; o++) {
		int vid = raw_ports_vid(o);
		uint16_t done = 0, chunk, s = 0;

		while (vid >= 0 && done < n_staged[o]) {
			chunk = (uint16_t)RTE_MIN(n_staged[o] - done, RAW_BURST);
			s = rte_vhost_enqueue_burst(vid, RAW_VIRTIO_RXQ, staged[o] + done, chunk);
			done = (uint16_t)(done + s);
			if (s < chunk)
				break;
		}
		sent += done;
		*drops += n_staged[o] - done;
		n_staged[o] = 0;
	}
	return sent;
}

int main(int argc, char **argv)
{
	static struct rte_mbuf *held[BATCH_MAX * RAW_BURST];
	unsigned int batch = 1, bursts = 0, n_held = 0, p, k;
	const struct raw_cmdline cmd = {
		.prog = "raw_fan",
		.usage = "raw_fan <EAL> -- [--mbuf-room B] [--batch N] SOCK0 SOCK1...",
		.batch = &batch,
		.batch_max = BATCH_MAX,
	};
	uint64_t pkts = 0, drops = 0;
	int rc = 1;

	if (raw_ports_init(argc, argv, &cmd))
		goto out;
	while (!raw_stop) {
		bool moved = false;

		for (p = 0; p < raw_ports.n; p++) {
			int vid = raw_ports_vid(p);
			uint16_t n;

			if (vid < 0)
				continue;
			n = rte_vhost_dequeue_burst(vid, RAW_VIRTIO_TXQ, raw_ports.pool,
						    held + n_held, RAW_BURST);
			if (!n)
				continue;
			for (k = n_held; k < n_held + n; k++) {
				unsigned int out =
					rte_pktmbuf_mtod(held[k], const uint8_t *)[5] % raw_ports.n;

				if (out != p)
					staged[out][n_staged[out]++] = held[k];
				else
					drops++;
			}
			n_held += n;
			moved = true;
			if (++bursts == batch) {
				pkts += send_staged(&drops);
				rte_pktmbuf_free_bulk(held, n_held);
				n_held = bursts = 0;
			}
		}
		/* Whatever a pass gathered goes out before the next one starts. */
		if (n_held) {
			pkts += send_staged(&drops);
			rte_pktmbuf_free_bulk(held, n_held);
			n_held = bursts = 0;
		}
		raw_ports_pass_done(moved, pkts, drops);
	}
	rc = 0;
out:
	raw_ports_fini();
	return rc;
}
