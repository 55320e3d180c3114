// SPDX-License-Identifier: GPL-2.0-only
/*
 * mem.c --- segmented, linear and physical memory accesses
 *
 * Segment checks (SDM vol. 3, 5.3 limit checking, 5.4 type checking), or
 * in 64-bit mode the FS/GS bases only and the canonical-address check
 * (#GP(0), #SS(0) for stack references; 3.3.7.1), then the software TLB
 * (paging.c fills it): a hit with a host pointer is a
 * plain load/store; anything else (MMIO, ROM, pages holding decoded code,
 * accesses crossing a page) takes the slow path through machine_bus.  An
 * access that crosses a page translates both pages before touching either,
 * so a #PF leaves memory unchanged.  Writes to pages with cached decoded
 * instructions invalidate them (self-modifying code).
 */
#include <string.h>

#include "vmm/x86/cpu.h"

#define ACC_W	1u
#define ACC_U	2u
#define ACC_X	4u

#define MEM_INLINE	static inline __attribute__((always_inline))

static void __attribute__((noreturn, noinline))
noncanonical(struct x86_cpu *c, unsigned int seg)
{
	x86_raise(c, seg == X86_SS ? X86_EXC_SS : X86_EXC_GP, true, 0);
}

/* 64-bit mode: only FS and GS have a base; the address must be canonical
 * (bits 63:47 equal: adding 2^47 leaves bits 63:48 clear) */
MEM_INLINE uint64_t seg_lin64(struct x86_cpu *c, unsigned int seg,
			      uint64_t off, unsigned int size)
{
	uint64_t lin = off + (seg >= X86_FS ? c->seg[seg].base : 0);

	if (__builtin_expect(((lin + (1ull << 47)) | (lin + size - 1 + (1ull << 47)))
			     >> 48, 0))
		noncanonical(c, seg);
	return lin;
}

MEM_INLINE uint64_t seg_lin(struct x86_cpu *c, unsigned int seg, uint64_t off64,
			    unsigned int size, bool write)
{
	const struct x86_seg *s = &c->seg[seg];
	unsigned int type = s->attr & 0xf;
	uint32_t off = (uint32_t)off64, last = off + size - 1;
	unsigned int vec = seg == X86_SS ? X86_EXC_SS : X86_EXC_GP;
	unsigned int need = X86_SEG_ATTR_P | (write ? 2u : 0u);

	if (__builtin_expect(c->long64, 0))
		return seg_lin64(c, seg, off64, size);
	/* present expand-up data (writable for a write): limit check only */
	if (__builtin_expect((s->attr & (X86_SEG_ATTR_P | 0xcu | (write ? 2u : 0u))) ==
			     need, 1)) {
		if (last > s->limit || last < off)
			x86_raise(c, vec, true, 0);
		return (uint32_t)(s->base + off);
	}
	if ((c->cr0 & X86_CR0_PE) && !(c->eflags & FL_VM)) {
		if (!(s->attr & X86_SEG_ATTR_P))
			x86_raise(c, vec, true, 0);
		if (type & 8) {		/* code */
			if (write || !(type & 2))
				x86_raise(c, vec, true, 0);
		} else if (write && !(type & 2)) {
			x86_raise(c, vec, true, 0);
		}
		if (!(type & 8) && (type & 4)) {	/* expand-down */
			uint32_t upper = (s->attr & X86_SEG_ATTR_DB) ?
					 0xffffffffu : 0xffffu;

			if (off <= s->limit || last > upper || last < off)
				x86_raise(c, vec, true, 0);
			return (uint32_t)(s->base + off);
		}
	}
	if (last > s->limit || last < off)
		x86_raise(c, vec, true, 0);
	return (uint32_t)(s->base + off);
}

uint64_t x86_seg_lin(struct x86_cpu *c, unsigned int seg, uint64_t off,
		     unsigned int size, bool write)
{
	return seg_lin(c, seg, off, size, write);
}

static inline struct x86_tlb_entry *tlb_hit(struct x86_cpu *c, uint64_t lin)
{
	struct x86_tlb_entry *e = &c->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];

	return e->tag == ((lin & ~0xfffull) | 1) ? e : NULL;
}

