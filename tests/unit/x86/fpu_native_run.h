/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu_native_run.h --- interpreter side and comparison of test_fpu_native
 *
 * Included once at the end of test_fpu_native.c.
 */
#ifndef DUALVM_TESTS_FPU_NATIVE_RUN_H
#define DUALVM_TESTS_FPU_NATIVE_RUN_H

struct fakebus {
	uint8_t		*mem;		/* REGION_SIZE bytes at gpa REGION */
	int		stray;		/* accesses outside the region */
};

static uint8_t *fb_page(void *o, uint64_t gpa, bool w)
{
	struct fakebus *fb = o;

	(void)w;
	if (gpa >= REGION && gpa < REGION + REGION_SIZE)
		return fb->mem + ((gpa - REGION) & ~0xfffull);
	return NULL;
}

static uint64_t fb_mmio_read(void *o, uint64_t gpa, unsigned int size)
{
	(void)gpa; (void)size;
	((struct fakebus *)o)->stray++;
	return ~0ull;
}

static void fb_mmio_write(void *o, uint64_t gpa, uint64_t v, unsigned int size)
{
	(void)gpa; (void)v; (void)size;
	((struct fakebus *)o)->stray++;
}

static uint64_t fb_pio_read(void *o, uint16_t port, unsigned int size)
{
	(void)o; (void)port; (void)size;
	return ~0ull;
}

static void fb_pio_write(void *o, uint16_t port, uint64_t v, unsigned int size)
{
	(void)o; (void)port; (void)v; (void)size;
}

static bool fb_false(void *o)
{
	(void)o;
	return false;
}

static uint8_t fb_ack(void *o)
{
	(void)o;
	return 0;
}

static uint64_t fb_now(void *o)
{
	(void)o;
	return 0;
}

static void fb_reset(void *o)
{
	(void)o;
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
	st.gpr[4] = REGION + 0x8000;
	st.rip = REGION + CODE;
	st.rflags = s->flags;
	flat(&st.seg[X86_CS], 0x23, 0xc0fb);
	flat(&st.seg[X86_SS], 0x2b, 0xc0f3);
	flat(&st.seg[X86_DS], 0x2b, 0xc0f3);
	flat(&st.seg[X86_ES], 0x2b, 0xc0f3);
	st.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_MP;
	st.cr4 = 0x600;				/* OSFXSR | OSXMMEXCPT */
	st.tr.attr = 0x8b;
	memcpy(st.fxsave, s->img, 512);
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 1000, ~0ull, &stop);
	x86_cpu_get_state(cpu, &st);
	for (i = 0; i < NREGS; i++)
		r->regs[i] = (uint32_t)st.gpr[i];
	r->flags = (uint32_t)st.rflags;
	r->eip = (uint32_t)st.rip - (REGION + CODE);
	r->vec = -2;
	if (stop.reason == X86_STOP_EXCEPTION && stop.vector == 6 &&
	    r->eip == s->len)
		r->vec = -1;
	else if (stop.reason == X86_STOP_EXCEPTION)
		r->vec = stop.vector;
	else if (stop.reason == X86_STOP_ERROR)
		fprintf(stderr, "interp error: %s\n", stop.msg);
	memcpy(r->img, st.fxsave, 512);
	memcpy(r->data, fb->mem + DATA, DATA_SIZE);
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

static unsigned long env_count(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : def;
}

#define BATCH 2000

static void test_fpu_native(void)
{
	unsigned long total = env_count("X86_FPU_SEQS", 100000);
	uint64_t seed0 = env_count("X86_FPU_SEED", 1);
	unsigned long first = env_count("X86_FPU_FIRST", 0);
	bool verbose = getenv("X86_FPU_VERBOSE") != NULL;
	struct machine_bus bus = {
		.page_ptr = fb_page, .mmio_read = fb_mmio_read,
		.mmio_write = fb_mmio_write, .pio_read = fb_pio_read,
		.pio_write = fb_pio_write, .intr_pending = fb_false,
		.intr_ack = fb_ack, .now_ns = fb_now, .request_reset = fb_reset,
	};
	struct fakebus fb = { 0 };
	struct x86_cpu *cpu;
	struct seq *seqs;
	struct result *nres, *ires;
	unsigned long done = 0, bad = 0, faults = 0, insns = 0;
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
	ires = malloc(sizeof(*ires));
	T_ASSERT(seqs != MAP_FAILED && nres != MAP_FAILED && ires);

	while (done < total) {
		unsigned int n = total - done > BATCH ? BATCH : (unsigned int)(total - done);
		unsigned int k;
		int status;
		pid_t pid;

		for (k = 0; k < n; k++)
			gen_seq(seed0 * 1000003ull + first + done + k, &seqs[k]);
		pid = fork();
		T_ASSERT(pid >= 0);
		if (pid == 0) {
			native_run_all(seqs, nres, n);
			_exit(0);
		}
		T_ASSERT(waitpid(pid, &status, 0) == pid);
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
	x86_cpu_destroy(cpu);
}

static const struct t_case cases[] = {
	T_CASE(test_fpu_native),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}

#endif
