# SPDX-License-Identifier: GPL-2.0-only
# mmio.S --- a hostile guest on the MMIO side: from flat 32-bit protected
# mode, write garbage over the VGA window, the BIOS ROM at the top of 4 GiB,
# the APIC pages, the PCI hole and memory beyond RAM, then check the ROM
# still reads back unchanged and unbacked memory reads as all ones.
	.include "boot.inc"
	.set BASE, 0xf0000
start:
	SETUP
	ENTER_PM32
	movl 0xfffffff0, %ebp		# ROM bytes before the attack
	movl $targets_end - targets, %ecx
	shrl $2, %ecx
	movl $(BASE + targets), %esi
1:	lodsl				# each target: 64 dwords of garbage
	movl %eax, %edi
	pushl %ecx
	movl $64, %ecx
2:	movl $0xdeadbeef, (%edi)
	movb $0xa5, 1(%edi)
	movw $0x5a5a, 2(%edi)
	addl $4, %edi
	loop 2b
	popl %ecx
	loop 1b
	movb $0, %bl
	cmpl 0xfffffff0, %ebp		# ROM unchanged?
	je 3f
	movb $1, %bl
3:	cmpl $0xffffffff, 0xd0000000	# beyond RAM: all ones
	je 4f
	movb $2, %bl
4:	movl $(BASE + pass32), %esi
	testb %bl, %bl
	jz 5f
	movl $(BASE + fail32), %esi
5:	lodsb
	testb %al, %al
	jz 6f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 5b
6:	testb %bl, %bl
	jz 7f
	movb %bl, %al			# the failed check's number
	addb $'0', %al
	movw $0x3f8, %dx
	outb %al, %dx
7:	movb %bl, %al
	movw $0x501, %dx
	outb %al, %dx
	hlt

	.p2align 2
targets:
	.long 0xa0000, 0xb8000, 0xbff00	# VGA window
	.long 0xfffffe00, 0xfffe0000	# BIOS ROM (read-only)
	.long 0xfec00000, 0xfee00000	# I/O APIC, local APIC
	.long 0xe0000000, 0xfebff000	# PCI hole
	.long 0x20000000		# beyond 256 MiB of RAM
targets_end:
	.code16
	FLAT_GDT
pass32:	.asciz "PASS mmio\r\n"
fail32:	.asciz "FAIL mmio: check 1 (ROM unchanged) or 2 (unbacked memory reads all ones) failed: "

	COMMON_CODE
test_name:	.asciz "mmio"
	RESET_VECTOR
