#include "plugin/datapath.h"

#include <string.h>

#include "plugin/sriov.h"
#include "plugin/veth.h"
#include "plugin/vhostuser.h"

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
