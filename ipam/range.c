#include "ipam/range.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

static void address_decrement(struct ip_address *addr)
{
	for (size_t i = ip_address_size(addr); i > 0; i--)
		if (addr->bytes[i - 1]--)
			return;
}

/* Parse an address that must lie in subnet; what names the field. */
static int parse_member(const char *text, const struct ip_prefix *subnet, const char *subnet_text,
			const char *what, struct ip_address *out, struct cni_error *err)
{
	if (ip_address_parse(text, out))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: range %s: %s \"%s\" is not an IP address", subnet_text,
				     what, text);
	if (out->family != subnet->addr.family)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: range %s: %s %s is not %s", subnet_text, what, text,
				     family_name(subnet->addr.family));
	if (!ip_prefix_contains(subnet, out))
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: range %s: %s %s is not in the subnet", subnet_text,
				     what, text);
	return 0;
}

int ipam_range_init(struct ipam_range *out, const char *subnet, const char *range_start,
		    const char *range_end, const char *gateway, struct cni_error *err)
{
	struct ip_address network, last;
	unsigned int bits;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = ip_prefix_parse(subnet, &out->subnet);
	if (ret == -ERANGE) {
		const char *slash = strchr(subnet, '/');

		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: range %s: prefix /%s too long", subnet, slash + 1);
	}
	if (ret)
		return cni_error_set(
			err, CNI_ERR_INVALID_CONFIG, EINVAL,
			"ipam: subnet \"%s\" is not an IP prefix (want e.g. 10.1.0.0/24)", subnet);
	bits = ip_address_bits(&out->subnet.addr);
	/* host-local: a /31, /32, /127 or /128 leaves nothing to hand out. */
	if (out->subnet.len + 1 >= bits)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: range %s: subnet too small to allocate from", subnet);
	ip_prefix_network(&out->subnet, &network);
	ip_prefix_last(&out->subnet, &last);
	out->subnet.addr = network;

	out->range_start = network;
	ip_address_increment(&out->range_start);
	out->range_end = last;
	if (network.family == AF_INET)
		address_decrement(&out->range_end);
	out->gateway = out->range_start;

	if (range_start) {
		ret = parse_member(range_start, &out->subnet, subnet, "rangeStart",
				   &out->range_start, err);
		if (ret)
			return ret;
	}
	if (range_end) {
		ret = parse_member(range_end, &out->subnet, subnet, "rangeEnd", &out->range_end,
				   err);
		if (ret)
			return ret;
	}
	if (gateway) {
		ret = parse_member(gateway, &out->subnet, subnet, "gateway", &out->gateway, err);
		if (ret)
			return ret;
	}
	if (network.family == AF_INET) {
		/* Never hand out the IPv4 network or broadcast address. */
		if (ip_address_equal(&out->range_start, &network))
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "ipam: range %s: rangeStart %s is the network address",
					     subnet, range_start);
		if (ip_address_equal(&out->range_end, &last))
			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "ipam: range %s: rangeEnd %s is the broadcast address",
					     subnet, range_end);
	}
	if (ip_address_compare(&out->range_start, &out->range_end) > 0) {
		char start[INET6_ADDRSTRLEN], end[INET6_ADDRSTRLEN];

		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: range %s: rangeStart %s is after rangeEnd %s", subnet,
				     ip_address_format(&out->range_start, start, sizeof(start)),
				     ip_address_format(&out->range_end, end, sizeof(end)));
	}
	return 0;
}

bool ipam_range_contains(const struct ipam_range *range, const struct ip_address *addr)
{
	return addr->family == range->range_start.family &&
	       ip_address_compare(addr, &range->range_start) >= 0 &&
	       ip_address_compare(addr, &range->range_end) <= 0;
}

int ipam_range_set_find(const struct ipam_range_set *set, const struct ip_address *addr)
{
	for (unsigned int i = 0; i < set->n_ranges; i++)
		if (ipam_range_contains(&set->ranges[i], addr))
			return (int)i;
	return -1;
}

bool ipam_range_set_is_gateway(const struct ipam_range_set *set, const struct ip_address *addr)
{
	for (unsigned int i = 0; i < set->n_ranges; i++)
		if (ip_address_equal(&set->ranges[i].gateway, addr))
			return true;
	return false;
}

bool ipam_range_set_in_subnet(const struct ipam_range_set *set, const struct ip_address *addr)
{
	for (unsigned int i = 0; i < set->n_ranges; i++)
		if (ip_prefix_contains(&set->ranges[i].subnet, addr))
			return true;
	return false;
}

static bool ranges_overlap(const struct ipam_range *a, const struct ipam_range *b)
{
	return a->range_start.family == b->range_start.family &&
	       ip_address_compare(&a->range_start, &b->range_end) <= 0 &&
	       ip_address_compare(&b->range_start, &a->range_end) <= 0;
}

static int overlap_error(const struct ipam_range *a, const struct ipam_range *b,
			 struct cni_error *err)
{
	char text_a[IPAM_RANGE_STRLEN], text_b[IPAM_RANGE_STRLEN];

