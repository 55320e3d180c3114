// SPDX-License-Identifier: GPL-2.0-only
/*
 * interp.c --- the interpreter's run loop and CPU object
 *
 * Fetch (with the decoded-instruction cache keyed by guest-physical address
 * and decoder mode: 16-bit, 32-bit or 64-bit code), execute, commit RIP;
 * interrupts (NMI, INTR when IF=1 and
 * no STI/MOV SS shadow) are recognised between instructions; HLT waits for
 * one; faults unwind here and are delivered, combined into #DF or a triple
 * fault (reset) per SDM vol. 3, 6.15 table 6-5.  Single-step (TF) traps
 * after the instruction.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/x86/canon.h"
#include "vmm/x86/cpu.h"
#include "vmm/x86/fpu.h"

#define CODE_PAGES	(1ull << 20)	/* decoded code tracked below 4 GiB */

/* ---- the local APIC's view of its CPU (lapic.h) */

static void lapic_send(void *opaque, const struct apic_msg *m)
{
	struct x86_cpu *c = opaque;

	if (c->apic_route) {
		c->apic_route(c->route_opaque, m);
	} else if (x86_lapic_match(c->lapic, m)) {
		x86_lapic_accept(c->lapic, m);	/* a CPU on its own */
	}
}

static void lapic_eoi(void *opaque, uint8_t vector)
{
	struct x86_cpu *c = opaque;

	if (c->bus->apic_eoi)
		c->bus->apic_eoi(c->bus->opaque, vector);
}

static void lapic_signal(void *opaque, enum lapic_signal s, uint8_t arg)
{
	struct x86_cpu *c = opaque;

	switch (s) {
	case LAPIC_SIG_INTR:
		c->irq_check = true;
		break;
	case LAPIC_SIG_NMI:
		c->nmi_pending = true;
		break;
	case LAPIC_SIG_INIT:
		x86_cpu_init_ipi(c);
		break;
	case LAPIC_SIG_SIPI:
		if (c->wait_sipi) {
			c->sipi_vector = arg;
			c->sipi_pending = true;
		}
		break;
	}
}

static bool lapic_extint_pending(void *opaque)
{
	struct x86_cpu *c = opaque;

	return c->bus->intr_pending(c->intr_opaque);
}

static uint8_t lapic_extint_ack(void *opaque)
{
	struct x86_cpu *c = opaque;

	return c->bus->intr_ack(c->intr_opaque);
}

int x86_cpu_create(const struct machine_bus *bus, struct x86_cpu **out)
{
	return x86_cpu_create_apic(bus, 0, out);
}

int x86_cpu_create_apic(const struct machine_bus *bus, uint8_t apic_id,
			struct x86_cpu **out)
{
	struct x86_cpu *c;

	if (posix_memalign((void **)&c, 64, sizeof(*c)))
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->bus = bus;
	c->intr_opaque = machine_bus_intr_opaque(bus);
	c->dcache = calloc(X86_DCACHE_SIZE, sizeof(*c->dcache));
	c->code_pages_n = CODE_PAGES;
	c->code_pages = calloc(CODE_PAGES / 8, 1);
	if (bus->clock)
		c->lapic = malloc(sizeof(*c->lapic));
	if (!c->dcache || !c->code_pages || (bus->clock && !c->lapic)) {
		x86_cpu_destroy(c);
		return -ENOMEM;
	}
	if (c->lapic)
		x86_lapic_init(c->lapic, bus->clock, apic_id, apic_id == 0,
			       &(struct x86_lapic_host){
				.send = lapic_send, .eoi = lapic_eoi,
				.signal = lapic_signal,
				.extint_pending = lapic_extint_pending,
				.extint_ack = lapic_extint_ack, .opaque = c });
	x86_cpu_reset(c);
	*out = c;
	return 0;
}

void x86_cpu_destroy(struct x86_cpu *c)
{
	if (!c)
		return;
	if (c->bt_hooks)
		c->bt_hooks->destroy(c);
	x86_fpu_destroy(c);		/* x87/SSE host stubs (fpu.h) */
	if (c->lapic)
		x86_lapic_fini(c->lapic);
	free(c->lapic);
	if (!c->borrowed_caches) {
		free(c->dcache);
		free(c->code_pages);
	}
	free(c);
}

