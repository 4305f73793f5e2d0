#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# A cluster simulated on one machine (make e2e-cluster, part of make test):
# nodes are network namespaces on one fabric bridge, each with its own
# slicenet state, IPAM store, log and slicenet-agent talking HTTPS + bearer
# token to the test API server. Pods are network namespaces attached by
# running the plugin inside the node's namespace, with the config a runtime
# derives from the node's primary-mode conflist, as a runtime would.
# Nodes 1 and 2 run slicenetd (tap uplink, its lcores on CPU 1) and two urllc
# pods each: eth0 a veth, net1 vhost-user from the node's data block. Their
# application is test/cluster/vhost_tap (CPU 0, sleeps when idle): it bridges
# the virtio-user port to a TAP named net1 in the pod, which gets the CNI
# result's MAC, address and gateway, so the pod's own stack pings over
# vhost-user. Every pod's eth0 and every net1 pings every other pod's eth0
# and every net1 (the matrix, printed as TAP comments), in host-gw and vxlan
# mode; then a node is added, one removed, an agent restarted, and everything
# uninstalled. Tests run in name order and share the cluster; each asserts
# the outcome.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../test/integration/lib.sh
. "$here/../../test/integration/lib.sh"
AGENT=$BUILD_DIR/bin/slicenet-agent
SLICENETD=$BUILD_DIR/bin/slicenetd
SLICENETCTL=$BUILD_DIR/bin/slicenetctl
VHOST_TAP=$BUILD_DIR/e2e/vhost_tap
FAST_NODES="1 2"           # nodes running slicenetd
URLLC_PODS="a b"           # urllc pods per fast node: uIa, uIb
UPLINK=snup0               # slicenetd's tap, in each node's namespace
DATA_SUBNET=10.250.0.0/16 # the urllc class's data network
P=snce # namespace prefix
WORK=$(mktemp -d /tmp/slicenet-e2e-cluster.XXXXXX)
# shellcheck source=lib.sh
. "$here/lib.sh"
exec 3>&1 # the matrix and the figures go to stdout as TAP comments

tap_note() { sed 's/^/# /' | tee /dev/stderr >&3; }

agent_on() { # I MODE
	start_agent "$1" "$WORK/token" --mode "$2" --cluster-cidr 10.244.0.0/16 --resync 2 \
		--data-subnet 10.250.0.0/16/24 --data-uplink "$UPLINK"
}

ctl() { local i=$1; shift; "$SLICENETCTL" -s "$WORK/n$i/slicenetd.sock" "$@"; }

stop_pid() { # FILE: the pid of "timeout CMD" (its child is CMD); TERM, then KILL after 5 s
	local t p
	t=$(cat "$1" 2>/dev/null) || return 0
	p=$(pgrep -P "$t" || echo "$t")
	kill "$p" 2>/dev/null
	wait_for 5 sh -c "! kill -0 $p" || kill -KILL "$p" "$t" 2>/dev/null
	rm -f "$1"
}

daemon_up() { # I: slicenetd in node I's namespace, all its lcores on CPU 1, a tap uplink
	local n=$WORK/n$1
	ip netns exec "$(ns "$1")" timeout 300 "$SLICENETD" --ctl-socket "$n/slicenetd.sock" \
		--socket-dir "$n/ports" --state-dir "$n/dstate" --uplink "tap:$UPLINK" -- \
		--no-huge -m 256 --no-pci --lcores 0@1,1@1 --file-prefix="$P-d$1" >"$n/daemon.log" 2>&1 &
	echo $! >"$n/daemon.pid"
	wait_for 10 ctl "$1" version || fail "node-$1: slicenetd did not come up"
}

