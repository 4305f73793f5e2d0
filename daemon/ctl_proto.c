/* The control protocol's vocabulary without JSON: names, defaults, messages, MAC and name text. */
#include "daemon/ctl_proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[CTL_METHOD_COUNT] = {
	[CTL_PORT_ADD] = "port.add", [CTL_PORT_DEL] = "port.del", [CTL_PORT_LIST] = "port.list",
	[CTL_STATS] = "stats",	     [CTL_FDB_LIST] = "fdb.list", [CTL_VERSION] = "version",
};

static const char *const drop_names[CTL_DROP_COUNT] = {
	[CTL_DROP_INVALID] = "invalid",
	[CTL_DROP_FILTERED] = "filtered",
	[CTL_DROP_NO_DEST] = "no_dest",
	[CTL_DROP_TX_FULL] = "tx_full",
	[CTL_DROP_SPOOFED] = "spoofed",
	[CTL_DROP_OVERSIZE] = "oversize",
	[CTL_DROP_FLOOD_LIMITED] = "flood_limited",
	[CTL_DROP_VHOST_REFUSED] = "vhost_refused",
};

const char *ctl_method_name(enum ctl_method method)
{
	if ((unsigned int)method >= CTL_METHOD_COUNT)
		return NULL;
	return method_names[method];
}

const char *ctl_drop_name(enum ctl_drop drop)
{
	if ((unsigned int)drop >= CTL_DROP_COUNT)
		return NULL;
	return drop_names[drop];
}

void ctl_port_spec_init(struct ctl_port_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->mode = CTL_MODE_CLIENT;
	spec->queues = 1;
	spec->mtu = CTL_MTU_DEFAULT;
	spec->priority = CTL_PRIORITY_DEFAULT;
}

int ctl_proto_errorf(char *msg, size_t msg_size, int rc, const char *fmt, ...)
{
	va_list ap;

	if (msg && msg_size) {
		va_start(ap, fmt);
		vsnprintf(msg, msg_size, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int ctl_response_fail(struct ctl_response *resp, int error, const char *fmt, ...)
{
	va_list ap;

	resp->error = error ? error : -EINVAL;
	va_start(ap, fmt);
	vsnprintf(resp->message, sizeof(resp->message), fmt, ap);
	va_end(ap);
	return resp->error;
}

void ctl_response_free(struct ctl_response *resp)
{
	if (!resp)
		return;
	free(resp->ports);
	free(resp->stats);
	free(resp->lcores);
	free(resp->fdb);
	resp->ports = NULL;
	resp->stats = NULL;
	resp->lcores = NULL;
	resp->n_lcores = 0;
	resp->fdb = NULL;
	resp->n_ports = resp->n_stats = resp->n_fdb = 0;
}

bool ctl_name_valid(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@-",
			    *name))
			return false;
	return true;
}

int ctl_mac_parse(const char *text, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (strlen(text) != 17 || sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
					 &b[3], &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		/* sscanf accepts "+1"/" 1"; a MAC is exactly hex digits and colons. */
		if (!strchr("0123456789abcdefABCDEF", text[i * 3]) ||
		    !strchr("0123456789abcdefABCDEF", text[i * 3 + 1]))
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

void ctl_mac_format(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}
