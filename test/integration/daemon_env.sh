# Helpers for tests that run slicenetd: source after lib.sh and after setting
# SLICENETCTL and CTL (the control socket).

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
