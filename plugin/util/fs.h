/*
 * File-system plumbing written once: mkdir -p, whole-file writes that never
 * follow a symlink, bounded reads, lock files. Everything returns 0 (or an
 * fd) or -errno; the caller names the path in its message.
 *
 * Two kinds of directory: our own (state, pools, IPAM store: only root
 * writes there, so write-to-temp-then-rename is safe) and pod-writable ones
 * (vhost-user socket directories: a pod can put a symlink, FIFO or directory
 * under any name at any time). The *_at functions take a directory fd so a
 * name is resolved once, in that directory, without following symlinks.
 */
#ifndef SLICENET_PLUGIN_UTIL_FS_H
#define SLICENET_PLUGIN_UTIL_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* mkdir -p path; every existing component must be a directory. */
int fs_mkdirs(const char *path, mode_t mode) __attribute__((warn_unused_result));

/* mkdir -p of path's parent directory. */
int fs_mkdirs_parent(const char *path, mode_t mode) __attribute__((warn_unused_result));

/*
 * Open directory name below dir_fd (AT_FDCWD: a path) for *at calls. The last
 * component is never followed when it is a symlink (-ELOOP / -ENOTDIR). With
 * create, a missing directory is made with mode first.
 */
int fs_dir_open_at(int dir_fd, const char *name, bool create, mode_t mode)
	__attribute__((warn_unused_result));

/*
 * Replace name in our own directory dir_fd with data: written to a temp name
 * (O_EXCL, O_NOFOLLOW) and renamed over, so a reader sees the old or the new
 * file, never half. With exclusive, an existing name is -EEXIST instead.
 */
int fs_write_replace_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode,
			bool exclusive) __attribute__((warn_unused_result));
/* The same by path (the parent directory is opened without following symlinks). */
int fs_write_replace(const char *path, const void *data, size_t size, mode_t mode, bool exclusive)
	__attribute__((warn_unused_result));

/*
 * Create name in our own directory dir_fd with data, O_EXCL | O_NOFOLLOW:
 * -EEXIST when the name is taken (by anything, a symlink included). No temp
 * file: a crash mid-write leaves a short file under name, so it is for files
 * whose readers treat a short one as unreadable, not as absent.
 */
int fs_create_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode)
	__attribute__((warn_unused_result));

/*
 * Overwrite name in our own directory dir_fd in place (created when absent):
 * no temp file, no rename. ext4 flushes the data of a file renamed over
 * another (auto_da_alloc), which cost 0.3-3 ms per call here, so this is for
 * files a torn write cannot hurt: hints, or files that carry their own
 * check. A reader may see old and new bytes mixed while a write is under
 * way. Not a regular file (FIFO, directory) is -EINVAL; a symlink -ELOOP.
 * size must not be 0.
 */
int fs_write_inplace_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode)
	__attribute__((warn_unused_result));

/*
 * Write name in a pod-writable directory: whatever the pod put under that
 * name (a regular file, symlink, FIFO) is unlinked, never opened; the new file
 * is created O_EXCL | O_NOFOLLOW, so a race with the pod fails (-EEXIST)
 * instead of writing through its link. A directory in the way is -EISDIR.
 */
int fs_write_new_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode)
	__attribute__((warn_unused_result));

/*
 * Remove name from dir_fd when it is not a directory; 0 when it is absent.
 * unlinkat never follows a symlink, so at worst the pod's own link goes.
 */
int fs_unlink_at(int dir_fd, const char *name) __attribute__((warn_unused_result));

/*
 * Read a whole regular file of at most max bytes: O_NOFOLLOW | O_NONBLOCK
 * (a FIFO cannot block us), fstat says regular file or -EINVAL, larger is
 * -EFBIG. *out is NUL-terminated and malloc'ed.
 */
int fs_read_at(int dir_fd, const char *name, size_t max, char **out, size_t *size)
	__attribute__((warn_unused_result));

/* Exclusive flock on dir/name (created 0600); returns the fd to pass to fs_unlock. */
int fs_lock(const char *dir, const char *name) __attribute__((warn_unused_result));
/* Accepts -1. */
void fs_unlock(int fd);

#endif
