# SPDX-License-Identifier: GPL-2.0-only
# fpu.S --- the system side of x87 and SSE: FNINIT state, CR0.TS/MP/EM
# (#NM for x87 and WAIT, #UD for SSE with EM), CR4.OSFXSR (#UD), #MF with
# CR0.NE on the next waiting instruction, MXCSR flags, FXSAVE image fields
# and FXSAVE alignment (#GP).
	.include "sys.inc"
	.set FXBUF, 0x10000		# 16-byte aligned
	.set CR0_MP, 2
	.set CR0_EM, 4
	.set CR0_TS, 8
	.set CR0_NE, 0x20
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "fpu: start\n"
	movl %cr0, %eax
	andl $~(CR0_EM | CR0_TS), %eax
	orl $(CR0_MP | CR0_NE), %eax
	movl %eax, %cr0
	movl %cr4, %eax
	orl $0x600, %eax		# OSFXSR, OSXMMEXCPT
	movl %eax, %cr4
	fninit
	fnstsw %ax
	movzwl %ax, %eax
	SHOW "fsw", %eax
	fnstcw V_SCRATCH
	movzwl V_SCRATCH, %eax
	SHOW "fcw", %eax
	stmxcsr V_SCRATCH
	SHOW "mxcsr", V_SCRATCH
	# CR0.TS: x87 and WAIT fault with #NM (MP = 1)
	movl %cr0, %eax
	orl $CR0_TS, %eax
	movl %eax, %cr0
	EXPECT 1f
	fld1				# #NM
1:	EXPECT 1f
	fwait				# #NM (MP = 1)
1:	EXPECT 1f
	xorps %xmm0, %xmm0		# #NM
1:	movl %cr0, %eax
	andl $~CR0_MP, %eax
	movl %eax, %cr0
	fwait				# TS without MP: no fault
	PRINT "wait with ts, no mp\n"
	orl $CR0_MP, %eax
	movl %eax, %cr0
	clts
	fld1
	fstp %st(0)
	PRINT "clts: fld1 ok\n"
	# CR0.EM: x87 -> #NM, SSE -> #UD
	movl %cr0, %eax
	orl $CR0_EM, %eax
	movl %eax, %cr0
	EXPECT 1f
	fldz				# #NM
1:	EXPECT 1f
	xorps %xmm0, %xmm0		# #UD
1:	movl %cr0, %eax
	andl $~CR0_EM, %eax
	movl %eax, %cr0
	# CR4.OSFXSR = 0: SSE -> #UD
	movl %cr4, %eax
	andl $~0x200, %eax
	movl %eax, %cr4
	EXPECT 1f
	xorps %xmm0, %xmm0
1:	orl $0x200, %eax
	movl %eax, %cr4
	# #MF: 1/0 with the zero-divide exception unmasked
	movl $0x037b, V_SCRATCH
	fldcw V_SCRATCH
	movl $0, V_SCRATCH + 4
	fld1
	fdivs V_SCRATCH + 4		# ZE pending, no fault yet
	fnstsw %ax
	movzwl %ax, %eax
	SHOW "fsw pending", %eax
	EXPECT 1f
	fwait				# #MF
1:	fnclex
	fnstsw %ax
	movzwl %ax, %eax
	SHOW "fsw after fnclex", %eax
	fninit
	# SSE: divss by zero, masked: ZE flag only.  (The unmasked #XM and
	# the #UD without CR4.OSXMMEXCPT are left out: QEMU 7.2 raises
	# neither.)
	movl $0x3f800000, V_SCRATCH + 4	# 1.0
	movl $0, V_SCRATCH + 8
	movss V_SCRATCH + 4, %xmm1
	divss V_SCRATCH + 8, %xmm1
	stmxcsr V_SCRATCH
	SHOW "mxcsr after 1/0", V_SCRATCH
	movd %xmm1, %eax
	SHOW "1/0", %eax
	movl $0x1f80, V_SCRATCH
	ldmxcsr V_SCRATCH
	# FXSAVE
	fninit
	fld1
	fldpi
	fxsave FXBUF
	movzwl FXBUF, %eax
	SHOW "fx fcw", %eax
	movzwl FXBUF + 2, %eax
	SHOW "fx fsw", %eax
	movzbl FXBUF + 4, %eax
	SHOW "fx ftw", %eax
	SHOW "fx mxcsr", FXBUF + 24
	PRINT "~fx mxcsr_mask="
	movl FXBUF + 28, %eax
	call puthex32
	call putnl32
	SHOW "fx st0 lo", FXBUF + 32
	SHOW "fx st0 hi", FXBUF + 36
	movzwl FXBUF + 40, %eax
	SHOW "fx st0 exp", %eax
	EXPECT 1f
	fxsave FXBUF + 8		# misaligned: #GP(0)
1:	SHOW "exceptions", V_COUNT
	jmp sys_done

	SYS_COMMON
	SYS_RESET
