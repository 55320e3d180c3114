#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# p2v-boot.sh --- a converted disk boots in dualvm: linux-i386 converted to
# VMDK (monolithicSparse) must boot Linux to DUALVM-GUEST-READY under the
# interpreter and under the binary translator (the conversion went through our writer, the boot through our
# reader, IDE, the kernel's ata_piix and ext4); VMDK, VHDX and VDI
# conversions must get from SeaBIOS through the MBR to the SYSLINUX banner
# on KVM, which SYSLINUX prints after loading ldlinux from the ext4 file
# system, i.e. through our image reader.  The KVM cases need the KVM API
# (tests/lib/common.sh HOST_KVM_API); a KVM that cannot emulate an instruction
# the guest runs (a nested software KVM) is a missing capability: SKIP
# naming the instruction.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
img=$GUESTS/linux-i386.img
if [ ! -f "$img" ]; then
	t_fail p2v-boot "$img is missing (make guests)"; exit 0
fi

if ! "$DUALVM" p2v "$img" "$TMP/full.vmdk" >"$TMP/full.log" 2>&1; then
	t_fail p2v-boot-interp-vmdk "conversion failed: $(tail -n 1 "$TMP/full.log")"
	t_fail p2v-boot-bt-vmdk "conversion failed: $(tail -n 1 "$TMP/full.log")"
else
	for e in interp bt; do
		name=p2v-boot-$e-vmdk
		if [ $e = bt ] && [ "$HOST_BT" != 1 ]; then
			t_skip $name "$HOST_BT_WHY"; continue
		fi
		dualvm_boot "$TMP/full.$e.serial" "$(budget 600)" DUALVM-GUEST-READY \
			--engine $e --memory 256 --disk-mode nonpersistent "$TMP/full.vmdk"
		rc=$?
		if [ $rc = 0 ] && grep -aq DUALVM-GUEST-READY "$TMP/full.$e.serial"; then
			t_pass $name
		else
			t_fail_log $name "$(boot_why $rc "$TMP/full.$e.serial")" "$TMP/full.$e.serial"
		fi
	done
	rm -f "$TMP/full.vmdk"
fi

for f in vmdk vhdx vdi; do
	name=p2v-boot-kvm-$f
	if [ "$HOST_KVM_API" != 1 ]; then
		t_skip $name "no KVM: $HOST_KVM_API_WHY"; continue
	fi
	if ! "$DUALVM" p2v "$img" "$TMP/c.$f" >"$TMP/$f.log" 2>&1; then
		t_fail $name "conversion failed: $(tail -n 1 "$TMP/$f.log")"; continue
	fi
	dualvm_boot "$TMP/$f.serial" "$(budget 120)" SYSLINUX --engine kvm "$TMP/c.$f"
	rc=$?
	if [ $rc = 0 ] && grep -aq SYSLINUX "$TMP/$f.serial"; then
		t_pass $name
	elif grep -q "emulation failure\|KVM internal error" "$TMP/$f.serial.out"; then
		t_skip $name "this KVM cannot run it: $(grep -m1 'emulation failure\|KVM internal error' "$TMP/$f.serial.out")"
	else
		t_fail_log $name "$(boot_why $rc "$TMP/$f.serial")" "$TMP/$f.serial"
	fi
	rm -f "$TMP/c.$f"
done
exit 0
