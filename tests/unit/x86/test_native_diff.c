// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_native_diff.c --- differential test: interpreter vs. the host CPU
 *
 * Random user-level instruction sequences (ALU, shifts/rotates, multiply/
 * divide with #DE, string ops with REP, BCD, bit ops, CMOV/SETcc/Jcc,
 * CMPXCHG/CMPXCHG8B/XADD/BSWAP, push/pop, ...) with random registers,
 * flags and a random data buffer run natively on the host CPU in 32-bit
 * compatibility mode (a forked child far-jumps from its 64-bit code to the
 * __USER32_CS selector 0x23 and back to 0x33, all code and data at a fixed
 * address below 4 GiB) and in the interpreter (flat 32-bit protected mode,
 * CPL 3, over a fake machine_bus mapping the same addresses).  Registers,
 * EFLAGS (minus the flags the SDM leaves undefined for the instructions
 * executed, tracked per sequence) and the data buffer must agree; a #DE must
 * happen at the same instruction with the same state.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "vmm/x86/x86.h"

#define REGION		0x10000000u	/* fixed low address of code + data */
#define REGION_SIZE	0x20000u
#define ENTRY64		0x0000u		/* 64-bit: save, switch to 0x23 */
#define BACK64		0x0200u		/* 64-bit: return from 0x23 */
#define PROLOGUE	0x0400u		/* 32-bit: load state, jump to code */
#define CODE		0x1000u		/* the sequence under test */
#define CODE_MAX	0x800u
#define DATA		0x8000u		/* compared data buffer */
#define DATA_SIZE	1024u
#define STACK_TOP	0xc000u
#define STATE		0xf000u		/* in/out register block */
#define SAVE_RSP	0xf100u

#define NREGS		8
#define FLAGS_CMP	0x0cd5u		/* OF DF SF ZF AF PF CF */
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

struct seq {
	uint8_t		code[256];	/* instruction bytes */
	uint16_t	len;		/* bytes */
	uint16_t	ninsn;		/* instructions */
	uint32_t	regs[NREGS];	/* initial registers */
	uint32_t	flags;		/* initial EFLAGS */
	uint32_t	undef;		/* flags undefined at the end */
	uint8_t		nfp;		/* fault points recorded */
	uint16_t	fp_off[16];	/* offsets of instructions that may #DE */
	uint16_t	fp_undef[16];	/* flags undefined before each of them */
	uint8_t		data[DATA_SIZE];	/* initial data buffer */
};

struct result {
	uint32_t	regs[NREGS];	/* final registers (at the fault) */
	uint32_t	flags;		/* final EFLAGS */
	uint32_t	eip;		/* EIP of the fault, or end of code */
	int		sig;		/* 0, SIGFPE (#DE) or another signal */
	uint8_t		data[DATA_SIZE];	/* final data buffer */
};

/* ------------------------------------------------------------ generator */

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

/* ------------------------------------------------------------ native */

static sigjmp_buf native_jb;
static volatile struct result *native_res;

