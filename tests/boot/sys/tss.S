# SPDX-License-Identifier: GPL-2.0-only
# tss.S --- hardware task switches: JMP to a TSS (busy bits move, no back
# link), JMP back, CALL through a task gate (NT set, back link, the caller
# stays busy) and IRET with NT back, the outgoing state saved in the old
# TSS, JMP to a busy TSS -> #GP(sel), INT n through a task gate, #DF
# delivered through a task gate (as 32-bit Linux does), and #TS(SS0) for a
# ring-3 INT whose inner stack is invalid, through a task gate.
	.include "sys.inc"
	.set TSS_B, 0x5200
	.set TSS_C, 0x5300
	.set TSS_D, 0x5400
	.set SEL_B, 0x78
	.set SEL_C, 0x80
	.set SEL_GATE_C, 0x88
	.set SEL_D, 0x90
	.set SEL_E, 0x98		# for INT 0x42 through a task gate
	.set TSS_E, 0x5500
	.set SEL_F, 0xa0		# #TS through a task gate
	.set TSS_F, 0x5600

	# fill a 32-bit TSS at `base`: EIP = BASE + label, ESP, EAX = tag
	.macro MKTSS base, label, esp, tag
	movl $\base, %edi
	movl $(BASE + \label), %eax
	movl $\esp, %edx
	movl $\tag, %ebx
	call mktss
	.endm
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "tss: start\n"
	MKTSS TSS_B, task_b, 0x6800, 0xb0b0b0b0
	MKTSS TSS_C, task_c, 0x6600, 0xc0c0c0c0
	MKTSS TSS_D, task_d, 0x6400, 0xd0d0d0d0
	MKTSS TSS_E, task_e, 0x6200, 0xe0e0e0e0
	SETDESC SEL_B, 0x52000067, 0x00008900
	SETDESC SEL_C, 0x53000067, 0x00008900
	SETDESC SEL_GATE_C, (SEL_C << 16), 0x00008500
	SETDESC SEL_D, 0x54000067, 0x00008900
	SETDESC SEL_E, 0x55000067, 0x00008900
	movl $(SEL_D << 16), IDT + 8 * 8	# #DF: task gate
	movl $0x00008500, IDT + 8 * 8 + 4
	movl $(SEL_E << 16), IDT + 0x42 * 8	# INT 0x42: task gate
	movl $0x00008500, IDT + 0x42 * 8 + 4
	call busy
	movl $0x11112222, %ebx
	movl $0x33334444, %esi
	ljmp $SEL_B, $0
back_from_b:
	PRINT "back in main\n"
	SHOW "ebx", %ebx
	SHOW "esi", %esi
	str %eax
	SHOW "tr", %eax
	call busy
	SHOW "b eip saved", TSS_B + 0x20
	SHOW "b eax saved", TSS_B + 0x28
	lcall $SEL_GATE_C, $0
	PRINT "back from c\n"
	call busy
	pushfl
	popl %eax
	andl $0x4000, %eax
	SHOW "main nt", %eax
	SHOW "c link", TSS_C
	# JMP to the busy (current) TSS: #GP(0x38)
	EXPECT 1f
	ljmp $SEL_TSS, $0
1:	# INT n through a task gate: task E runs with a back link, IRETs
	int $0x42
	PRINT "back from int 42\n"
	SHOW "e link", TSS_E
	# #DF through a task gate
	andb $0x7f, IDT + 13 * 8 + 5
	EXPECT 1f
	movw $0x1234, %ax
	movw %ax, %ds			# #GP -> #NP -> #DF (task D), retried
1:	# #TS through a task gate: SS0 in the TSS has DPL 3, so INT 0x30
	# from ring 3 cannot switch stacks; task F repairs SS0 and returns,
	# the INT is retried and reaches its handler
	MKTSS TSS_F, task_f, 0x6000, 0xf0f0f0f0
	SETDESC SEL_F, 0x56000067, 0x00008900
	movl $(SEL_F << 16), IDT + 10 * 8
	movl $0x00008500, IDT + 10 * 8 + 4
	SETGATE 0x30, exc_stubs+0x30*16, 0xee
	movl $SEL_UDATA, TSS + 8
	EXPECT 1f
	TO_RING3 u_int
u_int:	int $0x30
1:	SHOW "ss0", TSS + 8
	SHOW "exceptions", V_COUNT
	jmp sys_done

task_f:
	PRINT "task f (#TS)\n"
	popl %eax
	SHOW "ts err", %eax
	SHOW "f link", TSS_F
	movl $SEL_DATA, TSS + 8
	iret
	jmp task_f

task_b:
	PRINT "task b\n"
	SHOW "eax", %eax
	str %eax
	SHOW "tr", %eax
	call busy
	SHOW "b link", TSS_B
	SHOW "main ebx saved", TSS + 0x34
	SHOW "main esi saved", TSS + 0x40
	SHOW "main eip saved", TSS + 0x20
	pushfl
	popl %eax
	andl $0x4000, %eax
	SHOW "b nt", %eax
	movl $0xbbbbbbbb, %eax
	ljmp $SEL_TSS, $0
	PRINT "not reached\n"

task_c:
	PRINT "task c\n"
	str %eax
	SHOW "tr", %eax
	call busy
	SHOW "c link", TSS_C
	pushfl
	popl %eax
	andl $0x4000, %eax
	SHOW "c nt", %eax
	EXPECT 1f
	ljmp $SEL_TSS, $0		# JMP to the busy caller: #GP(0x38)
1:	pushfl				# the #GP delivery cleared NT
	orl $0x4000, (%esp)
	popfl
	iret
	PRINT "not reached\n"

task_e:
	PRINT "task e (int 42)\n"
	SHOW "e link", TSS_E
	call busy
	iret
	jmp task_e			# a task gate re-enters after the IRET

task_d:
	PRINT "task d (#DF)\n"
	str %eax
	SHOW "tr", %eax
	popl %eax			# the error code
	SHOW "df err", %eax
	SHOW "d link", TSS_D
	orb $0x80, IDT + 13 * 8 + 5	# repair the #GP gate
	iret

# busy: print the type bytes of the four task TSS descriptors
busy:
	PRINT "types main/b/c/e:"
	movb GDT + SEL_TSS + 5, %al
	call putsp32
	call puthex8
	movb GDT + SEL_B + 5, %al
	call putsp32
	call puthex8
	movb GDT + SEL_C + 5, %al
	call putsp32
	call puthex8
	movb GDT + SEL_E + 5, %al
	call putsp32
	call puthex8
	call putnl32
	ret

# mktss: 32-bit TSS at %edi: EIP %eax, ESP %edx, EAX %ebx, flat ring 0
mktss:
	pushl %eax
	pushl %edi
	xorl %eax, %eax
	movl $(0x68 / 4), %ecx
	rep stosl
	popl %edi
	popl %eax
	movl %eax, 0x20(%edi)
	movl $2, 0x24(%edi)
	movl %ebx, 0x28(%edi)
	movl %edx, 0x38(%edi)
	movl %cr3, %eax
	movl %eax, 0x1c(%edi)
	movl $SEL_DATA, 0x48(%edi)
	movl $SEL_CODE, 0x4c(%edi)
	movl $SEL_DATA, 0x50(%edi)
	movl $SEL_DATA, 0x54(%edi)
	movl $SEL_DATA, 0x58(%edi)
	movl $SEL_DATA, 0x5c(%edi)
	movw $0xdfff, 0x66(%edi)
	ret

	SYS_COMMON
	SYS_RESET
