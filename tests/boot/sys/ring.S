# SPDX-License-Identifier: GPL-2.0-only
# ring.S --- privilege levels: IRET to ring 3 (data segments above CPL are
# nulled), INT n through DPL-3 and DPL-0 gates (#GP(vector*8+2)), the
# ring-0 frame (SS:ESP from the TSS), privileged instructions in ring 3,
# call gates with parameters, conforming code segments, and far calls that
# privilege checks refuse.
	.include "sys.inc"
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "ring: start\n"
	SETGATE 0x40, h40, 0xef			# trap gate, DPL 3
	SETGATE 0x41, h40, 0x8e			# interrupt gate, DPL 0
	SETCGATE 0x60, cg_target, 0xec02	# call gate DPL 3, 2 params
	SETDESC 0x68, 0x0000ffff, 0x00cf9f00	# conforming code, DPL 0
	SETCGATE 0x70, cg_target, 0x8c02	# call gate DPL 0
	movw $SEL_DATA, %ax
	movw %ax, %es				# DPL 0: nulled by the IRET
	movw $SEL_UDATA, %ax
	movw %ax, %fs				# DPL 3: kept
	EXPECT back0
	TO_RING3 user

user:
	PRINT "ring3\n"
	movl %cs, %eax
	SHOW "cs", %eax
	movl %ss, %eax
	SHOW "ss", %eax
	movl %es, %eax
	SHOW "es", %eax
	movl %fs, %eax
	SHOW "fs", %eax
	movl %esp, %eax
	SHOW "esp", %eax
	movl $0x1234, %ebx
	int $0x40				# DPL 3 gate: allowed
	SHOW "ebx", %ebx
	movl %esp, %eax
	SHOW "esp", %eax
	# call gate: two parameters copied to the ring-0 stack
	pushl $0xaaaa0001
	pushl $0xbbbb0002
	lcall $0x63, $0
	movl %esp, %eax
	SHOW "after gate esp", %eax
	movl %es, %eax
	SHOW "es after lret", %eax
	# conforming code: CPL stays 3, CS.RPL = 3
	lcall $0x6b, $(BASE + conf)
	PRINT "back from conforming\n"
	int $0x41				# DPL 0 gate: #GP(0x20a)
	PRINT "not reached\n"
back0:
	PRINT "ring0 again\n"
	EXPECT 1f
	TO_RING3 u_int3
u_int3:	int3					# DPL 0 gate 3: #GP(0x1a)
1:	EXPECT 1f
	TO_RING3 u_hlt
u_hlt:	hlt					# #GP(0)
1:	EXPECT 1f
	TO_RING3 u_cr
u_cr:	movl %cr0, %eax				# #GP(0)
1:	EXPECT 1f
	TO_RING3 u_ds
u_ds:	movw $SEL_DATA, %ax			# DPL 0 data: #GP(0x10)
	movw %ax, %ds
1:	EXPECT 1f
	TO_RING3 u_ss
u_ss:	movw $SEL_DATA | 3, %ax			# RPL 3 != DPL 0: #GP(0x10)
	movw %ax, %ss
1:	EXPECT 1f
	TO_RING3 u_far
u_far:	lcall $SEL_CODE, $(BASE + cg_target)	# non-conforming DPL 0: #GP(8)
1:	EXPECT 1f
	TO_RING3 u_gate0
u_gate0: lcall $0x73, $0			# call gate DPL 0: #GP(0x70)
1:	EXPECT 1f
	TO_RING3 u_cli, 0x0002
u_cli:	cli					# IOPL 0 < CPL 3: #GP(0)
1:	EXPECT 1f
	TO_RING3 u_popf, 0x0202
u_popf:	pushl $0x3000				# POPF in ring 3, IOPL 0: IF and
	popfl					# IOPL silently unchanged
	pushfl
	popl %eax
	andl $0x3200, %eax
	movl %eax, V_SCRATCH
	EXPECT 2f				# (a ring-3 fault to get back)
	ud2
2:	SHOW "ring3 popf iopl/if", V_SCRATCH
	# far return to an outer level checks the RPL of the target CS
	EXPECT 1f
	pushl $SEL_UDATA
	pushl $STACK3
	pushl $(SEL_UCODE & ~3)			# RPL 0 but DPL 3: #GP(0x28)
	pushl $(BASE + u_hlt)
	lret
1:	SHOW "exceptions", V_COUNT
	jmp sys_done

# INT 0x40 handler: print the ring-0 frame
h40:
	PRINT "int40 frame:"
	movl (%esp), %eax
	call putsp32
	call puthex32
	movl 4(%esp), %eax
	call putsp32
	call puthex32
	movl 8(%esp), %eax
	call putsp32
	call puthex32
	movl 12(%esp), %eax
	call putsp32
	call puthex32
	movl 16(%esp), %eax
	call putsp32
	call puthex32
	call putnl32
	movl %esp, %eax
	SHOW "ring0 esp", %eax
	movl %ss, %eax
	SHOW "ring0 ss", %eax
	incl %ebx
	iret

# call gate target: EIP, CS, 2 params, ESP, SS on the ring-0 stack
cg_target:
	PRINT "gate frame:"
	xorl %ecx, %ecx
1:	movl (%esp, %ecx, 4), %eax
	call putsp32
	call puthex32
	incl %ecx
	cmpl $6, %ecx
	jb 1b
	call putnl32
	movw $SEL_DATA, %ax		# DPL 0: nulled by the return to ring 3
	movw %ax, %es
	lret $8

conf:
	movl %cs, %eax
	SHOW "conforming cs", %eax
	lret

	SYS_COMMON
	SYS_RESET
