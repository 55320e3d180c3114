/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu_native_run.h --- interpreter side and comparison of test_fpu_native
 *
 * Included once at the end of test_fpu_native.c.
 */
#ifndef DUALVM_TESTS_FPU_NATIVE_RUN_H
#define DUALVM_TESTS_FPU_NATIVE_RUN_H

#include "tests/unit/x86/fpu_vendor.h"

/* What the two sides must agree on, per byte, beyond the registers. */
struct fx_exp {
	struct fx_byte	img[288];		/* final FXSAVE image */
	struct fx_byte	data[DATA_SIZE];	/* data buffer */
	bool		overflow;		/* too many images to follow */
	unsigned int	known;			/* pointer fields predicted */
	unsigned int	unknown;		/* undefined on the host */
};

/* count the stored pointer fields of @fmt that are predicted or not */
static void fx_count(struct fx_exp *x, enum fx_fmt fmt,
		     const struct fx_val *nat)
{
	for (unsigned int f = 0; f < FXF_N; f++) {
		if (!fx_fmt_len[fmt][f] || (fmt == FXFMT_SIG && fx_sel(f)))
			continue;
		if (nat[f].known)
			x->known++;
		else
			x->unknown++;
	}
}

/* the test's view of the host: its pointer policy and 64-bit CS */
struct fpu_host {
	struct fx_policy	pol;		/* fx_policy_host() */
	char			vendor[13];	/* CPUID vendor string */
	uint16_t		cs;		/* the native code selector */
};

static uint32_t insn_ea(const struct x86_insn *in, const uint64_t *gpr)
{
	uint32_t ea = (uint32_t)in->disp;

	if (in->base != X86_REG_NONE)
		ea += (uint32_t)gpr[in->base];
	if (in->index != X86_REG_NONE)
		ea += (uint32_t)gpr[in->index] << in->scale;
	return ea;
}

/* feed one completed instruction (state @s0 before, @s1 after) to @m */
static void fx_event(struct fx_model *m, const struct x86_insn *in,
		     const uint64_t *gpr0, const uint8_t *s0,
		     const uint8_t *s1)
{
	bool mem = in->flags & X86_IF_MEM;
	int32_t off = mem ? (int32_t)(insn_ea(in, gpr0) - (REGION + DATA)) : 0;
	enum fx_fmt env = in->opsize == 2 ? FXFMT_ENV16 : FXFMT_ENV32;

	if (in->op == 0x1ae && mem && in->reg == 0) {
		fx_model_store(m, off, FXFMT_FX, 512, s0);	/* FXSAVE */
		return;
	}
	if (in->op == 0x1ae && mem && in->reg == 1) {
		fx_model_load(m, off, FXFMT_FX, s1);		/* FXRSTOR */
		return;
	}
	if (in->op < 0xd8 || in->op > 0xdf)
		return;			/* not x87: pointers untouched */
	if (mem) {
		switch ((in->op & 7) * 8 + in->reg) {
		case 0x0c:					/* FLDENV */
		case 0x2c:					/* FRSTOR */
			fx_model_load(m, off, env, s1);
			return;
		case 0x0e:					/* FNSTENV */
			fx_model_store(m, off, env, in->opsize == 2 ? 14 : 28,
				       s0);
			return;
		case 0x2e:					/* FNSAVE */
			fx_model_store(m, off, env, in->opsize == 2 ? 94 : 108,
				       s0);
			fx_model_init_regs(m);
			return;
		case 0x0d: case 0x0f: case 0x2f:	/* FLDCW FNSTCW FNSTSW */
			return;
		}
	} else if (in->op == 0xdb && in->modrm >= 0xe0 && in->modrm <= 0xe4) {
		if (in->modrm == 0xe3)				/* FNINIT */
			fx_model_init_regs(m);
		return;				/* FNENI FNDISI FNCLEX FNSETPM */
	} else if (in->op == 0xdf && in->modrm == 0xe0) {
		return;						/* FNSTSW AX */
	}
	fx_model_x87(m, mem, s0, s1);
}

/* turn the images @m followed into byte expectations */
static void fx_exp_build(const struct fx_model *m, const struct seq *s,
			 const struct result *r, const struct fx_policy *h,
			 struct fx_exp *x)
{
	struct fx_val fin[FXF_N];
	struct fx_byte e[512];

