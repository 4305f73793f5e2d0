# Fixtures for tests that drive the slicenet binary: a private state dir, IPAM
# data dir and log per test file, netns helpers, and the conf template.
TMP=$(mktemp -d /tmp/slicenet-it.XXXXXX)
STATE=$TMP/state
IPAMDIR=$TMP/ipam
LOG=$TMP/slicenet.log
NS_PREFIX=snt$$-
SUBNET_PREFIX=${SUBNET_PREFIX:-10.99.0}

# conf VERSION [extra json members] -> a request configuration
conf() {
	local version=$1 extra=${2:-}
	cat <<JSON
{"cniVersion":"$version","name":"sntest","type":"slicenet","stateDir":"$STATE",
 "logFile":"$LOG","logLevel":"debug",
 "ipam":{"type":"slicenet-ipam","ranges":[[{"subnet":"$SUBNET_PREFIX.0/24"}]],"dataDir":"$IPAMDIR"},
 "defaultSlice":"embb",
 "slices":{"embb":{"datapaths":["veth"],"mtu":1400},
           "urllc":{"datapaths":["vhostuser","veth"]},
           "fronthaul":{"datapaths":["sriov"]}}$extra}
JSON
}

new_netns() { # name -> creates it, prints its path
	ip netns add "$NS_PREFIX$1" && echo "/run/netns/$NS_PREFIX$1"
}

ns() { echo "$NS_PREFIX$1"; }

# host_ifname ID IFNAME: the veth host-side name slicenet derives (FNV-1a 64
# of "ID/IFNAME", top 48 bits), so leak checks look at exactly our links even
# when other tests run beside us. Bash arithmetic wraps at 64 bits like C.
host_ifname() {
	local s="$1/$2" h=-3750763034362895579 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(((h ^ c) * 1099511628211))
	done
	printf 'sn%012x\n' $(((h >> 16) & 0xffffffffffff))
}

link_exists() { ip link show "$1" >/dev/null 2>&1; }

ipam_files() {
	find "$IPAMDIR" -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null || true
}

state_records() {
	find "$STATE" -name '*.json' 2>/dev/null || true
}

cleanup_each() {
	local n
	for n in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true); do
		ip netns del "$n"
	done
}

cleanup_all() {
	cleanup_each
	rm -rf "$TMP"
}
trap cleanup_all EXIT