# urllc_pod_add NODE POD: POD with eth0 a veth and net1 vhost-user, served
# by vhost_tap on CPU 0; "POD:net1 NODE IP" into $WORK/targets. The TAP net1
# gets the CNI result's MAC (slicenetd drops frames from any other source
# MAC) and address; the data network is routed through the result's gateway
# (the node's uplink), and traffic bound to net1 (ping -I net1) leaves
# through it whatever its destination (its own table), as a multi-homed pod
# would route it. Replies may come back on the other interface: loose
# reverse-path filtering.
urllc_pod_add() {
	local i=$1 pod=$2 r ip gw sock mac
	[ -x "$VHOST_TAP" ] || fail "$VHOST_TAP missing (make daemon-bins)"
	pod_add "$i" "$pod" urllc
	r=$(cat "$WORK/$pod.result")
	ip=$(echo "$r" | jq -r '.ips[] | select(.interface == 2) | .address')
	gw=$(echo "$r" | jq -r '.ips[] | select(.interface == 2) | .gateway')
	assert_contains "$ip" "10.250.$i." "net1 is from node-$i's data block"
	assert_eq "$gw" "10.250.$i.1" "net1's gateway is node-$i's uplink address"
	sock=$(echo "$r" | jq -r '.interfaces[2].socketPath')
	mac=$(echo "$r" | jq -r '.interfaces[2].mac')
	echo "$pod:net1 $i ${ip%/*}" >>"$WORK/targets"
	ip netns exec "$P-$pod" timeout 300 "$VHOST_TAP" --lcores 0@0 --no-huge -m 64 --no-pci \
		--no-telemetry --file-prefix="$P-$pod" \
		--vdev "net_virtio_user0,path=$sock,server=1,mac=$mac" -- net1 \
		</dev/null >"$WORK/$pod.app.log" 2>&1 &
	echo $! >"$WORK/$pod.app.pid"
	wait_for 15 ip -n "$P-$pod" link show net1 || fail "$pod: no TAP: $(cat "$WORK/$pod.app.log")"
	ip netns exec "$P-$pod" sysctl -qw net.ipv6.conf.net1.disable_ipv6=1 net.ipv4.conf.all.rp_filter=2
	ip -n "$P-$pod" link set net1 address "$mac" up
	ip -n "$P-$pod" addr add "$ip" dev net1
	ip -n "$P-$pod" route add "$DATA_SUBNET" via "$gw" dev net1
	ip -n "$P-$pod" rule add oif net1 table 100
	ip -n "$P-$pod" route add default via "$gw" dev net1 table 100
	wait_for 15 sh -c "'$SLICENETCTL' -s '$WORK/n$i/slicenetd.sock' ports | grep -q '^ctr-$pod/net1 .*connected'" ||
		fail "$pod: port not connected: $(ctl "$i" ports)"
}

# Node I's conflist, as the chart installs it in primary mode: the pod range
# comes from the agent's ranges file.
write_conflist() { # I
	local n=$WORK/n$1
	cat >"$n/10-slicenet.conflist" <<JSON
{"cniVersion":"1.1.0","name":"cluster","plugins":[{"type":"slicenet","mode":"primary",
 "clusterCIDR":"10.244.0.0/16",
 "ipam":{"type":"slicenet-ipam","rangesFile":"$n/ranges.json","dataDir":"$n/ipam"},
 "defaultSlice":"embb",
 "slices":{"embb":{"datapaths":["veth"]},
           "urllc":{"datapaths":["vhostuser","veth"],"dataSubnet":"$DATA_SUBNET"}},
 "vhostuser":{"daemonSocket":"$n/slicenetd.sock","socketDir":"$n/ports"},
 "stateDir":"$n/state","logFile":"$n/slicenet.log","logLevel":"debug"}]}
JSON
}

# pod_cni CMD NODE POD [SLICE]: the plugin run in the node's namespace with
# the environment libcni sets and the conflist's entry as its config.
pod_cni() {
	local cmd=$1 i=$2 pod=$3 slice=${4:-embb}
	jq -c '.plugins[0] + {name: .name, cniVersion: .cniVersion}' "$WORK/n$i/10-slicenet.conflist" |
		ip netns exec "$(ns "$i")" env CNI_COMMAND="$cmd" CNI_NETNS="/run/netns/$P-$pod" \
			CNI_CONTAINERID="ctr-$pod" CNI_IFNAME=eth0 CNI_PATH="$BUILD_DIR/bin" \
			CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=e2e;K8S_POD_NAME=$pod;K8S_POD_UID=uid-$pod;SLICENET_SLICE=$slice" \
			timeout 20 "$SLICENET"
}

# pod_add NODE POD [SLICE]: a pod namespace and its ADD; "POD NODE IP" into $WORK/pods.
pod_add() {
	local i=$1 pod=$2 r ip
	ip netns add "$P-$pod"
	r=$(pod_cni ADD "$i" "$pod" "${3:-embb}") || fail "ADD $pod on node-$i: $r"
	echo "$r" >"$WORK/$pod.result"
	ip=$(echo "$r" | jq -r '.ips[0].address' | cut -d/ -f1)
	assert_contains "$ip" "10.244.$i." "$pod's address is from node-$i's pod range"
	echo "$pod $i $ip" >>"$WORK/pods"
}

