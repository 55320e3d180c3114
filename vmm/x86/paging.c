// SPDX-License-Identifier: GPL-2.0-only
/*
 * paging.c --- page walks and the software TLB
 *
 * 32-bit paging with 4 MiB PSE pages, PAE paging with NX, and 4-level
 * (IA-32e) paging with 2 MiB and 1 GiB pages (SDM vol. 3, 4.3-4.5): access
 * rights combined over the levels, CR0.WP, NX with EFER.NXE, reserved bits
 * (above MAXPHYADDR = X86_PHYS_BITS, PS in a PML4E, the low bits of large
 * page addresses, XD without NXE) reported as #PF with RSVD, the accessed
 * bit of each paging-structure entry set as the walk uses it, accessed and
 * dirty bits of the leaf only on a successful walk, #PF error codes and CR2
 * (4.7, 4.8).  PCIDs are not supported.  The result is cached in a direct-
 * mapped TLB with host pointers from machine_bus.page_ptr; a TLB is a
 * cache, so flushing more than the architecture requires (global pages on
 * CR3 writes) is always correct.
 */
#include <string.h>

#include "vmm/x86/cpu.h"

#define PTE_P	0x001ull
#define PTE_W	0x002ull
#define PTE_U	0x004ull
#define PTE_A	0x020ull
#define PTE_D	0x040ull
#define PTE_PS	0x080ull
#define PTE_NX	(1ull << 63)

#define PF_P	0x01u
#define PF_W	0x02u
#define PF_U	0x04u
#define PF_RSVD	0x08u
#define PF_I	0x10u

/* address bits of a PAE / IA-32e entry (bits 51:12 within MAXPHYADDR) */
#define ADDR_MASK	(X86_PHYS_MASK & ~0xfffull)
/* bits 51:MAXPHYADDR, always reserved in PAE and IA-32e entries */
#define RSVD_HIGH	(0x000fffffffffffffull & ~X86_PHYS_MASK)

void x86_tlb_flush(struct x86_cpu *c, bool global)
{
	memset(c->tlb, 0, sizeof(c->tlb));
	c->tlb_big = false;
	c->fetch_tag = 0;
	if (c->bt)
		x86_ftlb_flush(c);
}

/*
 * INVLPG: the TLB caches large pages 4 KiB at a time, so the entries of
 * every large page go too (the page of @lin may be one of them).
 */
void x86_tlb_flush_page(struct x86_cpu *c, uint64_t lin)
{
	struct x86_tlb_entry *e = &c->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
	unsigned int i;

	if (e->tag == ((lin & ~0xfffull) | 1))
		e->tag = 0;
	if (c->bt)
		x86_ftlb_flush_page(c, lin);
	if (c->tlb_big) {
		for (i = 0; i < X86_TLB_SIZE; i++)
			if (c->tlb[i].big)
				c->tlb[i].tag = 0;
		c->tlb_big = false;
	}
	c->fetch_tag = 0;
}

static void __attribute__((noreturn))
page_fault(struct x86_cpu *c, uint64_t lin, unsigned int access, uint32_t err)
{
	if (access & 1)
		err |= PF_W;
	if (access & 2)
		err |= PF_U;
	if ((access & 4) && (c->efer & EFER_NXE) && (c->cr4 & CR4_PAE))
		err |= PF_I;
	c->cr2 = lin;
	x86_raise(c, X86_EXC_PF, true, err);
}

struct walk {
	uint64_t	gpa;		/* physical page */
	bool		big;		/* from a large page */
	bool		user;		/* U/S over all levels */
	bool		write;		/* R/W over all levels */
	bool		nx;		/* XD over all levels */
};

static uint64_t pte_get(struct x86_cpu *c, uint64_t a, bool pae)
{
	return x86_phys_read(c, a, pae ? 8 : 4);
}

static void pte_set(struct x86_cpu *c, uint64_t a, bool pae, uint64_t v)
{
	x86_phys_write(c, a, pae ? 8 : 4, v);
}

