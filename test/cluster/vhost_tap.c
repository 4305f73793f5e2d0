/*
 * vhost_tap: a vhost-user pod's application for the simulated cluster
 * (e2e/cluster/test_cluster.sh). It bridges the pod's virtio-user port
 * (connected to slicenetd's vhost-user socket, as any DPDK pod app) to a
 * kernel TAP in the pod's network namespace, so the pod's kernel stack
 * originates and answers traffic over vhost-user: ping, ARP, anything.
 *   vhost_tap <EAL args with one net_virtio_user vdev> -- TAPNAME
 * The TAP appears once the port is started (a server=1 virtio-user waits in
 * rte_eal_init() for slicenetd to connect); the caller gives it the CNI
 * result's MAC, address and routes. SIGTERM or SIGINT stops it and prints
 * its counters. Frames are copied, one syscall each: this is a test
 * application, not a datapath, and it must not eat a core on a 2-core
 * machine, so after a few empty passes it sleeps in ppoll() on the TAP
 * (TAP frames wake it at once), backing off from 20 us to 1 ms for frames
 * from the switch.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define BURST	    32
#define RING_SIZE   256
#define POOL_SIZE   1023
#define SPIN_PASSES 16	     /* empty passes before the first sleep */
#define SLEEP_MIN   20000L   /* ns */
#define SLEEP_MAX   1000000L /* ns: bounds the added latency switch -> pod */

struct counters {
	unsigned long from_port, to_tap, from_tap, to_port, dropped;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int tap_open(const char *name)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	int fd, err;

	if (strlen(name) >= sizeof(ifr.ifr_name)) {
		fprintf(stderr, "vhost_tap: TAP name %s too long\n", name);
		return -ENAMETOOLONG;
	}
	strcpy(ifr.ifr_name, name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "vhost_tap: /dev/net/tun: %s\n", strerror(errno));
		return err;
	}
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		fprintf(stderr, "vhost_tap: TUNSETIFF %s: %s\n", name, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

static int port_start(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf = {0};
	int ret;

	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (!ret)
		ret = rte_eth_rx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port), NULL,
					     pool);
	if (!ret)
		ret = rte_eth_tx_queue_setup(port, 0, RING_SIZE, rte_eth_dev_socket_id(port), NULL);
	if (!ret)
		ret = rte_eth_dev_start(port);
	if (ret)
		fprintf(stderr, "vhost_tap: port %u: %s\n", port, rte_strerror(-ret));
	return ret;
}

/* Switch -> pod: one write() per frame; a chained mbuf is gathered first. */
static unsigned int port_to_tap(uint16_t port, int tap, struct counters *c)
{
	static uint8_t flat[RTE_MBUF_DEFAULT_DATAROOM * 8];
	struct rte_mbuf *pkts[BURST];
	unsigned int n, i;
	const void *data;

	n = rte_eth_rx_burst(port, 0, pkts, BURST);
	for (i = 0; i < n; i++) {
		c->from_port++;
		data = pkts[i]->pkt_len <= sizeof(flat)
			       ? rte_pktmbuf_read(pkts[i], 0, pkts[i]->pkt_len, flat)
			       : NULL;
		if (data && write(tap, data, pkts[i]->pkt_len) == (ssize_t)pkts[i]->pkt_len)
			c->to_tap++;
		else
			c->dropped++;
		rte_pktmbuf_free(pkts[i]);
	}
	return n;
}

/* Pod -> switch: read() straight into mbufs (the TAP's MTU fits one). */
static unsigned int tap_to_port(int tap, uint16_t port, struct rte_mempool *pool,
				struct counters *c)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n = 0, sent;
	ssize_t len;

	while (n < BURST) {
		pkts[n] = rte_pktmbuf_alloc(pool);
		if (!pkts[n])
			break;
		len = read(tap, rte_pktmbuf_mtod(pkts[n], void *), rte_pktmbuf_tailroom(pkts[n]));
		if (len <= 0) {
			rte_pktmbuf_free(pkts[n]);
			break;
		}
		rte_pktmbuf_append(pkts[n], (uint16_t)len);
		n++;
	}
	c->from_tap += n;
	sent = n ? rte_eth_tx_burst(port, 0, pkts, (uint16_t)n) : 0;
	c->to_port += sent;
	c->dropped += n - sent;
	if (sent < n)
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	return n;
}

static void bridge(uint16_t port, int tap, struct rte_mempool *pool, struct counters *c)
{
	struct pollfd pfd = {.fd = tap, .events = POLLIN};
	struct timespec nap = {0};
	unsigned int empty = 0;

	while (!stop) {
		if (port_to_tap(port, tap, c) + tap_to_port(tap, port, pool, c)) {
			empty = 0;
			nap.tv_nsec = 0;
			continue;
		}
		if (++empty < SPIN_PASSES)
			continue;
		nap.tv_nsec = nap.tv_nsec ? nap.tv_nsec * 2 : SLEEP_MIN;
		if (nap.tv_nsec > SLEEP_MAX)
			nap.tv_nsec = SLEEP_MAX;
		/* EINTR on SIGTERM is the way out; anything else is just a wake-up. */
		(void)ppoll(&pfd, 1, &nap, NULL);
	}
}

int main(int argc, char **argv)
{
	struct counters c = {0};
	struct rte_mempool *pool;
	int used, tap = -1, ret = 1;
	uint16_t port;

	used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "vhost_tap: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (argc - used != 2 || rte_eth_dev_count_avail() != 1) {
		fprintf(stderr, "usage: vhost_tap <EAL args, one vdev> -- TAPNAME\n");
		goto out_eal;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pool = rte_pktmbuf_pool_create("vhost_tap", POOL_SIZE, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (!pool) {
		fprintf(stderr, "vhost_tap: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out_eal;
	}
	port = rte_eth_find_next(0);
	if (port_start(port, pool))
		goto out_pool;
	tap = tap_open(argv[used + 1]);
	if (tap < 0)
		goto out_port;
	printf("vhost_tap: port %u <-> %s\n", port, argv[used + 1]);
	fflush(stdout);
	bridge(port, tap, pool, &c);
	printf("vhost_tap: from_port=%lu to_tap=%lu from_tap=%lu to_port=%lu dropped=%lu\n",
	       c.from_port, c.to_tap, c.from_tap, c.to_port, c.dropped);
	ret = 0;
	close(tap);
out_port:
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
out_pool:
	rte_mempool_free(pool);
out_eal:
	rte_eal_cleanup();
	return ret;
}
