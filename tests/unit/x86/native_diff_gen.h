/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * native_diff_gen.h --- instruction sequence generator of test_native_diff
 *
 * Included once by test_native_diff.c and test_bt_diff.c (struct seq,
 * REGION, DATA, ...).
 * Random user-level instructions (ALU, shifts/rotates, MUL/DIV with #DE
 * fault points, REP string instructions, BCD, bit operations,
 * CMOV/SETcc/Jcc, atomics, PUSH/POP, LOOP, ...) with random registers,
 * flags and data; for each sequence the flags the SDM leaves undefined at
 * its end and before each possible #DE.  Deterministic in the seed.
 */
#ifndef DUALVM_TESTS_NATIVE_DIFF_GEN_H
#define DUALVM_TESTS_NATIVE_DIFF_GEN_H

struct gen {
	uint64_t	s;		/* xorshift state */
	uint8_t		*p;		/* output */
	struct seq	*seq;		/* sequence being generated */
	uint32_t	undef;		/* currently undefined flags */
	int		depth;		/* pushes outstanding */
};

static uint32_t rnd(struct gen *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return (uint32_t)(g->s >> 16);
}

static uint32_t rn(struct gen *g, uint32_t n)
{
	return rnd(g) % n;
}

static void emit(struct gen *g, unsigned int n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n--)
		*g->p++ = (uint8_t)va_arg(ap, int);
	va_end(ap);
}

static void emit32(struct gen *g, uint32_t v)
{
	memcpy(g->p, &v, 4);
	g->p += 4;
}

static void emit_imm(struct gen *g, unsigned int size, uint32_t v)
{
	memcpy(g->p, &v, size);
	g->p += size;
}

/* writable destination registers: never EBX (data pointer) or ESP */
static unsigned int dst_reg(struct gen *g, unsigned int size)
{
	static const uint8_t r8[] = { 0, 1, 2, 4, 5, 6 };	/* AL CL DL AH CH DH */
	static const uint8_t r32[] = { 0, 1, 2, 5, 6, 7 };

	return size == 1 ? r8[rn(g, 6)] : r32[rn(g, 6)];
}

static unsigned int src_reg(struct gen *g, unsigned int size)
{
	return size == 1 ? dst_reg(g, 1) : rn(g, 8);
}

static unsigned int rnd_size(struct gen *g)
{
	static const uint8_t s[] = { 1, 2, 4, 4 };

	return s[rn(g, 4)];
}

/* opsize prefix; returns opcode low bit (0 for byte) */
static unsigned int size_prefix(struct gen *g, unsigned int size)
{
	if (size == 2)
		emit(g, 1, 0x66);
	return size != 1;
}

/* ModRM for /reg with r/m = register @rm or memory [ebx+disp8] */
static void modrm(struct gen *g, unsigned int reg, bool mem, unsigned int rm,
		  unsigned int size)
{
	if (mem) {
		int d = (int)rn(g, 256 - 8) - 124;

		emit(g, 2, 0x43 | (reg << 3), d & 0xff);
	} else {
		emit(g, 1, 0xc0 | (reg << 3) | rm);
	}
	(void)size;
}

/* make the flags in @need defined before an instruction reads them */
static void define_flags(struct gen *g, uint32_t need)
{
	if (!(g->undef & need))
		return;
	emit(g, 2, 0x39, 0xc0 | (rn(g, 8) << 3) | rn(g, 8));	/* cmp r, r */
	g->undef = 0;
}

static void fx(struct gen *g, uint32_t def, uint32_t undef)
{
	g->undef = (g->undef & ~def) | undef;
}

