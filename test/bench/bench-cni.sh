#!/bin/bash
# make bench-cni: slicenet (veth + in-process IPAM) against Debian's reference
# ptp + host-local, same machine, same run, same driver (test/bench/cni_bench.c).
# Prints ADD+DEL latency percentiles (medians over ROUNDS interleaved rounds),
# 64 concurrent ADDs, peak RSS, and per-round paired ratios with their spread.
# Twice: back to back (each DEL right after its ADD), and with pods that live
# LIFETIME_MS (100) between ADD and DEL (untimed), as a runtime's pods do: a
# DEL right after an ADD waits in the kernel for what that ADD set off.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
cycles=${CYCLES:-200}
ref=/usr/lib/cni
work=$(mktemp -d /tmp/slicenet-bench.XXXXXX)
prefix=snb$$-
cleanup() {
	for i in $(seq 0 63); do ip netns del "$prefix$i" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
for i in $(seq 0 63); do ip netns add "$prefix$i"; done

cat >"$work/slicenet.json" <<JSON
{"cniVersion":"1.0.0","name":"bench","type":"slicenet","stateDir":"$work/state",
 "ipam":{"type":"slicenet-ipam","ranges":[[{"subnet":"10.97.0.0/24"}]],"dataDir":"$work/ipam"}}
JSON
cat >"$work/ptp.json" <<JSON
{"cniVersion":"1.0.0","name":"bench","type":"ptp",
 "ipam":{"type":"host-local","ranges":[[{"subnet":"10.97.0.0/24"}]],"dataDir":"$work/hl"}}
JSON

run() { # name plugin conf count parallel [lifetime_ms]
	"$build/bench/cni_bench" "$2" "$work/$3" "$build/bin:$ref" "$prefix" "$4" "$5" "${6:-0}" >"$work/$1.json"
}
# Interleave the contenders in ROUNDS rounds of halves (s p p s) so drift on a
# noisy machine hits both, and report per-round paired ratios with their spread.
rounds=${ROUNDS:-5}
half=$((cycles / rounds / 2))
lifetime=${LIFETIME_MS:-100}
lhalf=${LIFETIME_CYCLES:-$((half / 2))}
for r in $(seq 1 "$rounds"); do
	run "s$r-a" "$build/bin/slicenet" slicenet.json "$half" 1
	run "p$r-a" "$ref/ptp" ptp.json "$half" 1
	run "p$r-b" "$ref/ptp" ptp.json "$half" 1
	run "s$r-b" "$build/bin/slicenet" slicenet.json "$half" 1
	run "ls$r-a" "$build/bin/slicenet" slicenet.json "$lhalf" 1 "$lifetime"
	run "lp$r-a" "$ref/ptp" ptp.json "$lhalf" 1 "$lifetime"
	run "lp$r-b" "$ref/ptp" ptp.json "$lhalf" 1 "$lifetime"
	run "ls$r-b" "$build/bin/slicenet" slicenet.json "$lhalf" 1 "$lifetime"
done
run sp "$build/bin/slicenet" slicenet.json 64 64
run pp "$ref/ptp" ptp.json 64 64

python3 - "$work" "$rounds" "$lifetime" <<'PY'
import json, statistics, sys
work, rounds, lifetime = sys.argv[1], int(sys.argv[2]), sys.argv[3]
load = lambda name: json.load(open(f"{work}/{name}.json"))
runs = {c: [[load(f"{c}{r}-{h}") for h in "ab"] for r in range(1, rounds + 1)]
        for c in ("s", "p", "ls", "lp")}
def per_round(c, k, f):  # the mean of the round's two halves, per round
    return [(a[k][f] + b[k][f]) / 2 for a, b in runs[c]]
def med(c, k, f):
    return statistics.median(per_round(c, k, f))
def ratio(k, f, life=""):  # ptp / slicenet per round: median [min..max]
    r = sorted(p / s for p, s in zip(per_round(life + "p", k, f), per_round(life + "s", k, f)))
    return f"{statistics.median(r):.2f}x [{r[0]:.2f}..{r[-1]:.2f}]"
rss = lambda c: max(h["peak_rss_kb"] for rr in runs[c] for h in rr)
fail = lambda c, par: sum(h["failures"] for rr in runs[c] for h in rr) + par["failures"]
sp, pp = load("sp"), load("pp")
def row(*cells):
    print(f"{cells[0]:<20}" + "".join(f"{c:>13}" for c in cells[1:]))
row("contender", "ADD+DEL p50", "ADD+DEL p99", "ADD p50", "DEL p50", "peak RSS")
for name, c in (("slicenet", "s"), ("ptp+host-local", "p")):
    row(name, f"{med(c, 'add_del', 'p50'):.2f} ms", f"{med(c, 'add_del', 'p99'):.2f} ms",
        f"{med(c, 'add', 'p50'):.2f} ms", f"{med(c, 'del', 'p50'):.2f} ms", f"{rss(c)} KiB")
for name, c in ((f"slicenet, {lifetime} ms", "ls"), (f"ptp, {lifetime} ms", "lp")):
    row(name, f"{med(c, 'add_del', 'p50'):.2f} ms", f"{med(c, 'add_del', 'p99'):.2f} ms",
        f"{med(c, 'add', 'p50'):.2f} ms", f"{med(c, 'del', 'p50'):.2f} ms", f"{rss(c)} KiB")
print(f"(medians over {rounds} interleaved rounds, each the mean of two halves; "
      f"the last two rows: pods living {lifetime} ms between ADD and DEL)")
print()
row("64 concurrent ADDs", "wall", "ADD p50", "ADD p99", "DEL wall")
for name, j in (("slicenet", sp), ("ptp+host-local", pp)):
    row(name, f"{j['wall_add_ms']:.0f} ms", f"{j['add']['p50']:.2f} ms", f"{j['add']['p99']:.2f} ms",
        f"{j['wall_del_ms']:.0f} ms")
print()
print(f"ratio ADD p50 (ptp / slicenet), per round: {ratio('add', 'p50')} (goal >= 6x)")
print(f"ratio DEL p50 (ptp / slicenet), per round, back to back: {ratio('del', 'p50')}")
print(f"ratio DEL p50 (ptp / slicenet), per round, pods living {lifetime} ms: "
      f"{ratio('del', 'p50', 'l')} (goal >= 1x)")
print(f"ratio ADD+DEL p50 (ptp / slicenet), per round: {ratio('add_del', 'p50')}")
print(f"ratio 64 concurrent ADD wall (ptp / slicenet): {pp['wall_add_ms'] / sp['wall_add_ms']:.1f}x")
lfail = lambda c: sum(h["failures"] for rr in runs[c] for h in rr)
print(f"failures: slicenet {fail('s', sp) + lfail('ls')}, ptp {fail('p', pp) + lfail('lp')}")
PY
