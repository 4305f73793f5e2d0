#include "plugin/util/ipaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

size_t ip_address_size(const struct ip_address *addr)
{
	return addr->family == AF_INET ? 4 : addr->family == AF_INET6 ? 16 : 0;
}

unsigned int ip_address_bits(const struct ip_address *addr)
{
	return (unsigned int)ip_address_size(addr) * 8;
}

int ip_address_parse(const char *text, struct ip_address *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &out->v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

int ip_prefix_parse(const char *text, struct ip_prefix *out)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	unsigned long len;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!slash || (size_t)(slash - text) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	/* Digits only: strtoul would accept " 24", "+24" and "-0". */
	if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 3)
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (*end || errno)
		return -EINVAL;
	if (ip_address_parse(addr, &out->addr))
		return -EINVAL;
	if (len > ip_address_bits(&out->addr)) {
		memset(out, 0, sizeof(*out));
		return -ERANGE;
	}
	out->len = (unsigned int)len;
	return 0;
}

const char *ip_address_format(const struct ip_address *addr, char *buf, size_t size)
{
	if (!size)
		return buf;
	if (!addr->family || !inet_ntop(addr->family, addr->bytes, buf, (socklen_t)size))
		snprintf(buf, size, "%s", addr->family ? "?" : "none");
	return buf;
}

const char *ip_prefix_format(const struct ip_prefix *prefix, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	ip_address_format(&prefix->addr, addr, sizeof(addr));
	if (size)
		snprintf(buf, size, "%s/%u", addr, prefix->len);
	return buf;
}

bool ip_address_equal(const struct ip_address *a, const struct ip_address *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, ip_address_size(a));
}

int ip_address_compare(const struct ip_address *a, const struct ip_address *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, ip_address_size(a));
}

/* The byte mask for byte i of a len-bit prefix. */
static unsigned char prefix_mask(unsigned int len, size_t i)
{
	if (len >= (i + 1) * 8)
		return 0xff;
	if (len <= i * 8)
		return 0;
	return (unsigned char)(0xff << (8 - (len - i * 8)));
}

bool ip_prefix_contains(const struct ip_prefix *prefix, const struct ip_address *addr)
{
	size_t size = ip_address_size(addr);

	if (!addr->family || addr->family != prefix->addr.family)
		return false;
	for (size_t i = 0; i < size; i++) {
		unsigned char mask = prefix_mask(prefix->len, i);

		if ((addr->bytes[i] & mask) != (prefix->addr.bytes[i] & mask))
			return false;
	}
	return true;
}

void ip_prefix_network(const struct ip_prefix *prefix, struct ip_address *out)
{
	struct ip_address net = prefix->addr;

	for (size_t i = 0; i < ip_address_size(&net); i++)
		net.bytes[i] &= prefix_mask(prefix->len, i);
	*out = net;
}

void ip_prefix_last(const struct ip_prefix *prefix, struct ip_address *out)
{
	struct ip_address last = prefix->addr;

	for (size_t i = 0; i < ip_address_size(&last); i++)
		last.bytes[i] |= (unsigned char)~prefix_mask(prefix->len, i);
	*out = last;
}

bool ip_address_increment(struct ip_address *addr)
{
	for (size_t i = ip_address_size(addr); i > 0; i--)
		if (++addr->bytes[i - 1])
			return false;
	return addr->family != 0;
}
