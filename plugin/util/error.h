/*
 * The error a layer below the CNI verbs reports: what failed, naming the bad
 * value, with free-form details (netlink extack text). It knows nothing of
 * CNI codes: the layer above maps it to one (cni_error.h embeds this struct).
 */
#ifndef SLICENET_PLUGIN_UTIL_ERROR_H
#define SLICENET_PLUGIN_UTIL_ERROR_H

#define ERROR_MSG_MAX 512

struct error {
	char msg[ERROR_MSG_MAX];
	char details[ERROR_MSG_MAX];
};

/*
 * Record msg unless one is recorded already (the deepest layer names the
 * value). Returns -errnum (-EINVAL when errnum is 0); err may be NULL.
 */
int error_set(struct error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append details, "; "-separated. err may be NULL. */
void error_details(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
