# SPDX-License-Identifier: GPL-2.0-only
# e1000_flood.S --- a hostile guest floods the e1000 (00:03.0) with
# malformed rings and descriptors through its I/O window (BAR1 IOADDR/
# IODATA): 64 KiB of pseudo-random bytes as descriptor memory at 0x10000,
# then thousands of random writes to the ring registers (bases inside and
# far outside RAM, lengths up to 1 MiB, heads and tails past the end),
# TDT kicks, interrupt causes, receive and transmit enabled, with the
# descriptor memory re-scrambled as it goes.  The machine must survive it:
# afterwards, once the PHY restarted autonegotiation, STATUS shows the link
# (polled: QEMU's comes up only after its autonegotiation timer) and EERD
# still reads the MAC's first EEPROM word
# (52:54 -> 0x5452).
	.include "boot.inc"
	.set IOB, 0xc100
	.set ROUNDS, 30000
start:
	SETUP
	movl $0x80001814, %eax		# BAR1 = 0xc100
	movl $IOB, %ebx
	call cfgwrite
	movl $0x80001804, %eax		# I/O decode + bus master
	movl $0x5, %ebx
	call cfgwrite
	movl $0x2545f491, %ebp		# xorshift32 state
	call scramble
	movl $0x100, %eax		# RCTL: EN UPE MPE LPE BAM
	movl $0x803a, %ebx
	call wreg
	movl $0x400, %eax		# TCTL: EN
	movl $0x2, %ebx
	call wreg
	movl $0xd0, %eax		# IMS: everything
	movl $0x1ffff, %ebx
	call wreg
	movw $ROUNDS, %cx
1:	call rnd
	movl %eax, %ebx
	andl $0xf, %eax
	shlw $1, %ax
	movw %ax, %si
	movzwl %cs:regs(%si), %eax	# a register from the table
	call shape			# %ebx: a value fit for it
	call wreg
	testw $0x3f, %cx		# now and then: new garbage, a kick
	jnz 2f
	call scramble
	movl $0x3818, %eax		# TDT
	call rnd
	movl %eax, %ebx
	andl $0x1ff, %ebx
	call wreg
2:	loop 1b
	movl $0x0000, %eax		# CTRL: no reset, link up
	movl $0x40, %ebx
	call wreg
	movl $0x20, %eax		# MDIC: PHY 1 control = restart AN
	movl $0x04201340, %ebx
	call wreg
	movl $0x100000, %ecx		# STATUS shows the link (QEMU's
11:	movl $0x8, %eax			# comes up after autonegotiation)
	call rreg
	testb $0x2, %al
	jnz 3f
	addr32 loop 11b
	FAIL no_link
3:	movl $0x14, %eax		# EERD word 0
	movl $0x1, %ebx
	call wreg
	movl $0x14, %eax
	call rreg
	shrl $16, %eax
	cmpw $0x5452, %ax
	je 4f
	FAIL no_eeprom
4:	movl $0x100, %eax		# receive and transmit off again
	xorl %ebx, %ebx
	call wreg
	movl $0x400, %eax
	call wreg
	PASS

# rnd: %eax = next xorshift32 value (state in %ebp)
rnd:
	movl %ebp, %eax
	shll $13, %eax
	xorl %eax, %ebp
	movl %ebp, %eax
	shrl $17, %eax
	xorl %eax, %ebp
	movl %ebp, %eax
	shll $5, %eax
	xorl %eax, %ebp
	movl %ebp, %eax
	ret

# scramble: 64 KiB of random bytes at 0x10000
scramble:
	pushw %es
	pushw %di
	movw $0x1000, %ax
	movw %ax, %es
	xorw %di, %di
5:	call rnd
	movl %eax, %es:(%di)
	addw $4, %di
	jnz 5b
	popw %di
	popw %es
	ret

# shape: %ebx (random) made into a value for register %eax: ring bases
# mostly in the garbage at 0x10000, sometimes anywhere; high halves mostly
# 0; lengths mostly < 16 KiB; heads and tails mostly < 512
shape:
	pushl %eax
	cmpw $0x2800, %ax
	je 6f
	cmpw $0x3800, %ax
	je 6f
	cmpw $0x2804, %ax
	je 7f
	cmpw $0x3804, %ax
	je 7f
	cmpw $0x2808, %ax
	je 8f
	cmpw $0x3808, %ax
	je 8f
	cmpw $0x2810, %ax
	je 9f
	cmpw $0x2818, %ax
	je 9f
	cmpw $0x3810, %ax
	je 9f
	cmpw $0x3818, %ax
	je 9f
	popl %eax
	ret
6:	testl $0x70000000, %ebx		# base: 1 in 8 anywhere
	jz 10f
	andl $0xfff0, %ebx
	orl $0x10000, %ebx
	jmp 10f
7:	testl $0x70000000, %ebx		# high half: 1 in 8 random
	jz 10f
	xorl %ebx, %ebx
	jmp 10f
8:	testl $0x70000000, %ebx		# length: 1 in 8 up to 1 MiB
	jz 10f
	andl $0x3f80, %ebx
	jmp 10f
9:	testl $0x70000000, %ebx		# head, tail: 1 in 8 random
	jz 10f
	andl $0x1ff, %ebx
10:	popl %eax
	ret

# wreg: register %eax = %ebx through IOADDR/IODATA
wreg:
	pushw %dx
	movw $IOB, %dx
	outl %eax, %dx
	movw $IOB + 4, %dx
	movl %ebx, %eax
	outl %eax, %dx
	popw %dx
	ret

# rreg: %eax = register %eax
rreg:
	pushw %dx
	movw $IOB, %dx
	outl %eax, %dx
	movw $IOB + 4, %dx
	inl %dx, %eax
	popw %dx
	ret

# cfgwrite: config dword at address %eax = %ebx
cfgwrite:
	movw $0xcf8, %dx
	outl %eax, %dx
	movw $0xcfc, %dx
	movl %ebx, %eax
	outl %eax, %dx
	ret

	COMMON_CODE
regs:	.word 0x2800, 0x2804, 0x2808, 0x2810, 0x2818, 0x3800, 0x3804, 0x3808
	.word 0x3810, 0x3818, 0x3818, 0x00c8, 0x00c4, 0x0100, 0x2818, 0x3818
test_name:	.asciz "e1000_flood"
no_link:	.asciz "STATUS lost the link after the flood"
no_eeprom:	.asciz "EERD does not read the MAC after the flood"
	RESET_VECTOR
