# SPDX-License-Identifier: GPL-2.0-only
# lm_compat.S --- compatibility mode and far transfers in IA-32e mode (SDM
# vol. 3, 5.8.3.1, 5.8.5.1, 9.8.5.4): far CALL from 64-bit code to a
# 32-bit code segment and RETF back (REX.W RETF), far JMP/CALL through
# m16:32 and m16:64 pointers, 16- and 32-bit operations and the 32-bit
# stack of compatibility mode, IRETQ to compatibility mode at the same
# level, a 64-bit call gate from ring 3 (stack switch from RSP0, SS:RSP,
# CS:RIP pushed as 8-byte values) and REX.W RETF back to ring 3, a 16-byte
# LDT descriptor (LLDT) and a data segment from the LDT in compatibility
# mode, LAR/LSL on 16-byte system descriptors.
	.include "sys.inc"
	.include "lm.inc"
	.set LDT_BASE, 0x12000
	.set V_PTR, 0x570		# far pointers m16:32 / m16:64
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "lm_compat: start\n"
	LM_ENTER long
	.code64
long:
	SETGATE64 0x81, h_back, 0xee
	# far CALL to compatibility mode (m16:32), RETF (32-bit) back
	movl $(BASE + c1), V_PTR
	movw $0x08, V_PTR + 4
	lcall *V_PTR
	PRINT64 "back in 64-bit mode\n"
	movq %rax, %rdx
	SHOWQ "rax", %rdx
	# m16:64 far JMP (REX.W)
	movq $(BASE + 1f), V_PTR
	movw $K64_CS, V_PTR + 8
	rex.w ljmp *V_PTR
1:	PRINT64 "after jmp m16:64\n"
	# IRETQ to compatibility mode at CPL 0
	movq %rsp, %rbx
	pushq $K64_DS
	pushq $0x6f00
	pushq $0x2
	pushq $0x08
	pushq $(BASE + c2)
	iretq
	.code32
c1:	PRINT "compat: call\n"
	movl $0x12345678, %eax
	movw $0xabcd, %ax		# 16-bit operation
	pushw %ax
	popw %cx
	movzwl %cx, %ecx
	SHOW "cx", %ecx
	movl %esp, %edx
	SHOW "esp", %edx
	lret				# 32-bit RETF to 64-bit CS
c2:	PRINT "compat: iretq\n"
	movl %esp, %eax
	SHOW "esp", %eax
	ljmp $K64_CS, $(BASE + back64)
	.code64
back64:
	movq %rbx, %rsp
	PRINT64 "64-bit again\n"
	# 16-byte LDT descriptor, a data segment in the LDT
	movl $0x0000ffff, LDT_BASE + 8		# LDT entry 1: data DPL 0,

	movl $0x00cf9310, LDT_BASE + 12		# base 0x100000
	movl $((LDT_BASE & 0xffff) << 16 | 0x0f), GDT + 0x80
	movl $(((LDT_BASE >> 16) & 0xff) | 0x8200), GDT + 0x84
	movl $0, GDT + 0x88
	movl $0, GDT + 0x8c
	movw $0x80, %ax
	lldt %ax
	sldt %ax
	SHOWQ "ldtr", %rax
	movl $0xcafe, 0x100040
	movl $(BASE + c3), V_PTR
	movw $0x08, V_PTR + 4
	lcall *V_PTR
	PRINT64 "back from the ldt test\n"
	# LAR / LSL on 16-byte system descriptors
	movl $0x68, %ecx
	larl %ecx, %eax
	SHOWQ "lar tss", %rax
	lsll %ecx, %eax
	SHOWQ "lsl tss", %rax
	movl $0x80, %ecx
	larl %ecx, %eax
	SHOWQ "lar ldt", %rax
	# 64-bit call gate: ring 3 -> ring 0
	movl $(BASE + gate_target), %eax	# gate at 0x90, DPL 3
	movw %ax, GDT + 0x90
	movw $K64_CS, GDT + 0x92
	movw $0xec00, GDT + 0x94
	shrl $16, %eax
	movw %ax, GDT + 0x96
	movl $0, GDT + 0x98
	movl $0, GDT + 0x9c
	movl $0x93, %ecx
	larl %ecx, %eax
	SHOWQ "lar gate", %rax
	TO_RING3_64 r3
r3:	PRINT64 "ring 3\n"
	movq $0x777, %rax
	movq $(BASE + 0), V_PTR		# the offset of a gate call is ignored
	movw $0x93, V_PTR + 8
	rex.w lcall *V_PTR
	PRINT64 "ring 3 after lretq\n"
	movw %cs, %ax
	SHOWQ "cs", %rax
	movq %rsp, %rax
	SHOWQ "rsp", %rax
	int $0x81			# back to ring 0
1:	movl V_COUNT, %eax
	SHOWQ "exceptions", %rax
	jmp sys_done64

# back to 64-bit ring 0 at 1b above
h_back:
	movw $K64_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movq $STACK0, %rsp
	jmp 1b

gate_target:
	PRINT64 "gate: rsp="
	movq %rsp, %rax
	call puthex64
	PRINT64 " ret cs:rip="
	movq 8(%rsp), %rax
	call puthex16_64
	movb $':', %al
	call putc64
	movq (%rsp), %rax
	call puthex64
	PRINT64 " ss:rsp="
	movq 24(%rsp), %rax
	call puthex16_64
	movb $':', %al
	call putc64
	movq 16(%rsp), %rax
	call puthex64
	movw %ss, %ax
	PRINT64 " ss="
	call puthex16_64
	call putnl64
	lretq

	.code32
c3:	movw $0x0c, %ax			# LDT selector 0x0c (index 1, TI)
	movw %ax, %fs
	movl %fs:0x40, %eax
	SHOW "ldt data", %eax
	movw $K64_DS, %ax
	movw %ax, %fs
	lret
	.code64

	SYS_COMMON
	LM_COMMON
	SYS_RESET
