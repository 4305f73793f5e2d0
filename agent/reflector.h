/*
 * List-then-watch on Nodes, as client-go's Reflector does it: list (paged)
 * and replace the table, watch from the list's resourceVersion with
 * bookmarks, re-watch at once when a stream ends, relist on 410 Gone
 * (HTTP or an ERROR event), back off with jitter on anything else.
 */
#ifndef SLICENET_AGENT_REFLECTOR_H
#define SLICENET_AGENT_REFLECTOR_H

#include <signal.h>
#include <stddef.h>

#include "agent/kube_http.h"
#include "agent/node.h"

/* What the reflector tells its owner; each returns 0 or -errno (logged, not fatal). */
struct reflector_ops {
	/* A complete list: the whole set of Nodes now. */
	int (*replace)(void *arg, const struct node *nodes, size_t n_nodes);
	int (*upsert)(void *arg, const struct node *node);
	/* node is the last state the API server had. */
	int (*remove)(void *arg, const struct node *node);
	/* About once a second, also while waiting; non-zero stops the reflector. */
	int (*tick)(void *arg);
};

struct reflector_stats {
	unsigned long lists, watches, events, gone, unauthorized, failures;
};

/*
 * Run until ops->tick returns non-zero. Returns 0 then; the stats count
 * what happened (for logs and tests).
 */
int reflector_run(struct kube_http *http, const struct reflector_ops *ops, void *arg,
		  struct reflector_stats *stats);

#endif
