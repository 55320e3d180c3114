// SPDX-License-Identifier: GPL-2.0-only
/*
 * simd.c --- MMX, SSE and SSE2 instructions of the 0F map, FXSAVE/FXRSTOR
 *
 * Exception rules (SDM vol. 2, tables 22-/23- "exception conditions" of the
 * SSE/SSE2 and MMX classes; vol. 3, 13.1 and 2.5):
 *   - SSE/SSE2 (XMM or MXCSR): #UD if CR0.EM or !CR4.OSFXSR, #NM if CR0.TS;
 *   - MMX register forms: #UD if CR0.EM, #NM if CR0.TS, #MF if an unmasked
 *     x87 exception is pending;
 *   - 16-byte memory operands of the aligned forms: #GP(0) when misaligned;
 *   - SIMD floating-point exceptions: flags in MXCSR; an unmasked one leaves
 *     the destination unchanged and raises #XM (CR4.OSXMMEXCPT) or #UD.
 *     Pre-computation exceptions (IE, DE, ZE) of any element suppress the
 *     post-computation ones (SDM vol. 1, 11.5.2);
 *   - FXSAVE/FXRSTOR: #NM on CR0.EM or TS, #GP(0) when not 16-byte aligned
 *     or, for FXRSTOR and LDMXCSR, when reserved MXCSR bits are set.
 * The arithmetic runs on the host (x87_host.c) with all MXCSR exceptions
 * masked and the flags cleared, which tells which exceptions the
 * instruction raises; the guest's masks then decide.
 */
#include <string.h>

#include "vmm/x86/decode.h"
#include "vmm/x86/fpu.h"

struct simd_mem {
	unsigned int	size;		/* operand bytes */
	bool		store;		/* the memory operand is written */
	bool		align;		/* 16-byte alignment required */
};

static bool is_mmx_op(unsigned int op)
{
	return (op >= 0x60 && op <= 0x7f) || op == 0xc4 || op == 0xc5 ||
	       (op >= 0xd1 && op <= 0xfe);
}

static void mem_info(unsigned int op, unsigned int pfx, struct simd_mem *m)
{
	bool scalar = pfx >= 2;

	m->store = false;
	m->align = false;
	m->size = 16;
	switch (op) {
	case 0x10: case 0x11:
		m->store = op == 0x11;
		m->size = pfx == 2 ? 4 : pfx == 3 ? 8 : 16;
		return;
	case 0x12: case 0x13: case 0x16: case 0x17:
		m->store = op & 1;
		m->size = 8;
		return;
	case 0x2a:
		m->size = scalar ? 4 : 8;
		return;
	case 0x2c: case 0x2d:
		m->size = pfx == 0 ? 8 : pfx == 2 ? 4 : pfx == 3 ? 8 : 16;
		break;
	case 0x2e: case 0x2f:
		m->size = pfx ? 8 : 4;
		return;
	case 0x5a:
		m->size = pfx == 0 ? 8 : pfx == 2 ? 4 : pfx == 3 ? 8 : 16;
		break;
	case 0x60: case 0x61: case 0x62:
		m->size = pfx ? 16 : 4;
		break;
	case 0x6e:
		m->size = 4;
		return;
	case 0x7e:
		m->store = pfx != 2;
		m->size = pfx == 2 ? 8 : 4;
		return;
	case 0x6f: case 0x7f:
		m->store = op == 0x7f;
		m->size = pfx ? 16 : 8;
		if (pfx == 2)
			return;		/* MOVDQU */
		break;
	case 0xc4:
		m->size = 2;
		return;
	case 0xd6:
		m->store = true;
		m->size = 8;
		return;
	case 0xe6:
		m->size = pfx == 2 ? 8 : 16;
		break;
	case 0x2b: case 0x29: case 0xe7:
		m->store = true;
		m->size = (op == 0xe7 && !pfx) ? 8 : 16;
		break;
	default:
		if ((op >= 0x51 && op <= 0x5f && op != 0x5b) || op == 0xc2)
			m->size = pfx == 2 ? 4 : pfx == 3 ? 8 : 16;
		else if (is_mmx_op(op))
			m->size = pfx ? 16 : 8;
		break;
	}
	m->align = m->size == 16;
}

