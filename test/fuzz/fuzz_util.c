#include "test/fuzz/fuzz_util.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

static char scratch[PATH_MAX];

static void remove_scratch(void)
{
	fuzz_empty_dir(scratch);
	rmdir(scratch);
}

const char *fuzz_scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (scratch[0])
		return scratch;
	/* tmpfs when it can: the store fsyncs every record. */
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	snprintf(scratch, sizeof(scratch), "%s/slicenet-fuzz.XXXXXX", tmp);
	if (!mkdtemp(scratch))
		abort();
	atexit(remove_scratch);
	return scratch;
}

static void empty(const char *dir, int depth)
{
	char path[PATH_MAX * 2];
	struct dirent *entry;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((entry = readdir(d))) {
		if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
		if (unlink(path) && depth > 0) {
			empty(path, depth - 1);
			rmdir(path);
		}
	}
	closedir(d);
}

void fuzz_empty_dir(const char *dir)
{
	empty(dir, 2);
}
