// SPDX-License-Identifier: GPL-2.0-only
/*
 * decode.c --- x86 instruction decoder (16/32-bit modes)
 *
 * Legacy prefixes (any number and order, the last F2/F3 wins, LOCK only on
 * lockable memory destinations), one-byte and 0F opcodes, ModRM/SIB with
 * 16- and 32-bit addressing, displacements and immediates; an instruction
 * longer than 15 bytes is #GP(0) (Intel SDM vol. 2, ch. 2 and vol. 3,
 * 2.2 "Instruction length").  Produces a struct x86_insn: plain data that
 * the interpreter caches per guest-physical address and mode.
 */
#include <string.h>

#include "vmm/x86/decode.h"
#include "vmm/x86/x86.h"

/* Reserve @n more bytes at offset @i: GP past 15 bytes, MORE past @avail. */
#define NEED(n) do { \
	if (i + (n) > X86_MAX_INSN_LEN) \
		return X86_DEC_GP; \
	if (i + (n) > avail) \
		return X86_DEC_MORE; \
} while (0)

static uint32_t get_le(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* 16-bit ModRM memory forms: base, index, default segment */
static const uint8_t modrm16_base[8] = {
	X86_RBX, X86_RBX, X86_RBP, X86_RBP, X86_RSI, X86_RDI, X86_RBP, X86_RBX,
};
static const uint8_t modrm16_index[8] = {
	X86_RSI, X86_RDI, X86_RSI, X86_RDI, X86_REG_NONE, X86_REG_NONE,
	X86_REG_NONE, X86_REG_NONE,
};

/*
 * Register forms (mod = 3) of the x87 escapes D8-DF that exist: one 64-bit
 * mask per opcode, bit (modrm & 0x3f).  (SDM vol. 2, table A-8..A-22)
 */
static const uint64_t x87_reg_valid[8] = {
	[0] = ~0ull,					/* D8 */
	[1] = 0xffffull | 1ull << 0x10 |		/* D9: FLD, FXCH, FNOP */
	      0xffull << 0x18 | 0x33ull << 0x20 |	/* FSTP1, FCHS..FXAM */
	      0x7full << 0x28 | 0xffffull << 0x30,	/* FLD1..FLDZ, F2XM1.. */
	[2] = 0xffffffffull | 1ull << 0x29,		/* DA: FCMOVcc, FUCOMPP */
	[3] = 0xffffffffull | 0x1full << 0x20 |		/* DB: FCMOVNcc, FNCLEX.. */
	      0xffffull << 0x28,			/* FUCOMI, FCOMI */
	[4] = ~0ull,					/* DC */
	[5] = 0xffffffffffffull,			/* DD: /0-/5 */
	[6] = 0xffffffull | 1ull << 0x19 | 0xffffffffull << 0x20, /* DE */
	[7] = 0xffffffffull | 1ull << 0x20 |		/* DF: FNSTSW AX */
	      0xffffull << 0x28,			/* FUCOMIP, FCOMIP */
};

/* Decode ModRM (+SIB, displacement) starting at p[*pi].  Returns X86_DEC_*. */
static int decode_modrm(const uint8_t *p, size_t avail, size_t *pi,
			const struct x86_optab *t, struct x86_insn *in)
{
	size_t i = *pi;
	unsigned int mod, rm, dsize = 0;

	NEED(1);
	in->modrm = p[i++];
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	in->reg = (in->modrm >> 3) & 7;
	in->rm = rm;
	in->flags |= X86_IF_MODRM;
	if (mod == 3 || (t->flags & OT_REGONLY)) {
		if (t->ud_reg & (1u << in->reg))
			return X86_DEC_UD;
		if (mod == 3 && (in->op & 0x1f8) == 0xd8 &&
		    !(x87_reg_valid[in->op & 7] >> (in->modrm & 0x3f) & 1))
			return X86_DEC_UD;
		*pi = i;
		return X86_DEC_OK;
	}
	if (t->ud_mem & (1u << in->reg))
		return X86_DEC_UD;
	in->flags |= X86_IF_MEM;
	in->defseg = X86_DS;
	if (in->adsize == 2) {
		if (mod == 0 && rm == 6) {
			in->base = X86_REG_NONE;
			in->index = X86_REG_NONE;
			dsize = 2;
		} else {
			in->base = modrm16_base[rm];
			in->index = modrm16_index[rm];
			dsize = mod == 1 ? 1 : mod == 2 ? 2 : 0;
			if (in->base == X86_RBP)
				in->defseg = X86_SS;
		}
	} else {
		in->index = X86_REG_NONE;
		in->base = rm;
		if (rm == 4) {
			uint8_t sib;

			NEED(1);
			sib = p[i++];
			in->scale = sib >> 6;
			in->index = (sib >> 3) & 7;
			if (in->index == 4)
				in->index = X86_REG_NONE;
			in->base = sib & 7;
			if (in->base == 5 && mod == 0) {
				in->base = X86_REG_NONE;
				dsize = 4;
			}
		} else if (rm == 5 && mod == 0) {
			in->base = X86_REG_NONE;
			dsize = 4;
		}
		if (mod == 1)
			dsize = 1;
		else if (mod == 2)
			dsize = 4;
		if (in->base == X86_RSP || in->base == X86_RBP)
			in->defseg = X86_SS;
	}
	if (dsize) {
		NEED(dsize);
		if (dsize == 1)
			in->disp = (int8_t)p[i];
		else if (dsize == 2)
			in->disp = (int16_t)get_le(p + i, 2);
		else
			in->disp = (int32_t)get_le(p + i, 4);
		i += dsize;
	}
	*pi = i;
	return X86_DEC_OK;
}

static int decode_imm(const uint8_t *p, size_t avail, size_t *pi,
		      const struct x86_optab *t, struct x86_insn *in)
{
	size_t i = *pi;
	unsigned int n = 0, n2 = 0;

	switch (t->imm) {
	case IMM_B:
		n = 1;
		if ((t->flags & OT_GRP3) && in->reg >= 2)
			n = 0;
		break;
	case IMM_W:
		n = 2;
		break;
	case IMM_Z:
		n = in->opsize;
		if ((t->flags & OT_GRP3) && in->reg >= 2)
			n = 0;
		break;
	case IMM_FAR:
		n = in->opsize;
		n2 = 2;
		break;
	case IMM_ENTER:
		n = 2;
		n2 = 1;
		break;
	case IMM_MOFFS:
		n = in->adsize;
		break;
	}
	if (n) {
		NEED(n);
		in->imm = get_le(p + i, n);
		i += n;
	}
	if (n2) {
		NEED(n2);
		in->imm2 = get_le(p + i, n2);
		i += n2;
	}
	*pi = i;
	return X86_DEC_OK;
}

int x86_decode(const uint8_t *p, size_t avail, unsigned int mode,
	       struct x86_insn *out)
{
	struct x86_insn in;
	const struct x86_optab *t;
	unsigned int def = (mode & X86_DMODE_CODE32) ? 4 : 2;
	size_t i = 0;
	int r;

	if (mode & X86_DMODE_LONG64)
		return X86_DEC_UD;	/* long mode: a later step */
	memset(&in, 0, sizeof(in));
	in.seg = X86_SEG_NONE;
	in.base = X86_REG_NONE;
	in.index = X86_REG_NONE;
	for (;;) {
		uint8_t b;

		NEED(1);
		b = p[i];
		t = &x86_optab[b];
		if (!(t->flags & OT_PREFIX))
			break;
		i++;
		switch (b) {
		case 0x26: in.seg = X86_ES; break;
		case 0x2e: in.seg = X86_CS; break;
		case 0x36: in.seg = X86_SS; break;
		case 0x3e: in.seg = X86_DS; break;
		case 0x64: in.seg = X86_FS; break;
		case 0x65: in.seg = X86_GS; break;
		case 0x66: in.flags |= X86_IF_OPSZ; break;
		case 0x67: in.flags |= X86_IF_ADSZ; break;
		case 0xf0: in.flags |= X86_IF_LOCK; break;
		case 0xf2:
			in.flags = (in.flags & ~X86_IF_REP) | X86_IF_REPNE;
			break;
		case 0xf3:
			in.flags = (in.flags & ~X86_IF_REPNE) | X86_IF_REP;
			break;
		}
	}
	in.opsize = (in.flags & X86_IF_OPSZ) ? 6 - def : def;
	in.adsize = (in.flags & X86_IF_ADSZ) ? 6 - def : def;
	in.op = p[i++];
	if (t->flags & OT_ESC) {
		NEED(1);
		in.op = 0x100 | p[i++];
		t = &x86_optab[in.op];
	}
	if (t->flags & OT_UD)
		return X86_DEC_UD;
	/* "NP" opcodes: 66/F2/F3 make them invalid */
	if ((t->flags & OT_NP) &&
	    (in.flags & (X86_IF_OPSZ | X86_IF_REP | X86_IF_REPNE)))
		return X86_DEC_UD;
	if (t->flags & OT_MODRM) {
		r = decode_modrm(p, avail, &i, t, &in);
		if (r)
			return r;
	}
	if ((t->flags & OT_SSE) && !x86_simd_form_ok(&in))
		return X86_DEC_UD;
	if (in.flags & X86_IF_LOCK) {
		if (!(in.flags & X86_IF_MEM) || !(t->lock & (1u << in.reg)))
			return X86_DEC_UD;
	}
	r = decode_imm(p, avail, &i, t, &in);
	if (r)
		return r;
	in.len = (uint8_t)i;
	*out = in;
	return X86_DEC_OK;
}
