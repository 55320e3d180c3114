// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_native_diff64.c --- differential test: 64-bit interpreter vs the host
 *
 * Random user-level instruction sequences with REX prefixes and 64-bit
 * operands (native_diff_gen64.h: ALU, shifts/rotates, MUL/DIV with #DE,
 * REP string instructions, bit operations, POPCNT, CRC32, CMOV/SETcc/Jcc,
 * CMPXCHG/CMPXCHG16B/XADD/XCHG/BSWAP, MOVSXD, LEA, CDQE/CQO, MOV r64,
 * imm64, moffs64, PUSH/POP, RIP-relative operands, ...) with random values
 * in all sixteen registers, random flags and a random data buffer run
 * natively on the host CPU in 64-bit mode, in a forked child, code and data
 * at a fixed address below 4 GiB, and in the interpreter in IA-32e 64-bit
 * mode at CPL 3 (4-level paging mapping the same addresses with a 2 MiB
 * page, over a fake machine_bus).  The sixteen 64-bit registers, EFLAGS
 * (minus the flags the SDM leaves undefined for the instructions executed,
 * canon.h) and the data buffer must agree; a #DE must happen at the same
 * instruction with the same state.  Every x86-64 host runs it.
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

#define REGION		0x20000000u	/* fixed low address, 2 MiB aligned */
#define REGION_SIZE	0x20000u
#define ENTRY		0x0000u		/* 64-bit: save, load state, jump */
#define BACK		0x0200u		/* 64-bit: restore, return to C */
#define CODE		0x1000u		/* the sequence under test */
#define DATA		0x8000u		/* compared data buffer */
#define DATA_SIZE	1024u
#define STACK_TOP	0xc000u
#define STATE		0xf000u		/* regs in (0), flags (128), out (256, 384) */
#define SAVE_RSP	0xf400u
#define PT		0x10000u	/* the interpreter's page tables */

#define NREGS		16
#define VEC_DE		0		/* divide error */
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
	uint8_t		code[320];	/* instruction bytes */
	uint16_t	len;		/* bytes */
	uint16_t	ninsn;		/* instructions */
	uint64_t	regs[NREGS];	/* initial registers */
	uint32_t	flags;		/* initial RFLAGS */
	uint32_t	undef;		/* flags undefined at the end */
	uint8_t		nfp;		/* fault points recorded */
	uint16_t	fp_off[16];	/* offsets of instructions that may #DE */
	uint16_t	fp_undef[16];	/* flags undefined before each of them */
	uint8_t		data[DATA_SIZE];	/* initial data buffer */
};

struct result {
	uint64_t	regs[NREGS];	/* final registers (at the fault) */
	uint32_t	flags;		/* final RFLAGS */
	uint64_t	rip;		/* RIP of the fault, or end of code */
	int		sig;		/* 0, SIGFPE (#DE) or another signal */
	uint8_t		data[DATA_SIZE];	/* final data buffer */
};

#include "tests/unit/x86/native_diff_gen64.h"

/* ------------------------------------------------------------ native */

static sigjmp_buf native_jb;
static volatile struct result *native_res;

static const int greg_of[NREGS] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static void native_sig(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;

	(void)si;
	for (int i = 0; i < NREGS; i++)
		native_res->regs[i] = (uint64_t)uc->uc_mcontext.gregs[greg_of[i]];
	native_res->flags = (uint32_t)uc->uc_mcontext.gregs[REG_EFL];
	native_res->rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	native_res->sig = sig;
	siglongjmp(native_jb, 1);
}

/* mov r64, [abs32] (@load) or mov [abs32], r64 */
static uint8_t *mov_abs(uint8_t *c, bool load, unsigned int r, uint32_t addr)
{
	return nf_abs(c, (uint8_t)(0x48 | (r >> 3) << 2), load ? 0x8b : 0x89,
		      r & 7, addr);
}

