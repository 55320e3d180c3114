// SPDX-License-Identifier: GPL-2.0-only
/*
 * ops0f.c --- execution of the two-byte (0F) opcode map
 *
 * CMOVcc, Jcc rel16/32, SETcc, BT/BTS/BTR/BTC (with the bit-string
 * addressing of register offsets into memory), SHLD/SHRD, IMUL, CMPXCHG,
 * CMPXCHG8B, XADD, MOVZX/MOVSX, BSF/BSR, BSWAP, far-pointer loads, FS/GS
 * pushes; descriptor-table and control-register instructions (SDM vol. 2
 * and vol. 3, 2.7).  CPUID, MSRs and SYSENTER are in cpuid_msr.c.
 */
#include "vmm/x86/cpu.h"
#include "vmm/x86/fpu.h"

static bool prot(const struct x86_cpu *c)
{
	return (c->cr0 & X86_CR0_PE) && !(c->eflags & FL_VM);
}

static void need_cpl0(struct x86_cpu *c)
{
	if (c->cpl)
		x86_gp0(c);
}

static void exec_bt(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize, kind;
	uint32_t bit, v, mask, lin = 0;
	bool mem = in->flags & X86_IF_MEM;

	if (in->op == 0x1ba) {
		kind = in->reg & 3;
		bit = in->imm & (sz * 8 - 1);
	} else {
		kind = (in->op >> 3) & 3;
		bit = reg_get(c, in->reg, sz);
	}
	if (mem) {
		uint32_t ea = x86_ea(c, in);

		if (in->op != 0x1ba) {
			int32_t off = sz == 2 ? (int16_t)bit : (int32_t)bit;

			ea += (uint32_t)((off >> (sz == 2 ? 4 : 5)) * (int32_t)sz);
			if (in->adsize == 2)
				ea &= 0xffff;
		}
		bit &= sz * 8 - 1;
		lin = x86_seg_lin(c, x86_ea_seg(in), ea, sz, kind != 0);
		if (kind)
			x86_lin_probe_write(c, lin, sz, c->cpl == 3);
		v = x86_lin_read(c, lin, sz, c->cpl == 3);
	} else {
		bit &= sz * 8 - 1;
		v = reg_get(c, in->rm, sz);
	}
	mask = 1u << bit;
	x86_flags_arith(c, (x86_flags_get(c) & ~FL_CF) | ((v & mask) ? FL_CF : 0));
	switch (kind) {
	case 0: return;
	case 1: v |= mask; break;	/* BTS */
	case 2: v &= ~mask; break;	/* BTR */
	default: v ^= mask; break;	/* BTC */
	}
	if (mem)
		x86_lin_write(c, lin, sz, v, c->cpl == 3);
	else
		reg_set(c, in->rm, sz, v);
}

static void exec_shxd(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize;
	unsigned int count = ((in->op & 1) ? (uint8_t)c->gpr[X86_RCX] : in->imm) & 31;
	bool left = in->op < 0x1a8;
	uint32_t d, s = reg_get(c, in->reg, sz), r, cf, fl;
	uint64_t w;

	if (in->flags & X86_IF_MEM) {
		uint32_t lin = x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), sz, true);

		x86_lin_probe_write(c, lin, sz, c->cpl == 3);
		d = x86_lin_read(c, lin, sz, c->cpl == 3);
		if (!count)
			return;
	} else {
		d = reg_get(c, in->rm, sz);
		if (!count)
			return;
	}
	if (sz == 2) {
		/* 16-bit counts above 16 shift through d:s:d, as hardware does */
		if (left) {
			w = ((uint64_t)d << 32) | ((uint64_t)s << 16) | d;
			r = (uint32_t)(w << count >> 32) & 0xffff;
			cf = (uint32_t)(w >> (48 - count)) & 1;
		} else {
			w = ((uint64_t)d << 32) | ((uint64_t)s << 16) | d;
			r = (uint32_t)(w >> count) & 0xffff;
			cf = (uint32_t)(w >> (count - 1)) & 1;
		}
	} else if (left) {
		w = ((uint64_t)d << 32) | s;
		r = (uint32_t)((w << count) >> 32);
		cf = (uint32_t)(w >> (64 - count)) & 1;
	} else {
		w = ((uint64_t)s << 32) | d;
		r = (uint32_t)(w >> count);
		cf = (uint32_t)(w >> (count - 1)) & 1;
	}
	fl = x86_flags_szp(r, sz) | (cf ? FL_CF : 0);
	if (((r ^ d) & sign_bit(sz)))
		fl |= FL_OF;
	x86_flags_arith(c, fl | (x86_flags_get(c) & FL_AF));
	x86_rm_write(c, in, sz, r);
}

