/* Counter baselines and per-second rates, on the control thread only. */
#include "daemon/stats.h"

#include <string.h>
#include <time.h>

#include "daemon/fwd.h"
#include "daemon/l2switch.h"

static struct {
	struct l2switch_counters base[L2SWITCH_PORT_MAX];
	struct l2switch_counters prev[L2SWITCH_PORT_MAX];
	uint64_t rx_pps[L2SWITCH_PORT_MAX], tx_pps[L2SWITCH_PORT_MAX];
	struct timespec last;
} stats;

void stats_port_reset(uint16_t port)
{
	if (port >= L2SWITCH_PORT_MAX)
		return;
	fwd_counters(port, &stats.base[port]);
	stats.prev[port] = stats.base[port];
	stats.rx_pps[port] = stats.tx_pps[port] = 0;
}

void stats_tick(void)
{
	struct l2switch_counters now;
	struct timespec ts;
	uint64_t ns;
	uint16_t p;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (uint64_t)(ts.tv_sec - stats.last.tv_sec) * 1000000000u +
	     (uint64_t)(ts.tv_nsec - stats.last.tv_nsec);
	if (ns == 0)
		return;
	for (p = 0; p < L2SWITCH_PORT_MAX; p++) {
		fwd_counters(p, &now);
		if (stats.last.tv_sec) {
			stats.rx_pps[p] = (now.rx - stats.prev[p].rx) * 1000000000u / ns;
			stats.tx_pps[p] = (now.tx - stats.prev[p].tx) * 1000000000u / ns;
		}
		stats.prev[p] = now;
	}
	stats.last = ts;
}

void stats_get(uint16_t port, struct ctl_port_stats *out)
{
	struct l2switch_counters now;
	int d;

	if (port >= L2SWITCH_PORT_MAX)
		return;
	fwd_counters(port, &now);
	out->rx = now.rx - stats.base[port].rx;
	out->tx = now.tx - stats.base[port].tx;
	for (d = 0; d < CTL_DROP_COUNT; d++)
		out->drops[d] = now.drops[d] - stats.base[port].drops[d];
	out->rx_pps = stats.rx_pps[port];
	out->tx_pps = stats.tx_pps[port];
}
