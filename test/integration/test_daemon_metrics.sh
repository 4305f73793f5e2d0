#!/bin/bash
# slicenetd's Prometheus endpoint (--metrics): two "pods" (one dpdk-testpmd
# with two virtio-user ports, as test_daemon.sh) forward through the switch;
# /metrics is scraped twice and the listed series must exist and move. Then
# hostile HTTP: garbage, oversized and never-finished requests get 400 or are
# cut at their deadline, and the daemon keeps answering and forwarding.
# CPU plan for 2 cores: slicenetd's forwarding lcore on CPU 1, testpmd on CPU 0.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
TESTPMD=$(command -v dpdk-testpmd || true)
W=$(mktemp -d /tmp/sn-metrics.XXXXXX)
CTL=$W/ctl.sock
MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
EAL_D="--no-huge -m 256 --no-pci --lcores 0@1,1@1 --file-prefix=sn-itest-m"
. "$here/daemon_env.sh"

# shellcheck disable=SC2086 # EAL_D is a word list
start_daemon() { slicenetd_start 60 "$W" "$@" -- $EAL_D; } # [extra slicenetd args...]

# Port 0: the kernel picks one; slicenetd logs which.
metrics_url() {
	local port
	port=$(grep -o 'metrics on http://[^ ]* (port [0-9]*)' "$W/daemon.log" | grep -o '[0-9]*)$' | tr -d ')')
	[ -n "$port" ] || fail "no metrics port in the log"
	echo "http://127.0.0.1:$port/metrics"
}

scrape() { curl -sf --max-time 3 "$(metrics_url)"; }

# value of the series whose name and labels match exactly the given text
value() { # text series
	awk -v s="$2" 'index($0, s " ") == 1 { print $NF }' <<<"$1"
}

start_gen() {
	rm -f "$W/gen.in"
	mkfifo "$W/gen.in"
	timeout 60 stdbuf -oL "$TESTPMD" --lcores 0@0,1@0 --no-huge -m 256 --no-pci --file-prefix=sn-itest-mg \
		--vdev "net_virtio_user0,path=$W/a.sock,mac=$MAC_A" \
		--vdev "net_virtio_user1,path=$W/b.sock,mac=$MAC_B" \
		-- -i --total-num-mbufs=8192 --forward-mode=mac \
		--eth-peer=0,$MAC_B --eth-peer=1,$MAC_A <"$W/gen.in" >"$W/gen.log" 2>&1 &
	echo $! >"$W/gen.pid"
	exec 7>"$W/gen.in"
	for _ in $(seq 150); do grep -q 'testpmd>' "$W/gen.log" && return 0; sleep 0.1; done
	cat "$W/gen.log" >&2
	fail "testpmd did not start"
}

gen() { echo "$*" >&7; }

# raw HTTP bytes from stdin to the metrics port; prints the status line (or nothing)
raw_http() {
	python3 -c '
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname, u.port), timeout=8)
try:
    s.sendall(sys.stdin.buffer.read())
except OSError:
    pass
data = b""
try:
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
except OSError:
    pass
print(data.split(b"\r\n")[0].decode(errors="replace"))
' "$(metrics_url)"
}

