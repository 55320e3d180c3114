/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * native_diff_gen64.h --- 64-bit instruction sequence generator of
 * test_native_diff64
 *
 * Included once by test_native_diff64.c (struct seq, REGION, DATA, ...).
 * Random user-level instructions with REX prefixes and 8/16/32/64-bit
 * operands on all sixteen registers (ALU, shifts/rotates, MUL/DIV with #DE
 * fault points, REP string instructions with 64- and 32-bit addresses,
 * bit operations, POPCNT, CRC32, CMOVcc/SETcc/Jcc, CMPXCHG/CMPXCHG16B/
 * XADD/XCHG/BSWAP, MOVSXD, MOVZX/MOVSX, LEA, CDQE/CQO, MOV r64, imm64,
 * moffs64, PUSH/POP, LOOP, LAHF/SAHF) with [RBX+disp8] and RIP-relative
 * memory operands into the data buffer; for each sequence the flags the SDM
 * leaves undefined at its end and before each possible #DE.  Deterministic
 * in the seed.
 */
#ifndef DUALVM_TESTS_NATIVE_DIFF_GEN64_H
#define DUALVM_TESTS_NATIVE_DIFF_GEN64_H

struct gen {
	uint64_t	s;		/* xorshift state */
	uint8_t		*p;		/* output */
	struct seq	*seq;		/* sequence being generated */
	uint32_t	undef;		/* currently undefined flags */
	int		depth;		/* pushes outstanding */
};

/* one instruction being put together */
struct ib {
	uint8_t		pfx[3];		/* legacy prefixes (66, 67, F2, F3) */
	unsigned int	npfx;
	bool		w, rex;		/* REX.W; emit REX even if 40h */
	uint8_t		op[3];		/* opcode bytes */
	unsigned int	nop;
	bool		modrm;		/* has a ModRM operand */
	unsigned int	reg;		/* ModRM.reg (register 0-15 or /digit) */
	unsigned int	mem;		/* 0 register rm, 1 [rbx+d8], 2 [rip+d32] */
	unsigned int	rm;		/* register operand 0-15 */
	int		disp;		/* [rbx+disp8] / data offset of [rip] */
	uint64_t	imm;		/* immediate */
	unsigned int	immlen;		/* bytes */
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

static uint64_t rnd64(struct gen *g)
{
	return (uint64_t)rnd(g) << 32 | rnd(g);
}

static void emit(struct gen *g, unsigned int n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n--)
		*g->p++ = (uint8_t)va_arg(ap, int);
	va_end(ap);
}

static void emit_imm(struct gen *g, unsigned int size, uint64_t v)
{
	memcpy(g->p, &v, size);
	g->p += size;
}

/* write @b: prefixes, REX, opcode, ModRM/SIB/displacement, immediate */
static void ib_emit(struct gen *g, const struct ib *b)
{
	unsigned int rex = (b->w ? 8 : 0) | ((b->reg >> 3) & 1) << 2;
	uint8_t *disp32 = NULL;
	unsigned int i;

	if (b->modrm && b->mem == 0)
		rex |= (b->rm >> 3) & 1;
	for (i = 0; i < b->npfx; i++)
		emit(g, 1, b->pfx[i]);
	if (rex || b->rex)
		emit(g, 1, 0x40 | rex);
	for (i = 0; i < b->nop; i++)
		emit(g, 1, b->op[i]);
	if (b->modrm) {
		if (b->mem == 0) {
			emit(g, 1, 0xc0 | (b->reg & 7) << 3 | (b->rm & 7));
		} else if (b->mem == 1) {
			emit(g, 2, 0x43 | (b->reg & 7) << 3, b->disp & 0xff);
		} else {
			emit(g, 1, 0x05 | (b->reg & 7) << 3);
			disp32 = g->p;
			g->p += 4;
		}
	}
	emit_imm(g, b->immlen, b->imm);
	if (disp32) {		/* RIP-relative: the data buffer offset */
		int64_t target = (int64_t)(REGION + DATA) + b->disp;
		int64_t next = (int64_t)(REGION + CODE) + (g->p - g->seq->code);
		int32_t d = (int32_t)(target - next);

		memcpy(disp32, &d, 4);
	}
}

