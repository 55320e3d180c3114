# SPDX-License-Identifier: GPL-2.0-only
# cpuid.S --- CPUID is present (EFLAGS.ID toggles), and the raw output of
# leaves 0, 1, 0x80000000..0x80000004, printed as implementation-defined
# lines ('~': CPUID legitimately differs between CPUs and is not compared);
# also the reserved-bit behaviour of EFLAGS that is architectural.
	.include "sys.inc"
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "cpuid: start\n"
	pushfl				# EFLAGS.ID (bit 21) can be toggled
	popl %eax
	movl %eax, %ebx
	xorl $0x200000, %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	xorl %ebx, %eax
	andl $0x200000, %eax
	SHOW "id toggles", %eax
	pushl $0			# bit 1 always reads 1; bits 3, 5, 15,
	popfl				# 22..31 read 0
	pushfl
	popl %eax
	SHOW "eflags zero", %eax
	pushl $0xffffbcff		# all but TF, IF, NT
	popfl
	pushfl
	popl %eax
	andl $~0x00010000, %eax		# RF: cleared by POPF anyway
	SHOW "eflags ones", %eax
	pushl $2
	popfl
	xorl %esi, %esi			# leaves 0 and 1
	call leaf
	movl $1, %esi
	call leaf
	movl $0x80000000, %esi
	call leaf
	movl $0x80000001, %esi
	call leaf
	movl $0x80000002, %esi
	call leaf
	movl $0x80000003, %esi
	call leaf
	movl $0x80000004, %esi
	call leaf
	jmp sys_done

# leaf: print "~cpuid LEAF: eax ebx ecx edx" for leaf %esi, subleaf 0
leaf:
	movl %esi, %eax
	xorl %ecx, %ecx
	cpuid
	pushl %edx
	pushl %ecx
	pushl %ebx
	pushl %eax
	PRINT "~cpuid "
	movl %esi, %eax
	call puthex32
	movb $':', %al
	call putc32
	movl $4, %ecx
1:	popl %eax
	call putsp32
	call puthex32
	loop 1b
	call putnl32
	ret

	SYS_COMMON
	SYS_RESET
