/*
 * raw_fwd: the software upper bound for a vhost-user switch. rte_vhost
 * dequeue from port i, enqueue the same burst into port i^1, free: no
 * switching decision, no counters beyond what the benchmark reads. Ports are
 * vhost-user clients (the pods own the sockets) with the same feature set and
 * LINEARBUF flag as slicenetd, and one forwarding loop on the main lcore
 * (raw_ports.c).
 *   raw_fwd <EAL args> -- [--mbuf-room BYTES] SOCKET0 SOCKET1 [SOCKET2 SOCKET3 ...]
 * SIGUSR1 prints "STATS pkts=<forwarded> busy=<TSC in passes that moved a
 * frame> tsc=<TSC now> drops=<enqueue refused> hz=<TSC rate>", so the
 * benchmark computes busy cycles per packet over its own window; SIGTERM or
 * SIGINT stops it.
 */
#include <stdbool.h>

#include <rte_vhost.h>

#include "raw_ports.h"

int main(int argc, char **argv)
{
	static const struct raw_cmdline cmd = {
		.prog = "raw_fwd",
		.usage = "raw_fwd <EAL> -- [--mbuf-room B] SOCK0 SOCK1 [SOCK2 SOCK3...]",
		.pairs_only = 1,
	};
	uint64_t pkts = 0, drops = 0;
	struct rte_mbuf *m[RAW_BURST];
	unsigned int i;
	int rc = 1;

	if (raw_ports_init(argc, argv, &cmd))
		goto out;
	while (!raw_stop) {
		bool work = false;

		for (i = 0; i < raw_ports.n; i++) {
			int in = raw_ports_vid(i), out = raw_ports_vid(i ^ 1);
			uint16_t n, s = 0;

			if (in < 0)
				continue;
			n = rte_vhost_dequeue_burst(in, RAW_VIRTIO_TXQ, raw_ports.pool, m,
						    RAW_BURST);
			if (!n)
				continue;
			if (out >= 0)
				s = rte_vhost_enqueue_burst(out, RAW_VIRTIO_RXQ, m, n);
			/* Enqueue copies: the burst is ours to free either way. */
			rte_pktmbuf_free_bulk(m, n);
			pkts += s;
			drops += n - s;
			work = true;
		}
		raw_ports_pass_done(work, pkts, drops);
	}
	rc = 0;
out:
	raw_ports_fini();
	return rc;
}
