/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cpu.h --- private state and helpers of the x86 interpreter
 *
 * struct x86_cpu is the interpreter's vCPU: sixteen 64-bit registers (low
 * halves used by 16/32-bit code), lazily evaluated arithmetic flags,
 * segment descriptor caches, control registers, MSRs, the software TLB and
 * the decoded-instruction cache.  Operand values, offsets and linear
 * addresses are 64 bits wide everywhere; 16/32-bit code masks them to its
 * sizes.  The mode (real, protected, v8086, IA-32e compatibility or 64-bit)
 * is summarised in a few fields x86_mode_update() derives from CR0, EFER,
 * EFLAGS.VM and the CS/SS caches.  Instructions commit architectural state
 * only after every access that can fault has been done; a fault unwinds to
 * the run loop (x86_raise()) with RIP still at the faulting instruction.
 */
#ifndef DUALVM_X86_CPU_H
#define DUALVM_X86_CPU_H

#include <setjmp.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/engine.h"
#include "vmm/x86/x86.h"
#include "vmm/x86/lapic.h"

/* EFLAGS bits */
#define FL_CF	0x0001u
#define FL_PF	0x0004u
#define FL_AF	0x0010u
#define FL_ZF	0x0040u
#define FL_SF	0x0080u
#define FL_TF	0x0100u
#define FL_IF	0x0200u
#define FL_DF	0x0400u
#define FL_OF	0x0800u
#define FL_IOPL	0x3000u
#define FL_NT	0x4000u
#define FL_RF	0x10000u
#define FL_VM	0x20000u
#define FL_AC	0x40000u
#define FL_VIF	0x80000u
#define FL_VIP	0x100000u
#define FL_ID	0x200000u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

#define CR4_VME		0x0001u
#define CR4_PVI		0x0002u
#define CR4_TSD		0x0004u
#define CR4_DE		0x0008u
#define CR4_PSE		0x0010u
#define CR4_PAE		0x0020u
#define CR4_PGE		0x0080u
#define CR4_OSFXSR	0x0200u
#define CR4_PCIDE	0x20000u

#define EFER_SCE	0x001u		/* SYSCALL/SYSRET */
#define EFER_LME	0x100u		/* long mode enable */
#define EFER_LMA	0x400u		/* long mode active (read only) */
#define EFER_NXE	0x800u		/* execute disable */

/* the canonical CPU's physical address width (CPUID.80000008H:EAX) */
#define X86_PHYS_BITS	40
#define X86_PHYS_MASK	((1ull << X86_PHYS_BITS) - 1)

/* pseudo register number in struct x86_insn.base: RIP-relative */
#define X86_REG_RIP	X86_REG_RIP_BASE

/* exception vectors */
enum {
	X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_NMI = 2, X86_EXC_BP = 3,
	X86_EXC_OF = 4, X86_EXC_BR = 5, X86_EXC_UD = 6, X86_EXC_NM = 7,
	X86_EXC_DF = 8, X86_EXC_TS = 10, X86_EXC_NP = 11, X86_EXC_SS = 12,
	X86_EXC_GP = 13, X86_EXC_PF = 14, X86_EXC_MF = 16, X86_EXC_AC = 17,
	X86_EXC_MC = 18, X86_EXC_XM = 19,
};

/* lazy flag operations */
enum x86_lazy_op {
	LF_NONE,	/* arithmetic flags are in cpu->eflags */
	LF_ADD,		/* res = a + b (+ carry) */
	LF_SUB,		/* res = a - b (- borrow) */
	LF_LOGIC,	/* CF = OF = 0, AF = 0 */
	LF_INC,		/* as ADD with b = 1, CF kept in cpu->eflags */
	LF_DEC,		/* as SUB with b = 1, CF kept in cpu->eflags */
};

