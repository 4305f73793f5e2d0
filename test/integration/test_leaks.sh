#!/bin/bash
# Leaks: LEAK_CYCLES (default 200; `make soak` runs 1,000) ADD/DEL cycles of
# the veth datapath with in-process IPAM, through the plugin built with
# ASan + LeakSanitizer ($BUILD_DIR/leak/slicenet). Checks: no sanitizer
# report, no descriptor left open when the plugin exits, and nothing left on
# the host (links, IPAM files, state records, temp files) -- no growth.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SUBNET_PREFIX=10.93.0
. "$here/plugin_env.sh"

CYCLES=${LEAK_CYCLES:-200}
LEAK_PLUGIN=$BUILD_DIR/leak/slicenet
SANLOG=$TMP/sanitizer
FDLOG=$TMP/fds
mkdir -p "$SANLOG" "$FDLOG"

if [ ! -x "$LEAK_PLUGIN" ]; then
	make -C "$here/../.." --no-print-directory BUILD="$BUILD_DIR" leak-bins >&2
fi

# An LD_PRELOAD destructor that lists the descriptors still open when the
# plugin exits (beyond stdin/out/err): a short-lived process leaks fds only
# that way, so this is the fd check. ASan must otherwise come first in the
# library list; verify_asan_link_order=0 lets the preload sit before it.
FDCHECK=$TMP/fdcheck.so
cat >"$TMP/fdcheck.c" <<'C'
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char inherited[1024];
static void list_fds(void (*fn)(int fd, DIR *d, void *arg), void *arg)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			fn(atoi(e->d_name), d, arg);
	closedir(d);
}
static void mark(int fd, DIR *d, void *arg)
{
	(void)d; (void)arg;
	if (fd < 1024)
		inherited[fd] = 1;
}
/* What the caller handed us is not the plugin's to close. */
__attribute__((constructor)) static void fds_at_start(void)
{
	list_fds(mark, NULL);
}
static void report(int fd, DIR *d, void *arg)
{
	FILE *f = arg;
	char path[64], link[4096];
	ssize_t n;
	(void)d;
	if (fd <= 2 || fd == fileno(f) || (fd < 1024 && inherited[fd]))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	fprintf(f, "%d %s\n", fd, link);
}
__attribute__((destructor)) static void fds_at_exit(void)
{
	const char *dir = getenv("FDCHECK_DIR");
	char out[4096];
	FILE *f;
	if (!dir)
		return;
	snprintf(out, sizeof(out), "%s/%d", dir, (int)getpid());
	if (!(f = fopen(out, "w")))
		return;
	list_fds(report, f);
	fclose(f);
}
C
cc -shared -fPIC -O1 -o "$FDCHECK" "$TMP/fdcheck.c" || fail "cannot build the fd checker"

sanitized_call() { # cni_call arguments...
	ASAN_OPTIONS=detect_leaks=1:exitcode=23:verify_asan_link_order=0:log_path=$SANLOG/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$SANLOG/ubsan \
	LD_PRELOAD=$FDCHECK FDCHECK_DIR=$FDLOG PLUGIN=$LEAK_PLUGIN cni_call "$@"
}

no_reports() { # what
	local f
	for f in "$SANLOG"/*; do
		[ -e "$f" ] || continue
		head -40 "$f" >&2
		fail "$1: sanitizer report in $f"
	done
	for f in "$FDLOG"/*; do
		[ -s "$f" ] || continue
		cat "$f" >&2
		fail "$1: plugin pid ${f##*/} exited with descriptors open"
	done
}

# Files outside the IPAM reservations and records, e.g. temp files of
# interrupted writes: the lock files and the log stay.
stray_files() {
	find "$TMP" -type f ! -name lock ! -name 'last_reserved_ip*' ! -path "$SANLOG/*" \
		! -path "$FDLOG/*" ! -name 'fdcheck*' ! -name "$(basename "$LOG")" \
		! -path "$IPAMDIR/*" ! -name '*.json' ! -name events.log || true
}

