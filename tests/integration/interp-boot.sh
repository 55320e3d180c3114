#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# interp-boot.sh --- the tests/boot payloads on `dualvm run --engine interp`,
# each compared with the same payload under QEMU TCG (the CPU oracle).
#
# A payload must print "PASS <name>" under the interpreter, and QEMU must
# print the identical serial transcript.  Where QEMU's default board differs
# from dualvm's, the payload's QEMU options make them alike: pci sees both
# boards' default e1000 at 00:03.0; pit_irq on a CPU without a
# local APIC: on dualvm's (which has one) the payload clears
# IA32_APIC_BASE.EN, which makes the CPU one without an APIC, the 8259
# driving INTR (SDM vol. 3, 10.4.3); QEMU 7.2 instead still routes the 8259
# through the disabled APIC's LINT0, masked after reset, so its CPU there
# has no APIC at all (-cpu qemu32,-apic).  apic drives the 8259 through
# LINT0 in virtual wire mode, the APIC timer, the I/O APIC and a self-IPI
# on both CPUs' local APICs; smp starts the second vCPU with INIT-SIPI-SIPI
# (dualvm --cpus 2, QEMU -smp 2).
# Not compared: mmio checks that reads of unbacked physical memory return
# all ones, as on real chipsets (master abort), where QEMU returns 0;
# garbage makes QEMU 7.2 itself abort (hw/char/serial.c asserts on a 16-bit
# read of the 16550), so QEMU cannot serve as its oracle; e1000_flood
# drives the NIC through its I/O window, which QEMU's e1000 leaves
# unimplemented (reads 0, ignores writes).
# Env: BUILD SRC DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
payloads=(hello pm_int pit_irq apic smp cmos pci garbage mmio reset triple e1000_flood)
declare -A no_oracle=([mmio]=1 [garbage]=1 [e1000_flood]=1)
declare -A qemu_args=([pit_irq]="-cpu qemu32,-apic" [smp]="-smp 2")
declare -A dualvm_args=([smp]="--cpus 2")
tmp=$TMP

if [ ! -x "$DUALVM" ]; then
	t_fail interp-boot "$DUALVM not built"; exit 1
fi
if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	t_fail interp-boot "GNU as/ld missing to build tests/boot (make deps)"; exit 0
fi
if ! "$SRC/tests/boot/build.sh" "$tmp/boot" "${payloads[@]}" 2>"$tmp/build.err"; then
	t_fail interp-boot "payloads do not build: $(head -1 "$tmp/build.err")"; exit 0
fi
qemu=$(command -v qemu-system-i386 || true)
secs=$(budget 60)

# run_engine ENGINE NAME: the payload under ENGINE (interp or bt), its
# PASS line and its transcript against QEMU TCG's
run_engine() {
	local e=$1 n=$2 bin=$tmp/boot/$2.bin
	timeout -s KILL $((secs + 60)) "$DUALVM" run --engine "$e" --memory 256 \
		${dualvm_args[$n]:-} --timeout "$secs" --serial "$tmp/$n.$e.out" --bios "$bin" </dev/null 2>"$tmp/$n.$e.err"
	rc=$?
	if [ $rc = 0 ] && grep -aq "^PASS $n" "$tmp/$n.$e.out"; then
		t_pass $e-payload-$n
	else
		t_fail $e-payload-$n "rc=$rc, $(tr -d '\r\0' <"$tmp/$n.$e.out" 2>/dev/null | tail -1) $(tail -1 "$tmp/$n.$e.err")"
		return
	fi
	[ -n "${no_oracle[$n]:-}" ] && return
	if [ -z "$qemu" ]; then
		t_fail $e-qemu-$n "qemu-system-i386 not installed (make deps)"; return
	fi
	if [ ! -e "$tmp/$n.qemu" ]; then
		timeout -s KILL "$secs" "$qemu" -accel tcg -m 256 -bios "$bin" \
			-display none ${qemu_args[$n]:-} -serial "file:$tmp/$n.qemu" -monitor none \
			-device isa-debug-exit,iobase=0x501,iosize=1 </dev/null >/dev/null 2>&1
	fi
	if cmp -s <(tr -d '\r' <"$tmp/$n.$e.out") <(tr -d '\r' <"$tmp/$n.qemu"); then
		t_pass $e-qemu-$n
	else
		t_fail $e-qemu-$n "serial output differs from QEMU TCG's"
		diff <(tr -d '\r' <"$tmp/$n.qemu") <(tr -d '\r' <"$tmp/$n.$e.out") | head -5 | sed 's/^/    /'
	fi
}

for n in "${payloads[@]}"; do
	run_engine interp "$n"
	# the translator runs one vCPU (--cpus 2 is the interpreter's)
	if [ -n "${dualvm_args[$n]:-}" ]; then
		:
	elif [ "$HOST_BT" = 1 ]; then
		run_engine bt "$n"
	else
		t_skip bt-payload-$n "$HOST_BT_WHY"
	fi
done
exit 0
