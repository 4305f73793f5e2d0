#include "plugin/util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static enum log_level log_threshold = LOG_LEVEL_INFO;
static char log_context[160];
static char log_path[PATH_MAX];
static char log_rotated[PATH_MAX + 2]; /* "<path>.1"; "" = no cap */
static unsigned long long log_max_bytes;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *text)
{
	for (int i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++)
		if (!strcmp(text, level_names[i]))
			return i;
	return -EINVAL;
}

static int open_log(void)
{
	return open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int log_open(const char *path, enum log_level level, unsigned long long max_bytes)
{
	log_close();
	log_threshold = level;
	log_rotated[0] = '\0';
	if (!path || !*path)
		return 0;
	if (snprintf(log_path, sizeof(log_path), "%s", path) >= (int)sizeof(log_path))
		return -ENAMETOOLONG;
	log_max_bytes = max_bytes;
	if (max_bytes)
		snprintf(log_rotated, sizeof(log_rotated), "%s.1", path);
	log_fd = open_log();
	return log_fd < 0 ? -errno : 0;
}

/* The file we write to has reached the cap: rotate it unless someone did, then reopen. */
static void rotate_if_full(void)
{
	struct stat held, named;
	int fd;

	if (!log_rotated[0] || fstat(log_fd, &held) ||
	    (unsigned long long)held.st_size < log_max_bytes)
		return;
	/* Only the file we hold, and only while it is still <path>: never a newer one. */
	if (!stat(log_path, &named) && named.st_dev == held.st_dev && named.st_ino == held.st_ino)
		(void)rename(log_path,
			     log_rotated); /* a lost race (ENOENT) is someone else's rotation */
	fd = open_log();
	if (fd < 0)
		return; /* keep writing where we were rather than lose lines */
	close(log_fd);
	log_fd = fd;
}

void log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void log_set_context(const char *context)
{
	snprintf(log_context, sizeof(log_context), "%s", context);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	struct timeval now;
	struct tm tm;
	va_list ap;
	int len;

	if (log_fd < 0 || level > log_threshold)
		return;
	gettimeofday(&now, NULL);
	gmtime_r(&now.tv_sec, &tm);
	len = snprintf(line, sizeof(line),
		       "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ %s [%d] %s: ", tm.tm_year + 1900,
		       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		       (long)now.tv_usec, level_names[level], (int)getpid(), log_context);
	if (len < 0 || len >= (int)sizeof(line) - 2)
		return;
	va_start(ap, fmt);
	len += vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 2)
		len = (int)sizeof(line) - 2; /* a long line is cut, never split */
	line[len++] = '\n';
	rotate_if_full();
	/* One write() per line with O_APPEND: concurrent plugin calls do not interleave. */
	if (write(log_fd, line, (size_t)len) < 0)
		return;
}
