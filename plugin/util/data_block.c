#include "plugin/util/data_block.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

static uint32_t network_of(const struct ip_prefix *prefix)
{
	struct ip_address net;

	ip_prefix_network(prefix, &net);
	return ntohl(net.v4.s_addr);
}

int data_block_of(const struct ip_prefix *cluster, const struct ip_prefix *pod,
		  const struct ip_prefix *subnet, unsigned int block_len, struct ip_prefix *out,
		  unsigned int *index, unsigned int *blocks)
{
	uint64_t n, count;

	if (cluster->addr.family != AF_INET || pod->addr.family != AF_INET ||
	    subnet->addr.family != AF_INET)
		return -EAFNOSUPPORT;
	if (!ip_prefix_contains(cluster, &pod->addr) || pod->len < cluster->len ||
	    block_len <= subnet->len || block_len > 32)
		return -EDOM;
	/* 64-bit shifts: a /0 cluster or a /0 subnet split into /32s stay defined. */
	n = (uint64_t)(network_of(pod) - network_of(cluster)) >> (32 - pod->len);
	count = 1ULL << (block_len - subnet->len);
	if (index)
		*index = (unsigned int)n;
	if (blocks)
		*blocks = count > UINT32_MAX ? UINT32_MAX : (unsigned int)count;
	if (n >= count)
		return -ERANGE;
	out->addr.family = AF_INET;
	out->addr.v4.s_addr = htonl((uint32_t)(network_of(subnet) + (n << (32 - block_len))));
	out->len = block_len;
	return 0;
}
