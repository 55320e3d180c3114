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
for n in "${names[@]}"; do
	as --32 -I "$here" -o "$out/$n.o" "$here/$n.S"
	ld -m elf_i386 -e 0 -Ttext=0 --oformat=binary -o "$out/$n.bin" "$out/$n.o"
	rm -f "$out/$n.o"
done
