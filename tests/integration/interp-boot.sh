#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# interp-boot.sh --- the tests/boot payloads on `dualvm run --engine interp`,
# each compared with the same payload under QEMU TCG (the CPU oracle).
#
# A payload must print "PASS <name>" under the interpreter.  Where QEMU's
# board runs the payload to PASS too, the serial output of both must be
# identical; where QEMU's board differs from dualvm's (devices the payload
# probes), the comparison is a SKIP naming the reason.
# Env: BUILD SRC DUALVM (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
payloads=(hello pm_int pit_irq cmos pci garbage mmio reset triple)

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$DUALVM" ]; then
	echo "FAIL interp-boot: $DUALVM not built"; exit 1
fi
if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	echo "SKIP interp-boot: GNU as/ld (binutils) missing to build tests/boot"; exit 0
fi
if ! "$SRC/tests/boot/build.sh" "$tmp/boot" "${payloads[@]}" 2>"$tmp/build.err"; then
	echo "SKIP interp-boot: payloads do not build: $(head -1 "$tmp/build.err")"; exit 0
fi
qemu=$(command -v qemu-system-i386 || true)

for n in "${payloads[@]}"; do
	bin=$tmp/boot/$n.bin
	[ -e "$bin" ] || { echo "SKIP interp-payload-$n: payload missing"; continue; }
	timeout 120 "$DUALVM" run --engine interp --memory 256 --timeout 60 \
		--serial "$tmp/$n.out" --bios "$bin" </dev/null 2>"$tmp/$n.err"
	rc=$?
	if [ $rc = 0 ] && grep -aq "^PASS $n" "$tmp/$n.out"; then
		echo "PASS interp-payload-$n"
	else
		echo "FAIL interp-payload-$n: rc=$rc, $(tr -d '\r\0' <"$tmp/$n.out" 2>/dev/null | tail -1) $(tail -1 "$tmp/$n.err")"
		continue
	fi
	if [ -z "$qemu" ]; then
		echo "SKIP interp-qemu-$n: qemu-system-i386 not installed"; continue
	fi
	( exec 2>/dev/null; timeout 20 "$qemu" -accel tcg -m 256 -bios "$bin" -display none \
		-serial "file:$tmp/$n.qemu" -monitor none \
		-device isa-debug-exit,iobase=0x501,iosize=1 </dev/null >/dev/null 2>&1 ) 2>/dev/null
	if ! grep -aq "^PASS $n" "$tmp/$n.qemu" 2>/dev/null; then
		echo "SKIP interp-qemu-$n: QEMU's board does not run this payload to PASS ($(tr -d '\r\0' <"$tmp/$n.qemu" 2>/dev/null | tail -1 | cut -c1-60))"
		continue
	fi
	if cmp -s <(tr -d '\r' <"$tmp/$n.out") <(tr -d '\r' <"$tmp/$n.qemu"); then
		echo "PASS interp-qemu-$n"
	else
		echo "FAIL interp-qemu-$n: serial output differs from QEMU TCG"
		diff <(tr -d '\r' <"$tmp/$n.qemu") <(tr -d '\r' <"$tmp/$n.out") | head -5 >&2
	fi
done
exit 0
