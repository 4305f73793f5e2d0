#!/bin/bash
# make demo: three pods (network namespaces) attached through the slicenet
# plugin as a runtime would attach them, one per slice class, on this machine
# alone. Prints what each pod got, pings between them, then removes it all and
# shows that nothing is left.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
conflist_src=$here/../../deploy/cni/10-slicenet.conflist

if [ "$(id -u)" -ne 0 ]; then
	echo "make demo needs root (it creates network namespaces)" >&2
	exit 1
fi

work=$(mktemp -d /tmp/slicenet-demo.XXXXXX)
pods=(demo-embb demo-urllc demo-mmtc)
slices=(embb urllc mmtc)
daemon_pid=""
cleanup() {
	for p in "${pods[@]}"; do ip netns del "$p" 2>/dev/null || true; done
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	rm -rf "$work" /var/run/dpdk/slicenet-demo
}
trap cleanup EXIT

# The node's DPDK switch, so the urllc class can get its preferred vhost-user
# port: no hugepages needed (--no-huge), one polling lcore on the last CPU.
mkdir -p "$work/ports"
cpu=$(($(nproc) - 1))
"$build/bin/slicenetd" --ctl-socket "$work/slicenetd.sock" --socket-dir "$work/ports" \
	--state-dir "$work/daemon" -- --no-huge -m 256 --no-pci --lcores "0@$cpu,1@$cpu" \
	--file-prefix=slicenet-demo >"$work/slicenetd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do
	"$build/bin/slicenetctl" -s "$work/slicenetd.sock" version >/dev/null 2>&1 && break
	kill -0 "$daemon_pid" 2>/dev/null || { daemon_pid=""; break; }
	sleep 0.1
done
[ -n "$daemon_pid" ] || echo "(slicenetd did not start, see below: urllc will fall back)" >&2

# The shipped conflist, with its state kept in a scratch directory.
conflist=$(jq -c --arg w "$work" '.plugins[0].stateDir = "\($w)/state"
	| .plugins[0].ipam.dataDir = "\($w)/ipam" | .plugins[0].logFile = "\($w)/slicenet.log"
	| .plugins[0].ipam.ranges = [[{"subnet": "10.244.77.0/24"}]]
	| .plugins[0].vhostuser = {"daemonSocket": "\($w)/slicenetd.sock", "socketDir": "\($w)/ports"}' "$conflist_src")
network=$(echo "$conflist" | jq -r .name)

# What libcni does: the list's version and name go into the plugin's config, and
# runtimeConfig gets the capability args the plugin declared.
request() { # slice
	echo "$conflist" | jq -c --arg s "$1" '.plugins[0] + {cniVersion, name}
		| del(.capabilities)
		| .runtimeConfig = {"io.kubernetes.cri.pod-annotations": {"slicenet.io/slice": $s}}'
}

cni() { # CMD POD
	request "$3" | CNI_COMMAND=$1 CNI_CONTAINERID="$2" CNI_NETNS="/run/netns/$2" CNI_IFNAME=eth0 \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=$2" \
		CNI_PATH="$build/bin" "$build/bin/slicenet"
}

echo "== slicenet demo: 3 pods, 3 slice classes (conflist: deploy/cni/10-slicenet.conflist)"
echo "$conflist" | jq -r '.plugins[0].slices | to_entries[] | "   class \(.key): datapaths \(.value.datapaths | join(" > ")), mtu \(.value.mtu)"'
echo
printf '%-12s %-7s %-10s %-6s %-16s %s\n' POD SLICE DATAPATH IFACE ADDRESS "HOST SIDE"
declare -A addr kernel_pod
for i in "${!pods[@]}"; do
	pod=${pods[$i]} slice=${slices[$i]}
	ip netns add "$pod"
	result=$(cni ADD "$pod" "$slice")
	record="$work/state/$network/$pod:eth0.json"
	datapath=$(jq -r .datapath "$record")
	addr[$pod]=$(echo "$result" | jq -r '.ips[0].address')
	if [ "$datapath" = vhostuser ]; then
		host="socket $(echo "$result" | jq -r '.interfaces[0].socketPath // empty' | sed "s#$work#<tmp>#")"
		[ "$host" = "socket " ] && host="socket $(jq -r .socketPath "$record" | sed "s#$work#<tmp>#")"
	else
		kernel_pod[$pod]=1
		host="veth $(echo "$result" | jq -r '.interfaces[0].name'), mtu $(ip -n "$pod" -o link show eth0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')"
	fi
	printf '%-12s %-7s %-10s %-6s %-16s %s\n' "$pod" "$slice" "$datapath" eth0 "${addr[$pod]}" "$host"
done
if [ -n "$daemon_pid" ]; then
	echo
	echo "== slicenetd ports (slicenetctl ports)"
	"$build/bin/slicenetctl" -s "$work/slicenetd.sock" ports | sed "s#$work#<tmp>#g; s/^/   /"
	echo "   (a vhost-user pod attaches its DPDK app with --vdev net_virtio_user0,path=<socket>,server=1;"
	echo "    its address and MAC are in <socket dir>/eth0.json)"
fi
echo
grep -h "fell back" "$work/slicenet.log" | sed 's/^[^ ]* /   log: /' || true
echo
echo "== pod-to-pod ping (kernel datapaths)"
for src in "${pods[@]}"; do
	for dst in "${pods[@]}"; do
		[ "$src" = "$dst" ] && continue
		[ -n "${kernel_pod[$src]:-}" ] && [ -n "${kernel_pod[$dst]:-}" ] || continue
		to=${addr[$dst]%/*}
		if ip netns exec "$src" ping -c1 -W2 "$to" >/dev/null; then
			echo "   $src -> $dst ($to): ok"
		else
			echo "   $src -> $dst ($to): FAILED"
			exit 1
		fi
	done
done
echo
echo "== DEL every pod (twice: the second DEL, as containerd sends it, has no netns)"
for i in "${!pods[@]}"; do
	cni DEL "${pods[$i]}" "${slices[$i]}"
	ip netns del "${pods[$i]}"
	request "${slices[$i]}" | CNI_COMMAND=DEL CNI_CONTAINERID="${pods[$i]}" CNI_NETNS= \
		CNI_IFNAME=eth0 CNI_PATH="$build/bin" "$build/bin/slicenet"
done
ports=0
if [ -n "$daemon_pid" ]; then
	ports=$("$build/bin/slicenetctl" -s "$work/slicenetd.sock" --json ports | jq '.result.ports | length')
fi
links=$(ip -o link show | grep -cE ': sn[0-9a-f]{12}[@:]' || true)
ipfiles=$(find "$work/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' | wc -l)
records=$(find "$work/state" -name '*.json' | wc -l)
echo "   host veths left: $links, IPAM reservations left: $ipfiles, attachment records left: $records, slicenetd ports left: $ports"
[ "$links" -eq 0 ] && [ "$ipfiles" -eq 0 ] && [ "$records" -eq 0 ] && [ "$ports" -eq 0 ] || { echo "demo: something was left behind" >&2; exit 1; }
echo "== demo passed"
