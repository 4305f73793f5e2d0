/* The VF reservation record's JSON form. */
#ifndef SLICENET_PLUGIN_DATAPATH_SRIOV_POOL_CODEC_H
#define SLICENET_PLUGIN_DATAPATH_SRIOV_POOL_CODEC_H

#include <stddef.h>

#include "plugin/datapath/sriov_pool.h"

/* malloc'ed compact JSON text, NULL when out of memory. */
char *sriov_pool_encode(const struct sriov_reservation *r);
/* 0, or -EINVAL when text is not a complete record. */
int sriov_pool_decode(const char *text, size_t size, struct sriov_reservation *r)
	__attribute__((warn_unused_result));

#endif
