/*
 * slicenetctl: operator CLI for slicenetd over its control socket.
 *   slicenetctl [-s SOCKET] [--json] [--timeout MS] ports|stats|fdb|version
 *   slicenetctl [-s SOCKET] add NAME SOCKET_PATH [client|server] [MAC] [QUEUES] [pod=NS/NAME]
 * [prio=N] slicenetctl [-s SOCKET] del NAME slicenetctl [-s SOCKET] raw 'JSON'|-     (one request
 * line as is; for tests and debugging)
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ctl_client.h"
#include "daemon/ctl_proto.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slicenetctl [-s SOCKET] [--json] [--timeout MS] COMMAND\n"
		"commands:\n"
		"  ports                       the port table\n"
		"  stats                       per-port packets, pps and drops\n"
		"  fdb                         learned and static MAC entries\n"
		"  version                     daemon, DPDK and protocol versions\n"
		"  add NAME PATH [client|server] [MAC] [QUEUES] [pod=NAMESPACE/NAME] [prio=0..3]\n"
		"  del NAME\n"
		"  raw REQUEST|-               send one request line as is, print the answer\n"
		"default socket: %s\n",
		CTL_DEFAULT_SOCKET);
}

static void print_ports(const struct ctl_response *r)
{
	char mac[18];
	size_t i;

	printf("%-32s %-6s %-9s %-17s %-6s %-40s %s\n", "NAME", "MODE", "STATE", "MAC", "QUEUES",
	       "SOCKET", "POD");
	for (i = 0; i < r->n_ports; i++) {
		const struct ctl_port_info *p = &r->ports[i];

		if (p->spec.has_mac)
			ctl_mac_format(p->spec.mac, mac);
		else
			strcpy(mac, "-");
		printf("%-32s %-6s %-9s %-17s %u/%-4u %-40s %s%s%s\n", p->spec.name,
		       p->spec.mode == CTL_MODE_SERVER ? "server" : "client",
		       p->connected ? "connected" : "waiting", mac, p->active_queues,
		       p->spec.queues, p->spec.socket[0] ? p->spec.socket : "-",
		       p->spec.pod_name[0] ? p->spec.pod_namespace : "-",
		       p->spec.pod_name[0] ? "/" : "", p->spec.pod_name);
	}
}

static void print_stats(const struct ctl_response *r)
{
	size_t i;
	int d;

	printf("%-32s %14s %14s %10s %10s", "NAME", "RX", "TX", "RX-PPS", "TX-PPS");
	for (d = 0; d < CTL_DROP_COUNT; d++)
		printf(" %10s", ctl_drop_name((enum ctl_drop)d));
	printf("\n");
	for (i = 0; i < r->n_stats; i++) {
		const struct ctl_port_stats *s = &r->stats[i];

		printf("%-32s %14llu %14llu %10llu %10llu", s->name, (unsigned long long)s->rx,
		       (unsigned long long)s->tx, (unsigned long long)s->rx_pps,
		       (unsigned long long)s->tx_pps);
		for (d = 0; d < CTL_DROP_COUNT; d++)
			printf(" %10llu", (unsigned long long)s->drops[d]);
		printf("\n");
	}
	/* Busy: loop passes that moved frames; the rest polled empty queues or slept. */
	for (i = 0; i < r->n_lcores; i++) {
		const struct ctl_lcore_stats *l = &r->lcores[i];

		printf("lcore %u: %5.1f%% busy (last second), %.1f of %.1f s since start\n",
		       l->lcore, l->busy_ratio * 100,
		       r->tsc_hz ? (double)l->busy_cycles / (double)r->tsc_hz : 0.0,
		       r->tsc_hz ? (double)l->cycles / (double)r->tsc_hz : 0.0);
	}
}

static void print_fdb(const struct ctl_response *r)
{
	char mac[18];
	size_t i;

	printf("%-17s %-32s %-7s %s\n", "MAC", "PORT", "TYPE", "AGE");
	for (i = 0; i < r->n_fdb; i++) {
		ctl_mac_format(r->fdb[i].mac, mac);
		if (r->fdb[i].is_static)
			printf("%-17s %-32s %-7s %s\n", mac, r->fdb[i].port, "static", "-");
		else
			printf("%-17s %-32s %-7s %us\n", mac, r->fdb[i].port, "learned",
			       r->fdb[i].age);
	}
	printf("%zu entries, aging time %llus\n", r->n_fdb, (unsigned long long)r->fdb_aging);
}

