# SPDX-License-Identifier: GPL-2.0-only
# cmos.S --- MC146818 CMOS as the board fills it for 256 MiB: base memory
# 640 KiB (0x15/0x16), RAM above 16 MiB = 3840 x 64 KiB (0x34/0x35), valid
# RAM bit in register D, BCD seconds below 0x60.
	.include "boot.inc"
start:
	SETUP
	movb $0x15, %al
	call cmos16
	cmpw $640, %ax
	je 1f
	FAIL bad_base
1:	movb $0x34, %al
	call cmos16
	cmpw $3840, %ax
	je 2f
	call puthex
	FAIL bad_ext
2:	movb $0x0d, %al
	call cmos8
	testb $0x80, %al
	jnz 3f
	FAIL no_vrt
3:	movb $0x00, %al
	call cmos8
	cmpb $0x60, %al
	jb 4f
	FAIL bad_sec
4:	PASS

# cmos8: %al = CMOS[%al]
cmos8:
	outb %al, $0x70
	inb $0x71, %al
	ret
# cmos16: %ax = CMOS[%al] | CMOS[%al + 1] << 8
cmos16:
	pushw %bx
	movb %al, %bl
	incb %al
	call cmos8
	movb %al, %bh
	movb %bl, %al
	call cmos8
	movb %bh, %ah
	popw %bx
	ret

	COMMON_CODE
test_name:	.asciz "cmos"
bad_base:	.asciz "base memory is not 640 KiB"
bad_ext:	.asciz " = memory above 16 MiB, not 3840 x 64 KiB (run with --memory 256)"
no_vrt:		.asciz "register D VRT bit clear"
bad_sec:	.asciz "seconds register not BCD"
	RESET_VECTOR
