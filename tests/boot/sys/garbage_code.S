# SPDX-License-Identifier: GPL-2.0-only
# garbage_code.S --- pseudo-random code in ring 3 (issue 14: a garbage-code
# guest must not crash the binary translator, and must give the same
# results under --engine bt and --engine interp).
#
# 32-bit protected mode with 2-level paging: the first 4 MiB identity
# mapped for the supervisor only; at 2 GiB a few user pages (GARB, RO,
# STK below) among absent and supervisor pages; nothing else is mapped
# (at 2 GiB, a pointer to them used as a loop counter runs until the
# watchdog, whichever way it counts).  Every one of the 256 IDT vectors
# reaches a stub that pushes its number (and a dummy error code where the
# CPU pushes none) and jumps to g_common; the gates of vectors 3, 4 and
# 0x30..0xff have DPL 3 (INT n from ring 3 reaches them), the others
# DPL 0 (INT n raises #GP).  Ring 3 sees only the flat DPL-3 code and
# data segments, IOPL is 0 and the TSS has no I/O bitmap (every
# IN/OUT/CLI/STI raises #GP), CR4.TSD makes RDTSC privileged and CR0.NE
# reports x87 faults as #MF, so the garbage can neither escape nor read
# anything that is not deterministic.
#
# Each of ROUNDS rounds (xorshift32 PRNG with a fixed SEED, drawn from
# the same way whatever the earlier rounds did): fill the code page and
# the ring-3 stack page with PRNG bytes, in 3 rounds of 4 the first
# GEN_LEN bytes of the code with instructions picked from a table
# (gen_code: code the translator handles, with random operands), reload
# the x87 state (FRSTOR of a fixed image), pick the GPRs (random, small,
# or pointing near the user pages), ESP somewhere in the stack page,
# EFLAGS (the arithmetic flags and DF random, IF = 1, IOPL 0), DS/ES/FS/GS
# (the user data segment or null), and IRET to an EIP in the code page.
# The garbage runs until it raises an exception or executes INT n;
# g_common reloads the data segments (the garbage may have loaded
# anything it was allowed to) and adds the vector, error code, EIP, CS,
# EFLAGS (the flags ring 3 can change), ESP, SS, the other GPRs,
# DS/ES/FS/GS, CR2 for #PF and the contents of both writable user pages
# to a running FNV-1a checksum, and starts the next round.  An INT n
# executed with TF set may take its single-step trap at the first
# instruction of the handler, in ring 0 (the interpreter does): that
# round is recorded as vector 0x100 + n.
#
# Some garbage loops forever.  The 8254 (IRQ0, vector 0x20) is only a
# watchdog: its ticks in ring 3 are transparent (the handler returns to
# the garbage) until the round has seen WD_TICKS of them, i.e. has run
# for at least (WD_TICKS - 1) tick periods; the round is then abandoned
# and adds nothing to the checksum.  The transcript therefore does not
# depend on timing unless a round's garbage runs for about that long and
# then stops by itself: a loop whose 32-bit counter happens to be within
# a few million of its end, rare as the counters are random, small
# (8-bit) or at 2 GiB, or a loop that one engine runs more than a few
# times slower than the other (500 ms is generous: rounds that stop by
# themselves take microseconds).  Each abandoned round and their number
# are printed on '~' lines (not compared), to tell such a round from a
# difference.
#
# Build with `as --defsym ROUNDS=N --defsym SEED=X` (SYS_ASFLAGS of
# build.sh) for other runs; --defsym VERBOSE=1 prints each round's record
# and the checksum so far to find where two engines part, --defsym
# DUMP=N the registers, code bytes and stack of round N before it starts.
	.include "sys.inc"
	.ifndef ROUNDS
	.set ROUNDS, 3000
	.endif
	.ifndef SEED
	.set SEED, 0x2545f491
	.endif
	.ifndef VERBOSE
	.set VERBOSE, 0
	.endif
	.ifndef DUMP
	.set DUMP, 0
	.endif
	.set WD_TICKS, 251		# 250 periods of 2 ms at least
	.set PIT_COUNT, 2386		# 1193182 Hz / 2386: 2 ms

	.set V_SEED, 0x600		# PRNG state
	.set V_ROUND, 0x604		# rounds started
	.set V_HASH, 0x608		# the checksum
	.set V_RTICKS, 0x60c		# watchdog ticks in this round
	.set V_WDOG, 0x610		# rounds abandoned by the watchdog
	.set V_KIND, 0x614		# this round: random or generated code
	.set REC, 0x700			# the record of one round (REC_N dwords)
	.set REC_N, 18
	.set FRAME, 0x800		# GS FS ES DS, PUSHAL image, IRET frame
	.set FPU_IMG, 0x900		# FRSTOR image (108 bytes)
	.set HIST, 0x10000		# rounds ended by each vector
	.set PD, 0x20000
	.set PT, 0x21000
	.set PT2, 0x22000		# maps USER: the frames at PHYS
	.set USER, 0x80000000		# the user area: 7 pages, the first absent
	.set PHYS, 0x200000
	.set GARB, USER + 0x1000	# the garbage (user, writable)
	.set RO, USER + 0x3000		# user, read-only
	.set STK, USER + 0x4000		# ring-3 stack (user, writable)
	.set GEN_LEN, 2048		# generated code: its length at least
	.set FNV_PRIME, 16777619
	.set FNV_BASIS, 0x811c9dc5
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "garbage_code: start\n"
	movl $SEED, V_SEED
	movl $0, V_ROUND
	movl $FNV_BASIS, V_HASH
	movl $0, V_WDOG
	movl $HIST, %edi
	xorl %eax, %eax
	movl $512, %ecx
	rep stosl

	# the IDT: every vector to its stub, IRQ0 to the watchdog
	movl $IDT, %edi
	movl $(BASE + g_stubs), %edx
	xorl %ecx, %ecx
