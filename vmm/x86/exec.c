// SPDX-License-Identifier: GPL-2.0-only
/*
 * exec.c --- execution of the one-byte opcode map
 *
 * One switch over the decoded opcode (SDM vol. 2, table A-2), with 8-,
 * 16-, 32- and 64-bit operands (REX.W; MOVSXD, CDQE/CQO, MOV r64, imm64,
 * moffs64 in 64-bit mode).  Each case does every access that can fault
 * before it changes registers, so a fault unwinds with the architectural
 * state of the instruction's start.  The 0F maps, string instructions,
 * system instructions and the x87 escapes live in their own files.
 */
#include "vmm/x86/cpu.h"

unsigned int x86_ea_seg(const struct x86_insn *in)
{
	return in->seg != X86_SEG_NONE ? in->seg : in->defseg;
}

uint64_t x86_rm_read(struct x86_cpu *c, const struct x86_insn *in,
		     unsigned int size)
{
	if (!(in->flags & X86_IF_MEM))
		return reg_get(c, in->rm, size);
	return x86_read(c, x86_ea_seg(in), x86_ea(c, in), size);
}

void x86_rm_write(struct x86_cpu *c, const struct x86_insn *in,
		  unsigned int size, uint64_t v)
{
	if (!(in->flags & X86_IF_MEM))
		reg_set(c, in->rm, size, v);
	else
		x86_write(c, x86_ea_seg(in), x86_ea(c, in), size, v);
}

/* read-modify-write operand: a memory operand is checked for writing first */
struct rmw {
	bool		mem;
	uint64_t	lin;
};

static uint64_t rmw_read(struct x86_cpu *c, const struct x86_insn *in,
			 unsigned int size, struct rmw *r)
{
	r->mem = in->flags & X86_IF_MEM;
	if (!r->mem)
		return reg_get(c, in->rm, size);
	r->lin = x86_seg_lin(c, x86_ea_seg(in), x86_ea(c, in), size, true);
	x86_lin_probe_write(c, r->lin, size, c->cpl == 3);
	return x86_lin_read(c, r->lin, size, c->cpl == 3);
}

static void rmw_write(struct x86_cpu *c, const struct x86_insn *in,
		      unsigned int size, const struct rmw *r, uint64_t v)
{
	if (!r->mem)
		reg_set(c, in->rm, size, v);
	else
		x86_lin_write(c, r->lin, size, v, c->cpl == 3);
}

/* near branch to next_ip + @rel (or absolute @rel with @abs) */
static void jump_near(struct x86_cpu *c, const struct x86_insn *in,
		      uint64_t target)
{
	if (in->opsize == 2)
		target &= 0xffff;
	else if (in->opsize == 4)
		target &= 0xffffffffu;
	x86_jump(c, target);
}

static void exec_grp3(struct x86_cpu *c, const struct x86_insn *in,
		      unsigned int size);
static void exec_grp5(struct x86_cpu *c, const struct x86_insn *in);
static void exec_bcd(struct x86_cpu *c, unsigned int op, uint8_t imm);

static void exec_alu_block(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int aop = in->op >> 3, form = in->op & 7;
	unsigned int size = (form & 1) ? in->opsize : 1;
	struct rmw r;
	uint64_t a, b, res;

	switch (form) {
	case 0:
	case 1:
		b = reg_get(c, in->reg, size);
		if (aop == 7) {
			a = x86_rm_read(c, in, size);
			x86_alu2(c, aop, a, b, size);
			return;
		}
		a = rmw_read(c, in, size, &r);
		res = x86_alu2(c, aop, a, b, size);
		rmw_write(c, in, size, &r, res);
		return;
	case 2:
	case 3:
		b = x86_rm_read(c, in, size);
		a = reg_get(c, in->reg, size);
		res = x86_alu2(c, aop, a, b, size);
		if (aop != 7)
			reg_set(c, in->reg, size, res);
		return;
	default:
		a = reg_get(c, X86_RAX, size);
		res = x86_alu2(c, aop, a, in->imm, size);
		if (aop != 7)
			reg_set(c, X86_RAX, size, res);
		return;
	}
}

