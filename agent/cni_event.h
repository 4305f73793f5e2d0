/*
 * One line of the plugin's <stateDir>/events.log (plugin/events.h) as the
 * agent reads it:
 *   <unix seconds> <ADD|DEL> <network> <slice|-> <datapath|-> <preferred|-> <CNI code>
 *   [<pod namespace|-> <pod name|->]
 * The pod fields are optional (lines written by an older plugin lack them).
 * "-" fields come back as "".
 */
#ifndef SLICENET_AGENT_CNI_EVENT_H
#define SLICENET_AGENT_CNI_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#define CNI_EVENT_FIELD_MAX 256 /* network names are the longest: 255 */
#define CNI_EVENT_LINE_MAX  2048

struct cni_event {
	long long time;
	char verb[4]; /* "ADD" or "DEL" */
	char network[CNI_EVENT_FIELD_MAX];
	char slice[CNI_EVENT_FIELD_MAX];
	char datapath[CNI_EVENT_FIELD_MAX];
	char preferred[CNI_EVENT_FIELD_MAX];
	int code; /* CNI error code, 0 = success */
	char pod_namespace[CNI_EVENT_FIELD_MAX];
	char pod_name[CNI_EVENT_FIELD_MAX];
};

/* Parse size bytes (no '\n'). 0, or -EINVAL for a malformed line. */
int cni_event_parse(const char *line, size_t size, struct cni_event *out)
	__attribute__((warn_unused_result));

/* A successful ADD that did not get its class's first choice. */
bool cni_event_is_fallback(const struct cni_event *ev);

#endif