static unsigned int gpr_use(unsigned int op, unsigned int pfx, bool mem)
{
	switch (op) {
	case 0x6e: case 0xc4:
		return mem ? FPU_GPR_NONE : FPU_GPR_RM_IN;
	case 0x2a:
		return (pfx >= 2 && !mem) ? FPU_GPR_RM_IN : FPU_GPR_NONE;
	case 0x7e:
		return (pfx < 2 && !mem) ? FPU_GPR_RM_OUT : FPU_GPR_NONE;
	case 0x2c: case 0x2d:
		return pfx >= 2 ? FPU_GPR_REG_OUT : FPU_GPR_NONE;
	case 0x50: case 0xc5: case 0xd7:
		return FPU_GPR_REG_OUT;
	}
	return FPU_GPR_NONE;
}

static uint32_t mxcsr_of(const uint8_t *img)
{
	uint32_t v;

	memcpy(&v, img + FX_MXCSR, 4);
	return v;
}

static void mxcsr_set(uint8_t *img, uint32_t v)
{
	memcpy(img + FX_MXCSR, &v, 4);
}

static void check_sse(struct x86_cpu *c)
{
	if ((c->cr0 & X86_CR0_EM) || !(c->cr4 & CR4_OSFXSR))
		x86_ud(c);
	if (c->cr0 & X86_CR0_TS)
		x86_raise(c, X86_EXC_NM, false, 0);
}

/* linear address of the memory operand; #GP(0) when misaligned */
static void check_align(struct x86_cpu *c, const struct x86_insn *in,
			unsigned int n)
{
	uint32_t lin = (uint32_t)c->seg[x86_ea_seg(in)].base + x86_ea(c, in);

	if ((n == 16 || n == 512) && (lin & 15))
		x86_gp0(c);
}

/* MMX register view: rotate the image to TOP = 0, all tags valid */
static void mmx_enter(uint8_t *img)
{
	unsigned int top = (img[FX_FSW + 1] >> 3) & 7, i;
	uint8_t st[128];

	for (i = 0; i < 8; i++)
		memcpy(st + 16 * i, img + FX_ST0 + 16 * ((i - top) & 7), 16);
	memcpy(img + FX_ST0, st, sizeof(st));
	img[FX_FSW + 1] &= (uint8_t)~0x38;
	img[FX_FTW] = 0xff;
}

/* MASKMOVQ / MASKMOVDQU: byte stores to DS:(E)DI under a mask */
static void exec_maskmov(struct x86_cpu *c, const struct x86_insn *in,
			 unsigned int pfx, uint8_t *img)
{
	unsigned int n = pfx ? 16 : 8, seg, i;
	const uint8_t *src, *mask;
	uint32_t di = (uint32_t)c->gpr[X86_RDI], lin;
	bool any = false;

	if (in->adsize == 2)
		di &= 0xffff;
	if (!pfx)
		mmx_enter(img);
	src = img + (pfx ? FX_XMM0 : FX_ST0) + 16 * in->reg;
	mask = img + (pfx ? FX_XMM0 : FX_ST0) + 16 * in->rm;
	for (i = 0; i < n; i++)
		any |= mask[i] >> 7;
	if (!any)
		return;
	seg = in->seg != X86_SEG_NONE ? in->seg : X86_DS;
	lin = x86_seg_lin(c, seg, di, n, true);
	x86_lin_probe_write(c, lin, n, c->cpl == 3);
	for (i = 0; i < n; i++)
		if (mask[i] & 0x80)
			x86_lin_write(c, lin + i, 1, src[i], c->cpl == 3);
}

/* FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, fences */
static void exec_grp15(struct x86_cpu *c, const struct x86_insn *in)
{
	uint8_t buf[FX_USED];
	uint32_t lin, mx;
	unsigned int i;

	if (!(in->flags & X86_IF_MEM))
		return;			/* LFENCE, MFENCE, SFENCE */
	switch (in->reg) {
	case 0:		/* FXSAVE */
	case 1:		/* FXRSTOR */
		if (c->cr0 & (X86_CR0_EM | X86_CR0_TS))
			x86_raise(c, X86_EXC_NM, false, 0);
		check_align(c, in, 512);
		/* the whole 512-byte area must be accessible */
		if (in->reg == 0) {
			lin = x86_fpu_mem_probe(c, in, 0, 512);
			memcpy(buf, c->fxsave, FX_USED);
			fpu_store_policy(buf, true);
			mx = MXCSR_VALID;
			memcpy(buf + FX_MXCSR_MASK, &mx, 4);
			x86_fpu_mem_write(c, lin, buf, FX_USED);
			return;
		}
		x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), 512, false);
		x86_fpu_mem_read(c, in, 0, buf, FX_USED);
		if (mxcsr_of(buf) & ~MXCSR_VALID)
			x86_gp0(c);
		for (i = 0; i < 8; i++)
			memset(buf + FX_ST0 + 16 * i + 10, 0, 6);
		memset(buf + 14, 0, 2);			/* reserved after FCS */
		memset(buf + 22, 0, 2);			/* reserved after FDS */
		memcpy(buf + FX_MXCSR_MASK, c->fxsave + FX_MXCSR_MASK, 4);
		buf[FX_FOP + 1] &= 7;
		if (!X86_CANON_FXRSTOR_PTRS_ALWAYS && !(buf[FX_FSW] & FSW_ES))
			memcpy(buf + FX_FOP, c->fxsave + FX_FOP,
			       FX_MXCSR - FX_FOP);
		{
			uint16_t fcw = (uint16_t)(buf[0] | buf[1] << 8);

			fcw = x86_fpu_fcw(fcw);
			buf[0] = (uint8_t)fcw;
			buf[1] = (uint8_t)(fcw >> 8);
		}
		memcpy(c->fxsave, buf, FX_USED);
		x86_fpu_fsw_fix(c->fxsave);
		return;
	case 2:		/* LDMXCSR */
		check_sse(c);
		x86_fpu_mem_read(c, in, 0, buf, 4);
		memcpy(&mx, buf, 4);
		if (mx & ~MXCSR_VALID)
			x86_gp0(c);
		mxcsr_set(c->fxsave, mx);
		return;
	case 3:		/* STMXCSR */
		check_sse(c);
		lin = x86_fpu_mem_probe(c, in, 0, 4);
		x86_fpu_mem_write(c, lin, c->fxsave + FX_MXCSR, 4);
		return;
	default:
		x86_ud(c);
	}
}

/* which register files the instruction uses */
static void classify(unsigned int op, unsigned int pfx, const struct x86_insn *in,
		     bool *xmm, bool *mmx)
{
	*mmx = pfx == 0 && is_mmx_op(op);
	*xmm = !*mmx;
	/* CVTPI2PS/PD from memory touch no MMX register */
	if ((op == 0x2a || op == 0x2c || op == 0x2d) && pfx < 2)
		*mmx = !(op == 0x2a && (in->flags & X86_IF_MEM));
	if (op == 0xd6 && pfx >= 2)
		*mmx = true;
}

#define MXCSR_UE	0x0010u
#define MXCSR_UM	0x0800u
#define MXCSR_FTZ	0x8000u

/*
 * Run with every exception masked and the flags clear; returns the flags
 * the instruction raises.  A masked underflow is only flagged when the
 * result is also inexact, an unmasked one whenever it is tiny: with UM
 * unmasked, a second run with FTZ (which flags every tiny result) tells.
 */
static uint32_t host_run_masked(struct x86_cpu *c, const struct x86_insn *in,
				uint8_t *img, struct fpu_op *fo, uint32_t mx)
{
	uint8_t img2[512] __attribute__((aligned(16)));
	struct fpu_op fo2;
	uint32_t raised;

	memcpy(img2, img, sizeof(img2));
	fo2 = *fo;
	mxcsr_set(img, (mx & ~MXCSR_FLAGS) | MXCSR_MASKS);
	if (!x86_fpu_host_run(c, in, img, fo))
		x86_internal_error(c, "%s", c->errmsg);
	raised = mxcsr_of(img) & MXCSR_FLAGS;
	if ((mx & MXCSR_UM) || (raised & MXCSR_UE))
		return raised;
	mxcsr_set(img2, (mx & ~MXCSR_FLAGS) | MXCSR_MASKS | MXCSR_FTZ);
	if (!x86_fpu_host_run(c, in, img2, &fo2))
		x86_internal_error(c, "%s", c->errmsg);
	return raised | (mxcsr_of(img2) & MXCSR_UE);
}

/*
 * An unmasked SIMD exception: run again with the guest's masks, trapping,
 * so MXCSR gets exactly the flags hardware reports (which ones depends on
 * pre/post-computation ordering and on the unbounded-exponent rounding of
 * an unmasked overflow/underflow); the destination stays unchanged.
 */
