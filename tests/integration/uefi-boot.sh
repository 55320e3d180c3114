#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# uefi-boot.sh --- UEFI under the interpreter: Debian's OVMF in the CFI
# flash, the VM's own variable store (NVRAM), GRUB EFI, Debian's kernel.
#  - a missing firmware file is one clear line;
#  - dualboot-uefi-amd64.img --partition <linux> (its ESP's fallback loader
#    boots HOST and prints HOST-OS-BOOTED) boots the partition's own loader
#    \EFI\debian\grubx64.efi, found on the ESP, to DUALVM-GUEST-READY, never
#    HOST; the source's sha256 is unchanged;
#  - the NVRAM file is created from OVMF_VARS_4M.fd, holds the boot entry,
#    and persists what the firmware writes: OVMF's monotonic counter
#    variable (MTC), which it reads back and increments every boot, is
#    higher after a second run of the same VM;
#  - debian-uefi-amd64.img (GPT, ESP with Debian's GRUB EFI) boots to
#    DUALVM-GUEST-READY with --firmware uefi and the UEFI default RAM (its fstab waits 90 s of guest
#    time for the ESP's device: on a heavily loaded host the interpreter's
#    udev may not make it, and systemd stops in emergency mode).
# Missing OVMF is a failure (package ovmf is in DEB_PKGS).
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
deb=$GUESTS/debian-uefi-amd64.img dual=$GUESTS/dualboot-uefi-amd64.img

if [ ! -r $code ] || [ ! -r $vars ]; then
	t_fail uefi-ovmf "$code or $vars missing (install the ovmf package)"
	exit 0
fi
t_pass uefi-ovmf
vars0=$(sha256sum <$vars)

# A missing firmware file is one clear line, before anything runs.
truncate -s 1M "$TMP/blank.img"
out=$("$DUALVM" run --engine interp --firmware uefi --bios "$TMP/no-such.fd" \
	--nvram "$TMP/none.nvram" --timeout 5 "$TMP/blank.img" 2>&1)
