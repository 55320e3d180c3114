# SPDX-License-Identifier: GPL-2.0-only
# pit_irq.S --- 8254 counter 0 in mode 2 at 1 kHz drives IRQ0 through the
# 8259 pair: count 50 interrupts taken with STI/HLT, check the PIC's ISR is
# clear after each EOI and that a latched count is within the divisor.
# A CPU with a local APIC has LINT0 masked after reset: the payload turns
# the APIC off (IA32_APIC_BASE.EN = 0), so INTR is the 8259's alone.
	.include "boot.inc"
	.set TICKS, 0x500		# tick counter in low RAM
start:
	SETUP
	movl $1, %eax
	cpuid
	btl $9, %edx			# CPUID.1:EDX.APIC
	jnc 0f
	movl $0x1b, %ecx		# IA32_APIC_BASE
	rdmsr
	andw $~0x800, %ax		# EN = 0
	wrmsr
0:
	movw $irq0, 0x20		# IVT vector 8 -> f000:irq0
	movw $0xf000, 0x22
	movb $0x11, %al			# ICW1: edge, cascade, ICW4
	outb %al, $0x20
	outb %al, $0xa0
	movb $0x08, %al			# ICW2: vectors 0x08 / 0x70
	outb %al, $0x21
	movb $0x70, %al
	outb %al, $0xa1
	movb $0x04, %al			# ICW3: slave on IR2
	outb %al, $0x21
	movb $0x02, %al
	outb %al, $0xa1
	movb $0x01, %al			# ICW4: 8086 mode
	outb %al, $0x21
	outb %al, $0xa1
	movb $0xfe, %al			# only IRQ0 unmasked
	outb %al, $0x21
	movb $0xff, %al
	outb %al, $0xa1
	movb $0x34, %al			# counter 0, lo/hi, mode 2
	outb %al, $0x43
	movb $0xa9, %al			# divisor 1193 = 0x04a9
	outb %al, $0x40
	movb $0x04, %al
	outb %al, $0x40
	movw $0, TICKS
	sti
1:	hlt
	cmpw $50, TICKS
	jb 1b
	cli
	movb $0x0b, %al			# OCW3: read ISR
	outb %al, $0x20
	inb $0x20, %al
	testb %al, %al
	jz 2f
	FAIL isr_set
2:	movb $0x00, %al			# latch counter 0
	outb %al, $0x43
	inb $0x40, %al
	movb %al, %bl
	inb $0x40, %al
	movb %al, %bh
	cmpw $1193, %bx
	jbe 3f
	FAIL bad_count
3:	PASS

irq0:
	pushw %ax
	incw TICKS
	movb $0x20, %al			# non-specific EOI
	outb %al, $0x20
	popw %ax
	iret

	COMMON_CODE
test_name:	.asciz "pit_irq"
isr_set:	.asciz "ISR not clear after EOI"
bad_count:	.asciz "latched count above the divisor"
	RESET_VECTOR