static void ib_init(struct ib *b, unsigned int size)
{
	memset(b, 0, sizeof(*b));
	if (size == 2)
		b->pfx[b->npfx++] = 0x66;
	b->w = size == 8;
}

static void ib_op(struct ib *b, unsigned int n, uint8_t o0, uint8_t o1,
		  uint8_t o2)
{
	b->nop = n;
	b->op[0] = o0;
	b->op[1] = o1;
	b->op[2] = o2;
}

/*
 * Registers.  RBX is the data pointer and RSP the stack: never written.
 * Byte registers: without REX 4-7 are AH, CH, DH, BH (BH never written);
 * with REX they are SPL, BPL, SIL, DIL (SPL never written) and 8-15 exist.
 */
static unsigned int dst_reg(struct gen *g, unsigned int size, bool rex)
{
	static const uint8_t r8[] = { 0, 1, 2, 4, 5, 6 };
	static const uint8_t r64[] = { 0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13,
				       14, 15 };

	if (size == 1 && !rex)
		return r8[rn(g, 6)];
	return r64[rn(g, 14)];
}

static unsigned int src_reg(struct gen *g, unsigned int size, bool rex)
{
	if (size == 1 && !rex)
		return rn(g, 8);
	return rn(g, 16);
}

static unsigned int rnd_size(struct gen *g)
{
	static const uint8_t s[] = { 1, 2, 4, 8, 8, 4 };

	return s[rn(g, 6)];
}

/* a memory operand (@mem 1 or 2) of @size bytes in the data buffer, or a
 * register; @b->rex decided for byte registers */
static void operand(struct gen *g, struct ib *b, unsigned int size,
		    bool dst_rm)
{
	unsigned int k = rn(g, 6);

	b->modrm = true;
	b->mem = k == 0 ? 1 : k == 1 ? 2 : 0;
	if (size == 1)
		b->rex = rn(g, 2);
	if (b->mem == 1)
		b->disp = (int)rn(g, 256 - 16) - 120;
	else if (b->mem == 2)
		b->disp = (int)rn(g, DATA_SIZE - 16);
	else
		b->rm = dst_rm ? dst_reg(g, size, b->rex) : src_reg(g, size, b->rex);
}

/* make the flags in @need defined before an instruction reads them */
static void define_flags(struct gen *g, uint32_t need)
{
	if (!(g->undef & need))
		return;
	emit(g, 3, 0x48, 0x39, 0xc0 | (rn(g, 8) << 3) | rn(g, 8));	/* cmp */
	g->undef = 0;
}