/* software TLB: direct mapped on the linear page number */
#define X86_TLB_SIZE	256
struct x86_tlb_entry {
	uint64_t	tag;		/* linear page | 1 when valid, else 0 */
	uint8_t		user;		/* page accessible at CPL 3 */
	uint8_t		user_w;		/* writable at CPL 3 (dirty already set) */
	uint8_t		sup_w;		/* writable at CPL 0-2 (dirty already set) */
	uint8_t		nx;		/* not executable */
	uint8_t		big;		/* part of a 2/4 MiB or 1 GiB page */
	uint8_t		*host;		/* host page, or NULL: MMIO / slow path */
	uint8_t		*host_w;	/* host page for writes, NULL: slow path */
	uint64_t	gpa;		/* guest-physical page address */
};

/*
 * The binary translator's data TLB (vmm/bt): per privilege class (CPL 0-2,
 * CPL 3), direct mapped like tlb[], in three arrays indexed alike with a
 * scale of 8: ftlb_r (reads) and ftlb_w (writes) hold minus the linear
 * address of the page they map (x86_ftlb_tag()), so that translated code
 * finds "last byte - page start" below 4096 with one LEA on a hit (see
 * vmm/bt/translate.c); ftlb_add holds host - linear address.  An empty
 * entry is X86_FTLB_EMPTY (every byte 0x7f: no 33-bit address plus it
 * lands below 4096 modulo 2^44).  Only kept when c->bt.
 */
#define X86_FTLB_EMPTY_BYTE	0x7f
#define X86_FTLB_EMPTY		0x7f7f7f7f7f7f7f7full

static inline uint64_t x86_ftlb_tag(uint32_t lin)
{
	return -(uint64_t)(lin & ~0xfffu);
}

struct x86_cpu;

/* one generation of the translator's jump cache (vmm/bt/bt.h BT_KEY_*) */
#define X86_BT_JC_GEN_STEP	(1u << 15)

/* what the binary translator (vmm/bt) hooks into the interpreter */
struct x86_bt_hooks {
	/* replaces the interpreter's run loop in x86_cpu_exec() */
	void	(*run)(struct x86_cpu *c, uint64_t max_insns,
		       uint64_t deadline_ns, struct x86_stop *stop);
	/* guest-physical page @pg no longer holds the code cached for it */
	void	(*code_gone)(struct x86_cpu *c, uint64_t pg);
	/* free the translator's state (x86_cpu_destroy) */
	void	(*destroy)(struct x86_cpu *c);
};

/* decoded-instruction cache: direct mapped on the physical address */
#define X86_DCACHE_SIZE	65536
struct x86_dcache_entry {
	uint64_t	key;		/* (gpa << 2 | decoder mode) + 1; 0 = empty */
	struct x86_insn	insn;		/* the decoded instruction */
};

struct x86_cpu {
	uint64_t	gpr[X86_NR_GPRS];	/* general registers */
	uint64_t	rip;			/* RIP of the current instruction */
	uint64_t	next_ip;		/* RIP of the next one (while executing) */
	uint32_t	eflags;			/* flags; arith bits valid if lf_op == LF_NONE */
	uint8_t		lf_op;			/* enum x86_lazy_op */
	uint8_t		lf_size;		/* operand size of the lazy op: 1, 2, 4, 8 */
	bool		rex;			/* insn has REX: SPL..DIL, not AH..BH */
	uint64_t	lf_a, lf_b, lf_res;	/* lazy op operands and result */

