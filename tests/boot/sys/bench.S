# SPDX-License-Identifier: GPL-2.0-only
# bench.S --- CPU-bound payload for tests/bench/bench-interp-mips.sh: with
# 2-level paging on, ITERS rounds of an integer + memory loop (loads and
# stores striding over 4 pages, ALU, rotate, multiply) of a known length:
# INSNS_PER_ITER instructions per round.  Prints the round count, the
# instruction count per round and a checksum (the same on every correct
# CPU), then SYSPROBE-DONE.  Build with `as --defsym ITERS=N`
# (SYS_ASFLAGS of build.sh); the default is small.
	.include "sys.inc"
	.ifndef ITERS
	.set ITERS, 1000
	.endif
	.set INNER, 256
	.set INSNS_PER_ITER, 9 * INNER + 4	# inner body 9, outer 4
	.set PD, 0x20000
	.set PT, 0x21000
start:
	SYS_ENTER_PM main
	.code32
main:
	movl $PD, %edi
	xorl %eax, %eax
	movl $1024, %ecx
	rep stosl
	movl $PT, %edi
	movl $3, %eax
	movl $1024, %ecx
1:	stosl
	addl $0x1000, %eax
	loop 1b
	movl $(PT | 3), PD
	movl $PD, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	jmp 1f
1:	movl $0x100000, %edi		# 16 KiB of data
	movl $0x9e3779b9, %eax
	movl $4096, %ecx
2:	stosl
	roll $5, %eax
	addl $0x7f4a7c15, %eax
	loop 2b
	xorl %ebx, %ebx
	movl $ITERS, %ebp
outer:
	movl $0x100000, %esi
	movl $INNER, %ecx
inner:
	movl (%esi), %eax
	addl %eax, %ebx
	xorl %ecx, %eax
	roll $3, %eax
	imull $0x01000193, %eax, %eax
	movl %eax, 4(%esi)
	addl $64, %esi
	decl %ecx
	jnz inner
	decl %ebp
	jnz outer
	SHOW "bench iterations", $ITERS
	SHOW "bench insns per iteration", $INSNS_PER_ITER
	SHOW "bench checksum", %ebx
	jmp sys_done

	SYS_COMMON
	SYS_RESET
