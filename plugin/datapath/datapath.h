/*
 * One small interface per datapath (veth, sriov, vhostuser) and the registry
 * that lists them: a new datapath is one file group plus one line in
 * datapath.c. Like iproute2's link_util, each datapath parses its own config
 * section (the parse op, part of the parse layer); the other ops act on the
 * typed result and on the attachment, which carries the call's identity.
 */
#ifndef SLICENET_PLUGIN_DATAPATH_DATAPATH_H
#define SLICENET_PLUGIN_DATAPATH_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin/attachment.h"
#include "plugin/cni/cni_error.h"
#include "plugin/cni/cni_types.h"
#include "plugin/conf/conf.h"

struct json_t; /* jansson's, seen only by the parse ops */

/* What a parse op reads. */
struct datapath_parse_input {
	const struct json_t *section;	/* the network's "<datapath>" object; NULL when absent */
	const struct json_t *class_obj; /* the class's object (overrides); NULL at network level */
	const char *class_name;		/* NULL at network level */
	const struct netconf *conf;	/* the core (name, state_dir) is parsed already */
};

struct datapath_context {
	const struct netconf *conf;
	const struct slice_class *slice; /* NULL on DEL/GC of a class that is gone */
	/* this datapath's parsed config (the class's, else the network's); never NULL */
	const void *dp_conf;
};

typedef bool (*datapath_is_valid_fn)(const char *container_id, const char *ifname, void *arg);

struct datapath_ops {
	const char *name;
	size_t conf_size; /* bytes of the parse op's output */
	/*
	 * Fill out (conf_size bytes, zeroed) from the network section, then the
	 * class's overrides, applying defaults. Code 7 naming key and value.
	 */
	int (*parse)(const struct datapath_parse_input *in, void *out, struct cni_error *err);
	/* Can this node serve att with the datapath now? why explains a "no". */
	bool (*available)(const struct datapath_context *ctx, const struct attachment *att,
			  char *why, size_t why_size);
	/*
	 * result->ips/routes hold IPAM's addresses (interface -1). add appends
	 * the host-side and the container interface (named att->ifname, sandbox
	 * att->netns), points ips[].interface at the container one, adds its
	 * routes, and records host-side names in att. On failure it removes
	 * everything it created.
	 */
	int (*add)(const struct datapath_context *ctx, struct attachment *att,
		   struct cni_result *result, struct cni_error *err);
	/* Compare what exists with expected (prevResult or the record). */
	int (*check)(const struct datapath_context *ctx, const struct attachment *att,
		     const struct cni_result *expected, struct cni_error *err);
	/* Remove what add created; 0 when it is already gone. */
	int (*del)(const struct datapath_context *ctx, const struct attachment *att,
		   struct cni_error *err);
	/*
	 * Optional, for GC: remove this network's host-side leftovers that no
	 * record describes (a crash between creating them and saving the
	 * record) and whose (container id, ifname) is_valid rejects.
	 */
	int (*gc)(const struct datapath_context *ctx, datapath_is_valid_fn is_valid, void *arg,
		  struct cni_error *err);
};

/* NULL when name is no registered datapath. */
const struct datapath_ops *datapath_find(const char *name);
/* NULL-terminated registry, in no particular order. */
extern const struct datapath_ops *const datapath_registry[];

/*
 * The context for ops of datapath ops on class slice (NULL: network level).
 * Fails (code 7) only when the config of that datapath did not parse.
 */
int datapath_context_make(const struct netconf *conf, const struct slice_class *slice,
			  const struct datapath_ops *ops, struct datapath_context *out,
			  struct cni_error *err) __attribute__((warn_unused_result));

#endif
