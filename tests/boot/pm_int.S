# SPDX-License-Identifier: GPL-2.0-only
# pm_int.S --- real mode -> 32-bit protected mode, then INT/IRET through an
# interrupt gate.  Software KVM layers (kvm_pvm) cannot emulate this and stop
# with KVM_EXIT_INTERNAL_ERROR: dualvm must report that as a one-line error
# naming the instruction, not hang.  On real KVM and the interpreter it
# prints PASS.
	.include "boot.inc"
	.set BASE, 0xf0000
start:
	SETUP
	ENTER_PM32
	lidtl (BASE + idtr)
	xorl %ebx, %ebx
	int $0x40
	cmpl $1, %ebx
	jne 2f
	movl $(BASE + pass32), %esi
1:	lodsb
	testb %al, %al
	jz 3f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 1b
2:	movb $1, %al
	jmp 4f
3:	movb $0, %al
4:	movw $0x501, %dx
	outb %al, %dx
	hlt
h32:
	incl %ebx
	iret
	.code16

	FLAT_GDT
gate:
	.word h32			# low offset (BASE has zero low bits)
	.word 0x08
	.byte 0, 0x8e			# present, DPL 0, 32-bit interrupt gate
	.word BASE >> 16
idtr:					# the gate is vector 0x40
	.word 0x40 * 8 + 7
	.long BASE + gate - 0x40 * 8
pass32:	.asciz "PASS pm_int\r\n"

	COMMON_CODE
test_name:	.asciz "pm_int"
	RESET_VECTOR
