#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# platform-cdrom.sh --- `dualvm run --cdrom ISO --boot cdrom` boots a
# no-emulation El Torito CD through SeaBIOS under the interpreter.
#
# The ISO is generated here: system area (sectors 0-15), an ISO 9660
# primary volume descriptor (16), the El Torito boot record (17) pointing at
# the boot catalog (19), the set terminator (18), and a 2048-byte boot image
# (20) of hand-assembled real-mode code that prints a marker on COM1 and
# writes 0 to the exit port 0x501.  Also checks the option errors, that the
# ISO is not modified, and the boot order with a 1 MiB disk whose MBR prints
# another marker: disk first by default, the CD first with --boot cdrom.
# Env: BUILD SRC DUALVM (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
MARK=DUALVM-CDROM-BOOT-OK

if [ ! -x "$DUALVM" ]; then
	echo "FAIL platform-cdrom: $DUALVM not built"; exit 1
fi
if ! command -v python3 >/dev/null; then
	echo "FAIL platform-cdrom: python3 needed to build the test ISO"; exit 0
fi
if [ ! -e /usr/share/seabios/bios-256k.bin ] && [ ! -e /usr/share/seabios/bios.bin ]; then
	echo "FAIL platform-cdrom: Debian's SeaBIOS is not installed"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp/boot.iso" "$MARK" <<'PY'
import struct, sys
S = 2048
def both16(v): return struct.pack('<H', v) + struct.pack('>H', v)
def both32(v): return struct.pack('<I', v) + struct.pack('>I', v)
nsect = 32
iso = bytearray(S * nsect)
# root directory record (34 bytes): extent 21, one sector, directory flag
root = bytearray(34)
root[0] = 34
root[2:10] = both32(21)
root[10:18] = both32(S)
root[25] = 2
root[28:32] = both16(1)
root[32] = 1
pvd = bytearray(S)
pvd[0] = 1; pvd[1:6] = b'CD001'; pvd[6] = 1
pvd[8:40] = b' ' * 32
pvd[40:72] = b'DUALVM_TEST'.ljust(32)
pvd[80:88] = both32(nsect)
pvd[120:124] = both16(1); pvd[124:128] = both16(1)
pvd[128:132] = both16(S)
pvd[156:190] = root
pvd[881] = 1
iso[16 * S:17 * S] = pvd
br = bytearray(S)
br[0] = 0; br[1:6] = b'CD001'; br[6] = 1
br[7:39] = b'EL TORITO SPECIFICATION'.ljust(32, b'\0')
br[0x47:0x4b] = struct.pack('<I', 19)
iso[17 * S:18 * S] = br
term = bytearray(S); term[0] = 255; term[1:6] = b'CD001'; term[6] = 1
iso[18 * S:19 * S] = term
# boot catalog: validation entry (words sum to 0) + default entry
val = bytearray(32)
val[0] = 1; val[4:28] = b'DUALVM'.ljust(24, b'\0'); val[30] = 0x55; val[31] = 0xaa
val[28:30] = struct.pack('<H', (-sum(struct.unpack('<16H', bytes(val)))) & 0xffff)
assert sum(struct.unpack('<16H', bytes(val))) & 0xffff == 0
ent = bytearray(32)
ent[0] = 0x88                      # bootable
ent[1] = 0                         # no emulation
ent[2:4] = struct.pack('<H', 0)    # load segment 0: 0x7c0
ent[6:8] = struct.pack('<H', 4)    # 4 virtual sectors = 2048 bytes
ent[8:12] = struct.pack('<I', 20)  # boot image LBA
iso[19 * S:19 * S + 64] = val + ent
# boot image, loaded at 0x7c00 (SeaBIOS enters it at 0000:7C00; the code
# does not rely on CS), hand-assembled 8086 code:
#  0 B8 C0 07  mov ax, 0x7c0    3 8E D8    mov ds, ax
#  5 BE 1C 00  mov si, msg      8 BA F8 03 mov dx, 0x3f8
#  B AC        lodsb            C 84 C0    test al, al
#  E 74 03     jz 0x13         10 EE       out dx, al
# 11 EB F8     jmp 0xb         13 BA 01 05 mov dx, 0x501
# 16 B0 00     mov al, 0       18 EE       out dx, al
# 19 F4        hlt             1A EB FD    jmp 0x19
code = bytes.fromhex('B8C0078ED8BE1C00BAF803AC84C07403EEEBF8BA0105B000EEF4EBFD')
assert len(code) == 0x1c
img = code + sys.argv[2].encode() + b'\r\n\0'
iso[20 * S:20 * S + len(img)] = img
open(sys.argv[1], 'wb').write(iso)
# a 1 MiB hard disk whose MBR runs the same code with another marker
disk = bytearray(1 << 20)
dimg = code + b'DUALVM-DISK-BOOT-OK\r\n\0'
disk[:len(dimg)] = dimg
disk[510:512] = b'\x55\xaa'
open(sys.argv[1].replace('boot.iso', 'disk.img'), 'wb').write(disk)
PY
[ -s "$tmp/boot.iso" ] || { echo "FAIL platform-cdrom: ISO not built"; exit 0; }