	struct x86_seg	seg[X86_NR_SREGS];	/* descriptor caches */
	struct x86_seg	ldtr, tr;		/* LDT / task register caches */
	struct x86_dtable gdtr, idtr;		/* descriptor tables */
	uint8_t		cpl;			/* current privilege level */
	bool		code32;			/* CS.D outside 64-bit mode */
	bool		stack32;		/* SS.B, or 64-bit mode: not a 16-bit stack */
	bool		long64;			/* 64-bit mode: EFER.LMA and CS.L */
	uint8_t		dmode;			/* decoder mode X86_DMODE_* */
	uint64_t	ip_mask;		/* RIP wraps: FFFFh, FFFFFFFFh or ~0 */
	uint64_t	sp_mask;		/* stack address size mask, likewise */
	uint64_t	lin_mask;		/* linear addresses: 32 bits or ~0 */
	uint64_t	cs_limit;		/* CS limit, ~0 in 64-bit mode */
	uint64_t	cs_base;		/* CS base, 0 in 64-bit mode */
	uint64_t	cr0, cr2, cr3, cr4, cr8, efer;	/* control registers */
	uint64_t	dr[8];			/* DR0-DR7 */
	uint64_t	tsc_offset;		/* TSC = now_ns + tsc_offset */
	uint64_t	apic_base;		/* IA32_APIC_BASE */
	uint64_t	sysenter_cs, sysenter_esp, sysenter_eip;	/* MSRs */
	uint64_t	star, lstar, cstar, sfmask;	/* SYSCALL MSRs */
	uint64_t	kernel_gs_base;		/* IA32_KERNEL_GS_BASE (SWAPGS) */
	uint64_t	tsc_aux;		/* IA32_TSC_AUX (RDTSCP), 32 bits */
	uint64_t	misc_enable;		/* IA32_MISC_ENABLE */
	uint64_t	pat;			/* IA32_PAT */
	uint64_t	mtrr_def, mtrr_fixed[11], mtrr_var[16];	/* MTRRs */
	uint32_t	fip_hi, fdp_hi;		/* x87 FIP/FDP bits 63:32 (FXSAVE64) */
	uint8_t		fxsave[512] __attribute__((aligned(16))); /* x87/SSE image */

	/* halted, shadow, nmi_pending, dr_exec: adjacent (interp.c quiet()) */
	bool		halted;			/* in HLT */
	uint8_t		shadow;			/* interrupt shadow (STI/MOV SS) pending,
						 * or X86_SHADOW_YIELD */
	bool		nmi_pending;		/* NMI latched */
	uint8_t		dr_exec;		/* DR7: enabled instruction breakpoints */
	bool		a20;			/* A20 gate enabled */
	bool		nmi_blocked;		/* in an NMI handler until IRET */
	volatile int	kicked;			/* kick() request */
	uint64_t	deliv_icount;		/* icount at the last exception
						 * delivery (x86_cpu_exec) */
	bool		irq_check;		/* INTR may have changed: poll the bus */
	bool		db_shadow;		/* MOV/POP SS: no single-step trap now */
	uint8_t		dr_data;		/* DR7: enabled data watchpoints */
	uint8_t		db_hits;		/* watchpoints hit by this instruction */
	uint64_t	icount;			/* instructions retired in this exec call */
	bool		tlb_big;		/* the TLB holds parts of large pages */
	uint64_t	fetch_tag;		/* code page | 2 if CPL 3 | 1, 0 = none */
	uint8_t		*fetch_host;		/* host page of fetch_tag */
	uint64_t	fetch_gpa;		/* guest-physical page of fetch_tag */
	uint32_t	intercepts;		/* exception vectors to stop on */

	/* exception in flight (set by x86_raise) */
	uint8_t		exc_vec;		/* vector */
	bool		exc_has_err;		/* error code valid */
	uint32_t	exc_err;		/* error code */
	bool		delivering;		/* delivering deliv_vec right now */
	uint8_t		deliv_vec;		/* vector being delivered */
	jmp_buf		jb;			/* unwinds a faulting instruction */

	const struct machine_bus *bus;		/* the machine */
	void		*intr_opaque;		/* for bus->intr_pending/ack */
	struct x86_tlb_entry tlb[X86_TLB_SIZE];	/* linear -> host/physical */
	struct x86_dcache_entry *dcache;	/* X86_DCACHE_SIZE entries */
	uint8_t		*code_pages;		/* bitmap: phys pages with cached code */
	uint64_t	code_pages_n;		/* pages covered by code_pages */
	char		errmsg[160];		/* internal limitation message */
	bool		error;			/* errmsg set: stop */
	void		*fpu_host;		/* x87/SSE host stub cache (x87_host.c), lazy */

