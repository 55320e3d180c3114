// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_native_diff.c --- differential test: interpreter vs. the host CPU
 *
 * Random user-level instruction sequences (ALU, shifts/rotates, multiply/
 * divide with #DE, string ops with REP, BCD, bit ops, CMOV/SETcc/Jcc,
 * CMPXCHG/CMPXCHG8B/XADD/BSWAP, push/pop, ...) with random registers,
 * flags and a random data buffer run in the interpreter (flat 32-bit
 * protected mode, CPL 3, over a fake machine_bus mapping the same
 * addresses) and natively on the host CPU in a forked child, all code and
 * data at a fixed address below 4 GiB:
 *   - in 32-bit compatibility mode, where the host can run 32-bit code
 *     (tests/unit/hostcaps: a far jump from 64-bit code to __USER32_CS 0x23
 *     or to an LDT code segment, and back to 0x33);
 *   - in 64-bit mode, on every host, for the sequences whose instructions
 *     are valid and mean the same there (mode64_ok()).
 * test_native_diff checks the sequences valid in both modes, in both
 * native modes when it can; test_native_diff_32bit_only the others, which
 * are SKIPped, with the count and the probe's reason, on a host that
 * cannot run 32-bit code.  Registers, EFLAGS (minus the flags the SDM
 * leaves undefined for the instructions executed, tracked per sequence;
 * canon.h) and the data buffer must agree; a #DE must happen at the same
 * instruction with the same state.
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
#include "tests/unit/hostcaps.h"
#include "vmm/x86/x86.h"

#define REGION		0x10000000u	/* fixed low address of code + data */
#define REGION_SIZE	0x20000u
#define CODE		0x1000u		/* the sequence under test */
#define CODE_MAX	0x800u
#define DATA		0x8000u		/* compared data buffer */
#define DATA_SIZE	1024u
#define STACK_TOP	0xc000u
#define STATE		0xf000u		/* in/out register block */
#define SAVE_RSP	0xf100u

#define NREGS		8
#define X86_EXC_DE	0
#define FLAGS_CMP	0x0cd5u		/* OF DF SF ZF AF PF CF */
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

#include "tests/unit/x86/native_fixture.h"

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

/* ------------------------------------------------------------ 64-bit mode */

/*
 * Can @s run natively in 64-bit mode with the same meaning as in 32-bit
 * code?  The native side then starts with every register's upper half zero
 * (the prologue loads them with 32-bit MOVs, which zero-extend), so:
 *   - 32-bit operations compute the same low halves and flags, and 8- and
 *     16-bit ones keep the upper halves zero; only low halves are compared;
 *   - [EBX+disp], LEA, XLAT, string instructions (RSI/RDI), LOOP and JECXZ
 *     (RCX) see the same values: addresses stay far below 4 GiB, so 64-bit
 *     address arithmetic never differs from 32-bit wrap-around;
 * and the instructions that are invalid or different in 64-bit mode are
 * excluded (SDM vol. 2, appendix A opcode map, "i64"/"o64" entries; AMD64
 * APM vol. 3, 1.7 "Instructions invalid in 64-bit mode"):
 *   - stack width changes: PUSH/POP in every form, PUSHA/POPA (60/61),
 *     PUSHF/POPF (9C/9D), ENTER/LEAVE, CALL/RET near and far, INT/IRET;
 *   - invalid: PUSH/POP of segment registers (06/07/0E/16/17/1E/1F),
 *     DAA/DAS/AAA/AAS (27/2F/37/3F), BOUND (62), far CALL/JMP ptr (9A/EA),
 *     LES/LDS (C4/C5), INTO (CE), AAM/AAD (D4/D5), SALC (D6), the 80 alias
 *     82;
 *   - reinterpreted: INC/DEC r32 short forms (40-4F are REX prefixes),
 *     ARPL (63 is MOVSXD);
 *   - LAHF/SAHF unless CPUID.80000001H:ECX.LAHF-SAHF[bit 0] = 1;
 *   - address-size and segment-override prefixes.
 */
