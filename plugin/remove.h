/* Removing one attachment: what DEL does, and GC for every stale one. */
#ifndef SLICENET_PLUGIN_REMOVE_H
#define SLICENET_PLUGIN_REMOVE_H

#include <stdbool.h>

#include "plugin/attachment.h"
#include "plugin/commands.h"

/*
 * The datapath named by the record; without a record, every datapath the
 * network's classes can use (all of them when the slice table is broken),
 * each a no-op for what it never created. Then the addresses and the record.
 * Best effort: every step runs, the first failure is returned.
 */
int remove_attachment(const struct cni_call *call, const struct attachment *att, bool have_record,
		      struct cni_error *err) __attribute__((warn_unused_result));

#endif
