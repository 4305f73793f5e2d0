/* See raw_ports.h. */
#include "raw_ports.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_vhost.h>

/* slicenetd's set (daemon/vhost.c): offloads a switch would have to translate. */
#define DISABLED_FEATURES                                                                          \
	((1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |                     \
	 (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) |                       \
	 (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                         \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |                   \
	 (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO))

struct raw_ports raw_ports;
volatile sig_atomic_t raw_stop, raw_dump;
static int eal_up;
static uint64_t busy, pass_start; /* TSC in passes that moved a frame; this pass's start */

static int port_of(int vid)
{
	char path[4096];
	unsigned int i;

	if (rte_vhost_get_ifname(vid, path, sizeof(path)) < 0)
		return -1;
	for (i = 0; i < raw_ports.n; i++)
		if (!strcmp(path, raw_ports.path[i]))
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
	__atomic_store_n(&raw_ports.vid[p], vid, __ATOMIC_RELEASE);
	return 0;
}

static void destroy_device(int vid)
{
	int p = port_of(vid);

	/* Good enough for a benchmark: pods do not leave while it measures. */
	if (p >= 0)
		__atomic_store_n(&raw_ports.vid[p], -1, __ATOMIC_RELEASE);
}

static const struct rte_vhost_device_ops ops = {
	.new_device = new_device,
	.destroy_device = destroy_device,
};

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		raw_dump = 1;
	else
		raw_stop = 1;
}

static int port_start(const char *prog, const char *path)
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
		fprintf(stderr, "%s: cannot start vhost-user client on %s\n", prog, path);
		return -EIO;
	}
	return 0;
}

/* [--mbuf-room B] [--batch N] SOCK...; returns the first socket's index or -1. */
static int parse_options(int argc, char **argv, const struct raw_cmdline *cmd, unsigned int *room)
{
	int a = 1;

	while (a + 1 < argc) {
		if (!strcmp(argv[a], "--mbuf-room"))
			*room = (unsigned int)strtoul(argv[a + 1], NULL, 10);
		else if (cmd->batch && !strcmp(argv[a], "--batch"))
			*cmd->batch = (unsigned int)strtoul(argv[a + 1], NULL, 10);
		else
			break;
		a += 2;
	}
	if (*room < 128 || *room > 65000)
		return -1;
	if (cmd->batch && (*cmd->batch < 1 || *cmd->batch > cmd->batch_max))
		return -1;
	return a;
}

int raw_ports_init(int argc, char **argv, const struct raw_cmdline *cmd)
{
	unsigned int i, room = 2048;
	int used, first;

	used = rte_eal_init(argc, argv);
	if (used < 0)
		return -1;
	eal_up = 1;
	argc -= used;
	argv += used;
	first = parse_options(argc, argv, cmd, &room);
	if (first < 0 || argc - first < 2 || argc - first > RAW_MAX_PORTS ||
	    (cmd->pairs_only && (argc - first) % 2)) {
		fprintf(stderr, "usage: %s\n", cmd->usage);
		return -1;
	}
	raw_ports.n = (unsigned int)(argc - first);
	raw_ports.pool = rte_pktmbuf_pool_create(
		cmd->prog, 16384, 256, 0, (uint16_t)(RTE_PKTMBUF_HEADROOM + room), rte_socket_id());
	if (!raw_ports.pool) {
		fprintf(stderr, "%s: mbuf pool: %s\n", cmd->prog, rte_strerror(rte_errno));
		return -1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	for (i = 0; i < raw_ports.n; i++) {
		raw_ports.path[i] = argv[first + (int)i];
		raw_ports.vid[i] = -1;
	}
	for (i = 0; i < raw_ports.n; i++)
		if (port_start(cmd->prog, raw_ports.path[i]))
			return -1;
	pass_start = rte_rdtsc();
	return 0;
}

void raw_ports_pass_done(bool moved, uint64_t pkts, uint64_t drops)
{
	uint64_t now = rte_rdtsc();

	if (moved)
		busy += now - pass_start;
	pass_start = now;
	if (!raw_dump)
		return;
	raw_dump = 0;
	printf("STATS pkts=%llu busy=%llu tsc=%llu drops=%llu hz=%llu\n", (unsigned long long)pkts,
	       (unsigned long long)busy, (unsigned long long)now, (unsigned long long)drops,
	       (unsigned long long)rte_get_tsc_hz());
	fflush(stdout);
}

void raw_ports_fini(void)
{
	unsigned int i;

	for (i = 0; i < raw_ports.n; i++)
		rte_vhost_driver_unregister(raw_ports.path[i]);
	if (eal_up)
		rte_eal_cleanup();
}
