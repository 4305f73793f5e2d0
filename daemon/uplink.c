/* Uplink ethdev: net_tap or net_af_packet, hot-plugged at start. */
#include "daemon/uplink.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include "daemon/log.h"

#define UPLINK_RXD 1024
#define UPLINK_TXD 1024

int uplink_start(const struct daemon_config *cfg, struct rte_mempool *pool, uint16_t n_txq,
		 uint16_t *eth_port)
{
	struct rte_eth_conf conf = {0};
	char name[32], args[64];
	uint16_t q;
	int rc;

	if (cfg->uplink == UPLINK_TAP) {
		snprintf(name, sizeof(name), "net_tap_sn0");
		snprintf(args, sizeof(args), "iface=%s", cfg->uplink_iface);
	} else {
		snprintf(name, sizeof(name), "net_af_packet_sn0");
		/* One qpair per TX lcore: af_packet queues are not thread-safe either. */
		snprintf(args, sizeof(args), "iface=%s,qpairs=%u", cfg->uplink_iface, n_txq);
	}
	rc = rte_eal_hotplug_add("vdev", name, args);
	if (rc) {
		LOG(ERR, "uplink %s,%s: probe failed: %s", name, args, strerror(-rc));
		return rc < 0 ? rc : -EIO;
	}
	rc = rte_eth_dev_get_port_by_name(name, eth_port);
	if (rc)
		goto fail_uninit;
	rc = rte_eth_dev_configure(*eth_port, 1, n_txq, &conf);
	if (rc)
		goto fail;
	rc = rte_eth_rx_queue_setup(*eth_port, 0, UPLINK_RXD, rte_eth_dev_socket_id(*eth_port),
				    NULL, pool);
	for (q = 0; !rc && q < n_txq; q++)
		rc = rte_eth_tx_queue_setup(*eth_port, q, UPLINK_TXD,
					    rte_eth_dev_socket_id(*eth_port), NULL);
	if (!rc)
		rc = rte_eth_dev_start(*eth_port);
	if (rc)
		goto fail;
	/* A switch port must see frames for the pods' MACs, not only its own. */
	rte_eth_promiscuous_enable(*eth_port);
	LOG(INFO, "uplink %s (%s) is port %u", cfg->uplink_iface,
	    cfg->uplink == UPLINK_TAP ? "tap" : "af_packet", *eth_port);
	return 0;
fail:
	rte_eth_dev_close(*eth_port);
fail_uninit:
	LOG(ERR, "uplink %s: setup failed: %s", cfg->uplink_iface, strerror(rc < 0 ? -rc : rc));
	rte_eal_hotplug_remove("vdev", name);
	return rc < 0 ? rc : -EIO;
}

void uplink_stop(uint16_t eth_port)
{
	rte_eth_dev_stop(eth_port);
	rte_eth_dev_close(eth_port);
}
