// SPDX-License-Identifier: GPL-2.0-only
/*
 * seg.c --- segment registers, descriptors and far control transfers
 *
 * Loading segment registers in real, virtual-8086 and protected mode with
 * the descriptor checks of SDM vol. 3, 5.4-5.8 (type, privilege, present,
 * accessed bit); far JMP/CALL (incl. call gates without parameter copy),
 * far RET and IRET (incl. outer-privilege returns and returns to
 * virtual-8086 mode).  Task switches are reported as not implemented.
 */
#include "vmm/x86/cpu.h"

void x86_mode_update(struct x86_cpu *c)
{
	bool vm = (c->cr0 & X86_CR0_PE) && (c->eflags & FL_VM);

	c->code32 = !vm && (c->seg[X86_CS].attr & X86_SEG_ATTR_DB);
	c->stack32 = !vm && (c->seg[X86_SS].attr & X86_SEG_ATTR_DB);
	if (!(c->cr0 & X86_CR0_PE))
		c->cpl = 0;
	else if (vm)
		c->cpl = 3;
}

void x86_seg_load_real(struct x86_cpu *c, unsigned int sreg, uint16_t sel)
{
	struct x86_seg *s = &c->seg[sreg];

	s->sel = sel;
	s->base = (uint32_t)sel << 4;
	if (c->eflags & FL_VM) {
		s->limit = 0xffff;
		s->attr = sreg == X86_CS ? 0xfb : 0xf3;
	} else {
		/* real mode keeps limit and size (unreal mode); fix type/P */
		s->attr = (s->attr & ~0xffu) | (sreg == X86_CS ? 0x9b : 0x93);
		if (sreg == X86_CS)
			s->attr &= (uint16_t)~X86_SEG_ATTR_DB;
	}
	if (sreg == X86_CS || sreg == X86_SS)
		x86_mode_update(c);
}

uint64_t x86_desc_read(struct x86_cpu *c, uint16_t sel, unsigned int vec)
{
	uint32_t idx = sel & ~7u;
	uint64_t base, lim;

	if (sel & 4) {
		if (!(c->ldtr.attr & X86_SEG_ATTR_P) || !(c->ldtr.sel & ~3))
			x86_raise(c, vec, true, sel & ~3u);
		base = c->ldtr.base;
		lim = c->ldtr.limit;
	} else {
		base = c->gdtr.base;
		lim = c->gdtr.limit;
	}
	if (idx + 7 > lim)
		x86_raise(c, vec, true, sel & ~3u);
	return (uint64_t)x86_lin_read(c, (uint32_t)(base + idx), 4, false) |
	       (uint64_t)x86_lin_read(c, (uint32_t)(base + idx + 4), 4, false) << 32;
}

void x86_desc_to_seg(uint64_t d, uint16_t sel, struct x86_seg *s)
{
	uint32_t lim = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));

	s->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	s->attr = (uint16_t)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 12));
	if (s->attr & X86_SEG_ATTR_G)
		lim = (lim << 12) | 0xfff;
	s->limit = lim;
	s->sel = sel;
}

/* set the accessed bit of a descriptor in memory */
static void desc_touch(struct x86_cpu *c, uint16_t sel, uint64_t d)
{
	uint64_t base = (sel & 4) ? c->ldtr.base : c->gdtr.base;

	if (d & (1ull << 40))
		return;
	x86_lin_write(c, (uint32_t)(base + (sel & ~7u) + 5), 1,
		      (uint32_t)((d >> 40) & 0xff) | 1, false);
}

