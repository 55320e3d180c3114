/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86_state.h --- the architectural state of one x86 vCPU
 *
 * The exchange format between CPU engines (interpreter, binary translator,
 * KVM, world switch) and the machine: get/set state, snapshots, tests that
 * compare engines.  Registers are 64 bits wide from the start (long mode is
 * a later step; 32-bit guests use the low halves).  Segment attributes use
 * the descriptor's byte 5 and the high nibble of byte 6, as VMX and KVM do:
 *   bits 0-3 type, 4 S, 5-6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G.
 */
#ifndef DUALVM_X86_STATE_H
#define DUALVM_X86_STATE_H

#include <stdint.h>

enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

enum x86_sreg {
	X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS,
	X86_NR_SREGS
};

#define X86_SEG_ATTR_TYPE	0x000f
#define X86_SEG_ATTR_S		0x0010
#define X86_SEG_ATTR_DPL_SHIFT	5
#define X86_SEG_ATTR_P		0x0080
#define X86_SEG_ATTR_AVL	0x1000
#define X86_SEG_ATTR_L		0x2000
#define X86_SEG_ATTR_DB		0x4000
#define X86_SEG_ATTR_G		0x8000

struct x86_seg {
	uint64_t	base;
	uint32_t	limit;		/* byte granular (G already applied) */
	uint16_t	sel;
	uint16_t	attr;		/* X86_SEG_ATTR_* */
};

struct x86_dtable {
	uint64_t	base;
	uint16_t	limit;
};

/* CR0 / CR4 / EFER / RFLAGS bits the machine and engines share */
#define X86_CR0_PE	(1u << 0)
#define X86_CR0_MP	(1u << 1)
#define X86_CR0_EM	(1u << 2)
#define X86_CR0_TS	(1u << 3)
#define X86_CR0_ET	(1u << 4)
#define X86_CR0_NE	(1u << 5)
#define X86_CR0_WP	(1u << 16)
#define X86_CR0_AM	(1u << 18)
#define X86_CR0_NW	(1u << 29)
#define X86_CR0_CD	(1u << 30)
#define X86_CR0_PG	(1u << 31)

#define X86_RFLAGS_CF	(1u << 0)
#define X86_RFLAGS_FIXED (1u << 1)
#define X86_RFLAGS_IF	(1u << 9)
#define X86_RFLAGS_VM	(1u << 17)

struct x86_cpu_state {
	uint64_t	gpr[X86_NR_GPRS];	/* enum x86_gpr order */
	uint64_t	rip;
	uint64_t	rflags;
	struct x86_seg	seg[X86_NR_SREGS];	/* enum x86_sreg order */
	struct x86_seg	ldtr, tr;
	struct x86_dtable gdtr, idtr;
	uint64_t	cr0, cr2, cr3, cr4, cr8;
	uint64_t	efer;
	uint64_t	dr[8];			/* DR0-3, (4-5 unused), DR6, DR7 */
	uint64_t	tsc;
	uint64_t	apic_base;
	uint64_t	sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t	star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t	pat;
	uint8_t		fxsave[512] __attribute__((aligned(16)));
						/* x87/MMX/SSE, FXSAVE layout */
	uint32_t	halted;			/* 1: waiting in HLT */
	uint32_t	intr_shadow;		/* 1: after STI / MOV SS */
};

#endif
