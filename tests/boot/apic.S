# SPDX-License-Identifier: GPL-2.0-only
# apic.S --- local APIC and I/O APIC in 32-bit protected mode, compared
# with QEMU's: the 8259 through LINT0 in virtual wire mode (ExtINT), the
# APIC timer (periodic, divide by 1), a self-IPI held back by TPR until it
# is lowered, the PIT on I/O APIC pin 2 (the ISA IRQ0 override) and the
# register values both machines must agree on (ID, version, LVT reset
# state, I/O APIC version, a redirection entry read back).  Each step
# prints one line; a wrong value or a missing interrupt fails.
	.include "boot.inc"
	.set BASE, 0xf0000
	.set LAPIC, 0xfee00000
	.set IOAPIC, 0xfec00000
	.set IDT, 0x1000		# 256 gates in low RAM
	.set COUNT, 0x800		# interrupts seen by the handlers
	.set LASTVEC, 0x804		# vector of the last one
start:
	SETUP
	movb $0x11, %al			# 8259s: vectors 0x20 / 0x28
	outb %al, $0x20
	outb %al, $0xa0
	movb $0x20, %al
	outb %al, $0x21
	movb $0x28, %al
	outb %al, $0xa1
	movb $0x04, %al
	outb %al, $0x21
	movb $0x02, %al
	outb %al, $0xa1
	movb $0x01, %al
	outb %al, $0x21
	outb %al, $0xa1
	movb $0xff, %al			# all masked for now
	outb %al, $0x21
	outb %al, $0xa1
	movb $0x34, %al			# PIT counter 0: mode 2, 1 kHz
	outb %al, $0x43
	movb $0xa9, %al
	outb %al, $0x40
	movb $0x04, %al
	outb %al, $0x40
	ENTER_PM32
	# IDT: every vector to `unexpected`, then the expected ones
	movl $IDT, %edi
	movl $(BASE + unexpected), %eax
	movl $256, %ecx
1:	call setgate
	addl $8, %edi
	loop 1b
	movl $(IDT + 0x20 * 8), %edi
	movl $(BASE + pic_irq), %eax
	call setgate
	movl $(BASE + apic_irq), %eax
	movl $(IDT + 0x40 * 8), %edi
	call setgate
	movl $(IDT + 0x41 * 8), %edi
	call setgate
	movl $(IDT + 0x50 * 8), %edi
	call setgate
	lidtl (BASE + idtr)

	# registers after reset
	movl $(BASE + m_id), %esi
	movl LAPIC + 0x20, %eax
	call putreg
	movl $(BASE + m_ver), %esi
	movl LAPIC + 0x30, %eax
	call putreg
	movl $(BASE + m_lint0), %esi
	movl LAPIC + 0x350, %eax
	call putreg
	movl $(BASE + m_svr), %esi
	movl LAPIC + 0xf0, %eax
	call putreg
	movl $(BASE + m_msr), %esi
	movl $0x1b, %ecx
	rdmsr
	call putreg

	# virtual wire: the 8259's IRQ0 through LINT0 (ExtINT)
	movl $0x1ff, LAPIC + 0xf0	# SVR: enabled, spurious 0xff
	movl $0x700, LAPIC + 0x350	# LINT0 ExtINT
	movl $0x400, LAPIC + 0x360	# LINT1 NMI
	movb $0xfe, %al
	outb %al, $0x21
	movl $5, %ebx
	movl $0x20, %edx
	call wait_irqs
	movb $0xff, %al
	outb %al, $0x21
	movl $(BASE + m_pic), %esi
	call puts32

	# APIC timer: periodic, vector 0x40, 200000 bus clocks
	movl $0xb, LAPIC + 0x3e0	# divide by 1
	movl $0x20040, LAPIC + 0x320
	movl $200000, LAPIC + 0x380
	movl $5, %ebx
	movl $0x40, %edx
	call wait_irqs
	movl $0x10040, LAPIC + 0x320	# masked, one-shot
	movl $0, LAPIC + 0x380		# stopped
	movl $(BASE + m_timer), %esi
	movl LAPIC + 0x390, %eax	# current count 0
	call putreg

	# a self-IPI below TPR waits in IRR until TPR drops
	cli
	movl $0x50, LAPIC + 0x80
	movl $0x00040041, LAPIC + 0x300	# fixed 0x41 to self
	movl $(BASE + m_irr), %esi
	movl LAPIC + 0x220, %eax	# IRR vectors 0x40-0x5f
	call putreg
	movl $(BASE + m_ppr), %esi
	movl LAPIC + 0xa0, %eax
	call putreg
	movl $0, COUNT
	sti
	nop
	nop
	cmpl $0, COUNT
	jne fail
	movl $0, LAPIC + 0x80		# TPR 0: deliverable now
	movl $100000, %ecx		# (QEMU TCG takes it a few
