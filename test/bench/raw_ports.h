/*
 * What raw_fwd and raw_fan share, so the two bounds differ only in their
 * forwarding loops: the pod ports as vhost-user clients with slicenetd's
 * flags and features, the mbuf pool, the command line after the EAL's, the
 * signals and the STATS line the benchmark reads.
 */
#ifndef SLICENET_BENCH_RAW_PORTS_H
#define SLICENET_BENCH_RAW_PORTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#define RAW_MAX_PORTS  16
#define RAW_BURST      32
#define RAW_VIRTIO_RXQ 0
#define RAW_VIRTIO_TXQ 1

struct raw_ports {
	unsigned int n;
	const char *path[RAW_MAX_PORTS];
	volatile int vid[RAW_MAX_PORTS]; /* -1 until the pod's device is ready */
	struct rte_mempool *pool;
};

struct raw_cmdline {
	const char *prog;
	const char *usage;
	int pairs_only;	     /* an even number of ports (raw_fwd pairs i and i^1) */
	unsigned int *batch; /* --batch N accepted when set (1..batch_max) */
	unsigned int batch_max;
};

extern struct raw_ports raw_ports;
extern volatile sig_atomic_t raw_stop, raw_dump;

/* EAL, command line, pool, signals, ports started; 0 or -1 (message printed). */
int raw_ports_init(int argc, char **argv, const struct raw_cmdline *cmd);
/*
 * The end of one pass over the ports: its TSC counts as busy when it moved a
 * frame, and the STATS line is printed when SIGUSR1 asked for it.
 */
void raw_ports_pass_done(bool moved, uint64_t pkts, uint64_t drops);
void raw_ports_fini(void);

static inline int raw_ports_vid(unsigned int p)
{
	return __atomic_load_n(&raw_ports.vid[p], __ATOMIC_ACQUIRE);
}

#endif
