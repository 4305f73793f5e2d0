# shellcheck shell=bash
# A simulated cluster on one machine, shared by test/integration/test_agent.sh
# and e2e/cluster/test_cluster.sh: a fabric namespace holding a bridge and the
# test API server (test/agent/apiserver.py over HTTPS with a bearer token),
# and nodes, each a network namespace with eth0 on that bridge, running
# slicenet-agent through "ip netns exec".
#
# The caller sets, before sourcing:
#   P      namespace prefix (fabric "$P-fab", node I "$P-nI")
#   WORK   a private directory (node I keeps its files in $WORK/nI)
#   AGENT  the slicenet-agent binary
# and has sourced test/integration/lib.sh (fail).
# Node I has the InternalIPs 10.99.0.I and fd00:99::I and, unless told
# otherwise, the pod CIDR 10.244.I.0/24.

CLUSTER_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$CLUSTER_LIB_DIR/../../test/agent/apiserver_env.sh"
API_IP=10.99.0.254
FAB=$P-fab
ADMIN=127.0.0.1:18080

ns() { echo "$P-n$1"; }

admin() { # METHOD PATH [BODY]: the API server's plain-HTTP control port
	ip netns exec "$FAB" curl -sf -X "$1" ${3:+-d "$3"} "http://$ADMIN$2"
}

node_put() { # I [EXTRA_CIDR]: node-I with pod CIDR 10.244.I.0/24, InternalIPs 10.99.0.I, fd00:99::I
	local cidrs="\"10.244.$1.0/24\"${2:+,\"$2\"}"
	admin PUT "/nodes/node-$1" "{\"podCIDRs\":[$cidrs],\"internalIPs\":[\"10.99.0.$1\",\"fd00:99::$1\"]}" >/dev/null
}

stat_of() { admin GET /stats | jq -r ".$1"; }

# Every route slicenet-agent owns on node I (route protocol 199).
routes() { ip -n "$(ns "$1")" route show proto 199; ip -n "$(ns "$1")" -6 route show proto 199; }
has_route() { routes "$1" | grep -qF "$2"; }
lacks_route() { ! routes "$1" | grep -qF "$2"; }

wait_for() { # SECONDS CMD...: poll until CMD succeeds
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && { echo "timed out: $*" >&2; return 1; }
		sleep 0.2
	done
}

listed() { grep -c "listed .* nodes" "$WORK/agent-n$1.log"; }
relisted() { [ "$(listed "$1")" -gt "$2" ]; } # I COUNT: a list since COUNT was taken

# The fabric: bridge, TLS key and CA, token, API server. Then node_add per node.
fabric_up() {
	ip netns add "$FAB"
	ip -n "$FAB" link add br0 type bridge
	ip -n "$FAB" addr add $API_IP/24 dev br0
	ip -n "$FAB" link set br0 up
	ip -n "$FAB" link set lo up
	apiserver_start "$FAB" $API_IP 18080 "$WORK"
}

node_add() { # I: namespace $P-nI, eth0 on the fabric
	local i=$1
	ip netns add "$(ns "$i")"
	ip -n "$FAB" link add "n$i" type veth peer name eth0 netns "$(ns "$i")"
	ip -n "$FAB" link set "n$i" master br0 up
	ip -n "$(ns "$i")" link set lo up
	ip -n "$(ns "$i")" addr add "10.99.0.$i/24" dev eth0
	ip -n "$(ns "$i")" addr add "fd00:99::$i/64" dev eth0 nodad
	ip -n "$(ns "$i")" link set eth0 up
	mkdir -p "$WORK/n$i"
}

start_agent() { # I TOKEN_FILE AGENT_FLAGS...: in the background, pid in $WORK/agent-nI.pid
	local i=$1 token=$2
	shift 2
	ip netns exec "$(ns "$i")" "$AGENT" --api-server "https://$API_IP:6443" \
		--token-file "$token" --ca-file "$WORK/ca.crt" --node-name "node-$i" \
		--ranges-file "$WORK/n$i/ranges.json" --log-file "$WORK/agent-n$i.log" "$@" &
	echo $! >"$WORK/agent-n$i.pid"
}

stop_agent() { # I
	local pid
	pid=$(cat "$WORK/agent-n$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null && wait_for 5 sh -c "! kill -0 $pid"
	rm -f "$WORK/agent-n$1.pid"
}

uninstall_agent() { # I [AGENT_FLAGS...]: stop it, then run it with --uninstall
	local i=$1
	shift
	stop_agent "$i"
	ip netns exec "$(ns "$i")" "$AGENT" --uninstall --ranges-file "$WORK/n$i/ranges.json" \
		--log-file "$WORK/uninstall-n$i.log" "$@"
}

# restart_watched I START_CMD...: restart node I's agent (START_CMD starts it
# again) while polling its routes: any change during the restart, after its
# relist, or past one resync period (2 s), or any route event of protocol 199
# fails. The monitor's output stays in $WORK/monitor.
restart_watched() {
	local i=$1 before lists mon
	shift
	lists=$(listed "$i")
	before=$(routes "$i")
	ip -n "$(ns "$i")" monitor route >"$WORK/monitor" 2>&1 &
	mon=$!
	sleep 0.3
	stop_agent "$i"
	"$@"
	for _ in $(seq 1 15); do
		[ "$(routes "$i")" = "$before" ] || { kill "$mon"; fail "node-$i: routes changed during the restart: $(routes "$i")"; }
		sleep 0.2
	done
	wait_for 10 relisted "$i" "$lists" || { kill "$mon"; fail "node-$i: the restarted agent did not list"; }
	sleep 2.5 # past one resync period
	kill "$mon"
	[ "$(routes "$i")" = "$before" ] || fail "node-$i: routes changed after the restart: $(routes "$i")"
	! grep -q "proto 199" "$WORK/monitor" || fail "node-$i: route events during the restart: $(cat "$WORK/monitor")"
}

# Nothing the agent creates is left on node I: routes, nft table, VXLAN device, ranges file.
agent_left() { # I -> prints what is left, one line each
	routes "$1"
	ip netns exec "$(ns "$1")" nft list table inet slicenet >/dev/null 2>&1 && echo "nft table inet slicenet"
	ip -n "$(ns "$1")" -o link show type vxlan 2>/dev/null
	[ ! -e "$WORK/n$1/ranges.json" ] || echo "$WORK/n$1/ranges.json"
}

fabric_down() { # NODES...: stop agents and the API server, remove every namespace
	local i
	for i in "$@"; do stop_agent "$i"; done
	# The logs go to the test's log (stderr) for whoever reads a failure.
	for f in "$WORK"/agent-n*.log "$WORK"/apiserver.log; do
		[ -e "$f" ] && echo "=== $f" && tail -n 40 "$f"
	done >&2
	kill "$(cat "$WORK/apiserver.pid" 2>/dev/null)" 2>/dev/null
	for i in "$@"; do ip netns del "$(ns "$i")" 2>/dev/null; done
	ip netns del "$FAB" 2>/dev/null
}
