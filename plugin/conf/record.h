/* The attachment record's JSON form (the state directory's files). */
#ifndef SLICENET_PLUGIN_CONF_RECORD_H
#define SLICENET_PLUGIN_CONF_RECORD_H

#include <stddef.h>

#include "plugin/attachment.h"
#include "plugin/cni/cni_error.h"

/* malloc'ed compact JSON text of att; NULL with err filled on failure. */
char *record_encode(const struct attachment *att, struct cni_error *err);
/*
 * Decode text into out. Fields added after version 1 records were written
 * (pod identity, runtime inputs) may be missing: they decode as "".
 */
int record_decode(const char *text, size_t size, struct attachment *out, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
