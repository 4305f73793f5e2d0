#include "plugin/datapath/datapath.h"

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
