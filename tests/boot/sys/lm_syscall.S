# SPDX-License-Identifier: GPL-2.0-only
# lm_syscall.S --- SYSCALL/SYSRET (SDM vol. 3, 5.8.8): STAR/LSTAR/FMASK,
# EFER.SCE; SYSCALL from 64-bit ring 3 (RCX = return RIP, R11 = RFLAGS,
# RFLAGS masked, CS/SS from STAR[47:32]), SYSRETQ to 64-bit and SYSRETL to
# compatibility mode (CS/SS from STAR[63:48]); SYSCALL with SCE clear ->
# #UD, SYSRET in ring 3 -> #GP(0).  FS/GS bases through the MSRs and SWAPGS
# with KERNEL_GS_BASE (#GP(0) in ring 3), a null FS load clears the base,
# RDTSCP's TSC_AUX, LAHF/SAHF in 64-bit mode.
	.include "sys.inc"
	.include "lm.inc"
	.set V_BACK, 0x560
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "lm_syscall: start\n"
	LM_ENTER long
	.code64
long:
	SETGATE64 0x81, h_back, 0xee
	movl $0xc0000081, %ecx		# STAR: user base 0x50, kernel 0x40
	xorl %eax, %eax
	movl $0x00500040, %edx
	wrmsr
	movl $0xc0000082, %ecx		# LSTAR
	movl $(BASE + sys_entry), %eax
	xorl %edx, %edx
	wrmsr
	movl $0xc0000084, %ecx		# FMASK: TF, DF, AC
	movl $0x40500, %eax
	wrmsr
	movl $0xc0000080, %ecx		# EFER.SCE
	rdmsr
	orl $1, %eax
	wrmsr
	rdmsr
	SHOWQ "efer", %rax
	movl $0xc0000081, %ecx
	rdmsr
	shlq $32, %rdx
	orq %rdx, %rax
	SHOWQ "star", %rax
	# FS/GS bases, SWAPGS
	movq $0x1111111111111111, %rax
	movq %rax, 0x100008
	movq $0x2222222222222222, %rax
	movq %rax, 0x101008
	movq $0x3333333333333333, %rax
	movq %rax, 0x102008
	movl $0xc0000100, %ecx
	movl $0x100000, %eax
	xorl %edx, %edx
	wrmsr
	movl $0xc0000101, %ecx
	movl $0x101000, %eax
	wrmsr
	movl $0xc0000102, %ecx
	movl $0x102000, %eax
	wrmsr
	movq %fs:8, %rax
	SHOWQ "fs:8", %rax
	movq %gs:8, %rax
	SHOWQ "gs:8", %rax
	swapgs
	movq %gs:8, %rax
	SHOWQ "gs:8 after swapgs", %rax
	movl $0xc0000102, %ecx
	rdmsr
	SHOWQ "kernel_gs_base", %rax
	swapgs
	xorl %eax, %eax
	movw %ax, %fs			# a null selector clears the base
	movl $0xc0000100, %ecx
	rdmsr
	SHOWQ "fs_base after null", %rax
	# RDTSCP
	movl $0xc0000103, %ecx
	movl $0x4321, %eax
	xorl %edx, %edx
	wrmsr
	xorl %ecx, %ecx
	rdtscp
	SHOWQ "rdtscp ecx", %rcx
	# LAHF/SAHF in 64-bit mode
	movb $0xd7, %ah
	sahf
	lahf
	movzbl %ah, %eax
	SHOWQ "lahf", %rax
	# SYSCALL from 64-bit ring 3, SYSRETQ back; then SYSRETL to compat
	movq $(BASE + 1f), V_BACK
	pushq $U64_DS
	pushq $STACK3
	pushq $0x43602			# IOPL 3, AC, DF, (IF 0)
	pushq $U64_CS
	pushq $(BASE + u1)
	iretq
u1:	movq $1, %rax
	movq $0x5555, %r11
	cmpq %rax, %rax
	syscall
	PRINT64 "back in ring 3\n"
	movw %cs, %ax
	SHOWQ "cs", %rax
	movw %ss, %ax
	SHOWQ "ss", %rax
	pushfq
	popq %rax
	SHOWQ "rflags", %rax
	EXPECT64 2f			# SYSRET in ring 3: #GP(0)
	sysretq
2:	TO_RING3_64 u2
u2:	movq $2, %rax
	syscall
	.code32
c32:	movw $U64_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	PRINT "compat after sysret\n"
	movw %cs, %ax
	SHOW "cs", %eax
	int $0x81
	.code64
1:	EXPECT64 1f			# SWAPGS in ring 3: #GP(0)
	TO_RING3_64 u3
u3:	swapgs
1:	movl $0xc0000080, %ecx		# SCE off: SYSCALL is #UD
	rdmsr
	andl $~1, %eax
	wrmsr
	EXPECT64 1f
	syscall
1:	movl V_COUNT, %eax
	SHOWQ "exceptions", %rax
	jmp sys_done64

# SYSCALL: RAX 1 -> SYSRETQ, 2 -> SYSRETL to c32
sys_entry:
	PRINT64 "syscall rax="
	pushq %rax
	call puthex64
	PRINT64 " rcx="
	movq %rcx, %rax
	call puthex64
	PRINT64 " r11="
	movq %r11, %rax
	call puthex32_64
	PRINT64 " cs="
	movw %cs, %ax
	call puthex16_64
	PRINT64 " ss="
	movw %ss, %ax
	call puthex16_64
	PRINT64 " rflags="
	pushfq
	popq %rax
	call puthex32_64
	call putnl64
	popq %rax
	cmpq $2, %rax
	je 1f
	sysretq
1:	movl $(BASE + c32), %ecx
	movl $0x3002, %r11d
	sysretl

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

	SYS_COMMON
	LM_COMMON
	SYS_RESET