static void native_setup(uint8_t *m)
{
	uint8_t *c = m + ENTRY;
	unsigned int i;

	memcpy(c, "\x53\x55\x41\x54\x41\x55\x41\x56\x41\x57", 10);	/* push */
	c = nf_abs(c + 10, 0x48, 0x89, 4, REGION + SAVE_RSP);
	c = nf_abs(c, 0, 0xff, 6, REGION + STATE + 128);	/* push flags */
	*c++ = 0x9d;						/* popfq */
	for (i = 0; i < NREGS; i++)
		if (i != 4)
			c = mov_abs(c, true, i, REGION + STATE + 8 * i);
	c = mov_abs(c, true, 4, REGION + STATE + 32);		/* rsp last */
	*c++ = 0xe9;
	nf_put32(c, (uint32_t)(CODE - (c + 4 - m)));
	/* back: mov rsp, [SAVE_RSP]; pop r15-r12, rbp, rbx; ret */
	c = nf_abs(m + BACK, 0x48, 0x8b, 4, REGION + SAVE_RSP);
	memcpy(c, "\x41\x5f\x41\x5e\x41\x5d\x41\x5c\x5d\x5b\xc3", 11);
}

/* after the code: store registers and flags, jump back */
static void native_epilogue(uint8_t *m, uint8_t *c)
{
	unsigned int i;

	for (i = 0; i < NREGS; i++)
		c = mov_abs(c, false, i, REGION + STATE + 256 + 8 * i);
	*c++ = 0x9c;					/* pushfq; pop [] */
	c = nf_abs(c, 0, 0x8f, 0, REGION + STATE + 384);
	*c++ = 0xe9;
	nf_put32(c, (uint32_t)(BACK - (c + 4 - m)));
}

struct native_job {
	const struct seq	*seqs;		/* [n] sequences */
	struct result		*res;		/* [n] results (shared) */
	unsigned int		n;		/* sequences */
};

/* in the native child */
static void native_run_all(void *arg)
{
	const struct native_job *j = arg;
	uint8_t *m = (uint8_t *)(uintptr_t)REGION;
	volatile unsigned int i;

	nf_native_signals(native_sig);
	native_setup(m);
	for (i = 0; i < j->n; i++) {
		const struct seq *s = &j->seqs[i];
		volatile struct result *r = &j->res[i];

		memcpy(m + CODE, s->code, s->len);
		native_epilogue(m, m + CODE + s->len);
		memcpy(m + DATA, s->data, DATA_SIZE);
		memcpy(m + STATE, s->regs, sizeof(s->regs));
		memcpy(m + STATE + 128, &s->flags, 4);
		memset(m + STATE + 132, 0, 4);
		__builtin___clear_cache((char *)m, (char *)m + REGION_SIZE);
		native_res = r;
		r->sig = 0;
		if (!sigsetjmp(native_jb, 1)) {
			((void (*)(void))(uintptr_t)(REGION + ENTRY))();
			memcpy((void *)r->regs, m + STATE + 256, sizeof(r->regs));
			memcpy((void *)&r->flags, m + STATE + 384, 4);
			r->rip = REGION + CODE + s->len;
		}
		memcpy((void *)r->data, m + DATA, DATA_SIZE);
	}
}

/* ------------------------------------------------------------ interpreter */

/* 4-level page tables at PT mapping the region with one 2 MiB user page */
static void build_pages(struct nf_bus *b)
{
	uint8_t *pt = b->mem + PT;
	uint64_t e;

	memset(pt, 0, 0x3000);
	e = REGION + PT + 0x1000 + 7;
	memcpy(pt, &e, 8);				/* PML4[0] */
	e = REGION + PT + 0x2000 + 7;
	memcpy(pt + 0x1000, &e, 8);			/* PDPT[0] */
	e = REGION | 0x87;				/* 2 MiB, U, W, P */
	memcpy(pt + 0x2000 + 8 * (REGION >> 21), &e, 8);
}

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
	build_pages(b);
	nf_state_long64(&st, REGION + PT);
	for (i = 0; i < NREGS; i++)
		st.gpr[i] = s->regs[i];
	st.rip = REGION + CODE;
	st.rflags = s->flags;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 100000, ~0ull, &stop);
	x86_cpu_get_state(cpu, &st);
	for (i = 0; i < NREGS; i++)
		r->regs[i] = st.gpr[i];
	r->flags = (uint32_t)st.rflags;
	r->rip = st.rip;
	end = nf_interp_end(&stop, st.rip, REGION + CODE + s->len);
	r->sig = end == -1 ? 0 : end == VEC_DE ? SIGFPE :
		 end >= 0 ? 1000 + end : -1;
	memcpy(r->data, b->mem + DATA, DATA_SIZE);
}