void x86_seg_load(struct x86_cpu *c, unsigned int sreg, uint16_t sel)
{
	unsigned int rpl = sel & 3, dpl;
	struct x86_seg s;
	uint64_t d;

	if (!(c->cr0 & X86_CR0_PE) || (c->eflags & FL_VM)) {
		x86_seg_load_real(c, sreg, sel);
		return;
	}
	if (!(sel & ~3)) {
		if (sreg == X86_SS)
			x86_gp0(c);
		c->seg[sreg].sel = sel;
		c->seg[sreg].attr = 0;	/* unusable */
		c->seg[sreg].base = 0;
		c->seg[sreg].limit = 0;
		return;
	}
	d = x86_desc_read(c, sel, X86_EXC_GP);
	x86_desc_to_seg(d, sel, &s);
	dpl = (s.attr >> 5) & 3;
	if (sreg == X86_SS) {
		if (rpl != c->cpl || dpl != c->cpl || (s.attr & 0x1a) != 0x12)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		if (!(s.attr & X86_SEG_ATTR_P))
			x86_raise(c, X86_EXC_SS, true, sel & ~3u);
	} else {
		bool code = s.attr & 8;

		if (!(s.attr & 0x10) || (code && !(s.attr & 2)))
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		if ((!code || !(s.attr & 4)) &&
		    (dpl < c->cpl || dpl < rpl))
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		if (!(s.attr & X86_SEG_ATTR_P))
			x86_raise(c, X86_EXC_NP, true, sel & ~3u);
	}
	desc_touch(c, sel, d);
	s.attr |= 1;
	c->seg[sreg] = s;
	if (sreg == X86_SS)
		x86_mode_update(c);
}

