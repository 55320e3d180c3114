// SPDX-License-Identifier: GPL-2.0-only
/*
 * simd_fast.c --- C fast path for common SSE/SSE2 data-movement and
 *                 integer instructions
 *
 * String and memory functions of 686 C libraries run SSE2 moves, logic,
 * byte compares and PMOVMSKB in their inner loops.  These raise no SIMD
 * floating-point exception and touch no x87 state, so they are done here
 * on the XMM registers of the FXSAVE image instead of a host FXRSTOR/
 * FXSAVE round trip (SDM vol. 2: MOVAPS/MOVUPS/MOVDQA/MOVDQU, PXOR/POR/
 * PAND/PANDN and the PS/PD forms, PCMPEQB/W/D, PMOVMSKB, PMINUB/PMAXUB,
 * PADD/PSUB B/W/D/Q, MOVD, MOVQ, PSHUFD, PUNPCKL*, PSRLDQ/PSLLDQ), on
 * XMM0-XMM15.  Every
 * other instruction returns false and takes the host path; the native
 * differential test covers both.
 */
#include <string.h>

#include "vmm/x86/fpu.h"

struct xmm {
	uint8_t	b[16];		/* little-endian lanes */
};

static uint8_t *xreg(struct x86_cpu *c, unsigned int r)
{
	return c->fxsave + FX_XMM0 + 16 * r;
}

/* the r/m operand: register or the loaded memory bytes (zero extended) */
static void src_get(struct x86_cpu *c, const struct x86_insn *in,
		    const struct fpu_op *fo, unsigned int size, struct xmm *s)
{
	memset(s, 0, sizeof(*s));
	if (in->flags & X86_IF_MEM)
		memcpy(s->b, fo->mem, size);
	else
		memcpy(s->b, xreg(c, in->rm), 16);
}

static void lanes(struct xmm *d, const struct xmm *s, unsigned int op)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		uint8_t a = d->b[i], b = s->b[i];

		switch (op) {
		case 0xeb: case 0x56: d->b[i] = a | b; break;
		case 0xef: case 0x57: d->b[i] = a ^ b; break;
		case 0xdb: case 0x54: d->b[i] = a & b; break;
		case 0xdf: case 0x55: d->b[i] = (uint8_t)(~a & b); break;
		case 0x74: d->b[i] = a == b ? 0xff : 0; break;
		case 0xda: d->b[i] = a < b ? a : b; break;
		case 0xde: d->b[i] = a > b ? a : b; break;
		case 0xfc: d->b[i] = (uint8_t)(a + b); break;
		case 0xf8: d->b[i] = (uint8_t)(a - b); break;
		}
	}
}

static void lanes_wide(struct xmm *d, const struct xmm *s, unsigned int op)
{
	unsigned int w = (op == 0x75 || op == 0xfd || op == 0xf9) ? 2 :
			 (op == 0x76 || op == 0xfe || op == 0xfa) ? 4 : 8;
	unsigned int i;

	for (i = 0; i < 16; i += w) {
		uint64_t a = 0, b = 0, r;

		memcpy(&a, d->b + i, w);
		memcpy(&b, s->b + i, w);
		if (op == 0x75 || op == 0x76)
			r = a == b ? ~0ull : 0;
		else if (op == 0xfd || op == 0xfe || op == 0xd4)
			r = a + b;
		else
			r = a - b;
		memcpy(d->b + i, &r, w);
	}
}

static void unpack_low(struct xmm *d, const struct xmm *s, unsigned int w)
{
	struct xmm r;
	unsigned int i;

	for (i = 0; i < 8 / w; i++) {
		memcpy(r.b + 2 * w * i, d->b + w * i, w);
		memcpy(r.b + 2 * w * i + w, s->b + w * i, w);
	}
	*d = r;
}

/* 16-byte moves: 0F 10/11 28/29 (none, 66), 6F/7F (66, F3), E7 (66) */
static bool exec_mov(struct x86_cpu *c, const struct x86_insn *in,
		     unsigned int op, struct fpu_op *fo)
{
	bool store = op == 0x11 || op == 0x29 || op == 0x7f || op == 0xe7;

	if (store) {
		if (in->flags & X86_IF_MEM)
			memcpy(fo->mem, xreg(c, in->reg), 16);
		else
			memcpy(xreg(c, in->rm), xreg(c, in->reg), 16);
	} else {
		struct xmm s;

		src_get(c, in, fo, 16, &s);
		memcpy(xreg(c, in->reg), s.b, 16);
	}
	return true;
}

/* MOVD / MOVQ forms: 66 0F 6E, 66 0F 7E (REX.W: 64-bit), F3 0F 7E,
 * 66 0F D6 */