# option errors: one line, exit 2
"$DUALVM" run --boot cdrom --bios /dev/null >/dev/null 2>"$tmp/e1"; rc1=$?
"$DUALVM" run --boot floppy --cdrom "$tmp/boot.iso" >/dev/null 2>"$tmp/e2"; rc2=$?
"$DUALVM" run --cdrom "$tmp/nonexistent.iso" --timeout 5 >/dev/null 2>"$tmp/e3"; rc3=$?
if [ $rc1 = 2 ] && [ $rc2 = 2 ] && [ $rc3 = 1 ] && grep -q "needs --cdrom" "$tmp/e1" &&
   grep -q "nonexistent" "$tmp/e3"; then
	echo "PASS platform-cdrom-options"
else
	echo "FAIL platform-cdrom-options: rc $rc1/$rc2/$rc3: $(cat "$tmp/e1" "$tmp/e2" "$tmp/e3" | tr '\n' ' ')"
fi

sum0=$(md5sum <"$tmp/boot.iso")
timeout 300 "$DUALVM" run --engine interp --memory 64 --timeout 240 \
	--serial stdio --cdrom "$tmp/boot.iso" --boot cdrom \
	--until-serial "$MARK" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -aq "$MARK" "$tmp/out" && [ "$(md5sum <"$tmp/boot.iso")" = "$sum0" ]; then
	echo "PASS platform-cdrom-boot"
elif [ $rc = 124 ] && grep -aq "SeaBIOS" "$tmp/out"; then
	echo "FAIL platform-cdrom-boot: SeaBIOS did not boot the CD within 240 s: $(tr -d '\r\0' <"$tmp/out" | tail -2 | tr '\n' ' ')"
else
	echo "FAIL platform-cdrom-boot: rc=$rc: $(tail -1 "$tmp/err") $(tr -d '\r\0' <"$tmp/out" | tail -2 | tr '\n' ' ')"
fi
# boot order with a disk too: disk first by default, the CD with --boot cdrom
for order in disk cdrom; do
	want=DUALVM-DISK-BOOT-OK
	[ $order = cdrom ] && want=$MARK
	timeout 300 "$DUALVM" run --engine interp --memory 64 --timeout 240 \
		--serial stdio --cdrom "$tmp/boot.iso" --boot $order \
		"$tmp/disk.img" </dev/null >"$tmp/out-$order" 2>"$tmp/err-$order"
	rc=$?
	if [ $rc = 0 ] && grep -aq "$want" "$tmp/out-$order"; then
		echo "PASS platform-cdrom-bootorder-$order"
	else
		echo "FAIL platform-cdrom-bootorder-$order: rc=$rc, want $want: $(tail -1 "$tmp/err-$order") $(tr -d '\r\0' <"$tmp/out-$order" | tail -2 | tr '\n' ' ')"
	fi
done
exit 0
