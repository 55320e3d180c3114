# SPDX-License-Identifier: GPL-2.0-only
# lm_cx16.S --- CMPXCHG16B (SDM vol. 2): equal -> RCX:RBX stored, ZF = 1;
# different -> RDX:RAX loaded, ZF = 0 (and the memory written back);
# a misaligned operand -> #GP(0) with nothing changed; LOCK CMPXCHG16B;
# CMPXCHG8B in 64-bit mode; a few other 64-bit-only forms: RIP-relative
# loads and stores, MOV r64, imm64, moffs64, MOVSXD, CQO/IDIV r64 and
# #DE for a 128/64 quotient overflow, XCHG R8, RAX.
	.include "sys.inc"
	.include "lm.inc"
	.set M, 0x100000		# 16-byte aligned
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "lm_cx16: start\n"
	LM_ENTER long
	.code64
long:
	movq $0x1111111111111111, %rax
	movq %rax, M
	movq $0x2222222222222222, %rax
	movq %rax, M + 8
	# equal
	movq $0x1111111111111111, %rax
	movq $0x2222222222222222, %rdx
	movq $0x3333333333333333, %rbx
	movq $0x4444444444444444, %rcx
	lock cmpxchg16b M
	setz %al
	movzbl %al, %eax
	SHOWQ "zf", %rax
	SHOWQ "m lo", M
	SHOWQ "m hi", M + 8
	# different
	movq $0x5555, %rax
	movq $0x6666, %rdx
	cmpxchg16b M
	setz %r8b
	movzbl %r8b, %r8d
	SHOWQ "zf", %r8
	SHOWQ "rax", %rax
	SHOWQ "rdx", %rdx
	# misaligned: #GP(0), registers and memory unchanged
	EXPECT64 1f
	cmpxchg16b M + 8
1:	SHOWQ "rax", %rax
	SHOWQ "m hi", M + 8
	# CMPXCHG8B
	movl $0x3333, %eax
	movl $0x3333, %edx
	cmpxchg8b M + 16
	SHOWQ "rax 8b", %rax
	SHOWQ "rdx 8b", %rdx
	# RIP-relative, imm64, moffs64
	movq konst(%rip), %rcx		# RIP-relative (the ROM copy)
	SHOWQ "rip-rel", %rcx
	leaq konst(%rip), %rcx
	SHOWQ "lea rip", %rcx
	movabsq M + 0x40, %rax		# moffs64 store: A3
	movabsq $0x99aabbccddeeff00, %rax
	movabsq %rax, M + 0x40
	movabsq M + 0x40, %rax
	SHOWQ "moffs64", %rax
	movl $0x80000001, %eax
	movslq %eax, %rdx		# MOVSXD
	SHOWQ "movsxd", %rdx
	movq $-7, %rax
	cqto
	movq $2, %rcx
	idivq %rcx
	SHOWQ "idiv q", %rax
	SHOWQ "idiv r", %rdx
	movq $1, %rdx			# 2^64 + 0 / 1: #DE
	xorl %eax, %eax
	movq $1, %rcx
	EXPECT64 1f
	divq %rcx
1:	movq $5, %r8
	movq $9, %rax
	xchgq %r8, %rax
	SHOWQ "xchg r8", %r8
	movl V_COUNT, %eax
	SHOWQ "exceptions", %rax
	jmp sys_done64

	.balign 8
konst:	.quad 0x8877665544332211

	SYS_COMMON
	LM_COMMON
	SYS_RESET
