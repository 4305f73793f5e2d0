/*
 * HTTPS to the API server through libcurl: one GET (or POST) per call, with the
 * service account token as a bearer token and the cluster CA as the only
 * trust anchor. Bodies are bytes here; agent/node_parse.c reads them.
 */
#ifndef SLICENET_AGENT_KUBE_HTTP_H
#define SLICENET_AGENT_KUBE_HTTP_H

#include <stddef.h>

#include "agent/kube_config.h"
#include "plugin/util/error.h"

struct kube_http;

struct kube_response {
	long code;	  /* HTTP status; 0 when no response arrived */
	long retry_after; /* seconds from Retry-After (429, 503), 0 = none */
	char *body;	  /* whole body (kube_http_get), or a non-200 body; malloc'ed */
	size_t size;
};

/* Called with each '\n'-terminated line of a 200 watch body (without the '\n'). */
typedef int (*kube_line_fn)(const char *line, size_t size, void *arg);
/* Called about once a second during a transfer; non-zero aborts it (-ECANCELED). */
typedef int (*kube_tick_fn)(void *arg);

/* NULL with err set on failure. curl_global_init must have been called. */
struct kube_http *kube_http_new(const struct kube_config *config, struct error *err);
void kube_http_free(struct kube_http *http);

/*
 * GET server + path and keep the whole body (capped at 64 MiB). Returns 0
 * when a response arrived (any status: see resp->code), -ECANCELED when
 * tick asked to stop, another -errno with err set when there was none.
 */
int kube_http_get(struct kube_http *http, const char *path, kube_tick_fn tick, void *arg,
		  struct kube_response *resp, struct error *err)
	__attribute__((warn_unused_result));

/*
 * GET a watch stream: each line of a 200 body goes to line (a negative
 * return aborts with that value). The transfer is abandoned when nothing
 * arrives for idle_seconds. A 200 stream that ends, cleanly or dropped,
 * returns 0: the caller re-watches. Other returns as kube_http_get.
 */
int kube_http_watch(struct kube_http *http, const char *path, long idle_seconds, kube_line_fn line,
		    kube_tick_fn tick, void *arg, struct kube_response *resp, struct error *err)
	__attribute__((warn_unused_result));

/*
 * POST a JSON body (Content-Type: application/json) to server + path; the
 * response body is kept as kube_http_get keeps it. Returns as kube_http_get.
 */
int kube_http_post(struct kube_http *http, const char *path, const char *body, size_t size,
		   struct kube_response *resp, struct error *err)
	__attribute__((warn_unused_result));

/* Free a response's body; accepts a zeroed response. */
void kube_response_free(struct kube_response *resp);

#endif
