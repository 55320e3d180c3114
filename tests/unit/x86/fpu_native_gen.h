/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu_native_gen.h --- instruction and state generator of test_fpu_native
 *
 * Included once by test_fpu_native.c (struct gen, emit helpers).  Random
 * x87 (D8-DF register and memory forms, control instructions, WAIT),
 * MMX/SSE/SSE2/SSE3 (table of opcode/prefix/operand kinds) and SSSE3,
 * SSE4.1, SSE4.2 (0F 38 / 0F 3A maps, incl. PCMPxSTRx with their implicit
 * registers), POPCNT and CRC32 instructions, each checked with our decoder
 * so only encodings the canonical x86-64-v2 CPU has are made.
 */
#ifndef DUALVM_TESTS_FPU_NATIVE_GEN_H
#define DUALVM_TESTS_FPU_NATIVE_GEN_H

/* random initial FXSAVE image */
static void gen_state(struct gen *g, uint8_t *img)
{
	static const uint16_t cws[] = { 0x037f, 0x027f, 0x007f, 0x0f7f,
					0x077f, 0x0b7f, 0x037f, 0x1372 };
	uint16_t fcw, fsw;
	uint32_t mx;
	unsigned int i;

	memset(img, 0, 512);
	fcw = cws[rn(g, 8)];
	if (rn(g, 6) == 0)
		fcw &= (uint16_t)~(1u << rn(g, 6));	/* one unmasked */
	fsw = (uint16_t)(rn(g, 8) << 11);
	if (rn(g, 4) == 0)
		fsw |= (uint16_t)(rnd(g) & 0x473f);	/* C0-C3 and flags */
	if (fsw & ~fcw & 0x3f)
		fsw |= 0x8080;				/* ES, B consistent */
	memcpy(img, &fcw, 2);
	memcpy(img + 2, &fsw, 2);
	img[4] = (uint8_t)(rn(g, 3) ? rnd(g) : rn(g, 2) ? 0 : 0xff);
	for (i = 0; i < 8; i++)
		val80(g, img + 32 + 16 * i);
	mx = 0x1f80 | (rnd(g) & 0x6000);		/* rounding */
	if (rn(g, 4) == 0)
		mx |= rnd(g) & 0x8040;			/* FTZ, DAZ */
	if (rn(g, 5) == 0)
		mx &= ~(0x80u << rn(g, 6));		/* one unmasked */
	if (rn(g, 4) == 0)
		mx |= rnd(g) & 0x3f;
	memcpy(img + 24, &mx, 4);
	fill_vals(g, img + 160, 128);
}

/* ---- x87 */

static void gen_x87_reg(struct gen *g)
{
	uint8_t *st = g->p;

	do {
		g->p = st;
		emit(g, (uint8_t)(0xd8 + rn(g, 8)));
		emit(g, (uint8_t)(0xc0 + rn(g, 64)));
	} while (!decodes(g, st));
}

/* memory forms; sizes as in vmm/x86/x87.c (108: FNSAVE/FRSTOR) */
static void gen_x87_mem(struct gen *g)
{
	static const uint8_t sz[64] = {
		4, 4, 4, 4, 4, 4, 4, 4,   4, 0, 4, 4, 28, 2, 28, 2,
		4, 4, 4, 4, 4, 4, 4, 4,   4, 4, 4, 4, 0, 10, 0, 10,
		8, 8, 8, 8, 8, 8, 8, 8,   8, 8, 8, 8, 108, 0, 108, 2,
		2, 2, 2, 2, 2, 2, 2, 2,   2, 2, 2, 2, 10, 8, 10, 8,
	};
	unsigned int op, reg, size, idx;
	bool o16 = rn(g, 4) == 0;
	int32_t d;

	do {
		op = rn(g, 8);
		reg = rn(g, 8);
		idx = op * 8 + reg;
	} while (!sz[idx]);
	size = sz[idx];
	if (size == 28 || size == 108) {
		if (o16) {
			emit(g, 0x66);
			size -= 14;
		}
	}
	d = mem_disp(g, size, false);
	emit(g, (uint8_t)(0xd8 + op));
	modrm_mem(g, reg, d);
	/* FNSTENV / FNSAVE: the pointer fields differ by vendor */
	if (idx == 0x0e || idx == 0x2e) {
		if (o16)
			forbid(g, d, 6, 14);
		else
			forbid(g, d, 12, 28);
	}
	/* FLDENV / FRSTOR mostly from a sane image: FNSTENV right before */
	if ((idx == 0x0c || idx == 0x2c) && rn(g, 2)) {
		uint8_t *p = g->p - 6 - o16;
		uint8_t ins[8];
		unsigned int n = (unsigned int)(g->p - p);

		memcpy(ins, p, n);
		g->p = p;
		if (o16)
			emit(g, 0x66);
		emit(g, (uint8_t)(0xd8 + op));
		modrm_mem(g, 6, d);			/* FNSTENV/FNSAVE */
		if (o16)
			forbid(g, d, 6, 14);
		else
			forbid(g, d, 12, 28);
		if (idx == 0x2c)
			emit(g, 0xd9), emit(g, 0xe8);	/* fld1 */
		memcpy(g->p, ins, n);
		g->p += n;
	}
}