cleanup_each() {
	{ gen stop; gen quit; } 2>/dev/null
	exec 7>&- 2>/dev/null
	stop_pid_file "$W/gen.pid"
	stop_pid_file "$W/daemon.pid" KILL
	rm -rf "$W/state" "$W"/*.sock "$CTL"
	: >"$W/daemon.log"
}

test_00_prerequisites() {
	[ -x "$SLICENETD" ] || fail "$SLICENETD not built"
	[ -n "$TESTPMD" ] || fail "dpdk-testpmd missing (deploy/debian-deps.sh dpdk)"
	command -v curl >/dev/null || fail "curl missing"
	command -v python3 >/dev/null || fail "python3 missing"
}

test_bad_metrics_address_refused_and_off_by_default() {
	local out
	out=$("$SLICENETD" --metrics localhost:80 -- --no-huge 2>&1) && fail "accepted a host name"
	assert_contains "$out" 'metrics address "localhost:80"'
	echo '{"metrics": "1.2.3.4:99999"}' >"$W/bad.json"
	out=$("$SLICENETD" --config "$W/bad.json" -- --no-huge 2>&1) && fail "accepted a bad port"
	assert_contains "$out" 'bad port'
	start_daemon
	grep -q 'metrics on' "$W/daemon.log" && fail "metrics on without --metrics"
	# No TCP listener belongs to slicenetd.
	local pid
	pid=$(pgrep -P "$(cat "$W/daemon.pid")")
	! ss -Hltnp | grep -q "pid=$pid," || fail "slicenetd listens on TCP: $(ss -Hltnp)"
}

test_series_exist_and_counters_move_while_forwarding() {
	start_daemon --metrics 127.0.0.1:0
	# a and b without a MAC: each pins its first source MAC (two learning events).
	ctl add a "$W/a.sock" server pod=ran-1/du-0
	ctl add b "$W/b.sock" server pod=ran-1/cu-0
	ctl ports | grep -q '^a .* ran-1/du-0$' || fail "pod not shown: $(ctl ports)"
	start_gen
	gen "start tx_first 4"
	sleep 1.5
	local m1 m2 a='{port="a",pod_namespace="ran-1",pod_name="du-0"}'
	local b='{port="b",pod_namespace="ran-1",pod_name="cu-0"}'
	m1=$(scrape) || fail "first scrape failed"
	sleep 1.2
	m2=$(scrape) || fail "second scrape failed"
	echo "$m2" | grep -v '^#' >&2
	local s
	for s in "slicenet_port_rx_packets_total$a" "slicenet_port_tx_packets_total$a" \
		"slicenet_port_rx_bytes_total$a" "slicenet_port_tx_bytes_total$a" \
		"slicenet_port_rx_packets_total$b" "slicenet_port_tx_bytes_total$b" \
		"slicenet_port_up$a" "slicenet_fdb_entries" "slicenet_fdb_learned_total" \
		'slicenet_lcore_busy_ratio{lcore="1"}' 'slicenet_lcore_busy_cycles_total{lcore="1"}' \
		'slicenet_lcore_cycles_total{lcore="1"}' \
		"slicenet_port_drops_total{port=\"a\",pod_namespace=\"ran-1\",pod_name=\"du-0\",reason=\"spoofed\"}" \
		"slicenet_port_drops_total{port=\"b\",pod_namespace=\"ran-1\",pod_name=\"cu-0\",reason=\"tx_full\"}"; do
		[ -n "$(value "$m2" "$s")" ] || fail "series missing: $s"
	done
	# Honest 64-byte frames: nothing rte_vhost had to drop inside its dequeue.
	assert_eq "$(value "$m2" "slicenet_port_drops_total{port=\"a\",pod_namespace=\"ran-1\",pod_name=\"du-0\",reason=\"vhost_refused\"}")" 0 \
		"a: vhost_refused series"
	for s in "slicenet_port_rx_packets_total$a" "slicenet_port_tx_packets_total$b" \
		"slicenet_port_rx_bytes_total$b" "slicenet_port_tx_bytes_total$a" \
		'slicenet_lcore_busy_cycles_total{lcore="1"}'; do
		[ "$(value "$m2" "$s")" -gt "$(value "$m1" "$s")" ] ||
			fail "$s did not move: $(value "$m1" "$s") -> $(value "$m2" "$s")"
	done
	# 64-byte frames (testpmd's default): bytes are 64 x packets.
	local rxp rxb
	rxp=$(value "$m2" "slicenet_port_rx_packets_total$a")
	rxb=$(value "$m2" "slicenet_port_rx_bytes_total$a")
	[ "$rxb" -eq $((rxp * 64)) ] || fail "a: $rxb bytes for $rxp packets"
	assert_eq "$(value "$m2" "slicenet_port_up$a")" 1 "a up"
	[ "$(value "$m2" slicenet_fdb_entries)" -ge 2 ] || fail "fdb entries"
	[ "$(value "$m2" slicenet_fdb_learned_total)" -ge 2 ] || fail "learned MACs"
	# Forwarding, the lcore is busy part of the time (how much depends on how
	# fast testpmd, sharing CPU 0 with this script, generates: 0.2..0.98 seen).
	local busy
	busy=$(value "$m2" 'slicenet_lcore_busy_ratio{lcore="1"}')
	awk -v r="$busy" 'BEGIN { exit !(r > 0.01 && r <= 1) }' || fail "busy ratio $busy"
	echo "busy ratio $busy, a rx $rxp" >&2
	# Counters agree with slicenetctl stats (taken after the scrape: greater or equal).
	[ "$(port_stat_json a rx)" -ge "$rxp" ] || fail "stats rx < metrics rx"
	# slicenetctl stats carries the same busy-cycle counter (later: greater or equal).
	local cb
	cb=$(ctl --json stats | jq -r '.result.lcores[] | select(.lcore == 1) | .busyCycles')
	[ -n "$cb" ] && [ "$cb" -ge "$(value "$m2" 'slicenet_lcore_busy_cycles_total{lcore="1"}')" ] ||
		fail "stats lcore 1 busy cycles '$cb' behind the metrics"
	ctl --json stats | jq -e '.result.tscHz > 0' >/dev/null || fail "stats without tscHz"
	ctl stats | grep -Eq '^lcore 1: +[0-9.]+% busy' || fail "slicenetctl stats shows no lcore line: $(ctl stats)"
	# The content type is the text format's.
	curl -sf -o /dev/null -w '%{content_type}' "$(metrics_url)" | grep -q 'text/plain; version=0.0.4' ||
		fail "content type"
	gen stop
	# The ratio covers the last whole second the control thread sampled.
	sleep 2.2
	m1=$(scrape)
	# Idle: only empty polls, so (next to) nothing is busy.
	awk -v r="$(value "$m1" 'slicenet_lcore_busy_ratio{lcore="1"}')" 'BEGIN { exit !(r < 0.01) }' ||
		fail "idle busy ratio $(value "$m1" 'slicenet_lcore_busy_ratio{lcore="1"}')"
}

# No -l/--lcores/-c and no -a: slicenetd places its lcores on the CPUs it got
# (here CPUs 0-1 by taskset, as a container's cpuset would) and adds --no-pci.
test_lcores_from_the_cpu_set() {
	SLICENETD_PREFIX="taskset -c 0-1" slicenetd_start 60 "$W" --metrics 127.0.0.1:0 \
		-- --no-huge -m 256 --file-prefix=sn-itest-m
	grep -q 'lcores from the 2 CPU(s) this process may use (0-1): main lcore on the first, forwarding on the rest; --no-pci' \
		"$W/daemon.log" || fail "placement not logged: $(grep -i lcore "$W/daemon.log")"
	grep -q 'forwarding on lcore 1$' "$W/daemon.log" || fail "not forwarding on lcore 1"
	local m
	m=$(scrape)
	[ "$(grep -c '^slicenet_lcore_cycles_total{' <<<"$m")" = 1 ] || fail "lcores: $(grep lcore_cycles <<<"$m")"
	[ -n "$(value "$m" 'slicenet_lcore_cycles_total{lcore="1"}')" ] || fail "no lcore 1"
}

port_stat_json() { ctl --json stats | jq -r ".result.ports[] | select(.name == \"$1\") | .$2"; }

test_bad_http_requests_get_400_and_it_keeps_answering() {
	start_daemon --metrics 127.0.0.1:0
	ctl add a "$W/a.sock" server $MAC_A
	ctl add b "$W/b.sock" server $MAC_B
	start_gen
	gen "start tx_first 4"
	sleep 1
	local st before after
	before=$(value "$(scrape)" 'slicenet_port_tx_packets_total{port="b"}')
	st=$(printf 'garbage\r\n\r\n' | raw_http)
	assert_eq "$st" "HTTP/1.1 400 Bad Request" "garbage"
	st=$( { printf 'GET /metrics HTTP/1.1\r\nX-Big: '; head -c 20000 /dev/zero | tr '\0' a; } | raw_http)
	assert_eq "$st" "HTTP/1.1 400 Bad Request" "oversized"
	st=$(printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n' | raw_http)
	assert_eq "$st" "HTTP/1.1 400 Bad Request" "a TLS hello"
	st=$(printf 'DELETE /metrics HTTP/1.1\r\n\r\n' | raw_http)
	assert_eq "$st" "HTTP/1.1 405 Method Not Allowed" "DELETE"
	# Clients that connect and never finish: the next scrape is not held up.
	local slow=()
	for _ in 1 2 3; do
		timeout 4 python3 -c "import socket,time; s=socket.create_connection(('127.0.0.1', $(metrics_url | grep -o ':[0-9]*/' | tr -d :/))); s.send(b'GET /me'); time.sleep(3)" &
		slow+=($!)
	done
	sleep 0.3
	local t0 t1
	t0=$(date +%s%N)
	scrape | grep -q '^slicenet_port_up{port="a"} 1$' || fail "no answer while slow clients wait"
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 1000 ] || fail "scrape took $(((t1 - t0) / 1000000)) ms"
	ctl version >/dev/null || fail "control socket"
	sleep 0.5
	after=$(value "$(scrape)" 'slicenet_port_tx_packets_total{port="b"}')
	[ "$after" -gt $((before + 10000)) ] || fail "forwarding stalled: $before -> $after"
	kill -0 "$(pgrep -P "$(cat "$W/daemon.pid")")" || fail "daemon died"
	kill "${slow[@]}" 2>/dev/null || true
}

run_tests
rm -rf "$W"
