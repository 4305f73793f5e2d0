/* Address -> device lookups on the node's own links. */
#include "agent/underlay.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#define UNDERLAY_MAX_ADDRS 1024

struct mtu_of {
	int ifindex;
	unsigned int mtu;
};

static int mtu_cb(const struct netlink_link *link, void *arg)
{
	struct mtu_of *m = arg;

	if (link->ifindex != m->ifindex)
		return 0;
	m->mtu = link->mtu;
	return 1;
}

int underlay_find(struct netlink *nl, const struct ip_address *addr, int *ifindex,
		  unsigned int *mtu, struct error *err)
{
	struct netlink_addr *addrs = calloc(UNDERLAY_MAX_ADDRS, sizeof(*addrs));
	struct mtu_of m = {0};
	char text[INET6_ADDRSTRLEN];
	size_t count = 0;
	int ret;

	if (!addrs)
		return error_set(err, ENOMEM, "underlay: out of memory");
	ret = netlink_addr_list(nl, 0, addr->family, addrs, UNDERLAY_MAX_ADDRS, &count, err);
	for (size_t i = 0; ret == 0 && i < count && !m.ifindex; i++)
		if (ip_address_equal(&addrs[i].prefix.addr, addr))
			m.ifindex = addrs[i].ifindex;
	free(addrs);
	if (ret < 0)
		return ret;
	if (!m.ifindex)
		return error_set(err, ENXIO, "underlay: no local device has this node's address %s",
				 ip_address_format(addr, text, sizeof(text)));
	ret = netlink_link_foreach(nl, mtu_cb, &m, err);
	if (ret < 0)
		return ret;
	*ifindex = m.ifindex;
	*mtu = m.mtu;
	return 0;
}