	/* local APIC (lapic.c); NULL on a bus without a clock (tests) */
	struct x86_lapic *lapic;
	bool		wait_sipi;		/* AP after INIT: waits for SIPI */
	uint8_t		sipi_vector;		/* start page of the last SIPI */
	bool		sipi_pending;		/* a SIPI arrived while waiting */
	/* where IPIs from this CPU's ICR go (the engine's APIC bus) */
	void		(*apic_route)(void *opaque, const struct apic_msg *m);
	void		*route_opaque;		/* for apic_route */
	/* SMP on one thread: the CPUs share dcache and code_pages (owned by
	 * the first); a page that becomes code loses the write fast path in
	 * every peer's TLB */
	struct x86_cpu	**peers;		/* all CPUs incl. this one, or NULL */
	unsigned int	npeers;			/* entries in peers */
	bool		borrowed_caches;	/* dcache/code_pages are a peer's */

	/* binary translator (vmm/bt): NULL for the plain interpreter */
	void		*bt;			/* its state */
	const struct x86_bt_hooks *bt_hooks;	/* its hooks */
	bool		slow_writes;		/* no write fast path (lockstep) */
	uint64_t	bt_spill[8];		/* translated code's spill slots */
	/* the translator's jump cache (vmm/bt): its table and generation,
	 * bumped (by 1 << 13) whenever a cached entry may have gone stale:
	 * TLB flushes here, dropped blocks there */
	void		*bt_jc;
	uint64_t	bt_jc_gen;
	uint64_t	bt_jc_pages[64];	/* linear pages (mod 4096) it names */
	/* ftlb entries filled from large pages, by index */
	uint64_t	ftlb_big[2][X86_TLB_SIZE / 64];
	/* every write through the slow path (lockstep), or NULL */
	void		(*write_hook)(struct x86_cpu *c, uint64_t gpa,
				      unsigned int size);
	uint64_t	ftlb_r[2][X86_TLB_SIZE] __attribute__((aligned(64)));
	uint64_t	ftlb_w[2][X86_TLB_SIZE];
	uint64_t	ftlb_add[2][X86_TLB_SIZE];	/* host - linear address */
};

/*
 * Nothing to do between instructions but fetch and execute: no interrupt
 * shadow, no NMI, no INTR to poll, not halted, no instruction breakpoint,
 * no TF/RF (interp.c run_quiet(), the translator's blocks).
 */
static inline bool x86_quiet(const struct x86_cpu *c)
{
	uint32_t busy;

	_Static_assert(offsetof(struct x86_cpu, shadow) ==
		       offsetof(struct x86_cpu, halted) + 1 &&
		       offsetof(struct x86_cpu, nmi_pending) ==
		       offsetof(struct x86_cpu, halted) + 2 &&
		       offsetof(struct x86_cpu, dr_exec) ==
		       offsetof(struct x86_cpu, halted) + 3,
		       "halted, shadow, nmi_pending, dr_exec adjacent");
	memcpy(&busy, &c->halted, sizeof(busy));
	return !busy &&
	       !(c->eflags & (FL_TF | FL_RF)) &&
	       !(c->irq_check && (c->eflags & FL_IF));
}

/*
 * One step of the interpreter's general loop: interrupts, HLT, breakpoints,
 * one instruction and its traps (interp.c).  true: x86_cpu_exec() must
 * return, @stop says why (HLT, or a PAUSE ending an SMP turn).  Raises.
 */
bool x86_cpu_step(struct x86_cpu *c, struct x86_stop *stop);
/* The interpreter's own loop until @max_insns, the deadline, a kick (it
 * then returns with fewer instructions), HLT or a PAUSE turn end. */
