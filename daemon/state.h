/*
 * The persisted port table: <state-dir>/ports.state, one port.add record
 * (JSON) per line, replaced atomically (write, fsync, rename, fsync dir)
 * so a crash leaves either the old or the new table, never half of one.
 */
#ifndef SLICENET_DAEMON_STATE_H
#define SLICENET_DAEMON_STATE_H

#include <stddef.h>

#include "daemon/ctl_proto.h"

#define STATE_FILE "ports.state"

int state_save(const char *dir, const struct ctl_port_spec *specs, size_t n)
	__attribute__((warn_unused_result));
/*
 * Read the table into a malloc'ed array. A missing file is an empty table;
 * a bad line is logged to stderr and skipped (the other ports still come back).
 */
int state_load(const char *dir, struct ctl_port_spec **specs, size_t *n)
	__attribute__((warn_unused_result));

#endif
