/* The network configuration on stdin, parsed into structs (parse, then act). */
#ifndef SLICENET_PLUGIN_CONF_H
#define SLICENET_PLUGIN_CONF_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>

#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"

#define SLICE_NAME_MAX	       64
#define SLICE_MAX_CLASSES      32
#define SLICE_MAX_DATAPATHS    4
#define DATAPATH_NAME_MAX      16
#define CONF_DEFAULT_STATE_DIR "/var/lib/cni/slicenet"

struct slice_class {
	char name[SLICE_NAME_MAX];
	char datapaths[SLICE_MAX_DATAPATHS][DATAPATH_NAME_MAX]; /* preference order */
	unsigned int n_datapaths;
	unsigned int mtu; /* 0 = kernel default */
	json_t *settings; /* the class object itself (borrowed), for datapath-specific keys */
};

struct netconf {
	char cni_version[CNI_VERSION_STRLEN];
	char name[256];
	char type[64];
	json_t *root; /* owned: the whole request configuration */
	json_t *ipam; /* borrowed from root; NULL when absent */
	char ipam_type[64];
	char default_slice[SLICE_NAME_MAX];
	struct slice_class slices[SLICE_MAX_CLASSES];
	unsigned int n_slices;
	char state_dir[PATH_MAX];
	char log_file[PATH_MAX]; /* "" = no log */
	int log_level;		 /* enum log_level */
	json_t *runtime_config;	 /* borrowed; NULL when absent */
	json_t *prev_result;	 /* borrowed; NULL when absent */
	json_t *args;		 /* borrowed "args" object; NULL when absent */
	json_t *sriov;		 /* borrowed datapath sections; NULL when absent */
	json_t *vhostuser;
	struct cni_dns dns; /* "dns" key, passed into the result */
};

/*
 * Parse stdin bytes. Decode errors are code 6, bad values code 7, both naming
 * the value; unknown keys are ignored (the spec adds keys over time). A
 * "slicesFile" key loads the slice table from a JSON file instead.
 */
int conf_parse(const char *data, size_t size, struct netconf *out, struct cni_error *err)
	__attribute__((warn_unused_result));
void conf_free(struct netconf *conf);

/* The class named name, or NULL. */
const struct slice_class *conf_find_slice(const struct netconf *conf, const char *name);

#endif
