#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh --- assemble the tests/boot payloads: build.sh OUTDIR [NAME...]
# Each NAME.S becomes OUTDIR/NAME.bin, a 64 KiB image for `dualvm run --bios`.
set -eu
out=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd "$here" && ls *.S | sed 's/\.S$//'))
# Private temporaries, then an atomic rename: several test scripts may
# build the payloads at the same time.
for n in "${names[@]}"; do
	t=$out/.$n.$$
	as --32 -I "$here" -o "$t.o" "$here/$n.S"
	ld -m elf_i386 -e 0 -Ttext=0 --oformat=binary -o "$t.bin" "$t.o"
	rm -f "$t.o"
	mv -f "$t.bin" "$out/$n.bin"
done
