// SPDX-License-Identifier: GPL-2.0-only
/*
 * x87.c --- x87 FPU escapes (D8-DF) and WAIT
 *
 * Dispatch, exception checks and the control instructions of the x87 FPU
 * (SDM vol. 1, ch. 8; vol. 2, FNINIT/FNCLEX/FNSTSW/FNSTCW/FLDCW/FNSTENV/
 * FLDENV/FNSAVE/FRSTOR):
 *   - CR0.EM or CR0.TS: #NM; WAIT with CR0.MP and CR0.TS: #NM;
 *   - a waiting instruction with an unmasked exception flag set in the
 *     status word raises #MF before it executes.  With CR0.NE = 0 a PC
 *     would signal FERR#/IRQ13 instead; dualvm raises #MF in both cases
 *     (a documented limitation);
 *   - FIP/FCS/FOP are updated by every non-control instruction, FDP/FDS by
 *     those with a memory operand (the canonical CPU's policy, canon.h);
 *   - environment images in the 14/28-byte real-mode and protected-mode
 *     formats (SDM vol. 1, figures 8-9 to 8-12), full tag word recomputed
 *     from register contents.
 * Arithmetic, loads, stores, compares, transcendental instructions,
 * FXCH/FFREE/FINCSTP/FCMOVcc etc. run on the host FPU (x87_host.c), which
 * gives the hardware's results, flags, C0-C3, tags and stack faults.
 */
#include <string.h>

#include "vmm/x86/fpu.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* ES and B follow the unmasked exception flags, as on hardware */
void x86_fpu_fsw_fix(uint8_t *img)
{
	uint16_t fsw = get16(img + FX_FSW) & ~(FSW_ES | FSW_B);

	if (fsw & ~get16(img + FX_FCW) & 0x3f)
		fsw |= FSW_ES | FSW_B;
	put16(img + FX_FSW, fsw);
}

void x86_fpu_check_pending(struct x86_cpu *c)
{
	if (fpu_pending(c->fxsave))
		x86_raise(c, X86_EXC_MF, false, 0);
}

/* ------------------------------------------------------------ memory */

static bool user(const struct x86_cpu *c)
{
	return c->cpl == 3;
}

/* bytes per access: 8, 4, 2 or 1 (no access crosses n) */
static unsigned int chunk(unsigned int left)
{
	return left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
}

uint64_t x86_fpu_mem_read(struct x86_cpu *c, const struct x86_insn *in,
			  uint32_t off, uint8_t *buf, unsigned int n)
{
	uint64_t lin = x86_seg_lin(c, x86_ea_seg(in),
				   x86_ea_add(in, x86_ea(c, in), off), n, false);
	unsigned int k, sz;

	for (k = 0; k < n; k += sz) {
		uint64_t v;

		sz = chunk(n - k);
		v = x86_lin_read(c, (lin + k) & c->lin_mask, sz, user(c));
		memcpy(buf + k, &v, sz);
	}
	return lin;
}

uint64_t x86_fpu_mem_probe(struct x86_cpu *c, const struct x86_insn *in,
			   uint32_t off, unsigned int n)
{
	uint64_t lin = x86_seg_lin(c, x86_ea_seg(in),
				   x86_ea_add(in, x86_ea(c, in), off), n, true);
	unsigned int k;

	for (k = 0; k < n; k += 4096 - ((lin + k) & 0xfff))
		x86_lin_probe_write(c, (lin + k) & c->lin_mask, 1, user(c));
	x86_lin_probe_write(c, (lin + n - 1) & c->lin_mask, 1, user(c));
	return lin;
}

void x86_fpu_mem_write(struct x86_cpu *c, uint64_t lin, const uint8_t *buf,
		       unsigned int n)
{
	unsigned int k, sz;

	for (k = 0; k < n; k += sz) {
		uint64_t v = 0;

		sz = chunk(n - k);
		memcpy(&v, buf + k, sz);
		x86_lin_write(c, (lin + k) & c->lin_mask, sz, v, user(c));
	}
}

/* ------------------------------------------------------------ environment */

static unsigned int top_of(const uint8_t *img)
{
	return (get16(img + FX_FSW) >> FSW_TOP_SHIFT) & 7;
}

/* full 2-bit tag of an 80-bit register value that is not empty */
static unsigned int tag_class(const uint8_t *r)
{
	uint64_t mant;
	unsigned int exp = get16(r + 8) & 0x7fff;

	memcpy(&mant, r, 8);
	if (exp == 0x7fff)
		return 2;
	if (exp == 0)
		return mant ? 2 : 1;
	return (mant >> 63) ? 0 : 2;
}

