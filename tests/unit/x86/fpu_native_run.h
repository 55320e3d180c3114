/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu_native_run.h --- interpreter side and comparison of test_fpu_native
 *
 * Included once at the end of test_fpu_native.c.
 */
#ifndef DUALVM_TESTS_FPU_NATIVE_RUN_H
#define DUALVM_TESTS_FPU_NATIVE_RUN_H

static void interp_run(struct x86_cpu *cpu, struct nf_bus *b,
		       const struct seq *s, struct result *r)
{
	struct x86_cpu_state st;
	struct x86_stop stop;
	unsigned int i;

	nf_load_code(cpu, b, REGION + CODE, s->code, s->len,
		     (const uint8_t *)"\x0f\x0b", 2);	/* ud2 ends it */
	memcpy(b->mem + DATA, s->data, DATA_SIZE);
	nf_state_flat32(&st, 0x23);
	for (i = 0; i < NREGS; i++)
		st.gpr[i] = s->regs[i];
	st.gpr[4] = REGION + 0x8000;
	st.rip = REGION + CODE;
	st.rflags = s->flags;
	st.cr0 |= X86_CR0_NE | X86_CR0_MP;
	st.cr4 = 0x600;				/* OSFXSR | OSXMMEXCPT */
	memcpy(st.fxsave, s->img, 512);
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 1000, ~0ull, &stop);
	x86_cpu_get_state(cpu, &st);
	for (i = 0; i < NREGS; i++)
		r->regs[i] = (uint32_t)st.gpr[i];
	r->flags = (uint32_t)st.rflags;
	r->eip = (uint32_t)st.rip - (REGION + CODE);
	r->vec = nf_interp_end(&stop, st.rip, REGION + CODE + s->len);
	memcpy(r->img, st.fxsave, 512);
	memcpy(r->data, b->mem + DATA, DATA_SIZE);
}

/* FXSAVE image bytes compared: not FOP, FCS, FDP, FDS, MXCSR_MASK, >= 288 */
static bool img_cmp_byte(unsigned int k)
{
	if (k == 6 || k == 7 || (k >= 12 && k < 24) || (k >= 28 && k < 32))
		return false;
	return k < 288;
}

static int first_diff(const struct seq *s, const struct result *n,
		      const struct result *i, char *what, size_t wl)
{
	unsigned int k;

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
	for (k = 0; k < 512; k++) {
		if (img_cmp_byte(k) && n->img[k] != i->img[k]) {
			snprintf(what, wl, "fxsave[%u]: native %02x interp %02x",
				 k, n->img[k], i->img[k]);
			return 1;
		}
	}
	for (k = 0; k < DATA_SIZE; k++) {
		if (!s->ign[k] && n->data[k] != i->data[k]) {
			snprintf(what, wl, "data[%d]: native %02x interp %02x",
				 (int)k - (int)DATA_BIAS, n->data[k], i->data[k]);
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

static void test_fpu_native(void)
{
	unsigned long total = nf_env_count("X86_FPU_SEQS", 100000);
	uint64_t seed0 = nf_env_count("X86_FPU_SEED", 1);
	unsigned long first = nf_env_count("X86_FPU_FIRST", 0);
	bool verbose = getenv("X86_FPU_VERBOSE") != NULL;
	struct nf_bus fb;
	struct x86_cpu *cpu;
	struct seq *seqs;
	struct result *nres, *ires;
	unsigned long done = 0, bad = 0, faults = 0, insns = 0;

	nf_map_region(REGION, REGION_SIZE);
	nf_bus_init(&fb, REGION, REGION_SIZE, &cpu);
	seqs = nf_shared(BATCH, sizeof(*seqs));
	nres = nf_shared(BATCH, sizeof(*nres));
	ires = malloc(sizeof(*ires));
	T_ASSERT(ires);

	while (done < total) {
		unsigned int n = total - done > BATCH ? BATCH : (unsigned int)(total - done);
		struct native_job j = { seqs, nres, n };
		unsigned int k;
		int status;

		for (k = 0; k < n; k++)
			gen_seq(seed0 * 1000003ull + first + done + k, &seqs[k]);
		status = nf_native_batch(native_run_all, &j);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			t_fail(__FILE__, __LINE__, "native child failed (status 0x%x)", status);
		for (k = 0; k < n; k++) {
			char what[160];

			interp_run(cpu, &fb, &seqs[k], ires);
			insns += seqs[k].ninsn;
			if (nres[k].vec >= 0)
				faults++;
			if (first_diff(&seqs[k], &nres[k], ires, what, sizeof(what)) &&
			    bad++ < 10) {
				dump(&seqs[k], what, first + done + k);
				if (verbose)
					dump_imgs(&nres[k], ires);
			}
		}
		done += n;
	}
	printf("# %lu sequences (%lu instructions), %lu ended in an exception, %lu mismatches\n",
	       done, insns, faults, bad);
	T_EQ(bad, 0);
	T_EQ(fb.stray, 0);
	nf_bus_fini(&fb, cpu);
	free(ires);
}

static const struct t_case cases[] = {
	T_CASE(test_fpu_native),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}

#endif