void x86_cpu_run_interp(struct x86_cpu *c, uint64_t max_insns,
			uint64_t deadline_ns, struct x86_stop *stop);

/* vmm/bt/bt.c: can the translator run on this host; attach it to @c
 * (0 or -errno with a reason) */
bool x86_bt_available(char *why, size_t len);
int x86_bt_attach(struct x86_cpu *c, char *why, size_t len);

/* the translator's data TLB: every entry misses; its jump cache: stale */
static inline void x86_ftlb_flush(struct x86_cpu *c)
{
	memset(c->ftlb_r, X86_FTLB_EMPTY_BYTE, sizeof(c->ftlb_r));
	memset(c->ftlb_w, X86_FTLB_EMPTY_BYTE, sizeof(c->ftlb_w));
	memset(c->ftlb_big, 0, sizeof(c->ftlb_big));
	c->bt_jc_gen += X86_BT_JC_GEN_STEP;
	memset(c->bt_jc_pages, 0, sizeof(c->bt_jc_pages));
}

/* INVLPG of @lin: its entries, every large-page one, and the jump cache
 * if it may name code in that page */
static inline void x86_ftlb_flush_page(struct x86_cpu *c, uint64_t lin)
{
	unsigned int k = (lin >> 12) & (X86_TLB_SIZE - 1), u, w;
	unsigned int pg = (lin >> 12) & 4095;

	c->ftlb_r[0][k] = c->ftlb_w[0][k] = X86_FTLB_EMPTY;
	c->ftlb_r[1][k] = c->ftlb_w[1][k] = X86_FTLB_EMPTY;
	for (u = 0; u < 2; u++)
		for (w = 0; w < X86_TLB_SIZE / 64; w++)
			while (c->ftlb_big[u][w]) {
				unsigned int i = w * 64 + __builtin_ctzll(c->ftlb_big[u][w]);

				c->ftlb_r[u][i] = c->ftlb_w[u][i] = X86_FTLB_EMPTY;
				c->ftlb_big[u][w] &= c->ftlb_big[u][w] - 1;
			}
	if (c->bt_jc_pages[pg >> 6] >> (pg & 63) & 1) {
		c->bt_jc_gen += X86_BT_JC_GEN_STEP;
		memset(c->bt_jc_pages, 0, sizeof(c->bt_jc_pages));
	}
}

/* c->shadow after a PAUSE on an SMP engine: the vCPU is spin-waiting for
 * another one, end its turn after this instruction (interp.c) */
#define X86_SHADOW_YIELD	0x80

/* A physical access that is not RAM/ROM: the local APIC or the bus. */
uint64_t x86_mmio_read(struct x86_cpu *c, uint64_t gpa, unsigned int size);
void x86_mmio_write(struct x86_cpu *c, uint64_t gpa, uint64_t v,
		    unsigned int size);

/* Use @owner's decoded-instruction cache and code page bitmap (CPUs that
 * run interleaved on one thread); the caches stay @owner's to free. */
void x86_cpu_share_caches(struct x86_cpu *c, struct x86_cpu *owner);

/* INIT (IPI or I/O APIC message): reset, keep IA32_APIC_BASE; an AP
 * then waits for a SIPI. */
void x86_cpu_init_ipi(struct x86_cpu *c);

/* Is @gpa in the page the enabled local APIC decodes? */
static inline bool x86_apic_page(const struct x86_cpu *c, uint64_t gpa)
{
	return c->lapic && (c->apic_base & 0x800) &&
	       ((gpa ^ c->apic_base) & ~0xfffull & X86_PHYS_MASK) == 0;
}

/* ---- registers */

/* size_mask() by operand size 1, 2, 4, 8 (flags.c) */
extern const uint64_t x86_size_masks[9];

