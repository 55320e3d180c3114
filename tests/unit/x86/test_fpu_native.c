// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fpu_native.c --- differential test of x87/MMX/SSE-SSE4.2 vs the host
 *
 * Random sequences of x87, MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2
 * instructions, POPCNT and CRC32 (all register forms the decoder accepts,
 * memory forms through [ebx+disp32], control instructions, FXSAVE/FXRSTOR,
 * LDMXCSR/STMXCSR) with random x87/SSE
 * state (special values: signed zeros, denormals, infinities, QNaN/SNaN,
 * unnormals, integer limits; random TOP, tags, precision, rounding and
 * masks, pending exceptions) run natively in a forked child in 64-bit mode
 * (no REX, no RIP-relative forms: the same bytes mean the same in 32-bit
 * code; code and data at a fixed address below 4 GiB; DS = ES = 0x2b) and
 * in the interpreter (flat 32-bit protected mode, CPL 3, CR0.NE,
 * CR4.OSFXSR and OSXMMEXCPT, CS selector = the host's 64-bit one so the x87
 * FCS agrees), so it needs no 32-bit execution on the host.  Compared:
 * general registers, EFLAGS, the faulting vector and instruction (#MF,
 * #XM, #GP, #UD), the final FXSAVE image (bytes 0-287) and the data
 * buffer.  The x87 pointer fields (FOP, FIP/FCS, FDP/FDS) and MXCSR_MASK
 * of every image stored, and of the final one, are compared with what the
 * host's vendor documents for them (fpu_vendor.h) on the native side and
 * with the canonical CPU's values (vmm/x86/canon.h) on the interpreter
 * side; every other byte must be equal.  Not compared: bytes 288-511 of
 * an FXSAVE image, which 64-bit mode writes (XMM8-15) and 32-bit mode
 * leaves alone.  test_fpu_native_preempted single-steps 5000 further
 * sequences natively, so that the kernel saves and restores the FPU state
 * between every two instructions, as a preemption can at any point.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "tests/unit/hostcaps.h"
#include "vmm/x86/x86.h"

#define REGION		0x30000000u
#define REGION_SIZE	0x10000u
#define ENTRY		0x0000u		/* 64-bit entry stub */
#define CODE		0x1000u		/* sequence + epilogue */
#define DATA		0x4000u		/* compared data buffer */
#define DATA_SIZE	1024u
#define DATA_BIAS	128u		/* EBX = DATA + DATA_BIAS */
#define IMG_IN		0x6000u		/* initial FXSAVE image */
#define IMG_OUT		0x6200u		/* final FXSAVE image */
#define HOST_FPU	0x6400u		/* host FPU state aside */
#define STATE		0x6800u		/* regs in (0..31), flags (32), out (64..), flags (96) */
#define SAVE_RSP	0x6900u

#include "tests/unit/x86/native_fixture.h"

#define NREGS		8
#define FLAGS_CMP	0x0cd5u
#define MAXLEN		160

struct seq {
	uint8_t		code[MAXLEN + 16];	/* instruction bytes */
	uint16_t	len;			/* bytes */
	uint16_t	ninsn;			/* instructions */
	uint32_t	regs[NREGS];		/* initial GPRs */
	uint32_t	flags;			/* initial EFLAGS */
	uint8_t		img[512] __attribute__((aligned(16)));	/* initial state */
	uint8_t		data[DATA_SIZE];	/* initial data */
};

struct result {
	int		vec;			/* exception vector, -1: none */
	uint32_t	eip;			/* fault or end offset */
	uint32_t	regs[NREGS];
	uint32_t	flags;
	uint8_t		img[512] __attribute__((aligned(16)));
	uint8_t		data[DATA_SIZE];
};

/* ------------------------------------------------------------ generator */

struct gen {
	uint64_t	s;		/* xorshift state */
	uint8_t		*p;		/* code output */
	struct seq	*q;		/* sequence being built */
	int32_t		forb[16][2];	/* [from, to) disp ranges not to read */
	unsigned int	nforb;		/* entries in forb */
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

/* an "interesting" 80-bit value */
static void val80(struct gen *g, uint8_t *p)
{
	uint64_t m = rnd64(g) | 1ull << 63;
	uint16_t e = (uint16_t)(0x3fff - 70 + rn(g, 140));

	switch (rn(g, 14)) {
	case 0: m = 0; e = 0; break;				/* zero */
	case 1: m = 1ull << 63; e = 0x7fff; break;		/* inf */
	case 2: m = 3ull << 62; e = 0x7fff; break;		/* QNaN indef */
	case 3: m = (1ull << 63) | (rnd64(g) >> 2) | 1; e = 0x7fff; break; /* SNaN */
	case 4: m >>= 1 + rn(g, 62); e = 0; break;		/* denormal */
	case 5: e = (uint16_t)rn(g, 0x7fff); break;		/* any exponent */
	case 6: m = 1ull << 63; e = 0x3fff; break;		/* 1.0 */
	case 7: m = (m >> 40) << 40; break;			/* short mantissa */
	case 8: m &= ~(1ull << 63); e = (uint16_t)(1 + rn(g, 0x7ffe)); break; /* unnormal */
	case 9: m = (uint64_t)rn(g, 100000) << 47 | 1ull << 63;
		e = (uint16_t)(0x3fff + rn(g, 17)); break;	/* integer-ish */
	default: break;
	}
	if (rn(g, 2))
		e |= 0x8000;
	memcpy(p, &m, 8);
	memcpy(p + 8, &e, 2);
}

static void val64(struct gen *g, uint8_t *p)
{
	static const uint64_t sp[] = {
		0, 0x8000000000000000ull, 0x7ff0000000000000ull,
		0xfff0000000000000ull, 0x7ff8000000000000ull,
		0x7ff4000000000001ull, 0x0000000000000001ull,
		0x000fffffffffffffull, 0x3ff0000000000000ull,
		0x7fefffffffffffffull, 0x0010000000000000ull,
		0x7fffffffffffffffull, 0x8000000000000001ull,
		0x43e0000000000000ull, 0xc1e0000000000000ull,
	};
	uint64_t v;

	if (rn(g, 3) == 0)
		v = sp[rn(g, sizeof(sp) / 8)];
	else
		v = (uint64_t)(0x3ff - 40 + rn(g, 80)) << 52 | (rnd64(g) >> 12) |
		    (uint64_t)rn(g, 2) << 63;
	memcpy(p, &v, 8);
}

static void val32(struct gen *g, uint8_t *p)
{
	static const uint32_t sp[] = {
		0, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
		0x7fa00001u, 0x00000001u, 0x007fffffu, 0x3f800000u,
		0x7f7fffffu, 0x00800000u, 0x7fffffffu, 0x4f000000u,
		0xcf000000u, 0x80000001u, 0xffffffffu, 0x00008000u,
	};
	uint32_t v;

	if (rn(g, 3) == 0)
		v = sp[rn(g, sizeof(sp) / 4)];
	else if (rn(g, 4) == 0)
		v = rnd(g);
	else
		v = (uint32_t)(127 - 20 + rn(g, 40)) << 23 | (rnd(g) >> 9) |
		    rn(g, 2) << 31;
	memcpy(p, &v, 4);
}

static void fill_vals(struct gen *g, uint8_t *p, unsigned int n)
{
	unsigned int k = 0;

	while (k < n) {
		uint8_t t[16];
		unsigned int w;

		switch (rn(g, 5)) {
		case 0: val80(g, t); w = 10; break;
		case 1: val64(g, t); w = 8; break;
		case 2: val32(g, t); w = 4; break;
		case 3: val64(g, t); val64(g, t + 8); w = 16; break;
		default:
			for (w = 0; w < 16; w++)
				t[w] = (uint8_t)rnd(g);
			break;
		}
		if (w > n - k)
			w = n - k;
		memcpy(p + k, t, w);
		k += w;
	}
}

static void emit(struct gen *g, uint8_t b)
{
	*g->p++ = b;
}

static void emit32(struct gen *g, uint32_t v)
{
	memcpy(g->p, &v, 4);
	g->p += 4;
}

/* [ebx+disp32] with @size bytes inside the buffer; @al: 16-byte aligned */
static int32_t mem_disp(struct gen *g, unsigned int size, bool al)
{
	int32_t d = 0;
	unsigned int tries, k;

	for (tries = 0; tries < 64; tries++) {
		d = (int32_t)rn(g, DATA_SIZE - size) - (int32_t)DATA_BIAS;
		if (al)
			d &= ~15;
		for (k = 0; k < g->nforb; k++)
			if (d < g->forb[k][1] && d + (int32_t)size > g->forb[k][0])
				break;
		if (k == g->nforb)
			break;
	}
	return d;
}

static void modrm_mem(struct gen *g, unsigned int reg, int32_t disp)
{
	emit(g, (uint8_t)(0x80 | reg << 3 | 3));
	emit32(g, (uint32_t)disp);
}

/* bytes [from, to) of an image stored at @disp hold fields that differ
 * by vendor (fpu_vendor.h): later instructions must not read them */
static void forbid(struct gen *g, int32_t disp, unsigned int from,
		   unsigned int to)
{
	if (g->nforb < 16) {
		g->forb[g->nforb][0] = disp + (int32_t)from;
		g->forb[g->nforb][1] = disp + (int32_t)to;
		g->nforb++;
	}
}

/* accept the last instruction only if our decoder takes it */
static bool decodes(struct gen *g, uint8_t *start)
{
	struct x86_insn in;

	if (x86_decode(start, (size_t)(g->p - start), X86_DMODE_CODE32, &in) ==
	    X86_DEC_OK && in.len == g->p - start)
		return true;
	g->p = start;
	return false;
}

#include "tests/unit/x86/fpu_native_gen.h"

static void gen_seq(uint64_t seed, struct seq *s)
{
	struct gen g = { .s = seed * 0x9e3779b97f4a7c15ull + 7, .q = s };
	unsigned int i, n;

	memset(s, 0, sizeof(*s));
	g.p = s->code;
	for (i = 0; i < 20; i++)
		rnd(&g);
	for (i = 0; i < NREGS; i++)
		s->regs[i] = rn(&g, 3) ? rnd(&g) : rn(&g, 3) ? rn(&g, 300) - 150 : 0;
	s->regs[3] = REGION + DATA + DATA_BIAS;		/* EBX */
	s->regs[4] = 0;					/* ESP: not used */
	s->flags = 0x202 | (rnd(&g) & 0x8d5);
	fill_vals(&g, s->data, DATA_SIZE);
	gen_state(&g, s->img);
	n = 1 + rn(&g, 8);
	for (i = 0; i < n && g.p - s->code < MAXLEN - 40; i++)
		gen_one(&g);
	s->len = (uint16_t)(g.p - s->code);
	s->ninsn = (uint16_t)i;
}

/* ------------------------------------------------------------ native */

static sigjmp_buf native_jb;
static struct result *native_res;
static volatile bool native_stepping;	/* the child single-steps */

static void native_sig(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	static const int map[NREGS] = {
		REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	};

	(void)si;
	/* a single-step trap: return, through the kernel's FPU save and
	 * restore, to the next instruction */
	if (sig == SIGTRAP && native_stepping &&
	    uc->uc_mcontext.gregs[REG_TRAPNO] == 1)
		return;
	for (int i = 0; i < NREGS; i++)
		native_res->regs[i] = (uint32_t)uc->uc_mcontext.gregs[map[i]];
	native_res->flags = (uint32_t)uc->uc_mcontext.gregs[REG_EFL];
	native_res->eip = (uint32_t)uc->uc_mcontext.gregs[REG_RIP] - (REGION + CODE);
	native_res->vec = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
	memcpy(native_res->img, uc->uc_mcontext.fpregs, 512);
	siglongjmp(native_jb, 1);
}

static void native_setup(uint8_t *m)
{
	uint8_t *c = m + ENTRY;
	unsigned int i;

	memcpy(c, "\x53\x55\x41\x54\x41\x55\x41\x56\x41\x57", 10);	/* push */
	c += 10;
	c = nf_abs(c, 0x48, 0x89, 4, REGION + SAVE_RSP);	/* mov [], rsp */
	/* ds = es = USER_DS, as in the interpreter: the x87 FDS */
	memcpy(c, "\xb8\x2b\x00\x00\x00\x8e\xd8\x8e\xc0", 9);
	c += 9;
	c = nf_abs(c, 0x0f, 0xae, 0, REGION + HOST_FPU);	/* fxsave */
	c = nf_abs(c, 0x0f, 0xae, 1, REGION + IMG_IN);		/* fxrstor */
	c = nf_abs(c, 0, 0xff, 6, REGION + STATE + 32);	/* push flags */
	*c++ = 0x9d;						/* popfq */
	for (i = 0; i < NREGS; i++)
		if (i != 4)
			c = nf_abs(c, 0, 0x8b, i, REGION + STATE + 4 * i);
	*c++ = 0xe9;
	nf_put32(c, (uint32_t)(CODE - (c + 4 - m)));
}

static void native_epilogue(uint8_t *c)
{
	unsigned int i;

	*c++ = 0x9c;						/* pushfq */
	c = nf_abs(c, 0, 0x8f, 0, REGION + STATE + 96);
	/* pushfq; and dword [rsp], ~TF; popfq: stop single-stepping */
	memcpy(c, "\x9c\x81\x24\x24\xff\xfe\xff\xff\x9d", 9);
	c += 9;
	for (i = 0; i < NREGS; i++)
		c = nf_abs(c, 0, 0x89, i, REGION + STATE + 64 + 4 * i);
	c = nf_abs(c, 0x0f, 0xae, 0, REGION + IMG_OUT);	/* fxsave */
	c = nf_abs(c, 0x0f, 0xae, 1, REGION + HOST_FPU);	/* fxrstor */
	c = nf_abs(c, 0x48, 0x8b, 4, REGION + SAVE_RSP);	/* mov rsp, [] */
	memcpy(c, "\x41\x5f\x41\x5e\x41\x5d\x41\x5c\x5d\x5b\xc3", 11);
}

struct native_job {
	const struct seq	*seqs;		/* [n] sequences */
	struct result		*res;		/* [n] results (shared) */
	unsigned int		n;		/* sequences */
	bool			step;		/* single-step them (EFLAGS.TF) */
};

/* in the native child */
static void native_run_all(void *arg)
{
	const struct native_job *j = arg;
	uint8_t *m = (uint8_t *)(uintptr_t)REGION;
	volatile unsigned int i;

	nf_native_signals(native_sig);
	native_setup(m);
	native_stepping = j->step;
	for (i = 0; i < j->n; i++) {
		const struct seq *s = &j->seqs[i];
		struct result *r = &j->res[i];

		memcpy(m + CODE, s->code, s->len);
		native_epilogue(m + CODE + s->len);
		memcpy(m + DATA, s->data, DATA_SIZE);
		memcpy(m + IMG_IN, s->img, 512);
		memcpy(m + STATE, s->regs, sizeof(s->regs));
		{
			uint32_t fl = s->flags | (j->step ? 0x100u : 0);

			memcpy(m + STATE + 32, &fl, 4);
		}
		__builtin___clear_cache((char *)m, (char *)m + REGION_SIZE);
		native_res = r;
		r->vec = -1;
		if (!sigsetjmp(native_jb, 1)) {
			((void (*)(void))(uintptr_t)(REGION + ENTRY))();
			memcpy(r->regs, m + STATE + 64, sizeof(r->regs));
			memcpy(&r->flags, m + STATE + 96, 4);
			memcpy(r->img, m + IMG_OUT, 512);
			r->eip = s->len;
		}
		memcpy(r->data, m + DATA, DATA_SIZE);
	}
}

#include "tests/unit/x86/fpu_native_run.h"