1:	cmpl $0, COUNT			#  instructions later)
	loopz 1b
	cli
	cmpl $1, COUNT
	jne fail
	cmpl $0x41, LASTVEC
	jne fail
	movl $(BASE + m_ipi), %esi
	call puts32

	# I/O APIC: version, pin 2 (ISA IRQ0) -> vector 0x50, edge
	movl $(BASE + m_iover), %esi
	movl $1, IOAPIC
	movl IOAPIC + 0x10, %eax
	call putreg
	movl $0x15, IOAPIC		# destination APIC 0
	movl $0, IOAPIC + 0x10
	movl $0x14, IOAPIC
	movl $0x50, IOAPIC + 0x10
	movl $(BASE + m_redir), %esi
	movl IOAPIC + 0x10, %eax
	call putreg
	movl $3, %ebx
	movl $0x50, %edx
	call wait_irqs
	movl $0x14, IOAPIC
	movl $0x10050, IOAPIC + 0x10	# masked again
	movl $(BASE + m_io), %esi
	call puts32

	movl $(BASE + pass32), %esi
	call puts32
	movb $0, %al
	jmp exit32
fail:
	movl $(BASE + fail32), %esi
	call puts32
	movb $1, %al
exit32:
	movw $0x501, %dx
	outb %al, %dx
	hlt

# wait_irqs: take %ebx interrupts, all with vector %edx (STI/HLT loop)
wait_irqs:
	movl $0, COUNT
	sti
1:	hlt
	cmpl $0, COUNT
	je 1b
	cli
	cmpl %edx, LASTVEC
	jne fail
	movl $0, COUNT
	sti
	decl %ebx
	jnz 1b
	cli
	ret

# setgate: 32-bit interrupt gate at %edi to handler %eax
setgate:
	movw %ax, (%edi)
	movw $0x08, 2(%edi)
	movw $0x8e00, 4(%edi)
	pushl %eax
	shrl $16, %eax
	movw %ax, 6(%edi)
	popl %eax
	ret

pic_irq:
	movl $0x20, LASTVEC
	incl COUNT
	pushl %eax
	movb $0x20, %al
	outb %al, $0x20
	popl %eax
	iret

# the APIC's vector is the highest bit of ISR (only one in service here)
apic_irq:
	pushl %eax
	pushl %ecx
	movl $7, %ecx
1:	movl %ecx, %eax
	shll $4, %eax
	movl LAPIC + 0x100(%eax), %eax
	testl %eax, %eax
	jnz 2f
	loop 1b
2:	bsrl %eax, %eax
	shll $5, %ecx
	addl %ecx, %eax
	movl %eax, LASTVEC
	incl COUNT
	movl $0, LAPIC + 0xb0		# EOI
	popl %ecx
	popl %eax
	iret

unexpected:
	movl $(BASE + m_unexp), %esi
	call puts32
	jmp fail

	PM32_CONSOLE
	.code16

	FLAT_GDT
idtr:
	.word 256 * 8 - 1
	.long IDT
m_id:	.asciz "apic id "
m_ver:	.asciz "apic version "
m_lint0: .asciz "lint0 at reset "
m_svr:	.asciz "svr at reset "
m_msr:	.asciz "apic base msr "
m_pic:	.asciz "8259 through lint0: 5 irqs\r\n"
m_timer: .asciz "apic timer: 5 irqs, count after stop "
m_irr:	.asciz "ipi held by tpr, irr "
m_ppr:	.asciz "ppr "
m_ipi:	.asciz "ipi delivered after tpr 0\r\n"
m_iover: .asciz "ioapic version "
m_redir: .asciz "ioapic pin 2 "
m_io:	.asciz "ioapic pin 2: 3 irqs\r\n"
m_unexp: .asciz "unexpected interrupt\r\n"
pass32:	.asciz "PASS apic\r\n"
fail32:	.asciz "FAIL apic\r\n"

	COMMON_CODE
test_name:	.asciz "apic"
	RESET_VECTOR
