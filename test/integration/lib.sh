# Shared helpers for integration tests: a TAP harness and CNI call wrappers.
# A test file defines functions named test_*, sources this file and calls
# run_tests. Each test runs in a subshell; its output goes to stderr (the log),
# and one TAP line per test goes to stdout.
set -u

BUILD_DIR=${BUILD_DIR:-$(pwd)/build}
SLICENET=$BUILD_DIR/bin/slicenet
SLICENET_IPAM=$BUILD_DIR/bin/slicenet-ipam
REF_CNI_DIR=/usr/lib/cni

fail() { echo "FAIL: $*" >&2; exit 1; }
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', want '$2'"; }
assert_contains() { case "$1" in *"$2"*) ;; *) fail "${3:-missing text}: '$2' not in '$1'" ;; esac; }

# cni_call CMD NETNS_PATH CONTAINER_ID IFNAME CONF_JSON [CNI_ARGS] -> stdout, rc
# Environment is set exactly as libcni sets it (every variable, maybe empty).
cni_call() {
	local cmd=$1 netns=$2 id=$3 ifname=$4 conf=$5 args=${6:-}
	printf '%s' "$conf" | env CNI_COMMAND="$cmd" CNI_NETNS="$netns" CNI_CONTAINERID="$id" \
		CNI_IFNAME="$ifname" CNI_ARGS="$args" CNI_PATH="$BUILD_DIR/bin:$REF_CNI_DIR" \
		"${PLUGIN:-$SLICENET}"
}

run_tests() {
	local n=0 t
	local tests
	tests=$(declare -F | awk '{print $3}' | grep '^test_' )
	echo "1..$(echo "$tests" | wc -l)"
	for t in $tests; do
		n=$((n + 1))
		echo "--- $t" >&2
		# Not inside "if": bash ignores set -e in a condition's subshell.
		( set -e; "$t" ) >&2
		if [ $? -eq 0 ]; then
			echo "ok $n - $t"
		else
			echo "not ok $n - $t"
		fi
		declare -F cleanup_each >/dev/null && cleanup_each >&2 2>&1
	done
	return 0
}
