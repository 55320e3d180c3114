# SPDX-License-Identifier: GPL-2.0-only
# lm_int.S --- interrupt and exception delivery in IA-32e mode (SDM vol. 3,
# 6.14): 16-byte gates, the stack aligned to 16 bytes and SS:RSP pushed at
# the same privilege level, ring 3 -> ring 0 on RSP0 with a null SS, IST
# stacks (also from ring 3, and for #DF), IRETQ to ring 3 in 64-bit and in
# compatibility mode and INT n back from there, #GP for INT n through a
# DPL 0 gate, #NP for a gate not present, a contributory fault while
# delivering one -> #DF.
	.include "sys.inc"
	.include "lm.inc"
	.set V_BACK, 0x560		# where h_back continues in ring 0
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "lm_int: start\n"
	LM_ENTER long
	.code64
long:
	SETGATE64 0x80, h_frame, 0xee		# DPL 3, RSP0
	SETGATE64 0x81, h_back, 0xee
	SETGATE64 0x82, h_frame, 0xee, 1	# DPL 3, IST1
	SETGATE64 0x83, h_frame, 0x8e		# DPL 0
	SETGATE64 0x84, h_frame, 0x8e, 2	# IST2
	# same level: SS:RSP pushed, RSP aligned down to 16 bytes
	movq %rsp, %rbx
	movq $0x6ff8, %rsp
	cmpq %rsp, %rsp			# defined arithmetic flags
	int $0x80
	movq $0x6ff0, %rsp
	int $0x80
	int $0x84			# IST2 at CPL 0 too
	movq %rbx, %rsp
	# ring 3 -> ring 0 on RSP0 (null SS), IST1, back with IRETQ
	movq $(BASE + 1f), V_BACK
	TO_RING3_64 r3
r3:	PRINT64 "ring 3\n"
	movq $0x9876543210, %rax
	int $0x80
	PRINT64 "ring 3 after iretq\n"
	movq %rsp, %rax
	SHOWQ "ring 3 rsp", %rax
	int $0x82
	movw %ss, %ax
	SHOWQ "ring 3 ss", %rax
	int $0x81
1:	PRINT64 "ring 0\n"
	# compatibility mode in ring 3
	movq $(BASE + 1f), V_BACK
	pushq $U64_DS
	pushq $0xa000 - 4
	pushq $0x3002
	pushq $U32_CS
	pushq $(BASE + c3)
	iretq
	.code32
c3:	movw $U64_DS, %ax		# the IRET nulled DS/ES (DPL 0)
	movw %ax, %ds
	movw %ax, %es
	PRINT "compat ring 3\n"
	pushl $0x11223344
	popl %eax
	SHOW "eax", %eax
	int $0x80
	PRINT "compat ring 3 after iretq\n"
	int $0x81
	.code64
1:	PRINT64 "ring 0 again\n"
	# INT n through a DPL 0 gate from ring 3: #GP(vector * 8 + 2); QEMU
	# 7.2 reports vector * 16 + 2 (QEMU issue 1382): index masked
	EXPECT64 1f
	movl $7, V_ERRMASK
	TO_RING3_64 r3b
r3b:	int $0x83
1:	# gate not present: #NP(vector * 8 + 2)
	andb $0x7f, LM_IDT + 0x85 * 16 + 5
	EXPECT64 1f
	movl $7, V_ERRMASK
	int $0x85
1:	# #GP while its gate is not present: #NP -> #DF (IST2)
	SETGATE64 8, h_df, 0x8e, 2
	andb $0x7f, LM_IDT + 13 * 16 + 5
	movq $(BASE + 1f), V_BACK
	movq $0x0000800000000000, %rax
	movq (%rax), %rax
1:	PRINT64 "after #DF\n"
	movl V_COUNT, %eax
	SHOWQ "exceptions", %rax
	jmp sys_done64

# print the interrupt frame at %rsp + 16 (after two pushes): the stack
# pointer, SS, RSP, RFLAGS, CS, RIP; from ring 3 also the new SS (null;
# QEMU also nulls it for an IST stack at the same level, the SDM does not)
h_frame:
	pushq %rax
	pushq %rsi
	PRINT64 "frame at "
	leaq 16(%rsp), %rax
	call puthex64
	PRINT64 ": rip="
	movq 16(%rsp), %rax
	call puthex64
	PRINT64 " cs="
	movq 24(%rsp), %rax
	call puthex16_64
	PRINT64 " rflags="
	movq 32(%rsp), %rax
	call puthex32_64
	PRINT64 " rsp="
	movq 40(%rsp), %rax
	call puthex64
	PRINT64 " ss="
	movq 48(%rsp), %rax
	call puthex16_64
	testb $3, 24(%rsp)		# from ring 3: the null SS of ring 0
	jz 1f
	movw %ss, %ax
	PRINT64 " handler ss="
	call puthex16_64
1:	call putnl64
	popq %rsi
	popq %rax
	iretq

# back to 64-bit ring 0 at V_BACK on the ring-0 stack
h_back:
	PRINT64 "h_back from cs="
	movq 8(%rsp), %rax
	call puthex16_64
	call putnl64
	movw $K64_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movq $STACK0, %rsp
	jmp *V_BACK

# #DF: error code 0, on IST2
h_df:
	PRINT64 "#DF err="
	movq (%rsp), %rax
	call puthex32_64
	PRINT64 " rsp="
	movq %rsp, %rax
	call puthex64
	call putnl64
	orb $0x80, LM_IDT + 13 * 16 + 5
	movq $STACK0, %rsp
	jmp *V_BACK

	SYS_COMMON
	LM_COMMON
	SYS_RESET
