# SPDX-License-Identifier: GPL-2.0-only
# desc.S --- descriptor instructions and far transfers in 32-bit protected
# mode: LAR/LSL (segments, TSS, LDT, gates, null, beyond the GDT limit,
# privilege from ring 3), VERR/VERW (conforming, read-only, execute-only),
# ARPL, SGDT/SIDT/SLDT/STR/SMSW, LLDT and LDT selectors, and far JMP/CALL
# faults: offset beyond the CS limit, data segment, not present, DPL.
	.include "sys.inc"
	.set LDT, 0x8000
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "desc: start\n"
	SETDESC 0x40, 0x0000ffff, 0x000ff200	# data DPL 3, byte granular
	SETDESC 0x48, 0x0000ffff, 0x00cf9b00	# code DPL 0, 4 GiB
	SETDESC 0x50, 0x00001000, 0x00409500	# expand-down data, limit 0x1000
	SETDESC 0x58, 0x0000ffff, 0x00cf1300	# data, not present
	SETCGATE 0x60, far_ok, 0x8c00		# call gate DPL 0
	SETDESC 0x68, (LDT << 16) | 0x0f, 0x00008200	# LDT, 2 entries
	SETGATE 0, far_ok, 0			# (vector 0 restored below)
	SETDESC 0x78, 0x000000ff, 0x00409b0f	# code, base 0xf0000, limit 0xff
	SETDESC 0x80, 0x0000ffff, 0x00cf1b00	# code, not present
	SETDESC 0x88, 0x0000ffff, 0x00cffb00	# code DPL 3
	SETDESC 0x90, 0x0000ffff, 0x00cf9f00	# conforming readable DPL 0
	SETDESC 0x98, 0x0000ffff, 0x00cf9800	# execute-only code DPL 0
	SETDESC 0xa0, 0x0000ffff, 0x00cf9100	# read-only data DPL 0
	movl IDT, %eax				# an interrupt gate in the GDT
	movl %eax, GDT + 0x70
	movl IDT + 4, %eax
	movl %eax, GDT + 0x74
	SETGATE 0, exc_stubs, 0x8e		# vector 0 back to its stub
	movl $0x0000ffff, LDT			# LDT 0: data base 0x10000
	movl $0x00009301, LDT + 4
	movl $0x0000ffff, LDT + 8		# LDT 1: code DPL 3
	movl $0x00cffa00, LDT + 12
	movw $0x43, %ax				# (load 0x40 once: A bit)
	movw %ax, %fs
	movw $SEL_DATA, %ax
	movw %ax, %fs
	.irp sel, 0x0000, 0x0008, 0x0010, 0x0018, 0x002b, 0x0038, 0x0040, 0x0048, 0x0050, 0x0058, 0x0060, 0x0068, 0x0070, 0x0078, 0x0098, 0x0100, 0x0103
	movw $\sel, %bx
	call larlsl
	.endr
	movw $0x43, %bx
	call verrw
	movw $0x48, %bx
	call verrw
	movw $0x90, %bx
	call verrw
	movw $0x98, %bx
	call verrw
	movw $0xa0, %bx
	call verrw
	movw $0x60, %bx
	call verrw
	# ARPL
	movw $0x0010, %ax
	movw $0x0033, %bx
	arpl %bx, %ax
	setz %cl
	movzbl %cl, %ecx
	movzwl %ax, %eax
	SHOW "arpl ax", %eax
	SHOW "arpl zf", %ecx
	arpl %bx, %ax
	setz %cl
	SHOW "arpl again zf", %ecx
	# store instructions
	sgdtl V_SCRATCH
	movzwl V_SCRATCH, %eax
	SHOW "gdt limit", %eax
	SHOW "gdt base", V_SCRATCH + 2
	sidtl V_SCRATCH
	movzwl V_SCRATCH, %eax
	SHOW "idt limit", %eax
	SHOW "idt base", V_SCRATCH + 2
	smsw %eax
	andl $0xffff, %eax
	SHOW "msw", %eax
	# LDT
	movw $0x68, %ax
	lldt %ax
	sldt %eax
	movzwl %ax, %eax
	SHOW "ldtr", %eax
	movw $0x0004, %ax
	movw %ax, %es
	movl $0x600dcafe, %es:0x20
	SHOW "ldt data at 0x10020", 0x10020
	movw $0x000f, %bx			# LDT code DPL 3
	call larlsl
	movw $0x0014, %bx			# beyond the LDT limit
	call larlsl
	EXPECT 1f
	movw $0x0014, %ax
	movw %ax, %es				# #GP(0x14)
1:	EXPECT 1f
	movw $0x10, %ax
	lldt %ax				# not an LDT: #GP(0x10)
1:	xorw %ax, %ax
	lldt %ax				# null LDT is fine
	EXPECT 1f
	movw $0x0004, %ax
	movw %ax, %es				# TI = 1 with a null LDT: #GP(4)
1:	# far transfers
	ljmp $0x48, $(BASE + 1f)
1:	movl %cs, %eax
	SHOW "cs after far jmp", %eax
	ljmp $SEL_CODE, $(BASE + 1f)
1:	lcall $0x60, $0				# through the call gate
	EXPECT 1f
	ljmp $0x78, $0x100			# beyond the limit 0xff: #GP(0)
1:	EXPECT 1f
	lcall $SEL_DATA, $0			# data segment: #GP(0x10)
1:	EXPECT 1f
	ljmp $0x80, $0				# not present: #NP(0x80)
1:	EXPECT 1f
	ljmp $0x88, $0				# DPL 3 from CPL 0: #GP(0x88)
1:	EXPECT 1f
	ljmp $0x70, $0				# interrupt gate: #GP(0x70)
1:	EXPECT 1f
	ljmp $0x1000, $0			# beyond the GDT limit: #GP(0x1000)
1:	ljmp $0x90, $(BASE + 1f)		# conforming: CPL stays 0
1:	movl %cs, %eax
	SHOW "cs conforming", %eax
	ljmp $SEL_CODE, $(BASE + 1f)
1:	SHOW "exceptions", V_COUNT
	jmp sys_done

far_ok:
	PRINT "call gate target\n"
	lret

# larlsl: print "sel: lar ZF VALUE lsl ZF VALUE" for selector %bx
larlsl:
	PRINT "sel "
	movl %ebx, %eax
	call puthex16
	movl $0xeeeeeeee, %eax
	larl %bx, %eax
	setz %cl
	PRINT " lar "
	xchgl %eax, %ecx
	call puthex8
	xchgl %eax, %ecx
	call putsp32
	call puthex32
	movl $0xeeeeeeee, %eax
	lsll %bx, %eax
	setz %cl
	PRINT " lsl "
	xchgl %eax, %ecx
	call puthex8
	xchgl %eax, %ecx
	call putsp32
	call puthex32
	call putnl32
	ret

# verrw: print "sel: verr ZF verw ZF" for selector %bx
verrw:
	PRINT "sel "
	movl %ebx, %eax
	call puthex16
	verr %bx
	setz %al
	PRINT " verr "
	call puthex8
	verw %bx
	setz %al
	PRINT " verw "
	call puthex8
	call putnl32
	ret

	SYS_COMMON
	SYS_RESET
