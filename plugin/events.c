#include "plugin/events.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A field is one word: anything empty or holding whitespace is "-". */
static const char *or_dash(const char *s)
{
	return s && s[0] && !strpbrk(s, " \t\n\r\v\f") ? s : "-";
}

void events_append(const char *state_dir, const char *verb, const struct attachment *att,
		   int cni_code)
{
	char path[PATH_MAX], line[1024];
	struct stat st;
	int fd, len;

	if (snprintf(path, sizeof(path), "%s/" EVENTS_FILE, state_dir) >= (int)sizeof(path))
		return;
	len = snprintf(line, sizeof(line), "%lld %s %s %s %s %s %d %s %s\n", (long long)time(NULL),
		       verb, or_dash(att->network), or_dash(att->slice), or_dash(att->datapath),
		       or_dash(att->preferred), cni_code, or_dash(att->pod_namespace),
		       or_dash(att->pod_name));
	if (len <= 0 || len >= (int)sizeof(line))
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size < EVENTS_MAX_BYTES)
		(void)!write(fd, line, (size_t)len);
	close(fd);
}
