/* The plugin's log: a file (stdout carries only the result), with levels. */
#ifndef SLICENET_PLUGIN_LOG_H
#define SLICENET_PLUGIN_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* "error"|"warn"|"info"|"debug" -> level; -EINVAL for anything else. */
int log_level_parse(const char *text);
#define LOG_DEFAULT_MAX_BYTES (10ull << 20)

/*
 * Open path for appending (NULL/"" closes the log). Failure leaves logging
 * off. max_bytes caps the file (0 = no cap): before a line is written to a
 * file that has reached it, the file is renamed to "<path>.1" (replacing
 * the previous one) and a new one is started.
 *
 * Many plugin processes log to one file at once, without a lock:
 * - every line is one write() with O_APPEND, so lines never interleave;
 * - whoever first sees the file over the cap renames it (rename is atomic);
 *   a process that sees the cap passed on a file that is no longer <path>
 *   (someone else rotated it) only reopens <path>;
 * - a process still holding the old file may add a line or two to
 *   "<path>.1" before it notices: lines are never lost to rotation, and the
 *   file may pass the cap by about one line per concurrent writer;
 * - in the rare case that two processes rotate in the same instant (both
 *   checked before either renamed), a fresh, short <path> can be renamed
 *   over "<path>.1": older history goes early, never a line being written.
 */
int log_open(const char *path, enum log_level level, unsigned long long max_bytes)
	__attribute__((warn_unused_result));
void log_close(void);
/* Prefix every later line with this call's identity (command, container). */
void log_set_context(const char *context);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
