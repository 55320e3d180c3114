# SPDX-License-Identifier: GPL-2.0-only
# lm_paging.S --- 4-level paging in IA-32e mode (SDM vol. 3, 4.5, 4.7):
# accessed/dirty bits at every level, 2 MiB and 1 GiB pages, #PF error
# codes and CR2 for a not-present PTE, PDE and PML4E, writes to read-only
# pages with CR0.WP set and clear, user accesses to supervisor pages, NX
# fetches (EFER.NXE) in ring 0 and ring 3, reserved bits (above MAXPHYADDR,
# PS in a PML4E, the low bits of a 2 MiB page, XD without NXE), a
# non-canonical address -> #GP(0), INVLPG and CR3 reloads.
	.include "sys.inc"
	.include "lm.inc"
	.set PDPT2, 0x24000		# PML4[1]: 512 GiB
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "lm_paging: start\n"
	LM_ENTER long
	.code64
long:
	# accessed / dirty bits, 4 KiB page
	movq $0x11223344, %rax
	movq %rax, 0x101008
	SHOWQ "read back", 0x101008
	SHOWQ "pml4e", PML4
	SHOWQ "pdpte", PDPT
	SHOWQ "pde0", PD
	SHOWQ "pte101", PT+8*0x101
	movq 0x102000, %rax
	SHOWQ "pte102 (read)", PT+8*0x102
	# 2 MiB page: virtual 6 MiB -> physical 1 MiB + 1 MiB? no: 8 MiB
	movq $(0x800000 | 0x83), %rax	# P|RW|PS, supervisor
	movq %rax, PD+8*3
	invlpg 0x600000
	movq $0xfeedf00d, %rax
	movq %rax, 0x600010
	SHOWQ "via 8 MiB", 0x800010
	SHOWQ "pde3", PD+8*3
	# 1 GiB page: virtual 1 GiB -> physical 0
	movq $0x87, %rax
	movq %rax, PDPT+8
	movq %cr3, %rax
	movq %rax, %cr3
	SHOWQ "1 GiB page", 0x40101008
	SHOWQ "pdpte1", PDPT+8
	# not present: PTE (read, write), PDE, PML4E
	andq $~1, PT+8*0x103
	invlpg 0x103000
	EXPECT64 1f
	movq 0x103010, %rax
1:	EXPECT64 1f
	movq %rax, 0x103020
1:	movq $0, PD+8*4
	invlpg 0x800000
	EXPECT64 1f
	movq 0x800000, %rax
1:	EXPECT64 1f
	movq $0x8000000123, %rax
	movb (%rax), %al
1:	# non-canonical: #GP(0)
	EXPECT64 1f
	movq $0x0000800000000000, %rax
	movq (%rax), %rax
1:	# CR0.WP: read-only page, supervisor writes
	andq $~2, PT+8*0x104
	invlpg 0x104000
	movq %cr0, %rax
	orl $0x10000, %eax
	movq %rax, %cr0
	EXPECT64 1f
	movl $1, 0x104000
1:	movq %cr0, %rax
	andl $~0x10000, %eax
	movq %rax, %cr0
	movl $2, 0x104000
	SHOWQ "wp=0 write", 0x104000
	# supervisor page from ring 3
	andq $~4, PT+8*0x105
	invlpg 0x105000
	EXPECT64 1f
	TO_RING3_64 u_read
u_read:	movq 0x105000, %rax
1:	EXPECT64 1f
	TO_RING3_64 u_write
u_write:
	movq %rax, 0x105000
1:	# reserved bits
	movq PT+8*0x106, %rax
	btsq $45, %rax			# above MAXPHYADDR (40)
	movq %rax, PT+8*0x106
	invlpg 0x106000
	EXPECT64 1f
	movl $~1, V_ERRMASK		# P: set per the SDM, QEMU 7.2 clears it
	movq 0x106000, %rax
1:	movq PML4+8, %rax		# PS in a PML4E
	movq $(PDPT2 | 0x87), %rax
	movq %rax, PML4+8
	movq %cr3, %rax
	movq %rax, %cr3
	EXPECT64 1f
	movl $~1, V_ERRMASK
	movq $0x8000000000, %rax
	movq (%rax), %rax
1:	movq $(0x800000 | 0x2000 | 0x83), %rax	# 2 MiB page, bit 13 set
	movq %rax, PD+8*5
	invlpg 0xa00000
	EXPECT64 1f
	movl $~1, V_ERRMASK
	movq 0xa00000, %rax
1:	movq PT+8*0x107, %rax		# XD without EFER.NXE
	btsq $63, %rax
	movq %rax, PT+8*0x107
	invlpg 0x107000
	EXPECT64 1f
	movl $~1, V_ERRMASK
	movq 0x107000, %rax
1:	# NX with EFER.NXE
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x800, %eax
	wrmsr
	movb $0xc3, 0x107000		# RET
	movb $0xc3, 0x108000
	SHOWQ "nx data read", 0x107000
	EXPECT64 1f
	movq $0x107000, %rax
	call *%rax
1:	movq $0x108000, %rax
	call *%rax
	PRINT64 "executed page 108\n"
	EXPECT64 1f
	TO_RING3_64 u_nx
u_nx:	movq $0x107000, %rax
	jmp *%rax
1:	andq $~1, PT+8*0x108		# not present, fetched
	invlpg 0x108000
	EXPECT64 1f
	movq $0x108000, %rax
	call *%rax
1:	SHOWQ "pte101", PT+8*0x101
	SHOWQ "pdpte1", PDPT+8
	movl V_COUNT, %eax
	SHOWQ "exceptions", %rax
	jmp sys_done64

	SYS_COMMON
	LM_COMMON
	SYS_RESET