static uint16_t full_tag(const uint8_t *img)
{
	unsigned int top = top_of(img), i;
	uint16_t ftw = 0;

	for (i = 0; i < 8; i++) {
		unsigned int t = 3;

		if (img[FX_FTW] & (1u << i))
			t = tag_class(img + FX_ST0 + 16 * ((i - top) & 7));
		ftw |= (uint16_t)(t << (2 * i));
	}
	return ftw;
}

/*
 * The image holds ST(0)..ST(7); a new TOP renames registers without moving
 * the physical ones: rotate so ST(j) is physical register (top + j).
 */
static void set_top(uint8_t *img, unsigned int top)
{
	unsigned int old = top_of(img), j;
	uint8_t st[128];

	for (j = 0; j < 8; j++)
		memcpy(st + 16 * j, img + FX_ST0 + 16 * ((top + j - old) & 7), 16);
	memcpy(img + FX_ST0, st, sizeof(st));
	put16(img + FX_FSW, (get16(img + FX_FSW) & ~(7u << FSW_TOP_SHIFT)) |
			    top << FSW_TOP_SHIFT);
}

static bool real_fmt(const struct x86_cpu *c)
{
	return !(c->cr0 & X86_CR0_PE) || (c->eflags & FL_VM);
}

/* build the 14/28-byte environment image */
static unsigned int env_store(const struct x86_cpu *c, unsigned int opsize,
			      const uint8_t *state, uint8_t *e)
{
	uint8_t img[FX_MXCSR];
	uint32_t fip, fdp, fop;
	uint16_t ftw = full_tag(state);
	bool real = real_fmt(c);

	memcpy(img, state, sizeof(img));
	fpu_store_policy(img, false);
	fip = get32(img + FX_FIP);
	fdp = get32(img + FX_FDP);
	fop = get16(img + FX_FOP) & 0x7ff;

	if (real) {
		fip += (uint32_t)get16(img + FX_FCS) << 4;
		fdp += (uint32_t)get16(img + FX_FDS) << 4;
	}
	if (opsize == 2) {
		put16(e, get16(img + FX_FCW));
		put16(e + 2, get16(img + FX_FSW));
		put16(e + 4, ftw);
		put16(e + 6, fip);
		put16(e + 8, real ? ((fip >> 16) & 0xf) << 12 | fop :
			      get16(img + FX_FCS));
		put16(e + 10, fdp);
		put16(e + 12, real ? ((fdp >> 16) & 0xf) << 12 :
			       get16(img + FX_FDS));
		return 14;
	}
	put32(e, 0xffff0000u | get16(img + FX_FCW));
	put32(e + 4, 0xffff0000u | get16(img + FX_FSW));
	put32(e + 8, 0xffff0000u | ftw);
	if (real) {
		put32(e + 12, 0xffff0000u | (fip & 0xffff));
		put32(e + 16, (fip >> 16) << 12 | fop);
		put32(e + 20, 0xffff0000u | (fdp & 0xffff));
		put32(e + 24, (fdp >> 16) << 12);
	} else {
		put32(e + 12, fip);
		put32(e + 16, get16(img + FX_FCS) | fop << 16);
		put32(e + 20, fdp);
		put32(e + 24, 0xffff0000u | get16(img + FX_FDS));
	}
	return 28;
}

static unsigned int env_load(const struct x86_cpu *c, unsigned int opsize,
			     uint8_t *img, const uint8_t *e)
{
	uint32_t fip, fdp, fop, fcs = 0, fds = 0, ftw;
	bool real = real_fmt(c);
	unsigned int i, fsw = get16(e + (opsize == 2 ? 2 : 4));

	set_top(img, (fsw >> FSW_TOP_SHIFT) & 7);
	put16(img + FX_FCW, x86_fpu_fcw(get16(e)));
	put16(img + FX_FSW, fsw);
	ftw = get16(e + (opsize == 2 ? 4 : 8));
	if (opsize == 2) {
		fip = get16(e + 6);
		fdp = get16(e + 10);
		if (real) {
			fip |= (uint32_t)(get16(e + 8) >> 12) << 16;
			fop = get16(e + 8) & 0x7ff;
			fdp |= (uint32_t)(get16(e + 12) >> 12) << 16;
		} else {
			fcs = get16(e + 8);
			fds = get16(e + 12);
			fop = get16(img + FX_FOP);
		}
	} else if (real) {
		fip = get16(e + 12) | (get32(e + 16) >> 12 & 0xffff) << 16;
		fop = get32(e + 16) & 0x7ff;
		fdp = get16(e + 20) | (get32(e + 24) >> 12 & 0xffff) << 16;
	} else {
		fip = get32(e + 12);
		fcs = get16(e + 16);
		fop = get32(e + 16) >> 16 & 0x7ff;
		fdp = get32(e + 20);
		fds = get16(e + 24);
	}
	img[FX_FTW] = 0;
	for (i = 0; i < 8; i++)
		if (((ftw >> (2 * i)) & 3) != 3)
			img[FX_FTW] |= (uint8_t)(1u << i);
	put16(img + FX_FOP, fop & 0x7ff);
	put32(img + FX_FIP, fip);
	put16(img + FX_FCS, fcs);
	put32(img + FX_FDP, fdp);
	put16(img + FX_FDS, fds);
	x86_fpu_fsw_fix(img);
	return opsize == 2 ? 14 : 28;
}

