# SPDX-License-Identifier: GPL-2.0-only
# pae.S --- PAE paging: PDPT, 4 KiB and 2 MiB pages, accessed/dirty bits in
# 64-bit entries, a reserved bit (bit 63 without EFER.NXE) -> #PF with RSVD,
# then (when CPUID says NX) EFER.NXE: data reads from an NX page work, an
# instruction fetch from it faults with the I/D bit, ring 3 too.
	.include "sys.inc"
	.set PDPT, 0x22000
	.set PD, 0x23000
	.set PT, 0x24000	# 8-byte PTE of page N (< 2 MiB): PT + 8 * N
start:
	SYS_ENTER_PM main
	.code32
main:
	PRINT "pae: start\n"
	movl $PDPT, %edi		# PDPT, PD, PT: all zero
	xorl %eax, %eax
	movl $(3 * 1024), %ecx
	rep stosl
	movl $(PD | 1), PDPT		# PDPTE: only P (RW/US reserved here)
	movl $(PT | 7), PD
	movl $(0x200000 | 0x87), PD+8	# 2 MiB page at 2 MiB, P|RW|U|PS
	movl $PT, %edi			# identity 0..2 MiB, P|RW|U
	movl $7, %eax
	movl $512, %ecx
1:	movl %eax, (%edi)
	addl $8, %edi
	addl $0x1000, %eax
	loop 1b
	movl $0xc3c3c3c3, 0x105000	# RET instructions to execute
	movl %cr4, %eax
	orl $0x20, %eax			# PAE
	movl %eax, %cr4
	movl $PDPT, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	jmp 1f
1:	PRINT "paging on\n"
	movl 0x100000, %eax
	movl %eax, 0x101000
	SHOW "pde0", PD
	SHOW "pte100", PT+8*0x100
	SHOW "pte101", PT+8*0x101
	movl $0x600dbeef, 0x300010	# through the 2 MiB page
	SHOW "pde1", PD+8
	SHOW "pde1 hi", PD+12
	SHOW "big page", 0x300010
	EXPECT 1f
	movl 0x400000, %eax		# PDE 2 not present
1:	EXPECT 1f
	movl 0x40000000, %eax		# PDPTE 1 not present
1:	# bit 63 without EFER.NXE is reserved: #PF with RSVD (bit 3)
	orl $0x80000000, PT+8*0x102+4
	invlpg 0x102000
	EXPECT 1f
	movl $~1, V_ERRMASK		# P: set per the SDM, QEMU 7.2 clears it
	movl 0x102000, %eax
1:	andl $0x7fffffff, PT+8*0x102+4
	invlpg 0x102000
	# NX
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_nx
	movl $0x80000001, %eax
	cpuid
	btl $20, %edx
	jnc no_nx
	movl $0xc0000080, %ecx		# EFER.NXE
	rdmsr
	orl $0x800, %eax
	wrmsr
	rdmsr
	andl $0x800, %eax
	SHOW "efer.nxe", %eax
	movl $0x105000, %eax
	call *%eax			# executable: RET
	PRINT "executed page 105\n"
	orl $0x80000000, PT+8*0x105+4	# XD
	invlpg 0x105000
	SHOW "nx page read", 0x105000
	EXPECT 1f
	movl $0x105000, %eax
	call *%eax			# #PF err 0x11 (I/D, P)
1:	EXPECT 1f
	TO_RING3 u_nx
u_nx:	movl $0x105000, %eax
	jmp *%eax			# #PF err 0x15 (I/D, U, P)
1:	andl $~1, PT+8*0x106		# not present and fetched: I/D, no P
	invlpg 0x106000
	EXPECT 1f
	movl $0x106000, %eax
	jmp *%eax
1:	orl $0x80000000, PD+8+4		# XD on the 2 MiB page
	invlpg 0x300000
	EXPECT 1f
	movl $0x300010, %eax
	jmp *%eax
1:	SHOW "pde1 hi", PD+12
	jmp done
no_nx:
	PRINT "nx: not supported (CPUID 80000001 EDX bit 20 clear)\n"
done:
	SHOW "exceptions", V_COUNT
	jmp sys_done

	SYS_COMMON
	SYS_RESET
