# SPDX-License-Identifier: GPL-2.0-only
# nested.S --- faults while delivering an event, with paging on: a ring-3
# INT whose ring-0 stack (ESP0) is not mapped raises #PF during the stack
# switch, whose own delivery faults the same way -> #DF, taken through a
# task gate with a stack of its own (as 32-bit Linux does); the task maps
# the page and returns, the INT is retried and reaches its handler.  Also
# a #PF on the IDT's page while INT n is delivered in ring 0.
	.include "sys.inc"
	.set PD, 0x20000
	.set PT, 0x21000
	.set KSTACK, 0x40000		# ESP0 page: 0x3f000..0x3ffff
	.set TSS_DF, 0x5200
	.set SEL_DF, 0x78
	.set V_DFCR2, 0x600
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "nested: start\n"
	movl $PD, %edi
	xorl %eax, %eax
	movl $1024, %ecx
	rep stosl
	movl $PT, %edi			# identity 0..4 MiB, P|RW|U
	movl $7, %eax
	movl $1024, %ecx
1:	stosl
	addl $0x1000, %eax
	loop 1b
	movl $(PT | 7), PD
	movl $PD, %eax
	movl %eax, %cr3
	movl %eax, TSS + 0x1c		# (a task switch loads CR3, never saves it)
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	jmp 1f
1:	# the #DF task
	movl $TSS_DF, %edi
	xorl %eax, %eax
	movl $(0x68 / 4), %ecx
	rep stosl
	movl $(BASE + task_df), TSS_DF + 0x20
	movl $2, TSS_DF + 0x24
	movl $0x6800, TSS_DF + 0x38
	movl %cr3, %eax
	movl %eax, TSS_DF + 0x1c
	movl $SEL_DATA, TSS_DF + 0x48
	movl $SEL_CODE, TSS_DF + 0x4c
	movl $SEL_DATA, TSS_DF + 0x50
	movl $SEL_DATA, TSS_DF + 0x54
	movl $SEL_DATA, TSS_DF + 0x58
	movl $SEL_DATA, TSS_DF + 0x5c
	movw $0xdfff, TSS_DF + 0x66
	SETDESC SEL_DF, 0x52000067, 0x00008900
	movl $(SEL_DF << 16), IDT + 8 * 8
	movl $0x00008500, IDT + 8 * 8 + 4
	SETGATE 0x30, exc_stubs+0x30*16, 0xee
	# ESP0 in a page that is not present
	movl $KSTACK, TSS + 4
	andl $~1, PT + 4 * (KSTACK / 0x1000 - 1)
	invlpg KSTACK - 0x1000
	EXPECT 1f
	TO_RING3 u_int
u_int:	int $0x30			# #PF on the push -> #PF -> #DF
1:	SHOW "df cr2 page", V_DFCR2
	movl $STACK0_USER, TSS + 4
	# the IDT moved to 0xff00: vectors 0x20 and up lie on page 0x10000;
	# with that page not present, INT 0x30 in ring 0 raises #PF (a
	# supervisor read of the gate), delivered through vector 14
	movl $IDT, %esi
	movl $0xff00, %edi
	movl $(256 * 2), %ecx
	rep movsl
	movw $0x7ff, V_SCRATCH
	movl $0xff00, V_SCRATCH + 2
	lidtl V_SCRATCH
	andl $~1, PT + 4 * 0x10
	invlpg 0x10000
	EXPECT 1f
	int $0x30
1:	orl $1, PT + 4 * 0x10
	invlpg 0x10000
	int $0x30			# now it reaches its handler
	lidtl (BASE + idtr_tmpl)
	SHOW "exceptions", V_COUNT
	jmp sys_done

# #DF task: record CR2's page, map the faulting page again, return
task_df:
	PRINT "task df\n"
	popl %eax
	SHOW "df err", %eax
	movl %cr2, %eax
	andl $~0xfff, %eax
	movl %eax, V_DFCR2
	shrl $12, %eax
	orl $1, PT(, %eax, 4)
	movl %cr3, %eax			# flush (the task switch did too)
	movl %eax, %cr3
	iret
	jmp task_df

	SYS_COMMON
	SYS_RESET
