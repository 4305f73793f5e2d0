/* slicenet-agent's command line (and the environment it falls back on). */
#ifndef SLICENET_AGENT_OPTIONS_H
#define SLICENET_AGENT_OPTIONS_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "agent/desired.h"
#include "agent/install_status.h"
#include "agent/ipam_usage.h"
#include "agent/kube_config.h"
#include "agent/masq.h"
#include "agent/ranges_file.h"
#include "agent/node.h"
#include "agent/vxlan_device.h"
#include "plugin/util/error.h"

#define OPTIONS_DEFAULT_RESYNC	  60 /* seconds between full kernel reconciles */
#define OPTIONS_DEFAULT_STATE_DIR "/var/lib/cni/slicenet"

struct agent_options {
	const char *api_server; /* NULL: from KUBERNETES_SERVICE_HOST/PORT */
	const char *token_file; /* NULL: the service account's */
	const char *ca_file;
	char node_name[NODE_NAME_MAX];
	enum agent_mode mode;
	/*
	 * false (--mode none): slicenet is a secondary network (Multus): no
	 * Node watch, routes, VXLAN, masquerade or ranges file, only /metrics
	 * and fallback Events; what an earlier routing run left is removed.
	 */
	bool routing;
	char ranges_file[PATH_MAX];
	struct masq_conf
		masq; /* no cluster CIDR: no masquerade; data subnets are not masqueraded */
	struct ip_prefix cluster4; /* the first IPv4 --cluster-cidr: data blocks follow it */
	struct data_subnet data[DESIRED_DATA_MAX]; /* --data-subnet CIDR/BLOCKLEN */
	size_t n_data;
	char data_uplink[IFNAMSIZ]; /* slicenetd's uplink: this node's data gateways; "" = none */
	struct vxlan_params vxlan;
	unsigned int resync_seconds;
	const char *metrics_addr;   /* NULL: no /metrics */
	const char *state_dir;	    /* the plugin's stateDir (events.log) */
	const char *ipam_dir;	    /* IPAM dataDir: one directory per network */
	const char *install_status; /* the CNI installer's status file */
	const char *log_file;	    /* NULL: stderr */
	int log_level;
	bool uninstall;
	bool uninstall_on_stop; /* after SIGTERM/SIGINT, do what --uninstall does */
	bool help;
};

/* Fill out from argv and NODE_NAME. err names the bad flag or value. */
int options_parse(int argc, char **argv, struct agent_options *out, struct error *err)
	__attribute__((warn_unused_result));

void options_usage(FILE *out);

#endif
