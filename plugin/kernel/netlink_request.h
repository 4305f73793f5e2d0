/*
 * The rtnetlink transport for callers that build their own messages (the
 * node agent's routes of its own protocol, FDB/neighbour entries, VXLAN
 * device): start a request, run it on a struct netlink (plugin/kernel/
 * netlink.h) with its batches and extack handling, name a failure. Message
 * bodies are built and parsed with libmnl. Implemented in netlink.c; the
 * handle's layout stays private to plugin/kernel/.
 */
#ifndef SLICENET_PLUGIN_KERNEL_NETLINK_REQUEST_H
#define SLICENET_PLUGIN_KERNEL_NETLINK_REQUEST_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/kernel/netlink.h"
#include "plugin/util/error.h"

/* Start a request of type with NLM_F_REQUEST | flags in buf (MNL_SOCKET_BUFFER_SIZE). */
struct nlmsghdr *netlink_request_start(char *buf, uint16_t type, uint16_t flags);

/*
 * Send nlh (asking for an ack unless it is a dump) and run cb on every
 * reply until the ack, error or end of dump. While a batch is open
 * (netlink_batch_begin), a request without cb is queued instead and 0
 * returned; its outcome comes with netlink_batch_end. 0 or -errno; the
 * kernel's extack text is kept for netlink_request_fail.
 */
int netlink_request_run(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
	__attribute__((warn_unused_result));

/*
 * Dump type (RTM_GETADDR, RTM_GETROUTE, ...) of family, with cb run on every
 * reply: the request carries only the type's family header, header_len
 * bytes, zeroed but for its first byte, the family (the layout of every
 * rtnetlink header: ifaddrmsg, rtmsg, ndmsg, ifinfomsg). 0 or -errno.
 */
int netlink_request_dump(struct netlink *nl, uint16_t type, size_t header_len, int family,
			 mnl_cb_t cb, void *data) __attribute__((warn_unused_result));

/*
 * Record "netlink: <what>: <strerror> (extack: <kernel text>)" in err for
 * the request that failed with ret; returns ret.
 */
int netlink_request_fail(struct netlink *nl, struct error *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Byte length of an address of family in an attribute: 4, 16, or 0 (unknown family). */
size_t netlink_request_addr_len(int family);

#endif
