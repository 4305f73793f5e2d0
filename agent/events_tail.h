/*
 * Reads the plugin's events.log incrementally and keeps it small.
 *
 * The agent keeps the file open (so its inode number cannot be reused under
 * it) with the offset of the first unread byte; each poll reads the complete
 * lines past it. When the path names another file (replaced), the old one is
 * read to its end and the new one from 0; a size below the offset
 * (truncated) starts over at 0. A partial last line waits for the next poll.
 *
 * The plugin appends with one O_APPEND write and no lock, so truncating in
 * place could lose a line written between our last read and the truncate.
 * Instead, once the offset passes rotate_bytes (far below the plugin's
 * 4 MiB cap), the file is renamed to events.log.consumed: the next plugin
 * call creates a fresh events.log. The renamed file is read to its end once
 * more on the next poll (a writer that opened it just before the rename has
 * written by then) and deleted. One left behind by a crash is read whole and
 * deleted on start. Lines still in events.log when the agent restarts are
 * counted again (counters restart from zero with the agent anyway).
 */
#ifndef SLICENET_AGENT_EVENTS_TAIL_H
#define SLICENET_AGENT_EVENTS_TAIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "plugin/util/error.h"

#define EVENTS_TAIL_CONSUMED_SUFFIX ".consumed"
#define EVENTS_TAIL_DEFAULT_ROTATE  (256u << 10)

struct events_tail {
	char path[PATH_MAX];
	char consumed_path[PATH_MAX];
	size_t rotate_bytes;
	int fd; /* the file at path, -1 before it exists */
	off_t offset;
	int consumed_fd; /* consumed_path, needing its last read; -1 = none */
	off_t consumed_offset;
};

/* Called with each complete line (without '\n'). */
typedef void (*events_tail_line_fn)(const char *line, size_t size, void *arg);

/* <state_dir>/events.log; rotate_bytes 0 = the default. 0 or -errno. */
int events_tail_init(struct events_tail *t, const char *state_dir, size_t rotate_bytes,
		     struct error *err) __attribute__((warn_unused_result));

/*
 * Deliver the lines added since the last poll, rotating as described. A
 * missing file is no error. 0, or -errno with err (lines already delivered
 * stay delivered; the next poll goes on from there).
 */
int events_tail_poll(struct events_tail *t, events_tail_line_fn fn, void *arg, struct error *err)
	__attribute__((warn_unused_result));

/* Close the files. Accepts a zeroed or closed tail. */
void events_tail_close(struct events_tail *t);

#endif
