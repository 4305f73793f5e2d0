#!/bin/bash
# slicenetd and a pod app on 2 MB hugepages (reserved here, restored after):
# the pod needs --single-file-segments so its memory fits vhost-user's
# 8 regions; frames must pass both ways.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
TESTPMD=$(command -v dpdk-testpmd || true)
W=$(mktemp -d /tmp/sn-huge.XXXXXX)
CTL=$W/ctl.sock
. "$here/daemon_env.sh"
NR=/proc/sys/vm/nr_hugepages
saved_pages=$(cat $NR)

cleanup_each() {
	stop_pid_file "$W/gen.pid"
	stop_pid_file "$W/daemon.pid"
	echo "$saved_pages" >$NR
	rm -rf "$W/state" "$W"/*.sock
}

test_frames_pass_on_hugepages() {
	[ -n "$TESTPMD" ] || fail "dpdk-testpmd missing"
	echo $((saved_pages + 192)) >$NR
	[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 192 ] || fail "could not reserve 192 hugepages"
	slicenetd_start 40 "$W" -- --in-memory -m 128 --no-pci --lcores 0@1,1@1
	ctl add a "$W/a.sock" server
	ctl add b "$W/b.sock" server
	mkfifo "$W/gen.in"
	timeout 30 "$TESTPMD" --lcores 0@0,1@0 --in-memory --single-file-segments -m 128 --no-pci \
		--vdev "net_virtio_user0,path=$W/a.sock,mac=02:00:00:00:02:0a" \
		--vdev "net_virtio_user1,path=$W/b.sock,mac=02:00:00:00:02:0b" \
		-- -i --total-num-mbufs=8192 --forward-mode=mac \
		--eth-peer=0,02:00:00:00:02:0b --eth-peer=1,02:00:00:00:02:0a <"$W/gen.in" >"$W/gen.log" 2>&1 &
	echo $! >"$W/gen.pid"
	exec 7>"$W/gen.in"
	for _ in $(seq 100); do ctl ports | grep -q '^b .*connected' && break; sleep 0.1; done
	echo "start tx_first 4" >&7
	sleep 1
	echo "stop" >&7
	local a b
	a=$(ctl --json stats | jq '.result.ports[] | select(.name == "a") | .tx')
	b=$(ctl --json stats | jq '.result.ports[] | select(.name == "b") | .tx')
	echo "tx a $a b $b" >&2
	[ "${a:-0}" -gt 10000 ] && [ "${b:-0}" -gt 10000 ] || fail "frames did not pass: a $a b $b"
	echo quit >&7
	exec 7>&-
}

run_tests
rm -rf "$W"
