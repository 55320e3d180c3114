// SPDX-License-Identifier: GPL-2.0-only
/*
 * task.c --- hardware task switches through 32-bit TSSs
 *
 * JMP/CALL to a TSS descriptor or a task gate, INT n/exceptions/interrupts
 * through a task gate in the IDT, and IRET with NT=1 (SDM vol. 3, 7.3):
 * the outgoing state is saved in the current TSS, busy bits and the
 * previous-task link are maintained, and CR3, LDTR, EFLAGS, EIP, the
 * general registers and the segment registers (protected or virtual-8086)
 * are loaded from the new TSS; CR0.TS is set.  16-bit TSSs are reported as
 * not implemented.
 */
#include "vmm/x86/cpu.h"

#define TSS_LINK	0x00
#define TSS_CR3		0x1c
#define TSS_EIP		0x20
#define TSS_EFLAGS	0x24
#define TSS_EAX		0x28
#define TSS_ES		0x48
#define TSS_LDT		0x60

/* where a TSS format keeps what a task switch saves and loads */
struct tss_fmt {
	uint8_t	w;		/* bytes per field: 4 (32-bit TSS) or 2 */
	uint8_t	ip, fl, gpr;	/* EIP, EFLAGS, EAX (then ECX, ... EDI) */
	uint8_t	segs;		/* ES, CS, SS, DS[, FS, GS] every w bytes */
	uint8_t	nsegs;		/* 6 or 4 */
	uint8_t	ldt;		/* LDT selector */
	uint8_t	min_limit;	/* smallest valid TSS limit */
};

static const struct tss_fmt tss32 = {
	4, TSS_EIP, TSS_EFLAGS, TSS_EAX, TSS_ES, 6, TSS_LDT, 0x67,
};
static const struct tss_fmt tss16 = {
	2, 0x0e, 0x10, 0x12, 0x22, 4, 0x2a, 0x2b,
};

static uint32_t tss_rd(struct x86_cpu *c, uint32_t base, uint32_t off,
		       unsigned int size)
{
	return (uint32_t)x86_sys_read(c, (uint32_t)(base + off), size);
}

static void tss_wr(struct x86_cpu *c, uint32_t base, uint32_t off,
		   unsigned int size, uint32_t v)
{
	x86_sys_write(c, (uint32_t)(base + off), size, v);
}

/* set or clear the busy bit of the TSS descriptor @sel in the GDT */
static void set_busy(struct x86_cpu *c, uint16_t sel, bool busy)
{
	uint64_t a = c->gdtr.base + (sel & ~7u) + 5;
	uint32_t b = (uint32_t)x86_sys_read(c, a, 1);

	x86_sys_write(c, a, 1, busy ? (b | 2) : (b & ~2u));
}

uint64_t x86_tss64_rsp(struct x86_cpu *c, unsigned int n, unsigned int vec,
		       uint32_t err)
{
	uint32_t off = 4 + 8 * n;	/* RSP0 at 4, IST1 at 0x24 */

	if (off + 7 > c->tr.limit)
		x86_raise(c, vec, true, err);
	return x86_sys_read(c, c->tr.base + off, 8);
}

/* load a segment register of the new task; faults are #TS(sel) */
static void load_task_seg(struct x86_cpu *c, unsigned int sreg, uint16_t sel)
{
	struct x86_seg s;
	unsigned int dpl;

	if (c->eflags & FL_VM) {
		x86_seg_load_real(c, sreg, sel);
		return;
	}
	if (!(sel & ~3)) {
		if (sreg == X86_CS || sreg == X86_SS)
			x86_raise(c, X86_EXC_TS, true, sel & ~3u);
		c->seg[sreg] = (struct x86_seg){ .sel = sel };
		return;
	}
	x86_desc_to_seg(x86_desc_read(c, sel, X86_EXC_TS), sel, &s);
	dpl = (s.attr >> 5) & 3;
	if (sreg == X86_CS) {
		if ((s.attr & 0x18) != 0x18 ||
		    ((s.attr & 4) ? dpl > (sel & 3u) : dpl != (sel & 3u)))
			x86_raise(c, X86_EXC_TS, true, sel & ~3u);
	} else if (sreg == X86_SS) {
		if ((s.attr & 0x1a) != 0x12 || dpl != c->cpl || (sel & 3u) != c->cpl)
			x86_raise(c, X86_EXC_TS, true, sel & ~3u);
	} else if (!(s.attr & 0x10) || ((s.attr & 8) && !(s.attr & 2))) {
		x86_raise(c, X86_EXC_TS, true, sel & ~3u);
	}
	if (!(s.attr & X86_SEG_ATTR_P))
		x86_raise(c, sreg == X86_SS ? X86_EXC_SS : X86_EXC_NP, true, sel & ~3u);
	s.attr |= 1;
	c->seg[sreg] = s;
}

