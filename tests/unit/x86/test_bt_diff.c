// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bt_diff.c --- differential test: binary translator vs. interpreter
 *
 * The random user-level instruction sequences of test_native_diff (the
 * same generator, native_diff_gen.h, and the same seeds: sequence i of
 * seed S is gen_seq(S * 1000003 + i)) run on CPUs built the same way over
 * the same fake machine_bus (native_fixture.h) in flat 32-bit protected
 * mode, from RAM so that the translator really translates them:
 *   - "interp", the plain interpreter: the reference;
 *   - "bt", the same CPU with the binary translator attached
 *     (x86_bt_attach());
 *   - "lockstep", the translator in DUALVM_BT_LOCKSTEP=1 mode, which runs
 *     every block translated and interpreted from the same state and stops
 *     with X86_STOP_ERROR "bt lockstep: ..." at the first difference, so
 *     a difference is pinpointed to a block; it runs every LOCKSTEP_EVERY-th
 *     sequence.
 * Four modes, one test case each, all with a flat 32-bit CS (the only
 * code the translator runs): CPL 3 with flat data segments (as
 * test_native_diff); CPL 0 (kernel segments: the translator keys its
 * blocks and data TLB on the privilege); CPL 3 with DS, ES and SS based
 * at SEG_BASE (the translator adds a segment base in its code); CPL 3
 * with 4 KiB paging (its data TLB fills walk the page tables, which set
 * the accessed and dirty bits: compared as RAM).  No host-CPU execution
 * is involved, so every x86-64 host with BMI2 (what the translator needs)
 * runs it.
 *
 * Compared exactly, for each sequence and translator CPU: all eight GPRs,
 * EIP, the whole EFLAGS (the translator translates an instruction whose
 * flags the SDM leaves undefined only where they are dead or the host
 * computes them as the interpreter does: translate.c), why the run
 * stopped (the UD2 after the sequence, a #DE or any other exception with
 * its vector and error code), the instructions retired, and the whole RAM
 * (code, data buffer, stack and everything a stray store could hit).
 * Every sequence starts from the same RAM on every CPU: its code and a
 * zeroed tail over the code area, its data buffer, a zeroed stack page
 * and, with paging, fresh page tables.
 *
 * The translator's own counters (vmm/bt/bt.h) show that the "bt" CPU ran
 * translated blocks and not just the interpreter; the test fails if it
 * did not.  Env: X86_BT_DIFF_FIRST (the first sequence number, default 0:
 * repeat one with X86_BT_DIFF_SEQS=1), X86_BT_DIFF_SEQS (default 100000), X86_BT_DIFF_SEED
 * (default 1, as X86_DIFF_SEED).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "vmm/bt/bt.h"
#include "vmm/x86/x86.h"

#define REGION		0x10000000u	/* the RAM, as test_native_diff */
#define REGION_SIZE	0x20000u
#define CODE		0x1000u		/* the sequence under test */
#define CODE_MAX	0x800u		/* code area reset before each */
#define DATA		0x8000u		/* the data buffer */
#define DATA_SIZE	1024u
#define STACK_TOP	0xc000u
#define STACK_PAGE	(STACK_TOP - 0x1000u)
#define SEG_BASE	0x10000u	/* DS/ES/SS base of the "based" runs */
#define PD		0x1e000u	/* page directory of the paging runs */
#define PT		0x1f000u	/* its page table: all of the RAM */

#define NREGS		8
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

#define LOCKSTEP_EVERY	4	/* sequences per lockstep run */
#define MAX_INSNS	100000	/* per run: sequences retire < 200 */
#define MAX_DUMPS	10	/* mismatches printed per CPU */

#include "tests/unit/x86/native_fixture.h"

/* what native_diff_gen.h fills in (the layout of test_native_diff.c's) */
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

#include "tests/unit/x86/native_diff_gen.h"

/* the end of a run; memset before filling: compared with memcmp */
struct result {
	uint32_t	regs[NREGS];
	uint32_t	eflags;
	uint32_t	eip;
	uint32_t	reason;		/* X86_STOP_* */
	uint32_t	vector;		/* for X86_STOP_EXCEPTION */
	uint32_t	has_error;
	uint32_t	error_code;
	uint64_t	insns;		/* instructions retired */
};

