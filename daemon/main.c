/*
 * slicenetd: the node-local DPDK vhost-user switch.
 *   slicenetd [--ctl-socket PATH] [--socket-dir DIR] [--state-dir DIR] [--config FILE]
 *             [--uplink tap:NAME|af_packet:IFACE] [--ctl-group GROUP]
 *             [--metrics ADDR:PORT] -- <EAL args>
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "daemon/config.h"
#include "daemon/ctl_cmds.h"
#include "daemon/ctl_thread.h"
#include "daemon/eal_args.h"
#include "daemon/fdb.h"
#include "daemon/fwd.h"
#include "daemon/guest_mem.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/port.h"
#include "daemon/stats.h"
#include "daemon/uplink.h"

#define MBUF_CACHE 256
/*
 * Pod frames are dequeued into their own pool of jumbo mbufs: vhost ports
 * are LINEARBUF (a pod's multi-MB chain cannot drain the pool), so rte_vhost
 * drops a frame that does not fit one mbuf before the switch can count it.
 * With 9216 B of data room (OVS sizes by MTU the same way) every frame up to
 * the largest MTU (CTL_MTU_MAX) is seen, forwarded or counted as oversize,
 * whatever the port's MTU. Only held bursts (up to L2SWITCH_STAGE_MAX per
 * lcore), per-lcore caches and uplink TX rings hold them: 4095 of them,
 * about 39 MB, more on nodes with many lcores (jumbo_mbufs).
 */
#define JUMBO_MBUFS	4095
#define JUMBO_DATA_ROOM (RTE_PKTMBUF_HEADROOM + 9216)
/*
 * Per-lcore cache of that pool. Each forwarding pass allocates bursts of 32
 * (rte_vhost dequeue) and frees up to L2SWITCH_STAGE_MAX held frames at
 * once: a cache of 64 spilled to and refilled from the pool's ring on most
 * passes (~60 cycles a frame at 64 B, perf). A cache may strand 1.5 times
 * its size, so with many lcores it shrinks to keep half the pool free.
 */
#define JUMBO_CACHE_MAX 256
#define JUMBO_CACHE_MIN 64

/* Worst case one lcore keeps from the jumbo pool: its held frames and a full cache. */
static unsigned int jumbo_per_lcore(unsigned int cache)
{
	return L2SWITCH_STAGE_MAX + cache * 3 / 2;
}

/* JUMBO_MBUFS, or (2^n - 1) twice what the lcores may keep with the smallest cache. */
static unsigned int jumbo_mbufs(void)
{
	unsigned int need = 2 * rte_lcore_count() * jumbo_per_lcore(JUMBO_CACHE_MIN),
		     n = JUMBO_MBUFS;

	while (n < need)
		n = n * 2 + 1;
	return n;
}

static unsigned int jumbo_cache(void)
{
	unsigned int lcores = rte_lcore_count(), cache = JUMBO_CACHE_MAX;

	while (cache > JUMBO_CACHE_MIN && lcores * jumbo_per_lcore(cache) > jumbo_mbufs() / 2)
		cache /= 2;
	return cache;
}

static volatile sig_atomic_t quit;
static struct fdb *fdb;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
	fwd_stop();
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slicenetd [--ctl-socket PATH] [--socket-dir DIR] [--state-dir DIR]\n"
		"                 [--config FILE] [--uplink tap:NAME|af_packet:IFACE]\n"
		"                 [--ctl-group GROUP] [--metrics ADDR:PORT] -- <EAL args>\n"
		"defaults: --ctl-socket %s --socket-dir %s --state-dir %s\n",
		"/run/slicenet/slicenetd.sock", CONFIG_DEFAULT_SOCKET_DIR,
		CONFIG_DEFAULT_STATE_DIR);
}