static void dump(const struct seq *s, const struct result *n,
		 const struct result *i, unsigned long idx)
{
	fprintf(stderr, "sequence %lu (%u insns, undef flags %03x):", idx,
		s->ninsn, s->undef);
	for (unsigned int k = 0; k < s->len; k++)
		fprintf(stderr, " %02x", s->code[k]);
	fprintf(stderr, "\n  init:");
	for (unsigned int k = 0; k < NREGS; k++)
		fprintf(stderr, " r%u=%016llx", k, (unsigned long long)s->regs[k]);
	fprintf(stderr, " fl=%08x\n  native: sig %d rip +%llx fl %08x\n  interp: sig %d rip +%llx fl %08x\n",
		s->flags, n->sig, (unsigned long long)(n->rip - REGION - CODE),
		n->flags, i->sig, (unsigned long long)(i->rip - REGION - CODE),
		i->flags);
	for (unsigned int k = 0; k < NREGS; k++)
		if (n->regs[k] != i->regs[k])
			fprintf(stderr, "  r%u: native %016llx interp %016llx\n", k,
				(unsigned long long)n->regs[k],
				(unsigned long long)i->regs[k]);
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

	if (n->sig != i->sig || n->rip != i->rip)
		return false;
	if (n->sig) {
		unsigned int k;

		for (k = 0; k < s->nfp; k++)
			if (REGION + CODE + s->fp_off[k] == n->rip)
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

static void test_native_diff64(void)
{
	unsigned long total = nf_env_count("X86_DIFF_SEQS", 100000);
	uint64_t seed0 = nf_env_count("X86_DIFF_SEED", 1);
	unsigned long done = 0, bad = 0, faults = 0;
	struct nf_bus fb;
	struct x86_cpu *cpu;
	struct seq *seqs;
	struct result *nres, ires;

	nf_map_region(REGION, REGION_SIZE);
	nf_bus_init(&fb, REGION, REGION_SIZE, &cpu);
	seqs = nf_shared(BATCH, sizeof(*seqs));
	nres = nf_shared(BATCH, sizeof(*nres));
	while (done < total) {
		unsigned int n = 0, k;
		struct native_job j = { seqs, nres, 0 };
		int status;

		while (n < BATCH && done + n < total) {
			gen_seq(seed0 * 1000003ull + done + n, &seqs[n]);
			n++;
		}
		j.n = n;
		status = nf_native_batch(native_run_all, &j);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			t_fail(__FILE__, __LINE__, "native child failed (status 0x%x)",
			       status);
		for (k = 0; k < n; k++) {
			interp_run(cpu, &fb, &seqs[k], &ires);
			faults += ires.sig == SIGFPE;
			if (nres[k].sig && nres[k].sig != SIGFPE) {
				if (bad++ < 5) {
					fprintf(stderr, "native fault %d (generator bug)\n",
						nres[k].sig);
					dump(&seqs[k], &nres[k], &ires, done + k);
				}
				continue;
			}
			if (!same(&seqs[k], &nres[k], &ires) && bad++ < 10)
				dump(&seqs[k], &nres[k], &ires, done + k);
		}
		done += n;
	}
	printf("# %lu 64-bit sequences, %lu ended in #DE; native 64-bit mode: %lu mismatches\n",
	       done, faults, bad);
	T_EQ(fb.stray, 0);
	nf_bus_fini(&fb, cpu);
	T_EQ(bad, 0);
}

static const struct t_case cases[] = {
	T_CASE(test_native_diff64),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
