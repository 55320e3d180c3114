#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-interp.sh --- guest MIPS of the interpreter on a CPU-bound payload
#
# A 64 KiB BIOS payload (assembled here) switches to 32-bit protected mode
# with 4 KiB paging on and runs an integer + memory loop of ITER iterations
# x 10 instructions, then powers off through port 0x501.  The same payload
# runs under `dualvm run --engine interp` and `qemu-system-i386 -accel tcg`;
# prints CPU times (user+sys: the build machine is shared), the interpreter's
# guest MIPS per CPU second and the interp/QEMU ratio.
# Env: BUILD SRC DUALVM; ITER (default 20000000).
set -u
BUILD=${BUILD:?} SRC=${SRC:-.}
DUALVM=${DUALVM:-$BUILD/bin/dualvm}
ITER=${ITER:-20000000}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

command -v as >/dev/null || { echo "SKIP bench-interp: GNU as missing"; exit 0; }
[ -x "$DUALVM" ] || { echo "SKIP bench-interp: $DUALVM not built"; exit 0; }

cat >"$tmp/mips.S" <<ASM
	.code16
	.set BASE, 0xf0000
start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw \$0x7000, %sp
	lgdtl %cs:gdtr
	movl %cr0, %eax
	orb \$1, %al
	movl %eax, %cr0
	ljmpl \$0x08, \$(BASE + pm32)
	.code32
pm32:
	movw \$0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl \$0x90000, %esp
	# page directory at 0x10000, one page table at 0x11000: identity 4 MiB
	movl \$0x10000, %edi
	xorl %eax, %eax
	movl \$2048, %ecx
	rep stosl
	movl \$0x11003, 0x10000
	movl \$0x11000, %edi
	movl \$0x003, %eax
1:	stosl
	addl \$0x1000, %eax
	cmpl \$0x12000, %edi
	jne 1b
	movl \$0x10000, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl \$0x80000000, %eax
	movl %eax, %cr0
	jmp 2f
2:	movl \$$ITER, %ecx
	movl \$0x200000, %esi
	xorl %edx, %edx
	xorl %ebx, %ebx
3:	movl (%esi,%edx,4), %eax
	addl %ecx, %eax
	xorl \$0x5a5a, %eax
	movl %eax, (%esi,%edx,4)
	incl %edx
	andl \$0xfff, %edx
	shll \$1, %eax
	adcl %eax, %ebx
	decl %ecx
	jnz 3b
	movw \$0x3f8, %dx
	movb \$'D', %al
	outb %al, %dx
	movb \$'\n', %al
	outb %al, %dx
	movw \$0x501, %dx
	movb \$0, %al
	outb %al, %dx
	hlt
	.p2align 3
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff
	.quad 0x00cf93000000ffff
gdtr:
	.word 23
	.long BASE + gdt
	.org 0xfff0
	.code16
	ljmp \$0xf000, \$start
	.org 0x10000
ASM
as --32 -o "$tmp/mips.o" "$tmp/mips.S" &&
	ld -m elf_i386 -e 0 -Ttext=0 --oformat=binary -o "$tmp/mips.bin" "$tmp/mips.o" ||
	{ echo "FAIL bench-interp: payload does not assemble"; exit 1; }

insns=$(( ITER * 10 ))
# run_timed OUTFILE CMD...: CPU seconds (user+sys, all threads) in $cpu,
# wall seconds in $wall; the machine is shared, so CPU time is the measure
run_timed() {
	local o=$1; shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$o" -f '%U %S %e' "$@"
		rc=$?
		read -r u s wall < <(tail -n 1 "$o")
		cpu=$(echo "$u + $s" | bc -l)
	else
		local t0=$(date +%s.%N)
		"$@"; rc=$?
		wall=$(echo "$(date +%s.%N) - $t0" | bc -l)
		cpu=$wall
	fi
	# a run too short to measure counts as 10 ms
	[ "$(echo "$cpu < 0.01" | bc -l)" = 1 ] && cpu=0.01
}
run_timed "$tmp/t.interp" timeout 600 "$DUALVM" run --engine interp --memory 64 \
	--timeout 590 --serial "$tmp/interp.out" --bios "$tmp/mips.bin" \
	</dev/null 2>"$tmp/interp.err"
if [ $rc != 0 ] || ! grep -q D "$tmp/interp.out"; then
	echo "FAIL bench-interp: interpreter run failed (rc=$rc): $(tail -1 "$tmp/interp.err")"
	exit 1
fi
ti=$cpu
printf 'bench-interp: %d guest instructions under interp: %.2f s CPU (%.2f s wall): %.1f guest MIPS per CPU second\n' \
	"$insns" "$ti" "$wall" "$(echo "$insns / $ti / 1000000" | bc -l)"
if command -v qemu-system-i386 >/dev/null; then
	run_timed "$tmp/t.qemu" timeout 600 qemu-system-i386 -accel tcg -m 64 \
		-bios "$tmp/mips.bin" -display none -serial "file:$tmp/qemu.out" \
		-monitor none -device isa-debug-exit,iobase=0x501,iosize=1 \
		</dev/null >/dev/null 2>&1
	printf 'bench-interp: same payload under QEMU TCG: %.2f s CPU (%.2f s wall); interp/QEMU CPU-time ratio %.2f\n' \
		"$cpu" "$wall" "$(echo "$ti / $cpu" | bc -l)"
else
	echo "bench-interp: qemu-system-i386 not installed: no ratio"
fi
echo "PASS bench-interp"
