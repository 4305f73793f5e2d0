/*
 * The CNI installer's validation status, a JSON file it rewrites after each
 * slice-table check (default /run/cni-install-status.json):
 *   {"node": "...", "time": "...", "state": "ok"|"rejected",
 *    "installed": "...", "candidate": "...", "error": "..."}
 * Only state decides; the other fields go into the agent's log line.
 */
#ifndef SLICENET_AGENT_INSTALL_STATUS_H
#define SLICENET_AGENT_INSTALL_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/util/error.h"

#define INSTALL_STATUS_DEFAULT	"/run/cni-install-status.json"
#define INSTALL_STATUS_TEXT_MAX 512

struct install_status {
	bool rejected;
	char time[64];
	char installed[INSTALL_STATUS_TEXT_MAX];
	char candidate[INSTALL_STATUS_TEXT_MAX];
	char error[INSTALL_STATUS_TEXT_MAX];
};

/* Parse a status document. 0, or -EINVAL naming the problem. */
int install_status_parse(const char *text, size_t size, struct install_status *out,
			 struct error *err) __attribute__((warn_unused_result));

/* Read and parse path (at most 64 KiB). -ENOENT when there is none yet. */
int install_status_read(const char *path, struct install_status *out, struct error *err)
	__attribute__((warn_unused_result));

#endif
