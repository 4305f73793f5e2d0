/*
 * The plugin's attachment records: state_load and state_foreach (GC) on a
 * record file holding the input.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/state.h"
#include "test/fuzz/fuzz_util.h"

static char state_dir[PATH_MAX], record[PATH_MAX + 64];

static int visit(const struct attachment *att, bool ok, void *arg)
{
	(void)ok;
	if (!memchr(att->container_id, '\0', sizeof(att->container_id)) ||
	    !memchr(att->ifname, '\0', sizeof(att->ifname)))
		__builtin_trap();
	++*(int *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attachment *att = malloc(sizeof(*att));
	struct cni_error err = {0};
	int fd, seen = 0;

	if (!att)
		abort();
	if (!state_dir[0]) {
		snprintf(state_dir, sizeof(state_dir), "%s/state", fuzz_scratch_dir());
		snprintf(record, sizeof(record), "%s/net/ctr1:eth0.json", state_dir);
		mkdir(state_dir, 0700);
		snprintf(att->network, sizeof(att->network), "%s/net", state_dir);
		mkdir(att->network, 0700);
	}
	fd = open(record, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (!state_load(state_dir, "net", "ctr1", "eth0", att, &err)) {
		if (att->result.n_ips > CNI_MAX_IPS ||
		    att->result.n_interfaces > CNI_MAX_INTERFACES ||
		    att->result.n_routes > CNI_MAX_ROUTES)
			__builtin_trap();
	} else if (!err.msg[0]) {
		__builtin_trap();
	}
	memset(&err, 0, sizeof(err));
	if (state_foreach(state_dir, "net", visit, &seen, &err) || seen != 1)
		__builtin_trap();
	free(att);
	return 0;
}
