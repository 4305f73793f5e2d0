/*
 * vgen entry point: EAL, the pod ports, frame templates. See vgen.h.
 *   vgen <EAL args, one --vdev net_virtio_user per port> -- --mode tput|max|lat
 *        [--size 64] [--inflight 256] [--rate PPS] [--samples N] [--warmup S]
 *        [--duration S] [--flood] [--flood-burst N] [--cdf PATH]
 *   series: [--fractions 0,0.1,0.5,0.9] [--max-seconds S] --cdf PREFIX (PREFIX-<point>.dat)
 *   iso:    --rate PPS --cdf PREFIX (PREFIX-unloaded.dat, PREFIX-loaded.dat)
 *   sparse: --rates 1000,100 --cdf PREFIX (PREFIX-1ms.dat, PREFIX-10ms.dat)
 * --size is the Ethernet frame size with its FCS, as RFC 2544 counts it
 * (virtio carries no FCS: a 64-byte frame is 60 bytes on the ring).
 */
#include "test/bench/vgen.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#define RING_SIZE 1024

int vgen_frames(const struct vgen *g, struct rte_mbuf **m, unsigned int n, uint16_t src,
		uint16_t dst)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(g->pool, m, n))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint8_t *p = rte_pktmbuf_mtod(m[i], uint8_t *);
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
		uint32_t magic = VGEN_MAGIC;

		m[i]->data_len = (uint16_t)g->frame_len;
		m[i]->pkt_len = g->frame_len;
		rte_ether_addr_copy(&g->mac[dst], &eth->dst_addr);
		rte_ether_addr_copy(&g->mac[src], &eth->src_addr);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(g->frame_len - 14));
		ip->src_addr = rte_cpu_to_be_32(0x0ac80001u + src);
		ip->dst_addr = rte_cpu_to_be_32(0x0ac80001u + dst);
		udp->src_port = rte_cpu_to_be_16(9000);
		udp->dst_port = rte_cpu_to_be_16(9000);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(g->frame_len - 34));
		udp->dgram_cksum = 0;
		memcpy(p + VGEN_STAMP_OFF, &magic, sizeof(magic));
	}
	return 0;
}

void vgen_stamp(struct rte_mbuf **m, unsigned int n, uint64_t tsc)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		memcpy(rte_pktmbuf_mtod_offset(m[i], uint8_t *, VGEN_STAMP_OFF + 4), &tsc,
		       sizeof(tsc));
}

uint64_t vgen_stamp_of(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t magic;
	uint64_t tsc;

	if (rte_pktmbuf_data_len(m) < VGEN_STAMP_OFF + 12)
		return 0;
	memcpy(&magic, p + VGEN_STAMP_OFF, sizeof(magic));
	if (magic != VGEN_MAGIC)
		return 0;
	memcpy(&tsc, p + VGEN_STAMP_OFF + 4, sizeof(tsc));
	return tsc;
}

static int port_init(struct vgen *g, uint16_t port)
{
	struct rte_eth_conf conf;
	uint64_t deadline;
	struct rte_eth_link link;
	int rc;

	memset(&conf, 0, sizeof(conf));
	/* Jumbo frames: the whole frame fits one of our mbufs (see main). */
	if (g->frame_len > RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN)
		conf.rxmode.mtu = g->frame_len - RTE_ETHER_HDR_LEN;
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (!rc)
		rc = rte_eth_rx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port), NULL,
					    g->pool);
	if (!rc) {
		struct rte_eth_dev_info info;
		struct rte_eth_txconf txconf;

		rc = rte_eth_dev_info_get(port, &info);
		txconf = info.default_txconf;
		/*
		 * virtio's TX frees sent mbufs only once all but tx_free_thresh
		 * descriptors are used (default 32: at queue_size 1024, ~990 frees
		 * in one call, 12-25 us measured). In the latency modes that stall
		 * lands on the frames being timed (the isolation flood's tx_burst
		 * p99.9 was 12 us): free in steps of 16 instead. Throughput modes
		 * keep the default so their figures stay comparable.
		 */
		if (g->mode != VGEN_TPUT && g->mode != VGEN_MAX && RING_SIZE > 128)
			txconf.tx_free_thresh = RING_SIZE - 16;
		if (!rc)
			rc = rte_eth_tx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port),
						    &txconf);
	}
	if (!rc)
		rc = rte_eth_dev_start(port);
	if (rc) {
		fprintf(stderr, "vgen: port %u: %s\n", port, rte_strerror(-rc));
		return rc;
	}
	rte_eth_macaddr_get(port, &g->mac[port]);
	/* The switch connects after our probe: wait for each link. */
	deadline = rte_get_tsc_cycles() + 20 * g->hz;
	do {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		rte_delay_ms(10);
	} while (rte_get_tsc_cycles() < deadline);
	fprintf(stderr, "vgen: port %u link stayed down\n", port);
	return -ETIMEDOUT;
}

