#!/bin/bash
# Contenders shared by bench-latency.sh and bench-datapath.sh (sourced).
# Every switch polls on CPU 1; the generator (build/bench/vgen, one process
# owning every pod port as virtio-user server=1) on CPU 0. A switch is started
# first: its vhost-user client ports reconnect until the generator's sockets
# exist, so the FDB can be filled before the pods appear.
# Needs: build (absolute), W (work dir), NICE; sets up cleanup via bl_cleanup.
# shellcheck disable=SC2154 # build and W come from the sourcing script
TESTPMD=$(command -v dpdk-testpmd)
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
OVS_RUN=$W/ovs
# HUGE=1: every process on 2 MB hugepages (reserved by bl_huge_reserve,
# restored by bl_cleanup); the pods need --single-file-segments to fit
# vhost-user's 8 memory regions. Default: 4 KB pages (--no-huge).
if [ -n "${HUGE:-}" ]; then
	SW_EAL="--in-memory --single-file-segments --no-pci"
	GEN_MEM="--in-memory --single-file-segments"
	OVS_MEM="--single-file-segments"
else
	SW_EAL="--no-huge --no-pci"
	GEN_MEM="--no-huge"
	# --legacy-mem: OVS adds --in-memory otherwise, which rejects --no-huge.
	OVS_MEM="--legacy-mem"
fi
BL_SAVED_PAGES=
bl_huge_reserve() { # pages
	[ -n "${HUGE:-}" ] || return 0
	BL_SAVED_PAGES=$(cat /proc/sys/vm/nr_hugepages)
	echo $((BL_SAVED_PAGES + $1)) >/proc/sys/vm/nr_hugepages
	local free
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	[ "$free" -ge "$1" ] || { log "HUGE=1: could reserve only $free of $1 hugepages"; return 1; }
}

log() { echo "$*" >&2; }
mac_of() { printf '02:00:00:00:01:%02x' "$1"; }

# Switch and generator pids are kept apart: the switch goes first (raw_fwd
# and testpmd must not poll a pod memory that is being unmapped).
track() { echo "$2" >>"$W/pids.$1"; }
kill_set() { # sw|gen
	local p f=$W/pids.$1
	[ -f "$f" ] || return 0
	for p in $(cat "$f"); do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 30); do
		local alive=0
		for p in $(cat "$f"); do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in $(cat "$f"); do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -f "$f"
}
bl_cleanup() {
	exec 7>&- 2>/dev/null
	exec 8>&- 2>/dev/null
	kill_set sw
	ovs_stop
	kill_set gen
	ip netns del snb-a 2>/dev/null
	ip netns del snb-b 2>/dev/null
	ip netns del snb-fill 2>/dev/null
	ip link del snb-up0 2>/dev/null
	rm -rf "$W" /var/run/dpdk/snb-*
	[ -n "$BL_SAVED_PAGES" ] && echo "$BL_SAVED_PAGES" >/proc/sys/vm/nr_hugepages
}

# gen_start NPORTS VGEN-ARGS...: the generator, output in $W/gen.out.
gen_start() {
	local n=$1 i vdevs=()
	shift
	for i in $(seq 0 $((n - 1))); do
		rm -f "$W/p$i.sock"
		vdevs+=(--vdev "net_virtio_user$i,path=$W/p$i.sock,mac=$(mac_of "$i"),server=1,queue_size=1024")
	done
	$NICE stdbuf -oL "$build/bench/vgen" --lcores 0@0 $GEN_MEM -m 1024 --no-pci \
		--file-prefix=snb-gen "${vdevs[@]}" -- "$@" >"$W/gen.out" 2>"$W/gen.err" &
	GEN_PID=$!
	track gen "$GEN_PID"
}
gen_wait() {
	wait "$GEN_PID" 2>/dev/null
	local rc=$?
	rm -f "$W/pids.gen"
	[ $rc = 0 ] || { log "vgen failed ($rc):"; tail -5 "$W/gen.err" >&2; }
	return $rc
}