static void gen_x87(struct gen *g)
{
	switch (rn(g, 10)) {
	case 0: case 1: case 2: case 3:
		gen_x87_reg(g);
		return;
	case 4: case 5: case 6: case 7: case 8:
		gen_x87_mem(g);
		return;
	default:
		emit(g, 0x9b);				/* wait */
		return;
	}
}

/* ---- MMX / SSE / SSE2 */

enum { K_ANY, K_ALIGN, K_MEM, K_REG };

struct sse_form {
	uint8_t	pfx;		/* 0, 0x66, 0xf3, 0xf2 */
	uint8_t	op;		/* 0F xx */
	uint8_t	size;		/* memory operand bytes */
	uint8_t	kind;		/* K_* */
};

#define F(p, o, s, k)	{ p, o, s, k }
static const struct sse_form forms[] = {
	F(0, 0x10, 16, K_ANY), F(0x66, 0x10, 16, K_ANY), F(0xf3, 0x10, 4, K_ANY),
	F(0xf2, 0x10, 8, K_ANY), F(0, 0x11, 16, K_ANY), F(0xf3, 0x11, 4, K_ANY),
	F(0xf2, 0x11, 8, K_ANY), F(0, 0x12, 8, K_ANY), F(0x66, 0x13, 8, K_MEM),
	F(0, 0x14, 16, K_ALIGN), F(0x66, 0x15, 16, K_ALIGN), F(0, 0x16, 8, K_ANY),
	F(0, 0x17, 8, K_MEM), F(0, 0x28, 16, K_ALIGN), F(0x66, 0x29, 16, K_ALIGN),
	F(0, 0x2a, 8, K_ANY), F(0x66, 0x2a, 8, K_ANY), F(0xf3, 0x2a, 4, K_ANY),
	F(0xf2, 0x2a, 4, K_ANY), F(0, 0x2b, 16, K_MEM), F(0, 0x2c, 8, K_ANY),
	F(0x66, 0x2d, 16, K_ALIGN), F(0xf3, 0x2c, 4, K_ANY), F(0xf2, 0x2d, 8, K_ANY),
	F(0, 0x2e, 4, K_ANY), F(0x66, 0x2f, 8, K_ANY), F(0, 0x50, 0, K_REG),
	F(0x66, 0x50, 0, K_REG), F(0, 0x51, 16, K_ALIGN), F(0xf2, 0x51, 8, K_ANY),
	F(0, 0x52, 16, K_ALIGN), F(0xf3, 0x53, 4, K_ANY), F(0, 0x54, 16, K_ALIGN),
	F(0x66, 0x55, 16, K_ALIGN), F(0, 0x56, 16, K_ALIGN), F(0x66, 0x57, 16, K_ALIGN),
	F(0, 0x58, 16, K_ALIGN), F(0x66, 0x59, 16, K_ALIGN), F(0xf3, 0x58, 4, K_ANY),
	F(0xf2, 0x59, 8, K_ANY), F(0, 0x5a, 8, K_ANY), F(0x66, 0x5a, 16, K_ALIGN),
	F(0xf3, 0x5a, 4, K_ANY), F(0xf2, 0x5a, 8, K_ANY), F(0, 0x5b, 16, K_ALIGN),
	F(0x66, 0x5b, 16, K_ALIGN), F(0xf3, 0x5b, 16, K_ALIGN), F(0, 0x5c, 16, K_ALIGN),
	F(0x66, 0x5d, 16, K_ALIGN), F(0xf3, 0x5e, 4, K_ANY), F(0xf2, 0x5f, 8, K_ANY),
	F(0, 0x5e, 16, K_ALIGN), F(0x66, 0x5f, 16, K_ALIGN), F(0xf3, 0x5c, 4, K_ANY),
	F(0xf2, 0x5e, 8, K_ANY), F(0, 0xc2, 16, K_ALIGN), F(0x66, 0xc2, 16, K_ALIGN),
	F(0xf3, 0xc2, 4, K_ANY), F(0xf2, 0xc2, 8, K_ANY), F(0, 0xc6, 16, K_ALIGN),
	F(0x66, 0xc6, 16, K_ALIGN), F(0, 0x60, 4, K_ANY), F(0x66, 0x61, 16, K_ALIGN),
	F(0, 0x63, 8, K_ANY), F(0x66, 0x67, 16, K_ALIGN), F(0, 0x68, 8, K_ANY),
	F(0x66, 0x6c, 16, K_ALIGN), F(0x66, 0x6d, 16, K_ALIGN), F(0, 0x6e, 4, K_ANY),
	F(0x66, 0x6e, 4, K_ANY), F(0, 0x6f, 8, K_ANY), F(0x66, 0x6f, 16, K_ALIGN),
	F(0xf3, 0x6f, 16, K_ANY), F(0, 0x70, 8, K_ANY), F(0x66, 0x70, 16, K_ALIGN),
	F(0xf3, 0x70, 16, K_ALIGN), F(0xf2, 0x70, 16, K_ALIGN), F(0, 0x71, 0, K_REG),
	F(0x66, 0x72, 0, K_REG), F(0, 0x73, 0, K_REG), F(0x66, 0x73, 0, K_REG),
	F(0, 0x74, 8, K_ANY), F(0x66, 0x76, 16, K_ALIGN), F(0, 0x77, 0, K_REG),
	F(0, 0x7e, 4, K_ANY), F(0x66, 0x7e, 4, K_ANY), F(0xf3, 0x7e, 8, K_ANY),
	F(0, 0x7f, 8, K_ANY), F(0x66, 0x7f, 16, K_ALIGN), F(0xf3, 0x7f, 16, K_ANY),
	F(0, 0xc4, 2, K_ANY), F(0x66, 0xc4, 2, K_ANY), F(0, 0xc5, 0, K_REG),
	F(0x66, 0xc5, 0, K_REG), F(0, 0xc3, 4, K_MEM), F(0x66, 0xd6, 8, K_ANY),
	F(0xf3, 0xd6, 0, K_REG), F(0xf2, 0xd6, 0, K_REG), F(0, 0xd7, 0, K_REG),
	F(0x66, 0xd7, 0, K_REG), F(0x66, 0xe6, 16, K_ALIGN), F(0xf3, 0xe6, 8, K_ANY),
	F(0xf2, 0xe6, 16, K_ALIGN), F(0, 0xe7, 8, K_MEM), F(0x66, 0xe7, 16, K_MEM),
	F(0, 0xd1, 8, K_ANY), F(0, 0xd4, 8, K_ANY), F(0, 0xd5, 8, K_ANY),
	F(0, 0xd8, 8, K_ANY), F(0, 0xda, 8, K_ANY), F(0, 0xdb, 8, K_ANY),
	F(0, 0xdc, 8, K_ANY), F(0, 0xde, 8, K_ANY), F(0, 0xdf, 8, K_ANY),
	F(0, 0xe0, 8, K_ANY), F(0, 0xe2, 8, K_ANY), F(0, 0xe3, 8, K_ANY),
	F(0, 0xe4, 8, K_ANY), F(0, 0xe5, 8, K_ANY), F(0, 0xe8, 8, K_ANY),
	F(0, 0xea, 8, K_ANY), F(0, 0xeb, 8, K_ANY), F(0, 0xec, 8, K_ANY),
	F(0, 0xee, 8, K_ANY), F(0, 0xef, 8, K_ANY), F(0, 0xf1, 8, K_ANY),
	F(0, 0xf2, 8, K_ANY), F(0, 0xf4, 8, K_ANY), F(0, 0xf5, 8, K_ANY),
	F(0, 0xf6, 8, K_ANY), F(0, 0xf8, 8, K_ANY), F(0, 0xfb, 8, K_ANY),
	F(0, 0xfe, 8, K_ANY),
	F(0x66, 0xd1, 16, K_ALIGN), F(0x66, 0xd4, 16, K_ALIGN), F(0x66, 0xd5, 16, K_ALIGN),
	F(0x66, 0xd8, 16, K_ALIGN), F(0x66, 0xda, 16, K_ALIGN), F(0x66, 0xdb, 16, K_ALIGN),
	F(0x66, 0xdd, 16, K_ALIGN), F(0x66, 0xde, 16, K_ALIGN), F(0x66, 0xdf, 16, K_ALIGN),
	F(0x66, 0xe0, 16, K_ALIGN), F(0x66, 0xe1, 16, K_ALIGN), F(0x66, 0xe4, 16, K_ALIGN),
	F(0x66, 0xe5, 16, K_ALIGN), F(0x66, 0xe9, 16, K_ALIGN), F(0x66, 0xea, 16, K_ALIGN),
	F(0x66, 0xed, 16, K_ALIGN), F(0x66, 0xee, 16, K_ALIGN), F(0x66, 0xf2, 16, K_ALIGN),
	F(0x66, 0xf3, 16, K_ALIGN), F(0x66, 0xf4, 16, K_ALIGN), F(0x66, 0xf5, 16, K_ALIGN),
	F(0x66, 0xf6, 16, K_ALIGN), F(0x66, 0xf9, 16, K_ALIGN), F(0x66, 0xfb, 16, K_ALIGN),
	F(0x66, 0xfc, 16, K_ALIGN), F(0x66, 0x64, 16, K_ALIGN), F(0x66, 0x6b, 16, K_ALIGN),
	/* the C fast path (vmm/x86/simd_fast.c) */
	F(0x66, 0x74, 16, K_ALIGN), F(0x66, 0x75, 16, K_ALIGN), F(0x66, 0x60, 16, K_ALIGN),
	F(0x66, 0x62, 16, K_ALIGN), F(0x66, 0xeb, 16, K_ALIGN), F(0x66, 0xef, 16, K_ALIGN),
	F(0x66, 0xf8, 16, K_ALIGN), F(0x66, 0xfa, 16, K_ALIGN), F(0x66, 0xfd, 16, K_ALIGN),
	F(0x66, 0xfe, 16, K_ALIGN), F(0, 0x55, 16, K_ALIGN), F(0, 0x57, 16, K_ALIGN),
	F(0x66, 0x54, 16, K_ALIGN), F(0x66, 0x56, 16, K_ALIGN), F(0x66, 0x10, 16, K_ANY),
	F(0x66, 0x11, 16, K_ANY), F(0x66, 0x28, 16, K_ALIGN), F(0, 0x29, 16, K_ALIGN),
	F(0x66, 0x6f, 16, K_ALIGN), F(0xf3, 0x6f, 16, K_ANY), F(0x66, 0x7f, 16, K_ALIGN),
	F(0x66, 0xd7, 0, K_REG), F(0x66, 0x73, 0, K_REG), F(0x66, 0x70, 16, K_ALIGN),
	F(0x66, 0xdb, 16, K_ALIGN), F(0x66, 0xdf, 16, K_ALIGN), F(0x66, 0xd4, 16, K_ALIGN),
	/* SSE3 */
	F(0xf2, 0x12, 8, K_ANY), F(0xf3, 0x12, 16, K_ALIGN), F(0xf3, 0x16, 16, K_ALIGN),
	F(0x66, 0x7c, 16, K_ALIGN), F(0xf2, 0x7c, 16, K_ALIGN), F(0x66, 0x7d, 16, K_ALIGN),
	F(0xf2, 0x7d, 16, K_ALIGN), F(0x66, 0xd0, 16, K_ALIGN), F(0xf2, 0xd0, 16, K_ALIGN),
	F(0xf2, 0xf0, 16, K_MEM),
};

