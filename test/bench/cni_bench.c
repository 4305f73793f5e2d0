/*
 * Times CNI calls the way a runtime makes them: fork+exec of the plugin with
 * the CNI_* environment and the config on stdin. Reports per-call latency
 * percentiles and the plugin's peak RSS (wait4 rusage), so slicenet and a
 * reference plugin are measured by the same clock in the same run.
 *
 * cni_bench PLUGIN CONF_FILE CNI_PATH NETNS_PREFIX COUNT PARALLEL [LIFETIME_MS]
 *   sequential (PARALLEL=1): for i in 0..COUNT: ADD then DEL of pod i
 *   parallel   (PARALLEL=N): N ADDs at once, then N DELs at once
 *   LIFETIME_MS (0..10000, default 0): the pods live this long between their
 *   ADD and DEL, untimed. A DEL right after an ADD waits in the kernel for
 *   what the ADD set off (the veth's deletion waits for an RCU barrier), so
 *   back-to-back cycles time a case runtimes rarely make.
 * Netns NETNS_PREFIX0..63 must exist; pod i uses NETNS_PREFIX<i % 64>. Prints one JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NETNS 64

struct call {
	pid_t pid;
	struct timespec start;
	double ms;
	long max_rss_kb;
	int status;
};

static double now_ms(const struct timespec *t)
{
	return (double)t->tv_sec * 1e3 + (double)t->tv_nsec / 1e6;
}

static char *conf;
static size_t conf_size;

static int start(struct call *c, const char *plugin, const char *command, const char *netns,
		 int index, const char *cni_path)
{
	char id[64], tmpl[] = "/tmp/cni-bench-in.XXXXXX";
	int fd = mkstemp(tmpl);

	if (fd < 0 || write(fd, conf, conf_size) != (ssize_t)conf_size)
		return -errno;
	unlink(tmpl);
	lseek(fd, 0, SEEK_SET);
	snprintf(id, sizeof(id), "bench-%d", index);
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(fd, 0);
		dup2(devnull, 1);
		setenv("CNI_COMMAND", command, 1);
		setenv("CNI_CONTAINERID", id, 1);
		setenv("CNI_NETNS", netns, 1);
		setenv("CNI_IFNAME", "eth0", 1);
		setenv("CNI_PATH", cni_path, 1);
		setenv("CNI_ARGS", "", 1);
		execl(plugin, plugin, (char *)NULL);
		_exit(127);
	}
	close(fd);
	return 0;
}

static void finish(struct call *c)
{
	struct rusage ru;
	struct timespec end;

	while (wait4(c->pid, &c->status, 0, &ru) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &end);
	c->ms = now_ms(&end) - now_ms(&c->start);
	c->max_rss_kb = ru.ru_maxrss;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof(*ms), compare);
	printf("\"%s\":{\"n\":%d,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f}", name, n,
	       ms[n / 2], ms[n * 9 / 10], ms[n * 99 / 100 < n ? n * 99 / 100 : n - 1], ms[n - 1]);
}

int main(int argc, char **argv)
{
	const char *plugin, *cni_path, *prefix;
	int count, parallel, failures = 0;
	double *add_ms, *del_ms, *cycle_ms, wall_add = 0, wall_del = 0;
	long peak_rss = 0, lifetime_ms;
	struct timespec lifetime;
	struct call *calls;
	char netns[256];
	FILE *f;

	if (argc != 7 && argc != 8) {
		fprintf(stderr,
			"usage: %s PLUGIN CONF CNI_PATH NETNS_PREFIX COUNT PARALLEL "
			"[LIFETIME_MS]\n",
			argv[0]);
		return 2;
	}
	lifetime_ms = argc == 8 ? atol(argv[7]) : 0;
	if (lifetime_ms < 0 || lifetime_ms > 10000)
		return 2;
	lifetime = (struct timespec){.tv_sec = lifetime_ms / 1000,
				     .tv_nsec = lifetime_ms % 1000 * 1000000L};
	plugin = argv[1];
	cni_path = argv[3];
	prefix = argv[4];
	count = atoi(argv[5]);
	parallel = atoi(argv[6]);
	f = fopen(argv[2], "r");
	if (!f || count <= 0 || parallel <= 0)
		return 2;
	conf = malloc(1 << 20);
	conf_size = fread(conf, 1, 1 << 20, f);
	fclose(f);
	add_ms = calloc((size_t)count, sizeof(double));
	del_ms = calloc((size_t)count, sizeof(double));
	cycle_ms = calloc((size_t)count, sizeof(double));
	calls = calloc((size_t)count, sizeof(*calls));
	if (!add_ms || !del_ms || !cycle_ms || !calls)
		return 1;

	for (int base = 0; base < count; base += parallel) {
		int n = count - base < parallel ? count - base : parallel;
		const char *commands[2] = {"ADD", "DEL"};

		for (int phase = 0; phase < 2; phase++) {
			struct timespec t0, t1;

			if (phase && lifetime_ms)
				nanosleep(&lifetime, NULL);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (int i = 0; i < n; i++) {
				snprintf(netns, sizeof(netns), "/run/netns/%s%d", prefix,
					 (base + i) % BENCH_NETNS);
				if (start(&calls[base + i], plugin, commands[phase], netns,
					  base + i, cni_path))
					return 1;
			}
			for (int i = 0; i < n; i++) {
				struct call *c = &calls[base + i];

				finish(c);
				if (!WIFEXITED(c->status) || WEXITSTATUS(c->status))
					failures++;
				(phase ? del_ms : add_ms)[base + i] = c->ms;
				if (c->max_rss_kb > peak_rss)
					peak_rss = c->max_rss_kb;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			*(phase ? &wall_del : &wall_add) += now_ms(&t1) - now_ms(&t0);
		}
	}
	/* Pair each ADD with its DEL before report() sorts the arrays. */
	for (int i = 0; i < count; i++)
		cycle_ms[i] = add_ms[i] + del_ms[i];
	printf("{\"plugin\":\"%s\",\"count\":%d,\"parallel\":%d,\"failures\":%d,", plugin, count,
	       parallel, failures);
	report("add", add_ms, count);
	putchar(',');
	report("del", del_ms, count);
	putchar(',');
	report("add_del", cycle_ms, count);
	printf(",\"wall_add_ms\":%.3f,\"wall_del_ms\":%.3f,\"peak_rss_kb\":%ld}\n", wall_add,
	       wall_del, peak_rss);
	return failures ? 1 : 0;
}
