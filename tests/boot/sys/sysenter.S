# SPDX-License-Identifier: GPL-2.0-only
# sysenter.S --- SYSENTER/SYSEXIT: the SYSENTER MSRs read back, ring 3 ->
# ring 0 with CS/SS from IA32_SYSENTER_CS, ESP/EIP from the MSRs, IF and VM
# cleared, registers kept; SYSEXIT to ring 3 with ESP = ECX, EIP = EDX and
# the selectors SYSENTER_CS + 16 / + 24 (RPL 3); SYSENTER with a null
# SYSENTER_CS and SYSEXIT outside ring 0 -> #GP(0).
	.include "sys.inc"
	.set SE_CS, 0x40
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "sysenter: start\n"
	SETDESC 0x40, 0x0000ffff, 0x00cf9b00	# ring-0 code
	SETDESC 0x48, 0x0000ffff, 0x00cf9300	# ring-0 stack
	SETDESC 0x50, 0x0000ffff, 0x00cffb00	# ring-3 code
	SETDESC 0x58, 0x0000ffff, 0x00cff300	# ring-3 data
	movl $0x174, %ecx
	movl $SE_CS, %eax
	xorl %edx, %edx
	wrmsr
	movl $0x175, %ecx
	movl $0x8800, %eax
	wrmsr
	movl $0x176, %ecx
	movl $(BASE + kentry), %eax
	wrmsr
	movl $0x174, %ecx
	rdmsr
	SHOW "msr cs", %eax
	movl $0x175, %ecx
	rdmsr
	SHOW "msr esp", %eax
	movl $0x176, %ecx
	rdmsr
	SHOW "msr eip", %eax
	EXPECT 1f
	TO_RING3 user, 0x3202		# IOPL 3, IF = 1 (no IRQs are set up)
user:
	PRINT "ring3\n"
	movl $0x12345678, %eax
	movl $0x0000a55a, %ebx
	movl $0x9c00, %ecx
	movl $(BASE + uret), %edx
	sysenter
	PRINT "not reached\n"
uret:
	PRINT "back in ring3\n"
	movl %cs, %eax
	SHOW "cs", %eax
	movl %ss, %eax
	SHOW "ss", %eax
	movl %esp, %eax
	SHOW "esp", %eax
	SHOW "ebx", %ebx
	pushfl
	popl %eax
	andl $0x3200, %eax
	SHOW "eflags iopl/if", %eax
	movl $(BASE + kentry), %ebx
	sysexit				# CPL 3: #GP(0)
1:	# SYSENTER with IA32_SYSENTER_CS = 0: #GP(0)
	movl $0x174, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
	EXPECT 1f
	TO_RING3 user2, 0x3002
user2:	sysenter
1:	SHOW "exceptions", V_COUNT
	jmp sys_done

kentry:
	PRINT "kernel entry\n"
	movl %cs, %eax
	SHOW "cs", %eax
	movl %ss, %eax
	SHOW "ss", %eax
	movl %esp, %eax
	SHOW "esp", %eax
	pushfl
	popl %eax
	andl $0x23200, %eax
	SHOW "eflags vm/iopl/if", %eax
	SHOW "ecx", %ecx
	SHOW "edx", %edx
	incl %ebx
	sysexit

	SYS_COMMON
	SYS_RESET
