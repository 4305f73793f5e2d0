/* GC's input: the attachments the runtime still wants (SPEC-1.1 "GC"). */
#ifndef SLICENET_PLUGIN_CNI_GC_H
#define SLICENET_PLUGIN_CNI_GC_H

#include <stddef.h>

#include "plugin/cni/cni_error.h"

/*
 * jansson's json_t (its typedef names this struct tag). Declared, not
 * included, so the layers that only consume attachments (ipam/) do not
 * depend on the JSON library; only cni_gc.c reads JSON.
 */
struct json_t;

/* A (container id, ifname) the runtime still wants: GC must keep what it holds. */
struct cni_gc_attachment {
	const char *container_id;
	const char *ifname;
};

/*
 * Read cni.dev/valid-attachments (or cni.dev/attachments, the name in the
 * 1.1.0 text) from the config. *out is malloc'd, borrows strings from root,
 * and is NULL with *n = 0 when the key is absent. Code 7 names a bad entry.
 */
int cni_gc_valid_attachments(const struct json_t *root, struct cni_gc_attachment **out, size_t *n,
			     struct cni_error *err) __attribute__((warn_unused_result));

#endif
