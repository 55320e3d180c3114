// SPDX-License-Identifier: GPL-2.0-only
/*
 * ops0f.c --- execution of the two-byte (0F) opcode map
 *
 * CMOVcc, Jcc rel16/32, SETcc, BT/BTS/BTR/BTC (with the bit-string
 * addressing of register offsets into memory), SHLD/SHRD, IMUL, CMPXCHG,
 * CMPXCHG8B/16B, XADD, MOVZX/MOVSX, BSF/BSR, BSWAP, POPCNT, far-pointer
 * loads, FS/GS pushes, with 64-bit operands where REX.W gives them;
 * descriptor-table and control-register instructions with the IA-32e rules
 * (16-byte LDT/TSS descriptors, 10-byte descriptor-table registers, CR8,
 * the long-mode activation checks of CR0/CR4; SDM vol. 2 and vol. 3, 2.5,
 * 2.7, 9.8.5).  CPUID, MSRs, SYSCALL/SYSENTER and SWAPGS are in
 * cpuid_msr.c.
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
	unsigned int sz = in->opsize, kind, bits = sz * 8;
	uint64_t bit, v, mask, lin = 0;
	bool mem = in->flags & X86_IF_MEM;

	if (in->op == 0x1ba) {
		kind = in->reg & 3;
		bit = in->imm & (bits - 1);
	} else {
		kind = (in->op >> 3) & 3;
		bit = reg_get(c, in->reg, sz);
	}
	if (mem) {
		uint64_t ea = x86_ea(c, in);

		if (in->op != 0x1ba) {
			int64_t off = (int64_t)sext(bit, sz);

			ea = x86_ea_add(in, ea, (uint64_t)((off >> (sz == 2 ? 4 :
						sz == 4 ? 5 : 6)) * (int64_t)sz));
		}
		bit &= bits - 1;
		lin = x86_seg_lin(c, x86_ea_seg(in), ea, sz, kind != 0);
		if (kind)
			x86_lin_probe_write(c, lin, sz, c->cpl == 3);
		v = x86_lin_read(c, lin, sz, c->cpl == 3);
	} else {
		bit &= bits - 1;
		v = reg_get(c, in->rm, sz);
	}
	mask = 1ull << bit;
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
	unsigned int sz = in->opsize, bits = sz * 8;
	unsigned int count = ((in->op & 1) ? (uint8_t)c->gpr[X86_RCX] : in->imm) &
			     (sz == 8 ? 63 : 31);
	bool left = in->op < 0x1a8;
	uint64_t d, s = reg_get(c, in->reg, sz), r, cf;
	uint64_t m = size_mask(sz);
	uint32_t fl;

	if (in->flags & X86_IF_MEM) {
		uint64_t lin = x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), sz, true);

		x86_lin_probe_write(c, lin, sz, c->cpl == 3);
		d = x86_lin_read(c, lin, sz, c->cpl == 3);
		if (!count)
			return;
	} else {
		d = reg_get(c, in->rm, sz);
		if (!count) {
			reg_set(c, in->rm, sz, d);	/* 32-bit: upper half cleared */
			return;
		}
	}
	if (sz == 2) {
		/* 16-bit counts above 16 shift through d:s:d, as hardware does */
		uint64_t w = (d << 32) | (s << 16) | d;

		if (left) {
			r = (w << count >> 32) & 0xffff;
			cf = (w >> (48 - count)) & 1;
		} else {
			r = (w >> count) & 0xffff;
			cf = (w >> (count - 1)) & 1;
		}
	} else if (left) {
		r = ((d << count) | (s >> (bits - count))) & m;
		cf = (d >> (bits - count)) & 1;
	} else {
		r = ((d >> count) | (s << (bits - count))) & m;
		cf = (d >> (count - 1)) & 1;
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
	uint64_t acc = reg_get(c, X86_RAX, sz), d, lin = 0;
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

/* CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W: #GP(0) unless 16-byte aligned) */
static void exec_cmpxchg8b(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int h = in->opsize == 8 ? 8 : 4;
	uint64_t lin = x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), 2 * h, true);
	bool u = c->cpl == 3;
	uint64_t lo, hi, m = size_mask(h);

	if (h == 8 && (lin & 15))
		x86_gp0(c);
	x86_lin_probe_write(c, lin, h, u);
	x86_lin_probe_write(c, (lin + h) & c->lin_mask, h, u);
	lo = x86_lin_read(c, lin, h, u);
	hi = x86_lin_read(c, (lin + h) & c->lin_mask, h, u);
	if (lo == (c->gpr[X86_RAX] & m) && hi == (c->gpr[X86_RDX] & m)) {
		x86_lin_write(c, lin, h, c->gpr[X86_RBX], u);
		x86_lin_write(c, (lin + h) & c->lin_mask, h, c->gpr[X86_RCX], u);
		x86_flags_arith(c, x86_flags_get(c) | FL_ZF);
	} else {
		x86_lin_write(c, lin, h, lo, u);
		x86_lin_write(c, (lin + h) & c->lin_mask, h, hi, u);
		reg_set(c, X86_RAX, h, lo);
		reg_set(c, X86_RDX, h, hi);
		x86_flags_arith(c, x86_flags_get(c) & ~FL_ZF);
	}
}

