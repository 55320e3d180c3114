# SPDX-License-Identifier: GPL-2.0-only
# exc.S --- exceptions in 32-bit protected mode: #DE (zero divisor and
# quotient overflow, registers unchanged), #UD, #BP and #OF (traps: EIP after
# the instruction), #BR, INT n, #GP/#NP/#SS with selector error codes, the
# accessed bit set in a loaded data descriptor, #DF when the #GP gate is
# not present, #NP for a not-present INT n gate, #GP/#NP for gates to a
# data segment, to a less privileged or a not-present code segment, and
# EFLAGS.IF in interrupt gates (cleared) and trap gates (kept).
	.include "sys.inc"
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "exc: start\n"
	movl $0x11111111, %eax
	movl $0x22222222, %edx
	xorl %ecx, %ecx
	EXPECT 1f
de1:	divl %ecx
1:	SHOW "de eax", %eax
	SHOW "de edx", %edx
	movl $0, %eax
	movl $1, %edx
	movl $1, %ecx
	EXPECT 1f
	divl %ecx			# quotient 2^32: #DE
1:	SHOW "de2 edx", %edx
	movw $0x8000, %ax		# idiv -32768 / -1 (16-bit): #DE
	cwd
	movw $-1, %cx
	EXPECT 1f
	idivw %cx
1:	movb $-128, %al			# idiv 8-bit: -128 / -1
	cbw
	movb $-1, %cl
	EXPECT 1f
	idivb %cl
1:	EXPECT 1f
	ud2
1:	EXPECT 1f
	.byte 0x0f, 0x0b		# ud2 again, raw bytes
1:	EXPECT 1f
	.byte 0xf0, 0x01, 0xc3		# lock add %eax, %ebx: LOCK on a register destination: #UD
1:	int3				# trap: returns after the INT3
	PRINT "after int3\n"
	movl $0x7fffffff, %eax
	addl $1, %eax			# OF = 1
	into
	PRINT "after into\n"
	xorl %eax, %eax
	into				# OF = 0: no exception
	PRINT "into not taken\n"
	movl $(V_SCRATCH), %esi
	movl $10, (%esi)
	movl $20, 4(%esi)
	movl $15, %eax
	bound %eax, (%esi)		# in range
	PRINT "bound in range\n"
	movl $21, %eax
	EXPECT 1f
	bound %eax, (%esi)		# #BR fault
1:	int $0x31
	int $0x3f
	PRINT "after int n\n"
	# #GP: selector beyond the GDT limit, error code = selector & ~3
	EXPECT 1f
	movw $0x1234, %ax
	movw %ax, %ds
1:	EXPECT 1f
	movw $0x0107, %ax		# LDT selector, no LDT loaded: #GP(0x104)
	movw %ax, %es
1:	# code segment into DS is fine only if readable: execute-only -> #GP
	SETDESC 0x40, 0x0000ffff, 0x00cf9900
	EXPECT 1f
	movw $0x40, %ax
	movw %ax, %ds
1:	SETDESC 0x48, 0x0000ffff, 0x00cf1300	# data, not present: #NP(0x48)
	EXPECT 1f
	movw $0x48, %ax
	movw %ax, %fs
1:	EXPECT 1f
	movw $0x48, %ax
	movw %ax, %ss			# not-present stack segment: #SS(0x48)
1:	SETDESC 0x50, 0x0000ffff, 0x00cf9100	# read-only data into SS: #GP(0x50)
	EXPECT 1f
	movw $0x50, %ax
	movw %ax, %ss
1:	EXPECT 1f
	xorw %ax, %ax
	movw %ax, %ss			# null SS: #GP(0)
1:		# the CPU sets the accessed bit of a data descriptor it loads (for
	# CS too, but QEMU 7.2 does not: left out)
	SETDESC 0x58, 0x0000ffff, 0x00cf9200	# data, A = 0
	movzbl GDT + 0x5d, %eax
	SHOW "type before", %eax
	movw $0x58, %ax
	movw %ax, %es
	movzbl GDT + 0x5d, %eax
	SHOW "data type after", %eax
	movw $SEL_DATA, %ax
	movw %ax, %es
	# #DF: the #GP gate is not present, a #GP becomes #NP -> #DF
	andb $0x7f, IDT + 13 * 8 + 5
	EXPECT 1f
	movw $0x1234, %ax
	movw %ax, %ds
1:	orb $0x80, IDT + 13 * 8 + 5
	# #NP for a not-present gate alone (vector 0x30 from INT)
	andb $0x7f, IDT + 0x30 * 8 + 5
	EXPECT 1f
	int $0x30			# #NP(0x30 * 8 + 2)
1:	orb $0x80, IDT + 0x30 * 8 + 5
	# gates whose target segment is wrong: a data segment, code with
	# DPL 3 > CPL 0, a code segment that is not present
	SETDESC 0x68, 0x0000ffff, 0x00cffb00	# code DPL 3
	SETDESC 0x70, 0x0000ffff, 0x00cf1b00	# code, not present
	SETGATE 0x34, if_probe, 0x8e, SEL_DATA
	SETGATE 0x35, if_probe, 0x8e, 0x68
	SETGATE 0x36, if_probe, 0x8e, 0x70
	EXPECT 1f
	int $0x34			# #GP(0x10)
1:	EXPECT 1f
	int $0x35			# #GP(0x68)
1:	EXPECT 1f
	int $0x36			# #NP(0x70)
1:
	# interrupt gate clears IF, trap gate keeps it (PICs masked)
	movb $0xff, %al
	outb %al, $0x21
	outb %al, $0xa1
	SETGATE 0x32, if_probe, 0x8e
	SETGATE 0x33, if_probe, 0x8f
	sti
	int $0x32
	SHOW "if in interrupt gate", %eax
	int $0x33
	SHOW "if in trap gate", %eax
	pushfl
	popl %eax
	andl $0x200, %eax
	SHOW "if after iret", %eax
	cli
	SHOW "exceptions", V_COUNT
	jmp sys_done

if_probe:
	pushfl
	popl %eax
	andl $0x200, %eax
	iret

	SYS_COMMON
	SYS_RESET