test_add_del_cycles_leak_nothing() {
	local nsp i id out rc start elapsed links_before fds_before
	rm -f "$FDLOG"/* "$SANLOG"/*
	nsp=$(new_netns leak)
	links_before=$(ip -n "$(ns leak)" -o link | wc -l)
	fds_before=$(awk '{print $1}' /proc/sys/fs/file-nr)
	start=$(date +%s)
	for ((i = 0; i < CYCLES; i++)); do
		id=leak-$i-$RANDOM
		out=$(sanitized_call ADD "$nsp" "$id" eth0 "$(conf 1.1.0)") && rc=0 || rc=$?
		[ $rc -eq 0 ] || { no_reports "ADD $i"; fail "ADD $i (rc $rc): $out"; }
		out=$(sanitized_call DEL "$nsp" "$id" eth0 "$(conf 1.1.0)") && rc=0 || rc=$?
		[ $rc -eq 0 ] || { no_reports "DEL $i"; fail "DEL $i (rc $rc): $out"; }
		! link_exists "$(host_ifname "$id" eth0)" || fail "cycle $i: host veth of $id left"
		if ((i % 50 == 49)); then
			no_reports "after $((i + 1)) cycles"
			[ -z "$(ipam_files)" ] || fail "cycle $i: IPAM files left: $(ipam_files)"
			[ -z "$(state_records)" ] || fail "cycle $i: records left: $(state_records)"
			assert_eq "$(ip -n "$(ns leak)" -o link | wc -l)" "$links_before" \
				"links in the pod netns after $((i + 1)) cycles"
		fi
	done
	elapsed=$(($(date +%s) - start))
	no_reports "end"
	[ -z "$(ipam_files)" ] || fail "IPAM files left: $(ipam_files)"
	[ -z "$(state_records)" ] || fail "records left: $(state_records)"
	[ -z "$(stray_files)" ] || fail "stray files left: $(stray_files)"
	# The agent's event lines: one per ADD and DEL, bounded (plugin/events.h).
	[ "$(grep -c ' ADD ' "$STATE/events.log")" -ge 1 ] || fail "no ADD counted in events.log"
	[ "$(stat -c %s "$STATE/events.log")" -le $((4 << 20)) ] || fail "events.log past its cap"
	[ "$(ls "$FDLOG" | wc -l)" -eq $((2 * CYCLES)) ] || fail "fd checker did not run for every call"
	echo "$CYCLES ADD/DEL cycles under ASan+LSan in ${elapsed}s; host open files" \
		"$fds_before -> $(awk '{print $1}' /proc/sys/fs/file-nr) (whole host, informational)"
}

# The error paths free too: a config the plugin rejects, an ADD whose IPAM
# range is exhausted, a DEL of an unknown container.
test_error_paths_leak_nothing() {
	local nsp tiny i
	rm -f "$FDLOG"/* "$SANLOG"/*
	nsp=$(new_netns errs)
	tiny=$(conf 1.1.0 | sed "s|$SUBNET_PREFIX.0/24|$SUBNET_PREFIX.0/30|")
	sanitized_call ADD "$nsp" bad-json eth0 '{"cniVersion":"1.1.0",' >/dev/null && fail "bad JSON accepted"
	sanitized_call ADD "$nsp" bad-slice eth0 "$(conf 1.1.0)" "SLICENET_SLICE=nope" >/dev/null &&
		fail "unknown slice accepted"
	sanitized_call ADD "$nsp" full-1 eth0 "$tiny" >/dev/null || fail "first ADD in a /30"
	for i in 2 3; do
		sanitized_call ADD "$nsp" "full-$i" "eth$i" "$tiny" >/dev/null && fail "ADD $i in a full /30"
	done
	sanitized_call DEL "$nsp" never-added eth0 "$tiny" >/dev/null || fail "DEL of an unknown container"
	sanitized_call DEL "$nsp" full-1 eth0 "$tiny" >/dev/null || fail "DEL"
	no_reports "error paths"
	[ -z "$(ipam_files)" ] || fail "IPAM files left: $(ipam_files)"
	! link_exists "$(host_ifname full-2 eth2)" || fail "failed ADD left its veth"
}

run_tests