static void cache_flush_all(struct x86_cpu *c)
{
	memset(c->dcache, 0, X86_DCACHE_SIZE * sizeof(*c->dcache));
	memset(c->code_pages, 0, c->code_pages_n / 8);
	x86_tlb_flush(c, true);
}

void x86_cpu_reset(struct x86_cpu *c)
{
	unsigned int i;

	memset(c->gpr, 0, sizeof(c->gpr));
	c->gpr[X86_RDX] = X86_CANON_SIGNATURE;	/* SDM vol. 3, 9.1.4 */
	c->rip = 0xfff0;
	c->eflags = X86_RFLAGS_FIXED;
	c->lf_op = LF_NONE;
	for (i = 0; i < X86_NR_SREGS; i++) {
		c->seg[i].sel = 0;
		c->seg[i].base = 0;
		c->seg[i].limit = 0xffff;
		c->seg[i].attr = 0x93;
	}
	c->seg[X86_CS].sel = 0xf000;
	c->seg[X86_CS].base = 0xffff0000u;
	c->seg[X86_CS].attr = 0x9b;
	c->ldtr = (struct x86_seg){ .limit = 0xffff, .attr = 0x82 };
	c->tr = (struct x86_seg){ .limit = 0xffff, .attr = 0x8b };
	c->gdtr = (struct x86_dtable){ .base = 0, .limit = 0xffff };
	c->idtr = (struct x86_dtable){ .base = 0, .limit = 0xffff };
	c->cr0 = 0x60000010u;
	c->cr2 = c->cr3 = c->cr4 = c->cr8 = c->efer = 0;
	memset(c->dr, 0, sizeof(c->dr));
	c->dr[6] = 0xffff0ff0u;
	c->dr[7] = 0x400;
	x86_dr7_update(c);
	c->tsc_offset = 0;
	c->apic_base = X86_CANON_APIC_BASE;
	if (c->lapic) {			/* enabled; BSP flag on APIC ID 0 */
		c->apic_base |= 0x800;
		if (!c->lapic->bsp)
			c->apic_base &= ~0x100ull;
		x86_lapic_reset(c->lapic, false);
	}
	c->wait_sipi = c->lapic && !c->lapic->bsp;	/* APs wait */
	c->sipi_pending = false;
	c->sysenter_cs = c->sysenter_esp = c->sysenter_eip = 0;
	c->star = c->lstar = c->cstar = c->sfmask = c->kernel_gs_base = 0;
	c->tsc_aux = 0;
	c->misc_enable = X86_CANON_MISC_ENABLE;
	c->fip_hi = c->fdp_hi = 0;
	c->pat = 0x0007040600070406ull;
	c->mtrr_def = 0;
	memset(c->mtrr_fixed, 0, sizeof(c->mtrr_fixed));
	memset(c->mtrr_var, 0, sizeof(c->mtrr_var));
	memset(c->fxsave, 0, sizeof(c->fxsave));
	c->fxsave[0] = 0x40;		/* FCW 0x0040 at reset */
	c->fxsave[4] = 0xff;		/* FTW 5555h: all registers +0.0 */
	c->fxsave[24] = 0x80;		/* MXCSR 1F80h (SDM vol. 3, table 10-1) */
	c->fxsave[25] = 0x1f;
	c->halted = false;
	c->a20 = true;
	c->shadow = 0;
	c->nmi_pending = c->nmi_blocked = false;
	c->delivering = false;
	c->cpl = 0;
	x86_mode_update(c);
	cache_flush_all(c);
}

void x86_cpu_share_caches(struct x86_cpu *c, struct x86_cpu *owner)
{
	if (!c->borrowed_caches) {
		free(c->dcache);
		free(c->code_pages);
	}
	c->dcache = owner->dcache;
	c->code_pages = owner->code_pages;
	c->code_pages_n = owner->code_pages_n;
	c->borrowed_caches = true;
	x86_tlb_flush(c, true);
}

