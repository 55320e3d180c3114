/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu.h --- private interface of the x87 / MMX / SSE-SSE4.2 units
 *
 * The guest's x87, MMX and SSE state lives in struct x86_cpu.fxsave in the
 * FXSAVE layout (SDM vol. 1, 10.5.1, table 10-2): FCW, FSW, abridged tag,
 * FOP, FIP/FCS, FDP/FDS, MXCSR, ST0-ST7 in stack order (so MM0-MM7 when
 * TOP = 0) and XMM0-XMM15 (XMM8-15 reachable in 64-bit mode only); bits
 * 63:32 of FIP and FDP (FXSAVE64) are in struct x86_cpu.  The full tag
 * word is recomputed from register contents when an environment is stored
 * (FNSTENV/FNSAVE), as hardware does after FXRSTOR.
 *
 * Arithmetic runs on the host's own x87/SSE unit (the host is x86-64): the
 * guest image is loaded into the host FPU with FXRSTOR, one normalised copy
 * of the guest instruction runs (memory operand redirected to a scratch
 * buffer, general-register operand redirected to RAX, the implicit RAX,
 * RCX and RDX of PCMPESTRx passed through), and FXSAVE brings
 * the state back.  The control and status words, rounding, precision,
 * tags, TOP, exception flags and results are therefore those of the
 * hardware.  Control instructions (FNINIT, FNSTENV, FXSAVE, LDMXCSR, ...)
 * and everything touching guest memory or exceptions are done in C.
 */
#ifndef DUALVM_X86_FPU_H
#define DUALVM_X86_FPU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vmm/x86/canon.h"
#include "vmm/x86/cpu.h"

/* offsets in the FXSAVE image */
#define FX_FCW		0
#define FX_FSW		2
#define FX_FTW		4	/* abridged: bit i = physical register i valid */
#define FX_FOP		6
#define FX_FIP		8
#define FX_FCS		12
#define FX_FDP		16
#define FX_FDS		20
#define FX_MXCSR	24
#define FX_MXCSR_MASK	28
#define FX_ST0		32	/* 8 x 16 bytes, 80-bit value in the low 10 */
#define FX_XMM0		160	/* 8 x 16 bytes */
#define FX_USED		288	/* bytes FXSAVE writes outside 64-bit mode */
#define FX_USED64	416	/* in 64-bit mode: XMM8-15 too */

#define FSW_IE		0x0001u
#define FSW_SF		0x0040u
#define FSW_ES		0x0080u
#define FSW_TOP_SHIFT	11
#define FSW_B		0x8000u

#define MXCSR_FLAGS	0x003fu
#define MXCSR_MASKS	0x1f80u
#define MXCSR_VALID	X86_CANON_MXCSR_MASK	/* MXCSR_MASK reported */

#define CR4_OSXMMEXCPT	0x0400u

/* Where the general-register operand of a host-executed instruction is. */
enum fpu_gpr_use {
	FPU_GPR_NONE,
	FPU_GPR_RM_IN,		/* ModRM.rm names a source GPR (register form) */
	FPU_GPR_RM_OUT,		/* ModRM.rm names a destination GPR */
	FPU_GPR_REG_OUT,	/* ModRM.reg names a destination GPR */
	FPU_GPR_STR,		/* PCMPxSTRx: RAX, RDX in; RCX out */
};

/* One instruction to run on the host FPU. */
struct fpu_op {
	uint8_t		pfx;		/* mandatory prefix byte or 0 */
	uint8_t		imm8;		/* immediate byte, if has_imm */
	bool		has_imm;	/* instruction ends with an imm8 */
	uint8_t		gpr;		/* enum fpu_gpr_use */
	uint8_t		rex;		/* REX prefix to emit (0: none) */
	uint64_t	eax;		/* in/out: general-register operand, RAX */
	uint64_t	ecx, edx;	/* in/out: RCX, RDX (FPU_GPR_STR) */
	uint32_t	eflags;		/* in/out: host arithmetic flags */
	uint8_t		mem[32] __attribute__((aligned(16))); /* memory operand */
};

