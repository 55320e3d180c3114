#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# x86-sys.sh --- the tests/boot/sys system-level payloads (protected mode,
# exceptions, paging, v8086, task switches, ...) run under QEMU TCG, the
# reference (qemu32 with NX, like the canonical CPU), and under dualvm's
# interpreter and KVM engines; the COM1 transcripts must be identical.
# Lines starting with '~' are implementation-defined (CPUID) and left out
# of the comparison.
#
# interp: a clean stop where dualvm reports the engine or an instruction
# "not available / not implemented" is a SKIP quoting it; any other
# difference, a timeout or a crash is a FAIL.  kvm: an emulation failure of
# this nested KVM (KVM_EXIT_INTERNAL_ERROR) is a SKIP naming it, anything
# else a FAIL.  Divergences already reported are listed in `known` below.
# Env: BUILD SRC DUALVM (see tests/run-tests.sh); SYS_PAYLOADS (names).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
out=$BUILD/boot/sys

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	echo "SKIP x86-sys: GNU as/ld (binutils) missing to build tests/boot/sys"; exit 0
fi
payloads=(${SYS_PAYLOADS:-$(cd "$SRC/tests/boot/sys" && ls *.S | sed 's/\.S$//' | grep -v '^bench')})
if ! "$SRC/tests/boot/sys/build.sh" "$out" "${payloads[@]}" 2>"$tmp/build.err"; then
	echo "FAIL x86-sys-build: $(grep -m1 -i error "$tmp/build.err" || head -1 "$tmp/build.err")"; exit 1
fi
echo "PASS x86-sys-build (${#payloads[@]} payloads)"
qemu=$(command -v qemu-system-i386 || true)
if [ -z "$qemu" ]; then
	echo "SKIP x86-sys: qemu-system-i386 (the reference) not installed"; exit 0
fi
[ -x "$DUALVM" ] || { echo "FAIL x86-sys: $DUALVM not built"; exit 1; }
# a private copy: a concurrent relink of the shared binary must not show up
# as a failure of one payload
for i in 1 2 3; do
	cp "$DUALVM" "$tmp/dualvm" 2>/dev/null && "$tmp/dualvm" run --help >/dev/null 2>&1 && break
	sleep 5
done
DUALVM=$tmp/dualvm
kvm_ok=1
{ exec 3<>/dev/kvm; } 2>/dev/null || kvm_ok=0
exec 3>&-

# Known divergences (ENGINE-PAYLOAD), reported to their owners: a differing
# transcript is then a SKIP quoting the reason and the first difference (an
# identical one is a PASS as always).  Remove an entry once it is fixed.
declare -A known=(
	[interp-desc]="interp: LAR and LSL (0F 02, 0F 03) raise #UD"
	[interp-cr]="interp: no DR0-DR3 breakpoints/watchpoints; TF trap not held after MOV SS"
	[kvm-seg16]="the kvm engine has no A20 gate (vmm/kvm.c: set_a20 is a no-op)"
)
# payloads that turn paging on: this nested KVM (kvm_pvm) answers the MOV to
# CR0 that sets PG with #GP(0)
for n in paging pae nested smc; do
	known[kvm-$n]="this nested KVM (kvm_pvm) raises #GP(0) when MOV CR0 sets PG"
done

# the comparable part of a transcript: no CR/NUL, no '~' lines
norm() { tr -d '\r\0' <"$1" | grep -av '^~'; }

# run_dualvm ENGINE NAME: rc in $rc, serial in $tmp/NAME.ENGINE
run_dualvm() {
	timeout 90 "$DUALVM" run --engine "$1" --memory 32 --bios "$out/$2.bin" \
		--serial "$tmp/$2.$1" --until-serial SYSPROBE-DONE --timeout 60 \
		</dev/null 2>"$tmp/$2.$1.err"
	rc=$?
}

# compare ENGINE NAME: PASS/FAIL line for a finished run
compare() {
	local e=$1 n=$2
	if grep -aq '^SYSPROBE-DONE' "$tmp/$n.$e" &&
	   cmp -s <(norm "$tmp/$n.qemu") <(norm "$tmp/$n.$e"); then
		echo "PASS x86-sys-$e-$n"
	elif [ -n "${known[$e-$n]:-}" ]; then
		echo "SKIP x86-sys-$e-$n: known divergence: ${known[$e-$n]}: $(diff <(norm "$tmp/$n.qemu") <(norm "$tmp/$n.$e") | grep -m2 '^[<>]' | tr '\n' ' ' | cut -c1-120)"
	elif ! grep -aq '^SYSPROBE-DONE' "$tmp/$n.$e"; then
		echo "FAIL x86-sys-$e-$n: rc=$rc, no SYSPROBE-DONE; last line: $(norm "$tmp/$n.$e" | tail -1 | cut -c1-80) $(grep -v unclaimed "$tmp/$n.$e.err" | tail -1)"
	else
		echo "FAIL x86-sys-$e-$n: transcript differs from QEMU TCG: $(diff <(norm "$tmp/$n.qemu") <(norm "$tmp/$n.$e") | grep -m2 '^[<>]' | tr '\n' ' ' | cut -c1-160)"
		diff <(norm "$tmp/$n.qemu") <(norm "$tmp/$n.$e") | head -20 >&2
	fi
}

for n in "${payloads[@]}"; do
	timeout 60 "$qemu" -accel tcg -cpu qemu32,+nx -m 32 -bios "$out/$n.bin" -display none \
		-serial "file:$tmp/$n.qemu" -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0x501,iosize=1 </dev/null >/dev/null 2>"$tmp/$n.qemu.err"
	if ! grep -aq '^SYSPROBE-DONE' "$tmp/$n.qemu"; then
		echo "FAIL x86-sys-qemu-$n: the reference did not finish: $(norm "$tmp/$n.qemu" | tail -1 | cut -c1-80) $(tail -1 "$tmp/$n.qemu.err")"
		continue
	fi

	run_dualvm interp "$n"
	if [ $rc -lt 124 ] && [ $rc != 0 ] &&
	   grep -qiE 'not (available|implemented)' "$tmp/$n.interp.err"; then
		echo "SKIP x86-sys-interp-$n: interp engine: $(grep -iE -m1 'not (available|implemented)' "$tmp/$n.interp.err")"
	else
		compare interp "$n"
	fi

	if [ $kvm_ok = 0 ]; then
		echo "SKIP x86-sys-kvm-$n: /dev/kvm is not accessible"; continue
	fi
	run_dualvm kvm "$n"
	if grep -q "emulation failure" "$tmp/$n.kvm.err"; then
		echo "SKIP x86-sys-kvm-$n: this KVM cannot emulate it: $(grep -m1 'emulation failure' "$tmp/$n.kvm.err")"
	elif [ $rc = 2 ] && grep -qiE 'not (available|implemented)' "$tmp/$n.kvm.err"; then
		echo "SKIP x86-sys-kvm-$n: kvm engine: $(head -1 "$tmp/$n.kvm.err")"
	else
		compare kvm "$n"
	fi
done
exit 0