static void exec_grp1(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int size = (in->op & 1) ? in->opsize : 1;
	uint64_t b = in->imm, a, res;
	struct rmw r;

	if (in->op == 0x83)
		b = sext(b, 1);
	if (in->reg == 7) {
		a = x86_rm_read(c, in, size);
		x86_alu2(c, 7, a, b, size);
		return;
	}
	a = rmw_read(c, in, size, &r);
	res = x86_alu2(c, in->reg, a, b, size);
	rmw_write(c, in, size, &r, res);
}

static void exec_shift_grp(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int size = (in->op & 1) ? in->opsize : 1;
	unsigned int count, cm = size == 8 ? 0x3f : 0x1f;
	struct rmw r;
	uint64_t v;

	if (in->op <= 0xc1)
		count = in->imm & cm;
	else if (in->op <= 0xd1)
		count = 1;
	else
		count = (uint8_t)c->gpr[X86_RCX] & cm;
	v = rmw_read(c, in, size, &r);
	if (!count) {
		/* still a 32-bit register write: the upper half is cleared */
		if (size == 4 && !r.mem)
			reg_set(c, in->rm, 4, v);
		return;
	}
	v = x86_shift(c, in->reg, v, count, size);
	rmw_write(c, in, size, &r, v);
}

static void exec_push_pop(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize;
	uint64_t v;

	if (in->op >= 0x50 && in->op <= 0x57) {
		x86_push(c, sz, reg_get(c, in->rm, sz));
	} else if (in->op >= 0x58 && in->op <= 0x5f) {
		v = x86_pop(c, sz);
		reg_set(c, in->rm, sz, v);
	} else if (in->op == 0x68) {
		x86_push(c, sz, in->imm);
	} else if (in->op == 0x6a) {
		x86_push(c, sz, sext(in->imm, 1));
	} else if (in->op == 0x8f) {
		/* the address uses ESP after the pop increment */
		uint64_t sp = x86_sp(c), ea;

		v = x86_read(c, X86_SS, sp, sz);
		if (in->flags & X86_IF_MEM) {
			uint64_t old = c->gpr[X86_RSP];

			x86_sp_set(c, sp + sz);
			ea = x86_ea(c, in);
			c->gpr[X86_RSP] = old;
			x86_write(c, x86_ea_seg(in), ea, sz, v);
			x86_sp_set(c, sp + sz);
		} else {
			x86_sp_set(c, sp + sz);
			reg_set(c, in->rm, sz, v);
		}
	}
}

static void exec_pusha_popa(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize, i;
	uint64_t sp = x86_sp(c), v[8];
	uint64_t mask = c->sp_mask;

	if (in->op == 0x60) {
		for (i = 0; i < 8; i++)
			v[i] = reg_get(c, i, sz);
		for (i = 0; i < 8; i++)
			x86_write(c, X86_SS, (sp - (i + 1) * sz) & mask, sz, v[i]);
		x86_sp_set(c, (sp - 8 * sz) & mask);
		return;
	}
	for (i = 0; i < 8; i++)
		v[7 - i] = x86_read(c, X86_SS, (sp + i * sz) & mask, sz);
	for (i = 0; i < 8; i++)
		if (i != X86_RSP)
			reg_set(c, i, sz, v[i]);
	x86_sp_set(c, (sp + 8 * sz) & mask);
}

static void exec_xchg(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int size = (in->op & 1) ? in->opsize : 1;
	struct rmw r;
	uint64_t a, b;

	a = rmw_read(c, in, size, &r);
	b = reg_get(c, in->reg, size);
	rmw_write(c, in, size, &r, b);
	reg_set(c, in->reg, size, a);
}

/* signed product of two @sz-byte values; CF = OF = 1 when it overflows */
static uint64_t imul_sz(struct x86_cpu *c, uint64_t a, uint64_t b,
			unsigned int sz)
{
	__int128 r = (__int128)(int64_t)sext(a, sz) * (int64_t)sext(b, sz);
	uint64_t lo = (uint64_t)r;
	uint32_t fl = x86_flags_szp(lo, sz);

	if (r != (__int128)(int64_t)sext(lo, sz))
		fl |= FL_CF | FL_OF;
	x86_flags_arith(c, fl);
	return lo;
}