static void exec_xadd(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = (in->op & 1) ? in->opsize : 1;
	uint64_t s = reg_get(c, in->reg, sz), d, lin = 0, r;
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
	uint64_t v = x86_rm_read(c, in, sz);
	uint32_t fl = x86_flags_get(c) & ~FL_ARITH;

	if (!v) {
		x86_flags_arith(c, fl | FL_ZF);
		return;
	}
	x86_flags_arith(c, fl);
	if (in->op == 0x1bc)
		reg_set(c, in->reg, sz, (uint64_t)__builtin_ctzll(v));
	else
		reg_set(c, in->reg, sz, 63u - (uint64_t)__builtin_clzll(v));
}

/* POPCNT (F3 0F B8): ZF if the source is 0, the other flags cleared */
static void exec_popcnt(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize;
	uint64_t v = x86_rm_read(c, in, sz);

	x86_flags_arith(c, v ? 0 : FL_ZF);
	reg_set(c, in->reg, sz, (uint64_t)__builtin_popcountll(v));
}

static void exec_grp6(struct x86_cpu *c, const struct x86_insn *in);

/* LAR / LSL: descriptor rights or limit when visible at CPL/RPL, ZF */
static void exec_lar_lsl(struct x86_cpu *c, const struct x86_insn *in)
{
	uint16_t sel;
	uint64_t d, lim;
	struct x86_seg s;
	unsigned int type, dpl;
	bool ok = false, lsl = in->op == 0x103, lma = x86_lma(c);

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
		else if (lma)		/* IA-32e: LDT, 64-bit TSS, call gate */
			ok = type == 2 || type == 9 || type == 0xb ||
			     (!lsl && type == 0xc);
		else if (lsl)
			ok = type == 1 || type == 2 || type == 3 || type == 9 || type == 0xb;
		else
			ok = (type >= 1 && type <= 5) || type == 9 || type == 0xb ||
			     type == 0xc;
		if (!(type & 0x10) && ok)
			ok = dpl >= c->cpl && dpl >= (sel & 3u);
		if (ok) {
			uint32_t v = lsl ? s.limit : (uint32_t)(d >> 32) & 0x00f0ff00u;

			reg_set(c, in->reg, in->opsize == 8 ? 4 : in->opsize, v);
		}
	}
	x86_flags_arith(c, (x86_flags_get(c) & ~FL_ZF) | (ok ? FL_ZF : 0));
}
static void exec_grp7(struct x86_cpu *c, const struct x86_insn *in);
static void exec_movcr(struct x86_cpu *c, const struct x86_insn *in);

