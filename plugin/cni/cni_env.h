/* The CNI_* environment of one plugin call, validated per command. */
#ifndef SLICENET_PLUGIN_CNI_ENV_H
#define SLICENET_PLUGIN_CNI_ENV_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>

#include "plugin/cni/cni_error.h"

enum cni_command {
	CNI_CMD_ADD,
	CNI_CMD_DEL,
	CNI_CMD_CHECK,
	CNI_CMD_VERSION,
	CNI_CMD_GC,
	CNI_CMD_STATUS,
};

#define CNI_CONTAINER_ID_MAX 256
#define CNI_ARGS_VALUE_MAX   256

/* The well-known K8S_* keys and ours from CNI_ARGS ("K=V;K=V"). */
struct cni_args {
	bool ignore_unknown;
	char pod_namespace[CNI_ARGS_VALUE_MAX];
	char pod_name[CNI_ARGS_VALUE_MAX];
	char pod_uid[CNI_ARGS_VALUE_MAX];
	char pod_infra_container_id[CNI_ARGS_VALUE_MAX];
	char slice[CNI_ARGS_VALUE_MAX];	    /* SLICENET_SLICE */
	char device_id[CNI_ARGS_VALUE_MAX]; /* deviceID (Multus/sriov convention) */
	/*
	 * IP: static addresses, comma-separated (podman --ip, host-local's
	 * convention); raw here, parsed and checked by the IPAM layer
	 * (ipam_requested_parse), which knows the ranges.
	 */
	char ip[CNI_ARGS_VALUE_MAX];
	char mac[CNI_ARGS_VALUE_MAX]; /* MAC (podman, the tuning plugin's convention) */
};

struct cni_env {
	enum cni_command command;
	char container_id[CNI_CONTAINER_ID_MAX];
	char netns[PATH_MAX]; /* "" when unset (DEL may omit it) */
	char ifname[IFNAMSIZ];
	char args_raw[4096];
	struct cni_args args;
	char path[PATH_MAX * 2]; /* CNI_PATH, ':'-separated */
};

const char *cni_command_name(enum cni_command command);
int cni_command_parse(const char *text, enum cni_command *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Validation as libcni does it (pkg/utils/utils.go). */
int cni_validate_container_id(const char *id, struct cni_error *err)
	__attribute__((warn_unused_result));
int cni_validate_ifname(const char *ifname, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Parse CNI_ARGS; unknown keys are an error unless IgnoreUnknown=1|true. */
int cni_args_parse(const char *text, struct cni_args *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/*
 * Read and validate the environment through getenv_fn (getenv in production,
 * a table in tests). Set-but-empty counts as unset. Code 4 names every
 * missing variable.
 */
int cni_env_load(struct cni_env *env, const char *(*getenv_fn)(const char *name),
		 struct cni_error *err) __attribute__((warn_unused_result));

#endif
