#include "agent/data_uplink.h"

#include <errno.h>
#include <net/if.h>

#include "plugin/util/log.h"

#define UPLINK_ADDRS_MAX 64

static bool in_data(const struct ip_prefix *addr, const struct data_subnet *data, size_t n_data)
{
	for (size_t i = 0; i < n_data; i++)
		if (ip_prefix_contains(&data[i].subnet, &addr->addr))
			return true;
	return false;
}

static bool listed(const struct ip_prefix *addr, const struct ip_prefix *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].len == addr->len && ip_address_equal(&list[i].addr, &addr->addr))
			return true;
	return false;
}

int data_uplink_sync(struct netlink *nl, const char *ifname, const struct data_subnet *data,
		     size_t n_data, const struct ip_prefix *want, size_t n_want, struct error *err)
{
	struct netlink_addr have[UPLINK_ADDRS_MAX];
	struct ip_prefix have_prefixes[UPLINK_ADDRS_MAX];
	char text[IP_PREFIX_STRLEN];
	struct netlink_link link;
	size_t n_have = 0;
	int ret;

	ret = netlink_link_get(nl, ifname, &link, err);
	if (ret == -ENODEV) {
		log_debug("data uplink %s: not there (yet)", ifname);
		return 0;
	}
	/* slicenetd creates the tap down; the node side of the uplink is the agent's. */
	if (ret == 0 && n_want && !(link.flags & IFF_UP) &&
	    (ret = netlink_link_set_up(nl, ifname, true, err)) == 0)
		log_info("data uplink %s: set up", ifname);
	if (ret < 0 || (ret = netlink_addr_list(nl, link.ifindex, AF_INET, have, UPLINK_ADDRS_MAX,
						&n_have, err)) < 0)
		return ret;
	for (size_t i = 0; i < n_have; i++) {
		have_prefixes[i] = have[i].prefix;
		if (!in_data(&have[i].prefix, data, n_data) ||
		    listed(&have[i].prefix, want, n_want))
			continue;
		ret = netlink_addr_del(nl, link.ifindex, &have[i].prefix, err);
		if (ret < 0 && ret != -EADDRNOTAVAIL)
			return ret;
		log_info("data uplink %s: removed %s", ifname,
			 ip_prefix_format(&have[i].prefix, text, sizeof(text)));
	}
	for (size_t i = 0; i < n_want; i++) {
		if (listed(&want[i], have_prefixes, n_have))
			continue;
		if ((ret = netlink_addr_add(nl, link.ifindex, &want[i], 0, err)) < 0)
			return ret;
		log_info("data uplink %s: added %s", ifname,
			 ip_prefix_format(&want[i], text, sizeof(text)));
	}
	return 0;
}
