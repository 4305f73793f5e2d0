/*
 * A Kubernetes Event on the Pod whose ADD fell back to another datapath
 * than its class's first choice (type Warning, reason DatapathFallback), so
 * `kubectl describe pod` and `kubectl get events` show which datapath it got.
 * The agent's RBAC needs only `create` on `events` (core group) for this.
 */
#ifndef SLICENET_AGENT_FALLBACK_EVENT_H
#define SLICENET_AGENT_FALLBACK_EVENT_H

#include <stddef.h>

#include "agent/cni_event.h"
#include "agent/kube_http.h"
#include "plugin/util/error.h"

#define FALLBACK_EVENT_REASON "DatapathFallback"

/*
 * The Event object for ev (which must be a fallback with a pod namespace and
 * name) reported by node: *json malloc'ed (the caller frees), or NULL with
 * err. *path gets "/api/v1/namespaces/<ns>/events".
 */
char *fallback_event_build(const struct cni_event *ev, const char *node, char *path,
			   size_t path_size, struct error *err);

/*
 * Build and POST. 0 when the API server answered 201 (or 200); -EPERM for a
 * refusal a retry cannot change (4xx but 429), -EINVAL for a line without a
 * pod; other -errno (transport, 5xx, 429) are worth a retry.
 */
int fallback_event_post(struct kube_http *http, const struct cni_event *ev, const char *node,
			struct error *err) __attribute__((warn_unused_result));

#endif
