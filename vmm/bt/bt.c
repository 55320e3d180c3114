// SPDX-License-Identifier: GPL-2.0-only
/*
 * bt.c --- the binary translator's runtime: code cache, block lookup, the
 * run loop that replaces the interpreter's, data TLB fills, lockstep
 *
 * The translator is attached to one interpreter CPU (struct x86_cpu) and
 * takes over its run loop (x86_bt_hooks.run): wherever the CPU is in
 * 32-bit protected mode with a flat code segment and nothing is pending
 * between instructions (x86_quiet()), guest code runs as translated
 * blocks; everything else -- real and virtual-8086 mode, 16-bit and
 * 64-bit code, interrupts, single-step, every instruction the code
 * generator does not handle -- runs through the interpreter one
 * instruction at a time (x86_cpu_step()), so the two engines cannot
 * disagree on it.  Exceptions raised while translated code runs (page
 * faults in a TLB fill) unwind through x86_raise() to x86_cpu_exec() like
 * the interpreter's, with the guest state saved first.
 *
 * Blocks are keyed by guest-physical address, EIP and the mode bits their
 * code depends on (CPL 3, what kind each data segment is); they never cross a
 * page, so a write to a page holding code (the CPU's slow write path, DMA
 * through x86_cpu_mem_written()) drops exactly that page's blocks
 * (code_gone()).  Direct jumps within a page are chained: the jump is
 * patched to the target block's code the first time it is taken.  The
 * code cache is a memfd mapped twice (RW to write, RX to run: no page is
 * writable and executable at one address); when it or the block table is
 * full, everything is dropped at once.
 *
 * DUALVM_BT_LOCKSTEP=1 runs every block twice, translated and then under
 * the interpreter from the same state, and stops at the first difference
 * in registers, flags, EIP, instruction count or memory written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/bt/bt.h"
#include "vmm/bt/emit.h"

#define OFF(f)		((int32_t)offsetof(struct x86_cpu, f))
#define OFF_GPR(r)	(OFF(gpr) + 8 * (r))
#define OFF_SPILL(i)	(OFF(bt_spill) + 8 * (i))
#define FL_ARITH_MASK	0x8d5u

/* guest register -> host register (bt.h) */
static const uint8_t host_of[8] = {
	H_RAX, H_R8, H_RDX, H_RBX, H_R9, H_RBP, H_RSI, H_RDI,
};

/* ---- the runtime routines, emitted at the start of the code cache */

/* guest XMM @i in the FXSAVE image */
#define OFF_XMM(i)	(OFF(fxsave) + 160 + 16 * (int32_t)(i))

/* the guest's registers to c (with @xmm, XMM0-7 too: movdqu) */
static void emit_save_guest(struct emit *e, bool xmm)
{
	static const uint8_t movdqu_st[] = { 0x0f, 0x7f };

	for (unsigned int r = 0; r < 8; r++)
		emov_store(e, true, host_of[r], omem(H_R15, OFF_GPR(r)));
	for (unsigned int r = 0; xmm && r < 8; r++) {
		e8(e, 0xf3);
		einsn(e, 4, false, movdqu_st, 2, r, omem(H_R15, OFF_XMM(r)), false);
	}
}

static void emit_load_guest(struct emit *e, bool xmm)
{
	static const uint8_t movdqu_ld[] = { 0x0f, 0x6f };

	for (unsigned int r = 0; r < 8; r++)
		emov_load(e, true, host_of[r], omem(H_R15, OFF_GPR(r)));
	for (unsigned int r = 0; xmm && r < 8; r++) {
		e8(e, 0xf3);
		einsn(e, 4, false, movdqu_ld, 2, r, omem(H_R15, OFF_XMM(r)), false);
	}
}

/* guest flags from host RFLAGS into c->eflags (clobbers RAX, RDX: saved) */
static void emit_save_flags(struct emit *e)
{
	epushfq(e);
	epop(e, H_RAX);
	e8(e, 0x25);				/* and eax, imm32 */
	e32(e, FL_ARITH_MASK);
	emov_load(e, false, H_RDX, omem(H_R15, OFF(eflags)));
	e8(e, 0x81);				/* and edx, imm32 */
	e8(e, 0xe2);
	e32(e, ~FL_ARITH_MASK);
	eop1(e, 4, false, 0x09, H_RDX, oreg(H_RAX));	/* or eax, edx */
	emov_store(e, false, H_RAX, omem(H_R15, OFF(eflags)));
}

/* c->eflags' arithmetic flags into host RFLAGS (clobbers RAX) */
static void emit_load_flags(struct emit *e)
{
	emov_load(e, false, H_RAX, omem(H_R15, OFF(eflags)));
	e8(e, 0x25);
	e32(e, FL_ARITH_MASK);
	epush(e, H_RAX);
	epopfq(e);
}

/* c->icount from R12 (R11 clobbered; no flags) */
static void emit_store_icount(struct emit *e)
{
	emov_load(e, true, H_R11, omem(H_R15, OFF_SPILL(BT_SPILL_LIMIT)));
	elea(e, true, H_R11, omem_idx(H_R12, H_R11, 0, 0));
	emov_store(e, true, H_R11, omem(H_R15, OFF(icount)));
}

/* R12 from c->icount (clobbers the flags: before emit_load_flags) */
static void emit_load_icount(struct emit *e)
{
	emov_load(e, true, H_R12, omem(H_R15, OFF(icount)));
	eop1(e, 4, true, 0x2b, H_R12, omem(H_R15, OFF_SPILL(BT_SPILL_LIMIT)));
}

static int bt_fill(struct x86_cpu *c, uint32_t lin, uint32_t info,
		   uint32_t block);
static int bt_helper(struct x86_cpu *c, uint32_t key, uint32_t next);
static int bt_invlpg(struct x86_cpu *c, uint32_t lin, uint32_t next);
static int bt_rdtsc(struct x86_cpu *c, uint32_t unused, uint32_t next);
static int bt_rdtscp(struct x86_cpu *c, uint32_t unused, uint32_t next);

