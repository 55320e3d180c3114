# SPDX-License-Identifier: GPL-2.0-only
# reset.S --- the reset paths: the first boot resets through the PIIX3 reset
# control register (0xcf9), the second through the i8042 (command 0xfe pulses
# the CPU reset line); CMOS byte 0x40 (kept across resets) counts the boots,
# the third boot reports.
	.include "boot.inc"
	.set MARK, 0x40
start:
	SETUP
	movb $MARK, %al
	outb %al, $0x70
	inb $0x71, %al
	cmpb $0x5a, %al
	je second
	cmpb $0x5b, %al
	je third
	movb $0x5a, %al
	call setmark
	PUTS going1
	movb $0x06, %al			# hard reset through 0xcf9
	movw $0xcf9, %dx
	outb %al, %dx
	jmp hang
second:
	movb $0x5b, %al
	call setmark
	PUTS going2
	movb $0xfe, %al			# i8042: pulse reset
	outb %al, $0x64
	jmp hang
third:
	PUTS back
	PASS
hang:
	cli
	hlt
	jmp hang
setmark:
	pushw %ax
	movb $MARK, %al
	outb %al, $0x70
	popw %ax
	outb %al, $0x71
	ret
	COMMON_CODE
test_name:	.asciz "reset"
going1:		.asciz "reset: resetting through 0xcf9\r\n"
going2:		.asciz "reset: resetting through the i8042\r\n"
back:		.asciz "reset: back after two resets\r\n"
	RESET_VECTOR
