/*
 * Counter baselines, per-second rates and lcore load, on the control plane.
 * One mutex: the control thread ticks and resets, the metrics thread reads;
 * neither ever waits for the datapath.
 */
#include "daemon/stats.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "daemon/fwd.h"
#include "daemon/l2switch.h"

#define LCORES_MAX 128

struct bytes {
	uint64_t rx, tx;
};

static struct {
	pthread_mutex_t lock;
	struct l2switch_counters base[L2SWITCH_PORT_MAX];
	struct l2switch_counters prev[L2SWITCH_PORT_MAX];
	struct bytes base_bytes[L2SWITCH_PORT_MAX];
	uint64_t rx_pps[L2SWITCH_PORT_MAX], tx_pps[L2SWITCH_PORT_MAX];
	struct timespec last;
	struct fwd_lcore_load prev_load[LCORES_MAX];
	double busy_ratio[LCORES_MAX];
	unsigned int n_lcores;
} stats = {.lock = PTHREAD_MUTEX_INITIALIZER};

void stats_port_reset(uint16_t port)
{
	struct bytes *b;

	if (port >= L2SWITCH_PORT_MAX)
		return;
	pthread_mutex_lock(&stats.lock);
	b = &stats.base_bytes[port];
	fwd_counters(port, &stats.base[port]);
	fwd_bytes(port, &b->rx, &b->tx);
	stats.prev[port] = stats.base[port];
	stats.rx_pps[port] = stats.tx_pps[port] = 0;
	pthread_mutex_unlock(&stats.lock);
}

static void tick_lcores(void)
{
	struct fwd_lcore_load now[LCORES_MAX];
	unsigned int n = fwd_lcore_loads(now, LCORES_MAX), i;

	for (i = 0; i < n; i++) {
		const struct fwd_lcore_load *was = &stats.prev_load[i];
		uint64_t cycles = now[i].cycles - was->cycles;
		uint64_t busy = now[i].busy_cycles - was->busy_cycles;

		/* A restarted count (or none yet) shows as 0 for one tick. */
		stats.busy_ratio[i] =
			i < stats.n_lcores && now[i].cycles > was->cycles &&
					now[i].busy_cycles >= was->busy_cycles && cycles
				? (double)(busy > cycles ? cycles : busy) / (double)cycles
				: 0;
		stats.prev_load[i] = now[i];
	}
	stats.n_lcores = n;
}

void stats_tick(void)
{
	struct l2switch_counters now;
	struct timespec ts;
	uint64_t ns;
	uint16_t p;

	pthread_mutex_lock(&stats.lock);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (uint64_t)(ts.tv_sec - stats.last.tv_sec) * 1000000000u +
	     (uint64_t)(ts.tv_nsec - stats.last.tv_nsec);
	if (ns == 0)
		goto out;
	for (p = 0; p < L2SWITCH_PORT_MAX; p++) {
		fwd_counters(p, &now);
		if (stats.last.tv_sec) {
			stats.rx_pps[p] = (now.rx - stats.prev[p].rx) * 1000000000u / ns;
			stats.tx_pps[p] = (now.tx - stats.prev[p].tx) * 1000000000u / ns;
		}
		stats.prev[p] = now;
	}
	tick_lcores();
	stats.last = ts;
out:
	pthread_mutex_unlock(&stats.lock);
}

void stats_get(uint16_t port, struct ctl_port_stats *out)
{
	struct l2switch_counters now;
	int d;

	if (port >= L2SWITCH_PORT_MAX)
		return;
	pthread_mutex_lock(&stats.lock);
	fwd_counters(port, &now);
	out->rx = now.rx - stats.base[port].rx;
	out->tx = now.tx - stats.base[port].tx;
	for (d = 0; d < CTL_DROP_COUNT; d++)
		out->drops[d] = now.drops[d] - stats.base[port].drops[d];
	out->rx_pps = stats.rx_pps[port];
	out->tx_pps = stats.tx_pps[port];
	pthread_mutex_unlock(&stats.lock);
}

void stats_get_bytes(uint16_t port, uint64_t *rx, uint64_t *tx)
{
	*rx = *tx = 0;
	if (port >= L2SWITCH_PORT_MAX)
		return;
	pthread_mutex_lock(&stats.lock);
	fwd_bytes(port, rx, tx);
	*rx -= stats.base_bytes[port].rx;
	*tx -= stats.base_bytes[port].tx;
	pthread_mutex_unlock(&stats.lock);
}

unsigned int stats_lcores(struct stats_lcore *out, unsigned int max)
{
	struct fwd_lcore_load now[LCORES_MAX];
	unsigned int n = fwd_lcore_loads(now, LCORES_MAX), i;

	pthread_mutex_lock(&stats.lock);
	for (i = 0; i < n && i < max; i++) {
		out[i].lcore_id = now[i].lcore_id;
		out[i].busy_cycles = now[i].busy_cycles;
		out[i].cycles = now[i].cycles;
		out[i].sleep_cycles = now[i].sleep_cycles;
		out[i].backoff_ns = now[i].backoff_ns;
		out[i].busy_ratio = i < stats.n_lcores ? stats.busy_ratio[i] : 0;
	}
	pthread_mutex_unlock(&stats.lock);
	return i;
}
