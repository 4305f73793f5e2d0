/*
 * One line per ADD and DEL in <stateDir>/events.log, for the node agent's
 * metrics (ADDs, DELs, failures and fallbacks per class): appended with one
 * write(), so concurrent plugin calls never interleave within a line. The
 * agent consumes and truncates it; without an agent it stops growing at
 * EVENTS_MAX_BYTES (the calls go on, only counting stops).
 *
 *   <unix seconds> <ADD|DEL> <network> <slice|-> <datapath|-> <preferred|-> <CNI code>
 *   <pod namespace|-> <pod name|->
 *
 * (one line; the pod fields were added last so a reader of the first seven
 * fields keeps working). Kubernetes names never hold spaces; a value that
 * does (or is empty) is written as "-".
 */
#ifndef SLICENET_PLUGIN_EVENTS_H
#define SLICENET_PLUGIN_EVENTS_H

#include "plugin/attachment.h"

#define EVENTS_FILE	 "events.log"
#define EVENTS_MAX_BYTES (4 << 20)

/* Best effort: a failure to count never fails the call. */
void events_append(const char *state_dir, const char *verb, const struct attachment *att,
		   int cni_code);

#endif
