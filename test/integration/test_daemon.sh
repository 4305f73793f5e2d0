#!/bin/bash
# slicenetd end to end: vhost-user ports added over the control socket, frames
# switched between two virtio-user ports of one dpdk-testpmd (the "pods"),
# counters, malformed requests during traffic, restart with client-mode
# reconnect, SIGTERM cleanup. No hugepages needed (--no-huge on both sides).
# CPU plan for 2 cores: slicenetd's forwarding lcore on CPU 1, testpmd on CPU 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
TESTPMD=$(command -v dpdk-testpmd || true)
W=$(mktemp -d /tmp/sn-daemon.XXXXXX)
CTL=$W/ctl.sock
MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
EAL_D="--no-huge -m 256 --no-pci --lcores 0@1,1@1 --file-prefix=sn-itest-d --log-level=slicenetd:debug"
# Tests run in subshells: pids live in files so cleanup_each (in the parent) finds them.
dpid() { cat "$W/daemon.pid" 2>/dev/null; }
gpid() { cat "$W/gen.pid" 2>/dev/null; }

. "$here/daemon_env.sh"

# shellcheck disable=SC2086 # EAL_D is a word list
start_daemon() { slicenetd_start 60 "$W" "$@" -- $EAL_D; } # [extra slicenetd args...]
stop_daemon() { slicenetd_stop "$@"; }                  # [signal]

# Two "pods" in one testpmd on CPU 0, mac-forwarding to each other through the switch.
# server=1 when the switch is the vhost-user client (the default port mode).
start_gen() { # server|client [queue pairs]
	local srv="" q=${2:-1}
	[ "$1" = server ] && srv=",server=1"
	rm -f "$W/gen.in"
	mkfifo "$W/gen.in"
	# stdbuf: testpmd block-buffers stdout into a file; we read its answers as they come.
	timeout 60 stdbuf -oL "$TESTPMD" --lcores 0@0,1@0 --no-huge -m 256 --no-pci --file-prefix=sn-itest-g \
		--vdev "net_virtio_user0,path=$W/a.sock,mac=$MAC_A$srv,queues=$q" \
		--vdev "net_virtio_user1,path=$W/b.sock,mac=$MAC_B$srv,queues=$q" \
		-- -i --rxq="$q" --txq="$q" --total-num-mbufs=8192 --forward-mode=mac \
		--eth-peer=0,$MAC_B --eth-peer=1,$MAC_A <"$W/gen.in" >"$W/gen.log" 2>&1 &
	echo $! >"$W/gen.pid"
	exec 7>"$W/gen.in"
}

gen() { echo "$*" >&7; }

wait_gen_prompt() {
	for _ in $(seq 150); do grep -q 'testpmd>' "$W/gen.log" && return 0; sleep 0.1; done
	cat "$W/gen.log" >&2
	fail "testpmd did not start"
}

