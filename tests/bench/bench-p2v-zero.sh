#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-p2v-zero.sh --- dualvm p2v against qemu-img convert on a freshly
# zeroed disk image (issue 12): BENCH_ZERO_GIB (default 4) GiB, once sparse
# (truncate: every byte a hole) and once written with zeros (dd: no holes,
# every byte must be read and found zero), converted to qcow2, vhd, vhdx and
# vdi.  Each time is the best of 3.  Prints the time ratio dualvm / qemu-img
# per case (target <= 1.0: never slower).
set -u
BUILD=${BUILD:?} DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GIB=${BENCH_ZERO_GIB:-4}
for tool in qemu-img python3; do
	command -v "$tool" >/dev/null || { echo "SKIP bench-p2v-zero: $tool is not installed"; exit 0; }
done
T=$(mktemp -d /var/tmp/p2v-zero.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

now() { date +%s.%N; }
# best TIMES...: the smallest
best() { python3 -c 'import sys; print(f"{min(map(float, sys.argv[1:])):.3f}")' "$@"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

truncate -s "${GIB}G" sparse.raw
dd if=/dev/zero of=zeroed.raw bs=1M count=$((GIB * 1024)) status=none
cat zeroed.raw >/dev/null			# warm the cache
for src in sparse zeroed; do
	for f in qcow2:qcow2:qcow2 vpc:vhd:vhd vhdx:vhdx:vhdx vdi:vdi:vdi; do
		IFS=: read -r q ext fmt <<<"$f"
		qt=() dt=()
		for i in 1 2 3; do
			rm -f "q.$ext" "d.$ext"
			sync; t0=$(now); qemu-img convert -t writeback -f raw -O "$q" "$src.raw" "q.$ext"; t1=$(now)
			qt+=("$(python3 -c "print($t1 - $t0)")")
			sync; t0=$(now); "$DUALVM" p2v "$src.raw" "d.$ext" --format "$fmt" >/dev/null 2>&1; t1=$(now)
			dt+=("$(python3 -c "print($t1 - $t0)")")
		done
		qs=$(best "${qt[@]}") ds=$(best "${dt[@]}")
		echo "p2v $src ${GIB} GiB -> $fmt: dualvm ${ds} s, qemu-img ${qs} s: time ratio $(ratio "$ds" "$qs") (target <= 1.0)"
		rm -f "q.$ext" "d.$ext"
	done
done
exit 0
