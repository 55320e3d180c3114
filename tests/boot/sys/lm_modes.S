# SPDX-License-Identifier: GPL-2.0-only
# lm_modes.S --- mode transitions the way firmware and loaders do them:
# real -> protected -> IA-32e 64-bit -> compatibility -> protected (paging
# off, EFER.LME cleared) -> real mode -> back to 64-bit mode (SDM vol. 3,
# 9.8.5); EFER.LMA, CS and CR4 at each step.  The activation checks (PG
# with LME but no PAE, clearing PAE or PG in 64-bit mode, LME with paging
# on, reserved EFER bits, CR4.PCIDE without PCIDs, canonical MSRs) QEMU 7.2
# TCG ignores silently: tests/unit/x86/test_system has them.
	.include "sys.inc"
	.include "lm.inc"
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "lm_modes: start\n"
	movl $0xc0000080, %ecx
	rdmsr
	SHOW "efer (pm)", %eax
	LM_ENTER long1
	.code64
long1:
	PRINT64 "64-bit mode\n"
	movl $0xc0000080, %ecx
	rdmsr
	SHOWQ "efer (lma)", %rax
	movw %cs, %ax
	SHOWQ "cs", %rax
	movq %cr4, %rax
	SHOWQ "cr4", %rax
	# to compatibility mode (32-bit code segment 0x08, CPL 0)
	pushq $0x08
	pushq $(BASE + compat1)
	lretq
	.code32
compat1:
	PRINT "compatibility mode\n"
	movl $0xc0000080, %ecx
	rdmsr
	SHOW "efer (compat)", %eax
	movl %cr0, %eax			# paging off: IA-32e mode ends
	andl $0x7fffffff, %eax
	movl %eax, %cr0
	movl $0xc0000080, %ecx
	rdmsr
	SHOW "efer (pg off)", %eax
	andl $~0x100, %eax		# LME off
	wrmsr
	rdmsr
	SHOW "efer (lme off)", %eax
	movl %cr4, %eax
	andl $~0x20, %eax
	movl %eax, %cr4
	PRINT "protected mode\n"
	# to real mode: 16-bit segments, PE off
	ljmp $SEL_CODE16, $pm16
	.code16
pm16:
	movw $SEL_DATA16, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr0, %eax
	andl $~1, %eax
	movl %eax, %cr0
	ljmp $0xf000, $real1
real1:
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $STACK0, %sp
	movw $0x3f8, %dx
	movb $'R', %al
	outb %al, %dx
	movb $'\n', %al
	outb %al, %dx
	# and back up: protected (the GDT is still loaded), then long mode
	lgdtl %cs:gdtr_tmpl
	movl %cr0, %eax
	orb $1, %al
	movl %eax, %cr0
	ljmpl $SEL_CODE, $(BASE + again)
	.code32
again:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $STACK0, %esp
	lidtl (BASE + idtr_tmpl)
	PRINT "protected mode again\n"
	LM_ENTER long2
	.code64
long2:
	PRINT64 "64-bit mode again\n"
	movl $0xc0000080, %ecx
	rdmsr
	SHOWQ "efer", %rax
	movq $0x123456789abcdef0, %rax
	movq %rax, %r15
	SHOWQ "r15", %r15
	movl V_COUNT, %eax
	SHOWQ "exceptions", %rax
	jmp sys_done64

	SYS_COMMON
	LM_COMMON
	SYS_RESET
