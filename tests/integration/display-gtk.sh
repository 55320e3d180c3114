#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# display-gtk.sh --- `dualvm run --display gtk` under Xvfb: SeaBIOS and
# SYSLINUX draw on the VGA text screen (run until SYSLINUX prints
# "Loading /boot"), the window's last frame is saved by
# DUALVM_SCREENSHOT and checked (720x400, text on the SeaBIOS and SYSLINUX
# rows, not blank); tiny firmwares read the keyboard's and the PS/2 mouse's
# bytes typed/clicked into the window with xdotool; WM_DELETE_WINDOW stops
# the VM (exit 130); a VBE 640x480x32 picture is drawn.  Also: without
# DISPLAY/WAYLAND_DISPLAY it fails with one line and exit 1, and so does
# a dualvm binary without its GTK plugin beside it, while other commands
# of that binary work and load no GTK library.  SKIP when
# Xvfb, xdotool or the disk is missing.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
img=$GUESTS/linux-i386.img

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# no session bus: GTK must not autolaunch one (its socket would be left in /tmp)
export NO_AT_BRIDGE=1 DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-session-bus"

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

# the GTK display is a plugin (gui/gui.h): a copy of the binary without
# ../lib/dualvm/gui-gtk.so still runs everything else, and GTK is loaded by
# nothing but --display gtk
mkdir "$tmp/bin" && cp "$DUALVM" "$tmp/bin/dualvm"
DISPLAY=:0 "$tmp/bin/dualvm" run --display gtk --timeout 5 \
	--serial "$tmp/x.txt" --bios "$tmp/zero.bin" </dev/null >/dev/null \
	2>"$tmp/noplug.err"
rc=$?
if [ $rc != 1 ] || [ "$(wc -l <"$tmp/noplug.err")" != 1 ] ||
   ! grep -q "cannot load the GTK display" "$tmp/noplug.err"; then
	echo "FAIL display-gtk-plugin: without the plugin: rc=$rc: $(head -2 "$tmp/noplug.err")"
elif ! "$tmp/bin/dualvm" disk --help >/dev/null 2>&1; then
	echo "FAIL display-gtk-plugin: dualvm disk --help fails without the plugin"
elif ldd "$DUALVM" | grep -q 'libgtk'; then
	echo "FAIL display-gtk-plugin: $DUALVM links GTK itself"
else
	echo "PASS display-gtk-plugin"
fi

if ! command -v xvfb-run >/dev/null || ! command -v Xvfb >/dev/null; then
	echo "FAIL display-gtk-syslinux: Xvfb missing (apt-get install xvfb)"; exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "FAIL display-gtk-syslinux: python3 missing to read the PNG"; exit 0
fi
if [ -e "$img" ]; then
	cp --sparse=always "$img" "$tmp/disk.img"
	DUALVM_SCREENSHOT=$tmp/shot.png timeout 150 xvfb-run -a \
		-s "-screen 0 1024x768x24" "$DUALVM" run --display gtk \
		--engine interp --serial "$tmp/com1.txt" \
		--until-serial "Loading /boot" --timeout 120 "$tmp/disk.img" \
		</dev/null >/dev/null 2>"$tmp/gtk.err"
	echo $? >"$tmp/gtk.rc"
	# kept for people to look at
	mkdir -p "$BUILD/test-logs" &&
		cp -f "$tmp/shot.png" "$BUILD/test-logs/display-gtk-syslinux.png" 2>/dev/null
fi
rc=$(cat "$tmp/gtk.rc" 2>/dev/null)
# PNG (8-bit RGB, as gdk-pixbuf writes it) -> "W H lit0 lit3 total": pixels
# that are not black in text row 0 (SeaBIOS), text row 3 (SYSLINUX) and all
cat >"$tmp/png.py" <<'PY'
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
check=$(python3 "$tmp/png.py" "$tmp/shot.png" 2>&1)
set -- $check
if [ ! -e "$img" ]; then
	echo "FAIL display-gtk-syslinux: $img missing (make guests)"
