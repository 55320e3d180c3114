# SPDX-License-Identifier: GPL-2.0-only
# v86.S --- virtual-8086 mode (CR4.VME off): IRET into v8086, real-mode
# segment arithmetic, IOPL-sensitive instructions (CLI, STI, PUSHF, POPF,
# INT n, IRET) with IOPL 0 -> #GP(0) and with IOPL 3 allowed, INT n through
# a DPL-3 gate to ring 0 (the v8086 frame with ES/DS/FS/GS, data segments
# null in the handler), through a DPL-0 gate -> #GP, I/O without a bitmap,
# HLT, and a #DE raised in v8086.
	.include "sys.inc"
	.set V86_SS, 0x0000
	.set V86_SP, 0x9800
	.set RES, 0x600			# results stored by v8086 code

	# IRET to v8086 at f000:label with the given EFLAGS (VM is added)
	.macro TO_V86 label, eflags
	pushl $0			# GS
	pushl $0x40			# FS
	pushl $0x50			# DS
	pushl $0x60			# ES
	pushl $V86_SS
	pushl $V86_SP
	pushl $(\eflags | 0x20000)
	pushl $0xf000
	pushl $\label
	iret
	.endm
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "v86: start\n"
	SETGATE 0x40, h40v, 0xee		# interrupt gate, DPL 3
	SETGATE 0x41, h40v, 0x8e		# DPL 0
	movl $RES, %edi
	xorl %eax, %eax
	movl $16, %ecx
	rep stosl

	# IOPL 0: segment arithmetic, then CLI faults
	EXPECT 1f
	TO_V86 v_seg, 0x0002
1:	SHOW "res0", RES
	SHOW "res4", RES+4
	SHOW "es:10", 0x10010
	SHOW "ds:0 via 0x500", 0x500 + 0x20
	EXPECT 1f
	TO_V86 v_pushf, 0x0002
1:	EXPECT 1f
	TO_V86 v_popf, 0x0002
1:	EXPECT 1f
	TO_V86 v_int, 0x0002
1:	EXPECT 1f
	TO_V86 v_iret, 0x0002
1:	EXPECT 1f
	TO_V86 v_sti, 0x0002
1:	# IOPL 3: all of them allowed; INT 0x40 reaches ring 0
	EXPECT 1f
	TO_V86 v_iopl3, 0x3002
1:	SHOW "flags seen", RES+8
	SHOW "bx after int", RES+12
	SHOW "iopl3 done", RES+16
	EXPECT 1f
	TO_V86 v_io, 0x3002		# I/O: no bitmap -> #GP(0)
1:	EXPECT 1f
	TO_V86 v_div, 0x3002
1:	SHOW "exceptions", V_COUNT
	jmp sys_done

# INT 0x40 from v8086: print the frame and the data segments seen
h40v:
	pushl %ds
	pushl %es
	pushl %eax
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	PRINT "int40 v86 frame:"
	xorl %ecx, %ecx
1:	movl 12(%esp, %ecx, 4), %eax
	call putsp32
	call puthex32
	incl %ecx
	cmpl $9, %ecx
	jb 1b
	call putnl32
	PRINT "int40 ds es fs gs:"
	movl 8(%esp), %eax
	call putsp32
	call puthex16
	movl 4(%esp), %eax
	call putsp32
	call puthex16
	movl %fs, %eax
	call putsp32
	call puthex16
	movl %gs, %eax
	call putsp32
	call puthex16
	call putnl32
	incl %ebx
	popl %eax
	popl %es
	popl %ds
	iret

	.code16
v_seg:
	movw $0x1000, %ax
	movw %ax, %es
	movw $0xbeef, %es:0x10		# linear 0x10010
	movw %ds, %ax			# DS = 0x50 from the IRET frame
	movw $0x1234, 0x20		# linear 0x520
	xorw %ax, %ax
	movw %ax, %ds
	movw %ss, RES
	movw %sp, RES+4
	cli
v_pushf:
	pushf
v_popf:
	popf
v_int:
	int $0x40
v_iret:
	iret
v_sti:
	sti
v_iopl3:
	xorw %ax, %ax
	movw %ax, %ds
	cli
	pushf
	popw %ax
	movw %ax, RES+8
	sti
	pushf
	popf
	cli
	movw $0x1233, %bx
	int $0x40
	movw %bx, RES+12
	movw $1, RES+16
	int $0x41			# DPL 0 gate: #GP(0x20a)
v_io:
	movw $0x3f8, %dx
	movb $'!', %al
	outb %al, %dx
v_div:
	xorb %cl, %cl
	movw $0x1234, %ax
	divb %cl
	.code32

	SYS_COMMON
	SYS_RESET