static void exec_imul3(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize;
	uint64_t imm = in->imm;

	if (in->op == 0x6b)
		imm = sext(imm, 1);
	reg_set(c, in->reg, sz, imul_sz(c, x86_rm_read(c, in, sz), imm, sz));
}

uint64_t x86_imul2(struct x86_cpu *c, uint64_t a, uint64_t b, unsigned int sz)
{
	return imul_sz(c, a, b, sz);
}

void x86_exec_one(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int op = in->op, sz = in->opsize;
	uint64_t v;

	if (op < 0x40 && (op & 7) < 6) {
		exec_alu_block(c, in);
		return;
	}
	switch (op) {
	case 0x27: case 0x2f: case 0x37: case 0x3f:
		exec_bcd(c, op, 0);
		return;
	case 0x40 ... 0x47:
		v = reg_get(c, op & 7, sz);
		x86_flags_keep_cf(c);
		lazy_set(c, LF_INC, sz, v, 1, v + 1);
		reg_set(c, op & 7, sz, v + 1);
		return;
	case 0x48 ... 0x4f:
		v = reg_get(c, op & 7, sz);
		x86_flags_keep_cf(c);
		lazy_set(c, LF_DEC, sz, v, 1, v - 1);
		reg_set(c, op & 7, sz, v - 1);
		return;
	case 0x50 ... 0x5f: case 0x68: case 0x6a: case 0x8f:
		exec_push_pop(c, in);
		return;
	case 0x60: case 0x61:
		exec_pusha_popa(c, in);
		return;
	case 0x63:
		if (!c->long64)
			break;			/* ARPL (system.c) */
		/* MOVSXD */
		reg_set(c, in->reg, sz, sz == 8 ? sext(x86_rm_read(c, in, 4), 4) :
			x86_rm_read(c, in, sz));
		return;
	case 0x69: case 0x6b:
		exec_imul3(c, in);
		return;
	case 0x70 ... 0x7f:
		if (x86_cond(c, op & 15))
			jump_near(c, in, c->next_ip + sext(in->imm, 1));
		return;
	case 0x80 ... 0x83:
		exec_grp1(c, in);
		return;
	case 0x84: case 0x85: {
		unsigned int s = (op & 1) ? sz : 1;

		v = x86_rm_read(c, in, s);
		x86_alu2(c, 4, v, reg_get(c, in->reg, s), s);
		return;
	}
	case 0x86: case 0x87:
		exec_xchg(c, in);
		return;
	case 0x88: case 0x89: {
		unsigned int s = (op & 1) ? sz : 1;

		x86_rm_write(c, in, s, reg_get(c, in->reg, s));
		return;
	}
	case 0x8a: case 0x8b: {
		unsigned int s = (op & 1) ? sz : 1;

		reg_set(c, in->reg, s, x86_rm_read(c, in, s));
		return;
	}
	case 0x8d:
		reg_set(c, in->reg, sz, x86_ea(c, in));
		return;
	case 0x90 ... 0x97:
		if (in->rm == 0) {		/* NOP (F3 90: PAUSE) */
			if (c->npeers > 1 && (in->flags & X86_IF_REP))
				c->shadow = X86_SHADOW_YIELD;	/* spin-wait */
			return;
		}
		v = reg_get(c, in->rm, sz);
		reg_set(c, in->rm, sz, reg_get(c, X86_RAX, sz));
		reg_set(c, X86_RAX, sz, v);
		return;
	case 0x98:		/* CBW / CWDE / CDQE */
		reg_set(c, X86_RAX, sz, sext(c->gpr[X86_RAX], sz / 2));
		return;
	case 0x99:		/* CWD / CDQ / CQO */
		v = reg_get(c, X86_RAX, sz) & sign_bit(sz) ? ~0ull : 0;
		reg_set(c, X86_RDX, sz, v);
		return;
	case 0x9e:
		x86_flags_arith(c, (x86_flags_get(c) & ~0xffu) |
				((uint32_t)(c->gpr[X86_RAX] >> 8) &
				 (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF)) |
				(x86_flags_get(c) & FL_OF));
		return;
	case 0x9f:		/* LAHF: AH, whatever REX says */
		c->gpr[X86_RAX] = (c->gpr[X86_RAX] & ~0xff00ull) |
				  (uint64_t)((x86_flags_get(c) & 0xd5) | 2) << 8;
		return;
	case 0xa0 ... 0xa3: {
		unsigned int s = (op & 1) ? sz : 1;
		unsigned int seg = in->seg != X86_SEG_NONE ? in->seg : X86_DS;

		if (op < 0xa2)
			reg_set(c, X86_RAX, s, x86_read(c, seg, in->imm, s));
		else
			x86_write(c, seg, in->imm, s, reg_get(c, X86_RAX, s));
		return;
	}
	case 0xa8: case 0xa9: {
		unsigned int s = (op & 1) ? sz : 1;

		x86_alu2(c, 4, reg_get(c, X86_RAX, s), in->imm, s);
		return;
	}
	case 0xb0 ... 0xb7:
		reg_set(c, in->rm, 1, in->imm);
		return;
	case 0xb8 ... 0xbf:
		reg_set(c, in->rm, sz, in->imm);
		return;
	case 0xc0: case 0xc1: case 0xd0 ... 0xd3:
		exec_shift_grp(c, in);
		return;
	case 0xc2: case 0xc3: {
		uint64_t sp = x86_sp(c);

		v = x86_read(c, X86_SS, sp, sz);
		jump_near(c, in, v);
		x86_sp_set(c, sp + sz + (op == 0xc2 ? in->imm : 0));
		return;
	}
	case 0xc6: case 0xc7:
		x86_rm_write(c, in, (op & 1) ? sz : 1, in->imm);
		return;
	case 0xd4: case 0xd5:
		exec_bcd(c, op, (uint8_t)in->imm);
		return;
	case 0xd6:		/* SALC (undocumented by Intel, AMD APM vol. 3) */
		reg_set(c, X86_RAX, 1, x86_flag_cf(c) ? 0xff : 0);
		return;
	case 0xd7: {
		unsigned int seg = in->seg != X86_SEG_NONE ? in->seg : X86_DS;
		uint64_t a = x86_ea_add(in, c->gpr[X86_RBX],
					(uint8_t)c->gpr[X86_RAX]);

		reg_set(c, X86_RAX, 1, x86_read(c, seg, a, 1));
		return;
	}
	case 0xe0 ... 0xe3: {
		unsigned int as = in->adsize;
		uint64_t cx = reg_get(c, X86_RCX, as);
		bool take;

		if (op != 0xe3)
			cx = (cx - 1) & size_mask(as);
		if (op == 0xe3)
			take = cx == 0;
		else if (op == 0xe2)
			take = cx != 0;
		else
			take = cx != 0 && (x86_cond(c, 4) == (op == 0xe1));
		if (take)
			jump_near(c, in, c->next_ip + sext(in->imm, 1));
		if (op != 0xe3)
			reg_set(c, X86_RCX, as, cx);
		return;
	}
	case 0xe8: {
		uint64_t ret = c->next_ip;

		jump_near(c, in, ret + in->imm);
		x86_push(c, sz, ret);
		return;
	}
	case 0xe9:
		jump_near(c, in, c->next_ip + in->imm);
		return;
	case 0xeb:
		jump_near(c, in, c->next_ip + sext(in->imm, 1));
		return;
	case 0xf5:
		x86_flags_arith(c, x86_flags_get(c) ^ FL_CF);
		return;
	case 0xf6: case 0xf7:
		exec_grp3(c, in, (op & 1) ? sz : 1);
		return;
	case 0xf8: case 0xf9:
		x86_flags_arith(c, (x86_flags_get(c) & ~FL_CF) | (op & 1));
		return;
	case 0xfc:
		c->eflags &= ~FL_DF;
		return;
	case 0xfd:
		c->eflags |= FL_DF;
		return;
	case 0xfe: case 0xff:
		exec_grp5(c, in);
		return;
	case 0xa4 ... 0xa7: case 0xaa ... 0xaf: case 0x6c ... 0x6f:
		x86_exec_string(c, in);
		return;
	case 0xd8 ... 0xdf: case 0x9b:
		x86_exec_x87(c, in);
		return;
	}
	if (!x86_exec_system(c, in))
		x86_ud(c);
}

