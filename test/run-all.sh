#!/bin/bash
# Runs the unit tests (Criterion, built with ASan+UBSan) and the root
# integration tests, then prints one line: "N passed, N failed".
# Usage: test/run-all.sh BUILD_DIR [unit|integration]
set -u
build=${1:-build}
only=${2:-all}
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
failures=()

count_tap() { # file label
	local p f
	p=$(grep -cE '^ok ' "$1" || true)
	f=$(grep -cE '^not ok ' "$1" || true)
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		while IFS= read -r line; do failures+=("$2: $line"); done < <(grep -E '^not ok ' "$1")
	fi
}

logdir=$(mktemp -d /tmp/slicenet-test.XXXXXX)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if [ "$only" = all ] || [ "$only" = unit ]; then
	echo "== unit tests (ASan + UBSan)"
	for bin in "$build"/unit/test_*; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		tap="$logdir/$name.tap"
		"$bin" --tap="$tap" -j2 >"$logdir/$name.log" 2>&1
		rc=$?
		count_tap "$tap" "$name"
		# A crash before the TAP file is complete must still fail the run.
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$tap" 2>/dev/null; then
			failed=$((failed + 1))
			failures+=("$name: exited $rc (see $logdir/$name.log)")
		fi
		printf '  %-28s %s\n' "$name" "$(grep -cE "^ok " "$tap" 2>/dev/null) ok, $(grep -cE "^not ok " "$tap" 2>/dev/null) failed"
	done
fi

if [ "$only" = all ] || [ "$only" = integration ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "integration tests need root" >&2
		failed=$((failed + 1))
		failures+=("integration: not run (not root)")
	else
		echo "== integration tests (root, network namespaces)"
		for t in "$here"/integration/test_*.sh "$here"/../e2e/node/test_*.sh \
			"$here"/../e2e/cluster/test_*.sh; do
			[ -x "$t" ] || continue
			name=$(basename "$t" .sh)
			tap="$logdir/$name.tap"
			BUILD_DIR=$(cd "$build" && pwd) "$t" >"$tap" 2>"$logdir/$name.log"
			rc=$?
			count_tap "$tap" "$name"
			if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$tap"; then
				failed=$((failed + 1))
				failures+=("$name: exited $rc (see $logdir/$name.log)")
			fi
			printf '  %-28s %s\n' "$name" "$(grep -cE '^ok ' "$tap" || true) ok, $(grep -cE '^not ok ' "$tap" || true) failed"
		done
	fi
fi

for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED $f"; done
echo "logs: $logdir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