void x86_cpu_init_ipi(struct x86_cpu *c)
{
	uint64_t base = c->apic_base;

	x86_cpu_reset(c);
	c->apic_base = base;			/* INIT keeps the MSR */
	x86_lapic_set_enabled(c->lapic, base & 0x800);
	c->wait_sipi = !(base & 0x100);		/* the BSP restarts at F000:FFF0 */
}

/* A SIPI ended wait-for-SIPI: real mode at vector * 4 KiB (SDM vol. 3,
 * 8.4.4.1: CS selector vector << 8, IP 0). */
static void start_ap(struct x86_cpu *c)
{
	c->wait_sipi = c->sipi_pending = false;
	c->seg[X86_CS].sel = (uint16_t)(c->sipi_vector << 8);
	c->seg[X86_CS].base = (uint64_t)c->sipi_vector << 12;
	c->rip = 0;
	c->halted = false;
	x86_mode_update(c);
}

void x86_cpu_get_state(const struct x86_cpu *c0, struct x86_cpu_state *st)
{
	struct x86_cpu *c = (struct x86_cpu *)c0;	/* flags are evaluated */

	memset(st, 0, sizeof(*st));
	memcpy(st->gpr, c->gpr, sizeof(st->gpr));
	st->rip = c->rip;
	st->rflags = x86_flags_get(c);
	memcpy(st->seg, c->seg, sizeof(st->seg));
	st->ldtr = c->ldtr;
	st->tr = c->tr;
	st->gdtr = c->gdtr;
	st->idtr = c->idtr;
	st->cr0 = c->cr0;
	st->cr2 = c->cr2;
	st->cr3 = c->cr3;
	st->cr4 = c->cr4;
	st->cr8 = c->cr8;
	st->efer = c->efer;
	memcpy(st->dr, c->dr, sizeof(st->dr));
	st->tsc = c->bus->now_ns(c->bus->opaque) + c->tsc_offset;
	st->apic_base = c->apic_base;
	st->sysenter_cs = c->sysenter_cs;
	st->sysenter_esp = c->sysenter_esp;
	st->sysenter_eip = c->sysenter_eip;
	st->star = c->star;
	st->lstar = c->lstar;
	st->cstar = c->cstar;
	st->sfmask = c->sfmask;
	st->kernel_gs_base = c->kernel_gs_base;
	st->pat = c->pat;
	memcpy(st->fxsave, c->fxsave, sizeof(st->fxsave));
	st->halted = c->halted;
	st->intr_shadow = c->shadow;
}

int x86_cpu_set_state(struct x86_cpu *c, const struct x86_cpu_state *st)
{
	if ((st->cr0 & X86_CR0_PG) && !(st->cr0 & X86_CR0_PE))
		return -EINVAL;
	/* LMA only with paging, PAE and LME (SDM vol. 3, 9.8.5) */
	if ((st->efer & EFER_LMA) && (!(st->cr0 & X86_CR0_PG) ||
				      !(st->cr4 & CR4_PAE) ||
				      !(st->efer & EFER_LME)))
		return -EINVAL;
	memcpy(c->gpr, st->gpr, sizeof(c->gpr));
	c->rip = st->rip;
	x86_flags_put(c, (uint32_t)st->rflags);
	memcpy(c->seg, st->seg, sizeof(c->seg));
	c->ldtr = st->ldtr;
	c->tr = st->tr;
	c->gdtr = st->gdtr;
	c->idtr = st->idtr;
	c->cr0 = st->cr0;
	c->cr2 = st->cr2;
	c->cr3 = st->cr3;
	c->cr4 = st->cr4;
	c->cr8 = st->cr8 & 0xf;
	c->efer = st->efer;
	memcpy(c->dr, st->dr, sizeof(c->dr));
	x86_dr7_update(c);
	c->tsc_offset = st->tsc - c->bus->now_ns(c->bus->opaque);
	c->apic_base = st->apic_base;
	if (!c->lapic)
		c->apic_base &= ~0x800ull;	/* no APIC to enable */
	else if (!!(c->apic_base & 0x800) != c->lapic->hw_enabled)
		x86_lapic_set_enabled(c->lapic, c->apic_base & 0x800);
	c->sysenter_cs = st->sysenter_cs;
	c->sysenter_esp = st->sysenter_esp;
	c->sysenter_eip = st->sysenter_eip;
	c->star = st->star;
	c->lstar = st->lstar;
	c->cstar = st->cstar;
	c->sfmask = st->sfmask;
	c->kernel_gs_base = st->kernel_gs_base;
	c->pat = st->pat;
	memcpy(c->fxsave, st->fxsave, sizeof(c->fxsave));
	c->halted = st->halted;
	c->shadow = st->intr_shadow ? 1 : 0;
	if (!(c->cr0 & X86_CR0_PE))
		c->cpl = 0;
	else if (c->eflags & FL_VM)
		c->cpl = 3;
	else
		c->cpl = (c->seg[X86_SS].attr >> 5) & 3;
	x86_mode_update(c);
	/* decoded instructions depend on memory only: keep them */
	x86_tlb_flush(c, true);
	return 0;
}

