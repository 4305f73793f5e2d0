/* Incremental reading of events.log: offsets, partial lines, replacement, rotation. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/events_tail.h"

static char dir[64], path[128];
static char got[8192];
static int lines;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tevt.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events.log", dir);
	got[0] = '\0';
	lines = 0;
}

static void teardown(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(events_tail, .init = setup, .fini = teardown);

static void on_line(const char *line, size_t size, void *arg)
{
	(void)arg;
	strncat(got, line, size);
	strcat(got, "|");
	lines++;
}

static void append(const char *text)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void poll_ok(struct events_tail *t)
{
	struct error err = {0};

	cr_assert_eq(events_tail_poll(t, on_line, NULL, &err), 0, "%s", err.msg);
}

Test(events_tail, reads_only_new_complete_lines)
{
	struct events_tail t;
	struct error err = {0};

	cr_assert_eq(events_tail_init(&t, dir, 0, &err), 0);
	poll_ok(&t); /* no file yet */
	cr_assert_eq(lines, 0);
	append("a\nb\npart");
	poll_ok(&t);
	cr_assert_str_eq(got, "a|b|");
	append("ial\nc\n");
	poll_ok(&t);
	cr_assert_str_eq(got, "a|b|partial|c|");
	poll_ok(&t);
	cr_assert_eq(lines, 4, "nothing read twice");
}

Test(events_tail, starts_over_when_truncated_or_replaced)
{
	struct events_tail t;
	struct error err = {0};

	cr_assert_eq(events_tail_init(&t, dir, 0, &err), 0);
	append("one\ntwo\n");
	poll_ok(&t);
	cr_assert_eq(truncate(path, 0), 0);
	append("x\n");
	poll_ok(&t);
	cr_assert_str_eq(got, "one|two|x|");
	cr_assert_eq(unlink(path), 0);
	append("new1\nnew2\nnew3\n"); /* a new inode, longer than the old offset */
	poll_ok(&t);
	cr_assert_str_eq(got, "one|two|x|new1|new2|new3|");
}

Test(events_tail, rotates_past_the_threshold_without_losing_a_line)
{
	struct events_tail t;
	struct error err = {0};
	char consumed[160];
	struct stat st;
	int fd;

	snprintf(consumed, sizeof(consumed), "%s" EVENTS_TAIL_CONSUMED_SUFFIX, path);
	cr_assert_eq(events_tail_init(&t, dir, 8, &err), 0);
	append("0123456789\n");
	/* A writer that opened the file before the rotation... */
	fd = open(path, O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 0);
	poll_ok(&t);
	cr_assert_str_eq(got, "0123456789|");
	cr_assert_neq(stat(path, &st), 0, "renamed away past 8 bytes");
	cr_assert_eq(stat(consumed, &st), 0);
	/* ...writes after it: the line lands in the consumed file and is still read. */
	cr_assert_eq(write(fd, "late\n", 5), 5);
	close(fd);
	append("fresh\n");
	poll_ok(&t);
	cr_assert_str_eq(got, "0123456789|late|fresh|");
	cr_assert_neq(stat(consumed, &st), 0, "the consumed file is deleted after its last read");
}

Test(events_tail, a_consumed_file_left_by_a_crash_is_read_whole)
{
	struct events_tail t;
	struct error err = {0};
	char consumed[160];
	FILE *f;

	snprintf(consumed, sizeof(consumed), "%s" EVENTS_TAIL_CONSUMED_SUFFIX, path);
	f = fopen(consumed, "w");
	cr_assert_not_null(f);
	fputs("left\n", f);
	fclose(f);
	cr_assert_eq(events_tail_init(&t, dir, 0, &err), 0);
	append("now\n");
	poll_ok(&t);
	cr_assert_str_eq(got, "left|now|");
	cr_assert_neq(access(consumed, F_OK), 0);
}