1:	movl %edx, %eax
	cmpl $0x20, %ecx
	jne 2f
	movl $(BASE + irq0), %eax
2:	movl %eax, %ebx
	andl $0xffff, %eax
	orl $(SEL_CODE << 16), %eax
	movl %eax, (%edi)
	andl $0xffff0000, %ebx
	orw $0x8e00, %bx		# interrupt gate, DPL 0
	cmpl $3, %ecx
	je 3f
	cmpl $4, %ecx
	je 3f
	cmpl $0x30, %ecx
	jb 4f
3:	orw $0x6000, %bx		# DPL 3
4:	movl %ebx, 4(%edi)
	addl $8, %edi
	addl $16, %edx
	incl %ecx
	cmpl $256, %ecx
	jb 1b

	# page tables: supervisor identity map, the user area
	movl $PD, %edi
	xorl %eax, %eax
	movl $1024, %ecx
	rep stosl
	movl $PT, %edi
	movl $3, %eax			# P RW, supervisor
	movl $1024, %ecx
1:	stosl
	addl $0x1000, %eax
	loop 1b
	movl $(PT | 7), PD
	movl $PT2, %edi
	xorl %eax, %eax
	movl $1024, %ecx
	rep stosl				# USER, USER + 0x2000: absent
	movl $(PHYS + 0x1000 + 7), PT2 + 4	# user RW: the garbage
	movl $(PHYS + 0x3000 + 5), PT2 + 12	# user read-only
	movl $(PHYS + 0x4000 + 7), PT2 + 16	# user RW: the stack
	movl $(PHYS + 0x5000 + 3), PT2 + 20	# supervisor RW
	movl $(PT2 | 7), PD + 4 * (USER >> 22)
	movl $(PHYS + 0x3000), %edi		# the read-only page's bytes
	movl $1024, %ecx
1:	call rand
	stosl
	loop 1b
	# the x87 image: FCW 037F, FSW 0, all registers empty and zero
	movl $FPU_IMG, %edi
	xorl %eax, %eax
	movl $27, %ecx
	rep stosl
	movl $0x037f, FPU_IMG
	movl $0xffff, FPU_IMG + 8

	# a local APIC routes the 8259 through LINT0: virtual wire (as pic.S)
	movl $1, %eax
	cpuid
	btl $9, %edx
	jnc 1f
	movl $0x1ff, 0xfee000f0
	movl $0x700, 0xfee00350
	movl $0x400, 0xfee00360
1:	movl %cr4, %eax
	orl $0x4, %eax			# TSD: RDTSC only at CPL 0
	movl %eax, %cr4
	movl $PD, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	andl $~0x40004, %eax		# no AM, no EM
	orl $0x80010022, %eax		# PG, WP, NE, MP
	movl %eax, %cr0
	jmp 1f
1:
	# the 8259 (vectors 0x20/0x28, IRQ0 only) and 8254 counter 0
	movb $0x11, %al
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
	movb $0xfe, %al
	outb %al, $0x21
	movb $0xff, %al
	outb %al, $0xa1
	movb $0x34, %al			# counter 0, lo/hi, mode 2
	outb %al, $0x43
	movb $(PIT_COUNT & 0xff), %al
	outb %al, $0x40
	movb $(PIT_COUNT >> 8), %al
	outb %al, $0x40

