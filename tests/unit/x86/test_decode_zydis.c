// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_decode_zydis.c --- cross-check the x86 decoder against Zydis
 *
 * Millions of random byte strings (biased towards prefixes, REX in 64-bit
 * mode, the 0F, 0F 38 and 0F 3A maps and interesting ModRM bytes) are
 * decoded in 16-, 32- and 64-bit mode by x86_decode() and by Zydis.  For
 * every instruction our decoder accepts, Zydis must accept it too, with the
 * same length, the same explicit memory operand (base, index, scale,
 * displacement, segment; RIP-relative in 64-bit mode) and the same
 * immediates; truncating it must give X86_DEC_MORE.  Plus a few table
 * cases of known encodings.
 */
#include <stdlib.h>
#include <string.h>

#include <Zydis/Zydis.h>

#include "tests/unit/harness.h"
#include "vmm/x86/x86.h"

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static const uint8_t prefixes[] = {
	0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3,
};

static void gen_bytes(uint64_t *s, uint8_t *b, bool long64)
{
	unsigned int i = 0, k;
	uint64_t r = rng_next(s);

	for (k = 0; k < 15; k++)
		b[k] = (uint8_t)rng_next(s);
	/* 0-4 prefixes (sometimes many) */
	k = r & 3;
	if ((r >> 2 & 15) == 0)
		k = 6 + (r >> 6 & 7);
	for (; i < k; i++)
		b[i] = prefixes[rng_next(s) % sizeof(prefixes)];
	/* 64-bit mode: a REX prefix, mostly right before the opcode */
	if (long64 && (r >> 13 & 1))
		b[i++] = (uint8_t)(0x40 | (rng_next(s) & 15));
	if ((r >> 9 & 3) == 0) {
		b[i] = 0x0f;
		/* the three-byte maps */
		if ((r >> 11 & 3) == 0)
			b[i + 1] = (r >> 14 & 1) ? 0x38 : 0x3a;
	}
}

/* Zydis register -> our register number (0-15), X86_REG_RIP_BASE for
 * RIP/EIP, or X86_REG_NONE. */
static unsigned int zreg(ZydisRegister r)
{
	if (r == ZYDIS_REGISTER_NONE)
		return X86_REG_NONE;
	if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
		return X86_REG_RIP_BASE;
	return (unsigned int)ZydisRegisterGetId(r);
}

static unsigned int zseg(ZydisRegister r)
{
	switch (r) {
	case ZYDIS_REGISTER_ES: return X86_ES;
	case ZYDIS_REGISTER_CS: return X86_CS;
	case ZYDIS_REGISTER_SS: return X86_SS;
	case ZYDIS_REGISTER_DS: return X86_DS;
	case ZYDIS_REGISTER_FS: return X86_FS;
	case ZYDIS_REGISTER_GS: return X86_GS;
	default: return 99;
	}
}

static void hex(const uint8_t *b, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 3 * i, "%02x ", b[i]);
}