static bool exec_movdq(struct x86_cpu *c, const struct x86_insn *in,
		       unsigned int op, unsigned int pfx, struct fpu_op *fo)
{
	bool mem = in->flags & X86_IF_MEM;
	unsigned int n = (in->rex & X86_REX_W) ? 8 : 4;
	struct xmm s;

	if (op == 0x6e) {		/* movd/movq xmm, r/m32/64 */
		memset(s.b, 0, 16);
		if (mem)
			memcpy(s.b, fo->mem, n);
		else
			memcpy(s.b, &fo->eax, n);
		memcpy(xreg(c, in->reg), s.b, 16);
	} else if (op == 0x7e && pfx == 1) {	/* movd/movq r/m32/64, xmm */
		if (mem) {
			memcpy(fo->mem, xreg(c, in->reg), n);
		} else {
			fo->eax = 0;
			memcpy(&fo->eax, xreg(c, in->reg), n);
		}
	} else if (op == 0x7e) {		/* movq xmm, xmm/m64 */
		src_get(c, in, fo, 8, &s);
		memset(s.b + 8, 0, 8);
		memcpy(xreg(c, in->reg), s.b, 16);
	} else {				/* 66 D6: movq xmm/m64, xmm */
		if (mem) {
			memcpy(fo->mem, xreg(c, in->reg), 8);
		} else {
			memcpy(s.b, xreg(c, in->reg), 8);
			memset(s.b + 8, 0, 8);
			memcpy(xreg(c, in->rm), s.b, 16);
		}
	}
	return true;
}

static bool exec_shift_bytes(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int n = in->imm & 0xff, i;
	uint8_t *d = xreg(c, in->rm);
	struct xmm r;

	if (in->reg != 3 && in->reg != 7)
		return false;
	memset(r.b, 0, 16);
	if (n < 16) {
		for (i = 0; i < 16; i++) {
			if (in->reg == 3 && i + n < 16)
				r.b[i] = d[i + n];		/* PSRLDQ */
			else if (in->reg == 7 && i >= n)
				r.b[i] = d[i - n];		/* PSLLDQ */
		}
	}
	memcpy(d, r.b, 16);
	return true;
}

bool x86_simd_fast(struct x86_cpu *c, const struct x86_insn *in,
		   unsigned int pfx, struct fpu_op *fo)
{
	unsigned int op = in->op & 0xff, i;
	struct xmm d, s;

	switch (op) {
	case 0x10: case 0x11: case 0x28: case 0x29:
		return pfx < 2 && exec_mov(c, in, op, fo);
	case 0x6f: case 0x7f:
		return pfx && exec_mov(c, in, op, fo);
	case 0xe7:
		return pfx == 1 && exec_mov(c, in, op, fo);
	case 0x6e: case 0x7e:
		return pfx && pfx < 3 && exec_movdq(c, in, op, pfx, fo);
	case 0xd6:
		return pfx == 1 && exec_movdq(c, in, op, pfx, fo);
	case 0x54: case 0x55: case 0x56: case 0x57:
		if (pfx >= 2)
			return false;
		break;
	case 0xeb: case 0xef: case 0xdb: case 0xdf: case 0x74: case 0xda:
	case 0xde: case 0xfc: case 0xf8: case 0x75: case 0x76: case 0xfd:
	case 0xfe: case 0xd4: case 0xf9: case 0xfa: case 0xfb:
	case 0x60: case 0x61: case 0x62: case 0x6c: case 0x70:
		if (pfx != 1)
			return false;
		break;
	case 0xd7:			/* pmovmskb r32, xmm */
		if (pfx != 1)
			return false;
		fo->eax = 0;
		for (i = 0; i < 16; i++)
			fo->eax |= (uint64_t)(xreg(c, in->rm)[i] >> 7) << i;
		return true;
	case 0x73:
		return pfx == 1 && exec_shift_bytes(c, in);
	default:
		return false;
	}
	memcpy(d.b, xreg(c, in->reg), 16);
	src_get(c, in, fo, 16, &s);
	switch (op) {
	case 0x60: unpack_low(&d, &s, 1); break;
	case 0x61: unpack_low(&d, &s, 2); break;
	case 0x62: unpack_low(&d, &s, 4); break;
	case 0x6c: unpack_low(&d, &s, 8); break;
	case 0x70:			/* pshufd */
		for (i = 0; i < 4; i++)
			memcpy(d.b + 4 * i, s.b + 4 * ((in->imm >> (2 * i)) & 3), 4);
		break;
	case 0x75: case 0x76: case 0xfd: case 0xfe: case 0xd4:
	case 0xf9: case 0xfa: case 0xfb:
		lanes_wide(&d, &s, op);
		break;
	default:
		lanes(&d, &s, op);
		break;
	}
	memcpy(xreg(c, in->reg), d.b, 16);
	return true;
}
