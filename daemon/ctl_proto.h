/*
 * The slicenetd control protocol: the one wire definition shared by the
 * daemon and every client (slicenetctl, the CNI plugin).
 *
 * Transport: a unix stream socket. A request is one JSON object on one line,
 * ended by '\n'; the daemon answers each with one JSON object on one line.
 *
 *   request:  {"method": "port.add", "params": {...}}
 *   success:  {"ok": true, "result": {...}}
 *   failure:  {"ok": false, "error": {"code": <errno>, "message": "..."}}
 *
 * Requests are at most CTL_PROTO_MAX_REQUEST bytes and unknown keys are
 * rejected (unlike CNI config): a typo must not silently change a port.
 *
 * Files: ctl_proto.c (names, defaults, messages, MAC and name text; no JSON),
 * ctl_proto_json.c (line framing and getters), ctl_proto_port.c (the port
 * record), ctl_proto_request.c and ctl_proto_response.c (the envelopes and
 * per-method results). Only the ctl_proto_*.c files know the JSON.
 */
#ifndef SLICENET_DAEMON_CTL_PROTO_H
#define SLICENET_DAEMON_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_PROTO_VERSION      1
#define CTL_PROTO_MAX_REQUEST  16384	  /* bytes, including '\n' */
#define CTL_PROTO_MAX_RESPONSE (4u << 20) /* bytes; fdb.list of a full table fits */
#define CTL_NAME_MAX	       128	  /* port name, NUL included */
#define CTL_SOCKET_MAX	       108	  /* sizeof(sun_path) */
#define CTL_MAX_QUEUES	       8
#define CTL_MAX_ADDRESSES      8
#define CTL_ADDRESS_MAX	       64 /* "2001:db8::1/64", NUL included */
#define CTL_MESSAGE_MAX	       256
#define CTL_MTU_DEFAULT	       1500
#define CTL_MTU_MIN	       68   /* IPv4's minimum */
#define CTL_MTU_MAX	       9000 /* what slicenetd's jumbo mbufs hold (daemon/main.c) */
/*
 * Switch priority of a port (its slice class's "switchPriority"): 0 is
 * polled first and every turn; 1..3 share what is left of a turn on a
 * budget per class (daemon/fwd_sched.h), so a flood cannot starve 0.
 */
#define CTL_PRIORITY_MAX      3
#define CTL_PRIORITY_DEFAULT  2
#define CTL_POD_NAMESPACE_MAX 64  /* a DNS-1123 label (Kubernetes namespace), NUL included */
#define CTL_POD_NAME_MAX      254 /* a DNS-1123 subdomain (Kubernetes object name), NUL included */

enum ctl_method {
	CTL_PORT_ADD,
	CTL_PORT_DEL,
	CTL_PORT_LIST,
	CTL_STATS,
	CTL_FDB_LIST,
	CTL_VERSION,
	CTL_METHOD_COUNT,
};

/* Client: slicenetd connects to a socket the pod app serves (reconnects). */
enum ctl_port_mode {
	CTL_MODE_CLIENT,
	CTL_MODE_SERVER,
};

/* Drop reasons, counted per port. */
enum ctl_drop {
	CTL_DROP_INVALID,  /* runt frame or multicast source MAC (ingress) */
	CTL_DROP_FILTERED, /* destination learned on the ingress port (ingress) */
	CTL_DROP_NO_DEST,  /* nowhere to send: no other port is up (ingress) */
	CTL_DROP_TX_FULL,  /* the receiver's ring was full (egress) */
	CTL_DROP_SPOOFED, /* source MAC not the pod port's own, or held by another port (ingress) */
	CTL_DROP_OVERSIZE, /* longer than the port's MTU (ingress, or egress to a smaller MTU) */
	CTL_DROP_FLOOD_LIMITED, /* broadcast/multicast/unknown unicast over the port's flood rate */
	/*
	 * Taken off the pod's ring and dropped inside rte_vhost's dequeue
	 * (ingress): a descriptor chain over 65,368 bytes of frame (more than
	 * an external buffer holds) or one it could not copy.
	 */
	CTL_DROP_VHOST_REFUSED,
	CTL_DROP_COUNT,
};

/* port.add params; also one record of the daemon's state file. */
struct ctl_port_spec {
	char name[CTL_NAME_MAX];     /* unique: [A-Za-z0-9._:/@-]+ */
	char socket[CTL_SOCKET_MAX]; /* absolute path */
	enum ctl_port_mode mode;     /* default client */
	bool has_mac;
	uint8_t mac[6];		  /* the pod's MAC: a static FDB entry */
	unsigned int queues;	  /* 1..CTL_MAX_QUEUES, default 1 */
	unsigned int mtu;	  /* CTL_MTU_MIN..CTL_MTU_MAX, default CTL_MTU_DEFAULT */
	unsigned int priority;	  /* 0..CTL_PRIORITY_MAX, default CTL_PRIORITY_DEFAULT */
	unsigned int n_addresses; /* recorded for operators, not used to switch */
	char addresses[CTL_MAX_ADDRESSES][CTL_ADDRESS_MAX];
	/* The pod the port serves (K8S_POD_NAMESPACE / K8S_POD_NAME); "" = not known. */
	char pod_namespace[CTL_POD_NAMESPACE_MAX];
	char pod_name[CTL_POD_NAME_MAX];
};

struct ctl_request {
	enum ctl_method method;
	struct ctl_port_spec port; /* port.add: all of it; port.del: name only */
};