/* Compare operands; returns a description of the first difference or NULL. */
static const char *cmp_operands(const struct x86_insn *in,
				const ZydisDecodedInstruction *zi,
				const ZydisDecodedOperand *zo, bool long64)
{
	unsigned int k;

	if (in->flags & X86_IF_MEM) {
		for (k = 0; k < zi->operand_count; k++) {
			const ZydisDecodedOperand *o = &zo[k];
			unsigned int seg;

			if (o->type != ZYDIS_OPERAND_TYPE_MEMORY ||
			    o->visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT)
				continue;
			if (zreg(o->mem.base) != in->base)
				return "base";
			if (zreg(o->mem.index) != in->index)
				return "index";
			if (in->index != X86_REG_NONE &&
			    o->mem.scale != (1u << in->scale))
				return "scale";
			if ((int64_t)(int32_t)o->mem.disp.value != in->disp &&
			    (uint32_t)o->mem.disp.value != (uint32_t)in->disp &&
			    !(in->adsize == 2 && (uint16_t)o->mem.disp.value ==
			      (uint16_t)in->disp))
				return "disp";
			seg = in->seg != X86_SEG_NONE ? in->seg : in->defseg;
			/* 64-bit mode: only FS and GS overrides count */
			if (o->mem.type == ZYDIS_MEMOP_TYPE_MEM &&
			    zseg(o->mem.segment) != seg &&
			    !(long64 &&
			      seg < X86_FS && zseg(o->mem.segment) < X86_FS))
				return "segment";
			break;
		}
	}
	if (in->op >= 0xa0 && in->op <= 0xa3)
		return NULL;	/* moffs: Zydis reports it as a displacement */
	if (zi->raw.imm[0].size) {
		uint64_t m = zi->raw.imm[0].size >= 64 ? ~0ull :
			     (1ull << zi->raw.imm[0].size) - 1;

		if ((zi->raw.imm[0].value.u & m) != (in->imm & m))
			return "imm";
	}
	if (zi->raw.imm[1].size) {
		uint64_t m = (1ull << zi->raw.imm[1].size) - 1;

		if ((zi->raw.imm[1].value.u & m) != in->imm2)
			return "imm2";
	}
	return NULL;
}

static void crosscheck(ZydisMachineMode zmode, ZydisStackWidth sw,
		       unsigned int mode, uint64_t seed, unsigned long n)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	unsigned long claimed = 0, bad = 0, ud = 0, i;
	uint8_t b[16];
	char h[64];

	T_ASSERT(ZYAN_SUCCESS(ZydisDecoderInit(&dec, zmode, sw)));
	/* a Pentium 4 has neither MPX (0F 1A/1B are hint NOPs) nor CET
	 * (3E on indirect branches is a DS override, not NOTRACK) */
	ZydisDecoderEnableMode(&dec, ZYDIS_DECODER_MODE_MPX, ZYAN_FALSE);
	ZydisDecoderEnableMode(&dec, ZYDIS_DECODER_MODE_CET, ZYAN_FALSE);
	for (i = 0; i < n; i++) {
		struct x86_insn in, in2;
		const char *why = NULL;
		ZyanStatus zs;
		int r;

		gen_bytes(&seed, b, mode & X86_DMODE_LONG64);
		r = x86_decode(b, 15, mode, &in);
		if (r == X86_DEC_UD) {
			ud++;
			continue;
		}
		zs = ZydisDecoderDecodeFull(&dec, b, 15, &zi, zo);
		if (r == X86_DEC_GP) {
			if (ZYAN_SUCCESS(zs))
				why = "we say >15 bytes, Zydis decodes";
		} else if (r != X86_DEC_OK) {
			why = "X86_DEC_MORE with 15 bytes";
		} else {
			claimed++;
			if (!ZYAN_SUCCESS(zs))
				why = "Zydis rejects";
			else if (zi.length != in.len)
				why = "length differs";
			else
				why = cmp_operands(&in, &zi, zo,
						   mode & X86_DMODE_LONG64);
			if (!why && x86_decode(b, in.len - 1u, mode, &in2) !=
			    X86_DEC_MORE)
				why = "truncated input not X86_DEC_MORE";
		}
		if (why) {
			hex(b, 15, h);
			if (bad++ < 20)
				fprintf(stderr, "mode %u: %s: %s(ours %u, zydis %u)\n",
					mode, why, h, r == X86_DEC_OK ? in.len : 0,
					ZYAN_SUCCESS(zs) ? zi.length : 0);
		}
	}
	printf("# mode %u: %lu inputs, %lu decoded and checked, %lu #UD, %lu disagreements\n",
	       mode, n, claimed, ud, bad);
	T_EQ(bad, 0);
	T_ASSERT(claimed > n / 2);	/* the check must cover most inputs */
}

static void test_zydis_32bit(void)
{
	crosscheck(ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32,
		   X86_DMODE_CODE32, 0x123456789abcdefull, 2000000);
}

