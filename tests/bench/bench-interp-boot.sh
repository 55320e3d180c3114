#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-interp-boot.sh --- time from start to DUALVM-GUEST-READY on the
# serial port for `dualvm run --engine interp` and for
# `qemu-system-i386 -accel tcg`, same disk (a private copy each run), same
# memory; prints both medians and the dualvm/QEMU ratio (target <= 3).
# Env: BUILD, DUALVM, GUESTS; RUNS (default 3); BOOT_SECS (default 900).
set -u
BUILD=${BUILD:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GUESTS=${GUESTS:-$BUILD/guests}
RUNS=${RUNS:-3}
BOOT_SECS=${BOOT_SECS:-900}
img=$GUESTS/linux-i386.img
[ -f "$img" ] || { echo "SKIP bench-interp-boot: $img missing (make guests)"; exit 0; }
command -v qemu-system-i386 >/dev/null ||
	{ echo "SKIP bench-interp-boot: qemu-system-i386 not installed"; exit 0; }
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

for i in $(seq 1 "$RUNS"); do
	cp --sparse=always "$img" "$tmp/d.img"
	: >"$tmp/d.log"
	t0=$(now)
	"$DUALVM" run --engine interp --memory 256 --serial "$tmp/d.log" \
		--timeout "$BOOT_SECS" --until-serial DUALVM-GUEST-READY \
		"$tmp/d.img" </dev/null >/dev/null 2>&1 &
	p=$!
	t=$(wait_marker "$tmp/d.log" $p "$t0"); kill $p 2>/dev/null; wait $p 2>/dev/null
	[ -n "$t" ] && echo "$t" >>"$tmp/dualvm.times"

	cp --sparse=always "$img" "$tmp/q.img"
	: >"$tmp/q.log"
	t0=$(now)
	qemu-system-i386 -accel tcg -m 256 -display none -no-reboot \
		-drive file="$tmp/q.img",format=raw,if=ide \
		-serial file:"$tmp/q.log" </dev/null >/dev/null 2>&1 &
	p=$!
	t=$(wait_marker "$tmp/q.log" $p "$t0"); kill $p 2>/dev/null; wait $p 2>/dev/null
	[ -n "$t" ] && echo "$t" >>"$tmp/qemu.times"
done
d=$(median <"$tmp/dualvm.times" 2>/dev/null)
q=$(median <"$tmp/qemu.times" 2>/dev/null)
if [ -z "$d" ] || [ -z "$q" ]; then
	echo "bench-interp-boot: a boot did not reach DUALVM-GUEST-READY (dualvm: ${d:-none}, qemu: ${q:-none})"
	exit 0
fi
printf 'bench-interp-boot: time to DUALVM-GUEST-READY, median of %d: dualvm interp %.1f s, qemu-system-i386 TCG %.1f s, ratio %.2f (target <= 3)\n' \
	"$RUNS" "$d" "$q" "$(awk -v a="$d" -v b="$q" 'BEGIN {print a / b}')"
