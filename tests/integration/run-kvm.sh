#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-kvm.sh --- `dualvm run` on the KVM engine: the tests/boot payloads,
# error reporting, exit codes, and SeaBIOS + SYSLINUX from the i386 test disk.
#
# KVM on our hosts is a nested software layer (kvm_pvm) that cannot emulate
# some instructions: a payload that stops with "emulation failure" is a SKIP
# naming the instruction, anything else that is not a PASS is a FAIL.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
payloads=(hello pit_irq cmos pci garbage)

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$DUALVM" ]; then
	echo "FAIL run-kvm: $DUALVM not built"; exit 1
fi

# --- exit codes that need no KVM -------------------------------------------
"$DUALVM" run --engine bt --bios /dev/null >/dev/null 2>"$tmp/e"; rc=$?
if [ $rc = 2 ] && grep -q "not implemented" "$tmp/e"; then echo "PASS run-engine-bt-not-implemented"
else echo "FAIL run-engine-bt-not-implemented: rc=$rc $(head -1 "$tmp/e")"; fi
"$DUALVM" run --bogus x >/dev/null 2>"$tmp/e"; rc=$?
if [ $rc = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ]; then echo "PASS run-bad-option"
else echo "FAIL run-bad-option: rc=$rc"; fi
"$DUALVM" run --engine kvm "$tmp/does-not-exist.img" >/dev/null 2>"$tmp/e"; rc=$?
if [ $rc != 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <"$tmp/e")" = 1 ]; then echo "PASS run-missing-disk"
else echo "FAIL run-missing-disk: rc=$rc"; fi

if [ ! -e /dev/kvm ]; then
	echo "SKIP run-kvm: /dev/kvm is absent"; exit 0
fi
if ! { exec 3<>/dev/kvm; } 2>/dev/null; then
	echo "SKIP run-kvm: /dev/kvm is not accessible"; exit 0
fi
exec 3>&-
if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	echo "SKIP run-kvm: GNU as/ld (binutils) missing to build tests/boot"; exit 0
fi
if ! "$SRC/tests/boot/build.sh" "$BUILD/tests/boot" 2>"$tmp/build.err"; then
	echo "FAIL run-kvm-build-payloads: $(head -1 "$tmp/build.err")"; exit 1
fi

# run_payload NAME [dualvm options...]: rc in $rc, serial in $tmp/NAME.out
run_payload() {
	local n=$1; shift
	timeout 90 "$DUALVM" run --engine kvm --memory 256 --timeout 60 \
		--serial "$tmp/$n.out" --bios "$BUILD/tests/boot/$n.bin" "$@" \
		</dev/null 2>"$tmp/$n.err"
	rc=$?
}

for n in "${payloads[@]}"; do
	run_payload "$n"
	if [ $rc = 0 ] && grep -q "^PASS $n" "$tmp/$n.out"; then
		echo "PASS kvm-boot-$n"
	elif grep -q "emulation failure" "$tmp/$n.err"; then
		echo "SKIP kvm-boot-$n: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/$n.err")"
	else
		echo "FAIL kvm-boot-$n: rc=$rc, serial: $(grep -a -m1 -E '^(PASS|FAIL)' "$tmp/$n.out" || echo none), stderr: $(grep -v unclaimed "$tmp/$n.err" | tail -1)"
	fi
done

# Unclaimed ports: logged, but once per address and bounded in total.
lines=$(grep -c "unclaimed" "$tmp/garbage.err")
if [ "$lines" -ge 1 ] && [ "$lines" -le 64 ] &&
   [ "$(grep unclaimed "$tmp/garbage.err" | awk '{print $5}' | sort | uniq -d | wc -l)" = 0 ]; then
	echo "PASS kvm-unclaimed-logged-once ($lines lines)"
else
	echo "FAIL kvm-unclaimed-logged-once: $lines log lines"
fi

# An instruction KVM cannot run must end the run with one clear line.
run_payload pm_int
if [ $rc = 0 ] && grep -q "^PASS pm_int" "$tmp/pm_int.out"; then
	echo "PASS kvm-error-report (this KVM runs protected-mode INT/IRET)"
elif [ $rc = 1 ] && [ "$(grep -vc unclaimed "$tmp/pm_int.err")" = 1 ] &&
     grep -q "emulation failure) at CS:RIP .*bytes: cd 40" "$tmp/pm_int.err"; then
	echo "PASS kvm-error-report"
else
	echo "FAIL kvm-error-report: rc=$rc $(tail -1 "$tmp/pm_int.err")"
fi

# --timeout on a halted guest: 124, promptly.
s=$(date +%s)
run_payload hang --timeout 2
el=$(( $(date +%s) - s ))
if [ $rc = 124 ] && [ $el -le 10 ]; then echo "PASS kvm-timeout-exit-124"
else echo "FAIL kvm-timeout-exit-124: rc=$rc after ${el}s"; fi

# --until-serial matches text split across OUTs (every byte is its own OUT).
timeout 60 "$DUALVM" run --engine kvm --timeout 30 --serial "$tmp/u.out" \
	--until-serial "a dualvm boot" --bios "$BUILD/tests/boot/hello.bin" </dev/null 2>/dev/null
rc=$?
if [ $rc = 0 ] && grep -q "a dualvm boot" "$tmp/u.out"; then echo "PASS kvm-until-serial"
else echo "FAIL kvm-until-serial: rc=$rc"; fi

# SeaBIOS + SYSLINUX from the i386 test disk (a copy: the run is persistent).
img=$GUESTS/linux-i386.img
if [ ! -e "$img" ]; then
	echo "SKIP kvm-syslinux-banner: $img missing (make guests)"; exit 0
fi
cp --sparse=always "$img" "$tmp/disk.img"
s=$(date +%s%N)
timeout 90 "$DUALVM" run --engine kvm --serial stdio --timeout 60 \
	--until-serial SYSLINUX "$tmp/disk.img" </dev/null >"$tmp/sl.out" 2>"$tmp/sl.err"
rc=$?
ms=$(( ($(date +%s%N) - s) / 1000000 ))
if [ $rc = 0 ] && grep -a -q "SeaBIOS (version" "$tmp/sl.out" &&
   tr -d '\0' <"$tmp/sl.out" | grep -a -A100 "SeaBIOS (version" | grep -a -q SYSLINUX; then
	echo "PASS kvm-syslinux-banner (${ms} ms)"
elif grep -q "emulation failure" "$tmp/sl.err"; then
	echo "SKIP kvm-syslinux-banner: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/sl.err")"
else
	echo "FAIL kvm-syslinux-banner: rc=$rc after ${ms} ms: $(grep -v unclaimed "$tmp/sl.err" | tail -1)"
fi