void x86_cpu_set_intercepts(struct x86_cpu *c, uint32_t mask)
{
	c->intercepts = mask;
}

void x86_cpu_kick(struct x86_cpu *c)
{
	__atomic_store_n(&c->kicked, 1, __ATOMIC_RELEASE);
}

void x86_cpu_mem_written(struct x86_cpu *c, uint64_t gpa, uint64_t len)
{
	x86_code_invalidate(c, gpa, len);
}

void x86_cpu_map_changed(struct x86_cpu *c)
{
	cache_flush_all(c);
}

/* Decode the instruction at CS:RIP (cached when it lies in one RAM page). */
static const struct x86_insn * __attribute__((noinline))
fetch_slow(struct x86_cpu *c, struct x86_insn *tmp)
{
	uint64_t rip = c->rip, lin, tag;
	unsigned int mode = c->dmode, n1, i;
	uint8_t buf[X86_MAX_INSN_LEN], *host, *host2;
	struct x86_dcache_entry *d = NULL;
	uint64_t gpa, gpa2, key = 0;
	int r;

	if (rip > c->cs_limit)
		x86_gp0(c);
	lin = (c->cs_base + rip) & c->lin_mask;
	tag = (lin & ~0xfffull) | (c->cpl == 3 ? 2u : 0u) | 1u;
	if (tag == c->fetch_tag) {
		host = c->fetch_host;
		gpa = c->fetch_gpa | (lin & 0xfff);
	} else {
		gpa = x86_fetch_gpa(c, lin, &host);
		if (host && (gpa >> 12) < c->code_pages_n) {
			c->fetch_tag = tag;
			c->fetch_host = host;
			c->fetch_gpa = gpa & ~0xfffull;
		}
	}
	if (host && (gpa >> 12) < c->code_pages_n) {
		key = ((gpa << 2) | mode) + 1;
		d = &c->dcache[gpa & (X86_DCACHE_SIZE - 1)];
		if (d->key == key) {
			if (rip + d->insn.len - 1u > c->cs_limit)
				x86_gp0(c);
			return &d->insn;
		}
	}
	n1 = 0x1000 - (lin & 0xfff);
	if (n1 > X86_MAX_INSN_LEN)
		n1 = X86_MAX_INSN_LEN;
	for (i = 0; i < n1; i++)
		buf[i] = host ? host[(gpa & 0xfff) + i] :
			 (uint8_t)c->bus->mmio_read(c->bus->opaque, gpa + i, 1);
	r = x86_decode(buf, n1, mode, tmp);
	if (r == X86_DEC_MORE) {
		gpa2 = x86_fetch_gpa(c, (lin + n1) & c->lin_mask, &host2);
		for (i = n1; i < X86_MAX_INSN_LEN; i++)
			buf[i] = host2 ? host2[(gpa2 & 0xfff) + i - n1] :
				 (uint8_t)c->bus->mmio_read(c->bus->opaque,
							    gpa2 + i - n1, 1);
		r = x86_decode(buf, X86_MAX_INSN_LEN, mode, tmp);
		d = NULL;	/* spans two pages: not cached */
	}
	if (r == X86_DEC_UD)
		x86_ud(c);
	if (r != X86_DEC_OK)
		x86_gp0(c);
	if (rip + tmp->len - 1u > c->cs_limit)
		x86_gp0(c);
	if (d) {
		d->insn = *tmp;
		d->key = key;
		x86_code_mark(c, gpa);
		return &d->insn;
	}
	return tmp;
}