static void fninit(uint8_t *img)
{
	set_top(img, 0);
	put16(img + FX_FCW, 0x037f);
	put16(img + FX_FSW, 0);
	img[FX_FTW] = 0;
	memset(img + FX_FOP, 0, FX_MXCSR - FX_FOP);
}

/* FNSTENV, FLDENV, FNSAVE, FRSTOR */
static void exec_env(struct x86_cpu *c, const struct x86_insn *in,
		     uint8_t *img, bool save, bool regs)
{
	uint8_t e[108];
	unsigned int n = in->opsize == 2 ? 14 : 28, tot, i;
	uint64_t lin;

	tot = n + (regs ? 80 : 0);
	if (save) {
		lin = x86_fpu_mem_probe(c, in, 0, tot);
		env_store(c, in->opsize, img, e);
		for (i = 0; regs && i < 8; i++)
			memcpy(e + n + 10 * i, img + FX_ST0 + 16 * i, 10);
		x86_fpu_mem_write(c, lin, e, tot);
		if (regs) {
			fninit(img);
			c->fip_hi = c->fdp_hi = 0;
		}
		else
			put16(img + FX_FCW, get16(img + FX_FCW) | 0x3f);
		x86_fpu_fsw_fix(img);
		return;
	}
	x86_fpu_mem_read(c, in, 0, e, tot);
	env_load(c, in->opsize, img, e);
	c->fip_hi = c->fdp_hi = 0;	/* 32-bit pointers in the image */
	for (i = 0; regs && i < 8; i++) {
		memcpy(img + FX_ST0 + 16 * i, e + n + 10 * i, 10);
		memset(img + FX_ST0 + 16 * i + 10, 0, 6);
	}
}

/* ------------------------------------------------------------ dispatch */

/* memory forms: index (op & 7) * 8 + reg; size, store flag, control */
#define ML(n)	(n)
#define MS(n)	((n) | 0x20)
#define MC	0x40
static const uint8_t x87_mem[64] = {
	ML(4), ML(4), ML(4), ML(4), ML(4), ML(4), ML(4), ML(4),		/* D8 */
	ML(4), 0, MS(4), MS(4), MC, MC, MC, MC,				/* D9 */
	ML(4), ML(4), ML(4), ML(4), ML(4), ML(4), ML(4), ML(4),		/* DA */
	ML(4), MS(4), MS(4), MS(4), 0, ML(10), 0, MS(10),		/* DB */
	ML(8), ML(8), ML(8), ML(8), ML(8), ML(8), ML(8), ML(8),		/* DC */
	ML(8), MS(8), MS(8), MS(8), MC, 0, MC, MC,			/* DD */
	ML(2), ML(2), ML(2), ML(2), ML(2), ML(2), ML(2), ML(2),		/* DE */
	ML(2), MS(2), MS(2), MS(2), ML(10), ML(8), MS(10), MS(8),	/* DF */
};

/* control instructions with a memory operand (x87_mem[] == MC) */
static void exec_mem_ctrl(struct x86_cpu *c, const struct x86_insn *in,
			  uint8_t *img)
{
	unsigned int idx = (in->op & 7) * 8 + in->reg;
	uint8_t b[2];
	uint64_t lin;

	switch (idx) {
	case 0x0c:	/* FLDENV */
		x86_fpu_check_pending(c);
		exec_env(c, in, img, false, false);
		return;
	case 0x0d:	/* FLDCW */
		x86_fpu_check_pending(c);
		x86_fpu_mem_read(c, in, 0, b, 2);
		put16(img + FX_FCW, x86_fpu_fcw(get16(b)));
		x86_fpu_fsw_fix(img);
		return;
	case 0x0e:	/* FNSTENV */
		exec_env(c, in, img, true, false);
		return;
	case 0x2c:	/* FRSTOR */
		x86_fpu_check_pending(c);
		exec_env(c, in, img, false, true);
		return;
	case 0x2e:	/* FNSAVE */
		exec_env(c, in, img, true, true);
		return;
	default:	/* 0x0f FNSTCW, 0x2f FNSTSW m16 */
		lin = x86_fpu_mem_probe(c, in, 0, 2);
		put16(b, get16(img + (idx == 0x0f ? FX_FCW : FX_FSW)));
		x86_fpu_mem_write(c, lin, b, 2);
		return;
	}
}