/* check rights of the combined walk; raise #PF(P) on a violation */
static void check_rights(struct x86_cpu *c, uint64_t lin, unsigned int access,
			 const struct walk *w)
{
	if ((access & 2) && !w->user)
		page_fault(c, lin, access, PF_P);
	if ((access & 1) && !w->write &&
	    ((access & 2) || (c->cr0 & X86_CR0_WP)))
		page_fault(c, lin, access, PF_P);
	if ((access & 4) && w->nx)
		page_fault(c, lin, access, PF_P);
}

/*
 * A non-leaf entry @e (at @a) of a PAE / IA-32e walk: present, no reserved
 * bits (@rsvd), rights folded into @w, accessed bit set as it is used.
 */
static void walk_table(struct x86_cpu *c, uint64_t lin, unsigned int access,
		       uint64_t a, uint64_t e, uint64_t rsvd, struct walk *w)
{
	if (!(e & PTE_P))
		page_fault(c, lin, access, 0);
	if (e & rsvd)
		page_fault(c, lin, access, PF_P | PF_RSVD);
	w->user = w->user && (e & PTE_U);
	w->write = w->write && (e & PTE_W);
	w->nx = w->nx || (e & PTE_NX);
	if (!(e & PTE_A))
		pte_set(c, a, true, e | PTE_A);
}

/* the leaf entry @e at @a (8 bytes if @pae): rights, then accessed/dirty */
static void walk_leaf(struct x86_cpu *c, uint64_t lin, unsigned int access,
		      uint64_t a, uint64_t e, bool pae, bool nxe, struct walk *w)
{
	w->user = w->user && (e & PTE_U);
	w->write = w->write && (e & PTE_W);
	w->nx = w->nx || (nxe && (e & PTE_NX));
	check_rights(c, lin, access, w);
	if (!(e & PTE_A) || ((access & 1) && !(e & PTE_D)))
		pte_set(c, a, pae, e | PTE_A | ((access & 1) ? PTE_D : 0));
	/* until the page is dirty, writes must come back here to set D */
	if (!(e & PTE_D) && !(access & 1))
		w->write = false;
}

/* 4-level paging (EFER.LMA): PML4, PDPT (1 GiB pages), PD (2 MiB), PT */
static void walk_ia32e(struct x86_cpu *c, uint64_t lin, unsigned int access,
		       struct walk *w)
{
	bool nxe = c->efer & EFER_NXE;
	uint64_t rsvd = RSVD_HIGH | (nxe ? 0 : PTE_NX), e, a;
	unsigned int level;

	w->user = w->write = true;
	w->nx = false;
	w->big = false;
	a = (c->cr3 & ADDR_MASK) + ((lin >> 39) & 0x1ff) * 8;
	e = pte_get(c, a, true);
	walk_table(c, lin, access, a, e, rsvd | PTE_PS, w);
	for (level = 3; level > 1; level--) {	/* PDPT, PD */
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t page = (1ull << shift) - 1;

		a = (e & ADDR_MASK) + ((lin >> shift) & 0x1ff) * 8;
		e = pte_get(c, a, true);
		if ((e & PTE_P) && (e & PTE_PS)) {	/* 1 GiB / 2 MiB page */
			if (e & (rsvd | (page & ~0x1fffull)))
				page_fault(c, lin, access, PF_P | PF_RSVD);
			walk_leaf(c, lin, access, a, e, true, nxe, w);
			w->gpa = (e & ADDR_MASK & ~page) | (lin & page & ~0xfffull);
			w->big = true;
			return;
		}
		walk_table(c, lin, access, a, e, rsvd, w);
	}
	a = (e & ADDR_MASK) + ((lin >> 12) & 0x1ff) * 8;
	e = pte_get(c, a, true);
	if (!(e & PTE_P))
		page_fault(c, lin, access, 0);
	if (e & rsvd)
		page_fault(c, lin, access, PF_P | PF_RSVD);
	walk_leaf(c, lin, access, a, e, true, nxe, w);
	w->gpa = e & ADDR_MASK;
}

/* 32-bit and PAE paging */
static void walk(struct x86_cpu *c, uint64_t lin, unsigned int access,
		 struct walk *w)
{
	bool pae = c->cr4 & CR4_PAE;
	bool nxe = pae && (c->efer & EFER_NXE);
	uint64_t addr_mask = pae ? ADDR_MASK : 0xfffff000u;
	uint64_t pde_a, pte_a, pde, pte;

