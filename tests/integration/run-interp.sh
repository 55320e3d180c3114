#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-interp.sh --- the tests/boot payloads, unchanged, on the interpreter
# engine (`--engine interp`), and SeaBIOS + SYSLINUX from the i386 test disk:
# the same machine as run-kvm.sh, so the engines are checked against each
# other.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
payloads=(hello pit_irq cmos pci garbage mmio reset triple pm_int cpuid)
tmp=$TMP

if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	t_fail run-interp "GNU as/ld missing to build tests/boot (make deps)"; exit 0
fi
if ! "$SRC/tests/boot/build.sh" "$tmp/boot" 2>"$tmp/build.err"; then
	t_fail run-interp-build-payloads "$(head -1 "$tmp/build.err")"; exit 1
fi
secs=$(budget 90)

for n in "${payloads[@]}"; do
	timeout -s KILL $((secs + 60)) "$DUALVM" run --engine interp --memory 256 \
		--timeout "$secs" --serial "$tmp/$n.out" --bios "$tmp/boot/$n.bin" \
		</dev/null 2>"$tmp/$n.err"
	rc=$?
	if [ $rc = 0 ] && grep -q "^PASS $n" "$tmp/$n.out"; then
		t_pass interp-boot-$n
	else
		t_fail interp-boot-$n "rc=$rc, serial: $(grep -a -m1 -E '^(PASS|FAIL)' "$tmp/$n.out" || echo none), stderr: $(grep -v unclaimed "$tmp/$n.err" | tail -1)"
	fi
done

# --timeout: exit 124 with a line saying where the guest was (the hang
# payload halts with interrupts off).
timeout -s KILL $((secs + 60)) "$DUALVM" run --engine interp --timeout 2 \
	--serial "$tmp/hang.out" --bios "$tmp/boot/hang.bin" </dev/null 2>"$tmp/hang.err"
rc=$?
if [ $rc = 124 ] && grep -q "timeout after 2 s (vCPU 0 halted at f000:[0-9a-f]*, interrupts off)" "$tmp/hang.err"; then
	t_pass interp-timeout-says-where "$(tail -n 1 "$tmp/hang.err")"
else
	t_fail interp-timeout-says-where "rc=$rc: $(tail -n 1 "$tmp/hang.err")"
fi

# Unclaimed ports and addresses: silent by default (garbage.err above);
# --log-unclaimed prints each address once, at most 64 per space.
if grep -q unclaimed "$tmp/garbage.err"; then
	t_fail interp-unclaimed-quiet "printed without --log-unclaimed: $(grep -m1 unclaimed "$tmp/garbage.err")"
else
	t_pass interp-unclaimed-quiet
fi
timeout -s KILL $((secs + 60)) "$DUALVM" run --engine interp --memory 256 \
	--timeout "$secs" --serial "$tmp/garbage2.out" --log-unclaimed \
	--bios "$tmp/boot/garbage.bin" </dev/null 2>"$tmp/garbage2.err"
rc=$?
lines=$(grep -c "unclaimed" "$tmp/garbage2.err")
if [ $rc = 0 ] && [ "$lines" -ge 1 ] && [ "$lines" -le 128 ] &&
   [ "$(grep unclaimed "$tmp/garbage2.err" | awk '{print $2, $5}' | sort | uniq -d | wc -l)" = 0 ]; then
	t_pass interp-unclaimed-logged-once "$lines lines"
else
	t_fail interp-unclaimed-logged-once "rc=$rc, $lines log lines"
fi

DUALVM_DEBUG=1 timeout -s KILL $((secs + 60)) "$DUALVM" run --engine interp \
	--memory 256 --timeout "$secs" --serial "$tmp/garbage3.out" \
	--bios "$tmp/boot/garbage.bin" </dev/null 2>"$tmp/garbage3.err"
if [ "$(grep -c unclaimed "$tmp/garbage3.err")" = "$lines" ]; then
	t_pass interp-unclaimed-dualvm-debug
else
	t_fail interp-unclaimed-dualvm-debug "$(grep -c unclaimed "$tmp/garbage3.err") lines with DUALVM_DEBUG=1, $lines with --log-unclaimed"
fi

# Host input reaches COM1 (stdin is a pipe; the payload waits for it).
(sleep 1; printf ping) | timeout -s KILL $((secs + 60)) "$DUALVM" run \
	--engine interp --timeout "$secs" --serial stdio \
	--bios "$tmp/boot/echo.bin" >"$tmp/echo.out" 2>"$tmp/echo.err"
rc=$?
if [ $rc = 0 ] && grep -q "^PASS echo" "$tmp/echo.out"; then t_pass interp-serial-input
else t_fail interp-serial-input "rc=$rc $(tail -n 1 "$tmp/echo.err")"; fi

img=$GUESTS/linux-i386.img
if [ ! -e "$img" ]; then
	t_fail interp-syslinux-banner "$img missing (make guests)"; exit 0
fi
cp --sparse=always "$img" "$tmp/disk.img"
s=$(date +%s%N)
dualvm_boot "$tmp/sl.log" "$(budget 120)" SYSLINUX --engine interp "$tmp/disk.img"
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc = 0 ] && tr -d '\0' <"$tmp/sl.log" | grep -a -A100 "SeaBIOS (version" | grep -a -q SYSLINUX; then
	t_pass interp-syslinux-banner "${ms} ms"
else
	t_fail_log interp-syslinux-banner "$(boot_why $rc "$tmp/sl.log")" "$tmp/sl.log"
fi
exit 0
