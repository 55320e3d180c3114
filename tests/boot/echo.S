# SPDX-License-Identifier: GPL-2.0-only
# echo.S --- host input reaches COM1: wait for the bytes "ping" on the
# receiver (polling LSR.DR), echo them, report.
	.include "boot.inc"
start:
	SETUP
	PUTS ready
	movw $expect, %si
1:	movb %cs:(%si), %bl
	testb %bl, %bl
	jz 3f
	movw $0x3fd, %dx
2:	inb %dx, %al			# LSR: data ready?
	testb $0x01, %al
	jz 2b
	movw $0x3f8, %dx
	inb %dx, %al
	outb %al, %dx			# echo
	cmpb %bl, %al
	jne 4f
	incw %si
	jmp 1b
3:	PUTS crlf
	PASS
4:	PUTS crlf
	FAIL wrong
	COMMON_CODE
test_name:	.asciz "echo"
ready:		.asciz "echo: type ping\r\n"
expect:		.asciz "ping"
wrong:		.asciz "received a different byte"
	RESET_VECTOR