/*
 * A runtime routine calling @fn(c, r14d, r10d, r13d) from translated code: the
 * guest state saved (R11D is the guest EIP, for exceptions),
 * then back to the caller with it reloaded when @fn returns non-zero,
 * else out of translated code with @why (state saved, c->rip set).
 */
static void emit_call_c(struct emit *e, void *fn, unsigned int why,
			uint8_t *leave, bool xmm)
{
	uint8_t *fail_jz;

	emov_store(e, true, H_R11, omem(H_R15, OFF(rip)));
	emit_save_guest(e, xmm);
	emit_save_flags(e);
	emit_store_icount(e);
	eop1(e, 4, true, 0x89, H_R15, oreg(H_RDI));	/* mov rdi, r15 */
	eop1(e, 4, false, 0x89, H_R14, oreg(H_RSI));	/* mov esi, r14d */
	eop1(e, 4, false, 0x89, H_R10, oreg(H_RDX));	/* mov edx, r10d */
	eop1(e, 4, false, 0x89, H_R13, oreg(H_RCX));	/* mov ecx, r13d */
	emov_imm64(e, H_RAX, (uint64_t)(uintptr_t)fn);
	eop1(e, 4, true, 0x83, 5, oreg(H_RSP));	/* sub rsp, 8 */
	e8(e, 8);
	eop1(e, 4, false, 0xff, 2, oreg(H_RAX));	/* call rax */
	eop1(e, 4, true, 0x83, 0, oreg(H_RSP));	/* add rsp, 8 */
	e8(e, 8);
	eop1(e, 4, false, 0x85, H_RAX, oreg(H_RAX));	/* test eax, eax */
	e8(e, 0x0f);					/* jz fail */
	e8(e, 0x84);
	fail_jz = e->p;
	e32(e, 0);
	emit_load_icount(e);
	emit_load_flags(e);
	emit_load_guest(e, xmm);
	eret(e);
	epatch32(fail_jz, erx(e), fail_jz + e->delta + 4);
	eop1(e, 4, true, 0x83, 0, oreg(H_RSP));	/* add rsp, 8: the caller */
	e8(e, 8);
	emov_imm32(e, H_RAX, why);
	ejmp(e, leave + e->delta);
}

/* one set of runtime routines at @e: @xmm for blocks with guest XMM0-7
 * in the host's */
static void emit_runtime(struct emit *e, struct bt_rt *rt, bool xmm)
{
	uint8_t *leave;
	static const uint8_t saved[] = { H_RBX, H_RBP, H_R12, H_R13, H_R14,
					 H_R15 };
	unsigned int i;

	/* int enter(struct x86_cpu *c, const uint8_t *code) */
	rt->enter = (void *)erx(e);
	for (i = 0; i < 6; i++)
		epush(e, saved[i]);
	eop1(e, 4, true, 0x83, 5, oreg(H_RSP));	/* sub rsp, 8 */
	e8(e, 8);
	eop1(e, 4, true, 0x89, H_RDI, oreg(H_R15));	/* mov r15, rdi */
	eop1(e, 4, true, 0x89, H_RSI, oreg(H_R11));	/* mov r11, rsi */
	emit_load_icount(e);
	emit_load_flags(e);
	emit_load_guest(e, xmm);
	eop1(e, 4, false, 0xff, 4, oreg(H_R11));	/* jmp r11 */

	/* exit: r11d next EIP, r10d why, r13 the patchable site */
	rt->exit = erx(e);
	emov_store(e, true, H_R11, omem(H_R15, OFF(rip)));
	emov_store(e, true, H_R13, omem(H_R15, OFF_SPILL(BT_SPILL_SITE)));
	emit_save_guest(e, xmm);
	emit_save_flags(e);
	emit_store_icount(e);
	eop1(e, 4, false, 0x89, H_R10, oreg(H_RAX));	/* mov eax, r10d */
	leave = e->p;
	eop1(e, 4, true, 0x83, 0, oreg(H_RSP));	/* add rsp, 8 */
	e8(e, 8);
	for (i = 6; i--;)
		epop(e, saved[i]);
	eret(e);

	/*
	 * fill (called from a block's miss stub): r14d the linear address,
	 * r10d what (bt.h BT_FILL_*), r11d the instruction's EIP, r13d the
	 * block's index.  Back to the stub with every guest register and
	 * flag as it was when the entry now hits; else out of translated
	 * code with BT_EXIT_STEP.
	 */
	rt->fill = erx(e);
	emit_call_c(e, (void *)bt_fill, BT_EXIT_STEP, leave, xmm);
	/*
	 * helper (called in a block): r11d an instruction's EIP, r10d the
	 * next one's, r14d the block's mode key.  The interpreter runs it;
	 * back in the block when execution goes on in line in the same
	 * mode, else out with BT_EXIT_JUMP to wherever it went.
	 */
	rt->helper = erx(e);
	emit_call_c(e, (void *)bt_helper, BT_EXIT_JUMP, leave, xmm);
	/* invlpg: r14d the linear address, r11d EIP, r10d next EIP */
	rt->invlpg = erx(e);
	emit_call_c(e, (void *)bt_invlpg, BT_EXIT_STEP, leave, xmm);
	/* RDTSC, RDTSCP: r11d EIP (r14d, r10d unused) */
	rt->rdtsc = erx(e);
	emit_call_c(e, (void *)bt_rdtsc, BT_EXIT_STEP, leave, xmm);
	rt->rdtscp = erx(e);
	emit_call_c(e, (void *)bt_rdtscp, BT_EXIT_STEP, leave, xmm);
}

static void emit_runtimes(struct bt *b)
{
	struct emit e = { .p = b->rw, .end = b->rw + 8192,
			  .delta = b->rx - b->rw };

	emit_runtime(&e, &b->rt[0], false);
	emit_runtime(&e, &b->rt[1], true);
	b->rt_end = b->used = (uint32_t)(((e.p - b->rw) + 63) & ~63);
}