/* general registers of the 0F 38 / 0F 3A / POPCNT / CRC32 forms */
enum { G_NONE, G_REG_OUT, G_RM_OUT, G_RM_IN };

struct sse4_form {
	uint8_t	pfx;		/* 0, 0x66, 0xf2, 0xf3 */
	uint8_t	pfx66;		/* an extra 66 before F2/F3 (16-bit forms) */
	uint8_t	map;		/* 0x38, 0x3a or 0 (0F map) */
	uint8_t	op;		/* opcode */
	uint8_t	size;		/* memory operand bytes */
	uint8_t	kind;		/* K_* */
	uint8_t	gpr;		/* G_*: a general register operand */
};

#define S4(p, m, o, s, k, g)	{ p, 0, m, o, s, k, g }
static const struct sse4_form forms4[] = {
	/* SSSE3: MMX and XMM forms */
	S4(0, 0x38, 0x00, 8, K_ANY, 0), S4(0x66, 0x38, 0x00, 16, K_ALIGN, 0),
	S4(0, 0x38, 0x01, 8, K_ANY, 0), S4(0x66, 0x38, 0x02, 16, K_ALIGN, 0),
	S4(0, 0x38, 0x03, 8, K_ANY, 0), S4(0x66, 0x38, 0x04, 16, K_ALIGN, 0),
	S4(0, 0x38, 0x05, 8, K_ANY, 0), S4(0x66, 0x38, 0x06, 16, K_ALIGN, 0),
	S4(0, 0x38, 0x07, 8, K_ANY, 0), S4(0x66, 0x38, 0x08, 16, K_ALIGN, 0),
	S4(0, 0x38, 0x09, 8, K_ANY, 0), S4(0x66, 0x38, 0x0a, 16, K_ALIGN, 0),
	S4(0, 0x38, 0x0b, 8, K_ANY, 0), S4(0x66, 0x38, 0x0b, 16, K_ALIGN, 0),
	S4(0, 0x38, 0x1c, 8, K_ANY, 0), S4(0x66, 0x38, 0x1d, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x1e, 16, K_ALIGN, 0), S4(0, 0x3a, 0x0f, 8, K_ANY, 0),
	S4(0x66, 0x3a, 0x0f, 16, K_ALIGN, 0),
	/* SSE4.1 */
	S4(0x66, 0x38, 0x10, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x14, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x15, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x17, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x20, 8, K_ANY, 0), S4(0x66, 0x38, 0x21, 4, K_ANY, 0),
	S4(0x66, 0x38, 0x22, 2, K_ANY, 0), S4(0x66, 0x38, 0x23, 8, K_ANY, 0),
	S4(0x66, 0x38, 0x24, 4, K_ANY, 0), S4(0x66, 0x38, 0x25, 8, K_ANY, 0),
	S4(0x66, 0x38, 0x28, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x29, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x2a, 16, K_MEM, 0), S4(0x66, 0x38, 0x2b, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x30, 8, K_ANY, 0), S4(0x66, 0x38, 0x31, 4, K_ANY, 0),
	S4(0x66, 0x38, 0x32, 2, K_ANY, 0), S4(0x66, 0x38, 0x33, 8, K_ANY, 0),
	S4(0x66, 0x38, 0x34, 4, K_ANY, 0), S4(0x66, 0x38, 0x35, 8, K_ANY, 0),
	S4(0x66, 0x38, 0x37, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x38, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x39, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x3a, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x3b, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x3c, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x3d, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x3e, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x3f, 16, K_ALIGN, 0), S4(0x66, 0x38, 0x40, 16, K_ALIGN, 0),
	S4(0x66, 0x38, 0x41, 16, K_ALIGN, 0),
	S4(0x66, 0x3a, 0x08, 16, K_ALIGN, 0), S4(0x66, 0x3a, 0x09, 16, K_ALIGN, 0),
	S4(0x66, 0x3a, 0x0a, 4, K_ANY, 0), S4(0x66, 0x3a, 0x0b, 8, K_ANY, 0),
	S4(0x66, 0x3a, 0x0c, 16, K_ALIGN, 0), S4(0x66, 0x3a, 0x0d, 16, K_ALIGN, 0),
	S4(0x66, 0x3a, 0x0e, 16, K_ALIGN, 0),
	S4(0x66, 0x3a, 0x14, 1, K_ANY, G_RM_OUT), S4(0x66, 0x3a, 0x15, 2, K_ANY, G_RM_OUT),
	S4(0x66, 0x3a, 0x16, 4, K_ANY, G_RM_OUT), S4(0x66, 0x3a, 0x17, 4, K_ANY, G_RM_OUT),
	S4(0x66, 0x3a, 0x20, 1, K_ANY, G_RM_IN), S4(0x66, 0x3a, 0x21, 4, K_ANY, 0),
	S4(0x66, 0x3a, 0x22, 4, K_ANY, G_RM_IN),
	S4(0x66, 0x3a, 0x40, 16, K_ALIGN, 0), S4(0x66, 0x3a, 0x41, 16, K_ALIGN, 0),
	S4(0x66, 0x3a, 0x42, 16, K_ALIGN, 0),
	/* SSE4.2: string compares (EAX, EDX in; ECX or XMM0 out), CRC32 */
	S4(0x66, 0x3a, 0x60, 16, K_ANY, 0), S4(0x66, 0x3a, 0x61, 16, K_ANY, 0),
	S4(0x66, 0x3a, 0x62, 16, K_ANY, 0), S4(0x66, 0x3a, 0x63, 16, K_ANY, 0),
	S4(0xf2, 0x38, 0xf0, 1, K_ANY, G_REG_OUT), S4(0xf2, 0x38, 0xf1, 4, K_ANY, G_REG_OUT),
	{ 0xf2, 0x66, 0x38, 0xf1, 2, K_ANY, G_REG_OUT },
	/* POPCNT */
	S4(0xf3, 0, 0xb8, 4, K_ANY, G_REG_OUT), { 0xf3, 0x66, 0, 0xb8, 2, K_ANY, G_REG_OUT },
};