static inline uint64_t size_mask(unsigned int size)
{
	return x86_size_masks[size];
}

static inline uint64_t sign_bit(unsigned int size)
{
	return (x86_size_masks[size] >> 1) + 1;
}

/*
 * Byte registers 4-7 are AH, CH, DH, BH without a REX prefix and SPL, BPL,
 * SIL, DIL with one (c->rex, set per instruction); 8-15 need REX.
 */
static inline uint64_t reg_get(const struct x86_cpu *c, unsigned int r,
			       unsigned int size)
{
	if (size == 1) {
		if (r < 4 || c->rex)
			return (uint8_t)c->gpr[r];
		return (uint8_t)(c->gpr[r - 4] >> 8);
	}
	return c->gpr[r] & size_mask(size);
}

/* 32-bit writes zero the upper half (SDM vol. 1, 3.4.1.1) */
static inline void reg_set(struct x86_cpu *c, unsigned int r,
			   unsigned int size, uint64_t v)
{
	if (size >= 4) {
		c->gpr[r] = v & size_mask(size);
	} else if (size == 2) {
		c->gpr[r] = (c->gpr[r] & ~0xffffull) | (uint16_t)v;
	} else if (r < 4 || c->rex) {
		c->gpr[r] = (c->gpr[r] & ~0xffull) | (uint8_t)v;
	} else {
		c->gpr[r - 4] = (c->gpr[r - 4] & ~0xff00ull) |
				((uint64_t)(uint8_t)v << 8);
	}
}

/* sign-extend the low @size bytes of @v */
static inline uint64_t sext(uint64_t v, unsigned int size)
{
	unsigned int sh = 64 - 8 * size;

	return (uint64_t)((int64_t)(v << sh) >> sh);
}

/* a canonical 48-bit linear address (bits 63:47 all equal) */
static inline bool is_canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* ---- flags.c */
uint32_t x86_flags_get(struct x86_cpu *c);		/* full EFLAGS */
void x86_flags_put(struct x86_cpu *c, uint32_t fl);	/* set all, drop lazy */
bool x86_flag_cf(struct x86_cpu *c);
void x86_flags_keep_cf(struct x86_cpu *c);		/* CF into eflags (INC/DEC) */
bool x86_cond(struct x86_cpu *c, unsigned int cc);	/* Jcc condition 0-15 */
uint32_t x86_parity(uint64_t v);			/* FL_PF if even parity */
/* set the arithmetic flags eagerly */
void x86_flags_arith(struct x86_cpu *c, uint32_t arith);
uint32_t x86_flags_szp(uint64_t res, unsigned int size);

static inline void lazy_set(struct x86_cpu *c, enum x86_lazy_op op,
			    unsigned int size, uint64_t a, uint64_t b,
			    uint64_t res)
{
	c->lf_op = (uint8_t)op;
	c->lf_size = (uint8_t)size;
	c->lf_a = a;
	c->lf_b = b;
	c->lf_res = res & size_mask(size);
}

/* ---- exceptions.c */
void x86_raise(struct x86_cpu *c, unsigned int vec, bool has_err,
	       uint32_t err) __attribute__((noreturn));
#define x86_ud(c)	x86_raise((c), X86_EXC_UD, false, 0)
#define x86_gp0(c)	x86_raise((c), X86_EXC_GP, true, 0)
/* Deliver exception/interrupt @vec (soft: INT n, for the DPL check). */
void x86_deliver(struct x86_cpu *c, unsigned int vec, bool has_err,
		 uint32_t err, bool soft, uint64_t ret_ip);
