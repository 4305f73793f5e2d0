/* jansson builds the Event; kube_http POSTs it. */
#include "agent/fallback_event.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void rfc3339(long long seconds, char *out, size_t size)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "1970-01-01T00:00:00Z");
}

char *fallback_event_build(const struct cni_event *ev, const char *node, char *path,
			   size_t path_size, struct error *err)
{
	char when[32], message[1536], prefix[CNI_EVENT_FIELD_MAX + 2];
	json_t *root;
	char *json;

	if (!ev->pod_namespace[0] || !ev->pod_name[0]) {
		error_set(err, EINVAL, "event line without a pod");
		return NULL;
	}
	if ((size_t)snprintf(path, path_size, "/api/v1/namespaces/%s/events", ev->pod_namespace) >=
	    path_size) {
		error_set(err, ENAMETOOLONG, "namespace %.64s...: too long", ev->pod_namespace);
		return NULL;
	}
	rfc3339(ev->time, when, sizeof(when));
	snprintf(message, sizeof(message),
		 "slice %s: datapath %s unavailable on node %s, attached with %s (network %s)",
		 ev->slice[0] ? ev->slice : "(none)", ev->preferred, node, ev->datapath,
		 ev->network);
	/* generateName keeps names unique without our own counter; 253 max. */
	snprintf(prefix, sizeof(prefix), "%.200s.", ev->pod_name);
	root = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:s, "
			 "s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:i}",
			 "apiVersion", "v1", "kind", "Event", "metadata", "generateName", prefix,
			 "namespace", ev->pod_namespace, "involvedObject", "apiVersion", "v1",
			 "kind", "Pod", "namespace", ev->pod_namespace, "name", ev->pod_name,
			 "type", "Warning", "reason", FALLBACK_EVENT_REASON, "message", message,
			 "source", "component", "slicenet-agent", "host", node,
			 "reportingComponent", "slicenet.io/agent", "reportingInstance", node,
			 "firstTimestamp", when, "lastTimestamp", when, "count", 1);
	json = root ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	if (!json)
		error_set(err, ENOMEM, "event for %s/%s: out of memory", ev->pod_namespace,
			  ev->pod_name);
	return json;
}

int fallback_event_post(struct kube_http *http, const struct cni_event *ev, const char *node,
			struct error *err)
{
	struct kube_response resp = {0};
	char path[CNI_EVENT_FIELD_MAX + 64];
	char *json = fallback_event_build(ev, node, path, sizeof(path), err);
	int ret;

	if (!json)
		return -EINVAL;
	ret = kube_http_post(http, path, json, strlen(json), &resp, err);
	if (!ret && resp.code != 201 && resp.code != 200)
		ret = error_set(
			err,
			resp.code >= 400 && resp.code < 500 && resp.code != 429 ? EPERM : EAGAIN,
			"POST %s: HTTP %ld: %.200s", path, resp.code, resp.body ? resp.body : "");
	kube_response_free(&resp);
	free(json);
	return ret;
}
