/*
 * The agent's parse layer, its only file that includes jansson: NodeList,
 * watch events and Status bodies of the Kubernetes API into agent/node.h.
 * Fields the agent does not route on are ignored; a malformed podCIDR or
 * address is dropped (and logged) rather than failing the whole node, so
 * one bad Node never blinds the agent to the others.
 */
#ifndef SLICENET_AGENT_NODE_PARSE_H
#define SLICENET_AGENT_NODE_PARSE_H

#include <stddef.h>

#include "agent/node.h"
#include "plugin/util/error.h"

/* resourceVersion and continue tokens are opaque strings, kept as sent. */
#define NODE_RV_MAX	  128
#define NODE_CONTINUE_MAX 2048

/* A Kubernetes Status object (error bodies, watch ERROR events). */
struct api_status {
	int code; /* 0 when the body held no code */
	char reason[64];
	char message[256];
};

/* One page of GET /api/v1/nodes. */
struct node_list {
	struct node *items; /* malloc'ed */
	size_t n_items;
	char resource_version[NODE_RV_MAX];	/* the collection's, the watch starts there */
	char continue_token[NODE_CONTINUE_MAX]; /* "" on the last page */
};

enum node_event_type {
	NODE_EVENT_ADDED,
	NODE_EVENT_MODIFIED,
	NODE_EVENT_DELETED,
	NODE_EVENT_BOOKMARK,
	NODE_EVENT_ERROR,
};

/* One line of a watch stream: {"type": T, "object": O}. */
struct node_event {
	enum node_event_type type;
	struct node node;		    /* ADDED, MODIFIED, DELETED */
	char resource_version[NODE_RV_MAX]; /* the object's; "" if none */
	struct api_status status;	    /* ERROR */
};

/* Parse a NodeList body. Items without a name are skipped. */
int node_parse_list(const char *text, size_t size, struct node_list *out, struct error *err)
	__attribute__((warn_unused_result));
/* Free the items of a list; accepts a zeroed list. */
void node_list_free(struct node_list *list);

/* Parse one watch event; an unknown type or a Node without a name is -EINVAL. */
int node_parse_event(const char *text, size_t size, struct node_event *out, struct error *err)
	__attribute__((warn_unused_result));

/* Parse a Status body; anything else leaves out zeroed and returns -EINVAL. */
int node_parse_status(const char *text, size_t size, struct api_status *out);

#endif
