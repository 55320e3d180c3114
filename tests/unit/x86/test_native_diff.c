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

#include "tests/unit/x86/native_diff_gen.h"

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
 * This is a list of exclusions over what the generator emits today: an
 * instruction added to native_diff_gen.h must be checked against it.
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
	r->sig = end == -1 ? 0 : end == VEC_DE ? SIGFPE :
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
