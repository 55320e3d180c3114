#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# display-gtk.sh --- `dualvm run --display gtk` under Xvfb: SeaBIOS and
# SYSLINUX draw on the VGA text screen (run until SYSLINUX prints
# "Loading /boot"), the window's last frame is saved by
# DUALVM_SCREENSHOT and checked (720x400, text on the SeaBIOS and SYSLINUX
# rows, not blank).  Also: without DISPLAY/WAYLAND_DISPLAY it fails with one
# line and exit 1.  SKIP when Xvfb or the disk is missing.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
img=$GUESTS/linux-i386.img

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

head -c 65536 /dev/zero >"$tmp/zero.bin"
env -u DISPLAY -u WAYLAND_DISPLAY "$DUALVM" run --display gtk --timeout 5 \
	--serial "$tmp/x.txt" --bios "$tmp/zero.bin" </dev/null >/dev/null \
	2>"$tmp/nodpy.err"
rc=$?
if [ $rc = 1 ] && [ "$(wc -l <"$tmp/nodpy.err")" = 1 ] &&
   grep -q "DISPLAY" "$tmp/nodpy.err"; then
	echo "PASS display-gtk-no-session"
else
	echo "FAIL display-gtk-no-session: rc=$rc: $(head -2 "$tmp/nodpy.err")"
fi

if ! command -v xvfb-run >/dev/null || ! command -v Xvfb >/dev/null; then
	echo "SKIP display-gtk-syslinux: Xvfb missing (apt-get install xvfb)"; exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "SKIP display-gtk-syslinux: python3 missing to read the PNG"; exit 0
fi
if [ ! -e "$img" ]; then
	echo "SKIP display-gtk-syslinux: $img missing (make guests)"; exit 0
fi
cp --sparse=always "$img" "$tmp/disk.img"

DUALVM_SCREENSHOT=$tmp/shot.png timeout 150 xvfb-run -a \
	-s "-screen 0 1024x768x24" "$DUALVM" run --display gtk \
	--engine interp --serial "$tmp/com1.txt" --until-serial "Loading /boot" \
	--timeout 120 "$tmp/disk.img" </dev/null >/dev/null 2>"$tmp/gtk.err"
rc=$?
# PNG (8-bit RGB, as gdk-pixbuf writes it) -> "W H lit0 lit3 total": pixels
# that are not black in text row 0 (SeaBIOS), text row 3 (SYSLINUX) and all
check=$(python3 - "$tmp/shot.png" <<'PY' 2>&1
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    if t == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif t == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), 'unexpected PNG format'
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
lit = lambda y0, y1: sum(1 for y in range(y0, y1) for x in range(w) if any(rows[y][x * bpp:x * bpp + 3]))
print(w, h, lit(0, 16), lit(48, 64), lit(0, h))
PY
)
set -- $check
if [ $rc = 0 ] && [ $# = 5 ] && [ "$1x$2" = 720x400 ] && [ "$3" -gt 500 ] &&
   [ "$4" -gt 500 ] && [ "$5" -lt $((720 * 400 / 4)) ]; then
	echo "PASS display-gtk-syslinux (lit pixels: SeaBIOS row $3, SYSLINUX row $4, all $5)"
else
	echo "FAIL display-gtk-syslinux: rc=$rc, png: $check, stderr: $(grep -v unclaimed "$tmp/gtk.err" | tail -1)"
fi
