#!/bin/bash
# make bench-cni: slicenet (veth + in-process IPAM) against Debian's reference
# ptp + host-local, same machine, same run, same driver (test/bench/cni_bench.c).
# Prints ADD+DEL latency percentiles, 64 concurrent ADDs, peak RSS and ratios.
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

run() { # name plugin conf count parallel
	"$build/bench/cni_bench" "$2" "$work/$3" "$build/bin:$ref" "$prefix" "$4" "$5" >"$work/$1.json"
}
# Interleave the contenders in halves so drift on a noisy machine hits both.
half=$((cycles / 2))
run s1 "$build/bin/slicenet" slicenet.json "$half" 1
run p1 "$ref/ptp" ptp.json "$half" 1
run p2 "$ref/ptp" ptp.json "$half" 1
run s2 "$build/bin/slicenet" slicenet.json "$half" 1
run sp "$build/bin/slicenet" slicenet.json 64 64
run pp "$ref/ptp" ptp.json 64 64

jq -n --slurpfile s1 "$work/s1.json" --slurpfile s2 "$work/s2.json" \
	--slurpfile p1 "$work/p1.json" --slurpfile p2 "$work/p2.json" \
	--slurpfile sp "$work/sp.json" --slurpfile pp "$work/pp.json" -r '
	def r2: . * 100 | round / 100;
	def avg(a; b; k; f): (a[0][k][f] + b[0][k][f]) / 2;
	def row(n; a; b): "\(n)\t\(avg(a;b;"add_del";"p50")|r2) ms\t\(avg(a;b;"add_del";"p99")|r2) ms\t\(avg(a;b;"add";"p50")|r2) ms\t\(avg(a;b;"del";"p50")|r2) ms\t\([a[0].peak_rss_kb, b[0].peak_rss_kb] | max) KiB";
	"contender\tADD+DEL p50\tADD+DEL p99\tADD p50\tDEL p50\tpeak RSS",
	row("slicenet"; $s1; $s2),
	row("ptp+host-local"; $p1; $p2),
	"",
	"64 concurrent ADDs\twall\tADD p50\tADD p99\tDEL wall",
	"slicenet\t\($sp[0].wall_add_ms|round) ms\t\($sp[0].add.p50|r2) ms\t\($sp[0].add.p99|r2) ms\t\($sp[0].wall_del_ms|round) ms",
	"ptp+host-local\t\($pp[0].wall_add_ms|round) ms\t\($pp[0].add.p50|r2) ms\t\($pp[0].add.p99|r2) ms\t\($pp[0].wall_del_ms|round) ms",
	"",
	"ratio ADD p50 (ptp / slicenet): \(avg($p1;$p2;"add";"p50") / avg($s1;$s2;"add";"p50") | . * 10 | round / 10)x (goal >= 6x)",
	"ratio DEL p50 (ptp / slicenet): \(avg($p1;$p2;"del";"p50") / avg($s1;$s2;"del";"p50") | . * 100 | round / 100)x (goal >= 1x)",
	"ratio ADD+DEL p50 (ptp / slicenet): \(avg($p1;$p2;"add_del";"p50") / avg($s1;$s2;"add_del";"p50") | . * 10 | round / 10)x",
	"ratio 64 concurrent ADD wall (ptp / slicenet): \($pp[0].wall_add_ms / $sp[0].wall_add_ms | . * 10 | round / 10)x",
	"failures: slicenet \($s1[0].failures + $s2[0].failures + $sp[0].failures), ptp \($p1[0].failures + $p2[0].failures + $pp[0].failures)"
' | column -t -s $'\t'