/* general register the instruction writes: never EBX or ESP */
static bool writes_gpr_reg(const struct sse_form *f)
{
	return f->op == 0x50 || f->op == 0xc5 || f->op == 0xd7 ||
	       ((f->op == 0x2c || f->op == 0x2d) && f->pfx >= 0xf2);
}

static bool writes_gpr_rm(const struct sse_form *f)
{
	return f->op == 0x7e && f->pfx != 0xf3;
}

static bool reads_gpr_rm(const struct sse_form *f)
{
	return f->op == 0x6e || f->op == 0xc4 ||
	       (f->op == 0x2a && f->pfx >= 0xf2);
}

static unsigned int safe_gpr(struct gen *g)
{
	static const uint8_t r[] = { 0, 1, 2, 5, 6, 7 };

	return r[rn(g, 6)];
}

static void gen_sse(struct gen *g)
{
	const struct sse_form *f;
	unsigned int reg, rm;
	uint8_t *st = g->p;
	bool mem;
	int32_t d = 0;

	do {
		g->p = st;
		f = &forms[rn(g, sizeof(forms) / sizeof(forms[0]))];
		mem = f->kind == K_MEM || ((f->kind == K_ANY || f->kind == K_ALIGN) && rn(g, 2));
		reg = rn(g, 8);
		rm = rn(g, 8);
		if (writes_gpr_reg(f) || f->op == 0xc3)
			reg = safe_gpr(g);
		if (!mem && writes_gpr_rm(f))
			rm = safe_gpr(g);
		if (!mem && reads_gpr_rm(f) && rm == 4)
			rm = 0;
		if (f->op == 0x71 || f->op == 0x72 || f->op == 0x73)
			reg = (unsigned int)(2 + 2 * rn(g, 3)) | (f->op == 0x73 && f->pfx && rn(g, 2));
		if (f->pfx)
			emit(g, f->pfx);
		emit(g, 0x0f);
		emit(g, f->op);
		if (f->op != 0x77) {
			if (mem) {
				d = mem_disp(g, f->size, f->kind == K_ALIGN && rn(g, 12));
				modrm_mem(g, reg, d);
			} else {
				emit(g, (uint8_t)(0xc0 | reg << 3 | rm));
			}
		}
		if (f->op == 0x70 || f->op == 0x71 || f->op == 0x72 || f->op == 0x73 ||
		    f->op == 0xc2 || f->op == 0xc4 || f->op == 0xc5 || f->op == 0xc6)
			emit(g, (uint8_t)(f->op == 0xc2 ? rn(g, 9) :
					  (f->op >= 0x71 && f->op <= 0x73) ? rn(g, 70) : rnd(g)));
	} while (!decodes(g, st));
}

