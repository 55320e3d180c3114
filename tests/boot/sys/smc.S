# SPDX-License-Identifier: GPL-2.0-only
# smc.S --- self-modifying code in RAM, the case a decoded-instruction cache
# must get right: a routine re-patched between calls, a patch to the very
# next instruction (no jump between the store and the fetch), code written
# with REP MOVSB and run, a patch through a second linear mapping of the
# same page (paging on), and a page's code replaced after INVLPG.
	.include "sys.inc"
	.set CODE, 0x30000		# RAM for generated code
	.set PD, 0x20000
	.set PT, 0x21000
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "smc: start\n"
	# a routine "mov $imm32, %eax; ret" patched between calls
	movb $0xb8, CODE
	movl $0x11111111, CODE + 1
	movb $0xc3, CODE + 5
	movl $CODE, %ebx
	call *%ebx
	SHOW "call 1", %eax
	movl $0x22222222, CODE + 1
	call *%ebx
	SHOW "call 2", %eax
	movb $0x40, CODE		# "inc %eax" before the mov: now
	movb $0xb8, CODE + 1		# inc; mov $imm, %eax; ret
	movl $0x33333333, CODE + 2
	movb $0xc3, CODE + 6
	call *%ebx
	SHOW "call 3", %eax
	# the next instruction patched by the one before it (in RAM)
	movl $(BASE + patch_tmpl), %esi
	movl $(CODE + 0x100), %edi
	movl $(patch_end - patch_tmpl), %ecx
	rep movsb			# code written by a string instruction
	movl $(CODE + 0x100), %ebx
	movl $0x12345678, CODE + 0x100 + (2f - patch_tmpl) + 1
	call *%ebx
	SHOW "next insn patched", %eax
	movl $0x12345678, CODE + 0x100 + (2f - patch_tmpl) + 1
	call *%ebx
	SHOW "again", %eax
	# paging: CODE + 0x1000 also mapped at 0x400000; patch one, run other
	movl $PD, %edi
	xorl %eax, %eax
	movl $2048, %ecx
	rep stosl
	movl $PT, %edi
	movl $3, %eax
	movl $1024, %ecx
1:	stosl
	addl $0x1000, %eax
	loop 1b
	movl $(PT | 3), PD
	movl $(PT + 0x1000 | 3), PD + 4
	movl $((CODE + 0x1000) | 3), PT + 0x1000	# 0x400000 -> CODE+0x1000
	movl $PD, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	jmp 1f
1:	movb $0xb8, CODE + 0x1000
	movl $0x44444444, CODE + 0x1001
	movb $0xc3, CODE + 0x1005
	movl $0x400000, %ebx
	call *%ebx
	SHOW "alias 1", %eax
	movl $0x55555555, CODE + 0x1001	# written through the identity map
	call *%ebx
	SHOW "alias 2", %eax
	movl $0x66666666, 0x400001	# written through the alias
	movl $(CODE + 0x1000), %ecx
	call *%ecx
	SHOW "alias 3", %eax
	# remap 0x400000 to another frame holding other code
	movb $0xb8, CODE + 0x2000
	movl $0x77777777, CODE + 0x2001
	movb $0xc3, CODE + 0x2005
	movl $((CODE + 0x2000) | 3), PT + 0x1000
	invlpg 0x400000
	call *%ebx
	SHOW "remapped", %eax
	jmp sys_done

# copied to RAM: the MOVB rewrites the immediate of the next instruction
patch_tmpl:
	movb $0x99, CODE + 0x100 + (2f - patch_tmpl) + 1
2:	movl $0x12345678, %eax
	ret
patch_end:

	SYS_COMMON
	SYS_RESET
