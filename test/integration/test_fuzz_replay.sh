#!/bin/bash
# Replays the committed fuzz corpora (test/fuzz/corpus/<target>/) through the
# libFuzzer binaries without fuzzing, so a crash once found and added to a
# corpus stays fixed. One test per target; builds the fuzzers when missing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$(cd "$here/../.." && pwd)
corpus=$root/test/fuzz/corpus
fuzz_bin=$BUILD_DIR/fuzz/bin
scratch=$(mktemp -d /tmp/slicenet-fuzz-replay.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

if ! ls "$fuzz_bin"/fuzz_* >/dev/null 2>&1; then
	make -C "$root" --no-print-directory BUILD="$BUILD_DIR" fuzz-bins >&2 ||
		echo "building the fuzzers failed (clang, libclang-rt-14-dev?)" >&2
fi

replay() { # target
	local bin=$fuzz_bin/fuzz_$1 log=$scratch/$1.log n
	[ -x "$bin" ] || fail "$bin is not built (make fuzz-bins)"
	n=$(find "$corpus/$1" -type f | wc -l)
	[ "$n" -gt 0 ] || fail "no seeds in $corpus/$1"
	# -runs=0: execute every input once, mutate nothing. The fuzzer's own
	# scratch files go to a private TMPDIR.
	TMPDIR=$scratch "$bin" -runs=0 -timeout=10 -artifact_prefix="$scratch/" "$corpus/$1" \
		>"$log" 2>&1 || { cat "$log"; fail "fuzz_$1 crashed on a corpus input"; }
	grep -q 'DONE' "$log" || { cat "$log"; fail "fuzz_$1 did not finish"; }
	echo "fuzz_$1: $n inputs replayed"
}

for t in $(cd "$corpus" && ls); do
	eval "test_replay_$t() { replay $t; }"
done

run_tests