void x86_exec_0f(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int op = in->op & 0xff, sz = in->opsize;
	uint64_t v;

	switch (op) {
	case 0x40 ... 0x4f:
		v = x86_rm_read(c, in, sz);
		if (x86_cond(c, op & 15))
			reg_set(c, in->reg, sz, v);
		else if (sz == 4)	/* 64-bit mode: the upper half is cleared */
			reg_set(c, in->reg, 4, reg_get(c, in->reg, 4));
		return;
	case 0x80 ... 0x8f:
		if (x86_cond(c, op & 15)) {
			uint64_t t = c->next_ip + in->imm;

			if (sz == 2)
				t &= 0xffff;
			else if (sz == 4)
				t &= 0xffffffffu;
			x86_jump(c, t);
		}
		return;
	case 0x90 ... 0x9f:
		x86_rm_write(c, in, 1, x86_cond(c, op & 15));
		return;
	case 0xa0: case 0xa8:
		x86_push(c, sz, c->seg[op == 0xa0 ? X86_FS : X86_GS].sel);
		return;
	case 0xa1: case 0xa9: {
		uint64_t sp = x86_sp(c);
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
	case 0xaf:
		reg_set(c, in->reg, sz, x86_imul2(c, reg_get(c, in->reg, sz),
						  x86_rm_read(c, in, sz), sz));
		return;
	case 0xb0: case 0xb1:
		exec_cmpxchg(c, in);
		return;
	case 0xb2: case 0xb4: case 0xb5: {
		unsigned int sreg = op == 0xb2 ? X86_SS : op == 0xb4 ? X86_FS : X86_GS;
		unsigned int seg = x86_ea_seg(in);
		uint64_t ea = x86_ea(c, in), off;
		uint16_t sel;

		off = x86_read(c, seg, ea, sz);
		sel = (uint16_t)x86_read(c, seg, x86_ea_add(in, ea, sz), 2);
		x86_seg_load(c, sreg, sel);
		reg_set(c, in->reg, sz, off);
		return;
	}
	case 0xb6: case 0xb7:
		reg_set(c, in->reg, sz, x86_rm_read(c, in, op == 0xb6 ? 1 : 2));
		return;
	case 0xb8:
		exec_popcnt(c, in);
		return;
	case 0xbe:
		reg_set(c, in->reg, sz, sext(x86_rm_read(c, in, 1), 1));
		return;
	case 0xbf:
		reg_set(c, in->reg, sz, sext(x86_rm_read(c, in, 2), 2));
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
		if (sz == 2)
			reg_set(c, in->rm, 2, 0);
		else if (sz == 4)
			reg_set(c, in->rm, 4, __builtin_bswap32((uint32_t)c->gpr[in->rm]));
		else
			reg_set(c, in->rm, 8, __builtin_bswap64(c->gpr[in->rm]));
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
		x86_exec_simd(c, in);		/* MMX/SSE-SSE3 (simd.c) */
		return;
	default:
		if (!x86_exec_cpuid_msr(c, in))
			x86_ud(c);
		return;
	}
}

/* LLDT / LTR: descriptor @sel (16 bytes in IA-32e mode) of system type
 * @type (the busy bit of a TSS ignored) into @s */
static uint64_t sys_desc(struct x86_cpu *c, uint16_t sel, unsigned int type,
			 struct x86_seg *s)
{
	uint64_t d;

	if (!(sel & ~3) || (sel & 4))
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	d = x86_desc_read(c, sel, X86_EXC_GP);
	x86_desc_to_seg(d, sel, s);
	if (type == 2 ? (s->attr & 0x1f) != 2 :
	    ((s->attr & 0x1f) != 9 && ((s->attr & 0x1f) != 1 || x86_lma(c))))
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	if (x86_lma(c)) {
		uint64_t hi = x86_desc_read_hi(c, sel, X86_EXC_GP);

		if ((hi >> 40) & 0x1f)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		s->base |= (hi & 0xffffffffull) << 32;
		if (!is_canonical(s->base))
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	}
	if (!(s->attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_NP, true, sel & ~3u);
	return d;
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
		sys_desc(c, sel, 2, &s);
		c->ldtr = s;
		return;
	}
	case 3: {	/* LTR */
		struct x86_seg s;
		uint64_t d;

		need_cpl0(c);
		sel = (uint16_t)x86_rm_read(c, in, 2);
		d = sys_desc(c, sel, 9, &s);
		/* mark busy */
		x86_sys_write(c, c->gdtr.base + (sel & ~7u) + 5, 1,
			      (uint32_t)((d >> 40) & 0xff) | 2);
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
	uint64_t ea, base;
	uint16_t lim;
	struct x86_dtable *t;

	if (in->reg == 7 && !(in->flags & X86_IF_MEM)) {
		x86_exec_cpuid_msr(c, in);	/* SWAPGS, RDTSCP */
		return;
	}
	switch (in->reg) {
	case 0:
	case 1:		/* SGDT / SIDT: 6 bytes, 10 in 64-bit mode */
		t = in->reg ? &c->idtr : &c->gdtr;
		ea = x86_ea(c, in);
		base = t->base;
		if (!c->long64)
			base &= in->opsize == 2 ? 0xffffff : 0xffffffffu;
		x86_seg_lin(c, seg, ea, c->long64 ? 10 : 6, true);
		x86_write(c, seg, ea, 2, t->limit);
		x86_write(c, seg, x86_ea_add(in, ea, 2), c->long64 ? 8 : 4, base);
		return;
	case 2:
	case 3:		/* LGDT / LIDT */
		need_cpl0(c);
		ea = x86_ea(c, in);
		lim = (uint16_t)x86_read(c, seg, ea, 2);
		base = x86_read(c, seg, x86_ea_add(in, ea, 2), c->long64 ? 8 : 4);
		if (c->long64 && !is_canonical(base))
			x86_gp0(c);
		if (!c->long64 && in->opsize == 2)
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
		v = (uint32_t)x86_rm_read(c, in, 2) & 0xf;
		if (c->cr0 & X86_CR0_PE)
			v |= X86_CR0_PE;
		c->cr0 = (c->cr0 & ~0xfull) | v;
		x86_mode_update(c);
		return;
	}
	default:	/* INVLPG */
		need_cpl0(c);
		ea = x86_ea(c, in);
		if (c->long64)
			x86_tlb_flush_page(c, ea + (seg >= X86_FS ? c->seg[seg].base : 0));
		else
			x86_tlb_flush_page(c, (uint32_t)(c->seg[seg].base + ea));
		return;
	}
}

#define CR4_SUPPORTED	(CR4_PSE | CR4_PAE | CR4_PGE | CR4_TSD | CR4_DE | \
			 0x40u /* MCE */ | 0x100u /* PCE */ | \
			 CR4_OSFXSR | CR4_OSXMMEXCPT /* simd.c */)

