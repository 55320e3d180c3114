// SPDX-License-Identifier: GPL-2.0-only
/*
 * decode.c --- x86 instruction decoder (16-, 32- and 64-bit modes)
 *
 * Legacy prefixes (any number and order, the last F2/F3 wins, LOCK only on
 * lockable memory destinations), REX in 64-bit mode (only directly before
 * the opcode; a legacy prefix after it cancels it), the one-byte, 0F, 0F 38
 * and 0F 3A maps, ModRM/SIB with 16-, 32- and 64-bit addressing (REX.X/B,
 * RIP-relative), displacements and immediates (imm64 for MOV r64, moffs64);
 * an instruction longer than 15 bytes is #GP(0) (Intel SDM vol. 2, ch. 2
 * and 2.2.1 "REX prefixes"; vol. 3, 2.2 "Instruction length").  In 64-bit
 * mode the ES/CS/SS/DS overrides are ignored, the i64 opcodes are #UD and
 * operand sizes follow the d64/f64 rules.  Produces a struct x86_insn:
 * plain data that the interpreter caches per guest-physical address and
 * mode.
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

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

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

/* Register forms that exist in an opcode whose table entry allows the
 * ModRM.reg value (@raw: ModRM.reg without REX.R) */
static bool reg_form_ok(const struct x86_insn *in, unsigned int raw,
			bool long64)
{
	unsigned int rm = in->modrm & 7;

	if (in->op >= 0xd8 && in->op <= 0xdf)
		return x87_reg_valid[in->op & 7] >> (in->modrm & 0x3f) & 1;
	if (in->op == 0x101 && raw == 7)	/* SWAPGS (64-bit), RDTSCP */
		return rm == 1 || (rm == 0 && long64);
	/* MOV CRn: CR8 is the only REX.R register; no DR8-DR15 */
	if ((in->op == 0x120 || in->op == 0x122) && (in->rex & X86_REX_R))
		return raw == 0;
	if ((in->op == 0x121 || in->op == 0x123) && (in->rex & X86_REX_R))
		return false;
	return true;
}

/* Decode ModRM (+SIB, displacement) starting at p[*pi].  Returns X86_DEC_*. */
static int decode_modrm(const uint8_t *p, size_t avail, size_t *pi,
			const struct x86_optab *t, struct x86_insn *in,
			bool long64)
{
	size_t i = *pi;
	unsigned int mod, rm, raw, dsize = 0, rex = in->rex;

	NEED(1);
	in->modrm = p[i++];
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	raw = (in->modrm >> 3) & 7;
	in->reg = (uint8_t)(raw | ((t->flags & OT_GRP) ? 0 : (rex & X86_REX_R) << 1));
	in->rm = (uint8_t)(rm | (rex & X86_REX_B) << 3);
	in->flags |= X86_IF_MODRM;
	if (mod == 3 || (t->flags & OT_REGONLY)) {
		if (t->ud_reg & (1u << raw) || !reg_form_ok(in, raw, long64))
			return X86_DEC_UD;
		*pi = i;
		return X86_DEC_OK;
	}
	if (t->ud_mem & (1u << raw))
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
		in->base = (uint8_t)(rm | (rex & X86_REX_B) << 3);
		if (rm == 4) {
			uint8_t sib;

			NEED(1);
			sib = p[i++];
			in->scale = sib >> 6;
			in->index = (uint8_t)(((sib >> 3) & 7) | (rex & X86_REX_X) << 2);
			if (in->index == 4)
				in->index = X86_REG_NONE;
			in->base = (uint8_t)((sib & 7) | (rex & X86_REX_B) << 3);
			if ((sib & 7) == 5 && mod == 0) {
				in->base = X86_REG_NONE;
				dsize = 4;
			}
		} else if (rm == 5 && mod == 0) {
			in->base = long64 ? X86_REG_RIP_BASE : X86_REG_NONE;
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
	bool sx = false;

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
		n = in->opsize == 2 ? 2 : 4;
		sx = in->opsize == 8;
		if ((t->flags & OT_GRP3) && in->reg >= 2)
			n = 0;
		break;
	case IMM_V:
		n = in->opsize;
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
		if (sx)
			in->imm = (uint64_t)(int64_t)(int32_t)in->imm;
		i += n;
	}
	if (n2) {
		NEED(n2);
		in->imm2 = (uint32_t)get_le(p + i, n2);
		i += n2;
	}
	*pi = i;
	return X86_DEC_OK;
}

