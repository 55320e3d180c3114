# SPDX-License-Identifier: GPL-2.0-only
# smp.S --- start the application processors with INIT-SIPI-SIPI from the
# BSP's local APIC (ICR, all-excluding-self shorthand), as firmware and
# operating systems do (SDM vol. 3, 8.4.4).  Each AP starts in real mode at
# the SIPI's page (vector 0xf1: offset 0x1000 of this image, shadowed at
# 0xf1000), sets its bit (CPUID.1:EBX[31:24], the initial APIC ID) in a
# mask with a locked OR, counts itself with a locked INC and halts.  The
# BSP waits for the count and prints the mask: "cpus 00000003" for two
# vCPUs (QEMU -smp 2, dualvm --cpus 2).  A second SIPI must not restart an
# AP that already runs (the count stays the number of APs).
	.include "boot.inc"
	.set BASE, 0xf0000
	.set LAPIC, 0xfee00000
	.set MASK, 0x900		# bit n: APIC ID n ran
	.set COUNT, 0x904		# APs started
start:
	SETUP
	movl $0, MASK
	movl $0, COUNT
	ENTER_PM32
	movl $1, %eax
	cpuid
	shrl $24, %ebx			# the BSP's APIC ID
	btsl %ebx, MASK
	movl $0x1ff, LAPIC + 0xf0	# SVR: APIC enabled
	movl $0x000c4500, LAPIC + 0x300	# INIT to all but self
	movl $0x000c46f1, LAPIC + 0x300	# SIPI, start page 0xf1000
	movl $50000000, %ecx		# wait for the first AP
1:	cmpl $0, COUNT
	loopz 1b
	movl $0x000c46f1, LAPIC + 0x300	# the second SIPI (ignored)
	movl $2000000, %ecx		# let any other AP count itself
2:	loop 2b
	movl $(BASE + m_cpus), %esi
	movl MASK, %eax
	call putreg
	movl $(BASE + m_aps), %esi
	movl COUNT, %eax
	call putreg
	movl $(BASE + pass32), %esi
	call puts32
	movb $0, %al
	movw $0x501, %dx
	outb %al, %dx
	hlt

	PM32_CONSOLE
	.code16

	FLAT_GDT
m_cpus:	.asciz "cpus "
m_aps:	.asciz "aps started "
pass32:	.asciz "PASS smp\r\n"

	COMMON_CODE
test_name:	.asciz "smp"

# the APs' entry: CS = 0xf100, IP = 0, real mode
	.org 0x1000
ap_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movl $1, %eax
	cpuid
	shrl $24, %ebx
	lock btsl %ebx, MASK
	lock incl COUNT
1:	hlt
	jmp 1b
	RESET_VECTOR