/* ---- the data TLB fill (called by translated code through rt_fill) */

/*
 * The interpreter's TLB entry for an access of @size bytes at @lin (a
 * write with @write) made usable by translated code: the entry, or NULL
 * when the access must be interpreted (MMIO, ROM, a page holding code,
 * crossing a page, watchpoints; in lockstep anything the interpreter's TLB
 * does not hold already).  Raises #PF like the interpreter would (the
 * guest state is saved).
 */
static struct x86_tlb_entry *fill_entry(struct x86_cpu *c, uint32_t lin,
					unsigned int size, bool write)
{
	struct bt *b = c->bt;
	bool user = c->cpl == 3;
	struct x86_tlb_entry *e = &c->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];

	if (c->dr_data || (lin & 0xfff) + size > 0x1000)
		return NULL;
	if (!(e->tag == ((uint64_t)(lin & ~0xfffu) | 1) &&
	      (write ? (user ? e->user_w : e->sup_w) : (!user || e->user)))) {
		if (b->lockstep)
			return NULL;	/* no walk: its A/D writes are the reference's */
		e = x86_tlb_fill(c, lin, (write ? 1u : 0u) | (user ? 2u : 0u));
		if (write ? !(user ? e->user_w : e->sup_w) : (user && !e->user))
			return NULL;
	}
	return e->host ? e : NULL;
}

/* may the guest write the page of @e at its privilege (dirty already)? */
static bool entry_write_ok(const struct x86_cpu *c, const struct x86_tlb_entry *e)
{
	return c->cpl == 3 ? e->user_w : e->sup_w;
}

/* is the page of @e RAM holding no translated code (writable in line)? */
static bool page_writable(struct x86_cpu *c, const struct x86_tlb_entry *e)
{
	uint64_t pg = e->gpa >> 12;

	if (pg >= c->code_pages_n || (c->code_pages[pg >> 3] >> (pg & 7) & 1))
		return false;
	return c->bus->page_ptr(c->bus->opaque, e->gpa, true) == e->host;
}

/* the translator's entry for the page of @lin, from @e */
static void ftlb_set(struct x86_cpu *c, uint32_t lin,
		     const struct x86_tlb_entry *e, bool write)
{
	unsigned int idx = (lin >> 12) & (X86_TLB_SIZE - 1), user = c->cpl == 3;
	uint64_t tag = x86_ftlb_tag(lin);

	if (c->ftlb_r[user][idx] != tag)
		c->ftlb_w[user][idx] = X86_FTLB_EMPTY;
	c->ftlb_r[user][idx] = tag;
	if (e->big)
		c->ftlb_big[user][idx >> 6] |= 1ull << (idx & 63);
	if (write)
		c->ftlb_w[user][idx] = tag;
	c->ftlb_add[user][idx] = (uint64_t)(uintptr_t)e->host - (lin & ~0xfffu);
}

static void code_gone(struct x86_cpu *c, uint64_t pg);

/* a group of block @block missed for a reason that lasts: after
 * BT_GROUP_FAILS, its code page's blocks are made again without groups */
static void group_failed(struct x86_cpu *c, uint32_t block)
{
	struct bt *b = c->bt;
	uint64_t pg = b->blocks[block].gpa >> 12;

	b->n_grp_fail++;
	if (!b->grp_fail || pg >= c->code_pages_n || b->grp_fail[pg] == 255)
		return;
	if (++b->grp_fail[pg] >= BT_GROUP_FAILS) {
		b->grp_fail[pg] = 255;
		b->n_degroup++;
		code_gone(c, pg);
	}
}

/*
 * Make the translator's TLB entry for the access @info describes at @lin
 * hit (bt.h BT_FILL_*), for block number @block: 1, or 0 when the
 * instruction at c->rip must be interpreted.  A group's fill is its
 * leader's; the whole group's entry is made only when its range lies in
 * the leader's page with the rights it needs, else the leader is
 * interpreted (the next block holds the rest, probed one by one).
 */
static int bt_fill(struct x86_cpu *c, uint32_t lin, uint32_t info,
		   uint32_t block)
{
	struct x86_tlb_entry *e;
	unsigned int size = info & BT_FILL_SIZE;
	bool write = info & BT_FILL_WRITE;

	if (!(info & BT_FILL_GROUP)) {
		e = fill_entry(c, lin, size, write);
		if (!e || (write && !page_writable(c, e)))
			return 0;	/* fill_entry checked the rights */
		ftlb_set(c, lin, e, write);
		return 1;
	}
	e = fill_entry(c, lin + BT_FILL_LDELTA(info), BT_FILL_LSIZE(info),
		       info & BT_FILL_LWRITE);
	if (!e || (lin & 0xfff) + size > 0x1000 ||
	    (write && entry_write_ok(c, e) && !page_writable(c, e))) {
		if (!((struct bt *)c->bt)->lockstep)	/* there: no walks */
			group_failed(c, block);
		return 0;
	}
	if (write && !entry_write_ok(c, e))
		return 0;	/* not dirty yet, or read-only: cold */
	ftlb_set(c, lin, e, write);
	return 1;
}

static uint32_t bt_key(const struct x86_cpu *c);
static bool bt_mode(const struct x86_cpu *c);
static void count_step(struct bt *b, struct x86_cpu *c);

/*
 * Run the instruction at c->rip through the interpreter for a block of
 * mode @key (an instruction the code generator leaves to it): 1 when
 * execution goes on at @next, in the same mode, with nothing pending and
 * the block's code still current; 0: the block must be left (c->rip says
 * where to).  Exceptions unwind as usual (the guest state is saved).
 */
static int bt_helper(struct x86_cpu *c, uint32_t key, uint32_t next)
{
	struct bt *b = c->bt;
	uint64_t gone = b->n_gone;
	struct x86_stop stop;

	memset(&stop, 0, sizeof(stop));
	b->n_helper++;
	count_step(b, c);

	if (x86_cpu_step(c, &stop) || stop.yielded)
		return 0;
	if (c->lf_op != LF_NONE)	/* translated code reads c->eflags */
		x86_flags_put(c, x86_flags_get(c));
	return c->rip == next && b->n_gone == gone && x86_quiet(c) &&
	       bt_mode(c) && bt_key(c) == key;
}

