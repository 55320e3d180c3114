# SPDX-License-Identifier: GPL-2.0-only
# debugcon.S --- the debug outputs: POST codes 0x12, 0x34 to port 0x80 (read
# back), "e9\n" to port 0xE9 and "402\n" to port 0x402 when it reads back
# 0xE9 (console enabled), then PASS on COM1.  With the console disabled the
# payload prints "no debugcon" before PASS.
	.include "boot.inc"
start:
	SETUP
	movb $0x12, %al
	outb %al, $0x80
	movb $0x34, %al
	outb %al, $0x80
	inb $0x80, %al
	cmpb $0x34, %al
	je 1f
	FAIL post_back
1:	movw $0x402, %dx
	inb %dx, %al
	cmpb $0xe9, %al
	je 2f
	PUTS no_con
	PASS
2:	movw $e9_text, %si
3:	movb %cs:(%si), %al
	testb %al, %al
	jz 4f
	outb %al, $0xe9
	incw %si
	jmp 3b
4:	movw $con_text, %si
	movw $0x402, %dx
5:	movb %cs:(%si), %al
	testb %al, %al
	jz 6f
	outb %al, %dx
	incw %si
	jmp 5b
6:	PASS
	COMMON_CODE
test_name:	.asciz "debugcon"
post_back:	.asciz "port 0x80 does not read back the last POST code"
no_con:		.asciz "no debugcon\r\n"
e9_text:	.asciz "e9\n"
con_text:	.asciz "402\n"
	RESET_VECTOR
