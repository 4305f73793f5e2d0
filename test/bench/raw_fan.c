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
 * several turns (L2SWITCH_STAGE_BURSTS). Same vhost-user client flags,
 * features and mbuf pool as raw_fwd; the same STATS line on SIGUSR1.
 *   raw_fan <EAL args> -- [--mbuf-room BYTES] [--batch N] SOCKET0 SOCKET1 [SOCKET2 ...]
 */
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
#define BATCH_MAX  8
#define VIRTIO_RXQ 0
#define VIRTIO_TXQ 1

/* raw_fwd's and slicenetd's set: offloads a switch would have to translate. */
#define OFF_FEATURES                                                                               \
	((1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |                     \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) |                       \
	 (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                         \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |                   \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO))

static unsigned int n_ports;
static const char *sock[MAX_PORTS];
static volatile int vids[MAX_PORTS]; /* -1 until the pod is there */
static volatile sig_atomic_t quit, report;

static int slot_of(int vid)
{
	char name[4096];
	unsigned int i;

	if (rte_vhost_get_ifname(vid, name, sizeof(name)) < 0)
		return -1;
	for (i = 0; i < n_ports; i++)
		if (!strcmp(name, sock[i]))
			return (int)i;
	return -1;
}

static int on_new(int vid)
{
	int s = slot_of(vid);
	uint16_t q;

	if (s < 0)
		return -1;
	/* No eventfd kick from the pod after its TX bursts (as raw_fwd and slicenetd). */
	for (q = 0; q < rte_vhost_get_vring_num(vid); q++)
		rte_vhost_enable_guest_notification(vid, q, 0);
	__atomic_store_n(&vids[s], vid, __ATOMIC_RELEASE);
	return 0;
}

static void on_destroy(int vid)
{
	int s = slot_of(vid);

	if (s >= 0)
		__atomic_store_n(&vids[s], -1, __ATOMIC_RELEASE);
}

static const struct rte_vhost_device_ops dev_ops = {
	.new_device = on_new,
	.destroy_device = on_destroy,
};

static void on_sig(int sig)
{
	if (sig == SIGUSR1)
		report = 1;
	else
		quit = 1;
}

static int client_start(const char *path)
{
	uint64_t proto;

	if (rte_vhost_driver_register(path, RTE_VHOST_USER_CLIENT |
						    RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS |
						    RTE_VHOST_USER_LINEARBUF_SUPPORT))
		return -1;
	if (rte_vhost_driver_disable_features(path, OFF_FEATURES) ||
	    rte_vhost_driver_get_protocol_features(path, &proto))
		return -1;
	proto &= (1ULL << VHOST_USER_PROTOCOL_F_MQ) | (1ULL << VHOST_USER_PROTOCOL_F_STATUS);
	if (rte_vhost_driver_set_protocol_features(path, proto) ||
	    rte_vhost_driver_callback_register(path, &dev_ops))
		return -1;
	return rte_vhost_driver_start(path);
}

/* Per output: the frames staged for it since the last send. */
static struct rte_mbuf *staged[MAX_PORTS][BATCH_MAX * BURST];
static uint16_t n_staged[MAX_PORTS];

/* Enqueue what each output has staged; returns frames taken, adds the rest to *drops. */
static uint64_t send_staged(uint64_t *drops)
{
	uint64_t sent = 0;
	unsigned int o;

	for (o = 0; o < n_ports; o++) {
		int vid = __atomic_load_n(&vids[o], __ATOMIC_ACQUIRE);
		uint16_t done = 0, chunk, s = 0;

		while (vid >= 0 && done < n_staged[o]) {
			chunk = (uint16_t)RTE_MIN(n_staged[o] - done, BURST);
			s = rte_vhost_enqueue_burst(vid, VIRTIO_RXQ, staged[o] + done, chunk);
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
	static struct rte_mbuf *held[BATCH_MAX * BURST];
	uint64_t pkts = 0, busy = 0, drops = 0, t_prev, t;
	unsigned int room = 2048, batch = 1, bursts = 0, n_held = 0, p, k;
	struct rte_mempool *mp;
	int eal, rc = 1;

	eal = rte_eal_init(argc, argv);
	if (eal < 0)
		return 1;
	argc -= eal;
	argv += eal;
	while (argc > 2 && (!strcmp(argv[1], "--mbuf-room") || !strcmp(argv[1], "--batch"))) {
		if (!strcmp(argv[1], "--batch"))
			batch = (unsigned int)strtoul(argv[2], NULL, 10);
		else
			room = (unsigned int)strtoul(argv[2], NULL, 10);
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc - 1 > MAX_PORTS || batch < 1 || batch > BATCH_MAX || room < 128 ||
	    room > 65000) {
		fprintf(stderr,
			"usage: raw_fan <EAL> -- [--mbuf-room B] [--batch N] SOCK0 SOCK1...\n");
		goto out;
	}
	n_ports = (unsigned int)argc - 1;
	/* raw_fwd's pool: 16384 mbufs, cache 256. */
	mp = rte_pktmbuf_pool_create("raw_fan", 16384, 256, 0,
				     (uint16_t)(RTE_PKTMBUF_HEADROOM + room), rte_socket_id());
	if (!mp) {
		fprintf(stderr, "raw_fan: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	signal(SIGUSR1, on_sig);
	for (p = 0; p < n_ports; p++) {
		sock[p] = argv[p + 1];
		vids[p] = -1;
	}
	for (p = 0; p < n_ports; p++)
		if (client_start(sock[p])) {
			fprintf(stderr, "raw_fan: cannot start vhost-user client on %s\n", sock[p]);
			goto out;
		}
	t_prev = rte_rdtsc();
	while (!quit) {
		bool moved = false;

		for (p = 0; p < n_ports; p++) {
			int vid = __atomic_load_n(&vids[p], __ATOMIC_ACQUIRE);
			uint16_t n;

			if (vid < 0)
				continue;
			n = rte_vhost_dequeue_burst(vid, VIRTIO_TXQ, mp, held + n_held, BURST);
			if (!n)
				continue;
			for (k = n_held; k < n_held + n; k++) {
				unsigned int out =
					rte_pktmbuf_mtod(held[k], const uint8_t *)[5] % n_ports;

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
		t = rte_rdtsc();
		if (moved)
			busy += t - t_prev;
		t_prev = t;
		if (report) {
			report = 0;
			printf("STATS pkts=%llu busy=%llu tsc=%llu drops=%llu hz=%llu\n",
			       (unsigned long long)pkts, (unsigned long long)busy,
			       (unsigned long long)t, (unsigned long long)drops,
			       (unsigned long long)rte_get_tsc_hz());
			fflush(stdout);
		}
	}
	rc = 0;
	for (p = 0; p < n_ports; p++)
		rte_vhost_driver_unregister(sock[p]);
out:
	rte_eal_cleanup();
	return rc;
}
