/*
 * The node's IPAM ranges, where slicenet-ipam reads them ("rangesFile" in
 * the ipam config): {"ranges": [[{"subnet": "<podCIDRs[0]>"}],
 * [{"subnet": "<podCIDRs[1]>"}]]}, one set per family (dual stack when the
 * node has two). Replaced atomically (temp + rename, never through a
 * symlink) and only when the content changes.
 */
#ifndef SLICENET_AGENT_RANGES_FILE_H
#define SLICENET_AGENT_RANGES_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "agent/node.h"
#include "plugin/util/error.h"

#define RANGES_FILE_DEFAULT "/run/slicenet/ranges.json"

/* The file's text for node (NUL-terminated); -EINVAL when it has no pod CIDR. */
int ranges_file_format(const struct node *node, char *buf, size_t size)
	__attribute__((warn_unused_result));

/* Write the file unless it already holds exactly that; *written says which. */
int ranges_file_write(const char *path, const struct node *node, bool *written, struct error *err)
	__attribute__((warn_unused_result));

/* Remove it; 0 when it is already gone. */
int ranges_file_remove(const char *path, struct error *err) __attribute__((warn_unused_result));

#endif
