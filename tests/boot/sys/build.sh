#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh --- assemble the tests/boot/sys payloads: build.sh OUTDIR [NAME...]
# Each NAME.S becomes OUTDIR/NAME.bin, a 64 KiB BIOS image (sys.ld) for
# `dualvm run --bios` and `qemu-system-i386 -bios` (lm_*: 64-bit code too,
# assembled as an x86-64 object, for `qemu-system-x86_64`).  Env
# SYS_ASFLAGS: extra assembler options (bench.S takes --defsym ITERS=N).
set -eu
out=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd "$here" && ls *.S | sed 's/\.S$//'))
for n in "${names[@]}"; do
	case $n in
	lm_*) bits=64 emu=elf_x86_64 ;;
	*) bits=32 emu=elf_i386 ;;
	esac
	as --$bits ${SYS_ASFLAGS:-} -I "$here" -o "$out/$n.o" "$here/$n.S"
	ld -m $emu -T "$here/sys.ld" -o "$out/$n.bin" "$out/$n.o"
	rm -f "$out/$n.o"
	size=$(stat -c %s "$out/$n.bin")
	if [ "$size" != 65536 ]; then
		echo "build.sh: $n.bin is $size bytes, not 65536" >&2
		exit 1
	fi
done
