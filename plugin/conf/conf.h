/*
 * The network configuration on stdin, parsed and validated once into typed
 * structs before any verb acts: the slice table, IPAM, every datapath's own
 * section (through its parse op) and the runtime's per-call inputs. Nothing
 * after conf_parse touches JSON.
 */
#ifndef SLICENET_PLUGIN_CONF_CONF_H
#define SLICENET_PLUGIN_CONF_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "ipam/ipam.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_gc.h"
#include "plugin/cni/cni_types.h"

#define SLICE_NAME_MAX			 64
#define SLICE_MAX_CLASSES		 32
#define SLICE_MAX_DATAPATHS		 4
#define DATAPATH_NAME_MAX		 16
#define DATAPATH_MAX			 4 /* registered datapaths */
#define CONF_DEVICE_ID_MAX		 32
#define CONF_DEFAULT_STATE_DIR		 "/var/lib/cni/slicenet"
#define CONF_DEFAULT_DELEGATE_TIMEOUT_MS 30000
#define CONF_IPAM_IN_PROCESS_TYPE	 "slicenet-ipam" /* runs in-process, no exec */

struct slice_class {
	char name[SLICE_NAME_MAX];
	char datapaths[SLICE_MAX_DATAPATHS][DATAPATH_NAME_MAX]; /* preference order */
	unsigned int n_datapaths;
	unsigned int mtu; /* 0 = kernel default */
	/*
	 * "switchPriority": the class's priority on slicenetd (0 highest..3),
	 * passed in port.add; -1 when not set (the daemon's default, 2).
	 */
	int switch_priority;
	/*
	 * Primary mode: when the chosen datapath is not veth, it is an extra
	 * interface data_ifname on the class's data network, addressed from this
	 * node's block of data_subnet (cluster.c says which block).
	 */
	char data_ifname[16];
	struct ip_prefix data_subnet; /* family 0: none */
	unsigned int data_block_prefix;
	/* datapath_conf[i]: datapaths[i]'s config with the class's overrides (owned) */
	void *datapath_conf[SLICE_MAX_DATAPATHS];
};

/* Where the pod's slice may have been named, in the order they are tried. */
struct conf_slice_request {
	bool has_annotation;
	char annotation[SLICE_NAME_MAX]; /* runtimeConfig pod annotation */
	bool has_args_cni;
	char args_cni[SLICE_NAME_MAX]; /* args.cni.slice (Multus cni-args) */
};

/* runtimeConfig (capabilities) and the other per-call keys, typed. */
struct conf_runtime {
	struct conf_slice_request slice;
	char mac[CNI_MAC_STRLEN];	    /* "mac" capability; "" = none */
	char device_id[CONF_DEVICE_ID_MAX]; /* runtimeConfig or top-level deviceID */
	char device_info_file[PATH_MAX];    /* CNIDeviceInfoFile */
};

struct netconf {
	char cni_version[CNI_VERSION_STRLEN];
	char name[256];
	char type[64];
	char state_dir[PATH_MAX];
	char log_file[PATH_MAX];	  /* "" = no log */
	int log_level;			  /* enum log_level */
	unsigned int log_max_bytes;	  /* rotate the log past this size; 0 = never */
	unsigned int delegate_timeout_ms; /* a delegated plugin is killed after this */
	/* GC: cni.dev/valid-attachments; strings owned by the conf */
	struct cni_gc_attachment *valid;
	size_t n_valid;

	/* Everything below is the "rest": a verb that only removes can do without it. */
	bool has_ipam;
	char ipam_type[64];
	struct ipam_conf *ipam; /* in-process IPAM only; NULL for a delegated type */
	/* static addresses from runtimeConfig.ips and args.cni.ips (CNI_ARGS IP= joins at ADD) */
	struct ipam_requested requested;
	char default_slice[SLICE_NAME_MAX];
	struct slice_class slices[SLICE_MAX_CLASSES];
	unsigned int n_slices;
	/* each registered datapath's network-level config (index = registry order) */
	void *datapath_conf[DATAPATH_MAX];
	struct conf_runtime runtime;
	struct cni_result *prev_result; /* decoded; NULL when absent */
	struct cni_dns dns;		/* "dns" key, passed into the result */
	/*
	 * "mode": primary (every pod gets a veth CNI_IFNAME on the cluster
	 * network, a fast class's datapath comes on top as data_ifname) or
	 * secondary (the class's datapath is the attachment: Multus, a second
	 * network). Secondary is the default.
	 */
	bool primary;
	struct ip_prefix cluster_cidr; /* "clusterCIDR": where node pod ranges come from */
};

/*
 * Parse stdin bytes. Decode errors are code 6, bad values code 7, both naming
 * the key and value; unknown keys are ignored (the spec adds keys). A
 * "slicesFile" key loads the slice table from a JSON file instead.
 *
 * *core_ok says whether the part every verb needs (version, name, state and
 * log settings, GC's attachments) parsed: DEL and GC go on with a config
 * whose rest is broken, working from their records.
 */
int conf_parse(const char *data, size_t size, struct netconf *out, bool *core_ok,
	       struct cni_error *err) __attribute__((warn_unused_result));
/*
 * The "cniVersion" string of a config that may not parse otherwise (to label
 * an error, to answer VERSION). -ENOENT when there is none that fits.
 */
int conf_peek_version(const char *data, size_t size, char *out, size_t out_size);

/*
 * --validate: every "slicenet" plugin of a conflist, or one plugin config, in
 * data, parsed exactly as ADD parses it (slicesFile, when not NULL, replaces
 * the table's path). Nothing is created. Code 7 naming the bad value.
 */
int conf_validate(const char *data, size_t size, const char *slices_file, struct cni_error *err)
	__attribute__((warn_unused_result));

/* Accepts NULL and a partly parsed conf. */
void conf_free(struct netconf *conf);

/*
 * After a failed parse (DEL, GC): give every datapath whose config did not
 * parse its defaults, so removal can go on from the records.
 */
int conf_datapath_defaults(struct netconf *conf, struct cni_error *err)
	__attribute__((warn_unused_result));

/*
 * A MAC a pod interface may carry, from what (named in the message): six
 * hex pairs, unicast, not all zero; out gets it in lower case. Code 7.
 */
int conf_mac_normalize(const char *text, char out[CNI_MAC_STRLEN], const char *what,
		       struct cni_error *err) __attribute__((warn_unused_result));

/*
 * The static addresses an ADD asks for, merged as host-local does: CNI_ARGS
 * IP= (cni_args_ip, "" when absent) first, then args.cni.ips, then
 * runtimeConfig.ips; an address given twice counts once. Code 7.
 */
int conf_requested_ips(const struct netconf *conf, const char *cni_args_ip,
		       struct ipam_requested *out, struct cni_error *err)
	__attribute__((warn_unused_result));

/* The class named name, or NULL. */
const struct slice_class *conf_find_slice(const struct netconf *conf, const char *name);

/*
 * The parsed config of datapath name for class (NULL: the network level);
 * NULL when that datapath has none (unknown name, or the config is broken).
 */
const void *conf_datapath_conf(const struct netconf *conf, const struct slice_class *slice,
			       const char *name);

#endif
