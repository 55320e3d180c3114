// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_simd.c --- MMX/SSE/SSE2 and FXSAVE/FXRSTOR through the interpreter
 *
 * The rules the native differential test cannot reach from user mode:
 * CR0.EM / CR4.OSFXSR #UD, CR0.TS #NM, #XM vs #UD by CR4.OSXMMEXCPT,
 * FXSAVE alignment and FXRSTOR/LDMXCSR reserved bits, the FXSAVE image
 * layout, MMX aliasing of the x87 registers (TOP = 0, tags, EMMS),
 * MASKMOVQ, the decoder's mandatory-prefix rules and CPUID feature bits
 * (SDM vol. 2 and vol. 3, 13.1-13.4).
 */
#include <stdio.h>

#include "tests/unit/x86/fpu_testlib.h"

#define RUN(m, ...) do { \
	static const uint8_t code_[] = { __VA_ARGS__ }; \
	ft_run((m), code_, sizeof(code_)); \
	T_ASSERT(ft_done((m), sizeof(code_))); \
} while (0)

#define FAULT(m, vec, ...) do { \
	static const uint8_t code_[] = { __VA_ARGS__ }; \
	ft_run((m), code_, sizeof(code_)); \
	T_EQ((m)->stop.reason, X86_STOP_EXCEPTION); \
	T_EQ((m)->stop.vector, (vec)); \
	T_EQ((m)->st.rip, FT_CODE); \
} while (0)

static void put_f32x4(uint8_t *p, float a, float b, float c, float d)
{
	float v[4] = { a, b, c, d };

	memcpy(p, v, 16);
}

static void test_sse_arith(void)
{
	struct ft_machine m;
	float r[4];

	ft_init(&m);
	put_f32x4(m.ram + FT_DATA, 1.0f, 2.0f, 3.0f, 4.0f);
	put_f32x4(m.ram + FT_DATA + 16, 0.5f, 0.25f, -3.0f, 8.0f);
	/* movaps xmm0,[ebx]; addps xmm0,[ebx+16]; movups [ebx+33],xmm0 */
	RUN(&m, 0x0f, 0x28, 0x03, 0x0f, 0x58, 0x43, 0x10, 0x0f, 0x11, 0x43, 0x21);
	memcpy(r, m.ram + FT_DATA + 33, 16);
	T_ASSERT(r[0] == 1.5f && r[1] == 2.25f && r[2] == 0.0f && r[3] == 12.0f);
	/* comiss xmm0, [ebx+16] (1.5 > 0.5): ZF PF CF clear */
	m.st.rflags = 0x2 | 0x8d5;
	RUN(&m, 0x0f, 0x2f, 0x43, 0x10);
	T_EQ(m.st.rflags & 0x8d5, 0);
	/* cvttss2si ecx, xmm0; movd edx, xmm0; pextrw esi, xmm0, 1 */
	RUN(&m, 0xf3, 0x0f, 0x2c, 0xc8, 0x66, 0x0f, 0x7e, 0xc2,
	    0x66, 0x0f, 0xc5, 0xf0, 0x01);
	T_EQ(m.st.gpr[X86_RCX], 1);
	T_EQ(m.st.gpr[X86_RDX], 0x3fc00000u);
	T_EQ(m.st.gpr[X86_RSI], 0x3fc0);
	ft_fini(&m);
}

