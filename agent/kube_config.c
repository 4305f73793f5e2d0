/* Where the API server is and how to authenticate to it. */
#include "agent/kube_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int copy(char *out, size_t size, const char *value, const char *what, struct error *err)
{
	if ((size_t)snprintf(out, size, "%s", value) >= size)
		return error_set(err, ENAMETOOLONG, "%s \"%.64s...\" is too long", what, value);
	return 0;
}

static const char *given(const char *value)
{
	return value && *value ? value : NULL;
}

int kube_config_resolve(const char *server, const char *token_file, const char *ca_file,
			struct kube_config *out, struct error *err)
{
	const char *host = given(getenv("KUBERNETES_SERVICE_HOST"));
	const char *port = given(getenv("KUBERNETES_SERVICE_PORT"));
	int ret, len;

	memset(out, 0, sizeof(*out));
	if ((ret = copy(out->token_file, sizeof(out->token_file),
			given(token_file) ? token_file : KUBE_TOKEN_FILE, "token file", err)) ||
	    (ret = copy(out->ca_file, sizeof(out->ca_file), given(ca_file) ? ca_file : KUBE_CA_FILE,
			"CA file", err)))
		return ret;
	if (given(server)) {
		if (strncmp(server, "https://", 8))
			return error_set(err, EINVAL, "API server \"%s\" must be an https:// URL",
					 server);
		ret = copy(out->server, sizeof(out->server), server, "API server URL", err);
		if (!ret && out->server[strlen(out->server) - 1] == '/')
			out->server[strlen(out->server) - 1] = '\0';
		return ret;
	}
	if (!host || !port)
		return error_set(err, ENXIO,
				 "not in a cluster: KUBERNETES_SERVICE_HOST and "
				 "KUBERNETES_SERVICE_PORT must be set (or give --api-server)");
	/* The variable holds a bare literal; a URL needs IPv6 in brackets. */
	len = snprintf(out->server, sizeof(out->server),
		       strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
	if (len < 0 || (size_t)len >= sizeof(out->server))
		return error_set(err, ENAMETOOLONG, "API server %s:%s is too long", host, port);
	return 0;
}

int kube_config_read_token(const struct kube_config *config, char *out, size_t size,
			   struct error *err)
{
	size_t used = 0, start = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(config->token_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		return error_set(err, -ret, "token file %s: %s", config->token_file,
				 strerror(-ret));
	}
	while (used + 1 < size && (n = read(fd, out + used, size - 1 - used)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error_set(err, errno, "token file %s: read: %s", config->token_file,
					strerror(errno));
			goto out;
		}
		used += (size_t)n;
	}
	if (used + 1 >= size) {
		ret = error_set(err, EFBIG, "token file %s: larger than %zu bytes",
				config->token_file, size - 1);
		goto out;
	}
	while (used && isspace((unsigned char)out[used - 1]))
		used--;
	while (start < used && isspace((unsigned char)out[start]))
		start++;
	memmove(out, out + start, used - start);
	out[used - start] = '\0';
	if (!out[0])
		ret = error_set(err, ENODATA, "token file %s is empty", config->token_file);
	/* It goes into a header line: anything but visible ASCII would corrupt it. */
	for (size_t i = 0; !ret && out[i]; i++)
		if (out[i] < 0x21 || out[i] > 0x7e)
			ret = error_set(err, EINVAL, "token file %s: byte %zu is not visible ASCII",
					config->token_file, i);
out:
	close(fd);
	return ret;
}