static int parse_args(struct vgen *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"mode", required_argument, NULL, 'm'},
		{"size", required_argument, NULL, 's'},
		{"inflight", required_argument, NULL, 'i'},
		{"rate", required_argument, NULL, 'r'},
		{"samples", required_argument, NULL, 'n'},
		{"warmup", required_argument, NULL, 'w'},
		{"duration", required_argument, NULL, 'd'},
		{"flood", no_argument, NULL, 'f'},
		{"flood-burst", required_argument, NULL, 'b'},
		{"cdf", required_argument, NULL, 'c'},
		{"fractions", required_argument, NULL, 'F'},
		{"max-seconds", required_argument, NULL, 'M'},
		{"rates", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	unsigned int size = 64;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "tput"))
				g->mode = VGEN_TPUT;
			else if (!strcmp(optarg, "max"))
				g->mode = VGEN_MAX;
			else if (!strcmp(optarg, "lat"))
				g->mode = VGEN_LAT;
			else if (!strcmp(optarg, "series"))
				g->mode = VGEN_SERIES;
			else if (!strcmp(optarg, "iso"))
				g->mode = VGEN_ISO;
			else if (!strcmp(optarg, "sparse"))
				g->mode = VGEN_SPARSE;
			else
				return -EINVAL;
			break;
		case 's':
			size = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			g->inflight = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			g->rate = strtod(optarg, NULL);
			break;
		case 'n':
			g->samples = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			g->warmup_s = strtod(optarg, NULL);
			break;
		case 'd':
			g->duration_s = strtod(optarg, NULL);
			break;
		case 'f':
			g->flood = true;
			break;
		case 'b':
			g->flood_burst = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			g->cdf_path = optarg;
			break;
		case 'F':
			g->fractions = optarg;
			break;
		case 'M':
			g->max_s = strtod(optarg, NULL);
			break;
		case 'R':
			g->rates = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	if ((g->mode == VGEN_SERIES || g->mode == VGEN_ISO || g->mode == VGEN_SPARSE) &&
	    !g->cdf_path)
		return -EINVAL;
	if (g->mode == VGEN_SPARSE && !g->rates)
		return -EINVAL;
	if (g->mode == VGEN_ISO)
		g->flood = false;
	if (size < 64 || size > 9018 || g->inflight < 1 || g->inflight > 4096 ||
	    g->flood_burst < 1 || g->flood_burst > VGEN_BURST || g->rate < 0)
		return -EINVAL;
	g->frame_len = size - RTE_ETHER_CRC_LEN;
	return 0;
}

/* One latency point: a fresh histogram, its own CDF file PREFIX-<point>.dat. */
static int run_point(struct vgen *g, const char *prefix, const char *point, double rate)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s-%s.dat", prefix, point);
	hist_init(&g->hist);
	g->cdf_path = path;
	g->point = point;
	g->rate = rate;
	return vgen_run_lat(g);
}

/* max, then each fraction of it; the points are named pp (0) or the percentage. */
static int run_series(struct vgen *g)
{
	const char *prefix = g->cdf_path, *list = g->fractions ? g->fractions : "0,0.1,0.5,0.9";
	double lat_s = g->duration_s, f;
	char point[32], *end;
	int rc;

	g->duration_s = g->max_s;
	rc = vgen_run_max(g);
	g->duration_s = lat_s;
	while (!rc && *list) {
		f = strtod(list, &end);
		if (end == list || f < 0 || f > 1)
			return -EINVAL;
		list = *end == ',' ? end + 1 : end;
		if (f > 0)
			snprintf(point, sizeof(point), "%g", f * 100);
		else
			snprintf(point, sizeof(point), "pp");
		rc = run_point(g, prefix, point, f * g->max_mpps * 1e6);
	}
	return rc;
}

