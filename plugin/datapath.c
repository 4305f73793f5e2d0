#include "plugin/datapath.h"

#include <string.h>

extern const struct datapath_ops veth_datapath;

const struct datapath_ops *const datapath_registry[] = {
	&veth_datapath,
	NULL,
};

const struct datapath_ops *datapath_find(const char *name)
{
	for (const struct datapath_ops *const *ops = datapath_registry; *ops; ops++)
		if (!strcmp((*ops)->name, name))
			return *ops;
	return NULL;
}
