/*
 * raw_fwd: the software upper bound for a vhost-user switch. rte_vhost
 * dequeue from port i, enqueue the same burst into port i^1, free: no
 * switching decision, no counters beyond what the benchmark reads. Ports are
 * vhost-user clients (the pods own the sockets) with the same feature set and
 * LINEARBUF flag as slicenetd, and one forwarding loop on the main lcore.
 *   raw_fwd <EAL args> -- [--mbuf-room BYTES] SOCKET0 SOCKET1 [SOCKET2 SOCKET3 ...]
 * SIGUSR1 prints "STATS pkts=<forwarded> busy=<TSC in passes that moved a
 * frame> tsc=<TSC now> drops=<enqueue refused> hz=<TSC rate>", so the
 * benchmark computes busy cycles per packet over its own window; SIGTERM or
 * SIGINT stops it.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#define MAX_PORTS  16
#define BURST	   32
#define VIRTIO_RXQ 0
#define VIRTIO_TXQ 1

/* slicenetd's set (daemon/vhost.c): offloads a switch would have to translate. */
#define DISABLED_FEATURES                                                                          \
	((1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |                     \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) |                       \
	 (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                         \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |                   \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO))

static struct {
	unsigned int n;
	const char *path[MAX_PORTS];
	volatile int vid[MAX_PORTS]; /* -1 until the port's device is ready */
} ports;
static volatile sig_atomic_t stop, dump;

static int port_of(int vid)
{
	char path[4096];
	unsigned int i;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) < 0)
		return -1;
	for (i = 0; i < ports.n; i++)
		if (!strcmp(path, ports.path[i]))
			return (int)i;
	return -1;
}

static int new_device(int vid)
{
	int p = port_of(vid);
	uint16_t i;

	if (p < 0)
		return -1;
	/* As slicenetd: no eventfd kick from the pod after each of its TX bursts. */
	for (i = 0; i < rte_vhost_get_vring_num(vid); i++)
		rte_vhost_enable_guest_notification(vid, i, 0);
	__atomic_store_n(&ports.vid[p], vid, __ATOMIC_RELEASE);
	return 0;
}

static void destroy_device(int vid)
{
	int p = port_of(vid);

	/* Good enough for a benchmark: pods do not leave while it measures. */
	if (p >= 0)
		__atomic_store_n(&ports.vid[p], -1, __ATOMIC_RELEASE);
}

static const struct rte_vhost_device_ops ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
};

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		stop = 1;
}

static int port_start(const char *path)
{
	uint64_t pf;

	if (rte_vhost_driver_register(path, RTE_VHOST_USER_CLIENT |
						    RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS |
						    RTE_VHOST_USER_LINEARBUF_SUPPORT) ||
	    rte_vhost_driver_disable_features(path, DISABLED_FEATURES) ||
	    rte_vhost_driver_get_protocol_features(path, &pf) ||
	    rte_vhost_driver_set_protocol_features(path,
						   pf & ((1ULL << VHOST_USER_PROTOCOL_F_MQ) |
							 (1ULL << VHOST_USER_PROTOCOL_F_STATUS))) ||
	    rte_vhost_driver_callback_register(path, &ops) || rte_vhost_driver_start(path)) {
		fprintf(stderr, "raw_fwd: cannot start vhost-user client on %s\n", path);
		return -EIO;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t pkts = 0, busy = 0, drops = 0, now, t;
	struct rte_mbuf *m[BURST];
	struct rte_mempool *pool;
	unsigned int i, room = 2048;
	int used, rc = 1;

	used = rte_eal_init(argc, argv);
	if (used < 0)
		return 1;
	argc -= used;
	argv += used;
	if (argc > 2 && !strcmp(argv[1], "--mbuf-room")) {
		room = (unsigned int)strtoul(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || (argc - 1) % 2 || argc - 1 > MAX_PORTS || room < 128 || room > 65000) {
		fprintf(stderr,
			"usage: raw_fwd <EAL> -- [--mbuf-room B] SOCK0 SOCK1 [SOCK2 SOCK3...]\n");
		goto out;
	}
	ports.n = (unsigned int)argc - 1;
	pool = rte_pktmbuf_pool_create("raw_fwd", 16384, 256, 0,
				       (uint16_t)(RTE_PKTMBUF_HEADROOM + room), rte_socket_id());
	if (!pool) {
		fprintf(stderr, "raw_fwd: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	for (i = 0; i < ports.n; i++) {
		ports.path[i] = argv[i + 1];
		ports.vid[i] = -1;
	}
	for (i = 0; i < ports.n; i++)
		if (port_start(ports.path[i]))
			goto out;
	now = rte_rdtsc();
	while (!stop) {
		bool work = false;

		for (i = 0; i < ports.n; i++) {
			int in = __atomic_load_n(&ports.vid[i], __ATOMIC_ACQUIRE);
			int out = __atomic_load_n(&ports.vid[i ^ 1], __ATOMIC_ACQUIRE);
			uint16_t n, s = 0;

			if (in < 0)
				continue;
			n = rte_vhost_dequeue_burst(in, VIRTIO_TXQ, pool, m, BURST);
			if (!n)
				continue;
			if (out >= 0)
				s = rte_vhost_enqueue_burst(out, VIRTIO_RXQ, m, n);
			/* Enqueue copies: the burst is ours to free either way. */
			rte_pktmbuf_free_bulk(m, n);
			pkts += s;
			drops += n - s;
			work = true;
		}
		t = rte_rdtsc();
		if (work)
			busy += t - now;
		now = t;
		if (dump) {
			dump = 0;
			printf("STATS pkts=%llu busy=%llu tsc=%llu drops=%llu hz=%llu\n",
			       (unsigned long long)pkts, (unsigned long long)busy,
			       (unsigned long long)now, (unsigned long long)drops,
			       (unsigned long long)rte_get_tsc_hz());
			fflush(stdout);
		}
	}
	rc = 0;
	for (i = 0; i < ports.n; i++)
		rte_vhost_driver_unregister(ports.path[i]);
out:
	rte_eal_cleanup();
	return rc;
}
