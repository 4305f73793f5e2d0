#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plugin/datapath/vhostuser_internal.h"

#define FITS(dst, ...) (snprintf((dst), sizeof(dst), __VA_ARGS__) < (int)sizeof(dst))

int vhu_names_make(const struct attachment *att, const struct vhu_conf *c, struct vhu_names *n,
		   struct cni_error *err)
{
	const char *pod = att->pod_uid[0] ? att->pod_uid : att->container_id;

	memset(n, 0, sizeof(*n));
	/* attachment_from_call checked the UID; a record may be older: check again. */
	if (!pod[0] || strchr(pod, '/') || !strcmp(pod, ".") || !strcmp(pod, ".."))
		return cni_error_set(err, CNI_ERR_INVALID_ENV, EINVAL,
				     "vhostuser: K8S_POD_UID \"%s\" cannot name a directory", pod);
	if (!FITS(n->port, "%s/%s", att->container_id, att->ifname) || !FITS(n->pod, "%s", pod) ||
	    !FITS(n->socket_file, "%s.sock", att->ifname) ||
	    !FITS(n->descriptor_file, "%s.json", att->ifname) ||
	    !FITS(n->pod_socket, "%s/%s.sock", c->pod_dir, att->ifname))
		return cni_error_set(err, CNI_ERR_DATAPATH, ENAMETOOLONG,
				     "vhostuser: names for %s/%s are too long", att->container_id,
				     att->ifname);
	if (!FITS(n->socket, "%s/%s/%s", c->socket_dir, pod, n->socket_file) ||
	    strlen(n->pod_socket) >= sizeof(n->socket))
		return cni_error_set(err, CNI_ERR_DATAPATH, ENAMETOOLONG,
				     "vhostuser: socket path %s/%s/%s is longer than %zu bytes; "
				     "use a shorter \"socketDir\"",
				     c->socket_dir, pod, n->socket_file, sizeof(n->socket) - 1);
	return 0;
}

void vhu_mac(const struct attachment *att, uint8_t mac[6])
{
	const char *parts[5] = {att->pod_namespace, "/", att->pod_name, "/", att->ifname};
	uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a */

	if (att->mac[0] && !ctl_mac_parse(att->mac, mac))
		return;
	if (!att->pod_name[0])
		parts[2] = att->container_id;
	for (size_t i = 0; i < 5; i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			hash ^= *p;
			hash *= 0x100000001b3ULL;
		}
	mac[0] = 0x02; /* locally administered, unicast */
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(hash >> (8 * i));
}