# next_round: ring 0, IF = 0, any ESP, flat DS/ES
next_round:
	movl $STACK0, %esp
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	cld
	cmpl $ROUNDS, V_ROUND
	jae finish
	incl V_ROUND
	movl $GARB, %edi		# the garbage
	movl $1024, %ecx
1:	call rand
	stosl
	loop 1b
	call rand			# 3 in 4: instructions at its start
	movl %eax, V_KIND
	testl $3, %eax
	jz 1f
	call gen_code
1:	movl $STK, %edi			# the stack's contents
	movl $1024, %ecx
1:	call rand
	stosl
	loop 1b
	fninit				# (no wait: drops a pending x87 fault)
	frstor FPU_IMG
	# the GPRs, in PUSHAL order (EDI first); ESP's slot is ignored
	movl $(FRAME + 16), %edi
	movl $8, %ecx
1:	call rand_reg
	stosl
	loop 1b
	call rand			# EIP: anywhere; for generated code
	andl $0xfff, %eax		# 1 in 2 at the start, else in the first
	testl $3, V_KIND		# 512 bytes
	jz 1f
	andl $0x1ff, %eax
	testl $4, V_KIND
	jz 1f
	xorl %eax, %eax
1:	addl $GARB, %eax
	movl %eax, FRAME + 48
	movl $SEL_UCODE, FRAME + 52
	call rand			# EFLAGS: IF, IOPL 0, random flags
	andl $0xcd5, %eax
	orl $0x202, %eax
	movl %eax, FRAME + 56
	call rand			# ESP: anywhere in the stack page
	andl $0xfff, %eax
	addl $STK, %eax
	movl %eax, FRAME + 60
	movl $SEL_UDATA, FRAME + 64
	call rand			# GS FS ES DS: user data or null
	movl $FRAME, %edi
	movl $4, %ecx
1:	movl $SEL_UDATA, %edx
	testl $0x70000, %eax		# 1 in 8 null
	jnz 2f
	xorl %edx, %edx
2:	movl %edx, (%edi)
	addl $4, %edi
	rorl $3, %eax
	loop 1b
	.if DUMP
	cmpl $DUMP, V_ROUND
	jne 2f
	PRINT "dump: frame"
	movl $FRAME, %esi		# GS FS ES DS EDI ESI EBP - EBX EDX ECX
	movl $17, %ecx			# EAX EIP CS EFLAGS ESP SS
1:	call putsp32
	lodsl
	call puthex32
	loop 1b
	PRINT "\ndump: code"
	movl FRAME + 48, %esi
	movl $48, %ecx
1:	call putsp32
	lodsb
	call puthex8
	loop 1b
	PRINT "\ndump: stack"
	movl FRAME + 60, %esi
	movl $8, %ecx
1:	call putsp32
	lodsl
	call puthex32
	loop 1b
	call putnl32
2:
	.endif
	movl $0, V_RTICKS
	movl $FRAME, %esp
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	iret

# gen_code: instructions picked from `ttab` with random operands (ModRM
# 3 in 4 a register, else [reg + disp8] with a random SIB), 1 in 16 a
# random byte instead, over the first GEN_LEN bytes of the garbage page:
# code the translator handles, with faults, undefined flags and
# self-modification among it.
gen_code:
	pushal
	movl $GARB, %edi
1:	call rand
	testb $0xf, %al
	jnz 2f
	movb %ah, %al			# a random byte
	stosb
	jmp 9f
2:	movl $((ttab_end - ttab) / 4), %edx
	mull %edx			# %edx: an index into ttab
	leal BASE + ttab(, %edx, 4), %esi
	movzbl (%esi), %ebx
	movl %ebx, %ecx
	shrl $4, %ecx			# the opcode's length
	andl $15, %ebx			# the kind of operands
	incl %esi
	rep movsb
	call rand
	cmpl $T_MODRM, %ebx
	jb 9f
	cmpl $T_I8, %ebx
	jae 5f
	movl %eax, %edx			# ModRM: reg, rm random
	andb $0x3f, %al
	testl $0x03000000, %edx
	jz 3f
	orb $0xc0, %al			# mod 3: a register
	stosb
	jmp 4f
3:	orb $0x40, %al			# mod 1: [reg + disp8]
	stosb
	andb $7, %al
	cmpb $4, %al
	jne 6f
	movb %dh, %al			# SIB
	stosb
