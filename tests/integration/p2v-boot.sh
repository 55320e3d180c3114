#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# p2v-boot.sh --- a converted disk boots in dualvm: linux-i386 converted to
# VMDK (monolithicSparse), VHDX and VDI, then `dualvm run` must get from
# SeaBIOS through the MBR to the SYSLINUX banner, which SYSLINUX prints after
# loading ldlinux from the ext4 file system, i.e. through our image reader
# (KVM; on this host's nested KVM that is as far as it goes), and the VMDK
# must boot Linux to DUALVM-GUEST-READY under the interpreter.
set -u
BUILD=${BUILD:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
GUESTS=${GUESTS:-$BUILD/guests}
img=$GUESTS/linux-i386.img
if [ ! -f "$img" ]; then
	echo "SKIP p2v-boot: $img is missing (make guests)"; exit 0
fi
T=$(mktemp -d /tmp/p2v-boot.XXXXXX)
trap 'rm -rf "$T"' EXIT

# The full proof: the converted VMDK boots Linux to the guest's shell under
# the interpreter (the conversion went through our writer, the boot through
# our reader, IDE, the kernel's ata_piix and ext4).
name=p2v-boot-interp-vmdk
secs=${P2V_BOOT_SECS:-600}
if ! "$DUALVM" p2v "$img" "$T/full.vmdk" >"$T/full.log" 2>&1; then
	echo "FAIL $name: conversion failed: $(tail -n 1 "$T/full.log")"
else
	timeout -s KILL $((secs + 30)) "$DUALVM" run --engine interp --memory 256 \
		--serial "$T/full.serial" --timeout "$secs" \
		--until-serial DUALVM-GUEST-READY "$T/full.vmdk" \
		</dev/null >"$T/full.out" 2>"$T/full.err"
	rc=$?
	if [ $rc = 0 ] && grep -aq DUALVM-GUEST-READY "$T/full.serial"; then
		echo "PASS $name"
	else
		echo "FAIL $name: rc=$rc: $(grep -v unclaimed "$T/full.err" | tail -n 1) $(grep -a -m1 -E 'INITRAMFS-FAILED|Kernel panic' "$T/full.serial")"
	fi
	rm -f "$T/full.vmdk"
fi

if [ ! -w /dev/kvm ]; then
	echo "SKIP p2v-boot-kvm: no usable /dev/kvm"; exit 0
fi
for f in vmdk vhdx vdi; do
	name=p2v-boot-$f
	if ! "$DUALVM" p2v "$img" "$T/c.$f" >"$T/$f.log" 2>&1; then
		echo "FAIL $name: conversion failed: $(tail -n 1 "$T/$f.log")"; continue
	fi
	timeout 90 "$DUALVM" run --engine kvm --serial stdio --timeout 60 \
		--until-serial SYSLINUX "$T/c.$f" </dev/null >"$T/$f.out" 2>"$T/$f.err"
	rc=$?
	if [ $rc = 0 ] && tr -d '\0' <"$T/$f.out" | grep -a -q SYSLINUX; then
		echo "PASS $name"
	elif grep -q "emulation failure\|KVM internal error" "$T/$f.err"; then
		echo "SKIP $name: this KVM cannot run it: $(grep -m1 'emulation failure\|KVM internal error' "$T/$f.err")"
	else
		echo "FAIL $name: rc=$rc: $(grep -v unclaimed "$T/$f.err" | tail -n 1)"
	fi
done
exit 0