void x86_internal_error(struct x86_cpu *c, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* ---- mem.c: virtual (segment:offset) accesses, sizes 1, 2, 4, 8 */
uint64_t x86_seg_lin(struct x86_cpu *c, unsigned int seg, uint64_t off,
		     unsigned int size, bool write);
uint64_t x86_read(struct x86_cpu *c, unsigned int seg, uint64_t off,
		  unsigned int size);
void x86_write(struct x86_cpu *c, unsigned int seg, uint64_t off,
	       unsigned int size, uint64_t v);
/* linear accesses (CPL checks with @user) */
uint64_t x86_lin_read(struct x86_cpu *c, uint64_t lin, unsigned int size,
		      bool user);
void x86_lin_write(struct x86_cpu *c, uint64_t lin, unsigned int size,
		   uint64_t v, bool user);
/* the host address of RAM at @lin for a plain access (raises #PF like
 * one), or NULL: MMIO, ROM for a write, a page holding decoded code */
uint8_t *x86_lin_host(struct x86_cpu *c, uint64_t lin, bool write, bool user);
/* check that a write of @size at @lin would not fault */
void x86_lin_probe_write(struct x86_cpu *c, uint64_t lin, unsigned int size,
			 bool user);
/* supervisor accesses to system structures (descriptor tables, TSS):
 * the linear address wraps at 4 GiB outside long mode */
uint64_t x86_sys_read(struct x86_cpu *c, uint64_t lin, unsigned int size);
void x86_sys_write(struct x86_cpu *c, uint64_t lin, unsigned int size,
		   uint64_t v);
/* physical accesses (descriptor tables, page tables) */
uint64_t x86_phys_read(struct x86_cpu *c, uint64_t gpa, unsigned int size);
void x86_phys_write(struct x86_cpu *c, uint64_t gpa, unsigned int size,
		    uint64_t v);
/* instruction fetch: translate RIP to a physical address, host pointer */
uint64_t x86_fetch_gpa(struct x86_cpu *c, uint64_t lin, uint8_t **host);
void x86_code_invalidate(struct x86_cpu *c, uint64_t gpa, uint64_t len);
void x86_code_mark(struct x86_cpu *c, uint64_t gpa);

/* ---- paging.c */
/* translate; access: bit0 write, bit1 user, bit2 fetch; raises #PF */
struct x86_tlb_entry *x86_tlb_fill(struct x86_cpu *c, uint64_t lin,
				   unsigned int access);
void x86_tlb_flush(struct x86_cpu *c, bool global);
void x86_tlb_flush_page(struct x86_cpu *c, uint64_t lin);

/* ---- seg.c */
void x86_seg_load_real(struct x86_cpu *c, unsigned int sreg, uint16_t sel);
void x86_seg_load(struct x86_cpu *c, unsigned int sreg, uint16_t sel);
void x86_mode_update(struct x86_cpu *c);
/* read descriptor of @sel (8 bytes); raises @vec(sel) when outside the table */
uint64_t x86_desc_read(struct x86_cpu *c, uint16_t sel, unsigned int vec);
/* the upper 8 bytes of a 16-byte system descriptor (long mode) */
uint64_t x86_desc_read_hi(struct x86_cpu *c, uint16_t sel, unsigned int vec);
void x86_desc_to_seg(uint64_t d, uint16_t sel, struct x86_seg *s);
void x86_far_jump(struct x86_cpu *c, uint16_t sel, uint64_t off,
		  unsigned int opsize, bool call, uint64_t ret_ip);
void x86_far_ret(struct x86_cpu *c, unsigned int opsize, uint16_t imm);
void x86_iret(struct x86_cpu *c, unsigned int opsize);

/* in long mode (EFER.LMA) */
static inline bool x86_lma(const struct x86_cpu *c)
{
	return c->efer & EFER_LMA;
}

/* ---- task.c */
enum x86_task_src {
	X86_TASK_JMP,		/* JMP to a TSS or task gate */
	X86_TASK_CALL,		/* CALL: link and NT set */
	X86_TASK_INT,		/* interrupt/exception through a task gate */
	X86_TASK_IRET,		/* IRET with NT: back to the linked task */
};
/* Switch to the task of TSS selector @sel; @ret_ip is saved as old EIP. */
void x86_task_switch(struct x86_cpu *c, uint16_t sel, enum x86_task_src src,
		     uint32_t ret_ip);
/* RSP0-2 (n 0-2) or IST1-7 (n 4-10) of the current 64-bit TSS; @vec(@err)
 * (#TS or #GP) when outside its limit */
uint64_t x86_tss64_rsp(struct x86_cpu *c, unsigned int n, unsigned int vec,
		       uint32_t err);

/* ---- stack helpers (control.c) */
void x86_push(struct x86_cpu *c, unsigned int size, uint64_t v);
uint64_t x86_pop(struct x86_cpu *c, unsigned int size);
uint64_t x86_sp(const struct x86_cpu *c);
void x86_sp_set(struct x86_cpu *c, uint64_t v);
void x86_sp_add(struct x86_cpu *c, uint64_t delta);
/* a near branch to @target: #GP(0) past the CS limit or non-canonical */
void x86_jump(struct x86_cpu *c, uint64_t target);

/* debug registers (interp.c): recompute dr_exec/dr_data from DR7 */
void x86_dr7_update(struct x86_cpu *c);
void x86_watch_check(struct x86_cpu *c, uint64_t lin, unsigned int size,
		     bool write);

/* ---- execution units; each returns normally or raises */
void x86_exec_one(struct x86_cpu *c, const struct x86_insn *in);
void x86_exec_0f(struct x86_cpu *c, const struct x86_insn *in);
void x86_exec_alu(struct x86_cpu *c, const struct x86_insn *in);
void x86_exec_string(struct x86_cpu *c, const struct x86_insn *in);
bool x86_exec_system(struct x86_cpu *c, const struct x86_insn *in);
bool x86_exec_cpuid_msr(struct x86_cpu *c, const struct x86_insn *in);
void x86_exec_x87(struct x86_cpu *c, const struct x86_insn *in);
void x86_exec_0f38(struct x86_cpu *c, const struct x86_insn *in);

/* operand helpers (exec.c) */

/* the effective address (offset) of the memory operand of @in */
static inline uint64_t x86_ea(const struct x86_cpu *c,
			      const struct x86_insn *in)
{
	uint64_t a = (uint64_t)(int64_t)in->disp;

	if (in->base != X86_REG_NONE)
		a += in->base == X86_REG_RIP ? c->next_ip : c->gpr[in->base];
	if (in->index != X86_REG_NONE)
		a += c->gpr[in->index] << in->scale;
	return a & size_mask(in->adsize);
}

unsigned int x86_ea_seg(const struct x86_insn *in);
uint64_t x86_rm_read(struct x86_cpu *c, const struct x86_insn *in,
		     unsigned int size);
void x86_rm_write(struct x86_cpu *c, const struct x86_insn *in,
		  unsigned int size, uint64_t v);

/* offset @ea + @k wrapped to the address size of @in */
static inline uint64_t x86_ea_add(const struct x86_insn *in, uint64_t ea,
				  uint64_t k)
{
	return (ea + k) & size_mask(in->adsize);
}

/* signed multiply of two @sz-byte values, CF/OF set (exec.c) */
uint64_t x86_imul2(struct x86_cpu *c, uint64_t a, uint64_t b, unsigned int sz);

/* ALU primitives (alu.c): compute and set lazy flags */
uint64_t x86_alu2(struct x86_cpu *c, unsigned int op, uint64_t a, uint64_t b,
		  unsigned int size);
uint64_t x86_shift(struct x86_cpu *c, unsigned int op, uint64_t v,
		   unsigned int count, unsigned int size);

/* the time-stamp counter now, without RDTSC's CR4.TSD check (cpuid_msr.c) */
uint64_t x86_tsc_now(struct x86_cpu *c);

/* ports (system.c) */
void x86_io_check(struct x86_cpu *c, uint16_t port, unsigned int size);

#endif