6:	shrl $16, %edx			# disp8
	movb %dl, %al
	stosb
4:	call rand
	cmpl $T_MODRM, %ebx
	je 9f
5:	stosb				# imm8 (T_MODRM_I8, T_I8)
	cmpl $T_MODRM_I8, %ebx
	je 9f
	cmpl $T_I8, %ebx
	je 9f
	decl %edi			# imm32 (T_MODRM_I32, T_I32)
	stosl
9:	cmpl $(GARB + GEN_LEN), %edi
	jb 1b
	popal
	ret

	# operand kinds of ttab entries
	.set T_NONE, 0
	.set T_MODRM, 1
	.set T_MODRM_I8, 2
	.set T_MODRM_I32, 3
	.set T_I8, 4
	.set T_I32, 5
	# T kind, opcode bytes (1..3)
	.macro T kind, b0, b1, b2
	.ifb \b1
	.byte \kind | (1 << 4), \b0, 0, 0
	.else
	.ifb \b2
	.byte \kind | (2 << 4), \b0, \b1, 0
	.else
	.byte \kind | (3 << 4), \b0, \b1, \b2
	.endif
	.endif
	.endm
	.balign 4
ttab:
	.irp op, 0x00,0x01,0x02,0x03,0x08,0x09,0x0a,0x0b,0x10,0x11,0x12,0x13
	T T_MODRM, \op
	.endr
	.irp op, 0x18,0x19,0x1a,0x1b,0x20,0x21,0x22,0x23,0x28,0x29,0x2a,0x2b
	T T_MODRM, \op
	.endr
	.irp op, 0x30,0x31,0x32,0x33,0x38,0x39,0x3a,0x3b,0x84,0x85,0x86,0x87
	T T_MODRM, \op
	.endr
	.irp op, 0x88,0x89,0x8a,0x8b,0x8b,0x8b,0x89,0x8d,0x8d,0xd0,0xd1,0xd2,0xd3
	T T_MODRM, \op
	.endr
	.irp op, 0xd3,0xf6,0xf7,0xf7,0xfe,0xff
	T T_MODRM, \op
	.endr
	.irp op, 0x80,0x83,0x83,0xc0,0xc1,0xc1,0x6b,0xc6
	T T_MODRM_I8, \op
	.endr
	T T_MODRM_I32, 0x81
	T T_MODRM_I32, 0x69
	T T_MODRM_I32, 0xc7
	.irp op, 0xaf,0xaf,0xb6,0xb7,0xbe,0xbf,0xbc,0xbd,0xa3,0xab,0xb3,0xbb
	T T_MODRM, 0x0f, \op
	.endr
	.irp op, 0xa5,0xad,0x42,0x44,0x4c,0x4f,0x92,0x94,0x9c,0x9f,0xc0,0xc1
	T T_MODRM, 0x0f, \op
	.endr
	T T_MODRM, 0x0f, 0xb0
	T T_MODRM, 0x0f, 0xb1
	T T_MODRM_I8, 0x0f, 0xba
	T T_MODRM_I8, 0x0f, 0xa4
	T T_MODRM_I8, 0x0f, 0xac
	T T_MODRM, 0x66, 0x01
	T T_MODRM, 0x66, 0x8b
	T T_MODRM, 0x66, 0xd3
	T T_MODRM_I8, 0x66, 0xc1
	T T_MODRM, 0x66, 0x0f, 0xaf
	T T_MODRM, 0x66, 0x0f, 0xbc
	.irp op, 0x40,0x43,0x46,0x48,0x49,0x4f,0x50,0x51,0x53,0x56,0x58,0x59
	T T_NONE, \op
	.endr
	.irp op, 0x5b,0x5e,0x90,0x93,0x98,0x99,0xf5,0xf8,0xf9,0xfc,0xfd,0x9c
	T T_NONE, \op
	.endr
	.irp op, 0x9d,0x9e,0x9f,0x27,0x2f,0x37,0x3f,0xa4,0xa5,0xa6,0xa7,0xaa
	T T_NONE, \op
	.endr
	.irp op, 0xab,0xac,0xad,0xae,0xaf,0xc3,0xc9
	T T_NONE, \op
	.endr
	T T_NONE, 0xf3, 0xa4
	T T_NONE, 0xf3, 0xab
	T T_NONE, 0xf3, 0xa6
	T T_NONE, 0xf2, 0xae
	T T_NONE, 0x0f, 0xc9
	T T_NONE, 0x0f, 0xa2		# CPUID
	.irp op, 0x26,0x2e,0x36,0x3e,0x64,0x65,0x66,0x67,0xf0,0xf2,0xf3	# prefixes
	T T_NONE, \op
	.endr
	.irp op, 0x06,0x07,0x1e,0x1f	# segment registers
	T T_NONE, \op
	.endr
	.irp op, 0xa0,0xa1,0xa8,0xa9
	T T_NONE, 0x0f, \op
	.endr
	T T_MODRM, 0x8c
	T T_MODRM, 0x8e
	T T_MODRM, 0x8e
	.irp op, 0x04,0x0c,0x24,0x2c,0x34,0x3c,0xa8,0x6a,0xb0,0xb3,0xd4,0xd5
	T T_I8, \op
	.endr
	.irp op, 0x70,0x72,0x74,0x75,0x76,0x7c,0x7e,0x7f,0xeb,0xe2,0xe3
	T T_I8, \op
	.endr
	.irp op, 0x05,0x0d,0x25,0x2d,0x35,0x3d,0xa9,0x68,0xb8,0xbb,0xbe,0xbf
	T T_I32, \op
	.endr
	T T_I32, 0xe8
	T T_I32, 0x0f, 0x84