	if (pae) {
		uint64_t pdpte = pte_get(c, (c->cr3 & 0xffffffe0u) +
					 ((lin >> 30) & 3) * 8, true);

		if (!(pdpte & PTE_P))
			page_fault(c, lin, access, 0);
		if (pdpte & (0x1e6ull | RSVD_HIGH | PTE_NX))
			page_fault(c, lin, access, PF_P | PF_RSVD);
		pde_a = (pdpte & addr_mask) + ((lin >> 21) & 0x1ff) * 8;
	} else {
		pde_a = (c->cr3 & 0xfffff000u) + ((lin >> 22) & 0x3ff) * 4;
	}
	pde = pte_get(c, pde_a, pae);
	if (!(pde & PTE_P))
		page_fault(c, lin, access, 0);
	if (pae && (pde & (RSVD_HIGH | (nxe ? 0 : PTE_NX))))
		page_fault(c, lin, access, PF_P | PF_RSVD);
	w->user = true;
	w->write = true;
	w->nx = false;
	w->big = false;
	if ((pde & PTE_PS) && (pae || (c->cr4 & CR4_PSE))) {
		uint64_t base;

		if (pae && (pde & 0x1fe000ull))
			page_fault(c, lin, access, PF_P | PF_RSVD);
		if (pae)
			base = (pde & addr_mask & ~0x1fffffull) | (lin & 0x1ff000u);
		else
			base = (pde & 0xffc00000u) | (lin & 0x3ff000u);
		walk_leaf(c, lin, access, pde_a, pde, pae, nxe, w);
		w->gpa = base;
		w->big = true;
		return;
	}
	w->user = pde & PTE_U;
	w->write = pde & PTE_W;
	w->nx = nxe && (pde & PTE_NX);
	if (!(pde & PTE_A))
		pte_set(c, pde_a, pae, pde | PTE_A);
	pte_a = (pde & addr_mask) + ((lin >> 12) & (pae ? 0x1ff : 0x3ff)) *
		(pae ? 8 : 4);
	pte = pte_get(c, pte_a, pae);
	if (!(pte & PTE_P))
		page_fault(c, lin, access, 0);
	if (pae && (pte & (RSVD_HIGH | (nxe ? 0 : PTE_NX))))
		page_fault(c, lin, access, PF_P | PF_RSVD);
	walk_leaf(c, lin, access, pte_a, pte, pae, nxe, w);
	w->gpa = pte & addr_mask;
}

struct x86_tlb_entry *x86_tlb_fill(struct x86_cpu *c, uint64_t lin,
				   unsigned int access)
{
	struct x86_tlb_entry *e = &c->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
	struct walk w;
	bool code;
	bool wp = c->cr0 & X86_CR0_WP;

	if (!(c->cr0 & X86_CR0_PG)) {
		w.gpa = lin & 0xfffff000u;
		w.user = w.write = true;
		w.nx = false;
		w.big = false;
	} else if (c->efer & EFER_LMA) {
		walk_ia32e(c, lin, access, &w);
	} else {
		walk(c, lin, access, &w);
	}
	if (!c->a20)
		w.gpa &= ~(1ull << 20);
	e->tag = (lin & ~0xfffull) | 1;
	e->gpa = w.gpa;
	e->user = w.user;
	e->nx = w.nx;
	e->big = w.big;
	c->tlb_big |= w.big;
	e->host = c->bus->page_ptr(c->bus->opaque, w.gpa, false);
	e->host_w = NULL;
	e->user_w = w.user && w.write;
	e->sup_w = w.write || !wp;
	/* a clean page (D = 0) stays out of the write fast path */
	if ((c->cr0 & X86_CR0_PG) && !w.write && !(access & 1)) {
		e->user_w = 0;
		e->sup_w = 0;
	}
	code = c->code_pages && (w.gpa >> 12) < c->code_pages_n &&
	       (c->code_pages[w.gpa >> 15] >> ((w.gpa >> 12) & 7) & 1);
	if ((e->user_w || e->sup_w) && !code && !c->slow_writes)
		e->host_w = c->bus->page_ptr(c->bus->opaque, w.gpa, true);
	return e;
}
