#!/bin/bash
# A pod swaps its client-mode vhost-user socket for a symlink to a host
# socket: slicenetd, root, must never connect to where the symlink points.
# It connects only through a root-owned hard link it made after checking the
# inode is a socket (daemon/port_shadow.c). No DPDK frontend needed: a plain
# listener stands in for the pod's application and for the host's socket.
# Server mode: a pod renaming a symlink over its socket while slicenetd binds
# and chmods it must not get a host file's mode changed.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
W=$(mktemp -d /tmp/sn-symlink.XXXXXX)
CTL=$W/ctl.sock
EAL="--no-huge -m 256 --no-pci --lcores 0@1 --file-prefix=sn-itest-sl"

. "$here/daemon_env.sh"

# shellcheck disable=SC2086 # EAL is a list of arguments
start_daemon() { slicenetd_start 60 "$W/ports" -- $EAL; }

# listener PATH COUNTFILE: accept connections on PATH, append one line per accept.
listener() {
	python3 - "$1" "$2" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(16)
while True:
    c, _ = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("accept\n")
    c.close()
PY
	echo $!
}

accepts() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

cleanup_all() {
	[ -f "$W/daemon.pid" ] && { pkill -P "$(cat "$W/daemon.pid")" 2>/dev/null; kill "$(cat "$W/daemon.pid")" 2>/dev/null; }
	for p in "$W"/*.lpid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	sleep 0.3
	rm -rf "$W"
}
trap cleanup_all EXIT

test_client_port_never_connects_through_a_symlink() {
	mkdir -p "$W/ports/uid-evil" "$W/host"
	listener "$W/host/containerd.sock" "$W/victim.count" >"$W/victim.lpid"
	for _ in $(seq 50); do [ -S "$W/host/containerd.sock" ] && break; sleep 0.1; done
	ln -s "$W/host/containerd.sock" "$W/ports/uid-evil/net1.sock"
	start_daemon
	ctl add evil/net1 "$W/ports/uid-evil/net1.sock" client >/dev/null || fail "port add"
	sleep 3 # DPDK retries every second
	assert_eq "$(accepts "$W/victim.count")" 0 "connections to the symlink's target"
	grep -q "port evil/net1: not connecting: .* is not a socket" "$W/daemon.log" || fail "refusal not logged"
	# The pod now puts a real socket there: slicenetd connects to it, and only to it.
	rm "$W/ports/uid-evil/net1.sock"
	listener "$W/ports/uid-evil/net1.sock" "$W/pod.count" >"$W/pod.lpid"
	for _ in $(seq 50); do [ "$(accepts "$W/pod.count")" -gt 0 ] && break; sleep 0.1; done
	[ "$(accepts "$W/pod.count")" -gt 0 ] || fail "never connected to the pod's real socket"
	assert_eq "$(accepts "$W/victim.count")" 0 "connections to the host socket"
	ctl ports | grep -q "^evil/net1" || fail "port gone: $(ctl ports)"
	ctl version >/dev/null || fail "control socket"
}

# Server mode: slicenetd binds the pod's socket path, then chmods it 0660. The
# pod keeps renaming a symlink to a host file over that path as fast as it can,
# racing bind and chmod. The chmod never follows (AT_SYMLINK_NOFOLLOW): the host
# file keeps its mode, whoever wins each round.
test_server_port_chmod_never_follows_a_swapped_symlink() {
	local ok=0 i
	mkdir -p "$W/ports/uid-race" "$W/host"
	echo secret >"$W/host/secret"
	chmod 0600 "$W/host/secret"
	[ -f "$W/daemon.pid" ] && kill -0 "$(cat "$W/daemon.pid")" 2>/dev/null || start_daemon
	python3 - "$W/host/secret" "$W/ports/uid-race" <<'PY' &
import os, sys, time
target, d = sys.argv[1], sys.argv[2]
tmp, sock = os.path.join(d, ".swap"), os.path.join(d, "net1.sock")
# Gaps with nothing there (slicenetd goes ahead and binds), then the symlink renamed over it.
while True:
    try:
        os.unlink(sock)
    except OSError:
        pass
    time.sleep(0.0003)
    try:
        os.symlink(target, tmp)
        os.rename(tmp, sock)
    except OSError:
        pass
    time.sleep(0.0003)
PY
	echo $! >"$W/racer.lpid"
	for i in $(seq 120); do
		ctl add race/net1 "$W/ports/uid-race/net1.sock" server >/dev/null 2>&1 && ok=$((ok + 1))
		ctl del race/net1 >/dev/null 2>&1 || true
	done
	kill "$(cat "$W/racer.lpid")" || true
	wait "$(cat "$W/racer.lpid")" 2>/dev/null || true
	echo "120 adds against the racer: $ok created; chmod met the symlink $(grep -c 'chmod .*uid-race' "$W/daemon.log") times" >&2
	assert_eq "$(stat -c '%a %F' "$W/host/secret")" "600 regular file" "the host file"
	assert_eq "$(cat "$W/host/secret")" secret "the host file's content"
	[ "$ok" -gt 0 ] || fail "no add got through the race: nothing was tested"
	ctl version >/dev/null || fail "control socket"
}

run_tests
