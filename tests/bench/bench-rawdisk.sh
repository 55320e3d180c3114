#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-rawdisk.sh --- 4 KiB sequential and random read/write throughput
# through dualvm's qcow2 overlay vs the raw image it sits on, for
# first writes (copy-on-write allocation) and for allocated clusters, and
# vs `qemu-img bench` on the same qcow2 (sequential only: qemu-img bench has
# no random mode).  Prints one "ratio" line per comparison; targets from the
# issue: allocated within 10 % of raw (ratio >= 0.90), first write within
# 2x of raw (ratio >= 0.50).
# Env: DUALVM, BENCH_MB (image size, default 256), BENCH_OPS (default 16384).
set -u
DUALVM=${DUALVM:-${BUILD:?}/bin/dualvm}
MB=${BENCH_MB:-256}
OPS=${BENCH_OPS:-65536}
TMP=$(mktemp -d /var/tmp/dualvm-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

raw=$TMP/raw.img ovl=$TMP/ovl.qcow2
head -c $((MB << 20)) /dev/urandom >"$raw"
cat "$raw" >/dev/null

# mbs OP PATTERN FILE: MB/s from dualvm's block layer (median of 3)
mbs() {
	local i
	for i in 1 2 3; do
		"$DUALVM" disk debug-bench "$3" --op "$1" --pattern "$2" \
			--bs 4096 --count "$OPS" | awk '{print $1}'
	done | sort -n | sed -n 2p
}
newovl() {
	rm -f "$ovl"
	qemu-img create -q -f qcow2 -b "$raw" -F raw "$ovl" >/dev/null 2>&1 ||
		{ echo "SKIP bench-rawdisk: qemu-img create failed"; exit 0; }
}
ratio() { awk -v a="$2" -v b="$3" -v n="$1" -v t="$4" 'BEGIN {
	r = b > 0 ? a / b : 0
	printf "ratio %-44s %6.2f  (%s vs %s MB/s; target >= %s)\n", n, r, a, b, t }'; }
qbench() {	# qemu-img bench MB/s: FILE FMT [-w]
	local t
	t=$(qemu-img bench -f "$2" -t writeback -c "$OPS" -s 4096 ${3:-} "$1" 2>/dev/null |
		sed -n 's/.*Run completed in \([0-9.]*\) seconds.*/\1/p')
	[ -n "$t" ] && awk -v t="$t" -v n="$OPS" 'BEGIN { printf "%.1f", n * 4096 / t / 1e6 }'
}

command -v qemu-img >/dev/null || { echo "SKIP bench-rawdisk: qemu-img not installed"; exit 0; }
cp "$raw" "$TMP/rawcopy.img"
declare -A R
for p in seq rand; do
	R[raw_read_$p]=$(mbs read $p "$raw")
	R[raw_write_$p]=$(mbs write $p "$TMP/rawcopy.img")
	R[first_write_$p]=$(for i in 1 2 3; do newovl
		"$DUALVM" disk debug-bench "$ovl" --op write --pattern $p --bs 4096 \
			--count "$OPS" | awk '{print $1}'; done | sort -n | sed -n 2p)
done
# allocate everything, then measure allocated-cluster I/O
newovl
"$DUALVM" disk debug-bench "$ovl" --op write --pattern seq --bs 65536 \
	--count $((MB * 16)) >/dev/null
for p in seq rand; do
	R[alloc_read_$p]=$(mbs read $p "$ovl")
	R[alloc_write_$p]=$(mbs write $p "$ovl")
done
R[qemu_read_seq]=$(qbench "$ovl" qcow2)
R[qemu_write_seq]=$(qbench "$ovl" qcow2 -w)

for p in seq rand; do
	ratio "overlay allocated read $p / raw" "${R[alloc_read_$p]}" "${R[raw_read_$p]}" 0.90
	ratio "overlay allocated write $p / raw" "${R[alloc_write_$p]}" "${R[raw_write_$p]}" 0.90
	ratio "overlay first write $p / raw" "${R[first_write_$p]}" "${R[raw_write_$p]}" 0.50
done
[ -n "${R[qemu_read_seq]}" ] &&
	ratio "overlay read seq / qemu-img bench" "${R[alloc_read_seq]}" "${R[qemu_read_seq]}" 1.00
[ -n "${R[qemu_write_seq]}" ] &&
	ratio "overlay write seq / qemu-img bench" "${R[alloc_write_seq]}" "${R[qemu_write_seq]}" 1.00
exit 0
