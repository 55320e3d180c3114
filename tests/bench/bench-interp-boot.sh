#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-interp-boot.sh --- time from start to DUALVM-GUEST-READY on the
# serial port for `dualvm run --engine interp` and for QEMU TCG
# (`qemu-system-i386` / `qemu-system-x86_64 -accel tcg`), same disk (a
# private copy each run), same memory; prints both medians and the
# dualvm/QEMU ratio (target <= 3) for the Debian 686 test disk
# (linux-i386.img, busybox initramfs) and for the Debian 12 installation
# debian-amd64.img (GRUB 2, the real initramfs, systemd).
# Env: BUILD, DUALVM, GUESTS; RUNS (default 3; debian-amd64: DEB_RUNS,
# default 1); BOOT_SECS (default 900; debian-amd64: 3600).
set -u
BUILD=${BUILD:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GUESTS=${GUESTS:-$BUILD/guests}
RUNS=${RUNS:-3}
DEB_RUNS=${DEB_RUNS:-1}
BOOT_SECS=${BOOT_SECS:-900}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }

# wait_marker LOG PID: seconds until the marker appears, or "" on exit/timeout
wait_marker() {
	local log=$1 pid=$2 t0=$3
	while kill -0 "$pid" 2>/dev/null; do
		if grep -aq DUALVM-GUEST-READY "$log" 2>/dev/null; then
			awk -v a="$(now)" -v b="$t0" 'BEGIN {print a - b}'
			return 0
		fi
		sleep 0.2
	done
	grep -aq DUALVM-GUEST-READY "$log" 2>/dev/null && awk -v a="$(now)" -v b="$t0" 'BEGIN {print a - b}'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }

# bench NAME IMG QEMU RUNS SECS MEM
bench() {
	local name=$1 img=$2 qemu=$3 runs=$4 secs=$5 mem=$6 i p t d q
	if [ ! -f "$img" ]; then
		echo "SKIP $name: $img missing (make guests)"; return
	fi
	if ! command -v "$qemu" >/dev/null; then
		echo "SKIP $name: $qemu not installed"; return
	fi
	rm -f "$tmp/dualvm.times" "$tmp/qemu.times"
	for i in $(seq 1 "$runs"); do
		cp --sparse=always "$img" "$tmp/d.img"
		: >"$tmp/d.log"
		t0=$(now)
		"$DUALVM" run --engine interp --memory "$mem" --serial "$tmp/d.log" \
			--timeout "$secs" --until-serial DUALVM-GUEST-READY \
			"$tmp/d.img" </dev/null >/dev/null 2>&1 &
		p=$!
		t=$(wait_marker "$tmp/d.log" $p "$t0"); kill $p 2>/dev/null; wait $p 2>/dev/null
		[ -n "$t" ] && echo "$t" >>"$tmp/dualvm.times"
		rm -f "$tmp/d.img"

		cp --sparse=always "$img" "$tmp/q.img"
		: >"$tmp/q.log"
		t0=$(now)
		"$qemu" -accel tcg -m "$mem" -display none -no-reboot \
			-drive file="$tmp/q.img",format=raw,if=ide \
			-serial file:"$tmp/q.log" </dev/null >/dev/null 2>&1 &
		p=$!
		t=$(wait_marker "$tmp/q.log" $p "$t0"); kill $p 2>/dev/null; wait $p 2>/dev/null
		[ -n "$t" ] && echo "$t" >>"$tmp/qemu.times"
		rm -f "$tmp/q.img"
	done
	d=$(median <"$tmp/dualvm.times" 2>/dev/null)
	q=$(median <"$tmp/qemu.times" 2>/dev/null)
	if [ -z "$d" ] || [ -z "$q" ]; then
		echo "$name: a boot did not reach DUALVM-GUEST-READY (dualvm: ${d:-none}, qemu: ${q:-none})"
		return
	fi
	printf '%s: time to DUALVM-GUEST-READY, median of %d: dualvm interp %.1f s, %s TCG %.1f s, ratio %.2f (target <= 3)\n' \
		"$name" "$runs" "$d" "$qemu" "$q" "$(awk -v a="$d" -v b="$q" 'BEGIN {print a / b}')"
}

bench bench-interp-boot "$GUESTS/linux-i386.img" qemu-system-i386 "$RUNS" "$BOOT_SECS" 256
bench bench-interp-boot-debian-amd64 "$GUESTS/debian-amd64.img" qemu-system-x86_64 \
	"$DEB_RUNS" "${DEB_BOOT_SECS:-3600}" 512