/* the mode the sequences run in */
struct mode {
	const char	*name;
	unsigned int	cpl;		/* 3 or 0 */
	uint32_t	seg_base;	/* of DS, ES and SS: 0 or SEG_BASE */
	bool		paging;		/* 4 KiB pages (PD, PT), else none */
};

enum { E_INTERP, E_BT, E_LOCKSTEP, E_COUNT };

static const char *const engine_name[E_COUNT] = { "interp", "bt", "lockstep" };

struct engine {
	struct nf_bus	fb;		/* its RAM */
	struct x86_cpu	*cpu;
	struct result	res;		/* of the last run */
	char		msg[160];	/* its stop message (X86_STOP_ERROR) */
	unsigned long	runs;		/* sequences run */
	unsigned long	bad;		/* of them different from interp */
};

static const char *const reg_names[NREGS] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
};

/* the CPU of @e with the translator attached, lockstep or not */
static void engine_bt(struct engine *e, bool lockstep)
{
	char why[256];

	if (lockstep)
		T_ASSERT(setenv("DUALVM_BT_LOCKSTEP", "1", 1) == 0);
	else
		unsetenv("DUALVM_BT_LOCKSTEP");
	if (x86_bt_attach(e->cpu, why, sizeof(why)))
		t_fail(__FILE__, __LINE__, "x86_bt_attach: %s", why);
	unsetenv("DUALVM_BT_LOCKSTEP");
	T_ASSERT(((struct bt *)e->cpu->bt)->lockstep == lockstep);
}

/*
 * 32-bit protected mode with a flat CS (what the translator runs) in
 * mode @m: test_native_diff's state at CPL 3, kernel segments at CPL 0;
 * a base on the data segments; paging over @mem's PD and PT, reset to
 * entries with A and D clear (the runs set them: compared with the RAM).
 */
static void state_mode(struct x86_cpu_state *st, const struct mode *m,
		       uint8_t *mem)
{
	unsigned int i;

	nf_state_flat32(st, 0x23);
	if (m->cpl == 0) {
		nf_flat(&st->seg[X86_CS], 0x08, 0xc09b);
		nf_flat(&st->seg[X86_SS], 0x10, 0xc093);
		nf_flat(&st->seg[X86_DS], 0x10, 0xc093);
		nf_flat(&st->seg[X86_ES], 0x10, 0xc093);
	}
	st->seg[X86_SS].base = m->seg_base;
	st->seg[X86_DS].base = m->seg_base;
	st->seg[X86_ES].base = m->seg_base;
	if (!m->paging)
		return;
	memset(mem + PD, 0, 0x2000);
	nf_put32(mem + PD + 4 * (REGION >> 22), REGION + PT + 7);	/* P W U */
	for (i = 0; i < REGION_SIZE >> 12; i++)
		nf_put32(mem + PT + 4 * (((REGION >> 12) + i) & 1023),
			 REGION + (i << 12) + 7);
	st->cr3 = REGION + PD;
	st->cr0 |= X86_CR0_PG;
}

/* run @s on @e in mode @m from the common starting RAM and state */
static void engine_run(struct engine *e, const struct seq *s,
		       const struct mode *m)
{
	uint8_t *mem = e->fb.mem;
	struct x86_cpu_state st;
	struct x86_stop stop;
	unsigned int i;

	memset(mem + CODE, 0, CODE_MAX);
	memcpy(mem + CODE, s->code, s->len);
	memcpy(mem + CODE + s->len, "\x0f\x0b", 2);	/* ud2 ends it */
	x86_cpu_mem_written(e->cpu, REGION + CODE, CODE_MAX);
	memcpy(mem + m->seg_base + DATA, s->data, DATA_SIZE);
	memset(mem + m->seg_base + STACK_PAGE, 0, 0x1000);
	state_mode(&st, m, mem);
	for (i = 0; i < NREGS; i++)
		st.gpr[i] = s->regs[i];
	st.rip = REGION + CODE;
	st.rflags = s->flags;
	T_ASSERT(x86_cpu_set_state(e->cpu, &st) == 0);
	memset(&stop, 0, sizeof(stop));
	x86_cpu_exec(e->cpu, MAX_INSNS, ~0ull, &stop);
	x86_cpu_get_state(e->cpu, &st);

	memset(&e->res, 0, sizeof(e->res));
	for (i = 0; i < NREGS; i++)
		e->res.regs[i] = (uint32_t)st.gpr[i];
	e->res.eflags = (uint32_t)st.rflags;
	e->res.eip = (uint32_t)st.rip;
	e->res.reason = stop.reason;
	if (stop.reason == X86_STOP_EXCEPTION) {
		e->res.vector = stop.vector;
		e->res.has_error = stop.has_error;
		e->res.error_code = stop.has_error ? stop.error_code : 0;
	}
	e->res.insns = stop.insns;
	snprintf(e->msg, sizeof(e->msg), "%s",
		 stop.reason == X86_STOP_ERROR ? stop.msg : "");
	e->runs++;
}