/* validate a code-segment target of JMP/CALL/RET; returns the cache */
static void code_target(struct x86_cpu *c, uint16_t sel, unsigned int cpl_new,
			struct x86_seg *s, uint64_t *d)
{
	if (!(sel & ~3))
		x86_gp0(c);
	*d = x86_desc_read(c, sel, X86_EXC_GP);
	x86_desc_to_seg(*d, sel, s);
	if ((s->attr & 0x18) != 0x18)
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	if (!(s->attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_NP, true, sel & ~3u);
	s->sel = (sel & ~3u) | cpl_new;
	s->attr |= 1;
}

static void push_pair(struct x86_cpu *c, unsigned int sz, uint16_t cs,
		      uint32_t ip)
{
	uint32_t sp = x86_sp(c);
	uint32_t m = c->stack32 ? 0xffffffffu : 0xffff;

	x86_write(c, X86_SS, (sp - sz) & m, sz, cs);
	x86_write(c, X86_SS, (sp - 2 * sz) & m, sz, ip);
	x86_sp_set(c, (sp - 2 * sz) & m);
}

/* push onto the stack @ss (not loaded yet) at *sp; supervisor access */
static void push_new(struct x86_cpu *c, const struct x86_seg *ss, uint32_t *sp,
		     unsigned int size, uint32_t v, uint16_t err)
{
	uint32_t off = (*sp - size) & ((ss->attr & X86_SEG_ATTR_DB) ? ~0u : 0xffffu);
	bool down = !(ss->attr & 8) && (ss->attr & 4);

	if (down ? off <= ss->limit : off + size - 1 > ss->limit)
		x86_raise(c, X86_EXC_SS, true, err);
	x86_lin_write(c, (uint32_t)ss->base + off, size, v, false);
	*sp = off;
}

/*
 * CALL through a call gate to a more privileged non-conforming segment:
 * new stack from the TSS, parameters copied (SDM vol. 3, 5.8.5).
 */
static void call_gate_inner(struct x86_cpu *c, uint64_t gate, unsigned int gsz,
			    struct x86_seg *cs, uint64_t cdesc, uint16_t tsel,
			    uint32_t off, uint32_t ret_ip)
{
	unsigned int dpl = (cs->attr >> 5) & 3, n = (gate >> 32) & 0x1f, i;
	uint32_t tss = (uint32_t)c->tr.base, nsp, sp, osp = x86_sp(c);
	uint32_t om = c->stack32 ? ~0u : 0xffffu, params[32];
	bool t32 = c->tr.attr & 8;
	struct x86_seg ss;
	uint16_t nssel;

	if (t32) {
		nsp = x86_lin_read(c, tss + 4 + dpl * 8, 4, false);
		nssel = (uint16_t)x86_lin_read(c, tss + 8 + dpl * 8, 2, false);
	} else {
		nsp = x86_lin_read(c, tss + 2 + dpl * 4, 2, false);
		nssel = (uint16_t)x86_lin_read(c, tss + 4 + dpl * 4, 2, false);
	}
	if (!(nssel & ~3))
		x86_raise(c, X86_EXC_TS, true, 0);
	x86_desc_to_seg(x86_desc_read(c, nssel, X86_EXC_TS), nssel, &ss);
	if ((nssel & 3) != dpl || ((ss.attr >> 5) & 3) != dpl ||
	    (ss.attr & 0x1a) != 0x12)
		x86_raise(c, X86_EXC_TS, true, nssel & ~3u);
	if (!(ss.attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_SS, true, nssel & ~3u);
	for (i = 0; i < n; i++)
		params[i] = x86_read(c, X86_SS, (osp + i * gsz) & om, gsz);
	sp = nsp;
	push_new(c, &ss, &sp, gsz, c->seg[X86_SS].sel, nssel & ~3u);
	push_new(c, &ss, &sp, gsz, osp, nssel & ~3u);
	for (i = n; i-- > 0;)
		push_new(c, &ss, &sp, gsz, params[i], nssel & ~3u);
	push_new(c, &ss, &sp, gsz, c->seg[X86_CS].sel, nssel & ~3u);
	push_new(c, &ss, &sp, gsz, ret_ip, nssel & ~3u);
	/* commit */
	desc_touch(c, tsel, cdesc);
	cs->sel = (tsel & ~3u) | dpl;
	c->seg[X86_CS] = *cs;
	ss.attr |= 1;
	c->seg[X86_SS] = ss;
	c->cpl = (uint8_t)dpl;
	x86_mode_update(c);
	x86_sp_set(c, sp);
	c->next_ip = off;
}

static void far_gate(struct x86_cpu *c, uint16_t sel, uint64_t gate,
		     unsigned int opsize, bool call, uint32_t ret_ip)
{
	unsigned int gdpl = (gate >> 45) & 3, type = (gate >> 40) & 0xf;
	unsigned int gsz = (type & 8) ? 4 : 2, dpl;
	uint16_t tsel = (uint16_t)(gate >> 16);
	uint32_t off = (uint32_t)((gate & 0xffff) | ((gate >> 32) & 0xffff0000u));
	struct x86_seg s;
	uint64_t d;

	if (gdpl < c->cpl || gdpl < (sel & 3u))
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	if (!(gate >> 47 & 1))
		x86_raise(c, X86_EXC_NP, true, sel & ~3u);
	if (gsz == 2)
		off &= 0xffff;
	code_target(c, tsel, c->cpl, &s, &d);
	dpl = (s.attr >> 5) & 3;
	if (dpl > c->cpl)
		x86_raise(c, X86_EXC_GP, true, tsel & ~3u);
	if (off > s.limit)
		x86_gp0(c);
	if (call && !(s.attr & 4) && dpl < c->cpl) {
		call_gate_inner(c, gate, gsz, &s, d, tsel, off, ret_ip);
		return;
	}
	if (!call && !(s.attr & 4) && dpl != c->cpl)
		x86_raise(c, X86_EXC_GP, true, tsel & ~3u);
	if (off > s.limit)
		x86_gp0(c);
	s.sel = (tsel & ~3u) | c->cpl;
	if (call)
		push_pair(c, gsz, c->seg[X86_CS].sel, ret_ip);
	desc_touch(c, tsel, d);
	c->seg[X86_CS] = s;
	x86_mode_update(c);
	c->next_ip = off;
}

void x86_far_jump(struct x86_cpu *c, uint16_t sel, uint32_t off,
		  unsigned int opsize, bool call, uint32_t ret_ip)
{
	struct x86_seg s;
	unsigned int dpl;
	uint64_t d;

	if (opsize == 2)
		off &= 0xffff;
	if (!(c->cr0 & X86_CR0_PE) || (c->eflags & FL_VM)) {
		if (off > c->seg[X86_CS].limit)
			x86_gp0(c);
		if (call)
			push_pair(c, opsize, c->seg[X86_CS].sel, ret_ip);
		x86_seg_load_real(c, X86_CS, sel);
		c->next_ip = off;
		return;
	}
	if (!(sel & ~3))
		x86_gp0(c);
	d = x86_desc_read(c, sel, X86_EXC_GP);
	if (!(d >> 44 & 1)) {		/* system descriptor */
		unsigned int type = (d >> 40) & 0xf;

		if (type == 4 || type == 0xc) {
			far_gate(c, sel, d, opsize, call, ret_ip);
			return;
		}
		if (type == 5 || type == 1 || type == 9) {
			unsigned int gdpl = (d >> 45) & 3;
			uint16_t tsel = sel;

			if (gdpl < c->cpl || gdpl < (sel & 3u))
				x86_raise(c, X86_EXC_GP, true, sel & ~3u);
			if (!(d >> 47 & 1))
				x86_raise(c, X86_EXC_NP, true, sel & ~3u);
			if (type == 5)
				tsel = (uint16_t)(d >> 16);
			x86_task_switch(c, tsel, call ? X86_TASK_CALL : X86_TASK_JMP,
					(uint32_t)c->next_ip);
			return;
		}
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	}
	code_target(c, sel, c->cpl, &s, &d);
	dpl = (s.attr >> 5) & 3;
	if (s.attr & 4) {
		if (dpl > c->cpl)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	} else if ((sel & 3u) > c->cpl || dpl != c->cpl) {
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	}
	if (off > s.limit)
		x86_gp0(c);
	if (call)
		push_pair(c, opsize, c->seg[X86_CS].sel, ret_ip);
	desc_touch(c, sel, d);
	c->seg[X86_CS] = s;
	x86_mode_update(c);
	c->next_ip = off;
}

/* after a return to an outer level: data segments the new CPL may not use */
static void null_inner_segs(struct x86_cpu *c)
{
	static const unsigned int segs[] = { X86_ES, X86_DS, X86_FS, X86_GS };

	for (unsigned int i = 0; i < 4; i++) {
		struct x86_seg *s = &c->seg[segs[i]];
		unsigned int dpl = (s->attr >> 5) & 3;
		bool conf_code = (s->attr & 0x0c) == 0x0c;

		if (!conf_code && dpl < c->cpl) {
			s->sel = 0;
			s->attr = 0;
		}
	}
}

void x86_far_ret(struct x86_cpu *c, unsigned int sz, uint16_t imm)
{
	uint32_t sp = x86_sp(c), m = c->stack32 ? 0xffffffffu : 0xffff;
	uint32_t ip = x86_read(c, X86_SS, sp, sz);
	uint16_t sel = (uint16_t)x86_read(c, X86_SS, (sp + sz) & m, 2);
	unsigned int rpl = sel & 3, dpl;
	struct x86_seg s;
	uint64_t d;

	if (!(c->cr0 & X86_CR0_PE) || (c->eflags & FL_VM)) {
		if (ip > c->seg[X86_CS].limit && !(c->eflags & FL_VM))
			x86_gp0(c);
		x86_seg_load_real(c, X86_CS, sel);
		c->next_ip = sz == 2 ? (ip & 0xffff) : ip;
		x86_sp_set(c, (sp + 2 * sz + imm) & m);
		return;
	}
	if (rpl < c->cpl)
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	code_target(c, sel, rpl, &s, &d);
	dpl = (s.attr >> 5) & 3;
	if ((s.attr & 4) ? dpl > rpl : dpl != rpl)
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	if (sz == 2)
		ip &= 0xffff;
	if (ip > s.limit)
		x86_gp0(c);
	if (rpl > c->cpl) {
		uint32_t nsp = x86_read(c, X86_SS, (sp + 2 * sz + imm) & m, sz);
		uint16_t nss = (uint16_t)x86_read(c, X86_SS,
						  (sp + 3 * sz + imm) & m, 2);

		desc_touch(c, sel, d);
		c->seg[X86_CS] = s;
		c->cpl = (uint8_t)rpl;
		x86_seg_load(c, X86_SS, nss);
		x86_mode_update(c);
		x86_sp_set(c, (nsp + imm) & (c->stack32 ? 0xffffffffu : 0xffff));
		null_inner_segs(c);
	} else {
		desc_touch(c, sel, d);
		c->seg[X86_CS] = s;
		x86_mode_update(c);
		x86_sp_set(c, (sp + 2 * sz + imm) & m);
	}
	c->next_ip = ip;
}

static void iret_to_v86(struct x86_cpu *c, uint32_t sp, uint32_t m,
			uint32_t ip, uint16_t cs, uint32_t fl)
{
	uint32_t v[6];
	static const unsigned int order[4] = { X86_ES, X86_DS, X86_FS, X86_GS };

	for (unsigned int i = 0; i < 6; i++)
		v[i] = x86_read(c, X86_SS, (sp + 12 + 4 * i) & m, 4);
	x86_flags_put(c, fl);
	c->seg[X86_CS].attr = 0xfb;
	x86_seg_load_real(c, X86_CS, cs);
	c->seg[X86_SS].attr = 0xf3;
	x86_seg_load_real(c, X86_SS, (uint16_t)v[1]);
	for (unsigned int i = 0; i < 4; i++)
		x86_seg_load_real(c, order[i], (uint16_t)v[2 + i]);
	c->gpr[X86_RSP] = v[0];
	x86_mode_update(c);
	c->next_ip = ip & 0xffff;
}

void x86_iret(struct x86_cpu *c, unsigned int sz)
{
	uint32_t sp = x86_sp(c), m = c->stack32 ? 0xffffffffu : 0xffff;
	uint32_t ip, fl, old = x86_flags_get(c), keep;
	uint16_t cs;

	if ((c->cr0 & X86_CR0_PE) && (old & FL_NT) && !(old & FL_VM)) {
		uint16_t link = (uint16_t)x86_lin_read(c, (uint32_t)c->tr.base, 2, false);

		x86_task_switch(c, link, X86_TASK_IRET, (uint32_t)c->next_ip);
		c->nmi_blocked = false;
		return;
	}
	if ((old & FL_VM) && (old & FL_IOPL) != FL_IOPL)
		x86_gp0(c);
	ip = x86_read(c, X86_SS, sp, sz);
	cs = (uint16_t)x86_read(c, X86_SS, (sp + sz) & m, 2);
	fl = x86_read(c, X86_SS, (sp + 2 * sz) & m, sz);
	if (sz == 2)
		fl = (old & 0xffff0000u) | (fl & 0xffff);
	if (!(c->cr0 & X86_CR0_PE) || (old & FL_VM)) {
		/* real mode / V86 with IOPL 3: IOPL and VM are kept in V86 */
		if (old & FL_VM)
			fl = (fl & ~(FL_IOPL | FL_VM | FL_VIP | FL_VIF)) |
			     (old & (FL_IOPL | FL_VM | FL_VIP | FL_VIF));
		if (ip > c->seg[X86_CS].limit && !(old & FL_VM))
			x86_gp0(c);
		x86_seg_load_real(c, X86_CS, cs);
		x86_flags_put(c, fl);
		x86_sp_set(c, (sp + 3 * sz) & m);
		x86_mode_update(c);
		c->next_ip = sz == 2 ? (ip & 0xffff) : ip;
		c->nmi_blocked = false;
		return;
	}
	if ((fl & FL_VM) && c->cpl == 0 && sz == 4) {
		iret_to_v86(c, sp, m, ip, cs, fl);
		c->nmi_blocked = false;
		return;
	}
	/* protected mode return */
	{
		unsigned int rpl = cs & 3, dpl;
		struct x86_seg s;
		uint64_t d;

		if (rpl < c->cpl)
			x86_raise(c, X86_EXC_GP, true, cs & ~3u);
		code_target(c, cs, rpl, &s, &d);
		dpl = (s.attr >> 5) & 3;
		if ((s.attr & 4) ? dpl > rpl : dpl != rpl)
			x86_raise(c, X86_EXC_GP, true, cs & ~3u);
		if (sz == 2)
			ip &= 0xffff;
		if (ip > s.limit)
			x86_gp0(c);
		keep = FL_VM | FL_VIP | FL_VIF;
		if (c->cpl > 0)
			keep |= FL_IOPL;
		if (c->cpl > ((old & FL_IOPL) >> 12))
			keep |= FL_IF;
		fl = (fl & ~keep) | (old & keep);
		if (rpl > c->cpl) {
			uint32_t nsp = x86_read(c, X86_SS, (sp + 3 * sz) & m, sz);
			uint16_t nss = (uint16_t)x86_read(c, X86_SS,
							  (sp + 4 * sz) & m, 2);

			desc_touch(c, cs, d);
			c->seg[X86_CS] = s;
			c->cpl = (uint8_t)rpl;
			x86_seg_load(c, X86_SS, nss);
			x86_flags_put(c, fl);
			x86_mode_update(c);
			x86_sp_set(c, nsp);
			null_inner_segs(c);
		} else {
			desc_touch(c, cs, d);
			c->seg[X86_CS] = s;
			x86_flags_put(c, fl);
			x86_mode_update(c);
			x86_sp_set(c, (sp + 3 * sz) & m);
		}
		c->next_ip = ip;
		c->nmi_blocked = false;
	}
}