# The key `slicenetctl` port.add takes for a slice class, if the daemon has one
# (issue 12 adds class priority): tried once per daemon start, "" when none.
SN_CLASS_KEY=${SN_CLASS_KEY:-}
sn_detect_class_key() {
	local k
	[ -n "$SN_CLASS_KEY" ] && return 0
	for k in class sliceClass slice priority; do
		local v='"urllc"'
		[ $k = priority ] && v=0
		if "$build/bin/slicenetctl" -s "$W/ctl.sock" raw \
			"{\"method\":\"port.add\",\"params\":{\"name\":\"probe\",\"socket\":\"$W/probe.sock\",\"mode\":\"client\",\"$k\":$v}}" \
			2>/dev/null | grep -q '"ok": *true'; then
			"$build/bin/slicenetctl" -s "$W/ctl.sock" del probe >/dev/null 2>&1
			SN_CLASS_KEY=$k
			log "slicenetd: port.add takes \"$k\": the isolation scenario sets it"
			return 0
		fi
	done
	SN_CLASS_KEY=none
}
sn_class_param() { # urllc|embb
	case "$SN_CLASS_KEY" in
	"" | none) ;;
	priority) [ "$1" = urllc ] && echo ',"priority":0' || echo ',"priority":3' ;;
	*) echo ",\"$SN_CLASS_KEY\":\"$1\"" ;;
	esac
}

# sw_start CONTENDER NPORTS MTU [CLASSES]: CLASSES is a list of one class per
# port (slicenetd only, when it takes one). Switch lcore on CPU 1.
sw_start() {
	# shellcheck disable=SC2206 # one class per word
	local c=$1 n=$2 mtu=$3 classes=(${4:-}) i socks=() room=2048
	[ "$mtu" -gt 1500 ] && room=9344
	for i in $(seq 0 $((n - 1))); do socks+=("$W/p$i.sock"); done
	case $c in
	slicenetd)
		rm -rf "$W/state"
		$NICE "$build/bin/slicenetd" --ctl-socket "$W/ctl.sock" --socket-dir "$W" --state-dir "$W/state" \
			${SN_UPLINK:+--uplink "$SN_UPLINK"} ${SN_METRICS:+--metrics "$SN_METRICS"} \
			-- $SW_EAL -m 1024 --lcores 0@1,1@1 --file-prefix=snb-sw >"$W/sw.log" 2>&1 &
		track sw $!
		SW_PID=$!
		for _ in $(seq 100); do "$build/bin/slicenetctl" -s "$W/ctl.sock" version >/dev/null 2>&1 && break; sleep 0.1; done
		[ -n "${classes[*]}" ] && sn_detect_class_key
		for i in $(seq 0 $((n - 1))); do
			local extra=""
			[ -n "${classes[$i]:-}" ] && extra=$(sn_class_param "${classes[$i]}")
			"$build/bin/slicenetctl" -s "$W/ctl.sock" raw \
				"{\"method\":\"port.add\",\"params\":{\"name\":\"p$i\",\"socket\":\"$W/p$i.sock\",\"mode\":\"client\",\"mac\":\"$(mac_of "$i")\",\"mtu\":$mtu$extra}}" \
				| grep -q '"ok": *true' || { log "slicenetd: port.add p$i failed"; return 1; }
		done
		;;
	raw)
		$NICE stdbuf -oL "$build/bench/raw_fwd" --lcores 0@1 $SW_EAL -m 1024 --file-prefix=snb-raw \
			-- --mbuf-room $room "${socks[@]}" >"$W/raw.out" 2>"$W/sw.log" &
		track sw $!
		SW_PID=$!
		;;
	rawfan*)
		# raw_fan --batch N (rawfan1, rawfan4): raw_fwd in the generator's fan-out pattern.
		$NICE stdbuf -oL "$build/bench/raw_fan" --lcores 0@1 $SW_EAL -m 1024 --file-prefix=snb-raw \
			-- --mbuf-room $room --batch "${c#rawfan}" "${socks[@]}" >"$W/raw.out" 2>"$W/sw.log" &
		track sw $!
		SW_PID=$!
		;;
	testpmd)
		local vd=()
		for i in $(seq 0 $((n - 1))); do vd+=(--vdev "net_vhost$i,iface=$W/p$i.sock,client=1"); done
		rm -f "$W/br.in"
		mkfifo "$W/br.in"
		$NICE stdbuf -oL "$TESTPMD" --lcores 0@1,1@1 $SW_EAL -m 1024 --file-prefix=snb-br "${vd[@]}" \
			-- -i --forward-mode=io --total-num-mbufs=16384 --record-core-cycles \
			--mbuf-size=$((room + 128)) --max-pkt-len=$((mtu + 18)) \
			<"$W/br.in" >"$W/br.log" 2>&1 &
		track sw $!
		SW_PID=$!
		exec 8>"$W/br.in"
		for _ in $(seq 100); do grep -q 'testpmd>' "$W/br.log" && break; sleep 0.1; done
		echo "start" >&8
		;;
	ovs)
		[ -x "$OVS_VSWITCHD" ] || { log "ovs: $OVS_VSWITCHD missing (openvswitch-switch-dpdk)"; return 1; }
		export OVS_RUNDIR=$OVS_RUN OVS_LOGDIR=$OVS_RUN OVS_DBDIR=$OVS_RUN
		mkdir -p "$OVS_RUN"
		rm -f "$OVS_RUN/conf.db"
		ovsdb-tool create "$OVS_RUN/conf.db" /usr/share/openvswitch/vswitch.ovsschema
		ovsdb-server --remote="punix:$OVS_RUN/db.sock" --pidfile="$OVS_RUN/ovsdb-server.pid" --detach \
			--log-file="$OVS_RUN/ovsdb.log" "$OVS_RUN/conf.db"
		ovs_ctl --no-wait init
		ovs_ctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
			other_config:dpdk-extra="$SW_EAL $OVS_MEM -m 2048 --file-prefix=snb-ovs" \
			other_config:pmd-cpu-mask=0x2 other_config:per-port-memory=true
		$NICE taskset -c 1 "$OVS_VSWITCHD" "unix:$OVS_RUN/db.sock" \
			--pidfile="$OVS_RUN/ovs-vswitchd.pid" --detach --log-file="$OVS_RUN/vswitchd.log" \
			--unixctl="$OVS_RUN/vswitchd.ctl"
		SW_PID=$(cat "$OVS_RUN/ovs-vswitchd.pid")
		ovs_ctl add-br br0 -- set bridge br0 datapath_type=netdev
		for i in $(seq 0 $((n - 1))); do
			ovs_ctl add-port br0 "p$i" -- set Interface "p$i" type=dpdkvhostuserclient \
				options:vhost-server-path="$W/p$i.sock" mtu_request="$mtu"
		done
		[ -n "${SN_UPLINK:-}" ] && ovs_ctl add-port br0 "${SN_UPLINK#af_packet:}"
		;;
	*) log "unknown contender $c"; return 1 ;;
	esac
	return 0
}

