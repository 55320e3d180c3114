#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# p2v-uefi.sh --- p2v of a UEFI disk writes VM definitions that boot it
# elsewhere (issue 15): dualboot-uefi-amd64.img (GPT with an EFI system
# partition) converted to qcow2 with every definition kind must say EFI in
# each (.vmx firmware = "efi" with hardware version 11, libvirt
# <os firmware="efi">, the OVF's vmw:Config firmware, dualvm's
# firmware = uefi); QEMU TCG started from the libvirt definition's
# settings alone (memory, vCPUs, disk file and format, and OVMF with a
# fresh variable store because the <os> says EFI) must boot the converted
# disk: with an empty NVRAM OVMF starts the ESP's fallback loader, which on
# this disk boots HOST (HOST-OS-BOOTED).  --firmware bios writes none of
# it; the BIOS dual-boot GPT disk (no ESP) gets none of it by default.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
img=$GUESTS/dualboot-uefi-amd64.img
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
TESTS="p2v-uefi-definitions p2v-uefi-boot-qemu p2v-uefi-firmware-bios"
if [ ! -f "$img" ] || [ ! -f "$GUESTS/dualboot-gpt-amd64.img" ]; then
	for t in $TESTS; do t_fail $t "$img or dualboot-gpt-amd64.img missing (make guests)"; done
	exit 0
fi
for tool in qemu-system-x86_64 python3 xmllint; do
	if ! command -v $tool >/dev/null; then
		for t in $TESTS; do t_fail $t "$tool not installed (make deps)"; done
		exit 0
	fi
done
before=$(sha256sum <"$img")

# --- every definition kind says EFI
t=p2v-uefi-definitions
cd "$TMP" || exit 1
ok=1 why=
if ! "$DUALVM" p2v "$img" "$TMP/u.qcow2" --vm vmx,libvirt,ovf,dualvm >"$TMP/u.log" 2>&1; then
	ok=0; why="p2v failed: $(tail -n 1 "$TMP/u.log")"
else
	grep -q '^firmware: uefi (EFI system partition 1' "$TMP/u.log" || { ok=0; why="no firmware line: $(head -n 3 "$TMP/u.log")"; }
	grep -qx 'firmware = "efi"' "$TMP/u.vmx" || { ok=0; why=".vmx has no firmware = \"efi\""; }
	grep -qx 'virtualHW.version = "11"' "$TMP/u.vmx" || { ok=0; why=".vmx hardware version is not 11"; }
	grep -q '<os firmware="efi">' "$TMP/u.xml" || { ok=0; why="libvirt XML has no <os firmware=\"efi\">"; }
	grep -q 'vmw:key="firmware" vmw:value="efi"' "$TMP/u.ovf" || { ok=0; why="OVF has no firmware setting"; }
	xmllint --noout "$TMP/u.ovf" "$TMP/u.xml" 2>/dev/null || { ok=0; why="xmllint rejects the XML"; }
	if command -v virt-xml-validate >/dev/null; then
		virt-xml-validate "$TMP/u.xml" domain >/dev/null 2>&1 || { ok=0; why="virt-xml-validate rejects u.xml"; }
	fi
	grep -qx 'firmware = uefi' "$TMP/u.dualvm" || { ok=0; why="dualvm definition has no firmware = uefi"; }
fi
[ $ok = 1 ] && t_pass $t || t_fail $t "$why"

# --- QEMU TCG with the libvirt definition's settings boots the conversion
t=p2v-uefi-boot-qemu
if [ $ok = 0 ]; then
	t_fail $t "needs p2v-uefi-definitions"
elif [ ! -f "$OVMF_CODE" ] || [ ! -f "$OVMF_VARS" ]; then
	t_fail $t "$OVMF_CODE or $OVMF_VARS missing (make deps: ovmf)"
else
	# memory MiB, vCPUs, firmware, disk file, disk format: from the XML only
	read -r mem cpus fw file fmt < <(python3 - "$TMP/u.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
d = ET.parse(sys.argv[1]).getroot()
m = d.find('memory')
mib = int(m.text) * {'MiB': 1, 'KiB': 1 / 1024, 'GiB': 1024}[m.get('unit', 'KiB')]
disk = d.find('devices/disk')
print(int(mib), d.find('vcpu').text, d.find('os').get('firmware', 'bios'),
      disk.find('source').get('file'), disk.find('driver').get('type'))
EOF
)
	args=(-accel tcg -m "$mem" -smp "$cpus" -display none -no-reboot -net none
		-serial "file:$TMP/q.serial" -drive "file=$file,format=$fmt,if=ide")
	if [ "$fw" = efi ]; then
		cp "$OVMF_VARS" "$TMP/vars.fd"
		args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$TMP/vars.fd")
	fi
	: >"$TMP/q.serial"
	qemu-system-x86_64 "${args[@]}" </dev/null >"$TMP/q.out" 2>&1 &
	pid=$!
	wait_serial "$TMP/q.serial" 'HOST-OS-BOOTED|DUALVM-GUEST-READY' "$pid" "$(budget 300)"
	rc=$?
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	if [ "$fw" != efi ]; then
		t_fail $t "the libvirt definition does not ask for EFI"
	elif [ $rc = 0 ] && grep -aq HOST-OS-BOOTED "$TMP/q.serial"; then
		t_pass $t
	else
		t_fail_log $t "QEMU with OVMF did not boot the converted disk (rc $rc: $(tail -n 1 "$TMP/q.out"))" "$TMP/q.serial"
	fi
fi
rm -f "$TMP/u.qcow2" "$TMP/u-vmware.vmdk"

# --- --firmware bios, and a BIOS GPT disk: no EFI anywhere
t=p2v-uefi-firmware-bios
ok=1 why=
"$DUALVM" p2v "$img" "$TMP/b.raw" --firmware bios --vm vmx,libvirt,dualvm >"$TMP/b.log" 2>&1 ||
	{ ok=0; why="p2v --firmware bios failed: $(tail -n 1 "$TMP/b.log")"; }
"$DUALVM" p2v "$GUESTS/dualboot-gpt-amd64.img" "$TMP/g.raw" --vm vmx,libvirt,dualvm >"$TMP/g.log" 2>&1 ||
	{ ok=0; why="p2v of dualboot-gpt-amd64 failed: $(tail -n 1 "$TMP/g.log")"; }
if [ $ok = 1 ]; then
	grep -q 'firmware' "$TMP/b.vmx" "$TMP/b.xml" "$TMP/g.vmx" "$TMP/g.xml" && { ok=0; why="a BIOS definition names a firmware"; }
	grep -q 'virtualHW.version = "4"' "$TMP/b.vmx" || { ok=0; why="BIOS .vmx hardware version is not 4"; }
	grep -q '^firmware' "$TMP/b.log" "$TMP/g.log" && { ok=0; why="a firmware line for a BIOS conversion"; }
	grep -qx 'firmware = bios' "$TMP/b.dualvm" && grep -qx 'firmware = bios' "$TMP/g.dualvm" ||
		{ ok=0; why="dualvm definitions do not say firmware = bios"; }
fi
out=$("$DUALVM" p2v "$img" "$TMP/x.raw" --firmware efi 2>&1) && { ok=0; why="--firmware efi accepted"; }
[ -e "$TMP/x.raw" ] && { ok=0; why="--firmware efi wrote output"; }
[ "$(sha256sum <"$img")" = "$before" ] || { ok=0; why="the source changed"; }
[ $ok = 1 ] && t_pass $t || t_fail $t "$why"
rm -f "$TMP/b.raw" "$TMP/g.raw"
exit 0
