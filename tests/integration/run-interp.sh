#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-interp.sh --- the tests/boot payloads, unchanged, on the interpreter
# engine (`--engine interp`), and SeaBIOS + SYSLINUX from the i386 test disk:
# the same machine as run-kvm.sh, so the engines are checked against each
# other.  SKIP when the interpreter engine is not built yet.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
payloads=(hello pit_irq cmos pci garbage mmio reset triple pm_int)

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	echo "SKIP run-interp: GNU as/ld (binutils) missing to build tests/boot"; exit 0
fi
if ! "$SRC/tests/boot/build.sh" "$BUILD/tests/boot" 2>"$tmp/build.err"; then
	echo "FAIL run-interp-build-payloads: $(head -1 "$tmp/build.err")"; exit 1
fi
timeout 60 "$DUALVM" run --engine interp --timeout 30 --serial "$tmp/probe.out" \
	--bios "$BUILD/tests/boot/hello.bin" </dev/null 2>"$tmp/probe.err"
if [ $? = 2 ] && grep -q "not implemented" "$tmp/probe.err"; then
	echo "SKIP run-interp: $(head -1 "$tmp/probe.err")"; exit 0
fi

for n in "${payloads[@]}"; do
	timeout 120 "$DUALVM" run --engine interp --memory 256 --timeout 90 \
		--serial "$tmp/$n.out" --bios "$BUILD/tests/boot/$n.bin" \
		</dev/null 2>"$tmp/$n.err"
	rc=$?
	if [ $rc = 0 ] && grep -q "^PASS $n" "$tmp/$n.out"; then
		echo "PASS interp-boot-$n"
	else
		echo "FAIL interp-boot-$n: rc=$rc, serial: $(grep -a -m1 -E '^(PASS|FAIL)' "$tmp/$n.out" || echo none), stderr: $(grep -v unclaimed "$tmp/$n.err" | tail -1)"
	fi
done

(sleep 1; printf ping) | timeout 60 "$DUALVM" run --engine interp --timeout 30 \
	--serial stdio --bios "$BUILD/tests/boot/echo.bin" >"$tmp/echo.out" 2>"$tmp/echo.err"
rc=$?
if [ $rc = 0 ] && grep -q "^PASS echo" "$tmp/echo.out"; then echo "PASS interp-serial-input"
else echo "FAIL interp-serial-input: rc=$rc"; fi

img=$GUESTS/linux-i386.img
if [ ! -e "$img" ]; then
	echo "SKIP interp-syslinux-banner: $img missing (make guests)"; exit 0
fi
cp --sparse=always "$img" "$tmp/disk.img"
s=$(date +%s%N)
timeout 150 "$DUALVM" run --engine interp --serial stdio --timeout 120 \
	--until-serial SYSLINUX "$tmp/disk.img" </dev/null >"$tmp/sl.out" 2>"$tmp/sl.err"
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc = 0 ] && tr -d '\0' <"$tmp/sl.out" | grep -a -A100 "SeaBIOS (version" | grep -a -q SYSLINUX; then
	echo "PASS interp-syslinux-banner (${ms} ms)"
else
	echo "FAIL interp-syslinux-banner: rc=$rc after ${ms} ms: $(grep -v unclaimed "$tmp/sl.err" | tail -1)"
fi
