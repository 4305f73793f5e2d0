/*
 * vgen: the DPDK traffic generator of bench-latency and bench-datapath. One
 * process on one lcore owns every pod port (virtio-user, server=1: the switch
 * under test is the vhost-user client, as slicenetd and OVS recommend), so one
 * TSC stamps a frame's departure (in its payload) and reads its arrival.
 *
 * Modes (vgen_modes.c):
 *   tput  closed loop over all ports: every frame received on a port is sent
 *         back out of it to the next other port's MAC (destinations cycle, so
 *         a learning switch looks up a different MAC per frame); --inflight
 *         frames per port. Reports frames per second through the switch.
 *   max   open loop, port 0 -> port 1 as fast as port 0 accepts: the
 *         one-way maximum that the paced latency points are a fraction of.
 *   lat   port 0 -> port 1, every frame stamped: --rate 0 is ping-pong (one
 *         frame in flight), else paced at --rate frames/s. With --flood, ports
 *         2 and 3 (the eMBB pair) send to each other flat out meanwhile.
 *   series  max, then lat at each of --fractions of that max (0 = ping-pong),
 *         in one process: the switch is started once per contender and round.
 *   iso   lat at --rate without, then with --flood (4 ports): the urllc pair's
 *         latency unloaded and under the eMBB pair's flood.
 *   sparse  lat at each of --rates (absolute frames/s, no max first) in one
 *         process: frames far apart, so an idle switch has backed off between
 *         them (bench-idle). Each point prints "POINT <name>" when it starts.
 * tput prints "WINDOW" when its measurement window opens, so the benchmark
 * can sample the switch's own counters inside it.
 */
#ifndef SLICENET_BENCH_VGEN_H
#define SLICENET_BENCH_VGEN_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "test/bench/hist.h"

#define VGEN_MAX_PORTS 8
#define VGEN_BURST     32
#define VGEN_MAGIC     0x534e4c54u /* "SNLT" */
/* Ethernet + IPv4 + UDP headers, then the magic and the departure TSC. */
#define VGEN_STAMP_OFF (14 + 20 + 8)

enum vgen_mode { VGEN_TPUT, VGEN_MAX, VGEN_LAT, VGEN_SERIES, VGEN_ISO, VGEN_SPARSE };

struct vgen {
	enum vgen_mode mode;
	uint16_t n_ports;
	unsigned int frame_len; /* bytes handed to the port (no FCS) */
	unsigned int inflight;	/* tput: frames per port */
	double rate;		/* lat: frames/s, 0 = ping-pong */
	uint64_t samples;	/* lat: stop after this many */
	double warmup_s, duration_s, max_s;
	/* max_s: series' max measurement */ /* duration: tput/max window, lat: at most */
	bool flood;			     /* lat: ports 2,3 flood each other */
	unsigned int flood_burst;
	const char *cdf_path;
	const char *point;     /* lat: label printed in its RESULT line */
	const char *fractions; /* series: comma-separated fractions of the max */
	const char *rates;     /* sparse: comma-separated frames/s */
	double max_mpps;       /* set by vgen_run_max */
	struct rte_mempool *pool;
	struct rte_ether_addr mac[VGEN_MAX_PORTS];
	uint64_t hz;
	struct hist hist;
};

/* Allocates n frames of g->frame_len from src to dst, stamped with stamp; 0 or -ENOMEM. */
int vgen_frames(const struct vgen *g, struct rte_mbuf **m, unsigned int n, uint16_t src,
		uint16_t dst);
/* Writes the departure TSC into frames about to be sent. */
void vgen_stamp(struct rte_mbuf **m, unsigned int n, uint64_t tsc);
/* The stamp of a received frame, or 0 when it carries none. */
uint64_t vgen_stamp_of(const struct rte_mbuf *m);

/* Frees whatever port has received (one poll); returns how many. */
unsigned int vgen_drain(uint16_t port);
/*
 * Every port sends a broadcast from its MAC, twice, so a learning switch
 * knows all MACs before a measurement; frames in flight are then dropped.
 */
void vgen_announce(struct vgen *g);

/* Each prints one "RESULT ..." line on stdout; 0 or -errno. */
int vgen_run_tput(struct vgen *g);
int vgen_run_max(struct vgen *g);
int vgen_run_lat(struct vgen *g);

#endif