/* operand size in 64-bit mode: REX.W, 66, then the d64/f64 rules */
static void sizes64(struct x86_insn *in, const struct x86_optab *t)
{
	unsigned int f = t->flags;

	if (in->op == 0xff && (in->flags & X86_IF_MODRM)) {
		if (in->reg == 2 || in->reg == 4)	/* CALL/JMP near */
			f |= OT_F64;
		else if (in->reg == 6)			/* PUSH */
			f |= OT_D64;
	}
	if (in->rex & X86_REX_W)
		in->opsize = 8;
	else if (in->flags & X86_IF_OPSZ)
		in->opsize = 2;
	else
		in->opsize = (f & OT_D64) ? 8 : 4;
	if (f & OT_F64)
		in->opsize = 8;
}

int x86_decode(const uint8_t *p, size_t avail, unsigned int mode,
	       struct x86_insn *out)
{
	struct x86_insn in;
	const struct x86_optab *t;
	bool long64 = mode & X86_DMODE_LONG64;
	unsigned int def = (mode & (X86_DMODE_CODE32 | X86_DMODE_LONG64)) ? 4 : 2;
	size_t i = 0;
	int r;

	memset(&in, 0, sizeof(in));
	in.seg = X86_SEG_NONE;
	in.base = X86_REG_NONE;
	in.index = X86_REG_NONE;
	for (;;) {
		uint8_t b;

		NEED(1);
		b = p[i];
		if (long64 && (b & 0xf0) == 0x40) {
			in.rex = b;
			i++;
			continue;
		}
		t = &x86_optab[b];
		if (!(t->flags & OT_PREFIX))
			break;
		i++;
		in.rex = 0;		/* REX must come last */
		switch (b) {
		/* 64-bit mode ignores ES/CS/SS/DS overrides (a null prefix) */
		case 0x26: if (!long64) in.seg = X86_ES; break;
		case 0x2e: if (!long64) in.seg = X86_CS; break;
		case 0x36: if (!long64) in.seg = X86_SS; break;
		case 0x3e: if (!long64) in.seg = X86_DS; break;
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
	if (long64) {
		in.adsize = (in.flags & X86_IF_ADSZ) ? 4 : 8;
	} else {
		in.adsize = (in.flags & X86_IF_ADSZ) ? 6 - def : def;
	}
	in.opsize = (in.flags & X86_IF_OPSZ) ? 6 - def : def;
	in.op = p[i++];
	if (t->flags & OT_ESC) {
		NEED(1);
		in.op = 0x100 | p[i++];
		t = &x86_optab[in.op];
		if (t->flags & OT_ESC) {
			NEED(1);
			in.op = (in.op == 0x138 ? 0x200 : 0x300) | p[i++];
			t = &x86_optab[in.op];
		}
	}
	if (t->flags & OT_UD)
		return X86_DEC_UD;
	if ((t->flags & OT_I64) && long64)
		return X86_DEC_UD;
	if ((t->flags & OT_O64) && !long64)
		return X86_DEC_UD;
	/* "NP" opcodes: 66/F2/F3 make them invalid */
	if ((t->flags & OT_NP) &&
	    (in.flags & (X86_IF_OPSZ | X86_IF_REP | X86_IF_REPNE)))
		return X86_DEC_UD;
	if (in.op == 0x1b8 && !(in.flags & X86_IF_REP))
		return X86_DEC_UD;	/* 0F B8 is POPCNT only with F3 */
	if (!(t->flags & OT_MODRM))	/* register in the opcode (+REX.B) */
		in.rm = (uint8_t)((in.op & 7) | (in.rex & X86_REX_B) << 3);
	if (t->flags & OT_MODRM) {
		r = decode_modrm(p, avail, &i, t, &in, long64);
		if (r)
			return r;
	}
	if (long64)
		sizes64(&in, t);
	if ((t->flags & OT_SSE) && !x86_simd_form_ok(&in))
		return X86_DEC_UD;
	if (in.flags & X86_IF_LOCK) {
		if (!(in.flags & X86_IF_MEM) || !(t->lock & (1u << (in.reg & 7))))
			return X86_DEC_UD;
	}
	r = decode_imm(p, avail, &i, t, &in);
	if (r)
		return r;
	in.len = (uint8_t)i;
	*out = in;
	return X86_DEC_OK;
}