if [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
	printf '%s' "$out" | grep -q "UEFI firmware $TMP/no-such.fd"; then
	t_pass uefi-missing-firmware
else
	t_fail uefi-missing-firmware "want one line naming the file, got: $out"
fi

# mtc FILE: the live MTC variable's value in an OVMF variable store
# (authenticated header: StartId 55AA, State 3F, ..., name "MTC" UTF-16).
mtc() {
	od -An -v -tx1 "$1" | tr -d ' \n' |
		grep -oE 'aa553f.{114}4d00540043000000.{8}' | tail -n 1 |
		sed -E 's/.*(..)(..)(..)(..)$/\4\3\2\1/'
}

# 1. one OS of the UEFI dual-boot disk, through its own loader
if [ ! -f "$dual" ]; then
	t_fail uefi-dualboot "$dual is missing (make guests)"
else
	part=$(sfdisk -d "$dual" 2>/dev/null | awk -F'[ :]+' '/name="LINUX"/ { sub(/.*[^0-9]/, "", $1); print $1 }')
	[ -n "$part" ] || part=3
	sum0=$(sha256sum <"$dual")
	start=$(date +%s)
	dualvm_boot "$TMP/dual.log" "$(budget 1200)" DUALVM-GUEST-READY \
		--engine interp --firmware uefi --memory 512 --partition "$part" \
		--nvram "$TMP/dual.nvram" "$dual"
	rc=$?
	if grep -aq HOST-OS-BOOTED "$TMP/dual.log"; then
		t_fail_log uefi-dualboot "the HOST partition booted (HOST-OS-BOOTED)" "$TMP/dual.log"
	elif [ $rc = 0 ] && grep -aq DUALVM-GUEST-READY "$TMP/dual.log" &&
		grep -aq 'BootD000.*EFI\\debian\\grubx64.efi' "$TMP/dual.log"; then
		t_pass uefi-dualboot "$(($(date +%s) - start)) s"
	else
		t_fail_log uefi-dualboot "$(boot_why $rc "$TMP/dual.log")" "$TMP/dual.log"
	fi

	# 2. the NVRAM: a copy of the template the first time, then the VM's own
	n1=$(mtc "$TMP/dual.nvram")
	if [ -f "$TMP/dual.nvram" ] && [ "$(stat -c %s "$TMP/dual.nvram")" = "$(stat -c %s $vars)" ] &&
		! cmp -s "$TMP/dual.nvram" $vars && [ -n "$n1" ] &&
		grep -aq 'B.o.o.t.D.0.0.0' "$TMP/dual.nvram"; then
		t_pass uefi-nvram-created
	else
		t_fail uefi-nvram-created "no variable store with BootD000 and MTC in $TMP/dual.nvram"
	fi
	dualvm_boot "$TMP/dual2.log" "$(budget 600)" 'BdsDxe: starting BootD000' \
		--engine interp --firmware uefi --memory 512 --partition "$part" \
		--nvram "$TMP/dual.nvram" "$dual"
	rc=$?
	n2=$(mtc "$TMP/dual.nvram")
	if [ $rc = 0 ] && [ -n "$n1" ] && [ -n "$n2" ] &&
		[ $((16#$n2)) -gt $((16#$n1)) ]; then
		t_pass uefi-nvram-persists "MTC 0x$n1 -> 0x$n2"
	else
		t_fail_log uefi-nvram-persists "MTC '$n1' -> '$n2' (rc $rc)" "$TMP/dual2.log"
	fi
	if [ "$(sha256sum <"$dual")" = "$sum0" ]; then
		t_pass uefi-dualboot-source-unchanged
	else
		t_fail uefi-dualboot-source-unchanged "$dual changed"
	fi
fi

# 3. the Debian UEFI installation (last: the longest boot); then root on
# the serial console writes an EFI variable through efivarfs (the kernel
# calls OVMF's SetVariable, which programs the flash): it must be in the
# VM's NVRAM file at once.
if [ ! -f "$deb" ]; then
	t_fail uefi-debian "$deb is missing (make guests)"
else
	log=$TMP/deb.log fifo=$TMP/in
	mkfifo "$fifo"
	: >"$log"
	start=$(date +%s)
	"$DUALVM" run --engine interp --firmware uefi \
		--serial stdio --nvram "$TMP/deb.nvram" --disk-mode nonpersistent \
		--timeout $(($(budget 1200) * 50)) "$deb" \
		<"$fifo" >"$log" 2>"$TMP/deb.err" &
	pid=$!
	t_bg "$pid"
	exec 7>"$fifo"
	wait_serial "$log" DUALVM-GUEST-READY "$pid" "$(budget 1200)"
	rc=$?
	if [ $rc = 0 ]; then
		t_pass uefi-debian "$(($(date +%s) - start)) s"
		printf '\n' >&7
		wait_serial "$log" ' login: *$' "$pid" "$(budget 120)" &&
			printf 'root\n' >&7 &&
			wait_serial "$log" 'root@[-a-z0-9]*:~# ' "$pid" "$(budget 300)" &&
			printf '%s\n' "printf '\\x07\\x00\\x00\\x00dualvm-efivar-%d' 42 >/sys/firmware/efi/efivars/DualvmTest-6c0d7e51-2b7f-4d0a-9a43-dd0c5a1e0b15; echo efivar-write-\$?-done" >&7 &&
			wait_serial "$log" 'efivar-write-[0-9]+-done' "$pid" "$(budget 300)"
		if grep -aq 'efivar-write-0-done' "$log" &&
			grep -aq 'D.u.a.l.v.m.T.e.s.t' "$TMP/deb.nvram" &&
			grep -aq 'dualvm-efivar-42' "$TMP/deb.nvram"; then
			t_pass uefi-guest-efivar-in-nvram
		else
			t_fail_log uefi-guest-efivar-in-nvram "the guest's EFI variable is not in $TMP/deb.nvram" "$log"
		fi
	else
		t_fail_log uefi-debian "no DUALVM-GUEST-READY (wait $rc, scale $DUALVM_TEST_SCALE): $(grep -v unclaimed "$TMP/deb.err" | tail -n 1)" "$log"
	fi
	exec 7>&-
	kill "$pid" 2>/dev/null
fi

if [ "$(sha256sum <$vars)" = "$vars0" ]; then
	t_pass uefi-template-untouched
else
	t_fail uefi-template-untouched "$vars changed"
fi
exit 0