	for (unsigned int k = 0; k < 288; k++)
		x->img[k] = (struct fx_byte){ -2, -1, false };
	for (unsigned int k = 0; k < DATA_SIZE; k++)
		x->data[k] = (struct fx_byte){ -2, -1, false };
	x->overflow = m->overflow;
	x->known = x->unknown = 0;
	for (unsigned int k = 0; k < m->nrec; k++) {
		const struct fx_rec *rec = &m->rec[k];
		unsigned int size = rec->fmt == FXFMT_FX ? 288 : rec->size;

		fx_count(x, rec->fmt, rec->nat);
		for (unsigned int b = 0; b < size; b++)
			e[b] = (struct fx_byte){ -2, -1, false };
		fx_expect(e, rec->fmt, rec->nat, rec->can,
			  rec->fmt == FXFMT_FX, h);
		for (unsigned int b = 0; b < size; b++) {
			int32_t o = rec->off + (int32_t)b;

			if (o >= 0 && o < (int32_t)DATA_SIZE)
				x->data[o] = e[b];
		}
	}
	/* the final image: our FXSAVE, or the kernel's XSAVE64 at a fault */
	for (unsigned int f = 0; f < FXF_N; f++)
		fin[f] = fx_stored(h, f, m->nat[f], true, fx_es(r->img));
	fx_expect(x->img, r->vec >= 0 ? FXFMT_SIG : FXFMT_FX, fin, NULL,
		  true, h);
	fx_count(x, r->vec >= 0 ? FXFMT_SIG : FXFMT_FX, fin);
	(void)s;
}

/*
 * Run @s in the interpreter one instruction at a time, feeding each
 * completed instruction to the pointer model; the result in @r, the
 * expectations for the stored images in @x.
 */
static void interp_run(struct x86_cpu *cpu, struct nf_bus *b,
		       const struct seq *s, const struct fpu_host *host,
		       struct result *r, struct fx_exp *x)
{
	struct x86_cpu_state st;
	struct x86_stop stop = { .reason = X86_STOP_LIMIT };
	struct fx_model m;
	unsigned int i, n;

	nf_load_code(cpu, b, REGION + CODE, s->code, s->len,
		     (const uint8_t *)"\x0f\x0b", 2);	/* ud2 ends it */
	memcpy(b->mem + DATA, s->data, DATA_SIZE);
	nf_state_flat32(&st, host->cs);
	for (i = 0; i < NREGS; i++)
		st.gpr[i] = s->regs[i];
	st.gpr[4] = REGION + 0x8000;
	st.rip = REGION + CODE;
	st.rflags = s->flags;
	st.cr0 |= X86_CR0_NE | X86_CR0_MP;
	st.cr4 = 0x600;				/* OSFXSR | OSXMMEXCPT */
	memcpy(st.fxsave, s->img, 512);
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	fx_model_init(&m, &host->pol, s->img);
	fx_model_tick(&m, s->img);
	for (n = 0; n < 1000 && stop.reason == X86_STOP_LIMIT; n++) {
		uint32_t off = (uint32_t)st.rip - (REGION + CODE);
		uint64_t gpr0[NREGS];
		uint8_t s0[32];
		struct x86_insn in;
		bool dec;

		dec = off < s->len && x86_decode(s->code + off, s->len - off,
						 X86_DMODE_CODE32, &in) ==
			X86_DEC_OK;
		memcpy(gpr0, st.gpr, sizeof(gpr0));
		memcpy(s0, st.fxsave, sizeof(s0));
		x86_cpu_exec(cpu, 1, ~0ull, &stop);
		x86_cpu_get_state(cpu, &st);
		if (stop.reason == X86_STOP_LIMIT && dec)
			fx_event(&m, &in, gpr0, s0, st.fxsave);
		fx_model_tick(&m, st.fxsave);
	}
	for (i = 0; i < NREGS; i++)
		r->regs[i] = (uint32_t)st.gpr[i];
	r->flags = (uint32_t)st.rflags;
	r->eip = (uint32_t)st.rip - (REGION + CODE);
	r->vec = nf_interp_end(&stop, st.rip, REGION + CODE + s->len);
	memcpy(r->img, st.fxsave, 512);
	memcpy(r->data, b->mem + DATA, DATA_SIZE);
	fx_exp_build(&m, s, r, &host->pol, x);
}

/* "xx", "any" or "=" (same as the other side) for a message */
static const char *fx_want(int16_t v, char *buf)
{
	if (v == -1)
		return "any";
	if (v < 0)
		return "=";
	snprintf(buf, 4, "%02x", (unsigned int)v & 0xff);
	return buf;
}

/* one byte against its expectation; false when it does not hold */
static bool fx_byte_ok(const struct fx_byte *e, uint8_t n, uint8_t i)
{
	if (e->n == -2)
		return n == i;
	return (e->n < 0 || e->n == n || (e->or0 && n == 0)) &&
	       (e->i < 0 || e->i == i);
}