void x86_task_switch(struct x86_cpu *c, uint16_t sel, enum x86_task_src src,
		     uint32_t ret_ip)
{
	uint32_t old = (uint32_t)c->tr.base, nb, fl = x86_flags_get(c), v[8];
	uint16_t segs[6] = { 0 }, ldt, old_sel = c->tr.sel;
	static const unsigned int order[6] = {
		X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS,
	};
	const struct tss_fmt *nf, *of = (c->tr.attr & 8) ? &tss32 : &tss16;
	struct x86_seg ns;
	unsigned int i, type;
	uint32_t ncr3 = 0, neip, nfl, hi;
	uint64_t d;

	if (sel & 4)
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	d = x86_desc_read(c, sel, X86_EXC_GP);
	x86_desc_to_seg(d, sel, &ns);
	type = ns.attr & 0x1f;		/* 1/3: 16-bit TSS, 9/B: 32-bit */
	if ((type & ~0xau) != 1 || ((type & 2) != 0) != (src == X86_TASK_IRET))
		x86_raise(c, src == X86_TASK_IRET ? X86_EXC_TS : X86_EXC_GP, true,
			  sel & ~3u);
	if (!(ns.attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_NP, true, sel & ~3u);
	nf = (ns.attr & 8) ? &tss32 : &tss16;
	if (ns.limit < nf->min_limit)
		x86_raise(c, X86_EXC_TS, true, sel & ~3u);
	nb = (uint32_t)ns.base;
	/* read the new task's state before anything changes */
	hi = nf->w == 2 ? 0xffff0000u : 0;
	if (nf->w == 4)
		ncr3 = tss_rd(c, nb, TSS_CR3, 4);
	neip = tss_rd(c, nb, nf->ip, nf->w);
	nfl = tss_rd(c, nb, nf->fl, nf->w);
	for (i = 0; i < 8; i++)
		v[i] = tss_rd(c, nb, nf->gpr + nf->w * i, nf->w) | hi;
	for (i = 0; i < nf->nsegs; i++)
		segs[i] = (uint16_t)tss_rd(c, nb, nf->segs + nf->w * i, 2);
	ldt = (uint16_t)tss_rd(c, nb, nf->ldt, 2);
	/* save the outgoing task */
	if (src == X86_TASK_IRET)
		fl &= ~FL_NT;
	tss_wr(c, old, of->ip, of->w, ret_ip);
	tss_wr(c, old, of->fl, of->w, fl);
	for (i = 0; i < 8; i++)
		tss_wr(c, old, of->gpr + of->w * i, of->w, (uint32_t)c->gpr[i]);
	for (i = 0; i < of->nsegs; i++)
		tss_wr(c, old, of->segs + of->w * i, 2, c->seg[order[i]].sel);
	if (src == X86_TASK_JMP || src == X86_TASK_IRET)
		set_busy(c, old_sel, false);
	if (src == X86_TASK_CALL || src == X86_TASK_INT) {
		tss_wr(c, nb, TSS_LINK, 2, old_sel);
		nfl |= FL_NT;
	}
	if (src != X86_TASK_IRET)
		set_busy(c, sel, true);
	/* switch */
	ns.attr |= 2;
	c->tr = ns;
	c->cr0 |= X86_CR0_TS;
	if ((c->cr0 & X86_CR0_PG) && nf->w == 4) {
		c->cr3 = ncr3;
		x86_tlb_flush(c, false);
	}
	x86_flags_put(c, nfl);
	for (i = 0; i < 8; i++)
		c->gpr[i] = v[i];
	for (i = 0; i < 6; i++)
		c->seg[order[i]].sel = segs[i];
	c->cpl = (nfl & FL_VM) ? 3 : (segs[1] & 3);
	c->ldtr = (struct x86_seg){ .sel = ldt };
	if (ldt & ~3) {
		struct x86_seg l;

		if (ldt & 4)
			x86_raise(c, X86_EXC_TS, true, ldt & ~3u);
		x86_desc_to_seg(x86_desc_read(c, ldt, X86_EXC_TS), ldt, &l);
		if ((l.attr & 0x1f) != 2)
			x86_raise(c, X86_EXC_TS, true, ldt & ~3u);
		if (!(l.attr & X86_SEG_ATTR_P))
			x86_raise(c, X86_EXC_TS, true, ldt & ~3u);
		c->ldtr = l;
	}
	load_task_seg(c, X86_CS, segs[1]);
	load_task_seg(c, X86_SS, segs[2]);
	load_task_seg(c, X86_ES, segs[0]);
	load_task_seg(c, X86_DS, segs[3]);
	load_task_seg(c, X86_FS, segs[4]);
	load_task_seg(c, X86_GS, segs[5]);
	x86_mode_update(c);
	c->rip = neip;
	c->next_ip = neip;
	if (neip > c->seg[X86_CS].limit)
		x86_gp0(c);
}