static bool op_invalid64(const struct x86_insn *in)
{
	static const uint16_t bad[] = {
		0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37,
		0x3f, 0x60, 0x61, 0x62, 0x63, 0x68, 0x6a, 0x82, 0x8f, 0x9a,
		0x9c, 0x9d, 0xc2, 0xc3, 0xc4, 0xc5, 0xc8, 0xc9, 0xca, 0xcb,
		0xcc, 0xcd, 0xce, 0xcf, 0xd4, 0xd5, 0xd6, 0xe8, 0xea,
		0x1a0, 0x1a1, 0x1a8, 0x1a9,
	};

	if (in->op >= 0x40 && in->op <= 0x5f)	/* INC/DEC, PUSH/POP r */
		return true;
	if (in->op == 0xff && in->reg >= 2 && in->reg <= 6)
		return true;			/* CALL/JMP indirect, PUSH */
	for (unsigned int k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		if (in->op == bad[k])
			return true;
	return false;
}

static bool mode64_ok(const struct seq *s, bool lahf64)
{
	struct x86_insn in;
	unsigned int off = 0;

	while (off < s->len) {
		if (x86_decode(s->code + off, s->len - off, X86_DMODE_CODE32,
			       &in) != X86_DEC_OK)
			return false;
		if (op_invalid64(&in) || in.adsize != 4 ||
		    in.seg != X86_SEG_NONE)
			return false;
		if ((in.op == 0x9e || in.op == 0x9f) && !lahf64)
			return false;
		off += in.len;
	}
	return true;
}

/* ------------------------------------------------------------ native */

/* How the native child runs a sequence. */
enum nmode {
	NM_COMPAT,	/* 32-bit compatibility mode, CS from hostcaps */
	NM_64,		/* 64-bit mode (mode64_ok sequences only) */
	NM_COUNT,
};

static const char *const nmode_name[NM_COUNT] = {
	"compatibility mode", "64-bit mode",
};

#define ENTRY32		0x0000u		/* 64-bit: save, far return to CS32 */
#define BACK64		0x0200u		/* 64-bit: restore, return to C */
#define PROLOGUE32	0x0400u		/* 32-bit: load state, jump to code */
#define ENTRY64		0x0600u		/* 64-bit: save, load state, jump */

static sigjmp_buf native_jb;
static volatile struct result *native_res;

static void native_sig(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	static const int map[NREGS] = {
		REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	};

	(void)si;
	for (int i = 0; i < NREGS; i++)
		native_res->regs[i] = (uint32_t)uc->uc_mcontext.gregs[map[i]];
	native_res->flags = (uint32_t)uc->uc_mcontext.gregs[REG_EFL];
	native_res->eip = (uint32_t)uc->uc_mcontext.gregs[REG_RIP];
	native_res->sig = sig;
	siglongjmp(native_jb, 1);
}

/* push rbx, rbp, r12-r15; mov [SAVE_RSP], rsp */
static uint8_t *emit_save64(uint8_t *c)
{
	memcpy(c, "\x53\x55\x41\x54\x41\x55\x41\x56\x41\x57", 10);
	return nf_abs(c + 10, 0x48, 0x89, 4, REGION + SAVE_RSP);
}

static uint8_t *emit_jmp(uint8_t *m, uint8_t *c, uint32_t to)
{
	*c++ = 0xe9;
	nf_put32(c, (uint32_t)(to - (c + 4 - m)));
	return c + 4;
}

/* build the trampolines and prologues in the region */
static void native_setup(uint8_t *m, uint16_t cs32)
{
	uint8_t *c;
	unsigned int i;

	/* compatibility mode: push CS32; push PROLOGUE32; retfq */
	c = emit_save64(m + ENTRY32);
	*c++ = 0xbc;				/* mov esp, STACK_TOP */
	nf_put32(c, REGION + STACK_TOP);
	c += 4;
	*c++ = 0x68;
	nf_put32(c, cs32);
	c += 4;
	*c++ = 0x68;
	nf_put32(c, REGION + PROLOGUE32);
	c += 4;
	*c++ = 0x48;
	*c++ = 0xcb;
	/* back: mov rsp, [SAVE_RSP]; pop r15-r12, rbp, rbx; ret */
	c = nf_abs(m + BACK64, 0x48, 0x8b, 4, REGION + SAVE_RSP);
	memcpy(c, "\x41\x5f\x41\x5e\x41\x5d\x41\x5c\x5d\x5b\xc3", 11);
	/* 32-bit prologue: ds = es = USER_DS; esp; flags; registers */
	c = m + PROLOGUE32;
	memcpy(c, "\x66\xb8\x2b\x00\x8e\xd8\x8e\xc0", 8);
	c = nf_abs(c + 8, 0, 0x8b, 4, REGION + STATE + 16);
	c = nf_abs(c, 0, 0xff, 6, REGION + STATE + 32);	/* push flags */
	*c++ = 0x9d;					/* popfd */
	for (i = 0; i < NREGS; i++)
		if (i != 4)
			c = nf_abs(c, 0, 0x8b, i, REGION + STATE + 4 * i);
	emit_jmp(m, c, CODE);
	/* 64-bit prologue: the same loads (32-bit MOVs zero-extend) */
	c = emit_save64(m + ENTRY64);
	c = nf_abs(c, 0, 0xff, 6, REGION + STATE + 32);	/* push qword */
	*c++ = 0x9d;					/* popfq */
	for (i = 0; i < NREGS; i++)
		if (i != 4)
			c = nf_abs(c, 0, 0x8b, i, REGION + STATE + 4 * i);
	c = nf_abs(c, 0, 0x8b, 4, REGION + STATE + 16);	/* esp last */
	emit_jmp(m, c, CODE);
}

/* epilogue after the code: store registers and flags, back to BACK64 */
static void native_epilogue(uint8_t *m, uint8_t *c, enum nmode mode)
{
	unsigned int i;

	for (i = 0; i < NREGS; i++)
		c = nf_abs(c, 0, 0x89, i, REGION + STATE + 64 + 4 * i);
	*c++ = 0x9c;			/* pushfd / pushfq; pop [STATE + 96] */
	c = nf_abs(c, 0, 0x8f, 0, REGION + STATE + 96);
	if (mode == NM_64) {
		emit_jmp(m, c, BACK64);
		return;
	}
	*c++ = 0xea;			/* jmp far 0x33:BACK64 */
	nf_put32(c, REGION + BACK64);
	c[4] = 0x33;
	c[5] = 0x00;
}

struct native_job {
	const struct seq	*seqs;		/* [n] sequences */
	struct result		*res;		/* [n] results (shared) */
	unsigned int		n;		/* sequences */
	enum nmode		mode;		/* how to run them */
	enum hostcaps_n32_route	route;		/* for NM_COMPAT */
};

/* in the native child */
static void native_run_all(void *arg)
{
	const struct native_job *j = arg;
	uint8_t *m = (uint8_t *)(uintptr_t)REGION;
	uint32_t entry = j->mode == NM_64 ? ENTRY64 : ENTRY32;
	volatile unsigned int i;
	int cs = 0;

	if (j->mode == NM_COMPAT) {
		cs = hostcaps_native32_cs(j->route);
		if (cs < 0)
			_exit(4);
	}
	nf_native_signals(native_sig);
	native_setup(m, (uint16_t)cs);
	for (i = 0; i < j->n; i++) {
		const struct seq *s = &j->seqs[i];
		volatile struct result *r = &j->res[i];

		memcpy(m + CODE, s->code, s->len);
		native_epilogue(m, m + CODE + s->len, j->mode);
		memcpy(m + DATA, s->data, DATA_SIZE);
		memcpy(m + STATE, s->regs, sizeof(s->regs));
		nf_put32(m + STATE + 32, s->flags);
		nf_put32(m + STATE + 36, 0);
		__builtin___clear_cache((char *)m, (char *)m + REGION_SIZE);
		native_res = r;
		r->sig = 0;
		if (!sigsetjmp(native_jb, 1)) {
			((void (*)(void))(uintptr_t)(REGION + entry))();
			memcpy((void *)r->regs, m + STATE + 64, sizeof(r->regs));
			memcpy((void *)&r->flags, m + STATE + 96, 4);
			r->eip = REGION + CODE + s->len;
		}
		memcpy((void *)r->data, m + DATA, DATA_SIZE);
	}
}

/* ------------------------------------------------------------ interpreter */

static void interp_run(struct x86_cpu *cpu, struct nf_bus *b,
		       const struct seq *s, struct result *r)
{
	struct x86_cpu_state st;
	struct x86_stop stop;
	unsigned int i;
	int end;

	nf_load_code(cpu, b, REGION + CODE, s->code, s->len,
		     (const uint8_t *)"\x0f\x0b", 2);	/* ud2 ends it */
	memcpy(b->mem + DATA, s->data, DATA_SIZE);
	nf_state_flat32(&st, 0x23);
	for (i = 0; i < NREGS; i++)
		st.gpr[i] = s->regs[i];
	st.rip = REGION + CODE;
	st.rflags = s->flags;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 100000, ~0ull, &stop);
	x86_cpu_get_state(cpu, &st);
	for (i = 0; i < NREGS; i++)
		r->regs[i] = (uint32_t)st.gpr[i];
	r->flags = (uint32_t)st.rflags;
	r->eip = (uint32_t)st.rip;
	end = nf_interp_end(&stop, st.rip, REGION + CODE + s->len);
	r->sig = end == -1 ? 0 : end == X86_EXC_DE ? SIGFPE :
		 end >= 0 ? 1000 + end : -1;
	memcpy(r->data, b->mem + DATA, DATA_SIZE);
}

