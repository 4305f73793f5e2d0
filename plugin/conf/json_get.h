/*
 * The one set of JSON getters of the parse layer: each names the key (with
 * a "where" prefix such as `slices: class "urllc": `) and the bad value in a
 * code-7 error. A missing or null key leaves *dst as it is and returns 0,
 * unless the getter says "required".
 */
#ifndef SLICENET_PLUGIN_CONF_JSON_GET_H
#define SLICENET_PLUGIN_CONF_JSON_GET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "plugin/cni/cni_error.h"

/* True when obj has key with a non-null value. */
bool json_get_present(const json_t *obj, const char *key);

int json_get_string(const json_t *obj, const char *key, char *dst, size_t size, const char *where,
		    bool required, struct cni_error *err) __attribute__((warn_unused_result));
/* An integer in [min, max]; *present (may be NULL) says whether the key was there. */
int json_get_uint(const json_t *obj, const char *key, unsigned long long min,
		  unsigned long long max, unsigned int *dst, bool *present, const char *where,
		  struct cni_error *err) __attribute__((warn_unused_result));
int json_get_bool(const json_t *obj, const char *key, bool *dst, bool *present, const char *where,
		  struct cni_error *err) __attribute__((warn_unused_result));
/* *dst = the object (borrowed) or NULL when absent; not an object is code 7. */
int json_get_object(const json_t *obj, const char *key, const json_t **dst, const char *where,
		    struct cni_error *err) __attribute__((warn_unused_result));
/* A string that must be one of names[0..n); *index receives its position. */
int json_get_enum(const json_t *obj, const char *key, const char *const *names, size_t n,
		  unsigned int *index, const char *where, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