static void test_sse_faults(void)
{
	struct ft_machine m;

	ft_init(&m);
	/* movaps from a misaligned address: #GP(0) */
	FAULT(&m, FT_EXC_GP, 0x0f, 0x28, 0x43, 0x08);
	/* movups is fine there */
	RUN(&m, 0x0f, 0x10, 0x43, 0x08);
	m.st.cr4 &= ~0x200ull;			/* OSFXSR = 0 */
	FAULT(&m, FT_EXC_UD, 0x0f, 0x10, 0x43, 0x08);
	m.st.cr4 |= 0x200;
	m.st.cr0 |= X86_CR0_EM;
	FAULT(&m, FT_EXC_UD, 0x0f, 0x58, 0xc0);		/* SSE: #UD */
	FAULT(&m, FT_EXC_UD, 0x0f, 0xfc, 0xc0);		/* MMX: #UD */
	FAULT(&m, FT_EXC_NM, 0x0f, 0xae, 0x03);		/* FXSAVE: #NM */
	m.st.cr0 &= ~(uint64_t)X86_CR0_EM;
	m.st.cr0 |= X86_CR0_TS;
	FAULT(&m, FT_EXC_NM, 0x0f, 0x58, 0xc0);
	FAULT(&m, FT_EXC_NM, 0x0f, 0xfc, 0xc0);
	m.st.cr0 &= ~(uint64_t)X86_CR0_TS;
	/* unmasked divide by zero (MXCSR 0x1d80): #XM, xmm1 unchanged, ZE */
	m.ram[FT_DATA + 0x40] = 0x80;
	m.ram[FT_DATA + 0x41] = 0x1d;
	put_f32x4(m.ram + FT_DATA + 0x50, 1.0f, 1.0f, 1.0f, 1.0f);
	RUN(&m, 0x0f, 0xae, 0x53, 0x40, 0x0f, 0x28, 0x4b, 0x50, 0x0f, 0x57, 0xd2);
	FAULT(&m, FT_EXC_XM, 0xf3, 0x0f, 0x5e, 0xca);	/* divss xmm1, xmm2 */
	T_EQ(ft_get32(m.st.fxsave + 24), 0x1d84);
	T_EQ(ft_get32(m.st.fxsave + 160 + 16), 0x3f800000u);
	m.st.cr4 &= ~0x400ull;			/* OSXMMEXCPT = 0: #UD */
	FAULT(&m, FT_EXC_UD, 0xf3, 0x0f, 0x5e, 0xca);
	m.st.cr4 |= 0x400;
	/* masked: infinity, flag only */
	m.ram[FT_DATA + 0x41] = 0x1f;
	RUN(&m, 0x0f, 0xae, 0x53, 0x40, 0xf3, 0x0f, 0x5e, 0xca,
	    0x0f, 0xae, 0x5b, 0x44);
	T_EQ(ft_get32(m.st.fxsave + 160 + 16), 0x7f800000u);
	T_EQ(ft_get32(m.ram + FT_DATA + 0x44), 0x1f84);
	/* ldmxcsr with a reserved bit: #GP(0) */
	m.ram[FT_DATA + 0x42] = 0x01;
	FAULT(&m, FT_EXC_GP, 0x0f, 0xae, 0x53, 0x40);
	ft_fini(&m);
}

static void test_fxsave_layout(void)
{
	struct ft_machine m;
	const uint8_t *f = NULL;

	ft_init(&m);
	/* fninit; fld1; pcmpeqb xmm3, xmm3; fxsave [ebx+0x100] */
	RUN(&m, 0xdb, 0xe3, 0xd9, 0xe8, 0x66, 0x0f, 0x74, 0xdb,
	    0x0f, 0xae, 0x83, 0x00, 0x01, 0x00, 0x00);
	f = m.ram + FT_DATA + 0x100;
	T_EQ(ft_get16(f), 0x037f);
	T_EQ(ft_get16(f + 2), 0x3800);
	T_EQ(f[4], 0x80);				/* R7 valid */
	T_EQ(ft_get16(f + 6), 0x1e8);			/* FOP of fld1 */
	T_EQ(ft_get32(f + 8), FT_CODE + 2);		/* FIP */
	T_EQ(ft_get16(f + 12), 0x08);			/* FCS */
	T_EQ(ft_get32(f + 24), 0x1f80);
	T_EQ(ft_get32(f + 28), 0xffff);			/* MXCSR_MASK */
	T_EQ(ft_get16(f + 32 + 8), 0x3fff);		/* ST0 = 1.0 */
	T_EQ(ft_get32(f + 160 + 48), 0xffffffffu);	/* XMM3 */
	/* misaligned: #GP; reserved MXCSR bit in the image: #GP */
	FAULT(&m, FT_EXC_GP, 0x0f, 0xae, 0x83, 0x08, 0x01, 0x00, 0x00);
	m.ram[FT_DATA + 0x100 + 26] = 0x01;
	FAULT(&m, FT_EXC_GP, 0x0f, 0xae, 0x8b, 0x00, 0x01, 0x00, 0x00);
	m.ram[FT_DATA + 0x100 + 26] = 0;
	/* fninit; fxrstor brings the stack back */
	RUN(&m, 0xdb, 0xe3, 0x0f, 0xae, 0x8b, 0x00, 0x01, 0x00, 0x00,
	    0xdf, 0xe0);
	T_EQ(m.st.gpr[X86_RAX] & 0xffff, 0x3800);
	T_EQ(m.st.fxsave[4], 0x80);
	ft_fini(&m);
}