/* fetch(): a decoded-cache hit on the current code page inline */
static inline const struct x86_insn *fetch(struct x86_cpu *c,
					   struct x86_insn *tmp)
{
	uint64_t rip = c->rip, limit = c->cs_limit;
	uint64_t lin = (c->cs_base + rip) & c->lin_mask, tag;
	const struct x86_dcache_entry *d;
	uint64_t gpa;

	tag = (lin & ~0xfffull) | (c->cpl == 3 ? 2u : 0u) | 1u;
	if (__builtin_expect(rip <= limit && tag == c->fetch_tag, 1)) {
		gpa = c->fetch_gpa | (lin & 0xfff);
		d = &c->dcache[gpa & (X86_DCACHE_SIZE - 1)];
		/* fetch_tag is only set for pages below code_pages_n */
		if (d->key == ((gpa << 2) | c->dmode) + 1 &&
		    rip + d->insn.len - 1u <= limit)
			return &d->insn;
	}
	return fetch_slow(c, tmp);
}

static bool contributory(unsigned int v)
{
	return v == X86_EXC_DE || (v >= X86_EXC_TS && v <= X86_EXC_GP);
}

/* An exception was raised: combine, intercept or deliver.  false: stop. */
static bool handle_exception(struct x86_cpu *c, struct x86_stop *stop)
{
	unsigned int vec = c->exc_vec;
	bool has_err = c->exc_has_err;
	uint32_t err = c->exc_err;

	if (c->delivering) {
		unsigned int prev = c->deliv_vec;

		if (prev == X86_EXC_DF) {
			c->delivering = false;
			stop->reason = X86_STOP_RESET;
			snprintf(stop->msg, sizeof(stop->msg),
				 "triple fault (vector %u during #DF) at %04x:%08llx",
				 vec, c->seg[X86_CS].sel, (unsigned long long)c->rip);
			c->bus->request_reset(c->bus->opaque);
			return false;
		}
		if ((contributory(prev) && contributory(vec)) ||
		    (prev == X86_EXC_PF && (contributory(vec) || vec == X86_EXC_PF))) {
			vec = X86_EXC_DF;
			has_err = true;
			err = 0;
		}
	}
	if (c->intercepts & (1u << vec)) {
		c->delivering = false;
		stop->reason = X86_STOP_EXCEPTION;
		stop->vector = (uint8_t)vec;
		stop->has_error = has_err;
		stop->error_code = err;
		return false;
	}
	if (vec == X86_EXC_DB || vec == X86_EXC_BP || vec == X86_EXC_NMI ||
	    vec == X86_EXC_OF || vec == X86_EXC_NM || vec == X86_EXC_MF)
		has_err = false;
	c->delivering = true;
	c->deliv_vec = (uint8_t)vec;
	x86_deliver(c, vec, has_err, err, false, c->rip);
	c->delivering = false;
	return true;
}

/* External events before the next instruction; false when none taken. */
static bool take_interrupt(struct x86_cpu *c)
{
	if (c->nmi_pending && !c->nmi_blocked) {
		c->nmi_pending = false;
		c->nmi_blocked = true;
		c->delivering = true;
		c->deliv_vec = X86_EXC_NMI;
		x86_deliver(c, X86_EXC_NMI, false, 0, false, c->rip);
		c->delivering = false;
		return true;
	}
	if (!c->irq_check || !(c->eflags & FL_IF))
		return false;
	if (c->lapic ? !x86_lapic_intr_pending(c->lapic) :
	    !c->bus->intr_pending(c->intr_opaque)) {
		c->irq_check = false;	/* until I/O or IF changes it */
		return false;
	}
	{
		uint8_t v = c->lapic ? x86_lapic_intr_ack(c->lapic) :
			    c->bus->intr_ack(c->intr_opaque);

		c->delivering = true;
		c->deliv_vec = 0xff;	/* external: benign for #DF */
		x86_deliver(c, v, false, 0, false, c->rip);
		c->delivering = false;
	}
	return true;
}

