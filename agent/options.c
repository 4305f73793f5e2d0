/* getopt_long over the agent's flags, each value checked where it is read. */
#include "agent/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/util/log.h"

enum {
	OPT_API_SERVER = 256,
	OPT_TOKEN_FILE,
	OPT_CA_FILE,
	OPT_NODE_NAME,
	OPT_MODE,
	OPT_RANGES_FILE,
	OPT_CLUSTER_CIDR,
	OPT_DATA_SUBNET,
	OPT_DATA_UPLINK,
	OPT_VXLAN_VNI,
	OPT_VXLAN_PORT,
	OPT_VXLAN_DEVICE,
	OPT_RESYNC,
	OPT_METRICS,
	OPT_STATE_DIR,
	OPT_IPAM_DIR,
	OPT_INSTALL_STATUS,
	OPT_LOG_FILE,
	OPT_LOG_LEVEL,
	OPT_UNINSTALL,
	OPT_UNINSTALL_ON_STOP,
	OPT_HELP,
};

static const struct option long_options[] = {
	{"api-server", required_argument, NULL, OPT_API_SERVER},
	{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	{"ca-file", required_argument, NULL, OPT_CA_FILE},
	{"node-name", required_argument, NULL, OPT_NODE_NAME},
	{"mode", required_argument, NULL, OPT_MODE},
	{"ranges-file", required_argument, NULL, OPT_RANGES_FILE},
	{"cluster-cidr", required_argument, NULL, OPT_CLUSTER_CIDR},
	{"data-subnet", required_argument, NULL, OPT_DATA_SUBNET},
	{"data-uplink", required_argument, NULL, OPT_DATA_UPLINK},
	{"vxlan-vni", required_argument, NULL, OPT_VXLAN_VNI},
	{"vxlan-port", required_argument, NULL, OPT_VXLAN_PORT},
	{"vxlan-device", required_argument, NULL, OPT_VXLAN_DEVICE},
	{"resync", required_argument, NULL, OPT_RESYNC},
	{"metrics", required_argument, NULL, OPT_METRICS},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"ipam-dir", required_argument, NULL, OPT_IPAM_DIR},
	{"install-status", required_argument, NULL, OPT_INSTALL_STATUS},
	{"log-file", required_argument, NULL, OPT_LOG_FILE},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"uninstall", no_argument, NULL, OPT_UNINSTALL},
	{"uninstall-on-stop", no_argument, NULL, OPT_UNINSTALL_ON_STOP},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

void options_usage(FILE *out)
{
	fprintf(out,
		"usage: slicenet-agent [options]\n"
		"  --api-server URL      https://host:port (default: "
		"KUBERNETES_SERVICE_HOST/PORT)\n"
		"  --token-file PATH     bearer token (default " KUBE_TOKEN_FILE ")\n"
		"  --ca-file PATH        cluster CA (default " KUBE_CA_FILE ")\n"
		"  --node-name NAME      this node (default: $NODE_NAME)\n"
		"  --mode MODE           host-gw, vxlan (default) or none: no Node watch, routes,\n"
		"                        VXLAN, masquerade or ranges file (slicenet as a "
		"secondary\n"
		"                        network); only /metrics and fallback Events, and what an\n"
		"                        earlier routing run left is removed at start\n"
		"  --ranges-file PATH    this node's IPAM ranges (default %s)\n"
		"  --cluster-cidr CIDR   a cluster range, repeatable (at most %d); given: "
		"masquerade\n"
		"                        pod traffic to anything else (nft table %s %s)\n"
		"  --data-subnet CIDR/N  a class's data network (dataSubnet/dataBlockPrefix),\n"
		"                        repeatable (at most %d): route each other node's /N "
		"block\n"
		"                        like its pod CIDR (needs an IPv4 --cluster-cidr)\n"
		"  --data-uplink IFNAME  put this node's data gateways (first address of each of\n"
		"                        its blocks) on slicenetd's uplink IFNAME when it exists\n"
		"  --vxlan-vni N         (default %d)   --vxlan-port N (default %d)\n"
		"  --vxlan-device NAME   (default slicenet.<VNI>)\n"
		"  --resync SECONDS      full kernel reconcile period (default %d)\n"
		"  --metrics ADDR:PORT   serve Prometheus text on /metrics (default off)\n"
		"  --state-dir DIR       the plugin's stateDir, for events.log (default %s)\n"
		"  --ipam-dir DIR        IPAM dataDir, addresses in use per network (default %s)\n"
		"  --install-status PATH the CNI installer's status file (default %s)\n"
		"  --log-file PATH       (default stderr)   --log-level error|warn|info|debug\n"
		"  --uninstall           remove every route (proto %d), the VXLAN device, the nft\n"
		"                        table and the ranges file this agent creates, then exit\n"
		"  --uninstall-on-stop   the same after SIGTERM/SIGINT (the chart's "
		"cni.uninstall)\n",
		RANGES_FILE_DEFAULT, MASQ_CLUSTER_MAX, MASQ_TABLE_FAMILY, MASQ_TABLE_NAME,
		DESIRED_DATA_MAX, VXLAN_DEFAULT_VNI, VXLAN_DEFAULT_PORT, OPTIONS_DEFAULT_RESYNC,
		OPTIONS_DEFAULT_STATE_DIR, IPAM_USAGE_DEFAULT_DIR, INSTALL_STATUS_DEFAULT,
		AGENT_ROUTE_PROTOCOL);
}