ovs_ctl() { ovs-vsctl --db="unix:$OVS_RUN/db.sock" --timeout=10 "$@"; }
ovs_appctl() { timeout 5 ovs-appctl -t "$OVS_RUN/vswitchd.ctl" "$@"; }
ovs_stop() {
	[ -f "$OVS_RUN/ovs-vswitchd.pid" ] && kill "$(cat "$OVS_RUN/ovs-vswitchd.pid")" 2>/dev/null
	[ -f "$OVS_RUN/ovsdb-server.pid" ] && kill "$(cat "$OVS_RUN/ovsdb-server.pid")" 2>/dev/null
	sleep 0.3
	rm -f "$OVS_RUN"/*.pid
}

sw_stop() { # CONTENDER
	[ "$1" = testpmd ] && { echo "quit" >&8; exec 8>&-; }
	kill_set sw
	[ "$1" = ovs ] && { ovs_stop; cat "$OVS_RUN/vswitchd.log" >>"$W/ovs-vswitchd.log" 2>/dev/null; }
	rm -f "$W/br.in"
	return 0
}

# CPU ticks (USER_HZ) used so far by the switch's busiest thread: its poller.
sw_cpu_ticks() {
	local f best=0 t
	for f in /proc/"$SW_PID"/task/*/stat; do
		t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$f" 2>/dev/null)
		[ -n "$t" ] && [ "$t" -gt "$best" ] && best=$t
	done
	echo "$best"
}