static void gen_alu(struct gen *g)
{
	unsigned int size = rnd_size(g), op = rn(g, 8), w, form = rn(g, 5);
	bool mem = rn(g, 3) == 0;

	if (op == 2 || op == 3)
		define_flags(g, F_CF);
	w = size_prefix(g, size);
	switch (form) {
	case 0:		/* r/m, reg */
		emit(g, 1, (op << 3) | w);
		modrm(g, src_reg(g, size), mem, dst_reg(g, size), size);
		break;
	case 1:		/* reg, r/m */
		emit(g, 1, (op << 3) | 2 | w);
		modrm(g, dst_reg(g, size), mem, src_reg(g, size), size);
		break;
	case 2:		/* accumulator, imm */
		emit(g, 1, (op << 3) | 4 | w);
		emit_imm(g, size, rnd(g));
		break;
	case 3:		/* grp1 r/m, imm */
		emit(g, 1, 0x80 | w);
		modrm(g, op, mem, dst_reg(g, size), size);
		emit_imm(g, size, rnd(g));
		break;
	default:	/* 83: sign-extended imm8 */
		if (size == 1)
			size = 4, w = 1;
		emit(g, 1, 0x83);
		modrm(g, op, mem, dst_reg(g, size), size);
		emit(g, 1, rnd(g) & 0xff);
		break;
	}
	if (op == 1 || op == 4 || op == 6)
		fx(g, F_ALL & ~F_AF, F_AF);
	else
		fx(g, F_ALL, 0);
}

static void gen_unary(struct gen *g)
{
	unsigned int size = rnd_size(g), w, k = rn(g, 5);
	bool mem = rn(g, 3) == 0;

	if (k == 4 && size != 1) {		/* inc/dec r32 short form */
		if (size == 2)
			emit(g, 1, 0x66);
		emit(g, 1, 0x40 + rn(g, 2) * 8 + dst_reg(g, 4));
		fx(g, F_ALL & ~F_CF, 0);
		return;
	}
	w = size_prefix(g, size);
	switch (k & 3) {
	case 0:		/* TEST r/m, imm */
		emit(g, 1, 0xf6 | w);
		modrm(g, 0, mem, src_reg(g, size), size);
		emit_imm(g, size, rnd(g));
		fx(g, F_ALL & ~F_AF, F_AF);
		return;
	case 1:		/* NOT / NEG */
		emit(g, 1, 0xf6 | w);
		k = 2 + rn(g, 2);
		modrm(g, k, mem, dst_reg(g, size), size);
		if (k == 3)
			fx(g, F_ALL, 0);
		return;
	default:	/* INC / DEC r/m */
		emit(g, 1, 0xfe | w);
		modrm(g, rn(g, 2), mem, dst_reg(g, size), size);
		fx(g, F_ALL & ~F_CF, 0);
		return;
	}
}

static void gen_shift(struct gen *g)
{
	unsigned int size = rnd_size(g), op = rn(g, 8), form = rn(g, 3), w;
	unsigned int count, bits = size * 8;
	bool mem = rn(g, 3) == 0;
	uint32_t def = 0, undef = 0;

	if (op == 2 || op == 3)
		define_flags(g, F_CF);
	count = rn(g, 4) == 0 ? rn(g, 32) : 1 + rn(g, bits);
	if (form == 2)
		emit(g, 2, 0xb1, count);		/* mov cl, count */
	w = size_prefix(g, size);
	if (form == 0) {
		count = 1;
		emit(g, 1, 0xd0 | w);
		modrm(g, op, mem, dst_reg(g, size), size);
	} else if (form == 1) {
		emit(g, 1, 0xc0 | w);
		modrm(g, op, mem, dst_reg(g, size), size);
		emit(g, 1, count);
	} else {
		emit(g, 1, 0xd2 | w);
		modrm(g, op, mem, dst_reg(g, size), size);
	}
	count &= 31;
	if (!count)
		return;
	if (op < 4) {		/* rotates: CF, OF if count 1 */
		def = F_CF;
		if (count == 1)
			def |= F_OF;
		else
			undef = F_OF;
	} else {
		def = F_CF | F_SF | F_ZF | F_PF;
		undef = F_AF;
		if (count == 1)
			def |= F_OF;
		else
			undef |= F_OF;
		if (count > bits)
			undef |= F_CF;
	}
	fx(g, def, undef);
}

/* the next instruction may raise #DE: remember the flag state there */
static void fault_point(struct gen *g)
{
	struct seq *s = g->seq;

	if (s->nfp < 16) {
		s->fp_off[s->nfp] = (uint16_t)(g->p - s->code);
		s->fp_undef[s->nfp++] = (uint16_t)g->undef;
	}
}