static int number(const char *flag, const char *text, unsigned long min, unsigned long max,
		  unsigned long *out, struct error *err)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno || end == text || *end || *out < min || *out > max || text[0] == '-')
		return error_set(err, EINVAL, "--%s \"%s\": must be a number from %lu to %lu", flag,
				 text, min, max);
	return 0;
}

static int copy(const char *flag, const char *text, char *out, size_t size, struct error *err)
{
	if (!*text || (size_t)snprintf(out, size, "%s", text) >= size)
		return error_set(err, EINVAL, "--%s \"%.64s\": empty or too long", flag, text);
	return 0;
}

static int cluster_cidr(const char *text, struct masq_conf *masq, struct error *err)
{
	struct ip_prefix prefix;

	if (masq->n_cluster == MASQ_CLUSTER_MAX)
		return error_set(err, E2BIG, "--cluster-cidr: at most %d", MASQ_CLUSTER_MAX);
	if (ip_prefix_parse(text, &prefix))
		return error_set(err, EINVAL, "--cluster-cidr \"%s\" is not a CIDR", text);
	ip_prefix_network(&prefix, &prefix.addr);
	masq->cluster[masq->n_cluster++] = prefix;
	return 0;
}

/* "10.250.0.0/16/24": the subnet, then the block length. */
static int data_subnet(const char *text, struct agent_options *out, struct error *err)
{
	char cidr[IP_PREFIX_STRLEN];
	const char *slash = strrchr(text, '/');
	struct data_subnet *d = &out->data[out->n_data];
	unsigned long len;
	char *end;

	if (out->n_data == DESIRED_DATA_MAX)
		return error_set(err, E2BIG, "--data-subnet: at most %d", DESIRED_DATA_MAX);
	if (!slash || (size_t)(slash - text) >= sizeof(cidr))
		return error_set(err, EINVAL, "--data-subnet \"%.64s\": want CIDR/BLOCKLEN", text);
	memcpy(cidr, text, (size_t)(slash - text));
	cidr[slash - text] = '\0';
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (ip_prefix_parse(cidr, &d->subnet) || d->subnet.addr.family != AF_INET || errno ||
	    end == slash + 1 || *end || len <= d->subnet.len || len > 32)
		return error_set(err, EINVAL,
				 "--data-subnet \"%.64s\": want an IPv4 CIDR and a longer block "
				 "length, e.g. 10.250.0.0/16/24",
				 text);
	ip_prefix_network(&d->subnet, &d->subnet.addr);
	d->block_len = (unsigned int)len;
	out->n_data++;
	return 0;
}

/* Data subnets are cluster traffic: not masqueraded; their blocks follow the IPv4 cluster CIDR. */
static int data_finish(struct agent_options *out, struct error *err)
{
	size_t i;

	for (i = 0; i < out->masq.n_cluster; i++)
		if (out->masq.cluster[i].addr.family == AF_INET)
			break;
	if (i < out->masq.n_cluster)
		out->cluster4 = out->masq.cluster[i];
	else if (out->n_data && !out->uninstall)
		return error_set(err, EINVAL, "--data-subnet needs an IPv4 --cluster-cidr");
	if (out->data_uplink[0] && !out->n_data)
		return error_set(err, EINVAL, "--data-uplink needs a --data-subnet");
	for (i = 0; i < out->n_data && out->masq.n_cluster; i++) {
		if (out->masq.n_cluster == MASQ_CLUSTER_MAX)
			return error_set(err, E2BIG,
					 "--cluster-cidr and --data-subnet: at most %d "
					 "together",
					 MASQ_CLUSTER_MAX);
		out->masq.cluster[out->masq.n_cluster++] = out->data[i].subnet;
	}
	return 0;
}