static void fx(struct gen *g, uint32_t def, uint32_t undef)
{
	g->undef = (g->undef & ~def) | undef;
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

static void imm_for(struct gen *g, struct ib *b, unsigned int size)
{
	b->immlen = size == 8 ? 4 : size;
	b->imm = rnd(g);
	if (rn(g, 4) == 0)
		b->imm = (uint32_t)(int32_t)(int8_t)rnd(g);	/* small / negative */
}

static void gen_alu(struct gen *g)
{
	unsigned int size = rnd_size(g), op = rn(g, 8), w = size != 1, form = rn(g, 5);
	struct ib b;

	if (op == 2 || op == 3)
		define_flags(g, F_CF);
	ib_init(&b, size);
	switch (form) {
	case 0:		/* r/m, reg */
		ib_op(&b, 1, (uint8_t)(op << 3 | w), 0, 0);
		operand(g, &b, size, true);
		b.reg = src_reg(g, size, b.rex);
		break;
	case 1:		/* reg, r/m */
		ib_op(&b, 1, (uint8_t)(op << 3 | 2 | w), 0, 0);
		operand(g, &b, size, false);
		b.reg = dst_reg(g, size, b.rex);
		break;
	case 2:		/* accumulator, imm */
		ib_op(&b, 1, (uint8_t)(op << 3 | 4 | w), 0, 0);
		imm_for(g, &b, size);
		break;
	case 3:		/* grp1 r/m, imm */
		ib_op(&b, 1, (uint8_t)(0x80 | w), 0, 0);
		operand(g, &b, size, true);
		b.reg = op;
		imm_for(g, &b, size);
		break;
	default:	/* 83: sign-extended imm8 */
		if (size == 1) {
			size = 8;
			ib_init(&b, 8);
		}
		ib_op(&b, 1, 0x83, 0, 0);
		operand(g, &b, size, true);
		b.reg = op;
		b.immlen = 1;
		b.imm = rnd(g) & 0xff;
		break;
	}
	ib_emit(g, &b);
	if (op == 1 || op == 4 || op == 6)
		fx(g, F_ALL & ~F_AF, F_AF);
	else
		fx(g, F_ALL, 0);
}

static void gen_unary(struct gen *g)
{
	unsigned int size = rnd_size(g), w = size != 1, k = rn(g, 4);
	struct ib b;

	ib_init(&b, size);
	ib_op(&b, 1, (uint8_t)((k == 0 || k == 1 ? 0xf6 : 0xfe) | w), 0, 0);
	operand(g, &b, size, k != 0);
	switch (k) {
	case 0:		/* TEST r/m, imm */
		b.reg = 0;
		imm_for(g, &b, size);
		fx(g, F_ALL & ~F_AF, F_AF);
		break;
	case 1:		/* NOT / NEG */
		b.reg = 2 + rn(g, 2);
		if (b.reg == 3)
			fx(g, F_ALL, 0);
		break;
	default:	/* INC / DEC r/m */
		b.reg = rn(g, 2);
		fx(g, F_ALL & ~F_CF, 0);
		break;
	}
	ib_emit(g, &b);
}

static void gen_shift(struct gen *g)
{
	unsigned int size = rnd_size(g), op = rn(g, 8), form = rn(g, 3), w = size != 1;
	unsigned int count, bits = size * 8, cm = size == 8 ? 63 : 31;
	uint32_t def = 0, undef = 0;
	struct ib b;

	if (op == 2 || op == 3)
		define_flags(g, F_CF);
	count = rn(g, 4) == 0 ? rn(g, 64) : 1 + rn(g, bits);
	if (form == 2)
		emit(g, 2, 0xb1, count);		/* mov cl, count */
	ib_init(&b, size);
	if (form == 0) {
		count = 1;
		ib_op(&b, 1, (uint8_t)(0xd0 | w), 0, 0);
	} else if (form == 1) {
		ib_op(&b, 1, (uint8_t)(0xc0 | w), 0, 0);
		b.immlen = 1;
		b.imm = count;
	} else {
		ib_op(&b, 1, (uint8_t)(0xd2 | w), 0, 0);
	}
	operand(g, &b, size, true);
	b.reg = op;
	ib_emit(g, &b);
	count &= cm;
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

static void gen_muldiv(struct gen *g)
{
	unsigned int size = rnd_size(g), k = rn(g, 6), w = size != 1;
	struct ib b;

	ib_init(&b, size);
	if (k >= 4 && size != 1) {	/* imul r, r/m (, imm) */
		unsigned int v = rn(g, 2);

		if (k == 4)
			ib_op(&b, 2, 0x0f, 0xaf, 0);
		else
			ib_op(&b, 1, v ? 0x6b : 0x69, 0, 0);
		operand(g, &b, size, false);
		b.reg = dst_reg(g, size, b.rex);
		if (k == 5) {
			b.immlen = v ? 1 : (size == 2 ? 2 : 4);
			b.imm = rnd(g);
		}
		ib_emit(g, &b);
		fx(g, F_CF | F_OF, F_SF | F_ZF | F_AF | F_PF);
		return;
	}
	k &= 3;
	fault_point(g);
	ib_op(&b, 1, (uint8_t)(0xf6 | w), 0, 0);
	operand(g, &b, size, false);	/* divisor: often #DE */
	b.reg = 4 + k;
	ib_emit(g, &b);
	if (k < 2)
		fx(g, F_CF | F_OF, F_SF | F_ZF | F_AF | F_PF);
	else
		fx(g, 0, F_ALL);
}

static void gen_string(struct gen *g)
{
	static const uint8_t ops[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
	unsigned int size = rnd_size(g), op = ops[rn(g, 5)], rep = rn(g, 3);
	bool a32 = rn(g, 4) == 0;

	emit(g, 1, 0xbe);			/* mov esi, buf + x */
	emit_imm(g, 4, REGION + DATA + 256 + rn(g, 512 - 16 * 8));
	emit(g, 1, 0xbf);			/* mov edi, buf + y */
	emit_imm(g, 4, REGION + DATA + 256 + rn(g, 512 - 16 * 8));
	emit(g, 1, 0xb9);			/* mov ecx, n */
	emit_imm(g, 4, rn(g, 17));
	emit(g, 1, rn(g, 2) ? 0xfc : 0xfd);	/* cld / std */
	if (a32)
		emit(g, 1, 0x67);
	if (size == 2)
		emit(g, 1, 0x66);
	if (rep == 1)
		emit(g, 1, 0xf3);
	else if (rep == 2)
		emit(g, 1, 0xf2);
	if (size == 8)
		emit(g, 1, 0x48);
	emit(g, 1, op | (size != 1));
	emit(g, 1, 0xfc);			/* cld */
	if (op == 0xa6 || op == 0xae)
		fx(g, rep ? 0 : F_ALL, 0);	/* REP with RCX=0 changes none */
}

static void gen_bitops(struct gen *g)
{
	static const uint8_t sizes[] = { 2, 4, 8, 8 };
	unsigned int size = sizes[rn(g, 4)], k = rn(g, 6);
	struct ib b;

	ib_init(&b, size);
	switch (k) {
	case 0:		/* bt/bts/btr/btc r/m, reg */
	case 1: {
		unsigned int r = dst_reg(g, 8, true);

		operand(g, &b, size, true);
		if (b.mem) {	/* bit offset within +-64 bits */
			emit(g, 2, 0x48 | (r >> 3), 0xc7);	/* mov r64, simm32 */
			emit(g, 1, 0xc0 | (r & 7));
			emit_imm(g, 4, (uint32_t)((int)rn(g, 128) - 64));
			if (b.mem == 1)
				b.disp = (int)rn(g, 64) - 32;
			else
				b.disp = 512 + (int)rn(g, 64) - 32;
		}
		ib_op(&b, 2, 0x0f, (uint8_t)(0xa3 + rn(g, 4) * 8), 0);
		b.reg = r;
		ib_emit(g, &b);
		fx(g, F_CF, F_OF | F_SF | F_AF | F_PF);
		return;
	}
	case 2:		/* bt* r/m, imm8 */
		ib_op(&b, 2, 0x0f, 0xba, 0);
		operand(g, &b, size, true);
		b.reg = 4 + rn(g, 4);
		b.immlen = 1;
		b.imm = rnd(g) & 0xff;
		ib_emit(g, &b);
		fx(g, F_CF, F_OF | F_SF | F_AF | F_PF);
		return;
	case 3:		/* bsf / bsr */
		ib_op(&b, 2, 0x0f, (uint8_t)(0xbc + rn(g, 2)), 0);
		operand(g, &b, size, false);
		b.reg = dst_reg(g, size, b.rex);
		ib_emit(g, &b);
		fx(g, F_ZF, F_CF | F_OF | F_SF | F_AF | F_PF);
		return;
	case 4:		/* popcnt */
		b.pfx[b.npfx++] = 0xf3;
		ib_op(&b, 2, 0x0f, 0xb8, 0);
		operand(g, &b, size, false);
		b.reg = dst_reg(g, size, b.rex);
		ib_emit(g, &b);
		fx(g, F_ALL, 0);
		return;
	default: {	/* shld / shrd */
		unsigned int cl = rn(g, 2), cnt = rn(g, size == 2 ? 16 :
						  size == 4 ? 32 : 64);

		if (cl)
			emit(g, 2, 0xb1, cnt);
		ib_op(&b, 2, 0x0f, (uint8_t)(0xa4 + rn(g, 2) * 8 + cl), 0);
		operand(g, &b, size, true);
		b.reg = src_reg(g, size, b.rex);
		if (!cl) {
			b.immlen = 1;
			b.imm = cnt;
		}
		ib_emit(g, &b);
		if (cnt)
			fx(g, F_CF | F_SF | F_ZF | F_PF | (cnt == 1 ? F_OF : 0),
			   F_AF | (cnt == 1 ? 0 : F_OF));
		return;
	}
	}
}

static const uint32_t cc_reads[8] = {
	F_OF, F_CF, F_ZF, F_CF | F_ZF, F_SF, F_PF, F_SF | F_OF, F_ZF | F_SF | F_OF,
};

static void gen_one(struct gen *g);

static void gen_cond(struct gen *g)
{
	static const uint8_t sizes[] = { 2, 4, 8, 8 };
	unsigned int cc = rn(g, 16), size = sizes[rn(g, 4)];
	struct ib b;

	define_flags(g, cc_reads[cc >> 1]);
	switch (rn(g, 3)) {
	case 0:		/* cmovcc (32-bit: upper half cleared either way) */
		ib_init(&b, size);
		ib_op(&b, 2, 0x0f, (uint8_t)(0x40 + cc), 0);
		operand(g, &b, size, false);
		b.reg = dst_reg(g, size, b.rex);
		ib_emit(g, &b);
		return;
	case 1:		/* setcc */
		ib_init(&b, 1);
		ib_op(&b, 2, 0x0f, (uint8_t)(0x90 + cc), 0);
		operand(g, &b, 1, true);
		ib_emit(g, &b);
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
	unsigned int size = rnd_size(g), w = size != 1;
	struct ib b;

	ib_init(&b, size);
	switch (rn(g, 6)) {
	case 0:		/* cmpxchg */
		ib_op(&b, 2, 0x0f, (uint8_t)(0xb0 | w), 0);
		operand(g, &b, size, true);
		b.reg = src_reg(g, size, b.rex);
		ib_emit(g, &b);
		fx(g, F_ALL, 0);
		return;
	case 1:		/* xadd */
		ib_op(&b, 2, 0x0f, (uint8_t)(0xc0 | w), 0);
		operand(g, &b, size, true);
		b.reg = dst_reg(g, size, b.rex);
		ib_emit(g, &b);
		fx(g, F_ALL, 0);
		return;
	case 2:		/* xchg */
		ib_op(&b, 1, (uint8_t)(0x86 | w), 0, 0);
		operand(g, &b, size, true);
		b.reg = dst_reg(g, size, b.rex);
		ib_emit(g, &b);
		return;
	case 3:		/* cmpxchg8b / cmpxchg16b [rbx+d], 16-byte aligned */
		ib_init(&b, rn(g, 2) ? 8 : 4);
		ib_op(&b, 2, 0x0f, 0xc7, 0);
		b.modrm = true;
		b.mem = 1;
		b.reg = 1;
		b.disp = ((int)rn(g, 14) - 7) * 16;
		ib_emit(g, &b);
		fx(g, F_ZF, 0);
		return;
	case 4: {	/* xchg r, rax (90+r; REX.B for r8-r15) */
		unsigned int r = dst_reg(g, 8, true), rex;

		if (size == 1)
			size = 4;
		if (r == 0)
			r = 8;
		rex = (size == 8 ? 8 : 0) | (r >> 3);
		if (size == 2)
			emit(g, 1, 0x66);
		if (rex)
			emit(g, 1, 0x40 | rex);
		emit(g, 1, 0x90 | (r & 7));
		return;
	}
	default:	/* bswap r32 / r64 */
		if (size < 4)
			size = 8;
		{
			unsigned int r = dst_reg(g, 8, true);
			unsigned int rex = (size == 8 ? 8 : 0) | (r >> 3);

			if (rex)
				emit(g, 1, 0x40 | rex);
			emit(g, 2, 0x0f, 0xc8 + (r & 7));
		}
		return;
	}
}

static void gen_misc(struct gen *g)
{
	static const uint8_t sizes[] = { 2, 4, 8, 8 };
	unsigned int size = sizes[rn(g, 4)];
	struct ib b;

	ib_init(&b, size);
	switch (rn(g, 14)) {
	case 0:		/* movzx / movsx */
		ib_op(&b, 2, 0x0f, (uint8_t)(0xb6 + rn(g, 2) + 8 * rn(g, 2)), 0);
		operand(g, &b, (b.op[1] & 1) ? 2 : 1, false);
		b.reg = dst_reg(g, size, b.rex);
		ib_emit(g, &b);
		return;
	case 1:		/* movsxd */
		ib_init(&b, rn(g, 4) ? 8 : 4);
		ib_op(&b, 1, 0x63, 0, 0);
		operand(g, &b, 4, false);
		b.reg = dst_reg(g, 8, true);
		ib_emit(g, &b);
		return;
	case 2: {	/* lea r, [base + index*s + disp32] (67: 32-bit) */
		unsigned int base = rn(g, 16), index = rn(g, 16), r = dst_reg(g, size, true);
		unsigned int rex = (size == 8 ? 8 : 0) | (r >> 3) << 2 |
				   (index >> 3) << 1 | (base >> 3);

		if (rn(g, 4) == 0)
			emit(g, 1, 0x67);
		if (size == 2)
			emit(g, 1, 0x66);
		if (rex)
			emit(g, 1, 0x40 | rex);
		/* mod 10: disp32 with any base; index 4 without REX.X: none */
		emit(g, 3, 0x8d, 0x84 | (r & 7) << 3,
		     rn(g, 4) << 6 | (index & 7) << 3 | (base & 7));
		emit_imm(g, 4, rnd(g));
		return;
	}
	case 3:		/* lea r, [rip+d] */
		ib_op(&b, 1, 0x8d, 0, 0);
		b.modrm = true;
		b.mem = 2;
		b.disp = (int)rn(g, DATA_SIZE);
		b.reg = dst_reg(g, size, true);
		ib_emit(g, &b);
		return;
	case 4:		/* cbw/cwde/cdqe, cwd/cdq/cqo */
		ib_op(&b, 1, (uint8_t)(0x98 + rn(g, 2)), 0, 0);
		ib_emit(g, &b);
		return;
	case 5:
		if (rn(g, 2)) {
			define_flags(g, F_ALL & ~F_OF);
			emit(g, 1, 0x9f);		/* lahf */
		} else {
			emit(g, 1, 0x9e);		/* sahf */
			fx(g, F_ALL & ~F_OF, 0);
		}
		return;
	case 6:		/* push r / imm / mem */
		if (g->depth >= 8)
			return;
		g->depth++;
		switch (rn(g, 4)) {
		case 0: {
			unsigned int r = rn(g, 16);

			if (r >= 8)
				emit(g, 1, 0x41);
			emit(g, 1, 0x50 + (r & 7));
			return;
		}
		case 1: emit(g, 2, 0x6a, rnd(g) & 0xff); return;
		case 2: emit(g, 1, 0x68); emit_imm(g, 4, rnd(g)); return;
		default: emit(g, 3, 0xff, 0x73, (rn(g, 64) + 32) & 0xff); return;
		}
	case 7:		/* pop r */
		if (!g->depth)
			return;
		g->depth--;
		{
			unsigned int r = dst_reg(g, 8, true);

			if (r >= 8)
				emit(g, 1, 0x41);
			emit(g, 1, 0x58 + (r & 7));
		}
		return;
	case 8:		/* mov r, imm64 / imm32 (B8+r) */
		{
			unsigned int r = dst_reg(g, 8, true);
			unsigned int rex = (size == 8 ? 8 : 0) | (r >> 3);

			if (size == 2)
				emit(g, 1, 0x66);
			if (rex)
				emit(g, 1, 0x40 | rex);
			emit(g, 1, 0xb8 + (r & 7));
			emit_imm(g, size, rnd64(g));
		}
		return;
	case 9:		/* mov r/m, r / mov r, r/m / mov r/m, imm */
		size = rnd_size(g);
		ib_init(&b, size);
		switch (rn(g, 3)) {
		case 0:
			ib_op(&b, 1, (uint8_t)(0x88 | (size != 1)), 0, 0);
			operand(g, &b, size, true);
			b.reg = src_reg(g, size, b.rex);
			break;
		case 1:
			ib_op(&b, 1, (uint8_t)(0x8a | (size != 1)), 0, 0);
			operand(g, &b, size, false);
			b.reg = dst_reg(g, size, b.rex);
			break;
		default:
			ib_op(&b, 1, (uint8_t)(0xc6 | (size != 1)), 0, 0);
			operand(g, &b, size, true);
			imm_for(g, &b, size);
			break;
		}
		ib_emit(g, &b);
		return;
	case 10:	/* mov rax, [moffs64] / mov [moffs64], rax */
		size = rnd_size(g);
		if (size == 2)
			emit(g, 1, 0x66);
		if (size == 8)
			emit(g, 1, 0x48);
		emit(g, 1, (rn(g, 2) ? 0xa0 : 0xa2) | (size != 1));
		emit_imm(g, 8, REGION + DATA + rn(g, DATA_SIZE - 8));
		return;
	case 11:	/* loop with a counted body */
		{
			unsigned int n = 1 + rn(g, 5), r = dst_reg(g, 8, true);

			if (r == 1)		/* not RCX: the counter */
				r = 0;
			emit(g, 1, 0xb9);
			emit_imm(g, 4, n);
			emit(g, 3, 0x48 | (r >> 3), 0xff, 0xc0 | (r & 7));
			emit(g, 2, 0xe2, 0xfb);		/* loop back to inc */
			fx(g, F_ALL & ~F_CF, 0);
		}
		return;
	case 12:	/* crc32 r32/r64, r/m8/16/32/64 */
		size = rnd_size(g);
		ib_init(&b, size);
		b.pfx[b.npfx++] = 0xf2;
		ib_op(&b, 3, 0x0f, 0x38, (uint8_t)(0xf0 | (size != 1)));
		operand(g, &b, size, false);
		b.reg = dst_reg(g, 8, true);
		if (size == 1 && rn(g, 2))
			b.w = true;		/* crc32 r64, r/m8 */
		ib_emit(g, &b);
		return;
	default:	/* xlat */
		if (rn(g, 2))
			emit(g, 1, 0x48);
		emit(g, 1, 0xd7);
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
	case 6: gen_misc(g); break;
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
	struct gen g = { .s = seed * 0x9e3779b97f4a7c15ull + 3, .p = s->code,
			 .seq = s };
	unsigned int i, n;

	s->nfp = 0;
	for (i = 0; i < 20; i++)
		rnd(&g);
	for (i = 0; i < NREGS; i++)
		s->regs[i] = rn(&g, 4) ? rnd64(&g) : rn(&g, 4) ? rn(&g, 256) : 0;
	s->regs[3] = REGION + DATA + 512;		/* RBX: data pointer */
	s->regs[4] = REGION + STACK_TOP - 64;		/* RSP */
	s->flags = 0x202 | (rnd(&g) & F_ALL);
	for (i = 0; i < DATA_SIZE; i++)
		s->data[i] = (uint8_t)rnd(&g);
	n = 1 + rn(&g, 10);
	for (i = 0; i < n && g.p - s->code < 240; i++)
		gen_one(&g);
	s->len = (uint16_t)(g.p - s->code);
	s->ninsn = (uint16_t)n;
	s->undef = g.undef;
}

#endif
