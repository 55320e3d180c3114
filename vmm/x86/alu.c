// SPDX-License-Identifier: GPL-2.0-only
/*
 * alu.c --- integer arithmetic: ALU group, shifts and rotates, multiply and
 * divide, BCD adjust, bit scan/test (SDM vol. 2 instruction pages)
 *
 * Flags the SDM leaves undefined are produced the way the Intel CPUs the
 * native differential test runs on produce them where that matters to
 * software; the test masks the rest.
 */
#include "vmm/x86/cpu.h"

/* op: 0 ADD 1 OR 2 ADC 3 SBB 4 AND 5 SUB 6 XOR 7 CMP */
uint64_t x86_alu2(struct x86_cpu *c, unsigned int op, uint64_t a, uint64_t b,
		  unsigned int size)
{
	uint64_t m = size_mask(size), r, cf;

	a &= m;
	b &= m;
	switch (op) {
	case 0:
		r = (a + b) & m;
		lazy_set(c, LF_ADD, size, a, b, r);
		return r;
	case 2:
		cf = x86_flag_cf(c);
		r = (a + b + cf) & m;
		lazy_set(c, LF_ADD, size, a, b, r);
		return r;
	case 3:
		cf = x86_flag_cf(c);
		r = (a - b - cf) & m;
		lazy_set(c, LF_SUB, size, a, b, r);
		return r;
	case 5:
	case 7:
		r = (a - b) & m;
		lazy_set(c, LF_SUB, size, a, b, r);
		return r;
	case 1:
		r = a | b;
		break;
	case 4:
		r = a & b;
		break;
	default:
		r = a ^ b;
		break;
	}
	lazy_set(c, LF_LOGIC, size, a, b, r);
	return r;
}

/*
 * op: 0 ROL 1 ROR 2 RCL 3 RCR 4 SHL 5 SHR 6 SAL(=SHL) 7 SAR.
 * @count is already masked (5 bits, 6 for 64-bit operands).  A zero count
 * changes nothing.
 */
uint64_t x86_shift(struct x86_cpu *c, unsigned int op, uint64_t v,
		   unsigned int count, unsigned int size)
{
	unsigned int bits = size * 8;
	uint64_t m = size_mask(size), sb = sign_bit(size), r, cf = 0, of;
	uint32_t fl;

	v &= m;
	if (!count)
		return v;
	fl = x86_flags_get(c) & FL_ARITH;
	switch (op) {
	case 0:		/* ROL: CF, OF(count 1) only */
		count &= bits - 1;
		r = count ? ((v << count) | (v >> (bits - count))) & m : v;
		cf = r & 1;
		of = (!!(r & sb)) ^ cf;
		fl = (fl & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
		break;
	case 1:		/* ROR */
		count &= bits - 1;
		r = count ? ((v >> count) | (v << (bits - count))) & m : v;
		cf = !!(r & sb);
		of = cf ^ !!(r & (sb >> 1));
		fl = (fl & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
		break;
	case 2:		/* RCL: rotate through CF, bits+1 wide */
		count %= bits + 1;
		r = v;
		cf = fl & FL_CF;
		while (count--) {
			uint64_t out = !!(r & sb);

			r = ((r << 1) | cf) & m;
			cf = out;
		}
		of = (!!(r & sb)) ^ cf;
		fl = (fl & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
		break;
	case 3:		/* RCR */
		count %= bits + 1;
		r = v;
		cf = fl & FL_CF;
		while (count--) {
			uint64_t out = r & 1;

			r = (r >> 1) | (cf ? sb : 0);
			cf = out;
		}
		of = (!!(r & sb)) ^ (!!(r & (sb >> 1)));
		fl = (fl & ~(FL_CF | FL_OF)) | (cf ? FL_CF : 0) | (of ? FL_OF : 0);
		break;
	case 4:
	case 6:		/* SHL */
		r = count < 64 ? (v << count) & m : 0;
		cf = count <= bits ? (v >> (bits - count)) & 1 : 0;
		of = (!!(r & sb)) ^ cf;
		fl = x86_flags_szp(r, size) | (cf ? FL_CF : 0) |
		     (of ? FL_OF : 0) | FL_AF;
		break;
	case 5:		/* SHR */
		r = count < 64 ? v >> count : 0;
		cf = count <= 64 ? (v >> (count - 1)) & 1 : 0;
		of = count == 1 ? !!(v & sb) : 0;
		fl = x86_flags_szp(r, size) | (cf ? FL_CF : 0) |
		     (of ? FL_OF : 0) | FL_AF;
		break;
	default:	/* SAR */
		{
			int64_t sv = (int64_t)sext(v, size);
			unsigned int n = count > 63 ? 63 : count;

			r = (uint64_t)(sv >> n) & m;
			cf = (uint64_t)(sv >> (count - 1 < 63 ? count - 1 : 63)) & 1;
			fl = x86_flags_szp(r, size) | (cf ? FL_CF : 0) | FL_AF;
		}
		break;
	}
	x86_flags_arith(c, fl);
	return r;
}
