# SPDX-License-Identifier: GPL-2.0-only
# resetloop.S --- a guest that resets through 0xcf9 at once on every boot:
# dualvm must stop with a one-line "reset loop" error, not spin forever.
	.include "boot.inc"
start:
	SETUP
	movb $0x06, %al
	movw $0xcf9, %dx
	outb %al, %dx
1:	cli
	hlt
	jmp 1b
	COMMON_CODE
test_name:	.asciz "resetloop"
	RESET_VECTOR