/* MOV to CR0: the paging and IA-32e activation rules (SDM vol. 3, 9.8.5) */
static void write_cr0(struct x86_cpu *c, uint64_t v)
{
	uint64_t old = c->cr0;

	if (v >> 32)
		x86_gp0(c);
	if ((v & X86_CR0_PG) && !(v & X86_CR0_PE))
		x86_gp0(c);
	if ((v & X86_CR0_NW) && !(v & X86_CR0_CD))
		x86_gp0(c);
	if ((v & X86_CR0_PG) && !(old & X86_CR0_PG) && (c->efer & EFER_LME)) {
		if (!(c->cr4 & CR4_PAE) || (c->seg[X86_CS].attr & X86_SEG_ATTR_L))
			x86_gp0(c);
		c->efer |= EFER_LMA;
	}
	if (!(v & X86_CR0_PG) && (old & X86_CR0_PG) && (c->efer & EFER_LMA)) {
		if (c->long64)
			x86_gp0(c);	/* only from compatibility mode */
		c->efer &= ~(uint64_t)EFER_LMA;
	}
	v |= X86_CR0_ET;
	if ((v ^ old) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
		x86_tlb_flush(c, true);
	c->cr0 = v;
	x86_mode_update(c);
}

static void write_cr4(struct x86_cpu *c, uint64_t v)
{
	if (v & ~(uint64_t)CR4_SUPPORTED)
		x86_gp0(c);		/* incl. PCIDE: no PCIDs */
	if ((c->efer & EFER_LMA) && !(v & CR4_PAE))
		x86_gp0(c);
	if ((c->cr0 & X86_CR0_PG) && ((v ^ c->cr4) & CR4_PAE) &&
	    !(c->efer & EFER_LMA))
		x86_gp0(c);
	c->cr4 = v;
	x86_tlb_flush(c, true);
}

static void exec_movcr(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int n = in->reg, sz = c->long64 ? 8 : 4;
	uint64_t v;

	if (c->eflags & FL_VM)
		x86_gp0(c);
	need_cpl0(c);
	if (in->op == 0x120) {
		v = n == 0 ? c->cr0 : n == 2 ? c->cr2 : n == 3 ? c->cr3 :
		    n == 4 ? c->cr4 : c->cr8;
		reg_set(c, in->rm, sz, v);
		return;
	}
	if (in->op == 0x121) {
		if ((n == 4 || n == 5) && (c->cr4 & CR4_DE))
			x86_ud(c);
		v = c->dr[n == 4 ? 6 : n == 5 ? 7 : n];
		reg_set(c, in->rm, sz, v);
		return;
	}
	v = reg_get(c, in->rm, sz);
	if (in->op == 0x123) {
		if ((n == 4 || n == 5) && (c->cr4 & CR4_DE))
			x86_ud(c);
		if ((n >= 4) && (v >> 32))
			x86_gp0(c);
		c->dr[n == 4 ? 6 : n == 5 ? 7 : n] = v;
		x86_dr7_update(c);
		return;
	}
	switch (n) {
	case 0:
		write_cr0(c, v);
		return;
	case 2:
		c->cr2 = v;
		return;
	case 3:
		if (v & ~(X86_PHYS_MASK))
			x86_gp0(c);
		c->cr3 = v;
		x86_tlb_flush(c, false);
		return;
	case 8:			/* TPR: only bits 3:0 */
		if (v & ~0xfull)
			x86_gp0(c);
		c->cr8 = v;
		return;
	default:
		write_cr4(c, v);
		return;
	}
}

/* CRC32 (F2 0F 38 F0/F1): CRC-32C (Castagnoli, reflected 82F63B78h) of
 * the source bytes into the 32-bit accumulator; flags unchanged */
static void exec_crc32(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int n = in->op == 0x2f0 ? 1 : in->opsize, i, k;
	uint64_t src = x86_rm_read(c, in, n);
	uint32_t crc = (uint32_t)c->gpr[in->reg];

	for (i = 0; i < n; i++) {
		crc ^= (uint8_t)(src >> (8 * i));
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
	}
	reg_set(c, in->reg, 4, crc);
}

void x86_exec_0f38(struct x86_cpu *c, const struct x86_insn *in)
{
	if (in->op == 0x2f0 || in->op == 0x2f1)
		exec_crc32(c, in);
	else
		x86_exec_simd(c, in);	/* SSSE3, SSE4.1, SSE4.2 (simd.c) */
}
