# SPDX-License-Identifier: GPL-2.0-only
# pic.S --- interrupt delivery in protected mode through the 8259 pair:
# 8254 counter 0 (IRQ0) woken from HLT, ISR set in the handler and clear
# after EOI, IRR pending while IF = 0 and delivered right after STI (+1
# instruction), #NP(vector*8+2+EXT) for an IRQ whose gate is not
# present, IRQs taken in ring 3 and in v8086 mode, REP MOVSB interrupted by timer ticks and still exact, and
# the RTC periodic interrupt through the slave (IRQ8, register C).  Tick
# counts are timing-dependent: only thresholds are printed.  With a local
# APIC (CPUID) the payload first sets up virtual-wire mode like a BIOS.
	.include "sys.inc"
	.set RTC_TICKS, 0x540
	.set ISR_IN, 0x544
	.set ISR_OUT, 0x548
	.set REGC, 0x54c
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "pic: start\n"
	# A CPU with a local APIC routes the 8259 through LINT0: program the
	# virtual-wire mode (LINT0 ExtINT, LINT1 NMI) as a BIOS does.
	movl $1, %eax
	cpuid
	btl $9, %edx
	jnc 1f
	movl $0x1ff, 0xfee000f0		# SVR: APIC enabled, vector 0xff
	movl $0x700, 0xfee00350		# LVT LINT0: ExtINT
	movl $0x400, 0xfee00360		# LVT LINT1: NMI
1:	SETGATE 0x20, irq0, 0x8e
	SETGATE 0x28, irq8, 0x8e
	movl $0, V_TICKS
	movl $0, RTC_TICKS
	movl $0xffffffff, ISR_IN
	movb $0x11, %al			# ICW1
	outb %al, $0x20
	outb %al, $0xa0
	movb $0x20, %al			# ICW2: vectors 0x20 / 0x28
	outb %al, $0x21
	movb $0x28, %al
	outb %al, $0xa1
	movb $0x04, %al			# ICW3
	outb %al, $0x21
	movb $0x02, %al
	outb %al, $0xa1
	movb $0x01, %al			# ICW4: 8086 mode
	outb %al, $0x21
	outb %al, $0xa1
	movb $0xfe, %al			# IRQ0 only
	outb %al, $0x21
	movb $0xff, %al
	outb %al, $0xa1
	inb $0x21, %al
	movzbl %al, %eax
	SHOW "imr", %eax
	movb $0x34, %al			# counter 0, lo/hi, mode 2, 1 kHz
	outb %al, $0x43
	movb $0xa9, %al
	outb %al, $0x40
	movb $0x04, %al
	outb %al, $0x40
	sti
1:	hlt
	cmpl $20, V_TICKS
	jb 1b
	cli
	PRINT "pit: 20 ticks through hlt\n"
	SHOW "isr in handler", ISR_IN
	SHOW "isr after eoi", ISR_OUT
	# IF = 0: the request waits in IRR, no tick is counted
	movl V_TICKS, %ebx
	movl $10000000, %ecx
1:	movb $0x0a, %al			# OCW3: read IRR
	outb %al, $0x20
	inb $0x20, %al
	testb $1, %al
	jnz 2f
	loop 1b
2:	andl $1, %eax
	SHOW "irr0 while cli", %eax
	subl V_TICKS, %ebx
	SHOW "ticks while cli", %ebx
	movl V_TICKS, %ebx
	sti
	nop
	cli
	cmpl V_TICKS, %ebx
	setb %al
	movzbl %al, %eax
	SHOW "delivered after sti", %eax
	# an IRQ through a gate that is not present: #NP with EXT = 1
	andb $0x7f, IDT + 0x20 * 8 + 5
	EXPECT 1f
	movl $~1, V_ERRMASK		# EXT: 1 per the SDM, QEMU 7.2 clears it
	sti
2:	hlt
	jmp 2b
1:	cli
	orb $0x80, IDT + 0x20 * 8 + 5
	movb $0x20, %al			# the IRQ was acknowledged: EOI it
	outb %al, $0x20
	# REP MOVSB interrupted by the timer
	movl $0x200000, %edi
	movl $0x20000, %ecx
	movl $0x01020304, %eax