static void native_sig(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	static const int map[NREGS] = {
		REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	};

	for (int i = 0; i < NREGS; i++)
		native_res->regs[i] = (uint32_t)uc->uc_mcontext.gregs[map[i]];
	native_res->flags = (uint32_t)uc->uc_mcontext.gregs[REG_EFL];
	native_res->eip = (uint32_t)uc->uc_mcontext.gregs[REG_RIP];
	native_res->sig = sig;
	siglongjmp(native_jb, 1);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* build trampolines and the prologue in the region */
static void native_setup(uint8_t *m)
{
	uint8_t *c = m + ENTRY64;
	unsigned int i;

	/* push rbx, rbp, r12-r15; mov [SAVE_RSP], rsp; mov esp, STACK_TOP;
	 * push 0x23; push PROLOGUE; retfq */
	memcpy(c, "\x53\x55\x41\x54\x41\x55\x41\x56\x41\x57", 10);
	c += 10;
	memcpy(c, "\x48\x89\x24\x25", 4);
	put32(c + 4, REGION + SAVE_RSP);
	c += 8;
	*c++ = 0xbc;
	put32(c, REGION + STACK_TOP);
	c += 4;
	*c++ = 0x6a;
	*c++ = 0x23;
	*c++ = 0x68;
	put32(c, REGION + PROLOGUE);
	c += 4;
	*c++ = 0x48;
	*c++ = 0xcb;
	/* back: mov rsp, [SAVE_RSP]; pop r15-r12, rbp, rbx; ret */
	c = m + BACK64;
	memcpy(c, "\x48\x8b\x24\x25", 4);
	put32(c + 4, REGION + SAVE_RSP);
	c += 8;
	memcpy(c, "\x41\x5f\x41\x5e\x41\x5d\x41\x5c\x5d\x5b\xc3", 11);
	/* prologue (32-bit): ds = es = 0x2b; esp = in.esp; flags; regs */
	c = m + PROLOGUE;
	memcpy(c, "\x66\xb8\x2b\x00\x8e\xd8\x8e\xc0", 8);
	c += 8;
	*c++ = 0x8b;			/* mov esp, [STATE + 16] */
	*c++ = 0x25;
	put32(c, REGION + STATE + 16);
	c += 4;
	*c++ = 0xff;			/* push dword [STATE + 32] */
	*c++ = 0x35;
	put32(c, REGION + STATE + 32);
	c += 4;
	*c++ = 0x9d;			/* popfd */
	for (i = 0; i < NREGS; i++) {
		if (i == 4)
			continue;
		*c++ = 0x8b;		/* mov reg, [STATE + 4 i] */
		*c++ = (uint8_t)(0x05 | (i << 3));
		put32(c, REGION + STATE + 4 * i);
		c += 4;
	}
	*c++ = 0xe9;			/* jmp CODE */
	put32(c, (uint32_t)(CODE - (c + 4 - m)));
}

/* epilogue after the code: store regs and flags, ljmp 0x33:BACK64 */
static unsigned int native_epilogue(uint8_t *c)
{
	uint8_t *p = c;
	unsigned int i;

	for (i = 0; i < NREGS; i++) {
		*p++ = 0x89;		/* mov [STATE + 64 + 4 i], reg */
		*p++ = (uint8_t)(0x05 | (i << 3));
		put32(p, REGION + STATE + 64 + 4 * i);
		p += 4;
	}
	*p++ = 0x9c;			/* pushfd; pop dword [STATE + 96] */
	*p++ = 0x8f;
	*p++ = 0x05;
	put32(p, REGION + STATE + 96);
	p += 4;
	*p++ = 0xea;
	put32(p, REGION + BACK64);
	p += 4;
	*p++ = 0x33;
	*p++ = 0x00;
	return (unsigned int)(p - c);
}

static void native_run_all(const struct seq *seqs, struct result *res,
			   unsigned int n)
{
	uint8_t *m = (uint8_t *)(uintptr_t)REGION;
	struct sigaction sa;
	stack_t ss;
	volatile unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = native_sig;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	ss.ss_sp = malloc(65536);
	ss.ss_size = 65536;
	ss.ss_flags = 0;
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		_exit(3);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	native_setup(m);
	for (i = 0; i < n; i++) {
		const struct seq *s = &seqs[i];
		volatile struct result *r = &res[i];

		memcpy(m + CODE, s->code, s->len);
		native_epilogue(m + CODE + s->len);
		memcpy(m + DATA, s->data, DATA_SIZE);
		memcpy(m + STATE, s->regs, sizeof(s->regs));
		put32(m + STATE + 32, s->flags);
		__builtin___clear_cache((char *)m, (char *)m + REGION_SIZE);
		native_res = r;
		r->sig = 0;
		if (!sigsetjmp(native_jb, 1)) {
			((void (*)(void))(uintptr_t)(REGION + ENTRY64))();
			memcpy((void *)r->regs, m + STATE + 64, sizeof(r->regs));
			memcpy((void *)&r->flags, m + STATE + 96, 4);
			r->eip = REGION + CODE + s->len;
		}
		memcpy((void *)r->data, m + DATA, DATA_SIZE);
	}
}

/* ------------------------------------------------------------ interpreter */

struct fakebus {
	uint8_t		*mem;		/* REGION_SIZE bytes at gpa REGION */
	int		stray;		/* accesses outside the region */
};

static uint8_t *fb_page(void *o, uint64_t gpa, bool w)
{
	struct fakebus *fb = o;

	if (gpa >= REGION && gpa < REGION + REGION_SIZE)
		return fb->mem + ((gpa - REGION) & ~0xfffull);
	return NULL;
}

static uint64_t fb_mmio_read(void *o, uint64_t gpa, unsigned int size)
{
	((struct fakebus *)o)->stray++;
	return ~0ull;
}

static void fb_mmio_write(void *o, uint64_t gpa, uint64_t v, unsigned int size)
{
	((struct fakebus *)o)->stray++;
}

static uint64_t fb_pio_read(void *o, uint16_t port, unsigned int size)
{
	return ~0ull;
}

static void fb_pio_write(void *o, uint16_t port, uint64_t v, unsigned int size)
{
}

static bool fb_intr_pending(void *o)
{
	return false;
}

static uint8_t fb_intr_ack(void *o)
{
	return 0;
}

static uint64_t fb_now(void *o)
{
	return 0;
}

static void fb_reset(void *o)
{
}

static void flat(struct x86_seg *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = attr;
}

static void interp_run(struct x86_cpu *cpu, struct fakebus *fb,
		       const struct seq *s, struct result *r)
{
	struct x86_cpu_state st;
	struct x86_stop stop;
	unsigned int i;

	memcpy(fb->mem + CODE, s->code, s->len);
	fb->mem[CODE + s->len] = 0x0f;		/* ud2 ends the sequence */
	fb->mem[CODE + s->len + 1] = 0x0b;
	memcpy(fb->mem + DATA, s->data, DATA_SIZE);
	x86_cpu_mem_written(cpu, REGION + CODE, s->len + 2u);
	memset(&st, 0, sizeof(st));
	for (i = 0; i < NREGS; i++)
		st.gpr[i] = s->regs[i];
	st.rip = REGION + CODE;
	st.rflags = s->flags;
	flat(&st.seg[X86_CS], 0x23, 0xc0fb);
	flat(&st.seg[X86_SS], 0x2b, 0xc0f3);
	flat(&st.seg[X86_DS], 0x2b, 0xc0f3);
	flat(&st.seg[X86_ES], 0x2b, 0xc0f3);
	st.cr0 = X86_CR0_PE | X86_CR0_ET;
	st.tr.attr = 0x8b;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 100000, ~0ull, &stop);
	x86_cpu_get_state(cpu, &st);
	for (i = 0; i < NREGS; i++)
		r->regs[i] = (uint32_t)st.gpr[i];
	r->flags = (uint32_t)st.rflags;
	r->eip = (uint32_t)st.rip;
	r->sig = -1;
	if (stop.reason == X86_STOP_EXCEPTION && stop.vector == 6 &&
	    st.rip == REGION + CODE + s->len)
		r->sig = 0;
	else if (stop.reason == X86_STOP_EXCEPTION && stop.vector == 0)
		r->sig = SIGFPE;
	else if (stop.reason == X86_STOP_EXCEPTION)
		r->sig = 1000 + stop.vector;
	else if (stop.reason == X86_STOP_ERROR)
		fprintf(stderr, "interp error: %s\n", stop.msg);
	memcpy(r->data, fb->mem + DATA, DATA_SIZE);
}