# An endpoint is a pod's eth0 ("p1a") or a vhost-user pod's net1 ("u1a:net1").
pod_of() { echo "${1%%:*}"; }
ifname_of() { case $1 in *:*) echo "${1#*:}" ;; *) echo eth0 ;; esac; }
kind_of() { case $1 in *:net1) echo vhost ;; *) echo veth ;; esac; }

# ping_pair SRC DST_IP: 4 echoes out of SRC's interface (bound to it);
# per-packet RTTs (ms) on stdout, fails if any is lost.
ping_pair() {
	local out
	out=$(ip netns exec "$P-$(pod_of "$1")" ping -n -c 4 -i 0.02 -W 1 -I "$(ifname_of "$1")" "$2" 2>&1) ||
		return 1
	grep -q ' 0% packet loss' <<<"$out" || return 1
	sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$out"
}

median() { sort -n | awk '{v[NR] = $1} END {if (NR) printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

net1_tx() { ip -n "$P-$1" -j -s link show net1 | jq '.[0].stats64.tx.packets'; }

# matrix LABEL [POD]: every endpoint pings every endpoint of every other pod
# (only the pairs with POD at one end if given; "-" marks the others); prints
# the table and the RTT medians per path (source kind -> destination kind,
# same node or across), fails naming the pairs that did not answer, or a
# vhost-user pod whose TAP did not carry at least its own echo requests.
matrix() {
	local label=$1 focus=${2:-} src sn dst dn dip row bad="" kind table=$WORK/matrix-$1 k pod
	local -a ends kinds
	local -A sent=() tx0=()
	cat "$WORK/pods" "$WORK/targets" 2>/dev/null >"$WORK/ends"
	mapfile -t ends < <(awk '{print $1}' "$WORK/ends")
	kinds=(veth-veth-same veth-veth-cross veth-vhost-same veth-vhost-cross
		vhost-vhost-same vhost-vhost-cross vhost-veth-same vhost-veth-cross)
	for k in "${kinds[@]}"; do : >"$WORK/rtt-$label-$k"; done
	while read -r pod _; do
		tx0[$pod]=$(net1_tx "$pod")
		sent[$pod]=0
	done < <(awk '$1 ~ /:net1$/ {sub(/:net1$/, "", $1); print $1}' "$WORK/ends")
	{
		printf '%-9s' "$label"
		printf ' %-8s' "${ends[@]}"
		echo
	} >"$table"
	while read -r src sn _; do
		row=$(printf '%-9s' "$src")
		while read -r dst dn dip; do
			if [ "$(pod_of "$src")" = "$(pod_of "$dst")" ]; then
				row+=$(printf ' %-8s' .)
				continue
			elif [ -n "$focus" ] && [ "$(pod_of "$src")" != "$focus" ] && [ "$(pod_of "$dst")" != "$focus" ]; then
				row+=$(printf ' %-8s' -)
				continue
			fi
			kind=$(kind_of "$src")-$(kind_of "$dst")-cross
			[ "$sn" = "$dn" ] && kind=${kind%-cross}-same
			# The echoes after the first (which may wait for ARP) feed the medians.
			if ping_pair "$src" "$dip" >"$WORK/rtt.tmp"; then
				row+=$(printf ' %-8s' ok)
				tail -n +2 "$WORK/rtt.tmp" >>"$WORK/rtt-$label-$kind"
			else
				row+=$(printf ' %-8s' FAIL)
				bad+=" $src->$dst"
			fi
			case $src in *:net1) sent[$(pod_of "$src")]=$((sent[$(pod_of "$src")] + 4)) ;; esac
		done <"$WORK/ends"
		echo "$row" >>"$table"
	done <"$WORK/ends"
	for k in "${kinds[@]}"; do
		[ -s "$WORK/rtt-$label-$k" ] || continue
		printf 'rtt median (ms) %s %s: %s (%d samples)\n' "$label" "$k" \
			"$(median <"$WORK/rtt-$label-$k")" "$(wc -l <"$WORK/rtt-$label-$k")"
	done >>"$table"
	tap_note <"$table"
	[ -z "$bad" ] || fail "$label: no answer for$bad"
	for pod in "${!sent[@]}"; do
		[ "$(net1_tx "$pod")" -ge $((tx0[$pod] + sent[$pod])) ] ||
			fail "$pod: net1 carried fewer than its ${sent[$pod]} echo requests"
	done
}

