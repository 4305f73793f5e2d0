/*
 * Per-attachment records in the plugin's state directory, one JSON file per
 * (container id, ifname) under <stateDir>/<network>/. state_save writes then
 * renames; ADD claims and updates in place (see state_claim).
 */
#ifndef SLICENET_PLUGIN_STATE_H
#define SLICENET_PLUGIN_STATE_H

#include <stdbool.h>

#include "plugin/attachment.h"
#include "plugin/cni/cni_error.h"

/* Take the network's lock (flock); returns an fd for state_unlock or -errno. */
int state_lock(const char *state_dir, const char *network, struct cni_error *err)
	__attribute__((warn_unused_result));
void state_unlock(int lock_fd);

int state_save(const char *state_dir, const struct attachment *att, struct cni_error *err)
	__attribute__((warn_unused_result));
/*
 * ADD's two writes, under the network's lock. state_claim creates the
 * record before anything else exists: -EEXIST (err untouched) when the
 * attachment already has one. It is created in place, so a crash mid-write
 * leaves a short record, which DEL and GC treat as unreadable (they fall
 * back to the ids), never as absent. state_update rewrites the claimed
 * record in place: a rename over it would cost ext4's data flush of the new
 * file (0.1-3 ms measured); a process killed mid-write of a record smaller
 * than a page leaves the old or the new one.
 */
int state_claim(const char *state_dir, const struct attachment *att, struct cni_error *err)
	__attribute__((warn_unused_result));
int state_update(const char *state_dir, const struct attachment *att, struct cni_error *err)
	__attribute__((warn_unused_result));
/* -ENOENT (without touching err) when there is no record. */
int state_load(const char *state_dir, const char *network, const char *container_id,
	       const char *ifname, struct attachment *out, struct cni_error *err)
	__attribute__((warn_unused_result));
/* 0 also when there was no record. */
int state_remove(const char *state_dir, const char *network, const char *container_id,
		 const char *ifname, struct cni_error *err) __attribute__((warn_unused_result));

/*
 * Call fn for every record of the network; a record that does not parse is
 * passed with ok=false and only its ids filled (from the file name).
 */
int state_foreach(const char *state_dir, const char *network,
		  int (*fn)(const struct attachment *att, bool ok, void *arg), void *arg,
		  struct cni_error *err) __attribute__((warn_unused_result));

#endif
