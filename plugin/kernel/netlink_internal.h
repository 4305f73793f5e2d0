/* What plugin/netlink*.c share: the handle, one request/ack round, messages. */
#ifndef SLICENET_PLUGIN_NETLINK_INTERNAL_H
#define SLICENET_PLUGIN_NETLINK_INTERNAL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"
#include "plugin/kernel/netlink.h"

/* Dumps of a busy routing table come in large batches; 32 KiB is libmnl's advice. */
#define NETLINK_RECV_SIZE 32768

struct netlink {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char extack[256]; /* the kernel's message for the last failed request */
	char buf[NETLINK_RECV_SIZE];
};

/* A dump's destination array and filter. */
struct nl_list {
	void *out;
	size_t max;
	size_t count;
	int ifindex;
	unsigned int table;
};

/* Send nlh (asking for an ack unless it is a dump), run cb on every reply. */
int nl_talk(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
/* Name the failed request in err, with the kernel's extack text when it sent one. */
int nl_fail(struct netlink *nl, struct error *err, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Start a request of type with NLM_F_REQUEST | flags in buf. */
struct nlmsghdr *nl_msg(char *buf, uint16_t type, uint16_t flags);
size_t nl_family_size(int family);
const char *nl_prefix_text(const struct ip_prefix *prefix, char *buf, size_t size);
int nl_prefix_check(const struct ip_prefix *prefix, const char *what, const char *text,
		    struct error *err);

#endif
