#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# debugcon.sh --- `dualvm run --debugcon PATH --post-codes` on the
# tests/boot/debugcon payload: ports 0xE9 and 0x402 land in PATH in order,
# each POST code (0x12, 0x34) is one "dualvm: POST xx" line on stderr; and
# without the options the console reads as absent (0x402 reads 0xFF), no
# file, no POST lines.
# Env: BUILD SRC DUALVM (see tests/run-tests.sh).
. "$SRC/tests/lib/common.sh"
tmp=$TMP
secs=$(budget 60)

if [ ! -x "$DUALVM" ]; then
	t_fail debugcon "$DUALVM not built"; exit 1
fi
if ! "$SRC/tests/boot/build.sh" "$tmp/boot" debugcon 2>"$tmp/build.err"; then
	t_fail debugcon "payload does not build: $(head -1 "$tmp/build.err")"; exit 0
fi
bin=$tmp/boot/debugcon.bin

timeout -s KILL $((secs + 60)) "$DUALVM" run --engine interp --memory 32 \
	--timeout "$secs" --serial "$tmp/on.out" --bios "$bin" \
	--debugcon "$tmp/con.txt" --post-codes </dev/null 2>"$tmp/on.err"
rc=$?
if [ $rc != 0 ] || ! grep -aq '^PASS debugcon' "$tmp/on.out"; then
	t_fail debugcon-on "rc=$rc: $(tr -d '\r' <"$tmp/on.out" | tail -1) $(tail -1 "$tmp/on.err")"
elif [ "$(cat "$tmp/con.txt" 2>/dev/null)" != "$(printf 'e9\n402')" ]; then
	t_fail debugcon-on "debug console file holds '$(head -c 40 "$tmp/con.txt" 2>/dev/null | tr '\n' '|')'"
elif [ "$(tr -d '\r' <"$tmp/on.err" | grep '^dualvm: POST' | tr '\n' '|')" != "dualvm: POST 12|dualvm: POST 34|" ]; then
	t_fail debugcon-post "POST lines: $(tr -d '\r' <"$tmp/on.err" | grep POST | tr '\n' '|')"
else
	t_pass debugcon-on
	t_pass debugcon-post
fi

timeout -s KILL $((secs + 60)) "$DUALVM" run --engine interp --memory 32 \
	--timeout "$secs" --serial "$tmp/off.out" --bios "$bin" </dev/null 2>"$tmp/off.err"
rc=$?
if [ $rc != 0 ] || ! grep -aq '^no debugcon' "$tmp/off.out" ||
   ! grep -aq '^PASS debugcon' "$tmp/off.out"; then
	t_fail debugcon-off "rc=$rc: $(tr -d '\r' <"$tmp/off.out" | tr '\n' '|')"
elif grep -q POST "$tmp/off.err"; then
	t_fail debugcon-off "POST lines without --post-codes"
else
	t_pass debugcon-off
fi
exit 0
