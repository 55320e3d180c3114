#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# display-text.sh --- `dualvm run --display text`: the VGA text screen drawn
# on a terminal (a pty from script(1)) while COM1 goes to a file, and
# Ctrl-A x typed on that terminal stops the VM (exit 130) with the terminal
# modes restored.  Also: --display text refuses a serial console on stdio.
# Env: BUILD SRC GUESTS DUALVM (see tests/run-tests.sh).
set -u
BUILD=${BUILD:?} SRC=${SRC:?}
GUESTS=${GUESTS:-$BUILD/guests}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
img=$GUESTS/linux-i386.img

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

head -c 65536 /dev/zero >"$tmp/zero.bin"
"$DUALVM" run --display text --serial stdio --timeout 5 --bios "$tmp/zero.bin" \
	</dev/null >/dev/null 2>"$tmp/stdio.err"
rc=$?
if [ $rc = 1 ] && grep -q -- "--serial PATH" "$tmp/stdio.err"; then
	echo "PASS display-text-needs-serial-file"
else
	echo "FAIL display-text-needs-serial-file: rc=$rc: $(grep -v unclaimed "$tmp/stdio.err" | tail -1)"
fi

if ! command -v script >/dev/null; then
	echo "FAIL display-text-screen: script(1) (util-linux) missing"; exit 0
fi
if [ ! -e "$img" ]; then
	echo "FAIL display-text-screen: $img missing (make guests)"; exit 0
fi
cp --sparse=always "$img" "$tmp/disk.img"

# 1. boot to the SYSLINUX banner on the terminal screen
timeout 150 script -qfec "'$DUALVM' run --display text --engine interp \
	--serial '$tmp/com1.txt' --until-serial SYSLINUX --timeout 120 \
	'$tmp/disk.img' 2>'$tmp/a.err'; echo RC=\$?" "$tmp/a.log" \
	</dev/null >/dev/null
if grep -a -q 'RC=0' "$tmp/a.log" &&
   grep -a -q $'\e\\[1;1HSeaBIOS (version' "$tmp/a.log" &&
   grep -a -q $'\e\\[4;1HSYSLINUX' "$tmp/a.log"; then
	echo "PASS display-text-screen"
else
	echo "FAIL display-text-screen: $(grep -a -o 'RC=[0-9]*' "$tmp/a.log" | tail -1), rows: $(tr -c '[:print:]' ' ' <"$tmp/a.log" | grep -o 'SeaBIOS\|SYSLINUX' | sort -u | tr '\n' ' '), stderr: $(grep -v unclaimed "$tmp/a.err" | tail -1)"
fi

# 2. Ctrl-A x on the terminal stops the VM; the terminal is restored
(sleep 5; printf '\001x'; sleep 3) | timeout 120 script -qfec \
	"stty -g >'$tmp/before'; '$DUALVM' run --display text --engine interp \
	--serial '$tmp/com1b.txt' --timeout 60 '$tmp/disk.img' \
	2>'$tmp/b.err'; echo RC=\$?; stty -g >'$tmp/after'" "$tmp/b.log" \
	>/dev/null
if grep -a -q 'RC=130' "$tmp/b.log" && [ -s "$tmp/before" ] &&
   cmp -s "$tmp/before" "$tmp/after" &&
   grep -a -q $'\e\\[?25h\e\\[25;1H' "$tmp/b.log"; then
	echo "PASS display-text-quit-restores-terminal"
else
	echo "FAIL display-text-quit-restores-terminal: $(grep -a -o 'RC=[0-9]*' "$tmp/b.log" | tail -1), stty $(cmp -s "$tmp/before" "$tmp/after" && echo same || echo differs), stderr: $(grep -v unclaimed "$tmp/b.err" | tail -1)"
fi
