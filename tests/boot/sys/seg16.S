# SPDX-License-Identifier: GPL-2.0-only
# seg16.S --- real mode and 16-bit protected mode: INT n, #DE and #UD
# through the IVT (frame, FLAGS), the IVT moved by LIDT, the A20 gate
# (port 0x92 + i8042 output port), 16-bit protected mode with far jumps
# between 16- and 32-bit code segments, an
# LDT (LLDT/SLDT, data and code through LDT selectors, far call and RETF),
# and back to real mode keeping a cached segment base until the segment
# register is reloaded.
	.include "sys.inc"
	.set R_IP, 0x600		# real-mode resume IP for the #DE handler
	.set R_SP, 0x602
	.set LDT, 0x8000

	.macro PRINT16 str:vararg
	.pushsection .rodata
.Lstr\@:	.asciz \str
	.popsection
	pushw %si
	movw $.Lstr\@, %si
	call puts16
	popw %si
	.endm

	.macro SHOW16 label, val
	.pushsection .rodata
.Lstr\@:	.asciz "\label="
	.popsection
	pushw %ax
	pushw %si
	movw \val, %ax
	movw $.Lstr\@, %si
	call puts16
	call hex16
	movb $'\n', %al
	call putc16
	popw %si
	popw %ax
	.endm

	.code16
start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $STACK0, %sp
	PRINT16 "seg16: start\n"
	# INT n through the IVT
	movw $r_int60, 0x60 * 4
	movw $0xf000, 0x60 * 4 + 2
	movw $r_de, 0
	movw $0xf000, 2
	movw $0x1234, %bx
	movb $0xd7, %ah
	sahf				# CF PF AF ZF SF = 1
	int $0x60
	pushf
	popw %ax
	SHOW16 "flags after iret", %ax
	SHOW16 "bx", %bx
	movw $1f, R_IP
	movw %sp, R_SP
	xorb %cl, %cl
	movw $0x100, %ax
	divb %cl			# #DE: the IVT handler sees IP = the DIV
1:	# #UD through the IVT, then the IVT moved by LIDT
	movw $r_ud, 6 * 4
	movw $0xf000, 6 * 4 + 2
	movw $1f, R_IP
	movw %sp, R_SP
	ud2
1:	movw $r_int60b, 0x8000 + 0x60 * 4
	movw $0xf000, 0x8000 + 0x60 * 4 + 2
	lidtl %cs:ivt_8000
	int $0x60
	lidtl %cs:ivt_0
	# A20: on through port 0x92; off only with port 0x92 bit 1 and the
	# keyboard controller's output port bit 1 both clear (a PC ORs them)
	inb $0x92, %al
	andw $2, %ax
	SHOW16 "port 92 a20 at reset", %ax
	inb $0x92, %al
	orb $2, %al
	andb $~1, %al
	outb %al, $0x92
	movw $0xffff, %ax
	movw %ax, %fs
	movw $0x1111, 0x610		# 0x000610
	movw $0x2222, %fs:0x620		# 0x100610 (or 0x000610 with A20 off)
	SHOW16 "low with a20 on", 0x610
	movb $0xdd, %al			# output port: A20 off, no reset
	call kbc_out
	inb $0x92, %al
	andb $~3, %al
	outb %al, $0x92
	movw $0x3333, %fs:0x620
	SHOW16 "low with a20 off", 0x610
	inb $0x92, %al
	orb $2, %al
	andb $~1, %al
	outb %al, $0x92
	SHOW16 "high with a20 on", %fs:0x620
	movb $0xdf, %al
	call kbc_out

	# 16-bit protected mode
	movw $gdt_tmpl, %si		# (SYS_ENTER_PM's GDT, without the IDT)
	movw $GDT, %di
	movw $(gdt_tmpl_end - gdt_tmpl), %cx
	pushw %ds
	pushw %cs
	popw %ds
	rep movsb
	popw %ds
	lgdtl %cs:gdtr_tmpl
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmp $SEL_CODE16, $pm16
pm16:
	movw $SEL_DATA16, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cs, %eax
	PRINT16 "16-bit pm\n"
	SHOW16 "cs", %ax
	# LDT: data at 0x10000, 16-bit code at 0xf0000
	movl $0x0000ffff, LDT
	movl $0x00009301, LDT + 4
	movl $0x0000ffff, LDT + 8
	movl $0x00009b0f, LDT + 12
	movl $0x8000000f, GDT + 0x40	# LDT descriptor: base 0x8000, limit 15
	movl $0x00008200, GDT + 0x44
	movw $0x40, %ax
	lldt %ax
	sldt %ax
	SHOW16 "ldtr", %ax
	movw $0x0004, %ax		# LDT index 0, RPL 0
	movw %ax, %es
	movw $0xabcd, %es:0x10
	movw %es, %ax
	SHOW16 "es", %ax
	lcall $0x000c, $ldt_code
	PRINT16 "back from ldt code\n"
	# to 32-bit code and back
	ljmpl $SEL_CODE, $(BASE + pm32)
	.code32