elif [ "$rc" = 0 ] && [ $# = 5 ] && [ "$1x$2" = 720x400 ] && [ "$3" -gt 500 ] &&
   [ "$4" -gt 500 ] && [ "$5" -lt $((720 * 400 / 4)) ]; then
	echo "PASS display-gtk-syslinux (lit pixels: SeaBIOS row $3, SYSLINUX row $4, all $5)"
else
	echo "FAIL display-gtk-syslinux: rc=$rc, png: $check, stderr: $(grep -v unclaimed "$tmp/gtk.err" | tail -1)"
fi

# Input and close: a tiny firmware that waits for the 'A' key's set-1 make
# (0x1e) and break (0x9e) codes on port 0x60, typed into the window with
# xdotool (XTEST); then the same firmware with no key and the window closed
# by the window manager's WM_DELETE_WINDOW message: exit 130, disks closed.
if ! command -v xdotool >/dev/null || ! command -v as >/dev/null ||
   ! pkg-config --exists x11; then
	echo "FAIL display-gtk-keyboard: xdotool, binutils or libx11-dev missing"; exit 0
fi
cat >"$tmp/kbd.S" <<'ASM'
	.include "boot.inc"
start:
	SETUP
	PUTS ready
	movb $0x1e, %bl
1:	inb $0x64, %al			# output buffer full?
	testb $0x01, %al
	jz 1b
	inb $0x60, %al
	cmpb %bl, %al
	jne 1b
	cmpb $0x9e, %bl
	je 2f
	movb $0x9e, %bl
	jmp 1b
2:	PASS
	COMMON_CODE
test_name:	.asciz "kbd"
ready:		.asciz "kbd: type a\r\n"
	RESET_VECTOR
ASM
as --32 -I "$SRC/tests/boot" -o "$tmp/kbd.o" "$tmp/kbd.S" &&
ld -m elf_i386 -e 0 -Ttext=0 --oformat=binary -o "$tmp/kbd.bin" "$tmp/kbd.o" ||
	{ echo "FAIL display-gtk-keyboard: cannot build the firmware"; exit 1; }
cat >"$tmp/mouse.S" <<'ASM'
	.include "boot.inc"
start:
	SETUP
	PUTS ready
	movb $0xa8, %al			# enable the aux port
	outb %al, $0x64
	movb $0xd4, %al			# next data byte to the mouse:
	outb %al, $0x64
	movb $0xf4, %al			# enable reporting
	outb %al, $0x60
1:	inb $0x64, %al
	testb $0x01, %al
	jz 1b
	inb $0x60, %al
	cmpb $0xfa, %al			# ACK
	jne 1b
	xorw %cx, %cx			# byte index in the packet
2:	inb $0x64, %al
	testb $0x01, %al
	jz 2b
	inb $0x60, %al
	testw %cx, %cx
	jnz 3f
	andb $0x0f, %al			# first byte: always-1 bit + left
	cmpb $0x09, %al
	je 4f
3:	incw %cx
	cmpw $3, %cx
	jne 2b
	xorw %cx, %cx
	jmp 2b
4:	PASS
	COMMON_CODE
test_name:	.asciz "mouse"
ready:		.asciz "mouse: click\r\n"
	RESET_VECTOR
ASM
as --32 -I "$SRC/tests/boot" -o "$tmp/mouse.o" "$tmp/mouse.S" &&
ld -m elf_i386 -e 0 -Ttext=0 --oformat=binary -o "$tmp/mouse.bin" "$tmp/mouse.o" ||
	{ echo "FAIL display-gtk-mouse: cannot build the firmware"; exit 1; }
# 20 mouse packets moving right: more than one warp back to the centre
cat >"$tmp/motion.S" <<'ASM'
	.include "boot.inc"
start:
	SETUP
	movb $0xa8, %al
	outb %al, $0x64
	movb $0xd4, %al
	outb %al, $0x64
	movb $0xf4, %al
	outb %al, $0x60
1:	inb $0x64, %al
	testb $0x01, %al
	jz 1b
	inb $0x60, %al
	cmpb $0xfa, %al
	jne 1b
	xorw %cx, %cx
	xorw %si, %si			# packets with dx > 0 seen
2:	inb $0x64, %al
	testb $0x01, %al
	jz 2b
	inb $0x60, %al
	cmpw $1, %cx
	jne 3f
	testb %al, %al
	jz 3f
	js 3f
	incw %si
	cmpw $20, %si			# 20 rightward packets: beyond one warp
	je 4f
3:	incw %cx
	cmpw $3, %cx
	jne 2b
	xorw %cx, %cx
	jmp 2b
4:	PASS
	COMMON_CODE
test_name:	.asciz "motion"
	RESET_VECTOR
ASM
as --32 -I "$SRC/tests/boot" -o "$tmp/motion.o" "$tmp/motion.S" &&
ld -m elf_i386 -e 0 -Ttext=0 --oformat=binary -o "$tmp/motion.bin" "$tmp/motion.o" ||
	{ echo "FAIL display-gtk-mouse-motion: cannot build the firmware"; exit 1; }
cat >"$tmp/vbe.S" <<'ASM'
	.include "boot.inc"
	.macro DISPI idx, val
	movw $\idx, %ax
	movw $0x1ce, %dx
	outw %ax, %dx
	movw $\val, %ax
	movw $0x1cf, %dx
	outw %ax, %dx
	.endm
start:
	SETUP
	DISPI 4, 0			# disable, then 640x480x32, enable
	DISPI 1, 640
	DISPI 2, 480
	DISPI 3, 32
	DISPI 5, 0			# bank 0 at 0xA0000
	DISPI 4, 1
	movw $0xa000, %ax
	movw %ax, %es
	xorw %di, %di
	movl $0x00ffffff, %eax		# 16384 white pixels: rows 0..25
	movw $16384, %cx
	cld
	rep stosl
	PASS
	COMMON_CODE
test_name:	.asciz "vbe"
	RESET_VECTOR
ASM
as --32 -I "$SRC/tests/boot" -o "$tmp/vbe.o" "$tmp/vbe.S" &&
ld -m elf_i386 -e 0 -Ttext=0 --oformat=binary -o "$tmp/vbe.bin" "$tmp/vbe.o" ||
	{ echo "FAIL display-gtk-vbe: cannot build the firmware"; exit 1; }
cat >"$tmp/wmclose.c" <<'C'
/* wmclose WINDOW-ID: ask a window to close, as a window manager does */
#include <stdlib.h>
#include <X11/Xlib.h>
int main(int argc, char **argv)
{
	Display *d = XOpenDisplay(NULL);
	XEvent ev = { 0 };

	if (!d || argc != 2)
		return 1;
	ev.xclient.type = ClientMessage;
	ev.xclient.window = strtoul(argv[1], NULL, 0);
	ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = XInternAtom(d, "WM_DELETE_WINDOW", False);
	ev.xclient.data.l[1] = CurrentTime;
	XSendEvent(d, ev.xclient.window, False, NoEventMask, &ev);
	XCloseDisplay(d);
	return 0;
}
C
cc -o "$tmp/wmclose" "$tmp/wmclose.c" $(pkg-config --cflags --libs x11) ||
	{ echo "FAIL display-gtk-keyboard: cannot build wmclose"; exit 1; }
cat >"$tmp/input.sh" <<SH
#!/bin/bash
# inside xvfb-run: type 'a' until the firmware reports, then close a window
"$DUALVM" run --display gtk --engine interp --serial "$tmp/kbd.txt" \
	--until-serial "PASS kbd" --timeout 60 --bios "$tmp/kbd.bin" \
	</dev/null >/dev/null 2>"$tmp/kbd.err" &
pid=\$!
wid=\$(timeout 30 xdotool search --sync --onlyvisible --name '^dualvm' | head -1)
xdotool mousemove --window "\$wid" 50 50
while kill -0 \$pid 2>/dev/null; do xdotool key a; sleep 0.3; done
wait \$pid; echo \$? >"$tmp/kbd.rc"
"$DUALVM" run --display gtk --engine interp --serial "$tmp/close.txt" \
	--timeout 60 --bios "$tmp/kbd.bin" </dev/null >/dev/null \
	2>"$tmp/close.err" &
pid=\$!
wid=\$(timeout 30 xdotool search --sync --onlyvisible --name '^dualvm' | head -1)
xdotool getwindowname "\$wid" >"$tmp/title"
sleep 1
"$tmp/wmclose" "\$wid"
wait \$pid; echo \$? >"$tmp/close.rc"
"$DUALVM" run --display gtk --engine interp --serial "$tmp/mouse.txt" \
	--until-serial "PASS mouse" --timeout 60 --bios "$tmp/mouse.bin" \
	</dev/null >/dev/null 2>"$tmp/mouse.err" &
pid=\$!
wid=\$(timeout 30 xdotool search --sync --onlyvisible --name '^dualvm' | head -1)
xdotool mousemove --window "\$wid" 50 50
# the first click grabs the pointer, the next ones reach the guest
while kill -0 \$pid 2>/dev/null; do xdotool click 1; sleep 0.3; done
wait \$pid; echo \$? >"$tmp/mouse.rc"
"$DUALVM" run --display gtk --engine interp --serial "$tmp/motion.txt" \
	--until-serial "PASS motion" --timeout 60 --bios "$tmp/motion.bin" \
	</dev/null >/dev/null 2>"$tmp/motion.err" &
pid=\$!
wid=\$(timeout 30 xdotool search --sync --onlyvisible --name '^dualvm' | head -1)
xdotool mousemove --window "\$wid" 300 200 click 1
n=0
while kill -0 \$pid 2>/dev/null && [ \$n -lt 300 ]; do
	xdotool mousemove_relative 10 0; n=\$((n + 1)); sleep 0.05
done
wait \$pid; echo \$? >"$tmp/motion.rc"
DUALVM_SCREENSHOT="$tmp/vbe.png" "$DUALVM" run --display gtk --engine interp \
	--serial "$tmp/vbe.txt" --until-serial "PASS vbe" --timeout 60 \
	--bios "$tmp/vbe.bin" </dev/null >/dev/null 2>"$tmp/vbe.err"
echo \$? >"$tmp/vbe.rc"
SH
chmod +x "$tmp/input.sh"
timeout 150 xvfb-run -a -s "-screen 0 1024x768x24" "$tmp/input.sh" >/dev/null 2>&1
rc=$(cat "$tmp/kbd.rc" 2>/dev/null)
if [ "$rc" = 0 ] && grep -a -q "^PASS kbd" "$tmp/kbd.txt"; then
	echo "PASS display-gtk-keyboard"
else
	echo "FAIL display-gtk-keyboard: rc=$rc, serial: $(grep -a -m1 -E '^(PASS|FAIL)' "$tmp/kbd.txt" || echo none), stderr: $(grep -v unclaimed "$tmp/kbd.err" | tail -1)"
fi
rc=$(cat "$tmp/close.rc" 2>/dev/null)
if [ "$rc" = 130 ] && grep -q "stopped" "$tmp/close.err" &&
   grep -q "^dualvm — .*kbd.bin" "$tmp/title"; then
	echo "PASS display-gtk-close-window"
else
	echo "FAIL display-gtk-close-window: rc=$rc, title '$(cat "$tmp/title" 2>/dev/null)', stderr: $(grep -v unclaimed "$tmp/close.err" | tail -1)"
fi
rc=$(cat "$tmp/mouse.rc" 2>/dev/null)
if [ "$rc" = 0 ] && grep -a -q "^PASS mouse" "$tmp/mouse.txt"; then
	echo "PASS display-gtk-mouse"
else
	echo "FAIL display-gtk-mouse: rc=$rc, serial: $(grep -a -m1 -E '^(PASS|FAIL)' "$tmp/mouse.txt" || echo none), stderr: $(grep -v unclaimed "$tmp/mouse.err" | tail -1)"
fi
rc=$(cat "$tmp/motion.rc" 2>/dev/null)
if [ "$rc" = 0 ] && grep -a -q "^PASS motion" "$tmp/motion.txt"; then
	echo "PASS display-gtk-mouse-motion"
else
	echo "FAIL display-gtk-mouse-motion: rc=$rc, stderr: $(grep -v unclaimed "$tmp/motion.err" | tail -1)"
fi
# VBE 640x480x32 with 16384 white pixels written through bank 0
rc=$(cat "$tmp/vbe.rc" 2>/dev/null)
check=$(python3 "$tmp/png.py" "$tmp/vbe.png" 2>&1)
if [ "$rc" = 0 ] && [ "$check" = "640 480 10240 0 16384" ]; then
	echo "PASS display-gtk-vbe"
else
	echo "FAIL display-gtk-vbe: rc=$rc, png (w h lit-rows-0-15 lit-rows-48-63 lit): $check, stderr: $(grep -v unclaimed "$tmp/vbe.err" | tail -1)"
fi