void x86_dr7_update(struct x86_cpu *c)
{
	uint32_t d7 = (uint32_t)c->dr[7];
	unsigned int i;

	c->dr_exec = c->dr_data = 0;
	for (i = 0; i < 4; i++) {
		if (!(d7 >> (2 * i) & 3))
			continue;
		if ((d7 >> (16 + 4 * i) & 3) == 0)
			c->dr_exec |= (uint8_t)(1u << i);
		else if ((d7 >> (16 + 4 * i) & 3) != 2)	/* 2: I/O (CR4.DE) */
			c->dr_data |= (uint8_t)(1u << i);
	}
}

/* a data access at [lin, lin+size): note the watchpoints it hits */
void x86_watch_check(struct x86_cpu *c, uint64_t lin, unsigned int size,
		     bool write)
{
	uint32_t d7 = (uint32_t)c->dr[7];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		unsigned int rw = d7 >> (16 + 4 * i) & 3;
		uint64_t len = (d7 >> (18 + 4 * i) & 3) + 1, a;

		if (!(c->dr_data >> i & 1) || (rw == 1 && !write))
			continue;
		if (len == 3)
			len = 8;	/* encoding 10b: 8 bytes */
		a = c->dr[i] & ~(len - 1);
		if (lin < a + len && a < lin + size)
			c->db_hits |= (uint8_t)(1u << i);
	}
}

/* instruction breakpoint at the current EIP (a fault, suppressed by RF) */
static void check_exec_bp(struct x86_cpu *c)
{
	uint64_t lin = c->long64 ? c->rip :
		       (uint32_t)(c->seg[X86_CS].base + c->rip);
	unsigned int i, hit = 0;

	if (c->eflags & FL_RF)
		return;
	for (i = 0; i < 4; i++)
		if ((c->dr_exec >> i & 1) && c->dr[i] == lin)
			hit |= 1u << i;
	if (hit) {
		c->dr[6] = (c->dr[6] & ~0xfull) | hit;
		x86_raise(c, X86_EXC_DB, false, 0);
	}
}

/*
 * Straight-line execution while quiet(): the same steps as run_loop()'s,
 * minus the ones that are no-ops then; stops before an instruction whose
 * count is a multiple of 256 (kick/deadline poll) or reaches max_insns.
 */
static inline void run_quiet(struct x86_cpu *c, uint64_t max_insns,
			     struct x86_insn *tmp)
{
	while (c->icount < max_insns && (c->icount & 255) && x86_quiet(c)) {
		const struct x86_insn *in = fetch(c, tmp);

		c->next_ip = (c->rip + in->len) & c->ip_mask;
		c->rex = in->rex != 0;
		c->db_shadow = 0;
		c->db_hits = 0;
		x86_exec_one(c, in);
		c->rip = c->next_ip;
		c->icount++;
		if (__builtin_expect(c->db_hits != 0, 0)) {	/* TF was 0 */
			c->dr[6] = (c->dr[6] & ~0xfull) | c->db_hits;
			c->db_hits = 0;
			x86_raise(c, X86_EXC_DB, false, 0);
		}
	}
}

/*
 * One step the general way: the interrupt shadow, NMI and INTR, HLT,
 * instruction breakpoints, then one instruction with its single-step and
 * data-breakpoint traps.  true: x86_cpu_exec() must return (HLT, a PAUSE
 * turn end: @stop says which).
 */
static inline bool step(struct x86_cpu *c, struct x86_stop *stop,
			struct x86_insn *tmp)
{
	const struct x86_insn *in;
	bool tf, rf;

