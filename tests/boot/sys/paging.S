# SPDX-License-Identifier: GPL-2.0-only
# paging.S --- 2-level paging: accessed/dirty bits written by the CPU in the
# PDE and PTEs, #PF error codes and CR2 (not present, write, CR0.WP,
# user/supervisor from ring 3, instruction fetch, missing PDE), PSE 4 MiB
# pages with an alias, PTE changes made visible by INVLPG, a CR3 reload and
# a CR4.PGE toggle, REP MOVSD stopped by a #PF and restarted, REP STOSB
# downwards (DF = 1) and REPE CMPSB stopped by a #PF.
	.include "sys.inc"
	.set PD, 0x20000
	.set PT, 0x21000
	.set PTE, PT		# PTE of linear page N: PTE + 4 * N
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "paging: start\n"
	movl $PD, %edi			# empty page directory
	xorl %eax, %eax
	movl $1024, %ecx
	rep stosl
	movl $PT, %edi			# identity map 0..4 MiB, P|RW|U
	movl $7, %eax
	movl $1024, %ecx
1:	stosl
	addl $0x1000, %eax
	loop 1b
	movl $(PT | 7), PD
	movl $0x66666666, 0x106000	# test frames
	movl $0x77777777, 0x107000
	movl $PD, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	jmp 1f
1:	SHOW "pde0", PD
	movl 0x100000, %eax		# read: A
	movl %eax, 0x101000		# write: A and D
	SHOW "pte100", PTE+4*0x100
	SHOW "pte101", PTE+4*0x101
	SHOW "pte102", PTE+4*0x102

	# not present: read, write
	andl $~1, PTE+4*0x102
	invlpg 0x102000
	EXPECT 1f
	movl 0x102000, %eax
1:	EXPECT 1f
	movl %eax, 0x102ffc
1:	EXPECT 1f
	movl 0x400000, %eax		# no page table
1:	# read-only page: writable at CPL 0 while CR0.WP = 0
	andl $~2, PTE+4*0x103
	invlpg 0x103000
	movl $0x5a5a5a5a, 0x103010
	SHOW "ro write wp0", 0x103010
	movl %cr0, %eax
	orl $0x10000, %eax
	movl %eax, %cr0
	EXPECT 1f
	movl $0xa5a5a5a5, 0x103010
1:	SHOW "ro after wp1", 0x103010
	SHOW "pte103", PTE+4*0x103
	# instruction fetch from a page that is not present
	andl $~1, PTE+4*0x105
	invlpg 0x105000
	EXPECT 1f
	movl $0x105000, %eax
	jmp *%eax
1:	# ring 3: supervisor page, read-only page
	andl $~4, PTE+4*0x104
	invlpg 0x104000
	EXPECT 1f
	TO_RING3 u_rd
u_rd:	movl 0x104000, %eax
1:	EXPECT 1f
	TO_RING3 u_wr
u_wr:	movl %eax, 0x104000
1:	EXPECT 1f
	TO_RING3 u_ro
u_ro:	movl %eax, 0x103000
1:	EXPECT 1f
	TO_RING3 u_ok
u_ok:	movl 0x100000, %eax		# user page: fine
	movl $0x12345678, 0x100004
	PRINT "ring3 access ok\n"
	ud2				# back to ring 0
1:	SHOW "ring3 wrote", 0x100004

	# PTE changes: INVLPG, CR3 reload, CR4.PGE toggle
	SHOW "page106", 0x106000
	movl $0x107007, PTE+4*0x106
	invlpg 0x106000
	SHOW "page106 invlpg", 0x106000
	movl $0x106007, PTE+4*0x106
	movl %cr3, %eax
	movl %eax, %cr3
	SHOW "page106 cr3", 0x106000
	movl %cr4, %eax
	orl $0x80, %eax			# PGE
	movl %eax, %cr4
	movl $0x106107, PTE+4*0x106	# global
	invlpg 0x106000
	SHOW "page106 global", 0x106000
	movl $0x107107, PTE+4*0x106
	movl %cr4, %eax
	andl $~0x80, %eax
	movl %eax, %cr4			# flushes global entries
	orl $0x80, %eax
	movl %eax, %cr4
	SHOW "page106 pge", 0x106000
	SHOW "pte106", PTE+4*0x106

	# PSE: two 4 MiB pages on the same frame
	movl %cr4, %eax
	orl $0x10, %eax
	movl %eax, %cr4
	movl $0x00400083, PD+4	# 0x400000 -> 0x400000, P|RW|PS
	movl $0x00400083, PD+8	# 0x800000 -> 0x400000
	movl $0xc0ffee11, 0x800010
	SHOW "pse alias", 0x400010
	SHOW "pde1", PD+4
	SHOW "pde2", PD+8
	movl $0x00400081, PD+8	# read-only 4 MiB page, CR0.WP = 1
	invlpg 0x800000
	EXPECT 1f
	movl %eax, 0x800020
1:	movl $0, PD+8
	invlpg 0x800000
	EXPECT 1f
	movl 0x8ff000, %eax
1:
	# REP MOVSD into a page that is not present, then restarted
	movl $0x108e00, %edi		# source pattern
	movl $0x100, %ecx
	movl $0x1000, %eax
1:	stosl
	incl %eax
	loop 1b
	andl $~1, PTE+4*0x10a
	invlpg 0x10a000
	movl $0x108e00, %esi
	movl $0x109e00, %edi
	movl $0x100, %ecx
	EXPECT 1f
	rep movsl			# #PF at EDI = 0x10a000
1:	SHOW "rep ecx", %ecx
	SHOW "rep esi", %esi
	SHOW "rep edi", %edi
	orl $1, PTE+4*0x10a
	invlpg 0x10a000
	rep movsl
	SHOW "rep ecx", %ecx
	SHOW "rep edi", %edi
	SHOW "last", 0x10a1fc
	# REP STOSB downwards (DF = 1) into a page that is not present
	andl $~1, PTE+4*0x10c
	invlpg 0x10c000
	std
	movl $0x10d008, %edi
	movl $0x100, %ecx
	movb $0xee, %al
	EXPECT 1f
	rep stosb			# #PF at EDI = 0x10cfff
1:	SHOW "std ecx", %ecx
	SHOW "std edi", %edi
	orl $1, PTE+4*0x10c
	invlpg 0x10c000
	rep stosb
	cld
	SHOW "std ecx", %ecx
	SHOW "std edi", %edi
	SHOW "filled", 0x10cf08
	# REPE CMPSB with the source page not present: a read fault
	andl $~1, PTE+4*0x10e
	invlpg 0x10e000
	movl $0x10dff0, %esi
	movl $0x100ff0, %edi
	movl $0x20, %ecx
	movl $0x10dff0, %ebx		# make the first 16 bytes equal
1:	movb (%ebx), %al
	movb %al, 0x100ff0 - 0x10dff0(%ebx)
	incl %ebx
	cmpl $0x10e000, %ebx
	jb 1b
	EXPECT 1f
	repe cmpsb			# #PF at ESI = 0x10e000
1:	SHOW "cmps ecx", %ecx
	SHOW "cmps esi", %esi
	orl $1, PTE+4*0x10e
	invlpg 0x10e000
	SHOW "pte109", PTE+4*0x109
	SHOW "pte10a", PTE+4*0x10a
	SHOW "exceptions", V_COUNT
	jmp sys_done

	SYS_COMMON
	SYS_RESET
