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
cleanup() {
	for p in "${pods[@]}"; do ip netns del "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# The shipped conflist, with its state kept in a scratch directory.
conflist=$(jq -c --arg w "$work" '.plugins[0].stateDir = "\($w)/state"
	| .plugins[0].ipam.dataDir = "\($w)/ipam" | .plugins[0].logFile = "\($w)/slicenet.log"
	| .plugins[0].ipam.ranges = [[{"subnet": "10.244.77.0/24"}]]' "$conflist_src")
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
printf '%-12s %-7s %-10s %-6s %-16s %-15s %s\n' POD SLICE DATAPATH IFACE ADDRESS HOST-SIDE MTU
declare -A addr
for i in "${!pods[@]}"; do
	pod=${pods[$i]} slice=${slices[$i]}
	ip netns add "$pod"
	result=$(cni ADD "$pod" "$slice")
	record="$work/state/$network/$pod:eth0.json"
	datapath=$(jq -r .datapath "$record")
	addr[$pod]=$(echo "$result" | jq -r '.ips[0].address')
	printf '%-12s %-7s %-10s %-6s %-16s %-15s %s\n' "$pod" "$slice" "$datapath" \
		"$(echo "$result" | jq -r '.interfaces[1].name')" "${addr[$pod]}" \
		"$(echo "$result" | jq -r '.interfaces[0].name')" \
		"$(ip -n "$pod" -o link show eth0 | sed -n 's/.* mtu \([0-9]*\).*/\1/p')"
done
echo
grep -h "fell back" "$work/slicenet.log" | sed 's/^[^ ]* /   log: /' || true
echo
echo "== pod-to-pod ping"
for src in "${pods[@]}"; do
	for dst in "${pods[@]}"; do
		[ "$src" = "$dst" ] && continue
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
links=$(ip -o link show | grep -cE ': sn[0-9a-f]{12}[@:]' || true)
ipfiles=$(find "$work/ipam" -type f ! -name lock ! -name 'last_reserved_ip*' | wc -l)
records=$(find "$work/state" -name '*.json' | wc -l)
echo "   host veths left: $links, IPAM reservations left: $ipfiles, attachment records left: $records"
[ "$links" -eq 0 ] && [ "$ipfiles" -eq 0 ] && [ "$records" -eq 0 ] || { echo "demo: something was left behind" >&2; exit 1; }
echo "== demo passed"
