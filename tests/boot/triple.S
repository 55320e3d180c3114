# SPDX-License-Identifier: GPL-2.0-only
# triple.S --- a triple fault resets the machine: the first boot raises INT3
# with an empty interrupt table (limit 0: #GP, #DF, shutdown), the second
# boot (CMOS byte 0x41 kept across the reset) reports.
	.include "boot.inc"
	.set MARK, 0x41
start:
	SETUP
	movb $MARK, %al
	outb %al, $0x70
	inb $0x71, %al
	cmpb $0x5a, %al
	je again
	movb $MARK, %al
	outb %al, $0x70
	movb $0x5a, %al
	outb %al, $0x71
	PUTS going
	lidtl %cs:empty_idt
	int3
	FAIL survived
again:
	PUTS back
	PASS
empty_idt:
	.word 0
	.long 0
	COMMON_CODE
test_name:	.asciz "triple"
going:		.asciz "triple: faulting\r\n"
back:		.asciz "triple: back after the reset\r\n"
survived:	.asciz "INT3 with an empty IDT returned"
	RESET_VECTOR