static void exec_host(struct x86_cpu *c, const struct x86_insn *in,
		      uint8_t *img)
{
	struct fpu_op op;
	unsigned int kind = 0;
	uint64_t lin = 0;
	bool mem = in->flags & X86_IF_MEM;

	memset(&op, 0, sizeof(op));
	x86_fpu_check_pending(c);
	if (mem) {
		kind = x87_mem[(in->op & 7) * 8 + in->reg];
		if (!kind)
			x86_ud(c);
		if (kind & 0x20) {
			/* an unmasked exception stores nothing: keep memory */
			lin = x86_fpu_mem_probe(c, in, 0, kind & 0x1f);
			x86_fpu_mem_read(c, in, 0, op.mem, kind & 0x1f);
		} else
			x86_fpu_mem_read(c, in, 0, op.mem, kind & 0x1f);
	}
	/* FCMOVcc reads EFLAGS; FCOMI & co. write ZF, PF, CF */
	op.eflags = x86_flags_get(c);
	if (!x86_fpu_host_run(c, in, img, &op))
		x86_internal_error(c, "%s", c->errmsg);
	if ((in->op == 0xdb || in->op == 0xdf) && !mem && in->reg >= 5 &&
	    in->reg <= 6)
		x86_flags_arith(c, (x86_flags_get(c) & ~FL_ARITH) |
				(op.eflags & (FL_ZF | FL_PF | FL_CF)));
	if (kind & 0x20)
		x86_fpu_mem_write(c, lin, op.mem, kind & 0x1f);
	/* canon.h: FOP always; FDP/FDS unless FDP_EXCPTN_ONLY (then only
	 * when this instruction left an unmasked exception pending) */
	if (X86_CANON_FOP_ALWAYS || fpu_pending(img))
		put16(img + FX_FOP, (uint32_t)(in->op & 7) << 8 | in->modrm);
	put32(img + FX_FIP, (uint32_t)c->rip);
	c->fip_hi = (uint32_t)(c->rip >> 32);
	put16(img + FX_FCS, c->seg[X86_CS].sel);
	if (mem && (!X86_CANON_FDP_EXCPTN_ONLY || fpu_pending(img))) {
		/* (without a memory operand they stay: X86_CANON_FDP_KEPT) */
		uint64_t ea = x86_ea(c, in);

		put32(img + FX_FDP, (uint32_t)ea);
		c->fdp_hi = (uint32_t)(ea >> 32);
		put16(img + FX_FDS, c->seg[x86_ea_seg(in)].sel);
	}
}

void x86_exec_x87(struct x86_cpu *c, const struct x86_insn *in)
{
	uint8_t img[512] __attribute__((aligned(16)));
	bool mem = in->flags & X86_IF_MEM;

	if (in->op == 0x9b) {		/* WAIT/FWAIT */
		if ((c->cr0 & (X86_CR0_MP | X86_CR0_TS)) ==
		    (X86_CR0_MP | X86_CR0_TS))
			x86_raise(c, X86_EXC_NM, false, 0);
		x86_fpu_check_pending(c);
		return;
	}
	if (c->cr0 & (X86_CR0_EM | X86_CR0_TS))
		x86_raise(c, X86_EXC_NM, false, 0);
	memcpy(img, c->fxsave, sizeof(img));
	if (mem && x87_mem[(in->op & 7) * 8 + in->reg] == MC) {
		exec_mem_ctrl(c, in, img);
	} else if (!mem && in->op == 0xdb && in->modrm >= 0xe0 &&
		   in->modrm <= 0xe4) {
		if (in->modrm == 0xe2) {		/* FNCLEX */
			put16(img + FX_FSW, get16(img + FX_FSW) & 0x7f00);
		} else if (in->modrm == 0xe3) {		/* FNINIT */
			fninit(img);
			c->fip_hi = c->fdp_hi = 0;
		}
		/* E0 FNENI, E1 FNDISI, E4 FNSETPM: no-ops since the 80387 */
	} else if (!mem && in->op == 0xdf && in->modrm == 0xe0) {
		reg_set(c, X86_RAX, 2, get16(img + FX_FSW));	/* FNSTSW AX */
		return;
	} else {
		exec_host(c, in, img);
	}
	memcpy(c->fxsave, img, sizeof(img));
}
