# Helpers for tests that run slicenetd: source after lib.sh and after setting
# SLICENETCTL and CTL (the control socket); slicenetd_start also wants
# SLICENETD and W (the test's directory).

ctl() { "$SLICENETCTL" -s "$CTL" "$@"; }

# stop_pid_file FILE [SIGNAL]: FILE holds timeout's pid; its child is the real
# process. Signal it, give it 5 s, then kill both; remove FILE.
stop_pid_file() {
	local t p
	t=$(cat "$1" 2>/dev/null) || return 0
	p=$(pgrep -P "$t" || echo "$t")
	kill "-${2:-TERM}" "$p" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" "$t" 2>/dev/null || true
	rm -f "$1"
}

# slicenetd_start TIMEOUT SOCKET_DIR [slicenetd args...] [-- EAL args...]:
# slicenetd under timeout (SLICENETD) with the control socket $CTL and the
# state dir $W/state, its log appended to $W/daemon.log, timeout's pid in
# $W/daemon.pid (for stop_pid_file); SLICENETD_PREFIX (e.g. "taskset -c
# 0-1") goes in front. Returns once it answers on the control socket; fails
# with its log when it does not within 10 s or dies first.
slicenetd_start() {
	local limit=$1 dir=$2
	shift 2
	# shellcheck disable=SC2086 # the prefix is a command line
	${SLICENETD_PREFIX:-} timeout "$limit" "$SLICENETD" --ctl-socket "$CTL" --socket-dir "$dir" \
		--state-dir "$W/state" "$@" >>"$W/daemon.log" 2>&1 &
	echo $! >"$W/daemon.pid"
	for _ in $(seq 100); do
		ctl version >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$W/daemon.pid")" 2>/dev/null || break
		sleep 0.1
	done
	cat "$W/daemon.log" >&2
	fail "slicenetd did not come up"
}

# slicenetd_stop [SIGNAL]: stop what slicenetd_start started (TERM by default).
slicenetd_stop() {
	local t
	t=$(cat "$W/daemon.pid" 2>/dev/null) || return 0
	stop_pid_file "$W/daemon.pid" "${1:-TERM}"
	wait "$t" 2>/dev/null || true
}

# slicenetd_reset: kill slicenetd and drop its state, sockets, FIFOs and log,
# so the next test starts a fresh daemon.
slicenetd_reset() {
	stop_pid_file "$W/daemon.pid" KILL
	rm -rf "$W/state" "$W"/*.sock "$W"/*.in "$CTL"
	: >"$W/daemon.log"
}