static void exec_cmpxchg(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = (in->op & 1) ? in->opsize : 1;
	uint32_t acc = reg_get(c, X86_RAX, sz), d, lin = 0;
	bool mem = in->flags & X86_IF_MEM;

	if (mem) {
		lin = x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), sz, true);
		x86_lin_probe_write(c, lin, sz, c->cpl == 3);
		d = x86_lin_read(c, lin, sz, c->cpl == 3);
	} else {
		d = reg_get(c, in->rm, sz);
	}
	x86_alu2(c, 7, acc, d, sz);
	if (acc == d) {
		if (mem)
			x86_lin_write(c, lin, sz, reg_get(c, in->reg, sz), c->cpl == 3);
		else
			reg_set(c, in->rm, sz, reg_get(c, in->reg, sz));
	} else {
		if (mem)
			x86_lin_write(c, lin, sz, d, c->cpl == 3);
		reg_set(c, X86_RAX, sz, d);
	}
}

static void exec_cmpxchg8b(struct x86_cpu *c, const struct x86_insn *in)
{
	uint32_t lin = x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), 8, true);
	bool u = c->cpl == 3;
	uint32_t lo, hi;

	x86_lin_probe_write(c, lin, 4, u);
	x86_lin_probe_write(c, lin + 4, 4, u);
	lo = x86_lin_read(c, lin, 4, u);
	hi = x86_lin_read(c, lin + 4, 4, u);
	if (lo == (uint32_t)c->gpr[X86_RAX] && hi == (uint32_t)c->gpr[X86_RDX]) {
		x86_lin_write(c, lin, 4, (uint32_t)c->gpr[X86_RBX], u);
		x86_lin_write(c, lin + 4, 4, (uint32_t)c->gpr[X86_RCX], u);
		x86_flags_arith(c, x86_flags_get(c) | FL_ZF);
	} else {
		x86_lin_write(c, lin, 4, lo, u);
		x86_lin_write(c, lin + 4, 4, hi, u);
		c->gpr[X86_RAX] = lo;
		c->gpr[X86_RDX] = hi;
		x86_flags_arith(c, x86_flags_get(c) & ~FL_ZF);
	}
}

static void exec_xadd(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = (in->op & 1) ? in->opsize : 1;
	uint32_t s = reg_get(c, in->reg, sz), d, lin = 0, r;
	bool mem = in->flags & X86_IF_MEM;

	if (mem) {
		lin = x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), sz, true);
		x86_lin_probe_write(c, lin, sz, c->cpl == 3);
		d = x86_lin_read(c, lin, sz, c->cpl == 3);
	} else {
		d = reg_get(c, in->rm, sz);
	}
	r = x86_alu2(c, 0, d, s, sz);
	reg_set(c, in->reg, sz, d);
	if (mem)
		x86_lin_write(c, lin, sz, r, c->cpl == 3);
	else
		reg_set(c, in->rm, sz, r);
}

static void exec_bsx(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize;
	uint32_t v = x86_rm_read(c, in, sz);
	uint32_t fl = x86_flags_get(c) & ~FL_ARITH;

	if (!v) {
		x86_flags_arith(c, fl | FL_ZF);
		return;
	}
	x86_flags_arith(c, fl);
	if (in->op == 0x1bc)
		reg_set(c, in->reg, sz, (uint32_t)__builtin_ctz(v));
	else
		reg_set(c, in->reg, sz, 31u - (uint32_t)__builtin_clz(v));
}

static void exec_grp6(struct x86_cpu *c, const struct x86_insn *in);