static void dump(const struct seq *s, unsigned long idx, uint64_t seed,
		 const struct mode *m, const struct engine *ref,
		 const struct engine *e, unsigned int which)
{
	const struct result *a = &ref->res, *b = &e->res;
	unsigned int k, shown = 0;

	fprintf(stderr, "X86_BT_DIFF_SEED=%llu sequence %lu, %s, %s differs from interp (%u insns):",
		(unsigned long long)seed, idx, m->name, engine_name[which],
		s->ninsn);
	for (k = 0; k < s->len; k++)
		fprintf(stderr, " %02x", s->code[k]);
	fprintf(stderr, "\n  init:");
	for (k = 0; k < NREGS; k++)
		fprintf(stderr, " %s=%08x", reg_names[k], s->regs[k]);
	fprintf(stderr, " eflags=%08x\n", s->flags);
	fprintf(stderr, "  interp: stop %u vector %u error %u/%x eip +%x eflags %08x insns %llu\n",
		a->reason, a->vector, a->has_error, a->error_code,
		a->eip - REGION - CODE, a->eflags, (unsigned long long)a->insns);
	fprintf(stderr, "  %s: stop %u vector %u error %u/%x eip +%x eflags %08x insns %llu%s%s\n",
		engine_name[which], b->reason, b->vector, b->has_error,
		b->error_code, b->eip - REGION - CODE, b->eflags,
		(unsigned long long)b->insns, e->msg[0] ? ": " : "", e->msg);
	if (which == E_LOCKSTEP && b->reason != X86_STOP_ERROR)
		fprintf(stderr, "  (lockstep found every block equal to its interpretation: the interpreter under lockstep, which makes every store take the slow path, ended differently from the plain one)\n");
	for (k = 0; k < NREGS; k++)
		if (a->regs[k] != b->regs[k])
			fprintf(stderr, "  %s: interp %08x %s %08x\n", reg_names[k],
				a->regs[k], engine_name[which], b->regs[k]);
	for (k = 0; k < REGION_SIZE && shown < 8; k++)
		if (ref->fb.mem[k] != e->fb.mem[k]) {
			fprintf(stderr, "  memory %08x: interp %02x %s %02x\n",
				REGION + k, ref->fb.mem[k], engine_name[which],
				e->fb.mem[k]);
			shown++;
		}
}

/* the translator's counters of the "bt" CPU (vmm/bt/bt.h) */
struct bt_count {
	uint64_t	enter, step, helper, translate, groups;
};

static void bt_count(const struct engine *e, struct bt_count *n)
{
	const struct bt *b = e->cpu->bt;

	n->enter = b->n_enter;
	n->step = b->n_step;
	n->helper = b->n_helper;
	n->translate = b->n_translate;
	n->groups = b->n_groups;
}

/*
 * Every sequence on interp, bt and (every LOCKSTEP_EVERY-th) lockstep in
 * mode @m; the translator CPUs' results must equal interp's.
 */
