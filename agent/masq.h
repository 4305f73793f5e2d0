/*
 * Egress masquerade in an nftables table slicenet owns ("inet slicenet"),
 * through libnftables (no nft process): traffic from this node's pod CIDRs
 * to anything outside the cluster CIDRs leaves with the node's address.
 * The table is replaced whole in one transaction, so it never holds a mix.
 */
#ifndef SLICENET_AGENT_MASQ_H
#define SLICENET_AGENT_MASQ_H

#include <stddef.h>

#include "agent/node.h"
#include "plugin/util/error.h"

#define MASQ_TABLE_FAMILY "inet"
#define MASQ_TABLE_NAME	  "slicenet"
#define MASQ_CLUSTER_MAX  8

struct masq_conf {
	struct ip_prefix cluster[MASQ_CLUSTER_MAX]; /* traffic to these is not masqueraded */
	size_t n_cluster;
};

/* The nft script that (re)creates the table for self's pod CIDRs. */
int masq_script(const struct masq_conf *conf, const struct node *self, char *buf, size_t size)
	__attribute__((warn_unused_result));

/* Run the script (one transaction). err carries nft's own message. */
int masq_apply(const char *script, struct error *err) __attribute__((warn_unused_result));

/* Delete the table; 0 when it is not there. */
int masq_remove(struct error *err) __attribute__((warn_unused_result));

#endif