/* SSSE3, SSE4.1, SSE4.2, POPCNT, CRC32 */
static void gen_sse4(struct gen *g)
{
	const struct sse4_form *f;
	unsigned int reg, rm;
	uint8_t *st = g->p;
	bool mem, imm;

	do {
		g->p = st;
		f = &forms4[rn(g, sizeof(forms4) / sizeof(forms4[0]))];
		mem = f->kind == K_MEM || ((f->kind == K_ANY || f->kind == K_ALIGN) && rn(g, 2));
		reg = rn(g, 8);
		rm = rn(g, 8);
		if (f->gpr == G_REG_OUT)
			reg = safe_gpr(g);
		if (!mem && f->gpr == G_RM_OUT)
			rm = safe_gpr(g);
		/* a general-register source: not ESP (it differs) */
		if (!mem && (f->gpr == G_RM_IN || f->gpr == G_REG_OUT) && rm == 4)
			rm = 0;
		if (f->pfx66)
			emit(g, 0x66);
		if (f->pfx)
			emit(g, f->pfx);
		emit(g, 0x0f);
		if (f->map)
			emit(g, f->map);
		emit(g, f->op);
		if (mem)
			modrm_mem(g, reg, mem_disp(g, f->size, f->kind == K_ALIGN && rn(g, 12)));
		else
			emit(g, (uint8_t)(0xc0 | reg << 3 | rm));
		imm = f->map == 0x3a;
		if (imm)	/* ROUND*: no precision-exception suppression games */
			emit(g, (uint8_t)((f->op >= 0x08 && f->op <= 0x0b) ?
					  rn(g, 16) : rnd(g)));
	} while (!decodes(g, st));
}

