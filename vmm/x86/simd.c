// SPDX-License-Identifier: GPL-2.0-only
/*
 * simd.c --- MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 instructions of
 *            the 0F, 0F 38 and 0F 3A maps, FXSAVE/FXRSTOR(64)
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
 *     or, for FXRSTOR and LDMXCSR, when reserved MXCSR bits are set; in
 *     64-bit mode XMM8-15 too, and with REX.W 64-bit FIP/FDP (10.5.1);
 *   - the unaligned 16-byte forms: MOVUPS/MOVUPD/MOVDQU, LDDQU, the string
 *     compares PCMPxSTRx (12.1.2); REX.W selects 64-bit general-register
 *     operands (MOVQ, CVTSI2SD, PEXTRQ, PINSRQ, ...).
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

/* the MMX-register forms (no mandatory prefix) of the 0F, 0F 38, 0F 3A maps */
static bool mmx_form(const struct x86_insn *in, unsigned int pfx)
{
	unsigned int op = in->op & 0xff;

	if (pfx)
		return false;
	if (in->op >= 0x300)
		return op == 0x0f;			/* PALIGNR mm */
	if (in->op >= 0x200)
		return op <= 0x0b || (op >= 0x1c && op <= 0x1e);	/* SSSE3 */
	return is_mmx_op(op);
}

/* 0F 38: SSSE3, SSE4.1, SSE4.2 */
static void mem_info38(unsigned int op, unsigned int pfx, struct simd_mem *m)
{
	static const uint8_t pmov[6] = { 8, 4, 2, 8, 4, 8 };	/* PMOVSX/ZX */

	if ((op & 0xe0) == 0x20 && (op & 0xf) < 6) {
		m->size = pmov[op & 0xf];
		return;
	}
	m->size = pfx ? 16 : 8;
	m->align = m->size == 16;
}

/* 0F 3A: PALIGNR, SSE4.1, SSE4.2 */
static void mem_info3a(unsigned int op, unsigned int pfx, bool w,
		       struct simd_mem *m)
{
	switch (op) {
	case 0x0a: m->size = 4; return;			/* ROUNDSS */
	case 0x0b: m->size = 8; return;			/* ROUNDSD */
	case 0x14: m->size = 1; m->store = true; return;	/* PEXTRB */
	case 0x15: m->size = 2; m->store = true; return;	/* PEXTRW */
	case 0x16: m->size = w ? 8 : 4; m->store = true; return;	/* PEXTRD/Q */
	case 0x17: m->size = 4; m->store = true; return;	/* EXTRACTPS */
	case 0x20: m->size = 1; return;			/* PINSRB */
	case 0x21: m->size = 4; return;			/* INSERTPS */
	case 0x22: m->size = w ? 8 : 4; return;		/* PINSRD/Q */
	case 0x60 ... 0x63: m->size = 16; return;	/* PCMPxSTRx: unaligned */
	}
	m->size = (op == 0x0f && !pfx) ? 8 : 16;
	m->align = m->size == 16;
}

static void mem_info(const struct x86_insn *in, unsigned int pfx,
		     struct simd_mem *m)
{
	unsigned int op = in->op & 0xff;
	bool scalar = pfx >= 2, w = in->rex & X86_REX_W;

