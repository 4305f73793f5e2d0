/* GC's input: the attachments the runtime still wants (SPEC-1.1 "GC"). */
#ifndef SLICENET_PLUGIN_CNI_GC_H
#define SLICENET_PLUGIN_CNI_GC_H

#include <jansson.h>
#include <stddef.h>

#include "ipam/ipam.h"
#include "plugin/cni/cni_error.h"

/*
 * Read cni.dev/valid-attachments (or cni.dev/attachments, the name in the
 * 1.1.0 text) from the config. *out is malloc'd, borrows strings from root,
 * and is NULL with *n = 0 when the key is absent. Code 7 names a bad entry.
 */
int cni_gc_valid_attachments(const json_t *root, struct ipam_attachment **out, size_t *n,
			     struct cni_error *err) __attribute__((warn_unused_result));

#endif