/* INVLPG for a block: 1 done, 0 leave (not CPL 0: the interpreter's #GP) */
static int bt_invlpg(struct x86_cpu *c, uint32_t lin, uint32_t next)
{
	if (c->cpl != 0)
		return 0;
	x86_tlb_flush_page(c, lin);
	c->icount++;
	return 1;
}

/* RDTSC and RDTSCP for a block (cpuid_msr.c's): 1 done, 0 leave (CR4.TSD
 * outside CPL 0: the interpreter raises #GP) */
static int tsc_insn(struct x86_cpu *c, bool aux)
{
	uint64_t v;

	if ((c->cr4 & CR4_TSD) && c->cpl)
		return 0;
	v = x86_tsc_now(c);
	c->gpr[X86_RAX] = (uint32_t)v;
	c->gpr[X86_RDX] = (uint32_t)(v >> 32);
	if (aux)
		c->gpr[X86_RCX] = (uint32_t)c->tsc_aux;
	c->icount++;
	return 1;
}

static int bt_rdtsc(struct x86_cpu *c, uint32_t unused, uint32_t next)
{
	return tsc_insn(c, false);
}

static int bt_rdtscp(struct x86_cpu *c, uint32_t unused, uint32_t next)
{
	return tsc_insn(c, true);
}

/* ---- blocks */

/*
 * Blocks are found by guest-physical address, EIP and mode: their code
 * holds EIPs (return addresses, branch targets), and one physical page can
 * be mapped at several linear addresses (a shared library in two
 * processes).
 */
static inline unsigned int hash_of(uint64_t gpa, uint32_t eip, uint32_t key)
{
	return (unsigned int)(((gpa ^ ((uint64_t)eip << 20)) *
			       0x9e3779b97f4a7c15ull + key) >> 48) &
	       (BT_HASH - 1);
}

static struct bt_block *lookup(struct bt *b, uint64_t gpa, uint32_t eip,
			       uint32_t key)
{
	struct bt_block *k;

	for (k = b->hash[hash_of(gpa, eip, key)]; k; k = k->hnext)
		if (k->gpa == gpa && k->eip == eip && k->key == key)
			return k;
	return NULL;
}

static void flush_all(struct bt *b, struct x86_cpu *c)
{
	c->bt_jc_gen += X86_BT_JC_GEN_STEP;
	memset(b->hash, 0, sizeof(b->hash));
	memset(b->phash, 0, sizeof(b->phash));
	b->nblocks = 0;
	b->used = b->rt_end;
	b->n_flush++;
}

/* guest-physical page @pg was written: drop its blocks */
static void code_gone(struct x86_cpu *c, uint64_t pg)
{
	struct bt *b = c->bt;
	struct bt_block **pp = &b->phash[pg & (BT_PHASH - 1)], *k;

	c->bt_jc_gen += X86_BT_JC_GEN_STEP;	/* the jump cache may name them */
	b->n_gone++;			/* a helper's block may be one */
	while ((k = *pp)) {
		struct bt_block **hp;

		if (k->gpa >> 12 != pg) {
			pp = &k->pnext;
			continue;
		}
		*pp = k->pnext;
		for (hp = &b->hash[hash_of(k->gpa, k->eip, k->key)]; *hp; hp = &(*hp)->hnext)
			if (*hp == k) {
				*hp = k->hnext;
				break;
			}
	}
}

static void insert(struct bt *b, struct bt_block *k)
{
	unsigned int h = hash_of(k->gpa, k->eip, k->key);

	k->hnext = b->hash[h];
	b->hash[h] = k;
	h = (unsigned int)(k->gpa >> 12) & (BT_PHASH - 1);
	k->pnext = b->phash[h];
	b->phash[h] = k;
}

/* ---- the mode */

static unsigned int seg_kind(const struct x86_seg *s)
{
	if ((s->attr & (X86_SEG_ATTR_P | X86_SEG_ATTR_S | 0xe)) !=
	    (X86_SEG_ATTR_P | X86_SEG_ATTR_S | 0x2) || s->limit != 0xffffffffu)
		return BT_SEG_OTHER;
	return s->base ? BT_SEG_BASED : BT_SEG_FLAT;
}

/* can translated code run in the CPU's mode at all? */
static bool bt_mode(const struct x86_cpu *c)
{
	return (c->cr0 & X86_CR0_PE) && !(c->eflags & FL_VM) && !c->long64 &&
	       c->code32 && c->stack32 && c->cs_base == 0 &&
	       c->cs_limit == 0xffffffffu && !c->dr_data;
}

static uint32_t bt_key(const struct x86_cpu *c)
{
	uint32_t key = (c->cpl == 3 ? BT_KEY_USER : 0) |
		       ((c->eflags & FL_DF) ? BT_KEY_DF : 0);

	/* SSE instructions run (no #UD, no #NM) */
	if ((c->cr4 & CR4_OSFXSR) && !(c->cr0 & (X86_CR0_EM | X86_CR0_TS)))
		key |= BT_KEY_SSE;
	unsigned int s;

	for (s = 0; s < X86_NR_SREGS; s++)
		if (s != X86_CS)
			key |= BT_KEY_SEG(s, seg_kind(&c->seg[s]));
	return key;
}

/* ---- lockstep */

