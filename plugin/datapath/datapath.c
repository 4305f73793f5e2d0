#include "plugin/datapath/datapath.h"

#include <errno.h>
#include <string.h>

#include "plugin/datapath/sriov.h"
#include "plugin/datapath/veth.h"
#include "plugin/datapath/vhostuser.h"

const struct datapath_ops *const datapath_registry[] = {
	&veth_datapath,
	&sriov_datapath,
	&vhostuser_datapath,
	NULL,
};

const struct datapath_ops *datapath_find(const char *name)
{
	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++)
		if (!strcmp((*ops)->name, name))
			return *ops;
	return NULL;
}

int datapath_context_make(const struct netconf *conf, const struct slice_class *slice,
			  const struct datapath_ops *ops, struct datapath_context *out,
			  struct cni_error *err)
{
	out->conf = conf;
	out->slice = slice;
	out->dp_conf = conf_datapath_conf(conf, slice, ops->name);
	if (!out->dp_conf)
		return cni_error_set(err, CNI_ERR_INVALID_CONFIG, EINVAL,
				     "the \"%s\" configuration did not parse", ops->name);
	return 0;
}