static void exec_muldiv(struct x86_cpu *c, const struct x86_insn *in,
			unsigned int size, uint64_t src)
{
	uint64_t m = size_mask(size), lo, hi;
	unsigned int bits = size * 8;
	unsigned __int128 a, q, r;
	__int128 sa, sq, sr, sb;
	uint32_t fl;

	if (size == 1)
		a = (uint16_t)c->gpr[X86_RAX];
	else
		a = ((unsigned __int128)reg_get(c, X86_RDX, size) << bits) |
		    reg_get(c, X86_RAX, size);
	switch (in->reg) {
	case 4:		/* MUL */
		a = (unsigned __int128)reg_get(c, X86_RAX, size) * src;
		lo = (uint64_t)a & m;
		hi = (uint64_t)(a >> bits) & m;
		fl = x86_flags_szp(lo, size) & ~FL_ZF;
		if (hi)
			fl |= FL_CF | FL_OF;
		break;
	case 5:		/* IMUL */
		sa = (__int128)(int64_t)sext(c->gpr[X86_RAX], size) *
		     (int64_t)sext(src, size);
		lo = (uint64_t)sa & m;
		hi = (uint64_t)(sa >> bits) & m;
		fl = x86_flags_szp(lo, size) & ~FL_ZF;
		if (sa != (__int128)(int64_t)sext(lo, size))
			fl |= FL_CF | FL_OF;
		break;
	case 6:		/* DIV */
		if (!src)
			x86_raise(c, X86_EXC_DE, false, 0);
		q = a / src;
		r = a % src;
		if (q > m)
			x86_raise(c, X86_EXC_DE, false, 0);
		if (size == 1) {
			reg_set(c, X86_RAX, 2, (uint64_t)(r << 8 | q));
		} else {
			reg_set(c, X86_RAX, size, (uint64_t)q);
			reg_set(c, X86_RDX, size, (uint64_t)r);
		}
		return;
	default:	/* IDIV */
		if (!src)
			x86_raise(c, X86_EXC_DE, false, 0);
		/* the dividend as a signed 2*bits value */
		sa = size == 8 ? (__int128)a :
		     (__int128)(int64_t)sext((uint64_t)a, 2 * size);
		sb = (int64_t)sext(src, size);
		if (size == 8 && (unsigned __int128)sa == (unsigned __int128)1 << 127 &&
		    sb == -1)
			x86_raise(c, X86_EXC_DE, false, 0);
		sq = sa / sb;
		sr = sa % sb;
		if (sq > (__int128)(m >> 1) || sq < -(__int128)(m >> 1) - 1)
			x86_raise(c, X86_EXC_DE, false, 0);
		if (size == 1) {
			reg_set(c, X86_RAX, 2, (uint64_t)(((uint8_t)sr << 8) | (uint8_t)sq));
		} else {
			reg_set(c, X86_RAX, size, (uint64_t)sq);
			reg_set(c, X86_RDX, size, (uint64_t)sr);
		}
		return;
	}
	x86_flags_arith(c, fl);
	if (size == 1) {
		reg_set(c, X86_RAX, 2, lo | hi << 8);
	} else {
		reg_set(c, X86_RAX, size, lo);
		reg_set(c, X86_RDX, size, hi);
	}
}