static void test_zydis_64bit(void)
{
	crosscheck(ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64,
		   X86_DMODE_LONG64, 0x0f1e2d3c4b5a6978ull, 2000000);
}

static void test_zydis_16bit(void)
{
	crosscheck(ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16,
		   0, 0xfedcba9876543210ull, 2000000);
}

static void test_decode_known(void)
{
	static const uint8_t a[] = { 0x8b, 0x44, 0x24, 0x08 };	/* mov eax,[esp+8] */
	static const uint8_t b[] = { 0x66, 0xc7, 0x46, 0xfe, 0x34, 0x12 };
	static const uint8_t c[] = { 0xf0, 0x01, 0xc0 };	/* lock add eax,eax */
	static const uint8_t d[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90 };
	static const uint8_t e[] = { 0x0f, 0x20, 0x18 };	/* mov eax,cr3 */
	struct x86_insn in;

	T_EQ(x86_decode(a, sizeof(a), X86_DMODE_CODE32, &in), X86_DEC_OK);
	T_EQ(in.len, 4);
	T_EQ(in.op, 0x8b);
	T_EQ(in.base, X86_RSP);
	T_EQ(in.index, X86_REG_NONE);
	T_EQ(in.disp, 8);
	T_EQ(in.defseg, X86_SS);
	/* 16-bit mode: mov word [bp-2], 0x1234 with 66 -> 32-bit immediate */
	T_EQ(x86_decode(b, sizeof(b), 0, &in), X86_DEC_MORE);
	T_EQ(x86_decode(b + 1, 5, 0, &in), X86_DEC_OK);
	T_EQ(in.len, 5);
	T_EQ(in.base, X86_RBP);
	T_EQ(in.defseg, X86_SS);
	T_EQ(in.disp, -2);
	T_EQ(in.imm, 0x1234);
	T_EQ(x86_decode(c, sizeof(c), X86_DMODE_CODE32, &in), X86_DEC_UD);
	T_EQ(x86_decode(d, 15, X86_DMODE_CODE32, &in), X86_DEC_OK);
	T_EQ(x86_decode(d, 16, X86_DMODE_CODE32, &in), X86_DEC_OK);
	T_EQ(x86_decode(d + 0, 15, X86_DMODE_CODE32, &in), X86_DEC_OK);
	T_EQ(in.len, 15);
	T_EQ(x86_decode(e, sizeof(e), X86_DMODE_CODE32, &in), X86_DEC_OK);
	T_EQ(in.len, 3);
	T_EQ(in.flags & X86_IF_MEM, 0);
	T_EQ(in.reg, 3);
	{
		uint8_t f[16];

		memset(f, 0x66, sizeof(f));
		f[15] = 0x90;
		T_EQ(x86_decode(f, 16, X86_DMODE_CODE32, &in), X86_DEC_GP);
	}
}