/*
 * Did the side @r stop with #GP at an LDMXCSR or FXRSTOR whose MXCSR value
 * (in *@v) only one of the two CPUs' MXCSR_MASK allows?  Loading a bit
 * that is 0 in MXCSR_MASK raises #GP (SDM vol. 1, 11.6.6); AMD's mask has
 * bit 17 (MM, the misaligned-exception mask: AMD64 APM vol. 4, LDMXCSR),
 * the canonical one does not, and CPUs without DAZ lack bit 6.
 */
static bool mxcsr_mask_differs(const struct seq *s, const struct result *r,
			       const struct fx_policy *h, uint32_t *v)
{
	struct x86_insn in;
	uint32_t ea;
	int32_t off;

	if (r->vec != 13 || r->eip >= s->len ||
	    x86_decode(s->code + r->eip, s->len - r->eip, X86_DMODE_CODE32,
		       &in) != X86_DEC_OK)
		return false;
	if (in.op != 0x1ae || !(in.flags & X86_IF_MEM) ||
	    (in.reg != 1 && in.reg != 2))
		return false;
	ea = (uint32_t)in.disp;
	if (in.base != X86_REG_NONE)
		ea += r->regs[in.base];
	if (in.index != X86_REG_NONE)
		ea += r->regs[in.index] << in.scale;
	off = (int32_t)(ea - (REGION + DATA)) + (in.reg == 1 ? 24 : 0);
	if (off < 0 || off + 4 > (int32_t)DATA_SIZE)
		return false;
	memcpy(v, r->data + off, 4);
	return !(*v & ~fx_canon.mxcsr_mask) != !(*v & ~h->mxcsr_mask);
}

/* 0: agree; 1: mismatch; 2: a documented difference stops the sequence */
static int first_diff(const struct seq *s, const struct result *n,
		      const struct result *i, const struct fx_exp *x,
		      const struct fx_policy *h, char *what, size_t wl)
{
	char b1[4], b2[4];
	unsigned int k;
	uint32_t v;

	if (x->overflow) {
		snprintf(what, wl, "more than %d stored images to follow",
			 FX_MAXREC);
		return 1;
	}
	if ((n->vec != i->vec || n->eip != i->eip) &&
	    (mxcsr_mask_differs(s, i, h, &v) ||
	     mxcsr_mask_differs(s, n, h, &v))) {
		snprintf(what, wl, "MXCSR %08x is valid on one side only", v);
		return 2;
	}
	if (n->vec != i->vec || n->eip != i->eip) {
		snprintf(what, wl, "fault: native vec %d at +%u, interp vec %d at +%u",
			 n->vec, n->eip, i->vec, i->eip);
		return 1;
	}
	for (k = 0; k < NREGS; k++) {
		if (k == 4)
			continue;
		if (n->regs[k] != i->regs[k]) {
			snprintf(what, wl, "gpr %u: native %08x interp %08x", k,
				 n->regs[k], i->regs[k]);
			return 1;
		}
	}
	if ((n->flags ^ i->flags) & FLAGS_CMP) {
		snprintf(what, wl, "eflags: native %08x interp %08x", n->flags,
			 i->flags);
		return 1;
	}
	for (k = 0; k < 288; k++) {
		if (!fx_byte_ok(&x->img[k], n->img[k], i->img[k])) {
			snprintf(what, wl, "fxsave[%u]: native %02x interp %02x (expected %s/%s)",
				 k, n->img[k], i->img[k], fx_want(x->img[k].n, b1),
				 fx_want(x->img[k].i, b2));
			return 1;
		}
	}
	for (k = 0; k < DATA_SIZE; k++) {
		if (!fx_byte_ok(&x->data[k], n->data[k], i->data[k])) {
			snprintf(what, wl, "data[%d]: native %02x interp %02x (expected %s/%s)",
				 (int)k - (int)DATA_BIAS, n->data[k],
				 i->data[k], fx_want(x->data[k].n, b1),
				 fx_want(x->data[k].i, b2));
			return 1;
		}
	}
	return 0;
}

static void dump(const struct seq *s, const char *what, unsigned long idx)
{
	unsigned int k;

	fprintf(stderr, "sequence %lu (%u insns): %s\n  code:", idx, s->ninsn, what);
	for (k = 0; k < s->len; k++)
		fprintf(stderr, " %02x", s->code[k]);
	fprintf(stderr, "\n  fcw %04x fsw %04x ftw %02x mxcsr %08x\n",
		s->img[0] | s->img[1] << 8, s->img[2] | s->img[3] << 8, s->img[4],
		(unsigned int)(s->img[24] | s->img[25] << 8 | s->img[26] << 16));
}

static void dump_imgs(const struct result *n, const struct result *i)
{
	for (unsigned int k = 0; k < 288; k += 16) {
		fprintf(stderr, "  %3u N:", k);
		for (unsigned int j = 0; j < 16; j++)
			fprintf(stderr, " %02x", n->img[k + j]);
		fprintf(stderr, "\n      I:");
		for (unsigned int j = 0; j < 16; j++)
			fprintf(stderr, " %02x", i->img[k + j]);
		fprintf(stderr, "\n");
	}
}