/*
 * Each rate of --rates, slowest last as given; a point is named by the gap
 * between frames (1000 -> 1ms, 10000 -> 100us). "POINT" lines let the
 * benchmark read the switch's counters per point.
 */
static int run_sparse(struct vgen *g)
{
	const char *prefix = g->cdf_path, *list = g->rates;
	char point[32], *end;
	double rate, gap_us;
	int rc = 0;

	while (!rc && *list) {
		rate = strtod(list, &end);
		if (end == list || rate <= 0 || rate > 1e6)
			return -EINVAL;
		list = *end == ',' ? end + 1 : end;
		gap_us = 1e6 / rate;
		if (gap_us >= 1000)
			snprintf(point, sizeof(point), "%gms", gap_us / 1000);
		else
			snprintf(point, sizeof(point), "%gus", gap_us);
		printf("POINT %s\n", point);
		fflush(stdout);
		rc = run_point(g, prefix, point, rate);
		fflush(stdout);
	}
	/* The pair stays connected while the benchmark reads the counters of the last point. */
	rte_delay_us_sleep(200000);
	return rc;
}

static int run_iso(struct vgen *g)
{
	const char *prefix = g->cdf_path;
	int rc;

	g->flood = false;
	rc = run_point(g, prefix, "unloaded", g->rate);
	g->flood = true;
	if (!rc)
		rc = run_point(g, prefix, "loaded", g->rate);
	return rc;
}

int main(int argc, char **argv)
{
	static struct vgen g = {.mode = VGEN_LAT,
				.inflight = 256,
				.samples = 1000000,
				.warmup_s = 0.5,
				.duration_s = 30,
				.max_s = 1,
				.flood_burst = 8};
	unsigned int room, n_mbufs;
	uint16_t port;
	int rc, used;

	used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "vgen: EAL init failed\n");
		return 1;
	}
	argc -= used;
	argv += used;
	if (parse_args(&g, argc, argv)) {
		fprintf(stderr, "vgen: bad arguments (see test/bench/vgen.c)\n");
		rc = 2;
		goto out;
	}
	g.hz = rte_get_tsc_hz();
	g.n_ports = rte_eth_dev_count_avail();
	if (g.n_ports < 2 || g.n_ports > VGEN_MAX_PORTS ||
	    ((g.flood || g.mode == VGEN_ISO) && g.n_ports < 4)) {
		fprintf(stderr, "vgen: %u ports (want 2..%d, 4 with --flood)\n", g.n_ports,
			VGEN_MAX_PORTS);
		rc = 2;
		goto out;
	}
	/* One mbuf holds the largest frame: no chains on either side. */
	room = RTE_PKTMBUF_HEADROOM + (g.frame_len > 2048 ? 9216 + 64 : 2048);
	n_mbufs = g.n_ports * (2 * RING_SIZE + g.inflight + 2 * VGEN_BURST) + 4096;
	g.pool = rte_pktmbuf_pool_create("vgen", n_mbufs, 256, 0, (uint16_t)room, rte_socket_id());
	if (!g.pool) {
		fprintf(stderr, "vgen: mbuf pool: %s\n", rte_strerror(rte_errno));
		rc = 1;
		goto out;
	}
	for (port = 0; port < g.n_ports; port++)
		if (port_init(&g, port)) {
			rc = 1;
			goto out;
		}
	hist_init(&g.hist);
	switch (g.mode) {
	case VGEN_TPUT:
		rc = vgen_run_tput(&g);
		break;
	case VGEN_MAX:
		rc = vgen_run_max(&g);
		break;
	case VGEN_LAT:
		rc = vgen_run_lat(&g);
		break;
	case VGEN_SERIES:
		rc = run_series(&g);
		break;
	case VGEN_SPARSE:
		rc = run_sparse(&g);
		break;
	default:
		rc = run_iso(&g);
		break;
	}
	rc = rc ? 1 : 0;
	for (port = 0; port < g.n_ports; port++)
		rte_eth_dev_stop(port);
out:
	fflush(stdout);
	rte_eal_cleanup();
	return rc;
}