/* LAR / LSL: descriptor rights or limit when visible at CPL/RPL, ZF */
static void exec_lar_lsl(struct x86_cpu *c, const struct x86_insn *in)
{
	uint16_t sel;
	uint64_t d, lim;
	struct x86_seg s;
	unsigned int type, dpl;
	bool ok = false, lsl = in->op == 0x103;

	if (!prot(c))
		x86_ud(c);
	sel = (uint16_t)x86_rm_read(c, in, 2);
	lim = (sel & 4) ? c->ldtr.limit : c->gdtr.limit;
	if ((sel & ~3) && (!(sel & 4) || (c->ldtr.attr & X86_SEG_ATTR_P)) &&
	    (sel & ~7u) + 7 <= lim) {
		d = x86_desc_read(c, sel, X86_EXC_GP);
		x86_desc_to_seg(d, sel, &s);
		type = s.attr & 0x1f;
		dpl = (s.attr >> 5) & 3;
		if (type & 0x10)	/* code/data; conforming code is exempt */
			ok = (type & 0x0c) == 0x0c ||
			     (dpl >= c->cpl && dpl >= (sel & 3u));
		else if (lsl)
			ok = type == 1 || type == 2 || type == 3 || type == 9 || type == 0xb;
		else
			ok = (type >= 1 && type <= 5) || type == 9 || type == 0xb ||
			     type == 0xc;
		if (!(type & 0x10) && ok)
			ok = dpl >= c->cpl && dpl >= (sel & 3u);
		if (ok) {
			uint32_t v = lsl ? s.limit : (uint32_t)(d >> 32) & 0x00f0ff00u;

			reg_set(c, in->reg, in->opsize, in->opsize == 2 ? v & 0xffff : v);
		}
	}
	x86_flags_arith(c, (x86_flags_get(c) & ~FL_ZF) | (ok ? FL_ZF : 0));
}
static void exec_grp7(struct x86_cpu *c, const struct x86_insn *in);
static void exec_movcr(struct x86_cpu *c, const struct x86_insn *in);

void x86_exec_0f(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int op = in->op & 0xff, sz = in->opsize;
	uint32_t v;

	switch (op) {
	case 0x40 ... 0x4f:
		v = x86_rm_read(c, in, sz);
		if (x86_cond(c, op & 15))
			reg_set(c, in->reg, sz, v);
		return;
	case 0x80 ... 0x8f:
		if (x86_cond(c, op & 15)) {
			uint32_t t = (uint32_t)c->next_ip + in->imm;

			if (sz == 2)
				t &= 0xffff;
			if (t > c->seg[X86_CS].limit)
				x86_gp0(c);
			c->next_ip = t;
		}
		return;
	case 0x90 ... 0x9f:
		x86_rm_write(c, in, 1, x86_cond(c, op & 15));
		return;
	case 0xa0: case 0xa8:
		x86_push(c, sz, c->seg[op == 0xa0 ? X86_FS : X86_GS].sel);
		return;
	case 0xa1: case 0xa9: {
		uint32_t sp = x86_sp(c);
		uint16_t sel = (uint16_t)x86_read(c, X86_SS, sp, 2);

		x86_seg_load(c, op == 0xa1 ? X86_FS : X86_GS, sel);
		x86_sp_set(c, sp + sz);
		return;
	}
	case 0xa3: case 0xab: case 0xb3: case 0xbb: case 0xba:
		exec_bt(c, in);
		return;
	case 0xa4: case 0xa5: case 0xac: case 0xad:
		exec_shxd(c, in);
		return;
	case 0xaf: {
		int64_t a = sz == 2 ? (int16_t)reg_get(c, in->reg, 2) : (int32_t)reg_get(c, in->reg, 4);
		int64_t b = sz == 2 ? (int16_t)x86_rm_read(c, in, 2) : (int32_t)x86_rm_read(c, in, 4);
		int64_t r = a * b;
		uint32_t fl = x86_flags_szp((uint32_t)r, sz);

		if (r != (sz == 2 ? (int16_t)r : (int32_t)r))
			fl |= FL_CF | FL_OF;
		x86_flags_arith(c, fl);
		reg_set(c, in->reg, sz, (uint32_t)r);
		return;
	}
	case 0xb0: case 0xb1:
		exec_cmpxchg(c, in);
		return;
	case 0xb2: case 0xb4: case 0xb5: {
		unsigned int sreg = op == 0xb2 ? X86_SS : op == 0xb4 ? X86_FS : X86_GS;
		unsigned int seg = x86_ea_seg(in);
		uint32_t ea = x86_ea(c, in), off;
		uint16_t sel;

		off = x86_read(c, seg, ea, sz);
		sel = (uint16_t)x86_read(c, seg, (ea + sz) & (in->adsize == 2 ? 0xffff : ~0u), 2);
		x86_seg_load(c, sreg, sel);
		reg_set(c, in->reg, sz, off);
		return;
	}
	case 0xb6: case 0xb7:
		reg_set(c, in->reg, sz, x86_rm_read(c, in, op == 0xb6 ? 1 : 2));
		return;
	case 0xbe:
		reg_set(c, in->reg, sz, (uint32_t)(int32_t)(int8_t)x86_rm_read(c, in, 1));
		return;
	case 0xbf:
		reg_set(c, in->reg, sz, (uint32_t)(int32_t)(int16_t)x86_rm_read(c, in, 2));
		return;
	case 0xbc: case 0xbd:
		exec_bsx(c, in);
		return;
	case 0xc0: case 0xc1:
		exec_xadd(c, in);
		return;
	case 0xc7:
		exec_cmpxchg8b(c, in);
		return;
	case 0xc8 ... 0xcf:
		v = reg_get(c, op & 7, 4);
		if (sz == 2)
			reg_set(c, op & 7, 2, 0);
		else
			reg_set(c, op & 7, 4, __builtin_bswap32(v));
		return;
	case 0x18 ... 0x1f:
		return;		/* prefetch hints / multi-byte NOP */
	case 0x0b: case 0xb9:
		x86_ud(c);
	case 0x00:
		exec_grp6(c, in);
		return;
	case 0x01:
		exec_grp7(c, in);
		return;
	case 0x02: case 0x03:
		exec_lar_lsl(c, in);
		return;
	case 0x06:
		need_cpl0(c);
		c->cr0 &= ~(uint64_t)X86_CR0_TS;
		return;
	case 0x08: case 0x09:
		need_cpl0(c);
		return;
	case 0x20 ... 0x23:
		exec_movcr(c, in);
		return;
	case 0xae:
		if (!(in->flags & X86_IF_MEM) || in->reg != 7) {
			x86_exec_simd(c, in);	/* FXSAVE & co, fences (simd.c) */
			return;
		}
		x86_read(c, x86_ea_seg(in), x86_ea(c, in), 1);	/* CLFLUSH */
		return;
	case 0x10 ... 0x17: case 0x28 ... 0x2f: case 0x50 ... 0x7f:
	case 0xc2 ... 0xc6: case 0xd0 ... 0xff:
		x86_exec_simd(c, in);		/* MMX/SSE/SSE2 (simd.c) */
		return;
	default:
		if (!x86_exec_cpuid_msr(c, in))
			x86_ud(c);
		return;
	}
}

