# SPDX-License-Identifier: GPL-2.0-only
# garbage.S --- a hostile guest: write 0xa5, 0xff and 0x00 bytes, then
# 0x5a5a5a5a dwords, to every I/O port and read each back, then reprogram
# COM1 and report.  Skipped: the ports that reset or power off the machine
# by design (0x64 i8042 commands, 0x92 fast reset, 0xcf8-0xcff PCI/0xcf9
# reset control, 0x501 exit).  dualvm must survive and keep its devices
# usable.
	.include "boot.inc"
start:
	SETUP
	xorw %dx, %dx
1:	call skip
	jc 2f
	movb $0xa5, %al
	outb %al, %dx
	inb %dx, %al
	movb $0xff, %al
	outb %al, %dx
	inw %dx, %ax
	movb $0x00, %al
	outb %al, %dx
	inl %dx, %eax
	testw $3, %dx
	jnz 2f
	movl $0x5a5a5a5a, %eax
	outl %eax, %dx
2:	incw %dx
	jnz 1b
	# COM1 back to 8N1, FIFO on, no loopback, no interrupts
	movb $0x03, %al
	movw $0x3fb, %dx
	outb %al, %dx
	movw $0x3fc, %dx
	outb %al, %dx
	movb $0x00, %al
	movw $0x3f9, %dx
	outb %al, %dx
	movb $0x07, %al
	movw $0x3fa, %dx
	outb %al, %dx
	PUTS crlf
	PASS

# skip: CF set when port %dx must not be touched
skip:
	cmpw $0x64, %dx
	je 9f
	cmpw $0x92, %dx
	je 9f
	cmpw $0x501, %dx
	je 9f
	cmpw $0x502, %dx
	je 9f
	cmpw $0x4fe, %dx		# dword accesses reaching 0x501
	je 9f
	cmpw $0x500, %dx
	je 9f
	cmpw $0x60, %dx			# dword at 0x60 reaches 0x63
	je 9f
	cmpw $0x90, %dx			# dword at 0x90 reaches 0x92/0x93
	je 9f
	cmpw $0xcf4, %dx
	jb 8f
	cmpw $0xcff, %dx
	jbe 9f
8:	clc
	ret
9:	stc
	ret

	COMMON_CODE
test_name:	.asciz "garbage"
	RESET_VECTOR
