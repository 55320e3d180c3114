#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# interp-amd64.sh --- x86-64 guests on dualvm's CPU interpreter:
#   - interp-amd64-linux: build/guests/linux-amd64.img (SeaBIOS, EXTLINUX,
#     the Debian amd64 kernel and its initramfs, all in IA-32e mode once
#     the kernel runs) reaches DUALVM-GUEST-READY with two vCPUs
#     (`--cpus 2`): the kernel finds both in the MADT, starts the second
#     with INIT-SIPI-SIPI and reports "smp: Brought up 1 node, 2 CPUs",
#     which it prints only once the second CPU runs its own code;
# An amd64 partition view (the default, nonpersistent mode, never
# HOST-OS-BOOTED, the source unchanged) is booted by
# interp-dualboot-debian.sh (partition 2 of dualboot-debian-amd64.img, a
# full Debian with GRUB in its partition boot sector); the busybox
# dualboot-amd64.img partition boot that was here proved nothing more and
# cost 100 s of make check.
# Each PASS line carries the boot's wall-clock time.  Running out of the
# budget (tests/lib/common.sh) is a FAIL showing the end of the console.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
SECS=$(budget 900)
tmp=$TMP

if [ ! -x "$DUALVM" ]; then
	t_fail interp-amd64 "$DUALVM not built"; exit 1
fi

# boot NAME LOG ARGS...: one interpreter boot to DUALVM-GUEST-READY; rc in
# $rc, wall-clock milliseconds in $ms
boot() {
	local s
	s=$(date +%s%N)
	dualvm_boot "$2" "$SECS" DUALVM-GUEST-READY --engine interp --memory 256 \
		"${@:3}"
	rc=$?
	ms=$(( ($(date +%s%N) - s) / 1000000 ))
}

# --- the single-OS amd64 disk (a private sparse copy: the guest logs its
# boot on the disk)
t=interp-amd64-linux
img=$GUESTS/linux-amd64.img
if [ ! -e "$img" ]; then
	t_fail $t "$img missing (make guests)"
elif ! cp --sparse=always "$img" "$tmp/linux.img"; then
	t_fail $t "cannot copy $img"
else
	boot $t "$tmp/linux.log" --cpus 2 "$tmp/linux.img"
	if [ $rc != 0 ]; then
		t_fail_log $t "$(boot_why $rc "$tmp/linux.log")" "$tmp/linux.log"
	elif ! grep -aq 'kernel .*-amd64 x86_64' "$tmp/linux.log"; then
		t_fail_log $t "DUALVM-GUEST-READY without the x86_64 kernel line" "$tmp/linux.log"
	elif ! grep -aq 'smp: Brought up 1 node, 2 CPUs' "$tmp/linux.log"; then
		t_fail_log $t "the kernel did not bring up the second vCPU ($(grep -a -m1 'smp: Brought up' "$tmp/linux.log" | tr -d '\r'))" "$tmp/linux.log"
	else
		t_pass $t "${ms} ms"
	fi
	rm -f "$tmp/linux.img"
fi

exit 0