ttab_end:

# rand: next xorshift32 value in %eax
rand:
	pushl %edx
	movl V_SEED, %eax
	movl %eax, %edx
	shll $13, %edx
	xorl %edx, %eax
	movl %eax, %edx
	shrl $17, %edx
	xorl %edx, %eax
	movl %eax, %edx
	shll $5, %edx
	xorl %edx, %eax
	movl %eax, V_SEED
	popl %edx
	ret

# rand_reg: a register value in %eax: random, small, a selector, or near
# the user pages
rand_reg:
	pushl %edx
	call rand
	movl %eax, %edx
	call rand
	testb $1, %dl
	jz 1f				# 1 in 2: any value
	testb $2, %dl
	jz 2f
	andl $0x7fff, %eax		# 1 in 4: in or around the user area
	addl $(USER - 0x1000), %eax
	jmp 1f
2:	andl $0xff, %eax		# 1 in 8: small
	testb $4, %dl
	jz 1f
	andl $0x33, %eax		# 1 in 8: a selector, often 0x33 or 0
1:	popl %edx
	ret

# fnv: the checksum over %ecx bytes at %esi
fnv:
	pushl %eax
	pushl %edx
	movl V_HASH, %eax
1:	movzbl (%esi), %edx
	xorl %edx, %eax
	imull $FNV_PRIME, %eax, %eax
	incl %esi
	loop 1b
	movl %eax, V_HASH
	popl %edx
	popl %eax
	ret

# fnv_page: the checksum over the 1024 dwords of the page at %esi (a dword
# at a time: 4 KiB byte by byte would cost the interpreter too much)
fnv_page:
	pushl %eax
	pushl %ecx
	movl V_HASH, %eax
	movl $1024, %ecx
1:	xorl (%esi), %eax
	imull $FNV_PRIME, %eax, %eax
	addl $4, %esi
	loop 1b
	movl %eax, V_HASH
	popl %ecx
	popl %eax
	ret

# IRQ0: the watchdog.  From ring 3 (IF is 0 in ring 0) with any data
# segments: only SS (the ring-0 stack segment) is used.
irq0:
	pushl %eax
	movb $0x20, %al			# EOI
	outb %al, $0x20
	cmpw $SEL_UCODE, 8(%esp)		# (a pushed selector: 16 bits)
	jne irq0_ring0
	incl %ss:V_RTICKS
	cmpl $WD_TICKS, %ss:V_RTICKS
	jae 1f
	popl %eax
	iret				# transparent to the garbage
1:	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	cld
	incl V_WDOG
	PRINT "~wd "			# (not compared: names the round)
	movl V_ROUND, %eax
	call puthex32
	call putnl32
	jmp next_round