# Total RX packets of testpmd port N from a fresh "show port stats".
gen_rx() { # port
	: >"$W/gen.log.mark"
	local before
	before=$(grep -c 'NIC statistics for port' "$W/gen.log")
	gen "show port stats $1"
	for _ in $(seq 30); do
		[ "$(grep -c 'NIC statistics for port' "$W/gen.log")" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 0.1
	grep -A1 "NIC statistics for port $1" "$W/gen.log" | grep -o 'RX-packets: *[0-9]*' | tail -1 | grep -o '[0-9]*$'
}

stop_gen() {
	local t
	t=$(gpid) || return 0
	{ gen "stop"; gen "quit"; } 2>/dev/null
	exec 7>&- 2>/dev/null
	stop_pid_file "$W/gen.pid"
	wait "$t" 2>/dev/null || true
}

# port stat field from "slicenetctl --json stats"
port_stat() { # name field
	ctl --json stats | jq -r ".result.ports[] | select(.name == \"$1\") | .$2"
}

cleanup_each() {
	stop_gen
	stop_daemon KILL
	rm -rf "$W/state" "$W/ports" "$W"/*.sock "$CTL"
	: >"$W/daemon.log"
}

test_00_prerequisites() {
	[ -x "$SLICENETD" ] || fail "$SLICENETD not built"
	[ -n "$TESTPMD" ] || fail "dpdk-testpmd missing (deploy/debian-deps.sh dpdk)"
}

test_server_ports_switch_frames_both_ways() {
	start_daemon
	ctl add a "$W/a.sock" server
	ctl add b "$W/b.sock" server
	[ "$(stat -c %a "$W/a.sock")" = 660 ] || fail "socket mode $(stat -c %a "$W/a.sock")"
	start_gen client
	wait_gen_prompt
	gen "start tx_first 4"
	sleep 2
	gen "stop"
	sleep 0.5
	local rx0 rx1 a_rx a_tx b_rx b_tx
	rx0=$(gen_rx 0)
	rx1=$(gen_rx 1)
	echo "testpmd rx: port0 $rx0 port1 $rx1" >&2
	[ "${rx0:-0}" -gt 10000 ] && [ "${rx1:-0}" -gt 10000 ] || fail "too few frames: $rx0 / $rx1"
	a_rx=$(port_stat a rx); a_tx=$(port_stat a tx); b_rx=$(port_stat b rx); b_tx=$(port_stat b tx)
	echo "switch: a rx $a_rx tx $a_tx, b rx $b_rx tx $b_tx" >&2
	# What the switch delivered to a port is what that pod received, but for
	# what still sat in the pod's RX ring (256 descriptors) when testpmd stopped.
	[ "$a_tx" -ge "$rx0" ] && [ "$a_tx" -le $((rx0 + 256)) ] || fail "a: switch tx $a_tx, pod rx $rx0"
	[ "$b_tx" -ge "$rx1" ] && [ "$b_tx" -le $((rx1 + 256)) ] || fail "b: switch tx $b_tx, pod rx $rx1"
	# Everything received was forwarded (no drops) once both MACs were learned.
	[ $((a_rx + b_rx - a_tx - b_tx)) -le 16 ] || fail "lost frames: rx $((a_rx + b_rx)) tx $((a_tx + b_tx))"
	ctl fdb | grep -q "$MAC_A *a *learned" || fail "MAC A not learned on a: $(ctl fdb)"
	ctl fdb | grep -q "$MAC_B *b *learned" || fail "MAC B not learned on b"
	ctl ports | grep -q '^a .*server *connected' || fail "port a not connected: $(ctl ports)"
	ctl stats | head -1 | grep -q 'RX-PPS' || fail "stats table header"
}

test_malformed_requests_and_port_churn_while_forwarding() {
	start_daemon
	ctl add a "$W/a.sock" server $MAC_A
	ctl add b "$W/b.sock" server $MAC_B
	start_gen client
	wait_gen_prompt
	gen "start tx_first 4"
	sleep 1
	local before after reply
	before=$(port_stat b tx)
	for req in 'garbage' '{"method":"port.nuke"}' '{"method":"port.add","params":{"name":"x"}}' \
		'{"method":"port.del","params":{"name":"nope"}}' '{"method":"stats","x":1}'; do
		reply=$(ctl raw "$req")
		echo "$req -> $reply" >&2
		[ "$(echo "$reply" | jq -r .ok)" = false ] || fail "accepted: $req"
		echo "$reply" | jq -e '.error.code > 0 and (.error.message | length) > 0' >/dev/null ||
			fail "bad error object: $reply"
	done
	# An oversized request (no newline within the limit) gets an error and a closed connection.
	reply=$(head -c 20000 /dev/zero | tr '\0' 'x' | ctl raw -)
	assert_contains "$reply" 'longer than'
	# Ports come and go while a and b forward (RCU publish, no pause).
	for i in 1 2 3 4 5; do
		ctl add "c$i" "$W/c$i.sock" server >/dev/null
		ctl add "d$i" "$W/d$i.sock" client >/dev/null
		ctl del "c$i"
		ctl del "d$i"
	done
	# A client that connects and says nothing does not stall anyone else.
	if command -v python3 >/dev/null; then
		timeout 5 python3 -c "import socket,time; s=socket.socket(socket.AF_UNIX); s.connect('$CTL'); time.sleep(3)" &
		sleep 0.3
		ctl version >/dev/null || fail "control socket stalled by an idle client"
	fi
	sleep 1
	after=$(port_stat b tx)
	gen "stop"
	echo "b tx before $before after $after" >&2
	[ "$after" -gt $((before + 10000)) ] || fail "forwarding stalled: $before -> $after"
	kill -0 "$(dpid)" || fail "daemon died"
}

test_64_ports_come_and_go_while_two_forward() {
	start_daemon
	ctl add a "$W/a.sock" server $MAC_A
	ctl add b "$W/b.sock" server $MAC_B
	start_gen client
	wait_gen_prompt
	gen "start tx_first 4"
	sleep 1
	local i prev now stalls=0
	prev=$(port_stat b tx)
	# Every 8 port operations, b must have received more frames: traffic never stops.
	for i in $(seq 64); do
		ctl add "p$i" "$W/p$i.sock" server >/dev/null || fail "add p$i"
		if [ $((i % 8)) -eq 0 ]; then
			now=$(port_stat b tx)
			[ "$now" -gt "$prev" ] || stalls=$((stalls + 1))
			prev=$now
		fi
	done
	assert_eq "$(ctl --json ports | jq '.result.ports | length')" 66 "ports while 64 were added"
	for i in $(seq 64); do
		ctl del "p$i" >/dev/null || fail "del p$i"
		if [ $((i % 8)) -eq 0 ]; then
			now=$(port_stat b tx)
			[ "$now" -gt "$prev" ] || stalls=$((stalls + 1))
			prev=$now
		fi
	done
	gen "stop"
	assert_eq "$stalls" 0 "samples where b received nothing"
	assert_eq "$(ctl --json ports | jq '.result.ports | length')" 2 "ports after removing the 64"
	[ -z "$(ls "$W"/p*.sock 2>/dev/null)" ] || fail "sockets of removed ports left"
	ctl --json stats | jq -e '[.result.ports[] | select(.name == "a" or .name == "b")] | length == 2' \
		>/dev/null || fail "a or b lost: $(ctl stats)"
	kill -0 "$(dpid)" || fail "daemon died"
}

test_client_mode_restart_reconnects() {
	start_gen server # pods own the sockets; testpmd waits in probe until we connect
	for _ in $(seq 50); do [ -S "$W/b.sock" ] && break; sleep 0.1; done
	start_daemon
	ctl add a "$W/a.sock" client $MAC_A
	ctl add b "$W/b.sock" client $MAC_B
	wait_gen_prompt
	gen "start tx_first 4"
	sleep 1
	[ "$(port_stat b tx)" -gt 1000 ] || fail "no traffic before restart"
	grep -q '"name":"a"' "$W/state/ports.state" || fail "port a not persisted"
	local t0 n=0
	t0=$(date +%s%N)
	stop_daemon KILL # a crash: nothing cleaned up
	start_daemon
	ctl ports | grep -q '^a .*client' || fail "port a not restored: $(ctl ports)"
	# The gap a pod sees is the time until both ports are connected again.
	for _ in $(seq 100); do
		[ "$(ctl ports | grep -c ' connected')" -ge 2 ] && break
		sleep 0.05
	done
	echo "ports reconnected $((($(date +%s%N) - t0) / 1000000)) ms after the SIGKILL" >&2
	for _ in $(seq 40); do
		n=$(port_stat b tx)
		[ "${n:-0}" -gt 1000 ] && break
		sleep 0.25
	done
	# tx_first packets circulate forever in mac mode; they may be lost in the crash.
	# Restart the flow so traffic surely resumes over the reconnected ports.
	if [ "${n:-0}" -le 1000 ]; then
		gen "stop"; sleep 0.3; gen "start tx_first 4"; sleep 1
		n=$(port_stat b tx)
	fi
	echo "b tx after restart: $n" >&2
	[ "${n:-0}" -gt 1000 ] || fail "traffic did not resume: $n"
	ctl fdb | grep -q "$MAC_A *a *static" || fail "static MAC lost: $(ctl fdb)"
}

test_multiqueue_pod() {
	start_daemon
	ctl add a "$W/a.sock" server 2
	ctl add b "$W/b.sock" server 2
	start_gen client 2
	wait_gen_prompt
	gen "start tx_first 2"
	sleep 1
	gen "stop"
	sleep 0.5
	ctl ports | grep -q '^a .* 2/2 ' || fail "a: 2 queue pairs not active: $(ctl ports)"
	# testpmd's per-stream summary: frames arrived on the second queue pair too.
	grep -A1 'RX Port= 0/Queue= 1' "$W/gen.log" | grep -Eq 'RX-packets: *[1-9]' ||
		fail "nothing received on queue 1: $(grep -A1 'Queue= 1' "$W/gen.log")"
}

test_port_del_and_sigterm_cleanup() {
	start_daemon
	ctl add a "$W/a.sock" server
	ctl add b "$W/b.sock" server
	ctl del a
	[ ! -e "$W/a.sock" ] || fail "a.sock left behind"
	ctl --json ports | jq -e '.result.ports | length == 1' >/dev/null || fail "port a still listed"
	ctl del a && fail "second del succeeded"
	ctl --json del a | jq -e '.error.code == 2' >/dev/null || fail "del of a missing port is not ENOENT"
	# Port sockets stay below --socket-dir: the daemon binds and unlinks them as root.
	ctl add y /tmp/sn-outside-$$.sock server && fail "port outside the socket directory"
	ctl add y "$W/../sn-outside-$$.sock" server && fail "port escaping with .."
	[ ! -e "/tmp/sn-outside-$$.sock" ] || fail "socket created outside the socket directory"
	# A server-mode port never replaces a file that is not a socket.
	echo keep >"$W/precious"
	ctl add x "$W/precious" server && fail "port over a regular file"
	[ "$(cat "$W/precious")" = keep ] || fail "regular file clobbered"
	stop_daemon TERM
	[ ! -e "$CTL" ] || fail "control socket left behind"
	[ ! -e "$W/b.sock" ] || fail "b.sock left behind"
	grep -q '"name":"b"' "$W/state/ports.state" || fail "state lost on SIGTERM"
	grep -q '"name":"a"' "$W/state/ports.state" && fail "deleted port still in state"
	grep -q 'shutting down' "$W/daemon.log" || fail "no shutdown log"
}

test_corrupt_state_file_keeps_what_it_can() {
	start_daemon
	ctl add keep "$W/keep.sock" server
	stop_daemon TERM
	# A torn last line and garbage between good ones: the daemon must start,
	# say what it skipped and restore the rest.
	{
		echo 'not json at all'
		cat "$W/state/ports.state"
		printf '{"name":"torn","socket":"%s/torn.sock","mo' "$W"
	} >"$W/state/ports.state.new"
	mv "$W/state/ports.state.new" "$W/state/ports.state"
	start_daemon
	ctl --json ports | jq -e '[.result.ports[].name] == ["keep"]' >/dev/null ||
		fail "ports after a corrupt state file: $(ctl --json ports)"
	[ -S "$W/keep.sock" ] || fail "keep.sock not recreated"
	grep -q 'line 1 skipped' "$W/daemon.log" || fail "garbage line not reported"
	grep -q 'line 3 skipped' "$W/daemon.log" || fail "torn line not reported"
	ctl del keep
	stop_daemon TERM
}

test_control_socket_refuses_other_users() {
	start_daemon
	[ "$(stat -c %a "$CTL")" = 660 ] || fail "control socket mode $(stat -c %a "$CTL")"
	# nobody may not even open it (mode 0660, owned by root).
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SLICENETCTL" -s "$CTL" version && fail "nobody got in"
	# With the file mode opened up, SO_PEERCRED still turns nobody away.
	chmod 0755 "$W"
	chmod 0666 "$CTL"
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$SLICENETCTL" -s "$CTL" version 2>&1) &&
		fail "nobody got past SO_PEERCRED"
	case "$out" in *"control group"* | *"reset by peer"*) ;; *) fail "unexpected: $out" ;; esac
	grep -q 'refused pid .* uid 65534' "$W/daemon.log" || fail "refusal not logged"
	ctl version >/dev/null || fail "root refused"
}

test_control_group_as_a_supplementary_group() {
	local gid
	gid=$(getent group users | cut -d: -f3)
	[ -n "$gid" ] || fail "no 'users' group on this machine"
	start_daemon --ctl-group users
	chmod 0755 "$W"
	[ "$(stat -c %g "$CTL")" = "$gid" ] || fail "control socket not owned by group users"
	# uid nobody, primary group nogroup, 'users' only as a supplementary group.
	setpriv --reuid=65534 --regid=65534 --groups="$gid" "$SLICENETCTL" -s "$CTL" version >/dev/null ||
		fail "a member of the control group (supplementary) was refused"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SLICENETCTL" -s "$CTL" version >/dev/null 2>&1 &&
		fail "a non-member got in"
	return 0
}

run_tests
rm -rf "$W"
# EAL runtime directories of our file prefixes.
rm -rf /var/run/dpdk/sn-itest-*
