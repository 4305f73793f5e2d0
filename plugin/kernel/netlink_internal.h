/*
 * What plugin/kernel/netlink*.c share beyond plugin/kernel/netlink_request.h:
 * the handle's layout, batches, dump filters, prefix checks. Private to
 * plugin/kernel/; code elsewhere uses the public headers.
 */
#ifndef SLICENET_PLUGIN_NETLINK_INTERNAL_H
#define SLICENET_PLUGIN_NETLINK_INTERNAL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/util/error.h"
#include "plugin/util/ipaddr.h"
#include "plugin/kernel/netlink.h"
#include "plugin/kernel/netlink_request.h"

/* Dumps of a busy routing table come in large batches; 32 KiB is libmnl's advice. */
#define NETLINK_RECV_SIZE 32768

#define NL_BATCH_MAX  64
#define NL_BATCH_SIZE 16384
#define NL_WHAT_MAX   160
#define NL_EXTACK_MAX 256

/* One queued request: how to name it, and what the kernel said. */
struct nl_pending {
	unsigned int seq;
	int result; /* 0, -errno, or 1 while no ack came */
	char what[NL_WHAT_MAX];
	char extack[NL_EXTACK_MAX];
};

/* Requests queued between netlink_batch_begin and netlink_batch_end. */
struct nl_batch {
	char buf[NL_BATCH_SIZE];
	size_t len;
	struct nl_pending pending[NL_BATCH_MAX];
	unsigned int n;
	char what[NL_WHAT_MAX]; /* nl_note's text for the next queued request */
	int overflow;		/* a request did not fit: -ENOSPC at the end */
};

struct netlink {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char extack[NL_EXTACK_MAX]; /* the kernel's message for the last failed request */
	struct nl_batch *batch;	    /* NULL: every request is sent at once */
	struct nl_batch *last;	    /* the ended batch, for netlink_batch_error */
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

/*
 * netlink_request_dump into list's array through cb, which counts every
 * match in list->count and stores it while count <= list->max. *count is
 * what was found; more than list->max is -ENOSPC. err names the request
 * "list <fmt...>".
 */
int nl_list_dump(struct netlink *nl, uint16_t type, size_t header_len, int family, mnl_cb_t cb,
		 struct nl_list *list, size_t *count, struct error *err, const char *fmt, ...)
	__attribute__((format(printf, 9, 10), warn_unused_result));
/* Name the next request queued in a batch, as netlink_request_fail would name it; no-op outside
 * one. */
void nl_note(struct netlink *nl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record the kernel's extack text found in an error reply into out. */
void nl_parse_extack(const struct nlmsghdr *nlh, char *out, size_t size);
const char *nl_prefix_text(const struct ip_prefix *prefix, char *buf, size_t size);
int nl_prefix_check(const struct ip_prefix *prefix, const char *what, const char *text,
		    struct error *err);

#endif