1:	stosl
	addl $0x04040404, %eax
	loop 1b
	movl V_TICKS, %ebx
	movl $0x200000, %esi
	movl $0x300000, %edi
	movl $0x80000, %ecx
	sti
	rep movsb
	cli
	SHOW "movsb ecx", %ecx
	SHOW "movsb esi", %esi
	SHOW "movsb edi", %edi
	movl $0x200000, %esi
	movl $0x300000, %edi
	movl $0x20000, %ecx
	repe cmpsl
	SHOW "cmpsd ecx", %ecx
	# timer interrupts taken in ring 3 (stack switch) and in v8086 mode
	movl $0, V_TICKS
	EXPECT 1f
	TO_RING3 u_spin, 0x0202		# IF = 1, IOPL 0
u_spin:	cmpl $5, V_TICKS
	jb u_spin
	ud2				# back to ring 0
1:	PRINT "ring 3: 5 ticks\n"
	EXPECT 1f
	pushl $0			# GS FS DS ES
	pushl $0
	pushl $0
	pushl $0
	pushl $0			# SS:SP
	pushl $0x9800
	pushl $0x20202			# VM, IF, IOPL 0
	pushl $0xf000
	pushl $v_spin
	iret
1:	PRINT "v8086: 10 ticks\n"
	SHOW "isr after eoi", ISR_OUT
	# RTC periodic interrupt through the slave PIC
	movb $0xff, %al
	outb %al, $0x21
	movb $0x0a, %al			# register A: 1024 Hz
	outb %al, $0x70
	movb $0x26, %al
	outb %al, $0x71
	movb $0x0b, %al			# register B: PIE
	outb %al, $0x70
	inb $0x71, %al
	orb $0x40, %al
	movb %al, %ah
	movb $0x0b, %al
	outb %al, $0x70
	movb %ah, %al
	outb %al, $0x71
	movb $0x0c, %al			# clear pending flags
	outb %al, $0x70
	inb $0x71, %al
	movb $0xfb, %al			# IRQ2 (cascade) and IRQ8
	outb %al, $0x21
	movb $0xfe, %al
	outb %al, $0xa1
	sti
1:	hlt
	cmpl $5, RTC_TICKS
	jb 1b
	cli
	PRINT "rtc: 5 periodic interrupts via the slave\n"
	SHOW "regc & c0", REGC
	movb $0x0b, %al			# PIE off, everything masked
	outb %al, $0x70
	inb $0x71, %al
	andb $~0x40, %al
	movb %al, %ah
	movb $0x0b, %al
	outb %al, $0x70
	movb %ah, %al
	outb %al, $0x71
	movb $0xff, %al
	outb %al, $0x21
	outb %al, $0xa1
	SHOW "exceptions", V_COUNT
	jmp sys_done

irq0:
	pushl %ds			# null when coming from v8086 mode
	pushl %eax
	movw $SEL_DATA, %ax
	movw %ax, %ds
	cmpl $0xffffffff, ISR_IN
	jne 1f
	movb $0x0b, %al			# OCW3: read ISR
	outb %al, $0x20
	inb $0x20, %al
	movzbl %al, %eax
	movl %eax, ISR_IN
1:	incl V_TICKS
	movb $0x20, %al
	outb %al, $0x20
	movb $0x0b, %al
	outb %al, $0x20
	inb $0x20, %al
	movzbl %al, %eax
	movl %eax, ISR_OUT
	popl %eax
	popl %ds
	iret

	.code16
v_spin:	cmpw $10, V_TICKS
	jb v_spin
	ud2
	.code32

irq8:
	pushl %eax
	movb $0x0c, %al
	outb %al, $0x70
	inb $0x71, %al
	andl $0xc0, %eax
	movl %eax, REGC
	incl RTC_TICKS
	movb $0x20, %al
	outb %al, $0xa0
	outb %al, $0x20
	popl %eax
	iret

	SYS_COMMON
	SYS_RESET