/* 64-bit mode: REX, RIP-relative, imm64, moffs64, i64/o64/d64/f64 */
static void test_decode_known64(void)
{
	static const uint8_t a[] = { 0x48, 0x8b, 0x05, 0x10, 0, 0, 0 };
	static const uint8_t b[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t c[] = { 0x41, 0x50 };		/* push r8 */
	static const uint8_t d[] = { 0x66, 0x50 };		/* push ax */
	static const uint8_t e[] = { 0x48, 0x63, 0xc1 };	/* movsxd rax,ecx */
	static const uint8_t f[] = { 0x40, 0x88, 0xe0 };	/* mov al, spl */
	static const uint8_t g[] = { 0x0f, 0x05 };		/* syscall */
	static const uint8_t h[] = { 0x48, 0x0f, 0xc7, 0x0e };	/* cmpxchg16b */
	static const uint8_t i_[] = { 0xa1, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t j[] = { 0x67, 0x8b, 0x05, 4, 0, 0, 0 };
	static const uint8_t k[] = { 0x0f, 0x01, 0xf8 };	/* swapgs */
	static const uint8_t l[] = { 0x66, 0xe8, 1, 0, 0, 0 };	/* call (f64) */
	static const uint8_t m[] = { 0x48, 0x66, 0x8b, 0xc0 };	/* REX cancelled */
	static const uint8_t n[] = { 0x4e, 0x8b, 0x64, 0xa5, 0x08 }; /* mov r12,[rbp+r12*4+8] */
	static const uint8_t o[] = { 0x41, 0x0f, 0x20, 0xc0 };	/* mov r8, cr0 */
	static const uint8_t p[] = { 0x44, 0x0f, 0x20, 0xc0 };	/* mov rax, cr8 */
	static const uint8_t q[] = { 0x44, 0x0f, 0x20, 0xc8 };	/* cr9: #UD */
	static const uint8_t r[] = { 0x48, 0x81, 0xc4, 0xf0, 0xff, 0xff, 0xff };
	struct x86_insn in;

	T_EQ(x86_decode(a, sizeof(a), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.len, 7);
	T_EQ(in.base, X86_REG_RIP_BASE);
	T_EQ(in.disp, 0x10);
	T_EQ(in.opsize, 8);
	T_EQ(in.adsize, 8);
	T_EQ(x86_decode(b, sizeof(b), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.len, 10);
	T_EQ(in.imm, 0x0807060504030201ull);
	T_EQ(x86_decode(c, sizeof(c), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.rm, 8);
	T_EQ(in.opsize, 8);
	T_EQ(x86_decode(d, sizeof(d), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.opsize, 2);
	T_EQ(x86_decode(e, sizeof(e), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.op, 0x63);
	T_EQ(in.opsize, 8);
	T_EQ(x86_decode(f, sizeof(f), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.rex, 0x40);
	T_EQ(in.reg, 4);
	T_EQ(x86_decode(g, sizeof(g), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(x86_decode(g, sizeof(g), X86_DMODE_CODE32, &in), X86_DEC_UD);
	T_EQ(x86_decode(h, sizeof(h), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.opsize, 8);
	T_EQ(x86_decode(i_, sizeof(i_), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.len, 9);
	T_EQ(x86_decode(j, sizeof(j), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.adsize, 4);
	T_EQ(in.base, X86_REG_RIP_BASE);
	T_EQ(x86_decode(k, sizeof(k), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(x86_decode(k, sizeof(k), X86_DMODE_CODE32, &in), X86_DEC_UD);
	T_EQ(x86_decode(l, sizeof(l), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.len, 6);
	T_EQ(in.opsize, 8);
	T_EQ(x86_decode(m, sizeof(m), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.opsize, 2);
	T_EQ(in.rex, 0);
	T_EQ(x86_decode(n, sizeof(n), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.reg, 12);
	T_EQ(in.base, X86_RBP);
	T_EQ(in.index, 12);
	T_EQ(in.scale, 2);
	T_EQ(in.defseg, X86_SS);
	T_EQ(x86_decode(o, sizeof(o), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.rm, 8);
	T_EQ(x86_decode(p, sizeof(p), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.reg, 8);
	T_EQ(x86_decode(q, sizeof(q), X86_DMODE_LONG64, &in), X86_DEC_UD);
	T_EQ(x86_decode(r, sizeof(r), X86_DMODE_LONG64, &in), X86_DEC_OK);
	T_EQ(in.imm, ~0xfull);			/* imm32 sign extended */
	/* invalid in 64-bit mode */
	{
		static const uint8_t bad[] = { 0x06, 0x07, 0x0e, 0x16, 0x17,
			0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0xce,
			0xd6 };

		for (unsigned int x = 0; x < sizeof(bad); x++)
			T_EQ(x86_decode(&bad[x], 1, X86_DMODE_LONG64, &in),
			     X86_DEC_UD);
	}
}

static const struct t_case cases[] = {
	T_CASE(test_decode_known),
	T_CASE(test_zydis_32bit),
	T_CASE(test_zydis_16bit),
	T_CASE(test_zydis_64bit),
	T_CASE(test_decode_known64),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