static void exec_grp6(struct x86_cpu *c, const struct x86_insn *in)
{
	uint16_t sel;

	if (!prot(c))
		x86_ud(c);
	switch (in->reg) {
	case 0:		/* SLDT */
	case 1:		/* STR */
		sel = in->reg ? c->tr.sel : c->ldtr.sel;
		if (in->flags & X86_IF_MEM)
			x86_rm_write(c, in, 2, sel);
		else
			reg_set(c, in->rm, in->opsize, sel);
		return;
	case 2: {	/* LLDT */
		struct x86_seg s;

		need_cpl0(c);
		sel = (uint16_t)x86_rm_read(c, in, 2);
		if (!(sel & ~3)) {
			c->ldtr.sel = sel;
			c->ldtr.attr = 0;
			return;
		}
		if (sel & 4)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		x86_desc_to_seg(x86_desc_read(c, sel, X86_EXC_GP), sel, &s);
		if ((s.attr & 0x1f) != 2)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		if (!(s.attr & X86_SEG_ATTR_P))
			x86_raise(c, X86_EXC_NP, true, sel & ~3u);
		c->ldtr = s;
		return;
	}
	case 3: {	/* LTR */
		struct x86_seg s;
		uint64_t d;

		need_cpl0(c);
		sel = (uint16_t)x86_rm_read(c, in, 2);
		if (!(sel & ~3) || (sel & 4))
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		d = x86_desc_read(c, sel, X86_EXC_GP);
		x86_desc_to_seg(d, sel, &s);
		if ((s.attr & 0x1f) != 1 && (s.attr & 0x1f) != 9)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		if (!(s.attr & X86_SEG_ATTR_P))
			x86_raise(c, X86_EXC_NP, true, sel & ~3u);
		/* mark busy */
		x86_lin_write(c, (uint32_t)(c->gdtr.base + (sel & ~7u) + 5), 1,
			      (uint32_t)((d >> 40) & 0xff) | 2, false);
		s.attr |= 2;
		c->tr = s;
		return;
	}
	default: {	/* VERR / VERW */
		struct x86_seg s;
		bool ok = false;
		uint64_t lim;

		sel = (uint16_t)x86_rm_read(c, in, 2);
		lim = (sel & 4) ? c->ldtr.limit : c->gdtr.limit;
		if ((sel & ~3) && (!(sel & 4) || (c->ldtr.attr & X86_SEG_ATTR_P)) &&
		    (sel & ~7u) + 7 <= lim) {
			unsigned int dpl;

			x86_desc_to_seg(x86_desc_read(c, sel, X86_EXC_GP), sel, &s);
			dpl = (s.attr >> 5) & 3;
			if (s.attr & 0x10) {
				bool code = s.attr & 8, conf = code && (s.attr & 4);

				ok = conf || (dpl >= c->cpl && dpl >= (sel & 3u));
				if (in->reg == 4)
					ok = ok && (!code || (s.attr & 2));
				else
					ok = ok && !code && (s.attr & 2);
			}
		}
		x86_flags_arith(c, (x86_flags_get(c) & ~FL_ZF) | (ok ? FL_ZF : 0));
		return;
	}
	}
}

