/* The plugin's log: a file (stdout carries only the result), with levels. */
#ifndef SLICENET_PLUGIN_LOG_H
#define SLICENET_PLUGIN_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* "error"|"warn"|"info"|"debug" -> level; -EINVAL for anything else. */
int log_level_parse(const char *text);
/* Open path for appending (NULL/"" closes the log). Failure leaves logging off. */
int log_open(const char *path, enum log_level level) __attribute__((warn_unused_result));
void log_close(void);
/* Prefix every later line with this call's identity (command, container). */
void log_set_context(const char *context);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