static void dump(const struct seq *s, const struct result *n,
		 const struct result *i, unsigned long idx)
{
	static const char *names[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

	fprintf(stderr, "sequence %lu (%u insns, undef flags %03x):", idx, s->ninsn, s->undef);
	for (unsigned int k = 0; k < s->len; k++)
		fprintf(stderr, " %02x", s->code[k]);
	fprintf(stderr, "\n  init:");
	for (unsigned int k = 0; k < NREGS; k++)
		fprintf(stderr, " %s=%08x", names[k], s->regs[k]);
	fprintf(stderr, " fl=%08x\n  native: sig %d eip +%x fl %08x\n  interp: sig %d eip +%x fl %08x\n",
		s->flags, n->sig, n->eip - REGION - CODE, n->flags, i->sig,
		i->eip - REGION - CODE, i->flags);
	for (unsigned int k = 0; k < NREGS; k++)
		if (n->regs[k] != i->regs[k])
			fprintf(stderr, "  %s: native %08x interp %08x\n", names[k],
				n->regs[k], i->regs[k]);
	for (unsigned int k = 0; k < DATA_SIZE; k++)
		if (n->data[k] != i->data[k]) {
			fprintf(stderr, "  data[%u]: native %02x interp %02x\n", k,
				n->data[k], i->data[k]);
			break;
		}
}

static bool same(const struct seq *s, const struct result *n,
		 const struct result *i)
{
	uint32_t mask = FLAGS_CMP & ~s->undef;

	if (n->sig != i->sig || n->eip != i->eip)
		return false;
	if (n->sig) {
		unsigned int k;

		for (k = 0; k < s->nfp; k++)
			if (REGION + CODE + s->fp_off[k] == n->eip)
				break;
		if (k == s->nfp)
			return false;	/* fault at an unexpected place */
		mask = FLAGS_CMP & ~s->fp_undef[k];
	}
	if (memcmp(n->regs, i->regs, sizeof(n->regs)))
		return false;
	if ((n->flags & mask) != (i->flags & mask))
		return false;
	return !memcmp(n->data, i->data, DATA_SIZE);
}

static unsigned long env_count(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : def;
}

#define BATCH 4000

static void test_native_diff(void)
{
	unsigned long total = env_count("X86_DIFF_SEQS", 100000);
	uint64_t seed0 = env_count("X86_DIFF_SEED", 1);
	struct machine_bus bus = {
		.page_ptr = fb_page, .mmio_read = fb_mmio_read,
		.mmio_write = fb_mmio_write, .pio_read = fb_pio_read,
		.pio_write = fb_pio_write, .intr_pending = fb_intr_pending,
		.intr_ack = fb_intr_ack, .now_ns = fb_now,
		.request_reset = fb_reset,
	};
	struct fakebus fb = { 0 };
	struct x86_cpu *cpu;
	struct seq *seqs;
	struct result *nres, ires;
	unsigned long done = 0, bad = 0, faults = 0;
	void *m;

	m = mmap((void *)(uintptr_t)REGION, REGION_SIZE,
		 PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m == MAP_FAILED)
		T_SKIP("cannot map 0x%x: %s", REGION, strerror(errno));
	fb.mem = aligned_alloc(4096, REGION_SIZE);
	T_ASSERT(fb.mem);
	memset(fb.mem, 0, REGION_SIZE);
	bus.opaque = &fb;
	T_ASSERT(x86_cpu_create(&bus, &cpu) == 0);
	x86_cpu_set_intercepts(cpu, 0xffffffffu);
	seqs = mmap(NULL, BATCH * sizeof(*seqs), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	nres = mmap(NULL, BATCH * sizeof(*nres), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(seqs != MAP_FAILED && nres != MAP_FAILED);

	while (done < total) {
		unsigned int n = total - done > BATCH ? BATCH : (unsigned int)(total - done);
		unsigned int k;
		int status;
		pid_t pid;

		for (k = 0; k < n; k++)
			gen_seq(seed0 * 1000003ull + done + k, &seqs[k]);
		pid = fork();
		T_ASSERT(pid >= 0);
		if (pid == 0) {
			alarm(60);
			native_run_all(seqs, nres, n);
			_exit(0);
		}
		T_ASSERT(waitpid(pid, &status, 0) == pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			if (WIFSIGNALED(status) && done == 0)
				T_SKIP("32-bit compatibility mode unusable here (child killed by signal %d)",
				       WTERMSIG(status));
			t_fail(__FILE__, __LINE__, "native child failed (status 0x%x)", status);
		}
		for (k = 0; k < n; k++) {
			interp_run(cpu, &fb, &seqs[k], &ires);
			if (nres[k].sig)
				faults++;
			if (nres[k].sig && nres[k].sig != SIGFPE) {
				if (bad++ < 5) {
					fprintf(stderr, "native fault %d (generator bug)\n", nres[k].sig);
					dump(&seqs[k], &nres[k], &ires, done + k);
				}
				continue;
			}
			if (!same(&seqs[k], &nres[k], &ires) && bad++ < 10)
				dump(&seqs[k], &nres[k], &ires, done + k);
		}
		done += n;
	}
	printf("# %lu sequences, %lu ended in #DE, %lu mismatches\n", done, faults, bad);
	T_EQ(bad, 0);
	x86_cpu_destroy(cpu);
}

static const struct t_case cases[] = {
	T_CASE(test_native_diff),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