static void exec_grp7(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int seg = x86_ea_seg(in);
	uint32_t ea, base;
	uint16_t lim;
	struct x86_dtable *t;

	switch (in->reg) {
	case 0:
	case 1:		/* SGDT / SIDT */
		t = in->reg ? &c->idtr : &c->gdtr;
		ea = x86_ea(c, in);
		base = (uint32_t)t->base;
		if (in->opsize == 2)
			base &= 0xffffff;
		x86_seg_lin(c, seg, ea, 6, true);
		x86_write(c, seg, ea, 2, t->limit);
		x86_write(c, seg, ea + 2, 4, base);
		return;
	case 2:
	case 3:		/* LGDT / LIDT */
		need_cpl0(c);
		ea = x86_ea(c, in);
		lim = (uint16_t)x86_read(c, seg, ea, 2);
		base = x86_read(c, seg, ea + 2, 4);
		if (in->opsize == 2)
			base &= 0xffffff;
		t = in->reg == 3 ? &c->idtr : &c->gdtr;
		t->base = base;
		t->limit = lim;
		return;
	case 4:		/* SMSW */
		if (in->flags & X86_IF_MEM)
			x86_rm_write(c, in, 2, (uint32_t)c->cr0);
		else
			reg_set(c, in->rm, in->opsize, (uint32_t)c->cr0);
		return;
	case 6: {	/* LMSW: PE can be set, not cleared */
		uint32_t v;

		need_cpl0(c);
		v = x86_rm_read(c, in, 2) & 0xf;
		if (c->cr0 & X86_CR0_PE)
			v |= X86_CR0_PE;
		c->cr0 = (c->cr0 & ~0xfull) | v;
		x86_mode_update(c);
		return;
	}
	default:	/* INVLPG */
		need_cpl0(c);
		ea = x86_ea(c, in);
		x86_tlb_flush_page(c, (uint32_t)c->seg[seg].base + ea);
		return;
	}
}

#define CR4_SUPPORTED	(CR4_PSE | CR4_PAE | CR4_PGE | CR4_TSD | CR4_DE | \
			 0x40u /* MCE */ | 0x100u /* PCE */ | \
			 CR4_OSFXSR | CR4_OSXMMEXCPT /* simd.c */)

static void exec_movcr(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int n = in->reg;
	uint32_t v;

	if (c->eflags & FL_VM)
		x86_gp0(c);
	need_cpl0(c);
	if (in->op == 0x120) {
		v = n == 0 ? (uint32_t)c->cr0 : n == 2 ? (uint32_t)c->cr2 :
		    n == 3 ? (uint32_t)c->cr3 : (uint32_t)c->cr4;
		reg_set(c, in->rm, 4, v);
		return;
	}
	if (in->op == 0x121) {
		if ((n == 4 || n == 5) && (c->cr4 & CR4_DE))
			x86_ud(c);
		v = (uint32_t)c->dr[n == 4 ? 6 : n == 5 ? 7 : n];
		reg_set(c, in->rm, 4, v);
		return;
	}
	v = reg_get(c, in->rm, 4);
	if (in->op == 0x123) {
		if ((n == 4 || n == 5) && (c->cr4 & CR4_DE))
			x86_ud(c);
		c->dr[n == 4 ? 6 : n == 5 ? 7 : n] = v;
		x86_dr7_update(c);
		return;
	}
	switch (n) {
	case 0:
		if ((v & X86_CR0_PG) && !(v & X86_CR0_PE))
			x86_gp0(c);
		if ((v & X86_CR0_NW) && !(v & X86_CR0_CD))
			x86_gp0(c);
		v |= X86_CR0_ET;
		if ((v ^ (uint32_t)c->cr0) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
			x86_tlb_flush(c, true);
		c->cr0 = v;
		x86_mode_update(c);
		return;
	case 2:
		c->cr2 = v;
		return;
	case 3:
		c->cr3 = v;
		x86_tlb_flush(c, false);
		return;
	default:
		if (v & ~CR4_SUPPORTED)
			x86_gp0(c);
		if ((c->cr0 & X86_CR0_PG) && ((v ^ (uint32_t)c->cr4) & CR4_PAE))
			x86_gp0(c);
		c->cr4 = v;
		x86_tlb_flush(c, true);
		return;
	}
}
