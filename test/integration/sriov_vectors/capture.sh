#!/bin/bash
# Recapture the iproute2 test vectors: the RTM_NEWLINK request `ip link set
# PF vf N ...` sends, as hex. The stand-in PF (a veth) refuses VF settings,
# but the request bytes are what the unit test compares slicenet's with.
# Usage (root): capture.sh [OUTDIR]
set -eu
out=${1:-$(dirname "$0")}
pf=tsrcap0
ip link add "$pf" type veth peer name "${pf}p"
trap 'ip link del "$pf" 2>/dev/null || true' EXIT

capture() { # file, then the arguments after "ip link set PF"
	local file=$1
	shift
	{
		echo "# ip link set PF $*"
		echo "# $(ip -V)"
		echo "# strace -f -e trace=sendmsg -e write=all: the last RTM_NEWLINK request"
		strace -f -e trace=sendmsg -e write=all -s 4096 -x ip link set "$pf" "$@" 2>&1 |
			awk '/nlmsg_type=RTM_NEWLINK/ { grab = 1; n = 0; delete buf; next }
			     /^sendmsg/ { grab = 0 }
			     grab && /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { buf[n++] = substr($0, 11, 49) }
			     END { for (i = 0; i < n; i++) print buf[i] }' |
			tr -s ' ' | sed 's/^ //; s/ $//'
	} >"$out/$file"
}

capture vf0_full.hex vf 0 mac 02:00:00:00:00:01 vlan 100 qos 3 spoofchk off trust on \
	min_tx_rate 10 max_tx_rate 100 state enable
capture vf1_mac.hex vf 1 mac 02:11:22:33:44:55
capture vf3_vlan_8021ad.hex vf 3 vlan 200 qos 1 proto 802.1ad
capture vf2_restore.hex vf 2 mac 02:aa:bb:cc:dd:02 vlan 0 spoofchk on trust off \
	min_tx_rate 0 max_tx_rate 0 state auto
capture vf5_state_disable.hex vf 5 state disable