static void bt_diff(const struct mode *m)
{
	unsigned long total = nf_env_count("X86_BT_DIFF_SEQS", 100000);
	uint64_t seed = nf_env_count("X86_BT_DIFF_SEED", 1);
	struct engine eng[E_COUNT];
	struct bt_count c0, c1;
	unsigned long first = nf_env_count("X86_BT_DIFF_FIRST", 0);
	unsigned long i, with_block = 0, faults = 0;
	uint64_t insns = 0;
	struct seq s;
	char why[256];
	unsigned int k;

	if (!x86_bt_available(why, sizeof(why)))
		T_SKIP("%s", why);
	memset(eng, 0, sizeof(eng));
	for (k = 0; k < E_COUNT; k++)
		nf_bus_init(&eng[k].fb, REGION, REGION_SIZE, &eng[k].cpu);
	engine_bt(&eng[E_BT], false);
	engine_bt(&eng[E_LOCKSTEP], true);

	for (i = first; i < first + total; i++) {
		gen_seq(seed * 1000003ull + i, &s);
		bt_count(&eng[E_BT], &c0);
		for (k = 0; k < E_COUNT; k++) {
			struct engine *e = &eng[k];

			if (k == E_LOCKSTEP && i % LOCKSTEP_EVERY)
				continue;
			engine_run(e, &s, m);
			if (k == E_INTERP)
				continue;
			if (!memcmp(&e->res, &eng[E_INTERP].res, sizeof(e->res)) &&
			    !memcmp(e->fb.mem, eng[E_INTERP].fb.mem, REGION_SIZE))
				continue;
			if (e->bad++ < MAX_DUMPS)
				dump(&s, i, seed, m, &eng[E_INTERP], e, k);
			/* start the next one from interp's RAM again */
			memcpy(e->fb.mem, eng[E_INTERP].fb.mem, REGION_SIZE);
			x86_cpu_mem_written(e->cpu, REGION, REGION_SIZE);
		}
		bt_count(&eng[E_BT], &c1);
		with_block += c1.enter > c0.enter;
		insns += eng[E_INTERP].res.insns;
		faults += eng[E_INTERP].res.reason == X86_STOP_EXCEPTION &&
			  eng[E_INTERP].res.vector == 0;
	}

	bt_count(&eng[E_BT], &c1);
	printf("# %s, seed %llu: %lu sequences (%lu ended in #DE, %llu instructions); bt ran translated blocks in %lu of them: %llu block runs, %llu translations (%llu probe groups), %llu instructions interpreted by its run loop, %llu in-line interpreter calls\n",
	       m->name, (unsigned long long)seed, total, faults,
	       (unsigned long long)insns, with_block,
	       (unsigned long long)c1.enter, (unsigned long long)c1.translate,
	       (unsigned long long)c1.groups, (unsigned long long)c1.step, (unsigned long long)c1.helper);
	printf("# mismatches: bt %lu of %lu, lockstep %lu of %lu\n",
	       eng[E_BT].bad, eng[E_BT].runs, eng[E_LOCKSTEP].bad,
	       eng[E_LOCKSTEP].runs);
	/* paging was on: the interpreter set the code page's accessed bit */
	if (m->paging && total)
		T_ASSERT(eng[E_INTERP].fb.mem[PT + 4 * ((REGION + CODE) >> 12 & 1023)] & 0x20);
	for (k = 0; k < E_COUNT; k++) {
		T_EQ(eng[k].fb.stray, 0);
		nf_bus_fini(&eng[k].fb, eng[k].cpu);
	}
	for (k = E_BT; k < E_COUNT; k++)
		if (eng[k].bad)
			t_fail(__FILE__, __LINE__, "%s: %lu of %lu sequences ended differently on %s than on interp (the first %u on stderr)",
			       m->name, eng[k].bad, eng[k].runs, engine_name[k],
			       MAX_DUMPS);
	/* the translator translated and ran most sequences, not the
	 * interpreter alone */
	T_ASSERT(total == 0 || with_block * 2 > total);
	/* and some blocks shared one probe among several accesses */
	T_ASSERT(total < 1000 || c1.groups > 0);
}

static void test_bt_diff_user(void)
{
	static const struct mode m = { "CPL 3, flat", 3, 0, false };

	bt_diff(&m);
}

static void test_bt_diff_kernel(void)
{
	static const struct mode m = { "CPL 0, flat", 0, 0, false };

	bt_diff(&m);
}

/* DS, ES and SS with a base: the translator adds it in its code */
static void test_bt_diff_seg_base(void)
{
	static const struct mode m = {
		"CPL 3, data segments based at 0x10000", 3, SEG_BASE, false,
	};

	bt_diff(&m);
}

/* paging: the translator's data TLB fills walk the page tables */
static void test_bt_diff_paging(void)
{
	static const struct mode m = { "CPL 3, paging", 3, 0, true };

	bt_diff(&m);
}

static const struct t_case cases[] = {
	T_CASE(test_bt_diff_user),
	T_CASE(test_bt_diff_kernel),
	T_CASE(test_bt_diff_seg_base),
	T_CASE(test_bt_diff_paging),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
