#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# hwprofile-inspect.sh --- `dualvm inspect --json` on the test disks matches
# the golden files in tests/hwprofile/ (per-build values filled from
# build/guests/manifest.json) and the manifest itself; text mode and bad
# input behave; the UEFI disk's ESP and each OS's loader on it.
set -u
: "${BUILD:?}" "${SRC:?}" "${GUESTS:=$BUILD/guests}" "${DUALVM:=$BUILD/bin/dualvm}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
man=$GUESTS/manifest.json

if ! command -v python3 >/dev/null; then
	echo "FAIL hwprofile-inspect: python3 not installed"; exit 0
fi
check_one() {	# name image golden
	local name=$1 img=$2 golden=$3
	if [ ! -f "$GUESTS/$img" ] || [ ! -f "$man" ]; then
		echo "FAIL $name: $GUESTS/$img not built (make guests)"; return
	fi
	if ! "$DUALVM" inspect --json "$GUESTS/$img" >"$tmp/$img.json" 2>"$tmp/err"; then
		echo "FAIL $name: dualvm inspect exited $?: $(head -1 "$tmp/err")"; return
	fi
	if python3 "$SRC/tests/hwprofile/golden.py" "$man" "$img" "$golden" \
		"$tmp/$img.json" >"$tmp/diff" 2>&1; then
		echo "PASS $name"
	else
		echo "FAIL $name: $(head -c 600 "$tmp/diff" | tr '\n' ' ')"
	fi
}
check_one inspect-golden-dualboot-amd64 dualboot-amd64.img "$SRC/tests/hwprofile/inspect-dualboot-amd64.json"
check_one inspect-golden-dualboot-i386 dualboot-i386.img "$SRC/tests/hwprofile/inspect-dualboot-i386.json"
check_one inspect-manifest-gpt dualboot-gpt-amd64.img -
check_one inspect-manifest-hibernated windows-hibernated.img -
check_one inspect-manifest-linux-i386 linux-i386.img -

# one partition, text mode
if [ -f "$GUESTS/dualboot-i386.img" ]; then
	out=$("$DUALVM" inspect --partition 3 "$GUESTS/dualboot-i386.img" 2>&1)
	if grep -q "Windows: Microsoft Windows XP 5.1 build 2600" <<<"$out" &&
	   ! grep -q "partition 2" <<<"$out"; then
		echo "PASS inspect-partition-text"
	else
		echo "FAIL inspect-partition-text: $out"
	fi
	"$DUALVM" inspect --partition 9 "$GUESTS/dualboot-i386.img" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc = 1 ] && grep -q "no partition 9" "$tmp/err"; then
		echo "PASS inspect-no-such-partition"
	else
		echo "FAIL inspect-no-such-partition: rc=$rc $(cat "$tmp/err")"
	fi
else
	echo "FAIL inspect-partition-text: dualboot-i386.img not built"
	echo "FAIL inspect-no-such-partition: dualboot-i386.img not built"
fi

# a converted image (VMDK via qemu-img) inspects like the raw one; inject
# refuses to write it (no writer for that format) and leaves it untouched
if [ -f "$GUESTS/linux-i386.img" ] && command -v qemu-img >/dev/null; then
	qemu-img convert -O vmdk "$GUESTS/linux-i386.img" "$tmp/l.vmdk" 2>/dev/null
	"$DUALVM" inspect --json "$GUESTS/linux-i386.img" >"$tmp/raw.json" 2>/dev/null
	"$DUALVM" inspect --json "$tmp/l.vmdk" >"$tmp/vmdk.json" 2>"$tmp/err"
	if python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); a["disk"]=b["disk"]=""; assert a==b and a["partitions"][0]["os"]["type"]=="linux"' "$tmp/raw.json" "$tmp/vmdk.json" 2>/dev/null; then
		b=$(sha256sum <"$tmp/l.vmdk")
		if ! "$DUALVM" inject "$tmp/l.vmdk" >/dev/null 2>"$tmp/err" &&
		   grep -q "not a raw disk image" "$tmp/err" && [ "$(sha256sum <"$tmp/l.vmdk")" = "$b" ]; then
			echo "PASS inspect-vmdk-image"
		else
			echo "FAIL inspect-vmdk-image: inject on a VMDK was not refused cleanly: $(head -1 "$tmp/err")"
		fi
	else
		echo "FAIL inspect-vmdk-image: $(head -1 "$tmp/err")"
	fi
else
	echo "FAIL inspect-vmdk-image: linux-i386.img not built or qemu-img missing"
fi

# garbage in: a clear error or an empty report, never a crash
head -c 3M /dev/urandom >"$tmp/garbage.img"
"$DUALVM" inspect --json "$tmp/garbage.img" >"$tmp/g.json" 2>"$tmp/err"
rc=$?
if [ $rc -le 1 ] && { [ $rc = 1 ] || python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/g.json"; }; then
	echo "PASS inspect-garbage"
else
	echo "FAIL inspect-garbage: rc=$rc $(head -1 "$tmp/err")"
fi
"$DUALVM" inspect "$tmp/nonexistent.img" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && [ -s "$tmp/err" ]; then echo "PASS inspect-missing-file"; else echo "FAIL inspect-missing-file: rc=$rc"; fi

# UEFI: the ESP is named, and each OS gets the loader that boots it: the
# vendor folder whose GRUB names its file system (HOST: \EFI\host, LINUX:
# \EFI\debian, not the fallback \EFI\BOOT), Windows Boot Manager for NTFS;
# with --partition the same loader; a BIOS disk has none
img=$GUESTS/dualboot-uefi-amd64.img
if [ -f "$img" ]; then
	got=$("$DUALVM" inspect --json "$img" 2>"$tmp/err" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d["partitions"]:
    l = p["efi_loader"]
    print(p["number"], p["efi_system_partition"], l and l["esp"], l and l["path"])')
	want='1 True None None
2 False 1 \EFI\host\grubx64.efi
3 False 1 \EFI\debian\grubx64.efi
4 False 1 \EFI\Microsoft\Boot\bootmgfw.efi'
	one=$("$DUALVM" inspect --partition 3 "$img" 2>&1)
	bios=$("$DUALVM" inspect "$GUESTS/dualboot-gpt-amd64.img" 2>&1)
	if [ "$got" != "$want" ]; then
		echo "FAIL inspect-uefi-loaders: got $(tr '\n' ';' <<<"$got") $(head -1 "$tmp/err")"
	elif ! grep -qF 'UEFI loader: \EFI\debian\grubx64.efi on partition 1' <<<"$one"; then
		echo "FAIL inspect-uefi-loaders: --partition 3: $(head -3 <<<"$one" | tr '\n' ' ')"
	elif grep -q 'UEFI loader\|EFI system partition' <<<"$bios"; then
		echo "FAIL inspect-uefi-loaders: the BIOS GPT disk reports UEFI loaders"
	else
		echo "PASS inspect-uefi-loaders"
	fi
else
	echo "FAIL inspect-uefi-loaders: $img not built (make guests)"
fi
