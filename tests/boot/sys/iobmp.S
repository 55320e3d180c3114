# SPDX-License-Identifier: GPL-2.0-only
# iobmp.S --- the I/O permission bitmap in the TSS: ring 3 with IOPL 0 may
# use exactly the ports whose bits are clear (byte, word, dword and string
# I/O; a word access straddling an allowed and a denied port faults), IOPL 3
# bypasses the bitmap, v8086 mode always consults it, and ports beyond the
# TSS limit are denied.
	.include "sys.inc"
	.set BMP, TSS + 0x68
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "iobmp: start\n"
	movl $BMP, %edi			# deny everything ...
	movl $0xffffffff, %eax
	movl $(0x2000 / 4), %ecx
	rep stosl
	movb $0xff, BMP + 0x2000
	movb $0, BMP + 0x3f8 / 8	# ... but COM1 0x3f8-0x3ff
	movw $0x68, TSS + 0x66
	EXPECT back
	TO_RING3 user, 0x0002		# IOPL 0

user:
	pushl %ds			# ES was nulled by the IRET (INSB uses it)
	popl %es
	PRINT "ring3 iopl0 prints through the bitmap\n"
	movw $0x3ff, %dx		# scratch register: write, read back
	movb $0x5a, %al
	outb %al, %dx
	inb %dx, %al
	movzbl %al, %eax
	SHOW "scr", %eax
	movw $0x3fc, %dx		# MCR, LSR, MSR, SCR: one dword read
	inl %dx, %eax
	shrl $24, %eax
	SHOW "scr via inl", %eax
	movl $V_SCRATCH, %edi		# INSB from the scratch register
	movw $0x3ff, %dx
	movl $2, %ecx
	rep insb
	movzwl V_SCRATCH, %eax
	SHOW "insb", %eax
	movl $V_SCRATCH, %esi		# OUTSB to it
	movb $0x3c, (%esi)
	outsb
	inb %dx, %al
	movzbl %al, %eax
	SHOW "outsb", %eax
	ud2				# back to ring 0
back:
	EXPECT 1f			# denied: PIC mask register
	TO_RING3 d_pic, 0x0002
d_pic:	inb $0x21, %al
1:	EXPECT 1f			# 0x3ff allowed, 0x400 denied
	TO_RING3 d_w1, 0x0002
d_w1:	movw $0x3ff, %dx
	inw %dx, %ax
1:	EXPECT 1f			# 0x3f7 denied, 0x3f8 allowed
	TO_RING3 d_w2, 0x0002
d_w2:	movw $0x3f7, %dx
	inw %dx, %ax
1:	EXPECT 1f			# OUTSB to a denied port
	TO_RING3 d_outs, 0x0002
d_outs:	movw $0x2f8, %dx
	movl $V_SCRATCH, %esi
	outsb
1:	EXPECT 1f			# 0xffff: its byte is past the limit
	TO_RING3 d_ffff, 0x0002
d_ffff:	movw $0xffff, %dx
	inb %dx, %al
1:
	EXPECT 1f
	TO_RING3 user3, 0x3002		# IOPL 3: no bitmap check
user3:	inb $0x21, %al
	movzbl %al, %eax
	SHOW "iopl3 pic imr", %eax
	ud2
1:	# v8086 mode with IOPL 3: the bitmap still decides
	EXPECT 1f
	pushl $0
	pushl $0
	pushl $0
	pushl $0
	pushl $0
	pushl $0x9800
	pushl $0x23002
	pushl $0xf000
	pushl $v86
	iret
1:	SHOW "v86 scr", V_SCRATCH + 4
	SHOW "exceptions", V_COUNT
	jmp sys_done

	.code16
v86:	movw $0x3ff, %dx
	movb $0xa5, %al
	outb %al, %dx
	inb %dx, %al
	movb %al, V_SCRATCH + 4
	inb $0x21, %al			# denied: #GP(0)
	.code32

	SYS_COMMON
	SYS_RESET