pm32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	PRINT "32-bit code\n"
	SHOW "linear 10010", 0x10010
	movw $SEL_DATA16, %ax
	movw %ax, %es
	movw %ax, %ds
	ljmp $SEL_CODE16, $pm16b
	.code16
pm16b:
	PRINT16 "back in 16-bit pm\n"
	movl $0x0000ffff, GDT + 0x48	# data at 0x100000, limit 0xffff
	movl $0x00009310, GDT + 0x4c
	movw $0x48, %ax
	movw %ax, %fs
	movw $0x5a5a, %fs:0x30
	# back to real mode: FS keeps its cached base 0x100000
	movl %cr0, %eax
	andb $~1, %al
	movl %eax, %cr0
	ljmp $0xf000, $real2
real2:
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	PRINT16 "real mode again\n"
	SHOW16 "cached fs:30", %fs:0x30
	movw $0x1000, %ax
	movw %ax, %fs
	SHOW16 "reloaded fs:10", %fs:0x10
	PRINT16 "SYSPROBE-DONE\n"
	movw $0x501, %dx
	xorb %al, %al
	outb %al, %dx
1:	cli
	hlt
	jmp 1b

ldt_code:
	movw %cs, %ax
	SHOW16 "ldt cs", %ax
	lret

r_int60:
	pushf				# FLAGS at entry: IF and TF cleared
	pushw %bp
	movw %sp, %bp
	addw $2, %bp
	PRINT16 "int60 frame:"
	movw 2(%bp), %ax
	call sp16
	call hex16
	movw 4(%bp), %ax
	call sp16
	call hex16
	movw 6(%bp), %ax
	call sp16
	call hex16
	movb $'\n', %al
	call putc16
	SHOW16 "flags in handler", (%bp)
	incw %bx
	popw %bp
	addw $2, %sp
	iret

r_de:
	movw %sp, %bp
	PRINT16 "real #DE at ip="
	movw (%bp), %ax
	call hex16
	movb $'\n', %al
	call putc16
	movw R_SP, %sp
	jmp *R_IP

# kbc_out: write %al to the i8042 output port (command 0xd1)
kbc_out:
	pushw %ax
	call kbc_wait
	movb $0xd1, %al
	outb %al, $0x64
	call kbc_wait
	popw %ax
	outb %al, $0x60
kbc_wait:
	pushw %ax
1:	inb $0x64, %al
	testb $2, %al
	jnz 1b
	popw %ax
	ret

r_ud:
	movw %sp, %bp
	PRINT16 "real #UD at ip="
	movw (%bp), %ax
	call hex16
	movb $'\n', %al
	call putc16
	movw R_SP, %sp
	jmp *R_IP

r_int60b:
	PRINT16 "int60 through the IVT at 0x8000\n"
	iret

ivt_8000:
	.word 0x3ff
	.long 0x8000
ivt_0:
	.word 0x3ff
	.long 0

putc16:
	pushw %dx
	pushw %ax
	movw $0x3fd, %dx
1:	inb %dx, %al
	testb $0x20, %al
	jz 1b
	popw %ax
	movw $0x3f8, %dx
	outb %al, %dx
	popw %dx
	ret
puts16:
	pushw %ax
1:	movb %cs:(%si), %al
	testb %al, %al
	jz 2f
	call putc16
	incw %si
	jmp 1b
2:	popw %ax
	ret
sp16:
	pushw %ax
	movb $' ', %al
	call putc16
	popw %ax
	ret
hex16:
	pushw %cx
	pushw %bx
	pushw %ax
	movw %ax, %bx
	movw $4, %cx
1:	rolw $4, %bx
	movb %bl, %al
	andb $0xf, %al
	addb $'0', %al
	cmpb $'9', %al
	jbe 2f
	addb $7, %al
2:	call putc16
	loop 1b
	popw %ax
	popw %bx
	popw %cx
	ret

	SYS_COMMON
	SYS_RESET
