#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# interp-dualboot-debian.sh --- the other half of a dual-boot disk, for
# real: dualboot-debian-amd64.img holds the HOST partition (its MBR boot
# code boots it and prints HOST-OS-BOOTED), a Debian 12 installation as
# partition 2 (GRUB in the partition's boot sector) and an NTFS "Windows".
# `dualvm run --engine interp --partition 2` must boot that Debian through
# its own GRUB, initramfs and systemd to DUALVM-GUEST-READY without ever
# printing HOST-OS-BOOTED, and leave every byte of the disk unchanged (the
# default mode of a partition view is nonpersistent).
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
img=$GUESTS/dualboot-debian-amd64.img
name=interp-dualboot-debian-amd64-p2
if [ ! -f "$img" ]; then
	t_fail $name "$img is missing (make guests)"; exit 0
fi

sum0=$(md5sum <"$img")
dualvm_boot "$TMP/p2.log" "$(budget 1200)" DUALVM-GUEST-READY \
	--engine interp --memory 512 --partition 2 "$img"
rc=$?
if grep -aq HOST-OS-BOOTED "$TMP/p2.log"; then
	t_fail_log $name "the HOST partition booted (HOST-OS-BOOTED)" "$TMP/p2.log"
elif [ $rc = 0 ] && grep -aq DUALVM-GUEST-READY "$TMP/p2.log"; then
	t_pass $name
else
	t_fail_log $name "$(boot_why $rc "$TMP/p2.log")" "$TMP/p2.log"
fi
if [ "$(md5sum <"$img")" = "$sum0" ]; then
	t_pass $name-source-unchanged
else
	t_fail $name-source-unchanged "$img changed"
fi
exit 0