#define BATCH 2000

/*
 * @step: single-step every sequence natively (EFLAGS.TF), so that the
 * kernel saves and restores the FPU state between every two instructions,
 * as a preemption may at any point (fx_model_tick()).
 */
static void fpu_native(bool step)
{
	unsigned long total = step ? nf_env_count("X86_FPU_STEP_SEQS", 5000) :
				     nf_env_count("X86_FPU_SEQS", 100000);
	uint64_t seed0 = nf_env_count("X86_FPU_SEED", 1);
	unsigned long first = nf_env_count("X86_FPU_FIRST", step ? 1000000 : 0);
	bool verbose = getenv("X86_FPU_VERBOSE") != NULL;
	struct fpu_host host;
	struct nf_bus fb;
	struct x86_cpu *cpu;
	struct seq *seqs;
	struct result *nres, *ires;
	struct fx_exp *exp;
	unsigned long done = 0, bad = 0, faults = 0, insns = 0;
	unsigned long known = 0, unknown = 0, mxdiff = 0;

	fx_policy_host(&host.pol, host.vendor);
	__asm__ volatile("mov %%cs, %0" : "=r"(host.cs));
	nf_map_region(REGION, REGION_SIZE);
	nf_bus_init(&fb, REGION, REGION_SIZE, &cpu);
	seqs = nf_shared(BATCH, sizeof(*seqs));
	nres = nf_shared(BATCH, sizeof(*nres));
	ires = malloc(sizeof(*ires));
	exp = malloc(sizeof(*exp));
	T_ASSERT(ires && exp);

	while (done < total) {
		unsigned int n = total - done > BATCH ? BATCH : (unsigned int)(total - done);
		struct native_job j = { seqs, nres, n, step };
		unsigned int k;
		int status;

		for (k = 0; k < n; k++)
			gen_seq(seed0 * 1000003ull + first + done + k, &seqs[k]);
		status = nf_native_batch(native_run_all, &j);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			t_fail(__FILE__, __LINE__, "native child failed (status 0x%x)", status);
		for (k = 0; k < n; k++) {
			char what[160];
			int d;

			interp_run(cpu, &fb, &seqs[k], &host, ires, exp);
			insns += seqs[k].ninsn;
			known += exp->known;
			unknown += exp->unknown;
			if (nres[k].vec >= 0)
				faults++;
			d = first_diff(&seqs[k], &nres[k], ires, exp, &host.pol,
				       what, sizeof(what));
			if (d == 2 && verbose)
				dump(&seqs[k], what, first + done + k);
			mxdiff += d == 2;
			if (d == 1 && bad++ < 10) {
				dump(&seqs[k], what, first + done + k);
				if (verbose)
					dump_imgs(&nres[k], ires);
			}
		}
		done += n;
	}
	printf("# %lu sequences (%lu instructions), %lu ended in an exception, %lu mismatches\n",
	       done, insns, faults, bad);
	printf("# host %s: FXSAVE pointers %s, FXRSTOR %s, FOP %s, FDP %s%s%s, MXCSR_MASK %08x (canonical %08x)\n",
	       host.vendor, host.pol.fxsave_es_only ? "only with FSW.ES" : "always",
	       host.pol.fxrstor_es_only ? "only with FSW.ES" : "always",
	       host.pol.fop_excptn_only ? "only on unmasked exceptions" : "always",
	       host.pol.fdp_excptn_only ? "only on unmasked exceptions" : "always",
	       host.pol.fdp_undef_no_mem ? ", undefined after non-memory ones" : "",
	       host.pol.zero_fcs_fds ? ", FCS/FDS stored as 0" : "",
	       host.pol.mxcsr_mask, fx_canon.mxcsr_mask);
	printf("# x87 pointer fields in stored images: %lu compared with the host's documented value, %lu undefined on this host\n",
	       known, unknown);
	printf("# %lu sequences stopped comparing at an MXCSR value only one of the two MXCSR_MASKs allows\n",
	       mxdiff);
	if (step)
		printf("# single-stepped natively: the kernel saved and restored the FPU state after every instruction\n");
	T_EQ(bad, 0);
	T_EQ(fb.stray, 0);
	nf_bus_fini(&fb, cpu);
	free(ires);
	free(exp);
}

static void test_fpu_native(void)
{
	fpu_native(false);
}

static void test_fpu_native_preempted(void)
{
	fpu_native(true);
}

static const struct t_case cases[] = {
	T_CASE(test_fpu_native),
	T_CASE(test_fpu_native_preempted),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}

#endif
