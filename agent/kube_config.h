/*
 * In-cluster configuration, the standard way: the API server from
 * KUBERNETES_SERVICE_HOST/PORT (an IPv6 literal gets brackets), the
 * service account's token and CA from the projected volume. Each can be
 * overridden (flags; tests and hostNetwork pods before kube-proxy is up).
 */
#ifndef SLICENET_AGENT_KUBE_CONFIG_H
#define SLICENET_AGENT_KUBE_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include "plugin/util/error.h"

#define KUBE_SA_DIR	    "/var/run/secrets/kubernetes.io/serviceaccount"
#define KUBE_TOKEN_FILE	    KUBE_SA_DIR "/token"
#define KUBE_CA_FILE	    KUBE_SA_DIR "/ca.crt"
#define KUBE_TOKEN_MAX	    (16 * 1024)
#define KUBE_SERVER_URL_MAX 512

struct kube_config {
	char server[KUBE_SERVER_URL_MAX]; /* "https://host:port", no trailing slash */
	char token_file[PATH_MAX];
	char ca_file[PATH_MAX];
};

/*
 * Fill out from the overrides (NULL or "" = not given) and the environment.
 * No server anywhere is -ENXIO ("not in a cluster"), naming the variables.
 */
int kube_config_resolve(const char *server, const char *token_file, const char *ca_file,
			struct kube_config *out, struct error *err)
	__attribute__((warn_unused_result));

/*
 * Read the token file (re-opened by path: the kubelet swaps a symlink to
 * rotate it), surrounding whitespace trimmed. An empty file is -ENODATA.
 */
int kube_config_read_token(const struct kube_config *config, char *out, size_t size,
			   struct error *err) __attribute__((warn_unused_result));

#endif