static uint64_t load_n(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

struct ref_write {
	uint64_t	gpa;
	unsigned int	size;
};

#define REF_MAX	(BT_MAX_INSNS * 8)

struct lockstep {
	struct ref_write w[REF_MAX];
	unsigned int	n;
	bool		overflow;
	bool		active;
};

static void ref_write_hook(struct x86_cpu *c, uint64_t gpa, unsigned int size)
{
	struct lockstep *ls = ((struct bt *)c->bt)->lockstep ?
			      (void *)((struct bt *)c->bt + 1) : NULL;

	if (!ls || !ls->active)
		return;
	if (ls->n == REF_MAX) {
		ls->overflow = true;
		return;
	}
	ls->w[ls->n].gpa = gpa;
	ls->w[ls->n].size = size;
	ls->n++;
}

/* is every byte of [host, host+size) inside a store the translated block
 * made?  (a 16-byte store is logged as two) */
static bool covered(const struct bt *b, unsigned int nlog, const uint8_t *host,
		    unsigned int size)
{
	for (unsigned int k = 0; k < size; k++) {
		unsigned int i;

		for (i = 0; i < nlog; i++)
			if (host + k >= b->log[i].host &&
			    host + k < b->log[i].host + b->log[i].size)
				break;
		if (i == nlog)
			return false;
	}
	return true;
}

/* lockstep found a difference: the block's bytes on stderr (debug aid
 * for DUALVM_BT_LOCKSTEP runs) */
static void dump_block(struct x86_cpu *c, const struct bt_block *k)
{
	const uint8_t *p = c->bus->page_ptr(c->bus->opaque, k->gpa & ~0xfffull, false);
	unsigned int off = k->gpa & 0xfff, i;

	if (!p)
		return;
	fprintf(stderr, "dualvm: bt lockstep: block %08x:", k->eip);
	for (i = 0; i < 48 && off + i < 0x1000; i++)
		fprintf(stderr, " %02x", p[off + i]);
	fputc('\n', stderr);
}

static const char *const reg_name[8] = {
	"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
};

/*
 * Run @k translated, then the same instructions under the interpreter
 * from the same state; the interpreter's result stands.  Returns the exit
 * of the translated run.
 */
static int lockstep_block(struct bt *b, struct x86_cpu *c, struct bt_block *k,
			  struct x86_stop *stop)
{
	struct lockstep *ls = (void *)(b + 1);
	uint64_t gpr0[8], gpr1[8], newv[BT_LOG_MAX + 8], ic0 = c->icount, n;
	uint64_t rip0 = c->rip, rip1;
	uint32_t fl0 = c->eflags, fl1;
	uint8_t fx0[512], fx1[512];
	unsigned int nlog, i;
	int r;

	memcpy(gpr0, c->gpr, sizeof(gpr0));
	memcpy(fx0, c->fxsave, sizeof(fx0));
	c->bt_spill[BT_SPILL_LOG] = (uint64_t)(uintptr_t)b->log;
	c->bt_spill[BT_SPILL_LIMIT] = c->icount + 1;	/* this block only */
	r = bt_rt_of(b, k->key)->enter(c, k->code);
	n = c->icount - ic0;
	nlog = (unsigned int)(((struct bt_log *)(uintptr_t)c->bt_spill[BT_SPILL_LOG]) -
			      b->log);
	memcpy(gpr1, c->gpr, sizeof(gpr1));
	memcpy(fx1, c->fxsave, sizeof(fx1));
	rip1 = c->rip;
	fl1 = c->eflags;
	for (i = 0; i < nlog; i++)
		newv[i] = load_n(b->log[i].host, (unsigned int)b->log[i].size);
	for (i = nlog; i--;)
		memcpy(b->log[i].host, &b->log[i].old, b->log[i].size);

	memcpy(c->gpr, gpr0, sizeof(gpr0));
	memcpy(c->fxsave, fx0, sizeof(fx0));
	c->rip = rip0;
	c->eflags = fl0;
	c->lf_op = LF_NONE;
	c->icount = ic0;
	ls->n = 0;
	ls->overflow = false;
	ls->active = true;
	for (i = 0; i < n; i++)
		if (x86_cpu_step(c, stop)) {
			ls->active = false;
			x86_internal_error(c, "bt lockstep: the interpreter stopped after %u of %llu instructions of the block at %08x",
					   i + 1, (unsigned long long)n, k->eip);
		}
	ls->active = false;
	if ((x86_flags_get(c) ^ fl1) & FL_ARITH_MASK) {
		dump_block(c, k);
		x86_internal_error(c, "bt lockstep: block %08x (%llu insns): flags bt %03x interp %03x",
				   k->eip, (unsigned long long)n, fl1 & FL_ARITH_MASK,
				   x86_flags_get(c) & FL_ARITH_MASK);
	}
	if (c->rip != rip1)
		x86_internal_error(c, "bt lockstep: block %08x (%llu insns): EIP bt %08llx interp %08llx",
				   k->eip, (unsigned long long)n,
				   (unsigned long long)rip1, (unsigned long long)c->rip);
	for (i = 0; i < 8; i++)
		if (c->gpr[i] != gpr1[i] && (dump_block(c, k), 1))
			x86_internal_error(c, "bt lockstep: block %08x (%llu insns): %s bt %08llx interp %08llx",
					   k->eip, (unsigned long long)n, reg_name[i],
					   (unsigned long long)gpr1[i],
					   (unsigned long long)c->gpr[i]);
	for (i = 0; i < nlog; i++)
		if (load_n(b->log[i].host, (unsigned int)b->log[i].size) != newv[i])
			x86_internal_error(c, "bt lockstep: block %08x: a %u-byte store differs: bt %llx interp %llx",
					   k->eip, (unsigned int)b->log[i].size,
					   (unsigned long long)newv[i],
					   (unsigned long long)load_n(b->log[i].host,
								      (unsigned int)b->log[i].size));
	if (ls->overflow)
		x86_internal_error(c, "bt lockstep: block %08x: too many stores to compare", k->eip);
	for (i = 0; i < 8; i++)		/* XMM0-7 in the FXSAVE image */
		if (memcmp(c->fxsave + 160 + 16 * i, fx1 + 160 + 16 * i, 16) &&
		    (dump_block(c, k), 1))
			x86_internal_error(c, "bt lockstep: block %08x (%llu insns): xmm%u differs",
					   k->eip, (unsigned long long)n, i);
	for (i = 0; i < ls->n; i++) {
		uint8_t *h = c->bus->page_ptr(c->bus->opaque, ls->w[i].gpa & ~0xfffull, true);

		if (!h || !covered(b, nlog, h + (ls->w[i].gpa & 0xfff), ls->w[i].size))
			x86_internal_error(c, "bt lockstep: block %08x: the interpreter wrote %u bytes at %llx, the translation did not",
					   k->eip, ls->w[i].size,
					   (unsigned long long)ls->w[i].gpa);
	}
	return r;
}

/* ---- the run loop */

/* DUALVM_BT_STATS: which instructions the interpreter runs for bt */
static void count_step(struct bt *b, struct x86_cpu *c)
{
	uint32_t lin = (uint32_t)c->rip;
	struct x86_insn in;

	if (!b->step_ops)
		return;
	if (((lin & ~0xfffull) | (c->cpl == 3 ? 2u : 0u) | 1u) != c->fetch_tag ||
	    x86_decode(c->fetch_host + (lin & 0xfff), 0x1000 - (lin & 0xfff),
		       X86_DMODE_CODE32, &in) != X86_DEC_OK)
		b->step_ops[1024]++;
	else
		b->step_ops[in.op == 0x101 ? 1025 + (in.modrm >> 3 & 7) : in.op & 1023]++;

}


static bool poll_stop(struct x86_cpu *c, uint64_t deadline_ns)
{
	return __atomic_exchange_n(&c->kicked, 0, __ATOMIC_ACQ_REL) ||
	       c->bus->now_ns(c->bus->opaque) >= deadline_ns;
}

static struct bt_block *block_at(struct bt *b, struct x86_cpu *c, uint32_t key)
{
	uint32_t lin = (uint32_t)c->rip;
	uint64_t tag = (lin & ~0xfffull) | (c->cpl == 3 ? 2u : 0u) | 1u, gpa;
	uint8_t *host;
	struct bt_block *k;

	if (tag == c->fetch_tag) {
		host = c->fetch_host;
		gpa = c->fetch_gpa | (lin & 0xfff);
	} else {
		gpa = x86_fetch_gpa(c, lin, &host);	/* may raise #PF */
		if (!host || (gpa >> 12) >= c->code_pages_n)
			return NULL;
		c->fetch_tag = tag;
		c->fetch_host = host;
		c->fetch_gpa = gpa & ~0xfffull;
	}
	k = lookup(b, gpa, lin, key);
	if (k)
		return k;
	if (b->nblocks == BT_MAX_BLOCKS ||
	    b->used + BT_BLOCK_ROOM > BT_CODE_SIZE)
		flush_all(b, c);
	b->n_translate++;
	k = bt_translate(b, c, lin, gpa, host, key);
	if (!k) {
		flush_all(b, c);
		k = bt_translate(b, c, lin, gpa, host, key);
		if (!k)
			x86_internal_error(c, "bt: a block does not fit in an empty code cache");
	}
	insert(b, k);
	x86_code_mark(c, gpa);
	return k;
}

/* the jump cache entry of block @k, for translated indirect branches */
static void jc_fill(struct x86_cpu *c, const struct bt_block *k)
{
	struct bt_jc *j = (struct bt_jc *)c->bt_jc + (k->eip & (BT_JC_SIZE - 1));

	if (c->bt_jc_gen >= BT_JC_GEN_MAX) {	/* generations wrapped */
		memset(c->bt_jc, 0xff, BT_JC_SIZE * sizeof(*j));
		c->bt_jc_gen = 0;
		memset(c->bt_jc_pages, 0, sizeof(c->bt_jc_pages));
	}
	j->tag = (uint64_t)k->eip << 32 | (uint32_t)(c->bt_jc_gen + k->key);
	j->code = k->code;
	c->bt_jc_pages[(k->eip >> 18) & 63] |= 1ull << ((k->eip >> 12) & 63);
}

static void bt_run(struct x86_cpu *c, uint64_t max_insns, uint64_t deadline_ns,
		   struct x86_stop *stop)
{
	struct bt *b = c->bt;
	struct lockstep *ls = (void *)(b + 1);
	uint8_t *site = NULL;
	uint32_t site_key = 0, site_eip_page = 0;
	uint64_t site_page = 0, flushes = b->n_flush;
	unsigned int polls = 0;

	if (b->lockstep && ls->active) {
		ls->active = false;
		x86_internal_error(c, "bt lockstep: the interpreter raised vector %u where the translation did not",
				   c->exc_vec);
	}
	for (;;) {
		struct bt_block *k;
		uint32_t key;
		int r;

		if (c->icount >= max_insns)
			return;
		if (!(++polls & 63) && poll_stop(c, deadline_ns))
			return;
		if (!bt_mode(c)) {
			/* real, v8086, 16-bit, 64-bit code: the interpreter's
			 * loop, a slice at a time */
			uint64_t lim = max_insns - c->icount > BT_INTERP_SLICE ?
				       c->icount + BT_INTERP_SLICE : max_insns;

			site = NULL;
			x86_cpu_run_interp(c, lim, deadline_ns, stop);
			if (stop->reason != X86_STOP_LIMIT || stop->yielded ||
			    c->icount < lim)
				return;		/* HLT, PAUSE, deadline, kick */
			continue;
		}
		if (!x86_quiet(c)) {
			site = NULL;
			if (x86_cpu_step(c, stop))
				return;
			continue;
		}
		key = bt_key(c);
		k = block_at(b, c, key);
		if (!k || k->step_only) {
			site = NULL;
			b->n_step++;
			count_step(b, c);
			if (x86_cpu_step(c, stop))
				return;
			continue;
		}
		if (site && flushes == b->n_flush && k->key == site_key &&
		    k->gpa >> 12 == site_page && k->eip >> 12 == site_eip_page) {
			epatch32(site - b->rx + b->rw, k->code, site + 4);
			b->n_chain++;
		}
		site = NULL;
		flushes = b->n_flush;
		jc_fill(c, k);
		if (c->lf_op != LF_NONE)
			x86_flags_put(c, x86_flags_get(c));
		b->n_enter++;
		if (b->lockstep) {
			r = lockstep_block(b, c, k, stop);
		} else {
			c->bt_spill[BT_SPILL_LIMIT] =
				max_insns - c->icount > BT_BUDGET ?
				c->icount + BT_BUDGET : max_insns;
			r = bt_rt_of(b, k->key)->enter(c, k->code);
		}
		if (b->step_ops && r > 0 && r < 8)
			b->n_exit[r]++;
		switch (r) {
		case BT_EXIT_CHAIN:
			site = (uint8_t *)(uintptr_t)c->bt_spill[BT_SPILL_SITE];
			site_key = k->key;
			site_page = k->gpa >> 12;
			site_eip_page = k->eip >> 12;
			break;
		case BT_EXIT_STEP:
			b->n_step++;
			count_step(b, c);
			if (x86_cpu_step(c, stop))
				return;
			break;
		case BT_EXIT_BUDGET:
			if (poll_stop(c, deadline_ns))
				return;
			break;
		default:
			break;
		}
	}
}

/* ---- set-up */

/*
 * Where the SDM leaves flags undefined, the canonical CPU (canon.h,
 * alu.c) has chosen; the host may choose differently (AMD and Intel do).
 * These probes run the host's instructions and the interpreter's
 * primitives on the same operands; an instruction class whose flags all
 * agree is translated with the host's, the others only where their
 * undefined flags are dead (translate.c).
 */
#define HOST_SHIFT(name, insn)						\
static uint64_t name(uint64_t v, uint64_t cnt, uint64_t fin, uint64_t *res)	\
{									\
	uint64_t f;							\
									\
	__asm__ volatile("push %[fin]; popfq; " insn "; pushfq; pop %[f]"	\
			 : [f] "=&r"(f), [v] "+r"(v)				\
			 : "c"(cnt), [fin] "r"(fin) : "cc");		\
	*res = v;							\
	return f;							\
}
#define HOST_SHIFTS(op)							\
	HOST_SHIFT(h_##op##b, #op "b %%cl, %b[v]")			\
	HOST_SHIFT(h_##op##w, #op "w %%cl, %w[v]")			\
	HOST_SHIFT(h_##op##l, #op "l %%cl, %k[v]")
HOST_SHIFTS(rol)
HOST_SHIFTS(ror)
HOST_SHIFTS(rcl)
HOST_SHIFTS(rcr)
HOST_SHIFTS(shl)
HOST_SHIFTS(shr)
HOST_SHIFTS(sar)
HOST_SHIFT(h_imulw, "imulw %%cx, %w[v]")
HOST_SHIFT(h_imull, "imull %%ecx, %k[v]")
HOST_SHIFT(h_andl, "andl %%ecx, %k[v]")
HOST_SHIFT(h_btw, "btw %%cx, %w[v]")
HOST_SHIFT(h_btl, "btl %%ecx, %k[v]")
HOST_SHIFT(h_btsw, "btsw %%cx, %w[v]")
HOST_SHIFT(h_btsl, "btsl %%ecx, %k[v]")

typedef uint64_t (*host_fn)(uint64_t v, uint64_t cnt, uint64_t fin,
			    uint64_t *res);

/* the ModRM.reg of each shift: ROL ROR RCL RCR SHL SHR - SAR */
static const host_fn host_shift[8][3] = {
	{ h_rolb, h_rolw, h_roll }, { h_rorb, h_rorw, h_rorl },
	{ h_rclb, h_rclw, h_rcll }, { h_rcrb, h_rcrw, h_rcrl },
	{ h_shlb, h_shlw, h_shll }, { h_shrb, h_shrw, h_shrl },
	{ NULL, NULL, NULL }, { h_sarb, h_sarw, h_sarl },
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* does the host compute @op (0-7 shift, 8 IMUL r,r/m, 9 AND, 10 BT, 11
 * BTS) with the canonical CPU's flags and result for every operand tried?
 * (BT*: the canonical CPU keeps every flag but CF, ops0f.c exec_bt) */
static bool host_agrees(struct x86_cpu *c, unsigned int op)
{
	static const unsigned int sizes[3] = { 1, 2, 4 };
	static const uint64_t fins[2] = { 0x002, 0x8d7 };
	uint64_t seed = 0x9e3779b97f4a7c15ull, hres, cres, hf, cf;
	unsigned int si, i, f;

	for (si = 0; si < 3; si++) {
		unsigned int size = sizes[si];
		host_fn h = op < 8 ? host_shift[op][si] :
			    op == 8 ? (size == 2 ? h_imulw : size == 4 ? h_imull : NULL) :
			    op == 9 ? (size == 4 ? h_andl : NULL) :
			    op == 10 ? (size == 2 ? h_btw : size == 4 ? h_btl : NULL) :
			    (size == 2 ? h_btsw : size == 4 ? h_btsl : NULL);

		if (!h)
			continue;
		for (i = 0; i < 256; i++) {
			uint64_t v = xorshift(&seed) & size_mask(size);
			uint64_t n = op < 8 ? i % 34 : xorshift(&seed) & size_mask(size);

			if (i < 8)	/* edge values */
				v = (i & 1) ? size_mask(size) : sign_bit(size) >> (i & 2);
			for (f = 0; f < 2; f++) {
				hf = h(v, n, fins[f], &hres) & FL_ARITH_MASK;
				x86_flags_put(c, (uint32_t)fins[f]);
				if (op < 8)
					cres = x86_shift(c, op, v, (unsigned int)(n & 31), size);
				else if (op == 8)
					cres = x86_imul2(c, v, n, size);
				else if (op == 9)
					cres = x86_alu2(c, 4, v, n, size);
				if (op < 10) {
					cf = x86_flags_get(c) & FL_ARITH_MASK;
				} else {
					uint64_t bit = 1ull << (n & (size * 8 - 1));

					cf = (fins[f] & FL_ARITH_MASK & ~1ull) |
					     ((v & bit) ? 1 : 0);
					cres = op == 10 ? v : v | bit;
				}
				if (hf != cf || ((hres ^ cres) & size_mask(size)))
					return false;
			}
		}
	}
	return true;
}

static void probe_host(struct bt *b, struct x86_cpu *c)
{
	uint32_t fl = x86_flags_get(c);
	unsigned int op;

	for (op = 0; op < 8; op++)
		if (op != 6 && host_agrees(c, op))
			b->shift_exact |= (uint8_t)(1u << op);
	b->imul_exact = host_agrees(c, 8);
	b->logic_af_ok = host_agrees(c, 9);
	b->bt_exact = host_agrees(c, 10) && host_agrees(c, 11);
	x86_flags_put(c, fl);
}

static void bt_destroy(struct x86_cpu *c)
{
	struct bt *b = c->bt;

	if (!b)
		return;
	if (b->rx)
		munmap(b->rx, BT_CODE_SIZE);
	if (b->rw)
		munmap(b->rw, BT_CODE_SIZE);
	if (b->step_ops) {
		unsigned int i, j, best;

		fprintf(stderr, "dualvm: bt: %llu block runs, %llu interpreted steps, %llu helper calls, %llu translations, %llu chains, %llu flushes\n",
			(unsigned long long)b->n_enter, (unsigned long long)b->n_step,
			(unsigned long long)b->n_helper,
			(unsigned long long)b->n_translate,
			(unsigned long long)b->n_chain, (unsigned long long)b->n_flush);
		fprintf(stderr, "dualvm: bt: %llu code pages dropped, %llu jump-cache generations\n",
			(unsigned long long)b->n_gone,
			(unsigned long long)(c->bt_jc_gen / X86_BT_JC_GEN_STEP));
		fprintf(stderr, "dualvm: bt: exits: jump %llu, chain %llu, step %llu, budget %llu\n",
			(unsigned long long)b->n_exit[BT_EXIT_JUMP],
			(unsigned long long)b->n_exit[BT_EXIT_CHAIN],
			(unsigned long long)b->n_exit[BT_EXIT_STEP],
			(unsigned long long)b->n_exit[BT_EXIT_BUDGET]);
		fprintf(stderr, "dualvm: bt: %llu groups made, %llu group misses not cold, %llu code pages without groups\n",
			(unsigned long long)b->n_groups,
			(unsigned long long)b->n_grp_fail,
			(unsigned long long)b->n_degroup);
		fprintf(stderr, "dualvm: bt: host flags canonical: shifts %02x, imul %d, logic %d, bt %d\n",
			b->shift_exact, b->imul_exact, b->logic_af_ok, b->bt_exact);
		fprintf(stderr, "dualvm: bt: interpreted most:");
		for (j = 0; j < 24; j++) {
			for (best = 0, i = 1; i < 1040; i++)
				if (b->step_ops[i] > b->step_ops[best])
					best = i;
			if (!b->step_ops[best])
				break;
			fprintf(stderr, " %s%x:%llu", best == 1024 ? "?" : "", best,
				(unsigned long long)b->step_ops[best]);
			b->step_ops[best] = 0;
		}
		fputc('\n', stderr);
		free(b->step_ops);
	}
	free(b->blocks);
	free(b->grp_fail);
	free(c->bt_jc);
	c->bt_jc = NULL;
	free(b);
	c->bt = NULL;
	c->bt_hooks = NULL;
}

static const struct x86_bt_hooks bt_hooks = {
	.run		= bt_run,
	.code_gone	= code_gone,
	.destroy	= bt_destroy,
};

/* the probes use BMI2's SHRX (Haswell, Excavator and later) */
bool x86_bt_available(char *why, size_t len)
{
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("bmi2")) {
		snprintf(why, len, "the binary translator needs a host CPU with BMI2");
		return false;
	}
	return true;
}

int x86_bt_attach(struct x86_cpu *c, char *why, size_t len)
{
	struct bt *b = calloc(1, sizeof(*b) + sizeof(struct lockstep));
	const char *ls = getenv("DUALVM_BT_LOCKSTEP");
	int fd;

	if (!b) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	b->blocks = calloc(BT_MAX_BLOCKS, sizeof(*b->blocks));
	c->bt_jc = malloc(BT_JC_SIZE * sizeof(struct bt_jc));
	if (c->bt_jc)
		memset(c->bt_jc, 0xff, BT_JC_SIZE * sizeof(struct bt_jc));
	c->bt_jc_gen = 0;
	fd = memfd_create("dualvm-bt-code", MFD_CLOEXEC);
	if (!b->blocks || !c->bt_jc || fd < 0 || ftruncate(fd, BT_CODE_SIZE) < 0) {
		snprintf(why, len, "cannot make the translator's code cache: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	b->rw = mmap(NULL, BT_CODE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b->rx = mmap(NULL, BT_CODE_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd);
	if (b->rw == MAP_FAILED || b->rx == MAP_FAILED) {
		snprintf(why, len, "cannot map the translator's code cache: %s",
			 strerror(errno));
		if (b->rw != MAP_FAILED)
			munmap(b->rw, BT_CODE_SIZE);
		if (b->rx != MAP_FAILED)
			munmap(b->rx, BT_CODE_SIZE);
		b->rw = b->rx = NULL;
		goto fail;
	}
	b->lockstep = ls && !strcmp(ls, "1");
	b->grp_fail = calloc(c->code_pages_n ? c->code_pages_n : 1, 1);
	if (getenv("DUALVM_BT_STATS"))
		b->step_ops = calloc(1040, sizeof(*b->step_ops));
	probe_host(b, c);
	emit_runtimes(b);
	c->bt = b;
	c->bt_hooks = &bt_hooks;
	if (b->lockstep) {
		c->slow_writes = true;
		c->write_hook = ref_write_hook;
	}
	x86_tlb_flush(c, true);		/* also the data TLB (x86_ftlb_flush) */
	return 0;
fail:
	free(c->bt_jc);
	c->bt_jc = NULL;
	free(b->blocks);
	free(b);
	return -ENOMEM;
}
