/* The plugin's log: levels, one line per write, size cap with rotation to <file>.1. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin/util/log.h"

static char dir[] = "/tmp/sn-log-XXXXXX";
static char path[64], rotated[64];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/slicenet.log", dir);
	snprintf(rotated, sizeof(rotated), "%s/slicenet.log.1", dir);
}

static void teardown(void)
{
	log_close();
	unlink(path);
	unlink(rotated);
	rmdir(dir);
}

static off_t size_of(const char *file)
{
	struct stat st;

	return stat(file, &st) ? -1 : st.st_size;
}

/* Lines of file that end in "<tag> <n>" with the right payload; -1 if any line is broken. */
static int count_lines(const char *file, const char *payload)
{
	char line[2048];
	FILE *f = fopen(file, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		if (!len || line[len - 1] != '\n' || !strstr(line, payload)) {
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	return n;
}

static bool contains(const char *file, const char *text)
{
	char buf[8192];
	FILE *f = fopen(file, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

TestSuite(log, .init = setup, .fini = teardown);

Test(log, levels_filter_lines)
{
	cr_assert_eq(log_open(path, LOG_LEVEL_WARN, 0), 0);
	log_set_context("ADD ctr/eth0");
	log_info("not this");
	log_warn("this %d", 1);
	log_close();
	cr_assert_eq(count_lines(path, "warn ["), 1);
	cr_assert_eq(count_lines(path, "ADD ctr/eth0: this 1"), 1);
}

Test(log, no_cap_never_rotates)
{
	int i;

	cr_assert_eq(log_open(path, LOG_LEVEL_INFO, 0), 0);
	for (i = 0; i < 200; i++)
		log_info("line %d", i);
	log_close();
	cr_assert_eq(count_lines(path, "line "), 200);
	cr_assert_eq(size_of(rotated), -1, "rotated without a cap");
}

Test(log, rotates_past_the_cap_and_keeps_one)
{
	off_t line_len;
	int i, in_log, in_old;

	cr_assert_eq(log_open(path, LOG_LEVEL_INFO, 1000), 0);
	log_info("line %04d", 0);
	line_len = size_of(path);
	for (i = 1; i < 100; i++)
		log_info("line %04d", i);
	log_close();
	in_log = count_lines(path, "line ");
	in_old = count_lines(rotated, "line ");
	cr_assert_geq(in_log, 1);
	cr_assert_geq(in_old, 1);
	/* The cap is passed by at most the one line that reached it. */
	cr_assert_leq(size_of(path), 1000 + line_len);
	cr_assert_leq(size_of(rotated), 1000 + line_len);
	cr_assert_geq(size_of(rotated), 1000);
	/* Only one old file is kept: the newest lines survive, in order across the two. */
	cr_assert_lt(in_log + in_old, 100);
	cr_assert(contains(path, "line 0099\n"));
	cr_assert_not(contains(path, "line 0000\n"));
}

Test(log, another_process_rotated_first)
{
	cr_assert_eq(log_open(path, LOG_LEVEL_INFO, 100), 0);
	log_info("first, well past one hundred bytes with the timestamp and the level and pid");
	/* Someone else rotates, and starts the new file. */
	cr_assert_eq(rename(path, rotated), 0);
	close(open(path, O_WRONLY | O_CREAT, 0640));
	log_info("second");
	log_close();
	/* Our next line went to the new file; the rotated one was not renamed again. */
	cr_assert_eq(count_lines(rotated, "first"), 1);
	cr_assert_eq(count_lines(path, "second"), 1);
}

Test(log, concurrent_writers_never_break_a_line)
{
	enum { WRITERS = 6, LINES = 400 };
	char payload[200];
	int w, i, status, in_log, in_old;

	memset(payload, 'x', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	for (w = 0; w < WRITERS; w++) {
		pid_t pid = fork();

		cr_assert_geq(pid, 0);
		if (pid == 0) {
			if (log_open(path, LOG_LEVEL_INFO, 20000))
				_exit(1);
			for (i = 0; i < LINES; i++)
				log_info("%s", payload);
			log_close();
			_exit(0);
		}
	}
	for (w = 0; w < WRITERS; w++) {
		cr_assert_gt(wait(&status), 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	in_log = count_lines(path, payload);
	in_old = count_lines(rotated, payload);
	/* Every line whole (no interleaving, no torn line), in both files. */
	cr_assert_geq(in_log, 1, "log: %d", in_log);
	cr_assert_geq(in_old, 1, "rotated: %d", in_old);
	/* Bounded: the cap plus about a line per writer (and late lines into the old file). */
	cr_assert_leq(size_of(path), 20000 + 2 * WRITERS * 300);
	cr_assert_leq(size_of(rotated), 20000 + 2 * WRITERS * 300);
}