	m->store = false;
	m->align = false;
	m->size = 16;
	if (in->op >= 0x300) {
		mem_info3a(op, pfx, w, m);
		return;
	}
	if (in->op >= 0x200) {
		mem_info38(op, pfx, m);
		return;
	}
	switch (op) {
	case 0x10: case 0x11:
		m->store = op == 0x11;
		m->size = pfx == 2 ? 4 : pfx == 3 ? 8 : 16;
		return;
	case 0x12: case 0x16:
		if (pfx == 2)		/* MOVSLDUP / MOVSHDUP */
			break;
		m->size = 8;		/* MOVLPS/MOVHPS/PD, MOVDDUP */
		return;
	case 0x13: case 0x17:
		m->store = true;
		m->size = 8;
		return;
	case 0x2a:
		m->size = scalar ? (w ? 8 : 4) : 8;
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
		m->size = w ? 8 : 4;
		return;
	case 0x7e:
		m->store = pfx != 2;
		m->size = pfx == 2 || w ? 8 : 4;
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
	case 0xf0:			/* LDDQU: unaligned */
		return;
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

static unsigned int gpr_use(const struct x86_insn *in, unsigned int pfx,
			    bool mem)
{
	unsigned int op = in->op & 0xff;

	if (in->op >= 0x300) {
		if (op >= 0x60 && op <= 0x63)
			return FPU_GPR_STR;
		if (op >= 0x14 && op <= 0x17)
			return mem ? FPU_GPR_NONE : FPU_GPR_RM_OUT;
		if (op == 0x20 || op == 0x22)
			return mem ? FPU_GPR_NONE : FPU_GPR_RM_IN;
		return FPU_GPR_NONE;
	}
	if (in->op >= 0x200)
		return FPU_GPR_NONE;
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

/* #GP(0) when the memory operand is not 16-byte aligned */
static void check_align(struct x86_cpu *c, const struct x86_insn *in,
			unsigned int n)
{
	unsigned int seg = x86_ea_seg(in);
	uint64_t base = c->long64 && seg < X86_FS ? 0 : c->seg[seg].base;

	if ((n == 16 || n == 512) && ((base + x86_ea(c, in)) & 15))
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
	unsigned int n = pfx ? 16 : 8, seg, i, r = in->reg, m = in->rm;
	const uint8_t *src, *mask;
	uint64_t di = c->gpr[X86_RDI] & size_mask(in->adsize), lin;
	bool any = false;

	if (!pfx) {
		mmx_enter(img);
		r &= 7;
		m &= 7;
	}
	src = img + (pfx ? FX_XMM0 : FX_ST0) + 16 * r;
	mask = img + (pfx ? FX_XMM0 : FX_ST0) + 16 * m;
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

/* FXSAVE(64): the image to store; returns its size */
static unsigned int fxsave_image(struct x86_cpu *c, const struct x86_insn *in,
				 uint8_t *buf)
{
	unsigned int n = c->long64 ? FX_USED64 : FX_USED;
	uint32_t mx = MXCSR_VALID;

	memcpy(buf, c->fxsave, n);
	fpu_store_policy(buf, true);
	memcpy(buf + FX_MXCSR_MASK, &mx, 4);
	if (c->long64 && (in->rex & X86_REX_W)) {	/* 64-bit FIP, FDP */
		memcpy(buf + FX_FCS, &c->fip_hi, 4);
		memcpy(buf + FX_FDS, &c->fdp_hi, 4);
	}
	return n;
}

/* FXRSTOR(64) from @buf (@n bytes read) */
static void fxrstor_image(struct x86_cpu *c, const struct x86_insn *in,
			  uint8_t *buf, unsigned int n)
{
	unsigned int i;
	uint16_t fcw;

	if (mxcsr_of(buf) & ~MXCSR_VALID)
		x86_gp0(c);
	if (c->long64 && (in->rex & X86_REX_W)) {
		memcpy(&c->fip_hi, buf + FX_FCS, 4);
		memcpy(&c->fdp_hi, buf + FX_FDS, 4);
		memset(buf + FX_FCS, 0, 4);
		memset(buf + FX_FDS, 0, 4);
	} else {
		c->fip_hi = c->fdp_hi = 0;
	}
	for (i = 0; i < 8; i++)
		memset(buf + FX_ST0 + 16 * i + 10, 0, 6);
	memset(buf + 14, 0, 2);			/* reserved after FCS */
	memset(buf + 22, 0, 2);			/* reserved after FDS */
	memcpy(buf + FX_MXCSR_MASK, c->fxsave + FX_MXCSR_MASK, 4);
	buf[FX_FOP + 1] &= 7;
	if (!X86_CANON_FXRSTOR_PTRS_ALWAYS && !(buf[FX_FSW] & FSW_ES))
		memcpy(buf + FX_FOP, c->fxsave + FX_FOP, FX_MXCSR - FX_FOP);
	fcw = x86_fpu_fcw((uint16_t)(buf[0] | buf[1] << 8));
	buf[0] = (uint8_t)fcw;
	buf[1] = (uint8_t)(fcw >> 8);
	memcpy(c->fxsave, buf, n);
	x86_fpu_fsw_fix(c->fxsave);
}

/* FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, fences */
static void exec_grp15(struct x86_cpu *c, const struct x86_insn *in)
{
	uint8_t buf[FX_USED64];
	uint64_t lin;
	uint32_t mx;
	unsigned int n;

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
			n = fxsave_image(c, in, buf);
			x86_fpu_mem_write(c, lin, buf, n);
			return;
		}
		x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), 512, false);
		n = c->long64 ? FX_USED64 : FX_USED;
		x86_fpu_mem_read(c, in, 0, buf, n);
		fxrstor_image(c, in, buf, n);
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
	*mmx = mmx_form(in, pfx);
	*xmm = !*mmx;
	if (in->op >= 0x200)
		return;
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

/* the general-register size of @in: REX.W selects 64 bits */
static unsigned int gpr_size(const struct x86_insn *in)
{
	return (in->rex & X86_REX_W) ? 8 : 4;
}

/* the REX prefix for the host copy: W as given, R/B for XMM8-15 operands
 * (general registers are redirected to RAX, memory to [RSI]) */
static uint8_t host_rex(const struct x86_insn *in, const struct fpu_op *fo,
			bool mem)
{
	uint8_t rex = in->rex & X86_REX_W;

	if (!in->rex)
		return 0;
	if (in->reg >= 8 && fo->gpr != FPU_GPR_REG_OUT)
		rex |= X86_REX_R;
	if (!mem && in->rm >= 8 && fo->gpr != FPU_GPR_RM_IN &&
	    fo->gpr != FPU_GPR_RM_OUT)
		rex |= X86_REX_B;
	return rex ? (uint8_t)(0x40 | rex) : 0;
}

/* the SSE3 rows of the 0F map (ADDSUB, HADD/HSUB, MOVDDUP/MOVSxDUP,
 * LDDQU) */
static bool sse3_form(const struct x86_insn *in, unsigned int pfx)
{
	switch (in->op) {
	case 0x1d0: case 0x17c: case 0x17d:
		return pfx == 1 || pfx == 3;
	case 0x1f0:
		return pfx == 3;
	case 0x112:
		return pfx >= 2;
	case 0x116:
		return pfx == 2;
	}
	return false;
}

/* instructions that set the arithmetic flags: (U)COMISS/SD, PTEST,
 * PCMPxSTRx */
static bool sets_flags(const struct x86_insn *in)
{
	return in->op == 0x12e || in->op == 0x12f || in->op == 0x217 ||
	       (in->op >= 0x360 && in->op <= 0x363);
}

void x86_exec_simd(struct x86_cpu *c, const struct x86_insn *in)
{
	uint8_t img[512] __attribute__((aligned(16)));
	unsigned int op = in->op & 0xff, pfx = x86_simd_prefix(in);
	bool mem = in->flags & X86_IF_MEM, xmm, mmx, fast;
	struct simd_mem mi = { 0, false, false };
	struct fpu_op fo, fo_in;
	uint64_t lin = 0;
	uint32_t mx, raised;

	if (in->op == 0x1ae) {
		exec_grp15(c, in);
		return;
	}
	if (in->op == 0x1c3) {		/* MOVNTI m32/m64, r32/r64 */
		x86_write(c, x86_ea_seg(in), x86_ea(c, in), gpr_size(in),
			  reg_get(c, in->reg, gpr_size(in)));
		return;
	}
	classify(op, pfx, in, &xmm, &mmx);
	if ((in->op >= 0x200 || sse3_form(in, pfx)) && !x86_fpu_host_v2())
		x86_internal_error(c, "the host CPU lacks SSSE3/SSE4.1/SSE4.2, which this guest uses");
	if (xmm)
		check_sse(c);
	else if (c->cr0 & X86_CR0_EM)
		x86_ud(c);
	if (c->cr0 & X86_CR0_TS)
		x86_raise(c, X86_EXC_NM, false, 0);
	if (mmx)
		x86_fpu_check_pending(c);
	if (in->op == 0x1f7) {
		memcpy(img, c->fxsave, sizeof(img));
		exec_maskmov(c, in, pfx, img);
		memcpy(c->fxsave, img, sizeof(img));
		return;
	}
	memset(&fo, 0, sizeof(fo));
	fo.pfx = pfx == 1 ? 0x66 : pfx == 2 ? 0xf3 : pfx == 3 ? 0xf2 : 0;
	fo.has_imm = (x86_optab[in->op].imm == IMM_B);
	fo.imm8 = (uint8_t)in->imm;
	fo.gpr = (uint8_t)gpr_use(in, pfx, mem);
	fo.rex = host_rex(in, &fo, mem);
	if (fo.gpr == FPU_GPR_RM_IN)
		fo.eax = reg_get(c, in->rm, gpr_size(in));
	if (fo.gpr == FPU_GPR_STR) {
		fo.eax = c->gpr[X86_RAX];
		fo.ecx = c->gpr[X86_RCX];
		fo.edx = c->gpr[X86_RDX];
	}
	fo.eflags = x86_flags_get(c);
	if (mem) {
		mem_info(in, pfx, &mi);
		if (mi.align)
			check_align(c, in, 16);
		if (mi.store)
			lin = x86_fpu_mem_probe(c, in, 0, mi.size);
		else
			x86_fpu_mem_read(c, in, 0, fo.mem, mi.size);
	}
	/* no fault can happen past this point except #XM (simd_fault) */
	fast = !mmx && in->op < 0x200 && x86_simd_fast(c, in, pfx, &fo);
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
		reg_set(c, in->rm, gpr_size(in), fo.eax);
	else if (fo.gpr == FPU_GPR_REG_OUT)
		reg_set(c, in->reg, gpr_size(in), fo.eax);
	else if (fo.gpr == FPU_GPR_STR)
		c->gpr[X86_RCX] = fo.ecx;
	if (sets_flags(in))
		x86_flags_arith(c, fo.eflags & FL_ARITH);
	if (!fast)
		memcpy(c->fxsave, img, sizeof(img));
}