/*
 * Run @in (a D8-DF or 0F instruction) on the host FPU over the image @img
 * (16-byte aligned FXSAVE layout, updated in place); a memory operand reads
 * and writes @op->mem.  Only legal when no unmasked x87 exception is
 * pending in @img and MXCSR exceptions are masked: it must never trap.
 * Raises nothing; returns false (with c->errmsg set) only when the host
 * code buffer cannot be made executable.
 */
bool x86_fpu_host_run(struct x86_cpu *c, const struct x86_insn *in,
		      uint8_t *img, struct fpu_op *op);

/*
 * The same with the image's own MXCSR masks: an unmasked SIMD exception
 * traps on the host and is caught (a temporary SIGFPE handler), leaving
 * @img as hardware leaves it at the fault.  For the rare #XM path only.
 */
bool x86_fpu_host_run_trapping(struct x86_cpu *c, const struct x86_insn *in,
			       uint8_t *img, struct fpu_op *op);

/* Does the host run SSE3, SSSE3, SSE4.1 and SSE4.2 (x86-64-v2)?  The
 * 0F 38 / 0F 3A instructions run on it.  Any thread. */
bool x86_fpu_host_v2(void);

/* Release the host code cache of @c (x86_cpu_destroy). */
void x86_fpu_destroy(struct x86_cpu *c);

/* #MF pending: an unmasked x87 exception flag is set (ES itself is
 * recomputed by hardware from the flags and masks). */
static inline bool fpu_pending(const uint8_t *img)
{
	unsigned int fsw = img[FX_FSW], fcw = img[FX_FCW];

	return fsw & ~fcw & 0x3f;
}

/*
 * Apply the canonical CPU's store policy (canon.h) to the pointer fields
 * (FOP, FIP/FCS, FDP/FDS) of @img, an FXSAVE-layout copy of the state about
 * to be stored by FXSAVE (@fxsave true) or by FNSTENV/FNSAVE.  With the
 * canonical CPU this leaves everything as it is; the tests compare hosts
 * with other policies against these constants.
 */
static inline void fpu_store_policy(uint8_t *img, bool fxsave)
{
	if (!X86_CANON_FXSAVE_PTRS_ALWAYS && fxsave &&
	    !(img[FX_FSW] & FSW_ES))
		memset(img + FX_FOP, 0, FX_MXCSR - FX_FOP);
	if (X86_CANON_ZERO_FCS_FDS) {
		memset(img + FX_FCS, 0, 2);
		memset(img + FX_FDS, 0, 2);
	}
}

/*
 * Memory operand of @in at displacement @off, @n bytes (x87.c): read into
 * @buf, or check it for writing (returns the linear address) and write it
 * later.  Segment and page faults are raised.
 */
uint64_t x86_fpu_mem_read(struct x86_cpu *c, const struct x86_insn *in,
			  uint32_t off, uint8_t *buf, unsigned int n);
uint64_t x86_fpu_mem_probe(struct x86_cpu *c, const struct x86_insn *in,
			   uint32_t off, unsigned int n);
void x86_fpu_mem_write(struct x86_cpu *c, uint64_t lin, const uint8_t *buf,
		       unsigned int n);

/*
 * C fast path for exception-free SSE/SSE2 moves and integer operations on
 * XMM registers (simd_fast.c): updates c->fxsave, a store goes to @fo->mem,
 * a GPR operand is @fo->eax.  Returns false when @in is not one of them.
 */
bool x86_simd_fast(struct x86_cpu *c, const struct x86_insn *in,
		   unsigned int pfx, struct fpu_op *fo);

/* MMX/SSE-SSE4.2 instructions of the 0F, 0F 38 and 0F 3A maps (simd.c). */
void x86_exec_simd(struct x86_cpu *c, const struct x86_insn *in);

/* FCW as hardware keeps it: bit 6 reads as 1, bits 7 and 13-15 as 0 */
static inline uint16_t x86_fpu_fcw(uint16_t v)
{
	return (uint16_t)((v & 0x1f3f) | 0x40);
}

/* Recompute FSW.ES and FSW.B from the exception flags and masks (x87.c). */
void x86_fpu_fsw_fix(uint8_t *img);

/* Raise #MF for a pending x87 exception (x87.c). */
void x86_fpu_check_pending(struct x86_cpu *c);

#endif
