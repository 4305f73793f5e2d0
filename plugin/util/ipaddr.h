/* IPv4/IPv6 addresses and prefixes: parsing, printing, arithmetic. */
#ifndef SLICENET_PLUGIN_UTIL_IPADDR_H
#define SLICENET_PLUGIN_UTIL_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

/* Longest text form: IPv6 address + "/128" + NUL. */
#define IP_PREFIX_STRLEN (INET6_ADDRSTRLEN + 5)

struct ip_address {
	int family; /* AF_INET, AF_INET6, or 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		unsigned char bytes[16];
	};
};

struct ip_prefix {
	struct ip_address addr;
	unsigned int len;
};

/* Byte length of the family's address (4 or 16), 0 when unset. */
size_t ip_address_size(const struct ip_address *addr);
/* Bit length of the family's address (32 or 128). */
unsigned int ip_address_bits(const struct ip_address *addr);

/* Parse "10.0.0.1" / "fd00::1". Returns 0 or -EINVAL. */
int ip_address_parse(const char *text, struct ip_address *out) __attribute__((warn_unused_result));
/* Parse "10.0.0.1/24"; host bits are kept (an address in a subnet). */
int ip_prefix_parse(const char *text, struct ip_prefix *out) __attribute__((warn_unused_result));

/* Format into buf (size at least INET6_ADDRSTRLEN / IP_PREFIX_STRLEN). */
const char *ip_address_format(const struct ip_address *addr, char *buf, size_t size);
const char *ip_prefix_format(const struct ip_prefix *prefix, char *buf, size_t size);

bool ip_address_equal(const struct ip_address *a, const struct ip_address *b);
/* <0, 0, >0 like memcmp; only meaningful within one family. */
int ip_address_compare(const struct ip_address *a, const struct ip_address *b);
/* True when addr lies in prefix (same family, first len bits equal). */
bool ip_prefix_contains(const struct ip_prefix *prefix, const struct ip_address *addr);
/* Zero the host bits: 10.1.2.3/24 -> 10.1.2.0/24. */
void ip_prefix_network(const struct ip_prefix *prefix, struct ip_address *out);
/* Highest address of the prefix (the IPv4 broadcast address). */
void ip_prefix_last(const struct ip_prefix *prefix, struct ip_address *out);
/* addr += 1 (wrapping); returns true on wrap-around. */
bool ip_address_increment(struct ip_address *addr);

#endif