# routed_everywhere MODE NODES...: every node routes every other node's pod
# CIDR and data block (same next hop)
routed_everywhere() {
	local mode=$1 i j want net
	shift
	for i in "$@"; do
		for j in "$@"; do
			[ "$i" = "$j" ] && continue
			for net in 10.244 10.250; do
				want="$net.$j.0/24 via 10.99.0.$j dev eth0"
				[ "$mode" = vxlan ] && want="$net.$j.0/24 via 10.244.$j.0 dev slicenet.1"
				wait_for 10 has_route "$i" "$want" || fail "node-$i: no route: $want"
			done
		done
	done
}

vxlan_tx() { ip -n "$(ns "$1")" -j -s link show slicenet.1 | jq '.[0].stats64.tx.packets'; }

cleanup() {
	local n
	for n in "$WORK"/*.app.pid "$WORK"/n*/daemon.pid; do stop_pid "$n"; done
	fabric_down 1 2 3 4
	for n in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do ip netns del "$n"; done
	rm -rf "$WORK" /var/run/dpdk/"$P"-*
}
trap cleanup EXIT

test_01_hostgw_matrix() {
	local i u
	for i in 1 2 3; do
		node_put "$i"
		agent_on "$i" host-gw
		write_conflist "$i"
	done
	for i in 1 2 3; do wait_for 10 test -s "$WORK/n$i/ranges.json" || fail "node-$i: no ranges file"; done
	# One embb pod per node: the urllc pods' eth0 are the second veth on nodes 1 and 2.
	for i in 1 2 3; do pod_add "$i" "p${i}a"; done
	for i in $FAST_NODES; do
		daemon_up "$i"
		for u in $URLLC_PODS; do urllc_pod_add "$i" "u$i$u"; done
		# The agent puts the node's data gateway on the uplink once slicenetd made it.
		wait_for 10 sh -c "ip -n $(ns "$i") addr show $UPLINK | grep -q 'inet 10.250.$i.1/24'" ||
			fail "node-$i: no data gateway on $UPLINK: $(ip -n "$(ns "$i")" addr show "$UPLINK")"
	done
	routed_everywhere host-gw 1 2 3
	matrix host-gw
}

test_02_vxlan_matrix() {
	local i before
	# Switching mode is an agent restart with the other flag (a chart upgrade).
	for i in 1 2 3; do
		stop_agent "$i"
		agent_on "$i" vxlan
	done
	routed_everywhere vxlan 1 2 3
	for i in 1 2 3; do
		! routes "$i" | grep -q 'dev eth0' || fail "node-$i: host-gw routes left: $(routes "$i")"
	done
	before=$(vxlan_tx 1)
	matrix vxlan
	[ "$(vxlan_tx 1)" -ge $((before + 40)) ] || fail "node-1's pods did not go through slicenet.1"
}

test_03_added_node_reaches_everyone() {
	node_add 4
	node_put 4
	agent_on 4 vxlan
	write_conflist 4
	wait_for 10 test -s "$WORK/n4/ranges.json" || fail "node-4: no ranges file"
	routed_everywhere vxlan 1 2 3 4
	pod_add 4 p4a
	matrix vxlan+node-4 p4a
}

test_04_removed_node_unrouted_everywhere() {
	local i
	admin DELETE /nodes/node-3 >/dev/null
	for i in 1 2 4; do
		wait_for 10 lacks_route "$i" "10.244.3.0/24" || fail "node-$i still routes node-3: $(routes "$i")"
		lacks_route "$i" "10.250.3.0/24" || fail "node-$i still routes node-3's data block"
		wait_for 10 sh -c "! bridge -n $(ns "$i") fdb show dev slicenet.1 | grep -q 'dst 10.99.0.3 '" ||
			fail "node-$i: FDB entry for node-3 left"
	done
	# The others still reach each other; node-3's pods are out of the cluster.
	ip netns exec "$P-p1a" ping -c 1 -W 1 "$(awk '$1 == "p4a" {print $3}' "$WORK/pods")" >/dev/null ||
		fail "p1a -> p4a broken by node-3's removal"
	ip netns exec "$P-p1a" ping -c 1 -W 1 "$(awk '$1 == "p3a" {print $3}' "$WORK/pods")" >/dev/null &&
		fail "p1a still reaches a pod of the removed node"
	return 0
}

