#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# build.sh --- assemble the tests/boot/sys payloads: build.sh OUTDIR [NAME...]
# Each NAME.S becomes OUTDIR/NAME.bin, a 64 KiB BIOS image (sys.ld) for
# `dualvm run --bios` and `qemu-system-i386 -bios`.  Env SYS_ASFLAGS: extra
# assembler options (bench.S takes --defsym ITERS=N).
set -eu
out=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd "$here" && ls *.S | sed 's/\.S$//'))
for n in "${names[@]}"; do
	as --32 ${SYS_ASFLAGS:-} -I "$here" -o "$out/$n.o" "$here/$n.S"
	ld -m elf_i386 -T "$here/sys.ld" -o "$out/$n.bin" "$out/$n.o"
	rm -f "$out/$n.o"
	size=$(stat -c %s "$out/$n.bin")
	if [ "$size" != 65536 ]; then
		echo "build.sh: $n.bin is $size bytes, not 65536" >&2
		exit 1
	fi
done