static void gen_muldiv(struct gen *g)
{
	unsigned int size = rnd_size(g), k = rn(g, 6), w;
	bool mem = rn(g, 3) == 0;

	if (k >= 4 && size != 1) {	/* imul r, r/m (, imm) */
		unsigned int v = k == 4 ? 0 : rn(g, 2);

		size_prefix(g, size);
		if (k == 4)
			emit(g, 2, 0x0f, 0xaf);
		else
			emit(g, 1, v ? 0x6b : 0x69);
		modrm(g, dst_reg(g, size), mem, src_reg(g, size), size);
		if (k == 5)
			emit_imm(g, v ? 1 : size, rnd(g));
		fx(g, F_CF | F_OF, F_SF | F_ZF | F_AF | F_PF);
		return;
	}
	k &= 3;
	fault_point(g);
	w = size_prefix(g, size);
	emit(g, 1, 0xf6 | w);
	/* divisor: any register (#DE often) or memory */
	modrm(g, 4 + k, mem, src_reg(g, size), size);
	if (k < 2)
		fx(g, F_CF | F_OF, F_SF | F_ZF | F_AF | F_PF);
	else
		fx(g, 0, F_ALL);
}

static void gen_string(struct gen *g)
{
	static const uint8_t ops[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
	unsigned int size = rnd_size(g), op = ops[rn(g, 5)], rep = rn(g, 3);

	emit(g, 1, 0xbe);			/* mov esi, buf + x */
	emit32(g, REGION + DATA + 256 + rn(g, 512));
	emit(g, 1, 0xbf);			/* mov edi, buf + y */
	emit32(g, REGION + DATA + 256 + rn(g, 512));
	emit(g, 1, 0xb9);			/* mov ecx, n */
	emit32(g, rn(g, 17));
	emit(g, 1, rn(g, 2) ? 0xfc : 0xfd);	/* cld / std */
	if (rep == 1)
		emit(g, 1, 0xf3);
	else if (rep == 2)
		emit(g, 1, 0xf2);
	size_prefix(g, size);
	emit(g, 1, op | (size != 1));
	emit(g, 1, 0xfc);			/* cld */
	if (op == 0xa6 || op == 0xae)
		fx(g, rep ? 0 : F_ALL, 0);	/* REP with ECX=0 changes none */
}

static void gen_bcd(struct gen *g)
{
	switch (rn(g, 6)) {
	case 0:
	case 1:
		define_flags(g, F_CF | F_AF);
		emit(g, 1, rn(g, 2) ? 0x27 : 0x2f);	/* daa / das */
		fx(g, F_CF | F_AF | F_SF | F_ZF | F_PF, F_OF);
		return;
	case 2:
	case 3:
		define_flags(g, F_AF);
		emit(g, 1, rn(g, 2) ? 0x37 : 0x3f);	/* aaa / aas */
		fx(g, F_CF | F_AF, F_OF | F_SF | F_ZF | F_PF);
		return;
	default:
		fault_point(g);
		emit(g, 2, rn(g, 2) ? 0xd4 : 0xd5,	/* aam / aad */
		     rn(g, 4) ? rnd(g) & 0xff : rn(g, 2) * 10);
		fx(g, F_SF | F_ZF | F_PF, F_OF | F_AF | F_CF);
		return;
	}
}

static void gen_bitops(struct gen *g)
{
	unsigned int size = rn(g, 2) ? 4 : 2, k = rn(g, 5);
	bool mem = rn(g, 2) == 0;

	switch (k) {
	case 0:		/* bt/bts/btr/btc r/m, reg */
	case 1: {
		unsigned int r = dst_reg(g, 4);

		if (mem) {	/* bit offset within +-64 bits */
			emit(g, 1, 0xb8 + r);
			emit32(g, (uint32_t)((int)rn(g, 128) - 64));
		}
		size_prefix(g, size);
		emit(g, 2, 0x0f, 0xa3 + rn(g, 4) * 8);
		if (mem)
			emit(g, 2, 0x43 | (r << 3), (rn(g, 64) + 32) & 0xff);
		else
			emit(g, 1, 0xc0 | (r << 3) | dst_reg(g, 4));
		fx(g, F_CF, F_OF | F_SF | F_AF | F_PF);
		return;
	}
	case 2:		/* bt* r/m, imm8 */
		size_prefix(g, size);
		emit(g, 2, 0x0f, 0xba);
		modrm(g, 4 + rn(g, 4), mem, dst_reg(g, size), size);
		emit(g, 1, rnd(g) & 0xff);
		fx(g, F_CF, F_OF | F_SF | F_AF | F_PF);
		return;
	case 3:		/* bsf / bsr */
		size_prefix(g, size);
		emit(g, 2, 0x0f, 0xbc + rn(g, 2));
		modrm(g, dst_reg(g, size), mem, src_reg(g, size), size);
		fx(g, F_ZF, F_CF | F_OF | F_SF | F_AF | F_PF);
		return;
	default:	/* shld / shrd */
		{
			unsigned int cl = rn(g, 2), cnt = rn(g, size == 2 ? 16 : 32);

			if (cl)
				emit(g, 2, 0xb1, cnt);
			size_prefix(g, size);
			emit(g, 2, 0x0f, 0xa4 + rn(g, 2) * 8 + cl);
			modrm(g, src_reg(g, size), mem, dst_reg(g, size), size);
			if (!cl)
				emit(g, 1, cnt);
			if (cnt)
				fx(g, F_CF | F_SF | F_ZF | F_PF | (cnt == 1 ? F_OF : 0),
				   F_AF | (cnt == 1 ? 0 : F_OF));
		}
		return;
	}
}

static const uint32_t cc_reads[8] = {
	F_OF, F_CF, F_ZF, F_CF | F_ZF, F_SF, F_PF, F_SF | F_OF, F_ZF | F_SF | F_OF,
};

static void gen_one(struct gen *g);

static void gen_cond(struct gen *g)
{
	unsigned int cc = rn(g, 16), size = rn(g, 2) ? 4 : 2;
	bool mem = rn(g, 3) == 0;

	define_flags(g, cc_reads[cc >> 1]);
	switch (rn(g, 3)) {
	case 0:		/* cmovcc */
		size_prefix(g, size);
		emit(g, 2, 0x0f, 0x40 + cc);
		modrm(g, dst_reg(g, size), mem, src_reg(g, size), size);
		return;
	case 1:		/* setcc */
		emit(g, 2, 0x0f, 0x90 + cc);
		modrm(g, 0, mem, dst_reg(g, 1), 1);
		return;
	default: {	/* jcc over the next instruction */
		uint8_t *j = g->p;
		uint32_t before = g->undef;

		emit(g, 2, 0x70 + cc, 0);
		gen_one(g);
		j[1] = (uint8_t)(g->p - j - 2);
		g->undef |= before;
		return;
	}
	}
}

static void gen_atomic(struct gen *g)
{
	unsigned int size = rnd_size(g), w;
	bool mem = rn(g, 2) == 0;

	switch (rn(g, 5)) {
	case 0:		/* cmpxchg */
		w = size_prefix(g, size);
		emit(g, 2, 0x0f, 0xb0 | w);
		modrm(g, src_reg(g, size), mem, dst_reg(g, size), size);
		fx(g, F_ALL, 0);
		return;
	case 1:		/* xadd */
		w = size_prefix(g, size);
		emit(g, 2, 0x0f, 0xc0 | w);
		modrm(g, dst_reg(g, size), mem, dst_reg(g, size), size);
		fx(g, F_ALL, 0);
		return;
	case 2:		/* xchg */
		w = size_prefix(g, size);
		emit(g, 1, 0x86 | w);
		modrm(g, dst_reg(g, size), mem, dst_reg(g, size), size);
		return;
	case 3:		/* cmpxchg8b [ebx+d] */
		emit(g, 2, 0x0f, 0xc7);
		modrm(g, 1, true, 0, 8);
		fx(g, F_ZF, 0);
		return;
	default:	/* bswap */
		emit(g, 2, 0x0f, 0xc8 + dst_reg(g, 4));
		return;
	}
}

static void gen_misc(struct gen *g)
{
	unsigned int size = rn(g, 2) ? 4 : 2;
	bool mem = rn(g, 3) == 0;

	switch (rn(g, 12)) {
	case 0:		/* movzx / movsx */
		size_prefix(g, size);
		emit(g, 2, 0x0f, 0xb6 + rn(g, 2) + 8 * rn(g, 2));
		modrm(g, dst_reg(g, size), mem, src_reg(g, 1), 1);
		return;
	case 1:		/* lea r, [reg + reg*s + disp] */
		size_prefix(g, size);
		emit(g, 3, 0x8d, 0x84 | (dst_reg(g, 4) << 3),
		     (rn(g, 4) << 6) | (rn(g, 8) << 3) | rn(g, 8));
		if (((g->p[-1]) & 7) == 5)
			g->p[-2] = (uint8_t)(g->p[-2] & ~0xc0) | 0x80;
		emit32(g, rnd(g));
		return;
	case 2:		/* cbw/cwde/cwd/cdq */
		size_prefix(g, size);
		emit(g, 1, 0x98 + rn(g, 2));
		return;
	case 3:
		define_flags(g, F_ALL & ~F_OF);
		emit(g, 1, 0x9f);			/* lahf */
		return;
	case 4:
		emit(g, 1, 0x9e);			/* sahf */
		fx(g, F_ALL & ~F_OF, 0);
		return;
	case 5:
		define_flags(g, F_CF);
		emit(g, 1, 0xf8 + rn(g, 2) * 1 + (rn(g, 2) ? 0 : 0));	/* clc/stc */
		if (rn(g, 2))
			emit(g, 1, 0xf5);		/* cmc */
		fx(g, F_CF, 0);
		return;
	case 6:		/* push r / imm / mem */
		if (g->depth >= 8)
			return;
		g->depth++;
		switch (rn(g, 3)) {
		case 0: emit(g, 1, 0x50 + rn(g, 8)); return;
		case 1: emit(g, 2, 0x6a, rnd(g) & 0xff); return;
		default: emit(g, 3, 0xff, 0x73, (rn(g, 64) + 32) & 0xff); return;
		}
	case 7:		/* pop r */
		if (!g->depth)
			return;
		g->depth--;
		emit(g, 1, 0x58 + dst_reg(g, 4));
		return;
	case 8:		/* mov r, imm / mov r/m, r / mov r, r/m */
		size = rnd_size(g);
		{
			unsigned int w = size_prefix(g, size);

			if (rn(g, 2)) {
				emit(g, 1, 0x88 | w);
				modrm(g, src_reg(g, size), mem, dst_reg(g, size), size);
			} else {
				emit(g, 1, 0x8a | w);
				modrm(g, dst_reg(g, size), mem, src_reg(g, size), size);
			}
		}
		return;
	case 9:		/* xlat */
		emit(g, 1, 0xd7);
		return;
	case 10:	/* loop with a counted body */
		{
			unsigned int n = 1 + rn(g, 5);

			emit(g, 1, 0xb9);
			emit32(g, n);
			unsigned int r = dst_reg(g, 4);

			if (r == 1)		/* not ECX: the counter */
				r = 0;
			emit(g, 2, 0x40 + r, 0xe2);
			emit(g, 1, 0xfd);		/* loop back to inc */
			fx(g, F_ALL & ~F_CF, 0);
		}
		return;
	default:	/* pusha + popa */
		emit(g, 2, 0x60, 0x61);
		return;
	}
}

static void gen_one(struct gen *g)
{
	switch (rn(g, 10)) {
	case 0: case 1: gen_alu(g); break;
	case 2: gen_unary(g); break;
	case 3: gen_shift(g); break;
	case 4: gen_muldiv(g); break;
	case 5: gen_string(g); break;
	case 6: gen_bcd(g); break;
	case 7: gen_bitops(g); break;
	case 8: gen_cond(g); break;
	default:
		if (rn(g, 2))
			gen_atomic(g);
		else
			gen_misc(g);
		break;
	}
}

static void gen_seq(uint64_t seed, struct seq *s)
{
	struct gen g = { .s = seed * 0x9e3779b97f4a7c15ull + 1, .p = s->code,
			 .seq = s };
	unsigned int i, n;

	s->nfp = 0;
	for (i = 0; i < 20; i++)
		rnd(&g);
	for (i = 0; i < NREGS; i++)
		s->regs[i] = rn(&g, 4) ? rnd(&g) : rn(&g, 4) ? rn(&g, 256) : 0;
	s->regs[3] = REGION + DATA + 512;		/* EBX: data pointer */
	s->regs[4] = REGION + STACK_TOP - 64;		/* ESP */
	s->flags = 0x202 | (rnd(&g) & F_ALL);
	for (i = 0; i < DATA_SIZE; i++)
		s->data[i] = (uint8_t)rnd(&g);
	n = 1 + rn(&g, 10);
	for (i = 0; i < n && g.p - s->code < 200; i++)
		gen_one(&g);
	s->len = (uint16_t)(g.p - s->code);
	s->ninsn = (uint16_t)n;
	s->undef = g.undef;
}

#endif
