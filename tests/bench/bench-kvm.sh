#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-kvm.sh --- boot speed of the KVM engine: wall time from start to the
# SYSLINUX banner on COM1 for `dualvm run --engine kvm` and for
# `qemu-system-x86_64 -enable-kvm`, same disk (linux-i386.img) and memory,
# median of BENCH_RUNS runs (default 3), printed as a ratio dualvm/qemu
# (below 1: dualvm is faster).
set -u
BUILD=${BUILD:?}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
RUNS=${BENCH_RUNS:-3}
MEM=256
img=$GUESTS/linux-i386.img
qemu=$(command -v qemu-system-x86_64)

[ -e "$img" ] || { echo "SKIP bench-kvm: $img missing (make guests)"; exit 0; }
[ -e /dev/kvm ] || { echo "SKIP bench-kvm: /dev/kvm is absent"; exit 0; }
[ -n "$qemu" ] || { echo "SKIP bench-kvm: qemu-system-x86_64 not installed"; exit 0; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp --sparse=always "$img" "$tmp/disk.img"	# dualvm runs it persistent

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ms until SYSLINUX appears on the output of "$@", or empty on failure
time_to_banner() {
	local s e pid
	s=$(now_ms)
	exec 3< <(exec timeout 90 "$@" </dev/null 2>/dev/null)
	pid=$!
	if grep -a -m1 -q SYSLINUX <&3; then
		e=$(now_ms)
		echo $(( e - s ))
	fi
	exec 3<&-
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

d=() q=()
for i in $(seq "$RUNS"); do
	t=$(time_to_banner "$DUALVM" run --engine kvm --memory $MEM --serial stdio \
		--timeout 80 --until-serial SYSLINUX "$tmp/disk.img")
	[ -n "$t" ] && d+=("$t")
	t=$(time_to_banner "$qemu" -enable-kvm -m $MEM -nographic -no-reboot \
		-snapshot -drive file="$tmp/disk.img",format=raw,if=ide)
	[ -n "$t" ] && q+=("$t")
done
echo "bench-kvm: dualvm runs (ms): ${d[*]:-none}"
echo "bench-kvm: qemu runs (ms):   ${q[*]:-none}"
if [ ${#d[@]} = 0 ] || [ ${#q[@]} = 0 ]; then
	echo "SKIP bench-kvm: a run did not reach the SYSLINUX banner"; exit 0
fi
dm=$(median "${d[@]}") qm=$(median "${q[@]}")
awk -v d="$dm" -v q="$qm" 'BEGIN { printf "bench-kvm: time to SYSLINUX banner: dualvm %d ms, qemu -enable-kvm %d ms, ratio dualvm/qemu = %.2f\n", d, q, d / q }'
