/* slicenetd settings: defaults, then --config FILE (JSON), then command-line flags. */
#ifndef SLICENET_DAEMON_CONFIG_H
#define SLICENET_DAEMON_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/ctl_proto.h"

#define CONFIG_DEFAULT_SOCKET_DIR "/run/slicenet/ports"
#define CONFIG_DEFAULT_STATE_DIR  "/var/lib/slicenet"

enum uplink_type {
	UPLINK_NONE,
	UPLINK_TAP,	  /* a tap device in the node's kernel, created by us */
	UPLINK_AF_PACKET, /* an existing host interface */
};

struct daemon_config {
	char ctl_socket[CTL_SOCKET_MAX];
	char socket_dir[PATH_MAX];
	char state_dir[PATH_MAX];
	char ctl_group[64];	      /* members may use the control socket; "" = root only */
	unsigned int ctl_max_clients; /* control connections at once */
	unsigned int ctl_partial_timeout_ms; /* a request left unfinished, replies left unread */
	unsigned int ctl_idle_timeout_ms;    /* a connection with no traffic */
	uint32_t fdb_aging;		     /* seconds */
	unsigned int fdb_size;
	unsigned int mbufs;
	unsigned int fdb_port_limit; /* learned MACs per port; 0 = fdb_size / 4 */
	unsigned int flood_pps;	     /* flooded frames per second per ingress port; 0 = no limit */
	unsigned int flood_burst;
	enum uplink_type uplink;
	char uplink_iface[IFNAMSIZ];
	char metrics[64]; /* "ADDR:PORT" of the Prometheus endpoint; "" = off */
};

void config_defaults(struct daemon_config *cfg);
/* Read FILE over cfg. Unknown keys are errors (a typo must not pass silently). */
int config_load(const char *file, struct daemon_config *cfg, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));
/* "ADDR:PORT" (metrics_http_addr_parse) or "" / "off" for none. */
int config_set_metrics(struct daemon_config *cfg, const char *text, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));
/* "tap:NAME", "af_packet:IFACE" or "none". */
int config_set_uplink(struct daemon_config *cfg, const char *text, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));

#endif