static void exec_grp3(struct x86_cpu *c, const struct x86_insn *in,
		      unsigned int size)
{
	struct rmw r;
	uint64_t v;

	switch (in->reg) {
	case 0:
	case 1:
		v = x86_rm_read(c, in, size);
		x86_alu2(c, 4, v, in->imm, size);
		return;
	case 2:
		v = rmw_read(c, in, size, &r);
		rmw_write(c, in, size, &r, ~v);
		return;
	case 3:
		v = rmw_read(c, in, size, &r);
		v = x86_alu2(c, 5, 0, v, size);
		rmw_write(c, in, size, &r, v);
		return;
	default:
		exec_muldiv(c, in, size, x86_rm_read(c, in, size));
		return;
	}
}

static void exec_grp5(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->op == 0xfe ? 1 : in->opsize;
	struct rmw r;
	uint64_t v;

	switch (in->reg) {
	case 0:
	case 1:
		v = rmw_read(c, in, sz, &r);
		x86_flags_keep_cf(c);
		if (in->reg == 0)
			lazy_set(c, LF_INC, sz, v, 1, v + 1);
		else
			lazy_set(c, LF_DEC, sz, v, 1, v - 1);
		rmw_write(c, in, sz, &r, in->reg == 0 ? v + 1 : v - 1);
		return;
	case 2:		/* CALL near indirect */
		v = x86_rm_read(c, in, sz);
		{
			uint64_t ret = c->next_ip;

			jump_near(c, in, v);
			x86_push(c, sz, ret);
		}
		return;
	case 4:		/* JMP near indirect */
		jump_near(c, in, x86_rm_read(c, in, sz));
		return;
	case 6:
		x86_push(c, sz, x86_rm_read(c, in, sz));
		return;
	default:	/* 3, 5: far CALL/JMP through memory (m16:16/32/64) */
		{
			uint64_t ea = x86_ea(c, in), off;
			unsigned int seg = x86_ea_seg(in);
			uint16_t sel;

			off = x86_read(c, seg, ea, sz);
			sel = (uint16_t)x86_read(c, seg, x86_ea_add(in, ea, sz), 2);
			x86_far_jump(c, sel, off, sz, in->reg == 3, c->next_ip);
		}
		return;
	}
}

