# SPDX-License-Identifier: GPL-2.0-only
# cr.S --- control and debug registers: CR0 (PE, CD/NW), CR2/CR3/CR4 read
# back (QEMU 7.2 does not check the invalid CR0 combinations NW without CD
# and PG without PE, nor reserved CR4 bits, so they are left out),
# CR1 -> #UD, DR4/DR5 aliases (CR4.DE = 0) and #UD (CR4.DE = 1), DR6/DR7,
# TF single-stepping (DR6.BS; MOV SS delays the trap by one
# instruction), an instruction breakpoint (DR0, RF),
# and a data write watchpoint (DR1, trap after the write).  (DR7.GD is left
# out: QEMU 7.2 does not raise its #DB.)
	.include "sys.inc"
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "cr: start\n"
	SETGATE 1, dbh, 0x8e
	movl %cr0, %eax
	andl $0x9fffffff, %eax		# CD/NW: reset value not compared
	SHOW "cr0 pe", %eax
	movl %cr0, %eax
	andl $0x9fffffff, %eax
	movl %eax, %cr0			# caches on
	movl %cr0, %eax
	SHOW "cr0 cd/nw off", %eax
	movl $0x12345000, %eax
	movl %eax, %cr2
	movl %cr2, %eax
	SHOW "cr2", %eax
	movl $0x00023000, %eax
	movl %eax, %cr3
	movl %cr3, %eax
	SHOW "cr3", %eax
	movl %cr4, %eax
	SHOW "cr4", %eax
	EXPECT 1f
	.byte 0x0f, 0x20, 0xc8		# mov %cr1, %eax: #UD
1:	# debug registers
	movl %dr7, %eax
	andl $0xffff2bff, %eax		# (bit 10 reads 1, bit 12-15 vary)
	SHOW "dr7", %eax
	movl $0x0000ffff, %eax
	movl %eax, %dr0
	movl %dr0, %eax
	SHOW "dr0", %eax
	xorl %eax, %eax
	movl %eax, %dr6
	movl %eax, %dr0
	.byte 0x0f, 0x21, 0xe0		# mov %dr4, %eax = DR6 with CR4.DE = 0
	andl $0xe00f, %eax
	SHOW "dr4 alias", %eax
	movl %cr4, %eax
	orl $8, %eax			# DE
	movl %eax, %cr4
	EXPECT 1f
	.byte 0x0f, 0x21, 0xe0		# mov %dr4, %eax: #UD
1:	movl %cr4, %eax
	andl $~8, %eax
	movl %eax, %cr4
	# TF: single steps until the end label
	pushfl
	orl $0x100, (%esp)
	popfl
	movl $1, %eax
	movw %ss, %cx
	movw %cx, %ss			# no #DB until after the next insn
	addl $2, %eax
	nop
step_end:
	nop
	SHOW "steps eax", %eax
	# DR0: instruction breakpoint (fault, resumed with RF)
	movl $(BASE + bp_here), %eax
	movl %eax, %dr0
	movl $0x00000001, %eax		# L0, execute, 1 byte
	movl %eax, %dr7
	movl $5, %ecx
bp_here:
	decl %ecx
	SHOW "ecx at bp", %ecx
	xorl %eax, %eax
	movl %eax, %dr7
	# DR1: write watchpoint on a dword (trap after the write)
	movl $V_SCRATCH, %eax
	movl %eax, %dr1
	movl $0x00d00004, %eax		# L1, RW1 = write, LEN1 = 4 bytes
	movl %eax, %dr7
	movl V_SCRATCH, %eax		# a read: no #DB
	movl $0x77, V_SCRATCH + 2	# overlaps: #DB after it
	PRINT "after the write\n"
	xorl %eax, %eax
	movl %eax, %dr7
	SHOW "exceptions", V_COUNT
	jmp sys_done

# #DB handler: print EIP and DR6 (B0-B3, BD, BS), clear DR6, set RF; the
# single step ends at step_end
dbh:
	pushal
	pushl %ds
	movw $SEL_DATA, %ax
	movw %ax, %ds
	PRINT "DB eip="
	movl 36(%esp), %eax
	call puthex32
	PRINT " dr6="
	movl %dr6, %eax
	andl $0x600f, %eax
	call puthex32
	call putnl32
	xorl %eax, %eax
	movl %eax, %dr6
	orl $0x10000, 44(%esp)		# RF
	cmpl $(BASE + step_end), 36(%esp)
	jne 1f
	andl $~0x100, 44(%esp)		# TF off
1:	popl %ds
	popal
	iret

	SYS_COMMON
	SYS_RESET