/* fixed-size copies the compiler turns into single loads and stores */
static inline uint64_t load_le(const uint8_t *p, unsigned int size)
{
	uint16_t w;
	uint32_t d;
	uint64_t q;

	switch (size) {
	case 1:
		return *p;
	case 2:
		memcpy(&w, p, 2);
		return w;
	case 4:
		memcpy(&d, p, 4);
		return d;
	default:
		memcpy(&q, p, 8);
		return q;
	}
}

static inline void store_le(uint8_t *p, unsigned int size, uint64_t v)
{
	uint16_t w = (uint16_t)v;
	uint32_t d = (uint32_t)v;

	switch (size) {
	case 1:
		*p = (uint8_t)v;
		break;
	case 2:
		memcpy(p, &w, 2);
		break;
	case 4:
		memcpy(p, &d, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/* MMIO: the local APIC's page first (it is part of the CPU), then the
 * machine. */
uint64_t x86_mmio_read(struct x86_cpu *c, uint64_t gpa, unsigned int size)
{
	if (x86_apic_page(c, gpa))
		return x86_lapic_read(c->lapic, gpa & 0xfff, size);
	return c->bus->mmio_read(c->bus->opaque, gpa, size);
}

void x86_mmio_write(struct x86_cpu *c, uint64_t gpa, uint64_t v,
		    unsigned int size)
{
	if (x86_apic_page(c, gpa))
		x86_lapic_write(c->lapic, gpa & 0xfff, v, size);
	else
		c->bus->mmio_write(c->bus->opaque, gpa, v, size);
}

static uint64_t __attribute__((noinline))
page_read_mmio(struct x86_cpu *c, const struct x86_tlb_entry *e, uint64_t lin,
	       unsigned int size)
{
	c->irq_check = true;
	return x86_mmio_read(c, e->gpa | (lin & 0xfff), size);
}

MEM_INLINE uint64_t page_read(struct x86_cpu *c, const struct x86_tlb_entry *e,
			      uint64_t lin, unsigned int size)
{
	if (__builtin_expect(e->host != NULL, 1))
		return load_le(e->host + (lin & 0xfff), size);
	return page_read_mmio(c, e, lin, size);
}

MEM_INLINE uint64_t lin_read(struct x86_cpu *c, uint64_t lin,
			     unsigned int size, bool user)
{
	struct x86_tlb_entry *e = tlb_hit(c, lin);
	unsigned int acc = user ? ACC_U : 0;

	if (__builtin_expect(c->dr_data != 0, 0))
		x86_watch_check(c, lin, size, false);
	if ((lin & 0xfff) + size > 0x1000) {
		unsigned int n1 = 0x1000 - (lin & 0xfff), i;
		struct x86_tlb_entry e1, e2;
		uint64_t v = 0;

		e1 = *x86_tlb_fill(c, lin, acc);
		e2 = *x86_tlb_fill(c, (lin + n1) & c->lin_mask, acc);
		for (i = 0; i < size; i++)
			v |= page_read(c, i < n1 ? &e1 : &e2, lin + i, 1) << (8 * i);
		return v;
	}
	if (!e || (user && !e->user))
		e = x86_tlb_fill(c, lin, acc);
	return page_read(c, e, lin, size);
}

uint64_t x86_lin_read(struct x86_cpu *c, uint64_t lin, unsigned int size,
		      bool user)
{
	return lin_read(c, lin, size, user);
}

static void __attribute__((noinline))
page_write_slow(struct x86_cpu *c, const struct x86_tlb_entry *e, uint64_t lin,
		unsigned int size, uint64_t v)
{
	uint64_t gpa = e->gpa | (lin & 0xfff);
	uint8_t *h;

	if (c->write_hook)
		c->write_hook(c, gpa, size);

	if (c->code_pages && (gpa >> 12) < c->code_pages_n &&
	    (c->code_pages[gpa >> 15] >> ((gpa >> 12) & 7) & 1))
		x86_code_invalidate(c, gpa & ~0xfffull, 0x1000);
	h = c->bus->page_ptr(c->bus->opaque, gpa, true);
	if (h) {
		memcpy(h + (gpa & 0xfff), &v, size);
	} else {
		x86_mmio_write(c, gpa, v, size);
		c->irq_check = true;
	}
}

MEM_INLINE void page_write(struct x86_cpu *c, const struct x86_tlb_entry *e,
			   uint64_t lin, unsigned int size, uint64_t v)
{
	if (__builtin_expect(e->host_w != NULL, 1))
		store_le(e->host_w + (lin & 0xfff), size, v);
	else
		page_write_slow(c, e, lin, size, v);
}

MEM_INLINE struct x86_tlb_entry *write_entry(struct x86_cpu *c, uint64_t lin,
					     bool user)
{
	struct x86_tlb_entry *e = tlb_hit(c, lin);

	if (e && (user ? e->user_w : e->sup_w))
		return e;
	return x86_tlb_fill(c, lin, ACC_W | (user ? ACC_U : 0));
}

uint8_t *x86_lin_host(struct x86_cpu *c, uint64_t lin, bool write, bool user)
{
	struct x86_tlb_entry *e;

	if (write) {
		e = write_entry(c, lin, user);
		return e->host_w ? e->host_w + (lin & 0xfff) : NULL;
	}
	e = tlb_hit(c, lin);
	if (!e || (user && !e->user))
		e = x86_tlb_fill(c, lin, user ? ACC_U : 0);
	return e->host ? e->host + (lin & 0xfff) : NULL;
}

void x86_lin_probe_write(struct x86_cpu *c, uint64_t lin, unsigned int size,
			 bool user)
{
	write_entry(c, lin, user);
	if ((lin & 0xfff) + size > 0x1000)
		write_entry(c, ((lin | 0xfff) + 1) & c->lin_mask, user);
}

MEM_INLINE void lin_write(struct x86_cpu *c, uint64_t lin, unsigned int size,
			  uint64_t v, bool user)
{
	struct x86_tlb_entry *e;

	if (__builtin_expect(c->dr_data != 0, 0))
		x86_watch_check(c, lin, size, true);
	if ((lin & 0xfff) + size > 0x1000) {
		unsigned int n1 = 0x1000 - (lin & 0xfff), i;
		struct x86_tlb_entry e1, e2;

		e1 = *write_entry(c, lin, user);
		e2 = *write_entry(c, (lin + n1) & c->lin_mask, user);
		for (i = 0; i < size; i++)
			page_write(c, i < n1 ? &e1 : &e2, lin + i, 1,
				   (v >> (8 * i)) & 0xff);
		return;
	}
	e = write_entry(c, lin, user);
	page_write(c, e, lin, size, v);
}

void x86_lin_write(struct x86_cpu *c, uint64_t lin, unsigned int size,
		   uint64_t v, bool user)
{
	lin_write(c, lin, size, v, user);
}

uint64_t x86_sys_read(struct x86_cpu *c, uint64_t lin, unsigned int size)
{
	return lin_read(c, lin & c->lin_mask, size, false);
}

void x86_sys_write(struct x86_cpu *c, uint64_t lin, unsigned int size,
		   uint64_t v)
{
	lin_write(c, lin & c->lin_mask, size, v, false);
}

uint64_t x86_read(struct x86_cpu *c, unsigned int seg, uint64_t off,
		  unsigned int size)
{
	uint64_t lin = seg_lin(c, seg, off, size, false);

	return lin_read(c, lin, size, c->cpl == 3);
}

void x86_write(struct x86_cpu *c, unsigned int seg, uint64_t off,
	       unsigned int size, uint64_t v)
{
	uint64_t lin = seg_lin(c, seg, off, size, true);

	lin_write(c, lin, size, v, c->cpl == 3);
}

static uint64_t a20_mask(const struct x86_cpu *c, uint64_t gpa)
{
	return c->a20 ? gpa : gpa & ~(1ull << 20);
}

uint64_t x86_phys_read(struct x86_cpu *c, uint64_t gpa, unsigned int size)
{
	uint8_t *h;
	uint64_t v = 0;

	gpa = a20_mask(c, gpa);
	h = c->bus->page_ptr(c->bus->opaque, gpa, false);
	if (h && (gpa & 0xfff) + size <= 0x1000) {
		memcpy(&v, h + (gpa & 0xfff), size);
		return v;
	}
	if ((gpa & 0xfff) + size > 0x1000) {
		for (unsigned int i = 0; i < size; i++)
			v |= x86_phys_read(c, gpa + i, 1) << (8 * i);
		return v;
	}
	return x86_mmio_read(c, gpa, size);
}

void x86_phys_write(struct x86_cpu *c, uint64_t gpa, unsigned int size,
		    uint64_t v)
{
	uint8_t *h;

	gpa = a20_mask(c, gpa);
	if ((gpa & 0xfff) + size > 0x1000) {
		for (unsigned int i = 0; i < size; i++)
			x86_phys_write(c, gpa + i, 1, (v >> (8 * i)) & 0xff);
		return;
	}
	if (c->code_pages && (gpa >> 12) < c->code_pages_n &&
	    (c->code_pages[gpa >> 15] >> ((gpa >> 12) & 7) & 1))
		x86_code_invalidate(c, gpa & ~0xfffull, 0x1000);
	h = c->bus->page_ptr(c->bus->opaque, gpa, true);
	if (h) {
		memcpy(h + (gpa & 0xfff), &v, size);
	} else {
		x86_mmio_write(c, gpa, v, size);
		c->irq_check = true;
	}
}

uint64_t x86_fetch_gpa(struct x86_cpu *c, uint64_t lin, uint8_t **host)
{
	struct x86_tlb_entry *e = tlb_hit(c, lin);
	bool user = c->cpl == 3;

	if (!e || !e->host || (user && !e->user) || e->nx)
		e = x86_tlb_fill(c, lin, ACC_X | (user ? ACC_U : 0));
	*host = e->host;
	return e->gpa | (lin & 0xfff);
}

/* guest-physical page @pg holds cached code: writes take the slow path */
static void tlb_drop_write(struct x86_cpu *c, uint64_t pg)
{
	unsigned int i;

	if (c->bt)		/* the translator's TLB has no physical tags */
		for (i = 0; i < X86_TLB_SIZE; i++)
			c->ftlb_w[0][i] = c->ftlb_w[1][i] = X86_FTLB_EMPTY;

	for (i = 0; i < X86_TLB_SIZE; i++)
		if (c->tlb[i].tag && (c->tlb[i].gpa >> 12) == pg) {
			c->tlb[i].host_w = NULL;
			c->tlb[i].user_w = 0;
			c->tlb[i].sup_w = 0;
		}
}

void x86_code_mark(struct x86_cpu *c, uint64_t gpa)
{
	uint64_t pg = gpa >> 12;
	unsigned int i;

	if (pg >= c->code_pages_n || (c->code_pages[pg >> 3] >> (pg & 7) & 1))
		return;
	c->code_pages[pg >> 3] |= (uint8_t)(1u << (pg & 7));
	if (!c->peers) {
		tlb_drop_write(c, pg);
		return;
	}
	for (i = 0; i < c->npeers; i++)		/* shared caches (SMP) */
		tlb_drop_write(c->peers[i], pg);
}

void x86_code_invalidate(struct x86_cpu *c, uint64_t gpa, uint64_t len)
{
	uint64_t pg, end = gpa + len;

	for (pg = gpa >> 12; pg < ((end + 0xfff) >> 12); pg++) {
		uint64_t k;

		if (pg >= c->code_pages_n)
			break;
		if (!(c->code_pages[pg >> 3] >> (pg & 7) & 1))
			continue;
		c->code_pages[pg >> 3] &= (uint8_t)~(1u << (pg & 7));
		if (c->bt_hooks)
			c->bt_hooks->code_gone(c, pg);
		for (k = 0; k < 0x1000; k++) {
			uint64_t a = (pg << 12) | k;
			struct x86_dcache_entry *d =
				&c->dcache[a & (X86_DCACHE_SIZE - 1)];

			if (d->key && ((d->key - 1) >> 14) == pg)
				d->key = 0;
		}
	}
}