static void exec_bcd(struct x86_cpu *c, unsigned int op, uint8_t imm)
{
	uint32_t fl = x86_flags_get(c);
	uint8_t al = (uint8_t)c->gpr[X86_RAX], ah, old = al;
	bool cf = fl & FL_CF, af = fl & FL_AF;

	switch (op) {
	case 0x27:	/* DAA */
		fl &= ~(FL_CF | FL_AF);
		if ((al & 0xf) > 9 || af) {
			if (al >= 0xfa)
				fl |= FL_CF;	/* carry out of AL + 6 */
			al += 6;
			fl |= FL_AF;
		}
		if (old > 0x99 || cf) {
			al += 0x60;
			fl |= FL_CF;
		}
		fl = (fl & (FL_CF | FL_AF)) | x86_flags_szp(al, 1);
		reg_set(c, X86_RAX, 1, al);
		break;
	case 0x2f:	/* DAS */
		fl &= ~(FL_CF | FL_AF);
		if ((al & 0xf) > 9 || af) {
			if (al < 6)
				fl |= FL_CF;	/* borrow out of AL - 6 */
			al -= 6;
			fl |= FL_AF;
		}
		if (old > 0x99 || cf) {
			al -= 0x60;
			fl |= FL_CF;
		}
		fl = (fl & (FL_CF | FL_AF)) | x86_flags_szp(al, 1);
		reg_set(c, X86_RAX, 1, al);
		break;
	case 0x37:	/* AAA */
	case 0x3f:	/* AAS */
		fl &= ~(FL_CF | FL_AF);
		if ((al & 0xf) > 9 || af) {
			uint16_t ax = (uint16_t)c->gpr[X86_RAX];

			ax = op == 0x37 ? ax + 0x106 : ax - 0x106;
			reg_set(c, X86_RAX, 2, ax);
			fl |= FL_CF | FL_AF;
		}
		reg_set(c, X86_RAX, 1, (uint8_t)c->gpr[X86_RAX] & 0xf);
		fl |= x86_flags_szp((uint8_t)c->gpr[X86_RAX], 1) & 0;
		break;
	case 0xd4:	/* AAM */
		if (!imm)
			x86_raise(c, X86_EXC_DE, false, 0);
		ah = al / imm;
		al = al % imm;
		reg_set(c, X86_RAX, 2, (uint32_t)(ah << 8 | al));
		fl = x86_flags_szp(al, 1);
		break;
	default:	/* AAD */
		ah = (uint8_t)(c->gpr[X86_RAX] >> 8);
		al = (uint8_t)(al + ah * imm);
		reg_set(c, X86_RAX, 2, al);
		fl = x86_flags_szp(al, 1);
		break;
	}
	x86_flags_arith(c, fl);
}
