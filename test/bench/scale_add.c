/*
 * The scale benchmark's driver: COUNT CNI calls of one command, PARALLEL at
 * a time (a pool of callers, as kubelet with many pods starting at once),
 * each a posix_spawn of the plugin with the CNI_* environment and the config
 * on stdin. Pod i is container "scale-<i>" in netns /run/netns/<PREFIX><i>;
 * its stdout goes to OUTDIR/<i>.json. Prints one line per call, in completion
 * order: "index start_ms end_ms latency_ms exit_status".
 *
 * scale_add PLUGIN CONF CNI_PATH NETNS_PREFIX COMMAND COUNT PARALLEL OUTDIR
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct run {
	const char *plugin, *conf, *cni_path, *prefix, *command, *outdir;
	int count;
	int next; /* under lock */
	pthread_mutex_t lock;
	struct timespec epoch;
};

static double since(const struct timespec *epoch)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - epoch->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - epoch->tv_nsec) / 1e6;
}

static int call(struct run *run, int i)
{
	char env_buf[6][512], out[4096];
	char *env[7], *argv[] = {(char *)run->plugin, NULL};
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status = -1, ret;

	snprintf(env_buf[0], sizeof(env_buf[0]), "CNI_COMMAND=%s", run->command);
	snprintf(env_buf[1], sizeof(env_buf[1]), "CNI_CONTAINERID=scale-%d", i);
	snprintf(env_buf[2], sizeof(env_buf[2]), "CNI_NETNS=/run/netns/%s%d", run->prefix, i);
	snprintf(env_buf[3], sizeof(env_buf[3]), "CNI_IFNAME=eth0");
	snprintf(env_buf[4], sizeof(env_buf[4]), "CNI_PATH=%s", run->cni_path);
	snprintf(env_buf[5], sizeof(env_buf[5]), "CNI_ARGS=K8S_POD_NAME=scale-%d", i);
	for (int k = 0; k < 6; k++)
		env[k] = env_buf[k];
	env[6] = NULL;
	if (snprintf(out, sizeof(out), "%s/%s-%d.json", run->outdir, run->command, i) >=
	    (int)sizeof(out))
		return -ENAMETOOLONG;
	if ((ret = posix_spawn_file_actions_init(&actions)) ||
	    (ret = posix_spawn_file_actions_addopen(&actions, 0, run->conf, O_RDONLY, 0)) ||
	    (ret = posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
						    0644)))
		return -ret;
	ret = posix_spawn(&pid, run->plugin, &actions, NULL, argv, env);
	posix_spawn_file_actions_destroy(&actions);
	if (ret)
		return -ret;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void *caller(void *arg)
{
	struct run *run = arg;

	for (;;) {
		double start, end;
		int i, status;

		pthread_mutex_lock(&run->lock);
		i = run->next++;
		pthread_mutex_unlock(&run->lock);
		if (i >= run->count)
			return NULL;
		start = since(&run->epoch);
		status = call(run, i);
		end = since(&run->epoch);
		/* One line per stdio call: whole lines even with 16 writers. */
		printf("%d %.3f %.3f %.3f %d\n", i, start, end, end - start, status);
	}
}

int main(int argc, char **argv)
{
	struct run run = {.lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t threads[256];
	int parallel;

	if (argc != 9) {
		fprintf(stderr,
			"usage: %s PLUGIN CONF CNI_PATH NETNS_PREFIX COMMAND COUNT PARALLEL "
			"OUTDIR\n",
			argv[0]);
		return 2;
	}
	run.plugin = argv[1];
	run.conf = argv[2];
	run.cni_path = argv[3];
	run.prefix = argv[4];
	run.command = argv[5];
	run.count = atoi(argv[6]);
	parallel = atoi(argv[7]);
	run.outdir = argv[8];
	if (parallel < 1 || parallel > 256 || run.count < 1) {
		fprintf(stderr, "PARALLEL must be 1..256 and COUNT positive\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &run.epoch);
	for (int t = 0; t < parallel; t++)
		if (pthread_create(&threads[t], NULL, caller, &run)) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	for (int t = 0; t < parallel; t++)
		pthread_join(threads[t], NULL);
	return 0;
}
