# SPDX-License-Identifier: GPL-2.0-only
# dma_slow.S --- the guest keeps its timer while a slow disk serves a long
# bus-master DMA read.  The 8254 interrupts at 1 kHz (IRQ0); the PIIX3 IDE
# bus master reads 512 sectors of the primary master into 0x10000-0x4ffff
# (READ DMA EXT, four 64 KiB PRDs); the payload counts the timer ticks
# between starting the bus master and the completion interrupt (IRQ14),
# and how often it saw BSY meanwhile, then checks the bus-master status
# (interrupt, not active, no error), the drive status (DRDY|DSC) and every
# sector (the test disk holds the sector number in its first dword and its
# complement in its last).  Prints "ticks XXXX bsy YYYY", then the verdict;
# fewer than MIN_TICKS ticks while the DMA was in flight is a FAIL.
# Needs a disk of at least 512 sectors (tests/unit/vmm/test_slow_dma.c).
	.include "boot.inc"
	.set TICKS, 0x500		# IRQ0 count
	.set DONE, 0x502		# IRQ14 count
	.set BSYSEEN, 0x504		# status reads with BSY set
	.set T0, 0x506			# TICKS when the bus master started
	.set PRD, 0x600			# PRD table, 4 entries
	.set BUFSEG, 0x1000		# DMA buffer 0x10000, 256 KiB
	.set NSECT, 512
	.set BM, 0xc000			# bus-master base we give BAR4
	.set MIN_TICKS, 50
start:
	SETUP
	movl $1, %eax			# a local APIC has LINT0 masked after
	cpuid				# reset: turn it off so the 8259
	btl $9, %edx			# drives INTR (as pit_irq.S does)
	jnc 0f
	movl $0x1b, %ecx		# IA32_APIC_BASE
	rdmsr
	andw $~0x800, %ax		# EN = 0
	wrmsr
0:
	movw $irq0, 0x20		# IVT vector 8 -> f000:irq0
	movw $0xf000, 0x22
	movw $irq14, 0x1d8		# vector 0x76 (slave IR6) -> f000:irq14
	movw $0xf000, 0x1da
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
	movb $0xfa, %al			# IRQ0 and the cascade
	outb %al, $0x21
	movb $0xbf, %al			# IRQ14
	outb %al, $0xa1
	movb $0x34, %al			# counter 0, lo/hi, mode 2
	outb %al, $0x43
	movb $0xa9, %al			# divisor 1193 = 0x04a9: 1 kHz
	outb %al, $0x40
	movb $0x04, %al
	outb %al, $0x40
	movl $0x80000920, %eax		# 00:01.1 BAR4 = BM
	movl $BM, %ebx
	call cfgwrite
	movl $0x80000904, %eax		# I/O decode + bus master
	movl $0x0005, %ebx
	call cfgwrite
	movw $PRD, %di			# 4 x 64 KiB from 0x10000, EOT last
	movl $(BUFSEG << 4), %eax
	movw $4, %cx
1:	movl %eax, (%di)
	movl $0, 4(%di)
	addl $0x10000, %eax
	addw $8, %di
	loop 1b
	movb $0x80, PRD + 31
	movw $0, TICKS
	movw $0, DONE
	movw $0, BSYSEEN
	movw $0x3f6, %dx		# interrupts on (nIEN clear)
	movb $0, %al
	outb %al, %dx
	movw $0x1f6, %dx		# master, LBA
	movb $0x40, %al
	outb %al, %dx
	movb $(NSECT >> 8), %al		# LBA48: previous (high) bytes ...
	call taskfile
	movb $(NSECT & 0xff), %al	# ... then current (low) ones
	call taskfile
	movw $0x1f7, %dx		# READ DMA EXT
	movb $0x25, %al
	outb %al, %dx
	movw $(BM + 4), %dx		# PRD table
	movl $PRD, %eax
	outl %eax, %dx
	movw $(BM + 2), %dx		# clear ERR and INTR
	movb $0x06, %al
	outb %al, %dx
	movw TICKS, %ax
	movw %ax, T0
	movw $BM, %dx			# start, device -> memory
	movb $0x09, %al
	outb %al, %dx
	sti
2:	cmpw $0, DONE
	jne 4f
	movw $0x3f6, %dx		# alternate status: BSY while in flight
	inb %dx, %al
	testb $0x80, %al
	jz 3f
	incw BSYSEEN
3:	hlt
	jmp 2b
4:	cli
	movw $BM, %dx			# stop the bus master
	movb $0x00, %al
	outb %al, %dx
	PUTS ticks_msg
	movw TICKS, %ax
	subw T0, %ax
	call puthex
	PUTS bsy_msg
	movw BSYSEEN, %ax
	call puthex
	PUTS crlf
	movw $(BM + 2), %dx		# INTR, not active, no error
	inb %dx, %al
	andb $0x07, %al
	cmpb $0x04, %al
	je 5f
	FAIL bad_bm
5:	movw $0x1f7, %dx
	inb %dx, %al
	cmpb $0x50, %al
	je 6f
	FAIL bad_status
6:	movw $BUFSEG, %ax		# every sector: n ... ~n
	xorl %ecx, %ecx
7:	movw %ax, %es
	cmpl %ecx, %es:0
	jne 8f
	movl %ecx, %edx
	notl %edx
	cmpl %edx, %es:508
	jne 8f
	addw $32, %ax
	incl %ecx
	cmpl $NSECT, %ecx
	jb 7b
	xorw %ax, %ax
	movw %ax, %es
	cmpw $0, BSYSEEN
	jne 9f
	FAIL no_bsy
8:	xorw %ax, %ax
	movw %ax, %es
	FAIL bad_data
9:	movw TICKS, %ax
	subw T0, %ax
	cmpw $MIN_TICKS, %ax
	jae 10f
	FAIL few_ticks
10:	PASS

# cfgwrite: config dword at address %eax = %ebx
cfgwrite:
	movw $0xcf8, %dx
	outl %eax, %dx
	movw $0xcfc, %dx
	movl %ebx, %eax
	outl %eax, %dx
	ret

# taskfile: sector count %al, LBA bytes 0 (one LBA48 register layer)
taskfile:
	movw $0x1f2, %dx
	outb %al, %dx
	movb $0, %al
	movw $0x1f3, %dx
	outb %al, %dx
	movw $0x1f4, %dx
	outb %al, %dx
	movw $0x1f5, %dx
	outb %al, %dx
	ret

irq0:
	pushw %ax
	incw TICKS
	movb $0x20, %al			# non-specific EOI
	outb %al, $0x20
	popw %ax
	iret

irq14:
	pushw %ax
	pushw %dx
	incw DONE
	movw $0x1f7, %dx		# reading status acknowledges INTRQ
	inb %dx, %al
	movb $0x20, %al			# EOI: slave, then master
	outb %al, $0xa0
	outb %al, $0x20
	popw %dx
	popw %ax
	iret

	COMMON_CODE
test_name:	.asciz "dma_slow"
ticks_msg:	.asciz "ticks "
bsy_msg:	.asciz " bsy "
bad_bm:		.asciz "bus-master status is not INTR only"
bad_status:	.asciz "drive status is not DRDY|DSC after the DMA"
bad_data:	.asciz "a sector does not hold its number"
no_bsy:		.asciz "BSY was never seen while the DMA was in flight"
few_ticks:	.asciz "the timer stalled while the DMA was in flight"
	RESET_VECTOR