	if (c->shadow == X86_SHADOW_YIELD) {
		c->shadow = 0;		/* PAUSE: let the others run */
		stop->yielded = true;
		return true;
	}
	if (c->shadow)
		c->shadow = 0;
	else if ((c->nmi_pending || c->irq_check) && take_interrupt(c))
		return false;
	if (c->halted) {
		stop->reason = X86_STOP_HLT;
		return true;
	}
	if (__builtin_expect(c->dr_exec != 0, 0))
		check_exec_bp(c);
	in = fetch(c, tmp);
	c->next_ip = (c->rip + in->len) & c->ip_mask;
	c->rex = in->rex != 0;
	tf = c->eflags & FL_TF;
	rf = c->eflags & FL_RF;
	c->db_shadow = 0;
	c->db_hits = 0;
	x86_exec_one(c, in);
	c->rip = c->next_ip;
	c->icount++;
	if (rf)			/* RF lasts one instruction (not IRET's) */
		c->eflags &= ~FL_RF;
	if (__builtin_expect(c->db_hits != 0, 0) || (tf && !c->db_shadow)) {
		c->dr[6] = (c->dr[6] & ~0xfull) | c->db_hits |
			   ((tf && !c->db_shadow) ? 0x4000 : 0);
		c->db_hits = 0;
		x86_raise(c, X86_EXC_DB, false, 0);
	}
	return false;
}

bool x86_cpu_step(struct x86_cpu *c, struct x86_stop *stop)
{
	struct x86_insn tmp;

	return step(c, stop, &tmp);
}

/* The fetch/execute loop; faults leave it through x86_raise(). */
static void __attribute__((noinline))
run_loop(struct x86_cpu *c, uint64_t max_insns, uint64_t deadline_ns,
	 struct x86_stop *stop)
{
	struct x86_insn tmp;

	for (;;) {
		run_quiet(c, max_insns, &tmp);
		if (c->icount >= max_insns)
			return;
		if (!(c->icount & 255)) {
			if (__atomic_exchange_n(&c->kicked, 0, __ATOMIC_ACQ_REL) ||
			    c->bus->now_ns(c->bus->opaque) >= deadline_ns)
				return;
		}
		if (step(c, stop, &tmp))
			return;
	}
}

void x86_cpu_run_interp(struct x86_cpu *c, uint64_t max_insns,
			uint64_t deadline_ns, struct x86_stop *stop)
{
	run_loop(c, max_insns, deadline_ns, stop);
}

void x86_cpu_exec(struct x86_cpu *c, uint64_t max_insns, uint64_t deadline_ns,
		  struct x86_stop *stop)
{
	memset(stop, 0, sizeof(*stop));
	stop->reason = X86_STOP_LIMIT;
	c->error = false;
	c->icount = 0;
	c->deliv_icount = ~0ull;	/* no delivery yet in this call */
	c->irq_check = true;
	if (c->wait_sipi) {
		if (!c->sipi_pending) {
			stop->reason = X86_STOP_HLT;	/* an idle AP */
			return;
		}
		start_ap(c);
	}
	if (_setjmp(c->jb)) {
		if (c->error) {
			c->delivering = false;
			stop->reason = X86_STOP_ERROR;
			snprintf(stop->msg, sizeof(stop->msg), "%.100s at %04x:%08llx",
				 c->errmsg, c->seg[X86_CS].sel,
				 (unsigned long long)c->rip);
			goto out;
		}
		if (!handle_exception(c, stop))
			goto out;
		c->irq_check = true;
		/*
		 * A fault in the handler's first fetch (or in delivering
		 * it) can repeat forever without retiring an instruction,
		 * as on a real CPU; run_loop() polls only every 256 retired
		 * instructions, so poll the kick and the deadline at every
		 * delivery that follows another with nothing retired in
		 * between: a guest never keeps the run loop from its
		 * timers, --timeout or Ctrl-C, and an ordinary fault (its
		 * handler runs) costs no clock read.
		 */
		if (c->deliv_icount == c->icount &&
		    (__atomic_exchange_n(&c->kicked, 0, __ATOMIC_ACQ_REL) ||
		     c->bus->now_ns(c->bus->opaque) >= deadline_ns))
			goto out;
		c->deliv_icount = c->icount;
	}
	if (c->bt_hooks)
		c->bt_hooks->run(c, max_insns, deadline_ns, stop);
	else
		run_loop(c, max_insns, deadline_ns, stop);
out:
	stop->insns = c->icount;
}