struct ctl_port_info {
	struct ctl_port_spec spec;
	bool connected; /* a vhost-user peer negotiated the device */
	unsigned int active_queues;
	uint64_t refused; /* vhost-user frontends refused (hostile or broken) since added */
	/* Of those: connections cut because the pod shrank the memory it shared (SIGBUS). */
	uint64_t memory_faults;
};

struct ctl_port_stats {
	char name[CTL_NAME_MAX];
	uint64_t rx, tx;	 /* packets since the port was added */
	uint64_t rx_pps, tx_pps; /* over the last second */
	uint64_t drops[CTL_DROP_COUNT];
};

/* A forwarding lcore's load (stats): TSC cycles since its loop started. */
struct ctl_lcore_stats {
	unsigned int lcore;
	uint64_t busy_cycles; /* in loop passes that moved frames */
	uint64_t cycles;
	double busy_ratio; /* busy share of the last second, 0..1 */
};

struct ctl_fdb_entry {
	uint8_t mac[6];
	char port[CTL_NAME_MAX];
	bool is_static;
	unsigned int age; /* seconds since last seen */
};

struct ctl_version {
	char daemon[32];
	char dpdk[64];
	unsigned int protocol;
};

/*
 * A response. error is 0 or -errno with message; on success the member that
 * belongs to method is filled (port.add: port; port.list: ports; stats:
 * stats; fdb.list: fdb; version: version; port.del: nothing).
 */
struct ctl_response {
	enum ctl_method method;
	int error;
	char message[CTL_MESSAGE_MAX];
	struct ctl_port_info port;
	struct ctl_port_info *ports;
	size_t n_ports;
	struct ctl_port_stats *stats;
	size_t n_stats;
	struct ctl_lcore_stats *lcores; /* stats; none from a daemon that does not send them */
	size_t n_lcores;
	uint64_t tsc_hz; /* stats: TSC cycles per second, 0 when not sent */
	struct ctl_fdb_entry *fdb;
	size_t n_fdb;
	uint64_t fdb_aging; /* seconds, fdb.list */
	struct ctl_version version;
};

/* "port.add" etc.; NULL for an out-of-range method. */
const char *ctl_method_name(enum ctl_method method);
/*
 * "invalid", "filtered", "no_dest", "tx_full", "spoofed", "oversize",
 * "flood_limited", "vhost_refused".
 */
const char *ctl_drop_name(enum ctl_drop drop);

/* Fill spec with defaults (client mode, one queue, MTU 1500, nothing else). */
void ctl_port_spec_init(struct ctl_port_spec *spec);

/*
 * Decode one request line (without or with its '\n'). On failure returns
 * -EINVAL (or -EMSGSIZE when longer than CTL_PROTO_MAX_REQUEST) and writes a
 * message naming the bad value into msg.
 */
int ctl_proto_decode_request(const char *line, size_t len, struct ctl_request *req, char *msg,
			     size_t msg_size) __attribute__((warn_unused_result));

/*
 * Encode a request or a response as one line ending in '\n' into a
 * malloc'ed buffer (*out, *out_len excludes the NUL). Returns 0 or -errno.
 */
int ctl_proto_encode_request(const struct ctl_request *req, char **out, size_t *out_len)
	__attribute__((warn_unused_result));
int ctl_proto_encode_response(const struct ctl_response *resp, char **out, size_t *out_len)
	__attribute__((warn_unused_result));

/*
 * Decode a response to a request for method. Returns 0 when the line is a
 * well-formed response (resp->error then says whether the daemon
 * succeeded), -EPROTO with msg otherwise. Free with ctl_response_free.
 */
int ctl_proto_decode_response(const char *line, size_t len, enum ctl_method method,
			      struct ctl_response *resp, char *msg, size_t msg_size)
	__attribute__((warn_unused_result));

/*
 * Write a message into msg (when msg and msg_size are set) and return rc:
 * the one "fill the caller's message, return -errno" helper of daemon/ctl_*.
 */
int ctl_proto_errorf(char *msg, size_t msg_size, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Set resp->error and message; returns error (a -errno) for chaining. */
int ctl_response_fail(struct ctl_response *resp, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Free the arrays of a response (not resp itself). Accepts NULL. */
void ctl_response_free(struct ctl_response *resp);

/*
 * The port spec as a JSON text object (no newline) and back, for the state
 * file: the state is a list of the same records port.add accepts.
 */
int ctl_proto_encode_port_spec(const struct ctl_port_spec *spec, char **out)
	__attribute__((warn_unused_result));
int ctl_proto_decode_port_spec(const char *text, struct ctl_port_spec *spec, char *msg,
			       size_t msg_size) __attribute__((warn_unused_result));

/* A port name: non-empty, only [A-Za-z0-9._:/@-]. */
bool ctl_name_valid(const char *name);
/*
 * Kubernetes' rules, so a port record never carries what no pod can be
 * called: a namespace is a DNS-1123 label ([a-z0-9-], at most 63, alphanumeric
 * at both ends), a pod name a DNS-1123 subdomain ([a-z0-9.-], at most 253).
 */
bool ctl_pod_namespace_valid(const char *text);
bool ctl_pod_name_valid(const char *text);

/* "02:00:00:00:00:0a" <-> bytes. Parse returns 0 or -EINVAL. */
int ctl_mac_parse(const char *text, uint8_t mac[6]) __attribute__((warn_unused_result));
void ctl_mac_format(const uint8_t mac[6], char out[18]);

#endif
