#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run-vmdef.sh --- `dualvm run DEFINITION`: what `p2v --vm dualvm`
# writes for linux-i386 must boot to DUALVM-GUEST-READY under the
# interpreter (the definition names the qcow2 output), what `--vm vmx`
# writes (a VMDK copy) must get SYSLINUX loading the kernel from it
# (vm-library.sh boots an imported .vmx to DUALVM-GUEST-READY); a
# definition's disk names follow the image path policy (outside its
# folder: refused, one line), a UEFI definition starts OVMF with its own
# variable store beside it, and a bad value is one line naming the key.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
img=$GUESTS/linux-i386.img
if [ ! -f "$img" ]; then
	t_fail run-vmdef "$img is missing (make guests)"; exit 0
fi
cd "$TMP" || exit 1
if ! "$DUALVM" p2v "$img" lin.qcow2 --vm dualvm,vmx >p2v.log 2>&1; then
	t_fail run-vmdef "p2v failed: $(tail -n 1 p2v.log)"; exit 0
fi

for k in dualvm:DUALVM-GUEST-READY vmx:'Loading /boot'; do
	m=${k#*:} k=${k%%:*}
	name=run-vmdef-$k-boots
	dualvm_boot "$TMP/$k.serial" "$(budget 600)" "$m" \
		--engine interp --disk-mode nonpersistent "lin.$k"
	rc=$?
	if [ $rc = 0 ] && grep -aq "$m" "$TMP/$k.serial"; then
		t_pass $name
	else
		t_fail_log $name "$(boot_why $rc "$TMP/$k.serial")" "$TMP/$k.serial"
	fi
done

# refused NAME DEF RC PATTERN: `dualvm run DEF` exits RC with one line
# matching PATTERN
refused() {
	"$DUALVM" run --engine interp --timeout 5 "$2" </dev/null >/dev/null 2>r.err
	local rc=$?
	if [ $rc = "$3" ] && [ "$(wc -l <r.err)" = 1 ] && grep -q -- "$4" r.err; then
		t_pass "$1"
	else
		t_fail "$1" "exit $rc: $(head -n 2 r.err)"
	fi
}

# a disk outside the definition's folder: the path policy
mkdir -p sub
printf 'machine = pc-i440fx\ndisk0 = ../lin.qcow2\n' >sub/up.dualvm
refused run-vmdef-path-policy sub/up.dualvm 1 outside
# ... unless the user consents
"$DUALVM" --allow-path "$TMP/lin.qcow2" run --engine interp --timeout 3 \
	--disk-mode nonpersistent --serial up.serial sub/up.dualvm </dev/null >/dev/null 2>up.err
rc=$?
if [ $rc = 124 ] && grep -aq "SeaBIOS" up.serial; then
	t_pass run-vmdef-allow-path
else
	t_fail run-vmdef-allow-path "exit $rc: $(head -n 1 up.err)"
fi

# UEFI firmware: OVMF starts, with the definition's own variable store
# (created beside it from Debian's template); auto says it runs on the
# interpreter
sed 's/^config.version.*/&\nfirmware = "efi"/' lin.vmx >efi.vmx
t=run-vmdef-uefi
dualvm_boot "$TMP/efi.serial" "$(budget 300)" 'BdsDxe' --engine auto \
	--disk-mode nonpersistent efi.vmx
rc=$?
if [ $rc != 0 ] || ! grep -aq BdsDxe "$TMP/efi.serial"; then
	t_fail_log $t "$(boot_why $rc "$TMP/efi.serial")" "$TMP/efi.serial"
elif [ "$(stat -c %s efi.dualvm-nvram 2>/dev/null)" != "$(stat -c %s /usr/share/OVMF/OVMF_VARS_4M.fd)" ] ||
     ! cmp -s -n 64 efi.dualvm-nvram /usr/share/OVMF/OVMF_VARS_4M.fd; then
	t_fail $t "no variable store efi.dualvm-nvram made from OVMF_VARS_4M.fd"
elif ! grep -q 'runs on the interpreter' "$TMP/efi.serial.out"; then
	t_fail $t "--engine auto did not say UEFI runs on the interpreter: $(head -n 2 "$TMP/efi.serial.out")"
else
	t_pass $t
fi

# a bad value: the line names the file and the key
sed 's/^memory_mib = .*/memory_mib = lots/' lin.dualvm >bad.dualvm
refused run-vmdef-bad-value bad.dualvm 1 "bad.dualvm: memory_mib"
exit 0