/* Fill req from the command words; returns 0 or prints why not and returns -EINVAL. */
static int build_request(int argc, char **argv, struct ctl_request *req)
{
	const char *cmd = argv[0];
	int i;

	memset(req, 0, sizeof(*req));
	ctl_port_spec_init(&req->port);
	if (!strcmp(cmd, "ports") && argc == 1)
		req->method = CTL_PORT_LIST;
	else if (!strcmp(cmd, "stats") && argc == 1)
		req->method = CTL_STATS;
	else if (!strcmp(cmd, "fdb") && argc == 1)
		req->method = CTL_FDB_LIST;
	else if (!strcmp(cmd, "version") && argc == 1)
		req->method = CTL_VERSION;
	else if (!strcmp(cmd, "del") && argc == 2)
		req->method = CTL_PORT_DEL;
	else if (!strcmp(cmd, "add") && argc >= 3 && argc <= 8)
		req->method = CTL_PORT_ADD;
	else
		return -EINVAL;
	if (argc >= 2 && snprintf(req->port.name, sizeof(req->port.name), "%s", argv[1]) >=
				 (int)sizeof(req->port.name))
		return -EINVAL;
	if (req->method != CTL_PORT_ADD)
		return 0;
	if (snprintf(req->port.socket, sizeof(req->port.socket), "%s", argv[2]) >=
	    (int)sizeof(req->port.socket)) {
		fprintf(stderr, "slicenetctl: socket path %s: longer than %zu bytes\n", argv[2],
			sizeof(req->port.socket) - 1);
		return -ENAMETOOLONG;
	}
	for (i = 3; i < argc; i++) {
		if (!strncmp(argv[i], "pod=", 4)) {
			const char *ns = argv[i] + 4, *slash = strchr(ns, '/');

			/* The daemon validates both; here they only have to fit. */
			if (!slash || (size_t)(slash - ns) >= sizeof(req->port.pod_namespace) ||
			    strlen(slash + 1) >= sizeof(req->port.pod_name)) {
				fprintf(stderr, "slicenetctl: %s: want pod=NAMESPACE/NAME\n",
					argv[i]);
				return -EINVAL;
			}
			memcpy(req->port.pod_namespace, ns, (size_t)(slash - ns));
			strcpy(req->port.pod_name, slash + 1);
		} else if (!strncmp(argv[i], "prio=", 5)) {
			char *end;
			long prio = strtol(argv[i] + 5, &end, 10);

			if (end == argv[i] + 5 || *end || prio < 0 || prio > CTL_PRIORITY_MAX) {
				fprintf(stderr, "slicenetctl: %s: want prio=0 (highest)..%d\n",
					argv[i], CTL_PRIORITY_MAX);
				return -EINVAL;
			}
			req->port.priority = (unsigned int)prio;
		} else if (!strcmp(argv[i], "client") || !strcmp(argv[i], "server"))
			req->port.mode = argv[i][0] == 's' ? CTL_MODE_SERVER : CTL_MODE_CLIENT;
		else if (!ctl_mac_parse(argv[i], req->port.mac))
			req->port.has_mac = true;
		else if (atoi(argv[i]) >= 1 && atoi(argv[i]) <= CTL_MAX_QUEUES)
			req->port.queues = (unsigned int)atoi(argv[i]);
		else {
			fprintf(stderr, "slicenetctl: %s: not a mode, MAC or queue count\n",
				argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* Send a request line exactly as given (stdin with "-"): the daemon's own validation is tested. */
static int raw_request(const char *socket_path, int timeout, const char *arg)
{
	char err[512], *line = NULL, *answer = NULL;
	size_t cap = 0, len = 0;
	int rc;

	if (strcmp(arg, "-")) {
		len = strlen(arg);
		line = malloc(len + 2);
		if (!line)
			return 1;
		memcpy(line, arg, len);
	} else {
		FILE *mem = open_memstream(&line, &cap);
		int ch;

		if (!mem)
			return 1;
		while ((ch = getchar()) != EOF)
			fputc(ch, mem);
		fclose(mem);
		len = cap;
		line = realloc(line, len + 2);
		if (!line)
			return 1;
	}
	if (!len || line[len - 1] != '\n')
		line[len++] = '\n';
	line[len] = '\0';
	rc = ctl_client_exchange(socket_path, timeout, line, len, &answer, err, sizeof(err));
	free(line);
	if (rc) {
		fprintf(stderr, "slicenetctl: %s\n", err);
		return 1;
	}
	printf("%s\n", answer);
	free(answer);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *socket_path = CTL_DEFAULT_SOCKET;
	struct ctl_response resp;
	struct ctl_request req;
	char err[512], *raw = NULL;
	int timeout = CTL_CLIENT_DEFAULT_TIMEOUT_MS, c, rc;
	bool json = false;

	while ((c = getopt_long(argc, argv, "s:jt:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			socket_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 2 == argc && !strcmp(argv[optind], "raw"))
		return raw_request(socket_path, timeout, argv[optind + 1]);
	if (optind >= argc || build_request(argc - optind, argv + optind, &req)) {
		usage(stderr);
		return 2;
	}
	rc = ctl_client_call(socket_path, timeout, &req, &resp, json ? &raw : NULL, err,
			     sizeof(err));
	if (json && raw)
		/* The daemon's answer as is: scripts get errors as JSON too. */
		printf("%s\n", raw);
	free(raw);
	if (rc) {
		fprintf(stderr, "slicenetctl: %s\n", err);
		return 1;
	}
	if (!json) {
		switch (req.method) {
		case CTL_PORT_LIST:
			print_ports(&resp);
			break;
		case CTL_STATS:
			print_stats(&resp);
			break;
		case CTL_FDB_LIST:
			print_fdb(&resp);
			break;
		case CTL_VERSION:
			printf("slicenetd %s, %s, control protocol %u\n", resp.version.daemon,
			       resp.version.dpdk, resp.version.protocol);
			break;
		case CTL_PORT_ADD:
			printf("port %s: %s\n", resp.port.spec.name, resp.port.spec.socket);
			break;
		default:
			break;
		}
	}
	ctl_response_free(&resp);
	return 0;
}
