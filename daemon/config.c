/* slicenetd configuration file (JSON) and uplink spec parsing. */
#include "daemon/config.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "daemon/ctl_client.h"
#include "daemon/ctl_server.h"
#include "daemon/fdb.h"
#include "daemon/l2switch.h"
#include "daemon/metrics_http.h"

__attribute__((format(printf, 3, 4))) static int fail(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void config_defaults(struct daemon_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->ctl_socket, CTL_DEFAULT_SOCKET);
	strcpy(cfg->socket_dir, CONFIG_DEFAULT_SOCKET_DIR);
	strcpy(cfg->state_dir, CONFIG_DEFAULT_STATE_DIR);
	cfg->fdb_aging = FDB_DEFAULT_AGING;
	cfg->fdb_size = 16384;
	cfg->mbufs = 16383; /* 2^n - 1 is the mempool's optimum */
	cfg->flood_pps = L2SWITCH_FLOOD_PPS;
	cfg->flood_burst = L2SWITCH_FLOOD_BURST;
	cfg->ctl_max_clients = CTL_SERVER_DEFAULT_MAX_CLIENTS;
	cfg->ctl_partial_timeout_ms = CTL_SERVER_DEFAULT_PARTIAL_TIMEOUT;
	cfg->ctl_idle_timeout_ms = CTL_SERVER_DEFAULT_IDLE_TIMEOUT;
}

int config_set_uplink(struct daemon_config *cfg, const char *text, char *msg, size_t msg_size)
{
	const char *colon = strchr(text, ':');
	size_t kind_len = colon ? (size_t)(colon - text) : strlen(text);

	if (!strcmp(text, "none")) {
		cfg->uplink = UPLINK_NONE;
		return 0;
	}
	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(cfg->uplink_iface))
		return fail(msg, msg_size, "uplink \"%s\": want tap:NAME or af_packet:IFACE", text);
	if (kind_len == 3 && !strncmp(text, "tap", 3))
		cfg->uplink = UPLINK_TAP;
	else if (kind_len == 9 && !strncmp(text, "af_packet", 9))
		cfg->uplink = UPLINK_AF_PACKET;
	else
		return fail(msg, msg_size, "uplink \"%s\": unknown type (tap, af_packet)", text);
	strcpy(cfg->uplink_iface, colon + 1);
	return 0;
}

int config_set_metrics(struct daemon_config *cfg, const char *text, char *msg, size_t msg_size)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int rc;

	if (!text[0] || !strcmp(text, "off")) {
		cfg->metrics[0] = '\0';
		return 0;
	}
	if (strlen(text) >= sizeof(cfg->metrics))
		return fail(msg, msg_size, "metrics address \"%.64s...\": too long", text);
	/* Checked now, so a typo fails at start, not when the listener is opened. */
	rc = metrics_http_addr_parse(text, &ss, &len, msg, msg_size);
	if (rc)
		return rc;
	strcpy(cfg->metrics, text);
	return 0;
}

static int get_str(json_t *v, const char *key, char *dst, size_t size, char *msg, size_t msg_size)
{
	if (!json_is_string(v) || json_string_length(v) >= size || !json_string_length(v))
		return fail(msg, msg_size,
			    "\"%s\" must be a non-empty string shorter than %zu bytes", key, size);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int get_uint(json_t *v, const char *key, long long min, long long max, unsigned int *dst,
		    char *msg, size_t msg_size)
{
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(msg, msg_size, "\"%s\" must be an integer %lld..%lld", key, min, max);
	*dst = (unsigned int)json_integer_value(v);
	return 0;
}

int config_load(const char *file, struct daemon_config *cfg, char *msg, size_t msg_size)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	char uplink[64], addr[64];
	int rc = 0;

	root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(msg, msg_size, "%s: %s (line %d)", file, jerr.text, jerr.line);
	if (!json_is_object(root)) {
		json_decref(root);
		return fail(msg, msg_size, "%s: not a JSON object", file);
	}
	json_object_foreach(root, key, v)
	{
		if (!strcmp(key, "controlSocket"))
			rc = get_str(v, key, cfg->ctl_socket, sizeof(cfg->ctl_socket), msg,
				     msg_size);
		else if (!strcmp(key, "socketDir"))
			rc = get_str(v, key, cfg->socket_dir, sizeof(cfg->socket_dir), msg,
				     msg_size);
		else if (!strcmp(key, "stateDir"))
			rc = get_str(v, key, cfg->state_dir, sizeof(cfg->state_dir), msg, msg_size);
		else if (!strcmp(key, "controlGroup"))
			rc = get_str(v, key, cfg->ctl_group, sizeof(cfg->ctl_group), msg, msg_size);
		else if (!strcmp(key, "fdbAgingTime"))
			rc = get_uint(v, key, 1, 1000000, &cfg->fdb_aging, msg, msg_size);
		else if (!strcmp(key, "fdbSize"))
			rc = get_uint(v, key, 64, 1 << 24, &cfg->fdb_size, msg, msg_size);
		else if (!strcmp(key, "mbufs"))
			rc = get_uint(v, key, 1023, 1 << 24, &cfg->mbufs, msg, msg_size);
		else if (!strcmp(key, "fdbPortLimit"))
			rc = get_uint(v, key, 1, 1 << 24, &cfg->fdb_port_limit, msg, msg_size);
		else if (!strcmp(key, "floodRate"))
			rc = get_uint(v, key, 0, TBUCKET_PPS_MAX, &cfg->flood_pps, msg, msg_size);
		else if (!strcmp(key, "floodBurst"))
			rc = get_uint(v, key, 1, TBUCKET_BURST_MAX, &cfg->flood_burst, msg,
				      msg_size);
		else if (!strcmp(key, "controlMaxClients"))
			rc = get_uint(v, key, 1, 4096, &cfg->ctl_max_clients, msg, msg_size);
		else if (!strcmp(key, "controlPartialTimeoutMs"))
			rc = get_uint(v, key, 10, 600000, &cfg->ctl_partial_timeout_ms, msg,
				      msg_size);
		else if (!strcmp(key, "controlIdleTimeoutMs"))
			rc = get_uint(v, key, 100, 86400000, &cfg->ctl_idle_timeout_ms, msg,
				      msg_size);
		else if (!strcmp(key, "uplink")) {
			rc = get_str(v, key, uplink, sizeof(uplink), msg, msg_size);
			if (!rc)
				rc = config_set_uplink(cfg, uplink, msg, msg_size);
		} else if (!strcmp(key, "metrics")) {
			rc = get_str(v, key, addr, sizeof(addr), msg, msg_size);
			if (!rc)
				rc = config_set_metrics(cfg, addr, msg, msg_size);
		} else
			rc = fail(msg, msg_size, "unknown key \"%s\"", key);
		if (rc)
			break;
	}
	json_decref(root);
	if (rc) {
		/* Prefix the file name once, here, where it is known. */
		char inner[CTL_MESSAGE_MAX];

		snprintf(inner, sizeof(inner), "%s", msg);
		snprintf(msg, msg_size, "%s: %s", file, inner);
	}
	return rc;
}
