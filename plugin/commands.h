/* The CNI verbs. main.c parses, these act; each fills err on failure. */
#ifndef SLICENET_PLUGIN_COMMANDS_H
#define SLICENET_PLUGIN_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/cni/cni_env.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

struct cni_call {
	struct cni_env env;
	struct netconf conf;
	/* false: only the core parsed (DEL and GC go on from their records) */
	bool conf_complete;
	const char *raw_config; /* stdin as received, for delegates */
	size_t raw_config_size;
};

int cmd_add(const struct cni_call *call, struct cni_result *result, struct cni_error *err)
	__attribute__((warn_unused_result));
int cmd_del(const struct cni_call *call, struct cni_error *err) __attribute__((warn_unused_result));
int cmd_check(const struct cni_call *call, struct cni_error *err)
	__attribute__((warn_unused_result));
int cmd_gc(const struct cni_call *call, struct cni_error *err) __attribute__((warn_unused_result));
int cmd_status(const struct cni_call *call, struct cni_error *err)
	__attribute__((warn_unused_result));

#endif