static int one(int opt, const char *arg, struct agent_options *out, struct error *err)
{
	unsigned long value;
	int ret = 0;

	switch (opt) {
	case OPT_API_SERVER:
		out->api_server = arg;
		break;
	case OPT_TOKEN_FILE:
		out->token_file = arg;
		break;
	case OPT_CA_FILE:
		out->ca_file = arg;
		break;
	case OPT_NODE_NAME:
		return copy("node-name", arg, out->node_name, sizeof(out->node_name), err);
	case OPT_MODE:
		if (!strcmp(arg, "host-gw"))
			out->mode = AGENT_MODE_HOST_GW;
		else if (!strcmp(arg, "vxlan"))
			out->mode = AGENT_MODE_VXLAN;
		else if (strcmp(arg, "none"))
			return error_set(err, EINVAL,
					 "--mode \"%s\": must be host-gw, vxlan or none", arg);
		out->routing = strcmp(arg, "none") != 0;
		break;
	case OPT_RANGES_FILE:
		return copy("ranges-file", arg, out->ranges_file, sizeof(out->ranges_file), err);
	case OPT_CLUSTER_CIDR:
		return cluster_cidr(arg, &out->masq, err);
	case OPT_DATA_SUBNET:
		return data_subnet(arg, out, err);
	case OPT_DATA_UPLINK:
		return copy("data-uplink", arg, out->data_uplink, sizeof(out->data_uplink), err);
	case OPT_VXLAN_VNI:
		if ((ret = number("vxlan-vni", arg, 1, 16777215, &value, err)) == 0)
			out->vxlan.vni = (uint32_t)value;
		break;
	case OPT_VXLAN_PORT:
		if ((ret = number("vxlan-port", arg, 1, 65535, &value, err)) == 0)
			out->vxlan.port = (uint16_t)value;
		break;
	case OPT_VXLAN_DEVICE:
		return copy("vxlan-device", arg, out->vxlan.name, sizeof(out->vxlan.name), err);
	case OPT_RESYNC:
		if ((ret = number("resync", arg, 1, 86400, &value, err)) == 0)
			out->resync_seconds = (unsigned int)value;
		break;
	case OPT_METRICS:
		out->metrics_addr = arg;
		break;
	case OPT_STATE_DIR:
		out->state_dir = arg;
		break;
	case OPT_IPAM_DIR:
		out->ipam_dir = arg;
		break;
	case OPT_INSTALL_STATUS:
		out->install_status = arg;
		break;
	case OPT_LOG_FILE:
		out->log_file = arg;
		break;
	case OPT_LOG_LEVEL:
		out->log_level = log_level_parse(arg);
		if (out->log_level < 0)
			return error_set(err, EINVAL,
					 "--log-level \"%s\": error, warn, info or debug", arg);
		break;
	case OPT_UNINSTALL:
		out->uninstall = true;
		break;
	case OPT_UNINSTALL_ON_STOP:
		out->uninstall_on_stop = true;
		break;
	case OPT_HELP:
		out->help = true;
		break;
	default:
		return error_set(err, EINVAL, "unknown option (see --help)");
	}
	return ret;
}

int options_parse(int argc, char **argv, struct agent_options *out, struct error *err)
{
	const char *env_node = getenv("NODE_NAME");
	int opt, ret;

	memset(out, 0, sizeof(*out));
	out->mode = AGENT_MODE_VXLAN;
	out->routing = true;
	out->vxlan.vni = VXLAN_DEFAULT_VNI;
	out->vxlan.port = VXLAN_DEFAULT_PORT;
	out->resync_seconds = OPTIONS_DEFAULT_RESYNC;
	out->log_level = LOG_LEVEL_INFO;
	out->state_dir = OPTIONS_DEFAULT_STATE_DIR;
	out->ipam_dir = IPAM_USAGE_DEFAULT_DIR;
	out->install_status = INSTALL_STATUS_DEFAULT;
	snprintf(out->ranges_file, sizeof(out->ranges_file), "%s", RANGES_FILE_DEFAULT);
	if (env_node && *env_node &&
	    (ret = copy("node-name (NODE_NAME)", env_node, out->node_name, sizeof(out->node_name),
			err)))
		return ret;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (opt == '?')
			return error_set(err, EINVAL,
					 "%s: unknown option or missing value (see --help)",
					 argv[optind - 1]);
		if ((ret = one(opt, optarg, out, err)))
			return ret;
	}
	if (optind < argc)
		return error_set(err, EINVAL, "unexpected argument \"%s\"", argv[optind]);
	if (!out->vxlan.name[0] &&
	    (size_t)snprintf(out->vxlan.name, sizeof(out->vxlan.name), "slicenet.%u",
			     out->vxlan.vni) >= sizeof(out->vxlan.name))
		return error_set(err, EINVAL,
				 "--vxlan-vni %u: the default device name "
				 "is too long, give --vxlan-device",
				 out->vxlan.vni);
	/* A flag that only routing uses is a mistake in none mode, not a no-op. */
	if (!out->routing && !out->uninstall && (out->masq.n_cluster || out->n_data))
		return error_set(err, EINVAL,
				 "--mode none routes nothing: --cluster-cidr and --data-subnet "
				 "do not apply");
	if ((ret = data_finish(out, err)))
		return ret;
	if (!out->node_name[0] && !out->uninstall && !out->help)
		return error_set(err, EINVAL, "no node name: set NODE_NAME or give --node-name");
	return 0;
}
