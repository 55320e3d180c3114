# SPDX-License-Identifier: GPL-2.0-only
# bench_mix.S --- CPU-bound mixed payload for tests/bench/bench-bt.sh: with
# 2-level paging on and SSE enabled (CR4.OSFXSR), ITERS rounds of a loop
# that mixes integer ALU, loads and stores, string instructions (LODSL and
# STOSL in the inner loop, a REP MOVSL of 16 dwords and a REP STOSL of 8
# dwords per round) and SSE2 integer operations (MOVD, PADDD, PXOR with a
# memory operand, PSHUFD, MOVDQA to memory).  Every part feeds the
# checksum: the inner loop's stores and the REP MOVSL/STOSL rewrite data
# the next round loads, XMM0 is folded into EBX and stored where the inner
# loop reads.
#
# INSNS_PER_ITER is the static instruction count of one round where a REP
# instruction counts as ONE instruction whatever its iteration count (QEMU
# and dualvm count the iterations of REP differently; the benchmark
# computes MIPS from this static count, not from either's counter).
# Prints the round count, the instruction count per round and a checksum
# (the same on every correct CPU), then SYSPROBE-DONE.  Build with
# `as --defsym ITERS=N` (SYS_ASFLAGS of build.sh); the default is small.
	.include "sys.inc"
	.ifndef ITERS
	.set ITERS, 1000
	.endif
	.set INNER, 256
	.set INSNS_PER_ITER, 14 * INNER + 16	# inner body 14, outer 16
	.set PD, 0x20000
	.set PT, 0x21000
	.set DATA, 0x100000		# 16 KiB, read with a 64-byte stride
	.set OUT, 0x108000		# 1 KiB written by the inner STOSL
start:
	SYS_ENTER_PM main
	.code32
main:
	movl $PD, %edi			# identity-map the first 4 MiB
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
	andl $~0xc, %eax		# EM, TS off
	orl $0x80000002, %eax		# PG, MP
	movl %eax, %cr0
	movl %cr4, %eax
	orl $0x200, %eax		# OSFXSR
	movl %eax, %cr4
	jmp 1f
1:	movl $DATA, %edi
	movl $0x9e3779b9, %eax
	movl $4096, %ecx
2:	stosl
	roll $5, %eax
	addl $0x7f4a7c15, %eax
	loop 2b
	movdqa DATA + 16, %xmm0
	movdqa DATA + 32, %xmm1
	xorl %ebx, %ebx
	movl $ITERS, %ebp
outer:
	movl $DATA, %esi
	movl $OUT, %edi
	movl $INNER, %ecx
inner:
	lodsl				# EAX = [ESI], ESI += 4
	addl %eax, %ebx
	xorl %ecx, %eax
	roll $3, %eax
	imull $0x01000193, %eax, %eax
	movl %eax, (%esi)
	movd %eax, %xmm2
	paddd %xmm2, %xmm0
	pxor -4(%esi), %xmm1		# 16-byte aligned
	paddd %xmm1, %xmm0
	stosl				# [EDI] = EAX, EDI += 4
	addl $60, %esi
	decl %ecx
	jnz inner
	movl $OUT, %esi			# 64 bytes of this round's output ...
	movl $(DATA + 0x20), %edi	# ... over the dwords at 0x40 and 0x44
	movl $16, %ecx
	rep movsl
	movl %ebx, %eax			# 0x60..0x7f
	movl $8, %ecx
	rep stosl
	movd %xmm0, %eax
	addl %eax, %ebx
	pshufd $0x39, %xmm0, %xmm0
	movdqa %xmm0, DATA + 0x80	# read at 0x80 next round
	decl %ebp
	jnz outer
	SHOW "bench_mix iterations", $ITERS
	SHOW "bench_mix insns per iteration", $INSNS_PER_ITER
	SHOW "bench_mix checksum", %ebx
	jmp sys_done

	SYS_COMMON
	SYS_RESET