	return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
			     "ipam: range %s overlaps range %s",
			     ipam_range_format(a, text_a, sizeof(text_a)),
			     ipam_range_format(b, text_b, sizeof(text_b)));
}

int ipam_range_set_validate(const struct ipam_range_set *set, unsigned int index,
			    struct cni_error *err)
{
	if (!set->n_ranges)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "ipam: range set %u is empty", index);
	for (unsigned int i = 0; i < set->n_ranges; i++) {
		const struct ipam_range *r = &set->ranges[i];

		if (r->subnet.addr.family != set->ranges[0].subnet.addr.family) {
			char text[IP_PREFIX_STRLEN];

			return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
					     "ipam: range set %u mixes IPv4 and IPv6 (%s)", index,
					     ip_prefix_format(&r->subnet, text, sizeof(text)));
		}
		for (unsigned int j = i + 1; j < set->n_ranges; j++)
			if (ranges_overlap(r, &set->ranges[j]))
				return overlap_error(r, &set->ranges[j], err);
	}
	return 0;
}

int ipam_range_sets_validate(const struct ipam_range_set *sets, unsigned int n_sets,
			     struct cni_error *err)
{
	for (unsigned int i = 0; i < n_sets; i++)
		for (unsigned int j = i + 1; j < n_sets; j++)
			for (unsigned int a = 0; a < sets[i].n_ranges; a++)
				for (unsigned int b = 0; b < sets[j].n_ranges; b++)
					if (ranges_overlap(&sets[i].ranges[a], &sets[j].ranges[b]))
						return overlap_error(&sets[i].ranges[a],
								     &sets[j].ranges[b], err);
	return 0;
}

const char *ipam_range_format(const struct ipam_range *range, char *buf, size_t size)
{
	char start[INET6_ADDRSTRLEN], end[INET6_ADDRSTRLEN];

	snprintf(buf, size, "%s-%s", ip_address_format(&range->range_start, start, sizeof(start)),
		 ip_address_format(&range->range_end, end, sizeof(end)));
	return buf;
}

/* Every range of sets[0..n_sets), joined by ", ". */
const char *ipam_range_sets_format(const struct ipam_range_set *sets, unsigned int n_sets,
				   char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = '\0';
	for (unsigned int s = 0; s < n_sets; s++) {
		for (unsigned int i = 0; i < sets[s].n_ranges && used < size; i++) {
			char text[IPAM_RANGE_STRLEN];
			int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
					 ipam_range_format(&sets[s].ranges[i], text, sizeof(text)));

			if (n < 0)
				return buf;
			used += (size_t)n;
		}
	}
	return buf;
}

const char *ipam_range_set_format(const struct ipam_range_set *set, char *buf, size_t size)
{
	return ipam_range_sets_format(set, 1, buf, size);
}

/*
 * host-local fails an unmatched request only after allocating the other
 * sets (and releases them); checking first gives the same outcome, nothing
 * held, without touching the store.
 */
int ipam_range_sets_match(const struct ipam_range_set *sets, unsigned int n_sets,
			  const struct ip_prefix *requested, size_t n_requested,
			  const struct ip_prefix **wanted, struct cni_error *err)
{
	char text[INET6_ADDRSTRLEN], other[INET6_ADDRSTRLEN], ranges[8 * IPAM_RANGE_STRLEN];
	char subnet[IP_PREFIX_STRLEN];

	for (size_t r = 0; r < n_requested; r++) {
		const struct ip_prefix *req = &requested[r];
		const struct ipam_range_set *set;
		unsigned int s = 0;
		int index = -1;

		ip_address_format(&req->addr, text, sizeof(text));
		while (s < n_sets && (index = ipam_range_set_find(&sets[s], &req->addr)) < 0)
			s++;
		if (index < 0) {
			char every[384];

			return cni_error_set(
				err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"ipam: requested address %s is not in any configured "
				"range (%s)",
				text, ipam_range_sets_format(sets, n_sets, every, sizeof(every)));
		}
		set = &sets[s];
		if (wanted[s])
			return cni_error_set(
				err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"ipam: requested addresses %s and %s are both in range %s: at most "
				"one address per range set can be requested",
				ip_address_format(&wanted[s]->addr, other, sizeof(other)), text,
				ipam_range_set_format(set, ranges, sizeof(ranges)));
		if (req->len && req->len != set->ranges[index].subnet.len)
			return cni_error_set(
				err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"ipam: requested address %s/%u does not match the subnet %s of its "
				"range",
				text, req->len,
				ip_prefix_format(&set->ranges[index].subnet, subnet,
						 sizeof(subnet)));
		if (ipam_range_set_is_gateway(set, &req->addr))
			return cni_error_set(
				err, CNI_ERR_INVALID_CONFIG, EINVAL,
				"ipam: requested address %s is the gateway of range %s", text,
				ipam_range_set_format(set, ranges, sizeof(ranges)));
		wanted[s] = req;
	}
	return 0;
}