# g_common: frame = vector, error code, EIP, CS, EFLAGS, ESP, SS
g_common:
	cld				# (the gate keeps the garbage's DF)
	pushal				# 0(%esp) EDI .. 28(%esp) EAX, vector at 32
	xorl %eax, %eax
	movw %gs, %ax
	pushl %eax
	movw %fs, %ax
	pushl %eax
	movw %es, %ax
	pushl %eax
	movw %ds, %ax
	pushl %eax			# DS at 0, EDI at 16, vector at 48
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	leal 48(%esp), %ebp		# the frame: vector, error code, EIP ...
	cmpw $SEL_UCODE, 12(%ebp)
	je 1f
	# The single-step trap of an INT n (INTO, INT3) executed with TF set
	# from ring 3, taken at the first instruction of the handler in
	# ring 0 (the interpreter does so):
	# recorded as vector 0x100 + n with the ring-3 frame underneath.
	cmpl $1, (%ebp)
	jne g_ring0
	cmpw $SEL_CODE, 12(%ebp)
	jne g_ring0
	movl 8(%ebp), %eax
	subl $(BASE + g_stubs), %eax
	cmpl $(256 * 16), %eax
	jae g_ring0
	testl $15, %eax
	jnz g_ring0
	shrl $4, %eax
	cmpw $SEL_UCODE, 24(%ebp)	# the frame of INT n: no error code
	jne g_ring0
	orl $0x100, %eax
	movl %eax, 12(%ebp)		# vector', 0 over the #DB frame's CS, EFLAGS
	movl $0, 16(%ebp)
	addl $12, %ebp
1:	movl (%ebp), %eax		# the record: vector, error code, EIP, CS
	movl %eax, REC
	incl HIST(, %eax, 4)
	movl 4(%ebp), %eax
	movl %eax, REC + 4
	movl 8(%ebp), %eax
	movl %eax, REC + 8
	movzwl 12(%ebp), %eax
	movl %eax, REC + 12
	movl 16(%ebp), %eax		# EFLAGS: what ring 3 can change
	andl $0x44fd5, %eax		# AC NT DF TF OF SF ZF AF PF CF (+IF)
	movl %eax, REC + 16
	movl 20(%ebp), %eax		# ESP, SS
	movl %eax, REC + 20
	movzwl 24(%ebp), %eax
	movl %eax, REC + 24
	movl %esp, %esi			# DS ES FS GS EDI ESI EBP
	movl $(REC + 28), %edi
	movl $7, %ecx
	rep movsl
	addl $4, %esi			# (PUSHAL's ESP)
	movl $4, %ecx			# EBX EDX ECX EAX
	rep movsl
	xorl %eax, %eax			# CR2 for #PF
	cmpl $14, REC
	jne 1f
	movl %cr2, %eax
1:	movl %eax, REC + 68
	movl $REC, %esi
	movl $(REC_N * 4), %ecx
	call fnv
	movl $GARB, %esi
	call fnv_page
	movl $STK, %esi
	call fnv_page
	.if VERBOSE
	PRINT "r="
	movl V_ROUND, %eax
	call puthex32
	movl $REC, %esi
	movl $REC_N, %ecx
1:	call putsp32
	lodsl
	call puthex32
	loop 1b
	PRINT " h="
	movl V_HASH, %eax
	call puthex32
	call putnl32
	.endif
	jmp next_round

irq0_ring0:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	PRINT "SYSPROBE-ABORT: IRQ0 in ring 0\n"
	jmp sys_abort

# a fault in ring 0 is a bug of this payload or of the CPU
g_ring0:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	PRINT "SYSPROBE-ABORT: exception in ring 0: "
	movl 48(%esp), %eax
	call puthex32
	call putsp32
	movl 52(%esp), %eax
	call puthex32
	call putsp32
	movl 56(%esp), %eax
	call puthex32
	call putnl32
	jmp sys_abort

finish:
	PRINT "vectors:"
	xorl %ecx, %ecx
1:	cmpl $0, HIST(, %ecx, 4)
	je 2f
	call putsp32
	movl %ecx, %eax
	call puthex16
	movb $'=', %al
	call putc32
	movl HIST(, %ecx, 4), %eax
	call puthex32
2:	incl %ecx
	cmpl $512, %ecx
	jb 1b
	call putnl32
	PRINT "garbage_code rounds="
	movl V_ROUND, %eax
	call puthex32
	PRINT " checksum="
	movl V_HASH, %eax
	call puthex32
	call putnl32
	PRINT "~watchdog="
	movl V_WDOG, %eax
	call puthex32
	call putnl32
	jmp sys_done

# the 256 stubs, 16 bytes apart
	.balign 16
g_stubs:
	.set gv, 0
	.rept 256
	.balign 16
	.if (gv == 8) || ((gv >= 10) && (gv <= 14)) || (gv == 17)
	.else
	pushl $0
	.endif
	pushl $gv
	jmp g_common
	.set gv, gv + 1
	.endr

	SYS_COMMON
	SYS_RESET