static void test_mmx_alias(void)
{
	struct ft_machine m;
	uint64_t v = 0x0102030405060708ull;

	ft_init(&m);
	memcpy(m.ram + FT_DATA, &v, 8);
	/* fninit; fld1 (TOP 7); movq mm1, [ebx]; paddb mm1, mm1 */
	RUN(&m, 0xdb, 0xe3, 0xd9, 0xe8, 0x0f, 0x6f, 0x0b, 0x0f, 0xfc, 0xc9);
	T_EQ((m.st.fxsave[3] >> 3) & 7, 0);		/* TOP = 0 */
	T_EQ(m.st.fxsave[4], 0xff);			/* all valid */
	T_EQ(ft_get32(m.st.fxsave + 32 + 16), 0x0a0c0e10u);	/* MM1 */
	T_EQ(ft_get16(m.st.fxsave + 32 + 16 + 8), 0xffff);	/* exponent */
	T_EQ(ft_get16(m.st.fxsave + 32 + 7 * 16 + 8), 0x3fff);	/* R7 = 1.0 */
	/* emms: all empty */
	RUN(&m, 0x0f, 0x77);
	T_EQ(m.st.fxsave[4], 0);
	/* maskmovq mm1, mm2 to [edi]: bytes with the mask's top bit */
	v = 0x80000000ff000080ull;
	memcpy(m.ram + FT_DATA + 8, &v, 8);
	m.st.gpr[X86_RDI] = FT_DATA + 0x20;
	memset(m.ram + FT_DATA + 0x20, 0xee, 8);
	RUN(&m, 0x0f, 0x6f, 0x53, 0x08, 0x0f, 0xf7, 0xca);
	T_EQ(ft_get32(m.ram + FT_DATA + 0x20), 0x0aeeee10u);
	T_EQ(ft_get32(m.ram + FT_DATA + 0x24), 0x02eeeeeeu);
	/* MMX with a pending x87 exception: #MF */
	m.st.fxsave[0] = 0x7b;				/* ZE unmasked */
	m.st.fxsave[2] = 0x84;				/* ZE, ES */
	FAULT(&m, FT_EXC_MF, 0x0f, 0xfc, 0xc9);
	ft_fini(&m);
}

static void test_simd_decode_cpuid(void)
{
	static const struct { uint8_t b[6]; uint8_t n; int ok; } t[] = {
		{ { 0x66, 0x0f, 0x58, 0xc1 }, 4, 1 },		/* addpd */
		{ { 0xf3, 0x66, 0x0f, 0x58, 0xc1 }, 5, 1 },	/* addss */
		{ { 0xf3, 0x0f, 0x50, 0xc1 }, 4, 0 },		/* no F3 movmskps */
		{ { 0x0f, 0x50, 0x00 }, 3, 0 },			/* register only */
		{ { 0x0f, 0x2b, 0xc0 }, 3, 0 },			/* memory only */
		{ { 0x66, 0x0f, 0x73, 0xd8, 0x04 }, 5, 1 },	/* psrldq */
		{ { 0x0f, 0x73, 0xd8, 0x04 }, 4, 0 },		/* no MMX psrldq */
		{ { 0xf2, 0x0f, 0xf0, 0x00 }, 4, 1 },		/* lddqu: SSE3 */
		{ { 0xf2, 0x0f, 0xf0, 0xc0 }, 4, 0 },		/* memory only */
		{ { 0x0f, 0x01, 0xc8 }, 3, 0 },			/* no MONITOR */
		{ { 0x66, 0x0f, 0x38, 0x17, 0xc1 }, 5, 1 },	/* ptest */
		{ { 0x0f, 0x38, 0x17, 0xc1 }, 4, 0 },		/* no MMX ptest */
		{ { 0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x0c }, 6, 1 },	/* pcmpistri */
		{ { 0xf3, 0x0f, 0xb8, 0xc1 }, 4, 1 },		/* popcnt */
		{ { 0x0f, 0xb8, 0xc1 }, 3, 0 },			/* no JMPE */
		{ { 0x0f, 0x77 }, 2, 1 },			/* emms */
		{ { 0x0f, 0xc2, 0xc1, 0x03 }, 4, 1 },		/* cmpps imm */
	};
	struct ft_machine m;
	struct x86_insn in;
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = x86_decode(t[i].b, t[i].n, X86_DMODE_CODE32, &in);

		T_EQ(r == X86_DEC_OK, t[i].ok);
		if (t[i].ok)
			T_EQ(in.len, t[i].n);
	}
	ft_init(&m);
	m.st.gpr[X86_RAX] = 1;
	RUN(&m, 0x0f, 0xa2);				/* cpuid */
	T_EQ(m.st.gpr[X86_RDX] & 0x07800001u, 0x07800001u);
	T_EQ(m.st.gpr[X86_RCX], 0x01982201u);		/* SSE3 .. POPCNT, TSC-deadline */
	/* mov cr4 accepts OSFXSR | OSXMMEXCPT */
	m.st.cr4 = 0;
	m.st.gpr[X86_RAX] = 0x600;
	RUN(&m, 0x0f, 0x22, 0xe0);
	T_EQ(m.st.cr4, 0x600);
	ft_fini(&m);
}

static const struct t_case cases[] = {
	T_CASE(test_sse_arith),
	T_CASE(test_sse_faults),
	T_CASE(test_fxsave_layout),
	T_CASE(test_mmx_alias),
	T_CASE(test_simd_decode_cpuid),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
