/*
 * Waiting for a link to leave its netns. The kernel announces RTM_DELLINK
 * to RTNLGRP_LINK while it unregisters the link, under the RTNL lock and
 * before the deleting task waits for the RCU barrier that frees it: once
 * seen, the name is free, the link's routes and addresses are gone and a
 * veth's peer went in the same batch.
 */
#include "plugin/kernel/netlink.h"
#include "plugin/util/clock.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Room for a burst of announcements; one that does not fit is ENOBUFS, not a wrong answer. */
#define WATCH_BUF_SIZE 16384

struct netlink_watch {
	struct mnl_socket *sock;
	char buf[WATCH_BUF_SIZE];
};

int netlink_watch_links(struct netlink_watch **out, struct error *err)
{
	struct netlink_watch *w = calloc(1, sizeof(*w));
	int rcvbuf = 1 << 20, ret;

	if (!w)
		return error_set(err, ENOMEM, "netlink: out of memory");
	w->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!w->sock ||
	    mnl_socket_bind(w->sock, 1U << (RTNLGRP_LINK - 1), MNL_SOCKET_AUTOPID) < 0) {
		ret = errno;
		netlink_watch_close(w);
		return error_set(err, ret, "netlink: watch links: %s", strerror(ret));
	}
	/*
	 * Best effort, root may exceed rmem_max: every link event of the netns
	 * arrives here, and a node adding and deleting pods makes many.
	 */
	if (setsockopt(mnl_socket_get_fd(w->sock), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		(void)!setsockopt(mnl_socket_get_fd(w->sock), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				  sizeof(rcvbuf));
	*out = w;
	return 0;
}

void netlink_watch_close(struct netlink_watch *w)
{
	if (!w)
		return;
	if (w->sock)
		mnl_socket_close(w->sock);
	free(w);
}

static int watch_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const int *ifindex = data;

	if (nlh->nlmsg_type == RTM_DELLINK && nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)) &&
	    ifi->ifi_index == *ifindex)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int netlink_watch_gone(struct netlink_watch *w, int ifindex, int timeout_ms)
{
	struct pollfd pfd = {.fd = mnl_socket_get_fd(w->sock), .events = POLLIN};
	long long deadline = clock_now_ms() + timeout_ms, left;

	while ((left = deadline - clock_now_ms()) > 0) {
		ssize_t n;

		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		while ((n = mnl_socket_recvfrom(w->sock, w->buf, sizeof(w->buf))) > 0)
			/* Notifications carry no sequence or port to match: 0 accepts any. */
			if (mnl_cb_run(w->buf, (size_t)n, 0, 0, watch_cb, &ifindex) == MNL_CB_STOP)
				return 0;
		/* ENOBUFS: the socket overflowed and the event may be lost; the caller looks. */
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -ETIMEDOUT;
}