test_05_agent_restart_removes_no_route() {
	local dst
	restart_watched 1 agent_on 1 vxlan
	dst=$(awk '$1 == "p2a" {print $3}' "$WORK/pods")
	ip netns exec "$P-p1a" ping -c 1 -W 1 "$dst" >/dev/null || fail "p1a -> p2a after the restart"
}

# cpu_percent PID: the share of one CPU the process used over its lifetime.
cpu_percent() {
	local -a f
	read -r -a f < <(sed 's/.*) //' "/proc/$1/stat") # f[0] is field 3 (state)
	awk -v ticks=$((f[11] + f[12])) -v start="${f[19]}" -v hz="$(getconf CLK_TCK)" \
		'{printf "%d", 100 * ticks / (hz * $1 - start)}' /proc/uptime
}

# What slicenet (plugin, agent, slicenetd) created on node I, one line each.
node_left() {
	local n=$WORK/n$1
	agent_left "$1"
	ip -n "$(ns "$1")" -o link show type veth | awk -F': ' '$2 !~ /^eth0@/ {print "veth " $2}'
	ip -n "$(ns "$1")" -o link show "$UPLINK" 2>/dev/null
	find "$n/state" -name '*.json' 2>/dev/null
	find "$n/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null
	# slicenetd's own directory of hard links may stay (empty) for its next start.
	find "$n/ports" -mindepth 1 ! -name .slicenetd 2>/dev/null
	return 0 # a node without slicenetd has no ports directory
}

test_06_uninstall_leaves_nothing() {
	local pod i u left cpu
	# As a runtime tears a pod down: its containers (vhost_tap) stop, then CNI DEL.
	# The urllc pods go before the agents: a DEL whose config no longer parses
	# (rangesFile gone) falls back to the default vhostuser socketDir and
	# leaves the pod's descriptor in the configured one (plugin defect, reported).
	for i in $FAST_NODES; do
		for u in $URLLC_PODS; do
			pod=u$i$u
			# Idle, it sleeps: well under a core over the whole run, matrices included.
			cpu=$(cpu_percent "$(pgrep -P "$(cat "$WORK/$pod.app.pid")")")
			echo "$pod: vhost_tap used ${cpu}% of a CPU over its life" | tap_note
			[ "$cpu" -lt 20 ] || fail "$pod: vhost_tap used ${cpu}% of a CPU"
			stop_pid "$WORK/$pod.app.pid"
			# Its counters: the matrices' frames went both ways through the port.
			grep -Eq 'to_tap=[1-9][0-9]{2,} .*to_port=[1-9][0-9]{2,} ' "$WORK/$pod.app.log" ||
				fail "$pod: vhost_tap bridged too little: $(tail -n 1 "$WORK/$pod.app.log")"
			pod_cni DEL "$i" "$pod" >/dev/null || fail "DEL $pod on node-$i"
		done
	done
	for i in 1 2 3 4; do
		uninstall_agent "$i" --data-subnet 10.250.0.0/16/24 --data-uplink "$UPLINK" ||
			fail "node-$i: --uninstall failed"
	done
	for i in $FAST_NODES; do
		! ip -n "$(ns "$i")" addr show "$UPLINK" | grep -q 'inet 10.250' ||
			fail "node-$i: data gateway left on $UPLINK"
	done
	# The other pods after the agent is gone (its ranges file with it): the records are enough.
	while read -r pod i _; do
		case $pod in u*) ;; *) pod_cni DEL "$i" "$pod" >/dev/null || fail "DEL $pod on node-$i" ;; esac
		[ "$(ip -n "$P-$pod" -o link show | wc -l)" = 1 ] ||
			fail "$pod: interfaces left: $(ip -n "$P-$pod" -o link show)"
	done <"$WORK/pods"
	for i in $FAST_NODES; do
		[ "$(ctl "$i" ports | grep -c '^ctr-')" = 0 ] || fail "node-$i: ports left: $(ctl "$i" ports)"
		stop_pid "$WORK/n$i/daemon.pid"
	done
	for i in 1 2 3 4; do
		left=$(node_left "$i")
		[ -z "$left" ] || fail "node-$i: left behind: ${left//$'\n'/, }"
	done
}

fabric_up >&2
for i in 1 2 3; do node_add "$i"; done >&2
run_tests
