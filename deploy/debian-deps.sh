#!/bin/sh
# Install the Debian packages a make target needs, only those missing, with
# one apt-get update first.
# Usage: debian-deps.sh build|test|bench|dpdk|only ["EXTRA PACKAGES"]
set -eu

build="gcc make pkg-config libjansson-dev libmnl-dev libnl-route-3-dev"
test="$build libcriterion-dev iproute2 containernetworking-plugins iputils-ping jq procps util-linux
	clang libclang-rt-14-dev containerd python3-yaml unzip libdpdk-dev dpdk-dev
	libcurl4-openssl-dev libnftables-dev nftables openssl"
bench="$test hyperfine"
dpdk="$build libdpdk-dev dpdk-dev"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
dpdk) want=$dpdk ;;
only) want="" ;;
*) echo "usage: $0 build|test|bench|dpdk|only [\"EXTRA PACKAGES\"]" >&2; exit 2 ;;
esac
[ -n "${2:-}" ] && want="$want $2"

missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# Another apt run may hold the lock (a parallel build): wait for it.
apt-get -o DPkg::Lock::Timeout=300 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >/dev/null