static void simd_fault(struct x86_cpu *c, const struct x86_insn *in,
		       struct fpu_op *fo, uint32_t mx)
{
	uint8_t img[512] __attribute__((aligned(16)));

	memcpy(img, c->fxsave, sizeof(img));
	mxcsr_set(img, mx & ~MXCSR_FLAGS);
	if (!x86_fpu_host_run_trapping(c, in, img, fo))
		x86_internal_error(c, "x87/SSE: cannot trap host #XM");
	mxcsr_set(img, (mxcsr_of(img) & MXCSR_FLAGS) | mx);
	memcpy(c->fxsave, img, sizeof(img));
	if (c->cr4 & CR4_OSXMMEXCPT)
		x86_raise(c, X86_EXC_XM, false, 0);
	x86_ud(c);
}

void x86_exec_simd(struct x86_cpu *c, const struct x86_insn *in)
{
	uint8_t img[512] __attribute__((aligned(16)));
	unsigned int op = in->op & 0xff, pfx = x86_simd_prefix(in);
	bool mem = in->flags & X86_IF_MEM, xmm, mmx, fast;
	struct simd_mem mi = { 0, false, false };
	struct fpu_op fo, fo_in;
	uint32_t lin = 0, mx, raised;

	if (op == 0xae) {
		exec_grp15(c, in);
		return;
	}
	if (op == 0xc3) {		/* MOVNTI m32, r32 */
		x86_write(c, x86_ea_seg(in), x86_ea(c, in), 4,
			  reg_get(c, in->reg, 4));
		return;
	}
	classify(op, pfx, in, &xmm, &mmx);
	if (xmm)
		check_sse(c);
	else if (c->cr0 & X86_CR0_EM)
		x86_ud(c);
	if (c->cr0 & X86_CR0_TS)
		x86_raise(c, X86_EXC_NM, false, 0);
	if (mmx)
		x86_fpu_check_pending(c);
	if (op == 0xf7) {
		memcpy(img, c->fxsave, sizeof(img));
		exec_maskmov(c, in, pfx, img);
		memcpy(c->fxsave, img, sizeof(img));
		return;
	}
	memset(&fo, 0, sizeof(fo));
	fo.pfx = pfx == 1 ? 0x66 : pfx == 2 ? 0xf3 : pfx == 3 ? 0xf2 : 0;
	fo.has_imm = (x86_optab[in->op].imm == IMM_B);
	fo.imm8 = (uint8_t)in->imm;
	fo.gpr = (uint8_t)gpr_use(op, pfx, mem);
	if (fo.gpr == FPU_GPR_RM_IN)
		fo.eax = reg_get(c, in->rm, 4);
	fo.eflags = x86_flags_get(c);
	if (mem) {
		mem_info(op, pfx, &mi);
		if (mi.align)
			check_align(c, in, 16);
		if (mi.store)
			lin = x86_fpu_mem_probe(c, in, 0, mi.size);
		else
			x86_fpu_mem_read(c, in, 0, fo.mem, mi.size);
	}
	/* no fault can happen past this point except #XM (simd_fault) */
	fast = !mmx && x86_simd_fast(c, in, pfx, &fo);
	if (!fast) {
		memcpy(img, c->fxsave, sizeof(img));
		mx = mxcsr_of(img) & MXCSR_VALID;
		fo_in = fo;
		raised = host_run_masked(c, in, img, &fo, mx);
		if (raised & ~(mx >> 7) & MXCSR_FLAGS)
			simd_fault(c, in, &fo_in, mx);
		mxcsr_set(img, mx | raised);
	}
	if (mem && mi.store)
		x86_fpu_mem_write(c, lin, fo.mem, mi.size);
	if (fo.gpr == FPU_GPR_RM_OUT)
		reg_set(c, in->rm, 4, fo.eax);
	else if (fo.gpr == FPU_GPR_REG_OUT)
		reg_set(c, in->reg, 4, fo.eax);
	if (op == 0x2e || op == 0x2f)	/* (U)COMISS/SD */
		x86_flags_arith(c, (x86_flags_get(c) & ~FL_ARITH) |
				(fo.eflags & (FL_ZF | FL_PF | FL_CF)));
	if (!fast)
		memcpy(c->fxsave, img, sizeof(img));
}