static void dump(const struct seq *s, const struct result *n,
		 const struct result *i, unsigned long idx, enum nmode mode)
{
	static const char *names[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };

	fprintf(stderr, "sequence %lu (%u insns, undef flags %03x), native %s:",
		idx, s->ninsn, s->undef, nmode_name[mode]);
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

/* ------------------------------------------------------------ driver */

#define BATCH 4000

/* One class of sequences and what happened to it. */
struct diff_run {
	bool		common;		/* mode64_ok sequences, or the rest */
	bool		modes[NM_COUNT];	/* native modes to check them in */
	enum hostcaps_n32_route	route;	/* for NM_COMPAT */
	unsigned long	total;		/* sequences generated */
	unsigned long	picked;		/* of this class */
	unsigned long	faults;		/* ended in #DE */
	unsigned long	bad[NM_COUNT];	/* mismatches per native mode */
};

/* generate the next batch; keep the sequences of @dr's class */
static unsigned int gen_batch(struct diff_run *dr, struct seq *seqs,
			      unsigned long *idx, unsigned long *done,
			      bool lahf64)
{
	unsigned long total = nf_env_count("X86_DIFF_SEQS", 100000);
	uint64_t seed0 = nf_env_count("X86_DIFF_SEED", 1);
	unsigned int n = 0;

	while (n < BATCH && *done < total) {
		gen_seq(seed0 * 1000003ull + *done, &seqs[n]);
		if (mode64_ok(&seqs[n], lahf64) == dr->common) {
			idx[n] = *done;
			n++;
		}
		(*done)++;
	}
	dr->total = *done;
	return n;
}

static void diff_class(struct diff_run *dr, bool lahf64)
{
	struct nf_bus fb;
	struct x86_cpu *cpu;
	struct seq *seqs;
	struct result *nres[NM_COUNT], ires;
	unsigned long *idx, done = 0;
	unsigned int n, k, m;

	nf_map_region(REGION, REGION_SIZE);
	nf_bus_init(&fb, REGION, REGION_SIZE, &cpu);
	seqs = nf_shared(BATCH, sizeof(*seqs));
	for (m = 0; m < NM_COUNT; m++)
		nres[m] = nf_shared(BATCH, sizeof(struct result));
	idx = malloc(BATCH * sizeof(*idx));
	T_ASSERT(idx);
	while ((n = gen_batch(dr, seqs, idx, &done, lahf64)) > 0) {
		for (m = 0; m < NM_COUNT; m++) {
			struct native_job j = { seqs, nres[m], n, m, dr->route };
			int status;

			if (!dr->modes[m])
				continue;
			status = nf_native_batch(native_run_all, &j);
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				t_fail(__FILE__, __LINE__, "native child (%s) failed (status 0x%x)",
				       nmode_name[m], status);
		}
		for (k = 0; k < n; k++) {
			interp_run(cpu, &fb, &seqs[k], &ires);
			dr->faults += ires.sig == SIGFPE;
			for (m = 0; m < NM_COUNT; m++) {
				const struct result *nr = &nres[m][k];

				if (!dr->modes[m])
					continue;
				if (nr->sig && nr->sig != SIGFPE) {
					if (dr->bad[m]++ < 5) {
						fprintf(stderr, "native fault %d (generator bug)\n",
							nr->sig);
						dump(&seqs[k], nr, &ires, idx[k], m);
					}
					continue;
				}
				if (!same(&seqs[k], nr, &ires) && dr->bad[m]++ < 10)
					dump(&seqs[k], nr, &ires, idx[k], m);
			}
		}
		dr->picked += n;
	}
	T_EQ(fb.stray, 0);
	nf_bus_fini(&fb, cpu);
	free(idx);
}

static void report(const struct diff_run *dr, const char *what)
{
	printf("# %lu of %lu sequences %s, %lu ended in #DE", dr->picked,
	       dr->total, what, dr->faults);
	for (unsigned int m = 0; m < NM_COUNT; m++)
		if (dr->modes[m])
			printf("; native %s%s%s%s: %lu mismatches",
			       nmode_name[m], m == NM_COMPAT ? " (" : "",
			       m == NM_COMPAT ? hostcaps_route_name(dr->route) : "",
			       m == NM_COMPAT ? ")" : "", dr->bad[m]);
	printf("\n");
}

static bool host_lahf64(void)
{
	struct hostcaps_cpu c;

	hostcaps_cpu(&c);
	return c.ext1_ecx & HOSTCAPS_EXT1_ECX_LAHF;
}

/*
 * The sequences that mean the same in 32-bit and 64-bit code: natively in
 * 64-bit mode on every host, and in compatibility mode too where the host
 * can run 32-bit code.
 */
static void test_native_diff(void)
{
	struct diff_run dr = { .common = true };
	char why[512];

	dr.route = hostcaps_native32_route(why, sizeof(why));
	dr.modes[NM_COMPAT] = dr.route != HOSTCAPS_N32_NONE;
	dr.modes[NM_64] = true;
	diff_class(&dr, host_lahf64());
	report(&dr, "are valid and equivalent in 32- and 64-bit mode");
	if (!dr.modes[NM_COMPAT])
		printf("# not in compatibility mode: %s\n", why);
	T_ASSERT(dr.picked > 0);
	T_EQ(dr.bad[NM_COMPAT], 0);
	T_EQ(dr.bad[NM_64], 0);
}

/* The rest (BCD, PUSH/POP, short INC/DEC, ...) need 32-bit code. */
static void test_native_diff_32bit_only(void)
{
	struct diff_run dr = { .common = false };
	struct seq *s;
	char why[512];

	dr.route = hostcaps_native32_route(why, sizeof(why));
	if (dr.route == HOSTCAPS_N32_NONE) {
		unsigned long *idx = malloc(BATCH * sizeof(*idx)), done = 0;
		unsigned int n;

		s = malloc(BATCH * sizeof(*s));
		T_ASSERT(s && idx);
		while ((n = gen_batch(&dr, s, idx, &done, host_lahf64())) > 0)
			dr.picked += n;
		free(s);
		free(idx);
		T_SKIP("%lu of %lu sequences use instructions that are invalid or differ in 64-bit mode (BCD, PUSH/POP, short INC/DEC, ...) and need 32-bit native execution: %s",
		       dr.picked, dr.total, why);
	}
	dr.modes[NM_COMPAT] = true;
	diff_class(&dr, host_lahf64());
	report(&dr, "need 32-bit code");
	T_ASSERT(dr.picked > 0);
	T_EQ(dr.bad[NM_COMPAT], 0);
}

static const struct t_case cases[] = {
	T_CASE(test_native_diff),
	T_CASE(test_native_diff_32bit_only),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
