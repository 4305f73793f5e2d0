/* CNI error reporting: the spec's error object and its well-known codes. */
#ifndef SLICENET_PLUGIN_CNI_ERROR_H
#define SLICENET_PLUGIN_CNI_ERROR_H

#include <stdio.h>

#include "plugin/util/error.h"

/* Well-known codes from the CNI spec (SPEC-1.1 "Error"). */
enum cni_error_code {
	CNI_ERR_INCOMPATIBLE_VERSION = 1,
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_INVALID_ENV = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_INVALID_CONFIG = 7,
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_NOT_AVAILABLE = 50, /* STATUS: plugin not ready */
	CNI_ERR_LIMITED = 51,	    /* STATUS: no IP addresses left */
	/* Plugin-specific codes start at 100. */
	CNI_ERR_INTERNAL = 100,
	CNI_ERR_NETLINK = 101,
	CNI_ERR_IPAM = 102,
	CNI_ERR_IPAM_EXHAUSTED = 103,
	CNI_ERR_DATAPATH = 104,
	CNI_ERR_CHECK_FAILED = 105,
	CNI_ERR_STATE = 106,
	CNI_ERR_DELEGATE = 107,
};

struct cni_error {
	int code; /* 0 while no error was recorded, or only a lower layer's message */
	union {
		struct error base; /* what layers that know no CNI codes fill */
		struct {
			char msg[ERROR_MSG_MAX];
			char details[ERROR_MSG_MAX];
		};
	};
};

/*
 * Record an error: the first recorded error wins, so the deepest layer that
 * saw the bad value names it. When a lower layer left only a message (no
 * code), this gives it the code and keeps its message. Returns -errnum (or -EINVAL when errnum is
 * 0) so callers can write `return cni_error_set(err, ...);`. err may be NULL.
 */
int cni_error_set(struct cni_error *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Give a lower layer's message (struct error, no code) the CNI code this
 * layer maps it to, when ret is an error; an error with a code keeps it.
 * Returns ret.
 */
int cni_error_code(struct cni_error *err, int code, int ret);

/* Append free-form details (e.g. netlink extack text). err may be NULL. */
void cni_error_details(struct cni_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Write the spec's error JSON {cniVersion, code, msg, details} to out. */
int cni_error_print(FILE *out, const struct cni_error *err, const char *cni_version)
	__attribute__((warn_unused_result));

#endif