/* FXSAVE / FXRSTOR / LDMXCSR / STMXCSR / fences */
static void gen_ctl(struct gen *g)
{
	int32_t d;

	switch (rn(g, 7)) {
	case 6:			/* lea edi, [ebx+d]; maskmovq / maskmovdqu */
		d = mem_disp(g, 16, false);
		emit(g, 0x8d), modrm_mem(g, 7, d);
		if (rn(g, 2))
			emit(g, 0x66);
		emit(g, 0x0f), emit(g, 0xf7);
		emit(g, (uint8_t)(0xc0 | rn(g, 64)));
		return;
	case 0: case 1:		/* fxsave [x]; fxrstor [x] (maybe after changes) */
		/* bytes 288-511 (XMM8-15 in 64-bit mode) beyond the buffer */
		d = (int32_t)(DATA_SIZE - DATA_BIAS - 288 + rn(g, 256));
		if (rn(g, 16))
			d &= ~15;
		emit(g, 0x0f), emit(g, 0xae), modrm_mem(g, 0, d);
		forbid(g, d, 6, 24);			/* FOP..FDS */
		forbid(g, d, 28, 32);			/* MXCSR_MASK */
		if (rn(g, 2))
			gen_x87_reg(g);
		emit(g, 0x0f), emit(g, 0xae), modrm_mem(g, 1, d);
		return;
	case 2:			/* ldmxcsr, mostly valid */
		d = mem_disp(g, 4, false);
		if (rn(g, 5)) {
			uint32_t v = rnd(g) & 0xffff;
			int32_t o = (int32_t)DATA_BIAS + d;

			memcpy(g->q->data + o, &v, 4);
		}
		emit(g, 0x0f), emit(g, 0xae), modrm_mem(g, 2, d);
		return;
	case 3:
		d = mem_disp(g, 4, false);
		emit(g, 0x0f), emit(g, 0xae), modrm_mem(g, 3, d);
		return;
	case 4:
		emit(g, 0x0f), emit(g, 0xae), emit(g, (uint8_t)(0xe8 + 8 * rn(g, 3)));
		return;
	default:
		emit(g, 0x0f), emit(g, 0x77);		/* emms */
		return;
	}
}

static void gen_one(struct gen *g)
{
	unsigned int r = rn(g, 24);

	if (r < 9)
		gen_x87(g);
	else if (r < 18)
		gen_sse(g);
	else if (r < 22)
		gen_sse4(g);
	else
		gen_ctl(g);
}

#endif
