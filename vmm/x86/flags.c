// SPDX-License-Identifier: GPL-2.0-only
/*
 * flags.c --- lazily evaluated arithmetic flags
 *
 * ALU instructions record (operation, size 1-8, operands, result); CF, PF, AF,
 * ZF, SF and OF are derived only when something reads them (Jcc, PUSHF, ...),
 * with the carry/borrow/overflow identities of SDM vol. 1, 3.4.3.1.
 */
#include "vmm/x86/cpu.h"

const uint64_t x86_size_masks[9] = {
	[1] = 0xff, [2] = 0xffff, [4] = 0xffffffffull, [8] = ~0ull,
};

uint32_t x86_parity(uint64_t v)
{
	return __builtin_parity(v & 0xff) ? 0 : FL_PF;
}

uint32_t x86_flags_szp(uint64_t res, unsigned int size)
{
	uint32_t f = x86_parity(res);

	res &= size_mask(size);
	if (!res)
		f |= FL_ZF;
	if (res & sign_bit(size))
		f |= FL_SF;
	return f;
}

static uint32_t lazy_eval(const struct x86_cpu *c)
{
	uint64_t a = c->lf_a, b = c->lf_b, r = c->lf_res;
	uint64_t sb = sign_bit(c->lf_size);
	uint32_t f = x86_flags_szp(r, c->lf_size);

	switch (c->lf_op) {
	case LF_ADD:
		if (((a & b) | ((a | b) & ~r)) & sb)
			f |= FL_CF;
		if ((a ^ r) & (b ^ r) & sb)
			f |= FL_OF;
		f |= (uint32_t)(a ^ b ^ r) & FL_AF;
		break;
	case LF_SUB:
		if (((~a & b) | ((~a | b) & r)) & sb)
			f |= FL_CF;
		if ((a ^ b) & (a ^ r) & sb)
			f |= FL_OF;
		f |= (uint32_t)(a ^ b ^ r) & FL_AF;
		break;
	case LF_INC:
		f |= c->eflags & FL_CF;
		if (r == sb)
			f |= FL_OF;
		f |= (uint32_t)(a ^ 1 ^ r) & FL_AF;
		break;
	case LF_DEC:
		f |= c->eflags & FL_CF;
		if (r == sb - 1)
			f |= FL_OF;
		f |= (uint32_t)(a ^ 1 ^ r) & FL_AF;
		break;
	case LF_LOGIC:
		break;
	}
	return f;
}

uint32_t x86_flags_get(struct x86_cpu *c)
{
	if (c->lf_op != LF_NONE) {
		c->eflags = (c->eflags & ~FL_ARITH) | lazy_eval(c);
		c->lf_op = LF_NONE;
	}
	return c->eflags | X86_RFLAGS_FIXED;
}

void x86_flags_put(struct x86_cpu *c, uint32_t fl)
{
	c->lf_op = LF_NONE;
	c->eflags = (fl & 0x3f7fd7u) | X86_RFLAGS_FIXED;
	c->irq_check = true;		/* IF may have been set */
}

void x86_flags_arith(struct x86_cpu *c, uint32_t arith)
{
	c->lf_op = LF_NONE;
	c->eflags = (c->eflags & ~FL_ARITH) | (arith & FL_ARITH);
}

bool x86_flag_cf(struct x86_cpu *c)
{
	uint64_t a = c->lf_a, b = c->lf_b, r = c->lf_res;
	uint64_t sb = sign_bit(c->lf_size);

	switch (c->lf_op) {
	case LF_ADD:
		return ((a & b) | ((a | b) & ~r)) & sb;
	case LF_SUB:
		return ((~a & b) | ((~a | b) & r)) & sb;
	case LF_LOGIC:
		return false;
	default:
		return c->eflags & FL_CF;
	}
}

/*
 * INC/DEC: materialise CF alone in cpu->eflags (the lazy INC/DEC evaluation
 * takes CF from there and derives the other arithmetic flags itself).
 */
void x86_flags_keep_cf(struct x86_cpu *c)
{
	uint32_t cf = x86_flag_cf(c) ? FL_CF : 0;

	c->eflags = (c->eflags & ~FL_CF) | cf;
	c->lf_op = LF_NONE;
}

bool x86_cond(struct x86_cpu *c, unsigned int cc)
{
	uint32_t f;
	bool r;

	/* fast paths for the common compare-and-branch */
	if (c->lf_op == LF_LOGIC || c->lf_op == LF_INC || c->lf_op == LF_DEC ||
	    c->lf_op == LF_SUB) {
		switch (cc >> 1) {
		case 2:		/* Z */
			return (c->lf_res == 0) ^ (cc & 1);
		case 4:		/* S */
			return !!(c->lf_res & sign_bit(c->lf_size)) ^ (cc & 1);
		}
	}
	f = x86_flags_get(c);
	switch (cc >> 1) {
	case 0: r = f & FL_OF; break;
	case 1: r = f & FL_CF; break;
	case 2: r = f & FL_ZF; break;
	case 3: r = f & (FL_CF | FL_ZF); break;
	case 4: r = f & FL_SF; break;
	case 5: r = f & FL_PF; break;
	case 6: r = !(f & FL_SF) != !(f & FL_OF); break;
	default: r = (f & FL_ZF) || (!(f & FL_SF) != !(f & FL_OF)); break;
	}
	return r ^ (cc & 1);
}
