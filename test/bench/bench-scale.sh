#!/bin/bash
# make bench-scale: PODS (500) pods, each in its own network namespace, added
# by PARALLEL (16) concurrent callers through the slicenet binary (veth +
# in-process IPAM on a /22), then deleted the same way, ROUNDS (3) times.
# Reports ADD and DEL latency percentiles per block of 100 calls in completion
# order (does ADD stay flat as the node fills?), and checks every round: every
# call succeeded, every address is unique and configured in its pod, and
# nothing is left after the DELs (host veths, IPAM reservations, state
# records, pod links). On the empty node before the first fill, with PODS pods
# in, and on the node emptied again after each round's DELs, PROBE (100)
# sequential ADD+DEL cycles of other pods measure ADD p50 (a sync, then SETTLE
# (3) seconds of quiet before each). The goal's ratio is taken per round
# against the mean of the empty-node probes just before and just after that
# fill, so drift of the machine or the file system during the run cancels
# instead of passing for growth; its median and spread over rounds is the
# last line.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
pods=${PODS:-500}
parallel=${PARALLEL:-16}
block=${BLOCK:-100}
prefix=sns$$-
work=$(mktemp -d /tmp/slicenet-scale.XXXXXX)
failures=0

probes=${PROBE:-100}
rounds=${ROUNDS:-3}
settle=${SETTLE:-3}
cleanup() {
	for i in $(seq 0 $((pods - 1))); do ip netns del "$prefix$i" 2>/dev/null || true; done
	for i in $(seq 0 63); do ip netns del "${prefix}p$i" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

check() { # condition-text command...
	local what=$1
	shift
	if "$@"; then echo "  ok    $what"; else echo "  FAIL  $what"; failures=$((failures + 1)); fi
}

cat >"$work/conf.json" <<JSON
{"cniVersion":"1.1.0","name":"scale","type":"slicenet","stateDir":"$work/state",
 "ipam":{"type":"slicenet-ipam","ranges":[[{"subnet":"10.60.0.0/22"}]],"dataDir":"$work/ipam"},
 "defaultSlice":"embb","slices":{"embb":{"datapaths":["veth"]}}}
JSON

echo "== $pods network namespaces"
for i in $(seq 0 $((pods - 1))); do ip netns add "$prefix$i"; done
for i in $(seq 0 63); do ip netns add "${prefix}p$i"; done

# probe: PROBE sequential ADD+DEL cycles of other pods (their own netns), one
# at a time: ADD p50 on an empty node, and again with the $pods pods in.
probe() {
	# Written-back first: right after a burst of ADDs or DELs, creating a file
	# waits on the write-back of that burst's metadata (0.4-0.7 ms a create,
	# measured with strace -T), which is the burst's cost, not the pods'.
	sync
	sleep "$settle"
	"$build/bench/cni_bench" "$build/bin/slicenet" "$work/conf.json" "$build/bin:/usr/lib/cni" \
		"${prefix}p" "$probes" 1 | jq -r '"\(.add.p50) \(.failures)"'
}
read -r add_empty probe_fail_empty < <(probe)
mkdir -p "$work/out"

# stats FILE LABEL: percentiles per block of completion order, then overall.
stats() {
	python3 - "$1" "$2" "$block" <<'PY'
import sys
path, label, block = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [l.split() for l in open(path) if l.strip()]
lat = [float(r[3]) for r in rows]
span = max(float(r[2]) for r in rows) / 1e3
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
print(f"  {label}: {len(rows)} calls in {span:.1f}s ({len(rows) / span:.0f}/s)")
print(f"  {'calls':>11} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for s in range(0, len(lat), block):
    b = lat[s:s + block]
    print(f"  {s + 1:>5}-{s + len(b):<5} {pct(b, 50):8.1f} {pct(b, 90):8.1f} {pct(b, 99):8.1f} {max(b):8.1f}")
print(f"  {'all':>11} {pct(lat, 50):8.1f} {pct(lat, 90):8.1f} {pct(lat, 99):8.1f} {max(lat):8.1f}")
PY
}

run() { # command -> $work/<command>.tsv
	"$build/bench/scale_add" "$build/bin/slicenet" "$work/conf.json" "$build/bin:/usr/lib/cni" \
		"$prefix" "$1" "$pods" "$parallel" "$work/out" >"$work/$1.tsv"
}

fill() { # round
	echo "== round $1: ADD $pods pods, $parallel concurrent callers"
	run ADD
	stats "$work/ADD.tsv" ADD
	check "every ADD succeeded" [ "$(awk '$5 != 0' "$work/ADD.tsv" | wc -l)" -eq 0 ]
	for i in $(seq 0 $((pods - 1))); do
		jq -r '.ips[0].address // "none"' "$work/out/ADD-$i.json"
	done >"$work/addresses"
	check "every pod got an address" [ "$(grep -c / "$work/addresses")" -eq "$pods" ]
	check "all $pods addresses unique" [ "$(sort -u "$work/addresses" | wc -l)" -eq "$pods" ]
	check "IPAM holds exactly $pods reservations" \
		[ "$(find "$work/ipam/scale" -name '10.*' | wc -l)" -eq "$pods" ]
	check "$pods state records" [ "$(find "$work/state/scale" -name '*.json' | wc -l)" -eq "$pods" ]
	local bad=0 addr
	for i in $(seq 0 $((pods - 1))); do
		addr=$(sed -n "$((i + 1))p" "$work/addresses")
		# No grep -q in a pipe: with pipefail its early exit fails the pipe.
		case $(ip -n "$prefix$i" -o addr show dev eth0 2>&1) in
		*"inet $addr "*) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done
	check "every pod's eth0 carries its address ($bad wrong)" [ "$bad" -eq 0 ]
	for i in $(seq 0 $((pods - 1))); do jq -r '.interfaces[0].name' "$work/out/ADD-$i.json"; done \
		>"$work/host_links"
	check "$pods host veths exist" [ "$(ip -o link | grep -cFf "$work/host_links")" -eq "$pods" ]
}

drain() { # round
	echo "== round $1: DEL $pods pods, $parallel concurrent callers"
	run DEL
	stats "$work/DEL.tsv" DEL
	check "every DEL succeeded" [ "$(awk '$5 != 0' "$work/DEL.tsv" | wc -l)" -eq 0 ]
	check "no host veth left" [ "$(ip -o link | grep -cFf "$work/host_links" || true)" -eq 0 ]
	check "no IPAM reservation left" [ "$(find "$work/ipam/scale" -name '10.*' | wc -l)" -eq 0 ]
	check "no state record left" [ "$(find "$work/state/scale" -name '*.json' | wc -l)" -eq 0 ]
	local left=0
	for i in $(seq 0 $((pods - 1))); do
		[ "$(ip -n "$prefix$i" -o link | wc -l)" -eq 1 ] || left=$((left + 1))
	done
	check "only lo left in every pod netns ($left not)" [ "$left" -eq 0 ]
}

empty=("$add_empty")
full=()
for r in $(seq 1 "$rounds"); do
	fill "$r"
	read -r p f < <(probe)
	full+=("$p")
	check "every probe call with $pods pods succeeded" [ "$f" -eq 0 ]
	drain "$r"
	read -r p f < <(probe)
	empty+=("$p")
	check "every probe call on the emptied node succeeded" [ "$f" -eq 0 ]
	echo "== round $r: ADD p50, one call at a time ($probes calls each): empty before ${empty[r - 1]} ms, $pods pods ${full[r - 1]} ms, empty after ${empty[r]} ms"
done
check "every probe call on the first empty node succeeded" [ "$probe_fail_empty" -eq 0 ]
check "no temp files in the stores" \
	[ -z "$(find "$work/ipam" "$work/state" -type f -name '.tmp*' -o -type f -name '*.tmp.*')" ]

# Per round: full / mean(empty before, empty after).
python3 - "$pods" "${empty[*]}" "${full[*]}" <<'PY'
import sys
pods, empty, full = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
r = sorted(f / ((empty[i] + empty[i + 1]) / 2) for i, f in enumerate(full))
print(f"empty-node ADD p50 per probe: {' '.join(f'{e:.3f}' for e in empty)} ms; with {pods} pods: {' '.join(f'{f:.3f}' for f in full)} ms")
print(f"ratio ADD p50 with {pods} pods / empty node (mean of the probes before and after each fill), per round: "
      f"{r[len(r) // 2]:.2f}x [{r[0]:.2f}..{r[-1]:.2f}] (goal <= 1.2x)")
PY
echo "== $failures check(s) failed"
[ "$failures" -eq 0 ]