/* Our options stop at "--"; the rest goes to rte_eal_init. Returns the index of "--" or argc. */
static int parse_args(int argc, char **argv, struct daemon_config *cfg)
{
	static const struct option opts[] = {
		{"ctl-socket", required_argument, NULL, 's'},
		{"socket-dir", required_argument, NULL, 'd'},
		{"state-dir", required_argument, NULL, 't'},
		{"config", required_argument, NULL, 'c'},
		{"uplink", required_argument, NULL, 'u'},
		{"ctl-group", required_argument, NULL, 'g'},
		{"metrics", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char msg[CTL_MESSAGE_MAX];
	int ours = argc, i, c;
	struct {
		char *ctl_socket, *socket_dir, *state_dir, *uplink, *group, *metrics;
	} cli = {0};

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			ours = i;
			break;
		}
	while ((c = getopt_long(ours, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cli.ctl_socket = optarg;
			break;
		case 'd':
			cli.socket_dir = optarg;
			break;
		case 't':
			cli.state_dir = optarg;
			break;
		case 'u':
			cli.uplink = optarg;
			break;
		case 'g':
			cli.group = optarg;
			break;
		case 'm':
			cli.metrics = optarg;
			break;
		case 'c':
			if (config_load(optarg, cfg, msg, sizeof(msg))) {
				fprintf(stderr, "slicenetd: %s\n", msg);
				exit(2);
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != ours) {
		fprintf(stderr, "slicenetd: unexpected argument %s (EAL args go after --)\n",
			argv[optind]);
		exit(2);
	}
	/* Flags win over the file, whatever their order on the command line. */
#define SET(field, value)                                                                          \
	if (value &&                                                                               \
	    snprintf(cfg->field, sizeof(cfg->field), "%s", value) >= (int)sizeof(cfg->field)) {    \
		fprintf(stderr, "slicenetd: %s: too long\n", value);                               \
		exit(2);                                                                           \
	}
	SET(ctl_socket, cli.ctl_socket);
	SET(socket_dir, cli.socket_dir);
	SET(state_dir, cli.state_dir);
	SET(ctl_group, cli.group);
#undef SET
	if ((cli.uplink && config_set_uplink(cfg, cli.uplink, msg, sizeof(msg))) ||
	    (cli.metrics && config_set_metrics(cfg, cli.metrics, msg, sizeof(msg)))) {
		fprintf(stderr, "slicenetd: %s\n", msg);
		exit(2);
	}
	return ours;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static void housekeeping(void)
{
	stats_tick();
	fdb_age(fdb, fwd_now());
	port_refresh_shadows();
	port_reap_faulted();
}

int main(int argc, char **argv)
{
	struct daemon_config cfg;
	struct rte_mempool *pool = NULL, *jumbo = NULL;
	struct l2switch_limits limits;
	struct eal_args eal = {0};
	char ctl_dir[PATH_MAX], placement[512] = "out of memory";
	cpu_set_t cpus;
	uint16_t uplink_port = 0;
	bool uplink = false;
	int sep, eal_argc, rc = 1;
	char **eal_argv;

	config_defaults(&cfg);
	sep = parse_args(argc, argv, &cfg);
	/* rte_eal_init sees argv[0] followed by what came after "--". */
	eal_argc = argc - sep;
	eal_argv = argv + sep;
	eal_argv[0] = argv[0];
	if (sep == argc) {
		eal_argc = 1;
		eal_argv = argv;
		argv[1] = NULL;
	}
	/* The CPUs we were given (the container's cpuset) place the lcores unless -l/-c says. */
	if (sched_getaffinity(0, sizeof(cpus), &cpus)) {
		fprintf(stderr, "slicenetd: sched_getaffinity: %s\n", strerror(errno));
		return 1;
	}
	if (eal_args_build(&cpus, eal_argc, eal_argv, &eal, placement, sizeof(placement))) {
		fprintf(stderr, "slicenetd: placing the lcores: %s\n", placement);
		return 1;
	}
	if (rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr, "slicenetd: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		eal_args_free(&eal);
		return 1;
	}
	log_init();
	LOG(INFO, "%s", placement);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* Before any port: a pod that shrinks its shared memory must not kill the switch. */
	rc = guest_mem_init();
	if (rc) {
		LOG(ERR, "installing the SIGBUS handler: %s", strerror(-rc));
		rc = 1;
		goto out_eal;
	}

	snprintf(ctl_dir, sizeof(ctl_dir), "%s", cfg.ctl_socket);
	if (mkdir_p(dirname(ctl_dir), 0755) || mkdir_p(cfg.socket_dir, 0755) ||
	    mkdir_p(cfg.state_dir, 0700)) {
		LOG(ERR, "creating %s, %s or %s: %s", cfg.ctl_socket, cfg.socket_dir, cfg.state_dir,
		    strerror(errno));
		goto out_eal;
	}
	fdb = fdb_create(cfg.fdb_size, cfg.fdb_aging);
	if (!fdb) {
		LOG(ERR, "FDB of %u entries: %s", cfg.fdb_size, strerror(errno));
		goto out_eal;
	}
	/* Default data room (2048 + headroom) holds a 1500-byte MTU frame in one segment
	 * (LINEARBUF). */
	pool = rte_pktmbuf_pool_create("slicenet_mbufs", cfg.mbufs, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!pool) {
		LOG(ERR, "mbuf pool of %u: %s", cfg.mbufs, rte_strerror(rte_errno));
		goto out_fdb;
	}
	jumbo = rte_pktmbuf_pool_create("slicenet_jumbo", jumbo_mbufs(), jumbo_cache(), 0,
					JUMBO_DATA_ROOM, (int)rte_socket_id());
	if (!jumbo) {
		LOG(ERR, "jumbo mbuf pool of %u: %s", jumbo_mbufs(), rte_strerror(rte_errno));
		goto out_pool;
	}
	if (cfg.fdb_port_limit)
		fdb_set_port_limit(fdb, cfg.fdb_port_limit);
	limits = (struct l2switch_limits){.flood_pps = cfg.flood_pps,
					  .flood_burst = cfg.flood_burst};
	if (fwd_init(fdb, jumbo, &limits) || port_table_init(fdb, cfg.state_dir, cfg.socket_dir)) {
		LOG(ERR, "datapath initialisation failed");
		goto out_pool;
	}
	ctl_cmds_init(fdb);
	if (cfg.uplink != UPLINK_NONE) {
		if (uplink_start(&cfg, pool, (uint16_t)fwd_lcore_count(), &uplink_port) ||
		    port_add_uplink(uplink_port, 1))
			goto out_fwd;
		uplink = true;
	}
	if (port_restore())
		LOG(WARNING, "state in %s could not be read; starting with no ports",
		    cfg.state_dir);
	if (ctl_thread_start(&cfg, housekeeping))
		goto out_ports;
	if (cfg.metrics[0] && metrics_start(cfg.metrics, fdb))
		goto out_server;
	LOG(INFO, "running: %u forwarding lcore(s), socket dir %s, state dir %s", fwd_lcore_count(),
	    cfg.socket_dir, cfg.state_dir);
	if (fwd_run()) {
		LOG(ERR, "launching the forwarding lcores failed");
		goto out_server;
	}
	/* Polling, not pause(): the signal may be delivered to any of DPDK's threads. */
	while (!quit)
		usleep(100 * 1000);
	rc = 0;
	LOG(INFO, "shutting down");
out_server:
	fwd_stop();
	fwd_wait();
	metrics_stop();
	ctl_thread_stop();
out_ports:
	port_shutdown();
	if (uplink)
		uplink_stop(uplink_port);
out_fwd:
	fwd_fini();
out_pool:
	rte_mempool_free(jumbo);
	rte_mempool_free(pool);
out_fdb:
	fdb_free(fdb);
out_eal:
	rte_eal_cleanup();
	eal_args_free(&eal);
	return rc;
}
