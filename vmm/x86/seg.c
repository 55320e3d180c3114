// SPDX-License-Identifier: GPL-2.0-only
/*
 * seg.c --- segment registers, descriptors and far control transfers
 *
 * Loading segment registers in real, virtual-8086, protected and IA-32e
 * mode with the descriptor checks of SDM vol. 3, 5.4-5.8 (type, privilege,
 * present, accessed bit; a null SS at CPL 0-2 in 64-bit mode); far
 * JMP/CALL (incl. 16/32-bit call gates with parameter copy and 64-bit call
 * gates, 5.8.3.1, with the stack switch of 5.8.5 and 5.8.5.1), far RET and
 * IRET (incl. outer-privilege returns, returns to virtual-8086 mode, and in
 * IA-32e mode IRET's SS:RSP frame and returns to 64-bit or compatibility
 * mode, 6.14.3).  The mode fields of struct x86_cpu follow CS, SS, CR0,
 * EFER.LMA and EFLAGS.VM (x86_mode_update()).
 */
#include "vmm/x86/cpu.h"

void x86_mode_update(struct x86_cpu *c)
{
	bool vm = (c->cr0 & X86_CR0_PE) && (c->eflags & FL_VM);

	c->long64 = !vm && (c->efer & EFER_LMA) &&
		    (c->seg[X86_CS].attr & X86_SEG_ATTR_L);
	c->code32 = !vm && !c->long64 && (c->seg[X86_CS].attr & X86_SEG_ATTR_DB);
	c->stack32 = !vm && (c->long64 || (c->seg[X86_SS].attr & X86_SEG_ATTR_DB));
	c->dmode = c->long64 ? X86_DMODE_LONG64 : c->code32 ? X86_DMODE_CODE32 : 0;
	c->ip_mask = c->long64 ? ~0ull : c->code32 ? 0xffffffffull : 0xffff;
	c->sp_mask = c->long64 ? ~0ull : c->stack32 ? 0xffffffffull : 0xffff;
	c->lin_mask = c->long64 ? ~0ull : 0xffffffffull;
	c->cs_limit = c->long64 ? ~0ull : c->seg[X86_CS].limit;
	c->cs_base = c->long64 ? 0 : c->seg[X86_CS].base;
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
			s->attr &= (uint16_t)~(X86_SEG_ATTR_DB | X86_SEG_ATTR_L);
	}
	if (sreg == X86_CS || sreg == X86_SS)
		x86_mode_update(c);
}

/* linear address of the descriptor of @sel after the table checks */
static uint64_t desc_addr(struct x86_cpu *c, uint16_t sel, unsigned int vec,
			  unsigned int len)
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
	if (idx + len - 1 > lim)
		x86_raise(c, vec, true, sel & ~3u);
	return base + idx;
}

uint64_t x86_desc_read(struct x86_cpu *c, uint16_t sel, unsigned int vec)
{
	uint64_t a = desc_addr(c, sel, vec, 8);

	return x86_sys_read(c, a, 4) | x86_sys_read(c, a + 4, 4) << 32;
}

uint64_t x86_desc_read_hi(struct x86_cpu *c, uint16_t sel, unsigned int vec)
{
	uint64_t a = desc_addr(c, sel, vec, 16) + 8;

	return x86_sys_read(c, a, 4) | x86_sys_read(c, a + 4, 4) << 32;
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
	x86_sys_write(c, base + (sel & ~7u) + 5, 1,
		      (uint32_t)((d >> 40) & 0xff) | 1);
}

/*
 * Check @sel for SS at privilege @cpl: #GP(sel) on type/privilege, #SS(sel)
 * when not present.  A null selector is allowed only with @null_ok (64-bit
 * mode at CPL 0-2): SS becomes an unusable segment with DPL = @cpl.
 * Returns the descriptor (0 for null) and the cache in @s.
 */
static uint64_t ss_check(struct x86_cpu *c, uint16_t sel, unsigned int cpl,
			 bool null_ok, struct x86_seg *s)
{
	unsigned int dpl;
	uint64_t d;

	if (!(sel & ~3)) {
		if (!null_ok || (sel & 3) != cpl)
			x86_raise(c, X86_EXC_GP, true, 0);
		*s = (struct x86_seg){ .sel = sel, .attr = (uint16_t)(cpl << 5) };
		return 0;
	}
	d = x86_desc_read(c, sel, X86_EXC_GP);
	x86_desc_to_seg(d, sel, s);
	dpl = (s->attr >> 5) & 3;
	if ((sel & 3u) != cpl || dpl != cpl || (s->attr & 0x1a) != 0x12)
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	if (!(s->attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_SS, true, sel & ~3u);
	return d;
}

/* commit an SS checked by ss_check() */
static void ss_commit(struct x86_cpu *c, const struct x86_seg *s, uint64_t d)
{
	c->seg[X86_SS] = *s;
	if (d) {
		desc_touch(c, s->sel, d);
		c->seg[X86_SS].attr |= 1;
	}
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
	if (sreg == X86_SS) {
		d = ss_check(c, sel, c->cpl, c->long64 && c->cpl < 3, &s);
		ss_commit(c, &s, d);
		x86_mode_update(c);
		return;
	}
	if (!(sel & ~3)) {
		c->seg[sreg].sel = sel;
		c->seg[sreg].attr = 0;	/* unusable */
		c->seg[sreg].base = 0;
		c->seg[sreg].limit = 0;
		return;
	}
	d = x86_desc_read(c, sel, X86_EXC_GP);
	x86_desc_to_seg(d, sel, &s);
	dpl = (s.attr >> 5) & 3;
	{
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
	/* L and D both set is reserved in IA-32e mode */
	if (x86_lma(c) && (s->attr & X86_SEG_ATTR_L) &&
	    (s->attr & X86_SEG_ATTR_DB))
		x86_raise(c, X86_EXC_GP, true, sel & ~3u);
	if (!(s->attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_NP, true, sel & ~3u);
	s->sel = (sel & ~3u) | cpl_new;
	s->attr |= 1;
}

/* does @s, a code segment, run in 64-bit mode? */
static bool seg_is64(const struct x86_cpu *c, const struct x86_seg *s)
{
	return x86_lma(c) && (s->attr & X86_SEG_ATTR_L);
}

/* the target offset @ip of a far transfer into @s: masked to @sz outside
 * 64-bit mode, then #GP(0) past the limit or non-canonical */
static uint64_t far_ip(struct x86_cpu *c, const struct x86_seg *s,
		       uint64_t ip, unsigned int sz)
{
	if (seg_is64(c, s)) {
		if (!is_canonical(ip))
			x86_gp0(c);
		return ip;
	}
	ip &= sz == 2 ? 0xffff : 0xffffffffu;
	if (ip > s->limit)
		x86_gp0(c);
	return ip;
}

static void push_pair(struct x86_cpu *c, unsigned int sz, uint16_t cs,
		      uint64_t ip)
{
	uint64_t sp = x86_sp(c), m = c->sp_mask;

	x86_write(c, X86_SS, (sp - sz) & m, sz, cs);
	x86_write(c, X86_SS, (sp - 2 * sz) & m, sz, ip);
	x86_sp_set(c, (sp - 2 * sz) & m);
}

/* push onto the stack @ss (not loaded yet) at *sp; supervisor access */
static void push_new(struct x86_cpu *c, const struct x86_seg *ss, uint64_t *sp,
		     unsigned int size, uint64_t v, uint16_t err)
{
	uint64_t off;
	bool down = !(ss->attr & 8) && (ss->attr & 4);

	if (x86_lma(c) && size == 8) {		/* a 64-bit stack */
		off = *sp - 8;
		if (!is_canonical(off))
			x86_raise(c, X86_EXC_SS, true, err);
		x86_lin_write(c, off, 8, v, false);
		*sp = off;
		return;
	}
	off = (*sp - size) & ((ss->attr & X86_SEG_ATTR_DB) ? 0xffffffffu : 0xffffu);
	if (down ? off <= ss->limit : off + size - 1 > ss->limit)
		x86_raise(c, X86_EXC_SS, true, err);
	x86_lin_write(c, (uint32_t)(ss->base + off), size, v, false);
	*sp = off;
}

/*
 * CALL through a call gate to a more privileged non-conforming segment:
 * new stack from the TSS, parameters copied (SDM vol. 3, 5.8.5); through a
 * 64-bit gate: RSP from the 64-bit TSS, SS null, no parameters (5.8.5.1).
 */
static void call_gate_inner(struct x86_cpu *c, uint64_t gate, unsigned int gsz,
			    struct x86_seg *cs, uint64_t cdesc, uint16_t tsel,
			    uint64_t off, uint64_t ret_ip)
{
	unsigned int dpl = (cs->attr >> 5) & 3, n = (gate >> 32) & 0x1f, i;
	uint32_t tss = (uint32_t)c->tr.base, params[32];
	uint64_t nsp = 0, sp, osp = x86_sp(c), om = c->sp_mask, d = 0;
	bool t32 = c->tr.attr & 8;
	struct x86_seg ss;
	uint16_t nssel;

	if (gsz == 8) {
		nsp = x86_tss64_rsp(c, dpl, X86_EXC_TS, c->tr.sel & ~3u);
		nssel = (uint16_t)dpl;
		ss = (struct x86_seg){ .sel = nssel, .attr = (uint16_t)(dpl << 5) };
		n = 0;
	} else {
		if (t32) {
			nsp = x86_sys_read(c, tss + 4 + dpl * 8, 4);
			nssel = (uint16_t)x86_sys_read(c, tss + 8 + dpl * 8, 2);
		} else {
			nsp = x86_sys_read(c, tss + 2 + dpl * 4, 2);
			nssel = (uint16_t)x86_sys_read(c, tss + 4 + dpl * 4, 2);
		}
		if (!(nssel & ~3))
			x86_raise(c, X86_EXC_TS, true, 0);
		d = x86_desc_read(c, nssel, X86_EXC_TS);
		x86_desc_to_seg(d, nssel, &ss);
		if ((nssel & 3) != dpl || ((ss.attr >> 5) & 3) != dpl ||
		    (ss.attr & 0x1a) != 0x12)
			x86_raise(c, X86_EXC_TS, true, nssel & ~3u);
		if (!(ss.attr & X86_SEG_ATTR_P))
			x86_raise(c, X86_EXC_SS, true, nssel & ~3u);
	}
	for (i = 0; i < n; i++)
		params[i] = (uint32_t)x86_read(c, X86_SS, (osp + i * gsz) & om, gsz);
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
	if (d)
		ss.attr |= 1;
	c->seg[X86_SS] = ss;
	c->cpl = (uint8_t)dpl;
	x86_mode_update(c);
	if (gsz == 8)
		c->gpr[X86_RSP] = sp;
	else
		x86_sp_set(c, sp);
	c->next_ip = off;
}

static void far_gate(struct x86_cpu *c, uint16_t sel, uint64_t gate,
		     unsigned int opsize, bool call, uint64_t ret_ip)
{
	unsigned int gdpl = (gate >> 45) & 3, type = (gate >> 40) & 0xf;
	unsigned int gsz = (type & 8) ? 4 : 2, dpl;
	uint16_t tsel = (uint16_t)(gate >> 16);
	uint64_t off = (gate & 0xffff) | ((gate >> 32) & 0xffff0000u);
	struct x86_seg s;
	uint64_t d;

	if (x86_lma(c)) {
		uint64_t hi;

		if (type != 0xc)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		hi = x86_desc_read_hi(c, sel, X86_EXC_GP);
		if ((hi >> 40) & 0x1f)
			x86_raise(c, X86_EXC_GP, true, sel & ~3u);
		off |= (hi & 0xffffffffull) << 32;
		gsz = 8;
	}
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
	if (gsz == 8 && (!(s.attr & X86_SEG_ATTR_L) || (s.attr & X86_SEG_ATTR_DB)))
		x86_raise(c, X86_EXC_GP, true, tsel & ~3u);
	off = far_ip(c, &s, off, gsz);
	if (call && !(s.attr & 4) && dpl < c->cpl) {
		call_gate_inner(c, gate, gsz, &s, d, tsel, off, ret_ip);
		return;
	}
	if (!call && !(s.attr & 4) && dpl != c->cpl)
		x86_raise(c, X86_EXC_GP, true, tsel & ~3u);
	s.sel = (tsel & ~3u) | c->cpl;
	if (call)
		push_pair(c, gsz, c->seg[X86_CS].sel, ret_ip);
	desc_touch(c, tsel, d);
	c->seg[X86_CS] = s;
	x86_mode_update(c);
	c->next_ip = off;
}

void x86_far_jump(struct x86_cpu *c, uint16_t sel, uint64_t off,
		  unsigned int opsize, bool call, uint64_t ret_ip)
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
		if ((type == 5 || type == 1 || type == 9) && !x86_lma(c)) {
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
	off = far_ip(c, &s, off, opsize);
	if (call)
		push_pair(c, opsize, c->seg[X86_CS].sel, ret_ip);
	desc_touch(c, sel, d);
	c->seg[X86_CS] = s;
	x86_mode_update(c);
	c->next_ip = off;
}

/* after a return to an outer level: data segments the new CPL may not use
 * become null (the hidden base stays: FS/GS bases of 64-bit code) */
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

/* the outer-level stack of a far RET / IRET to privilege @rpl; a null SS
 * is allowed when returning to 64-bit code at CPL 0-2 */
static uint64_t outer_ss(struct x86_cpu *c, uint16_t nss, unsigned int rpl,
			 const struct x86_seg *cs, struct x86_seg *ss)
{
	return ss_check(c, nss, rpl, seg_is64(c, cs) && rpl < 3, ss);
}

void x86_far_ret(struct x86_cpu *c, unsigned int sz, uint16_t imm)
{
	uint64_t sp = x86_sp(c), m = c->sp_mask;
	uint64_t ip = x86_read(c, X86_SS, sp, sz);
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
	ip = far_ip(c, &s, ip, sz);
	if (rpl > c->cpl) {
		uint64_t nsp = x86_read(c, X86_SS, (sp + 2 * sz + imm) & m, sz);
		uint16_t nss = (uint16_t)x86_read(c, X86_SS,
						  (sp + 3 * sz + imm) & m, 2);
		struct x86_seg ss;
		uint64_t sd = outer_ss(c, nss, rpl, &s, &ss);

		desc_touch(c, sel, d);
		c->seg[X86_CS] = s;
		c->cpl = (uint8_t)rpl;
		ss_commit(c, &ss, sd);
		x86_mode_update(c);
		x86_sp_set(c, nsp + imm);
		null_inner_segs(c);
	} else {
		desc_touch(c, sel, d);
		c->seg[X86_CS] = s;
		x86_mode_update(c);
		x86_sp_set(c, (sp + 2 * sz + imm) & m);
	}
	c->next_ip = ip;
}

static void iret_to_v86(struct x86_cpu *c, uint64_t sp, uint64_t m,
			uint32_t ip, uint16_t cs, uint32_t fl)
{
	uint32_t v[6];
	static const unsigned int order[4] = { X86_ES, X86_DS, X86_FS, X86_GS };

	for (unsigned int i = 0; i < 6; i++)
		v[i] = (uint32_t)x86_read(c, X86_SS, (sp + 12 + 4 * i) & m, 4);
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

/* protected-mode and IA-32e IRET after the real/v8086 cases */
static void iret_prot(struct x86_cpu *c, unsigned int sz, uint64_t sp,
		      uint64_t m, uint32_t old)
{
	uint64_t ip = x86_read(c, X86_SS, sp, sz), d, nsp = 0, sd = 0;
	uint16_t cs = (uint16_t)x86_read(c, X86_SS, (sp + sz) & m, 2), nss = 0;
	uint32_t fl = (uint32_t)x86_read(c, X86_SS, (sp + 2 * sz) & m, sz), keep;
	unsigned int rpl = cs & 3, dpl;
	bool pop_ss;
	struct x86_seg s, ss;

	if (sz == 2)
		fl = (old & 0xffff0000u) | (fl & 0xffff);
	if ((fl & FL_VM) && c->cpl == 0 && sz == 4 && !x86_lma(c)) {
		iret_to_v86(c, sp, m, (uint32_t)ip, cs, fl);
		return;
	}
	if (rpl < c->cpl)
		x86_raise(c, X86_EXC_GP, true, cs & ~3u);
	code_target(c, cs, rpl, &s, &d);
	dpl = (s.attr >> 5) & 3;
	if ((s.attr & 4) ? dpl > rpl : dpl != rpl)
		x86_raise(c, X86_EXC_GP, true, cs & ~3u);
	ip = far_ip(c, &s, ip, sz);
	/* 64-bit mode always pops SS:RSP, other modes on a level change */
	pop_ss = c->long64 || rpl > c->cpl;
	if (pop_ss) {
		nsp = x86_read(c, X86_SS, (sp + 3 * sz) & m, sz);
		nss = (uint16_t)x86_read(c, X86_SS, (sp + 4 * sz) & m, 2);
		sd = outer_ss(c, nss, rpl, &s, &ss);
	}
	keep = FL_VM | FL_VIP | FL_VIF;
	if (c->cpl > 0)
		keep |= FL_IOPL;
	if (c->cpl > ((old & FL_IOPL) >> 12))
		keep |= FL_IF;
	fl = (fl & ~keep) | (old & keep);
	if (x86_lma(c))
		fl &= ~FL_VM;
	desc_touch(c, cs, d);
	c->seg[X86_CS] = s;
	x86_flags_put(c, fl);
	if (pop_ss) {
		bool outer = rpl > c->cpl;

		c->cpl = (uint8_t)rpl;
		ss_commit(c, &ss, sd);
		x86_mode_update(c);
		x86_sp_set(c, nsp);
		if (outer)
			null_inner_segs(c);
	} else {
		x86_mode_update(c);
		x86_sp_set(c, (sp + 3 * sz) & m);
	}
	c->next_ip = ip;
}

void x86_iret(struct x86_cpu *c, unsigned int sz)
{
	uint64_t sp = x86_sp(c), m = c->sp_mask, ip;
	uint32_t fl, old = x86_flags_get(c);
	uint16_t cs;

	if ((c->cr0 & X86_CR0_PE) && (old & FL_NT) && !(old & FL_VM)) {
		uint16_t link;

		if (x86_lma(c))
			x86_gp0(c);	/* no task switches in IA-32e mode */
		link = (uint16_t)x86_sys_read(c, c->tr.base, 2);
		x86_task_switch(c, link, X86_TASK_IRET, (uint32_t)c->next_ip);
		c->nmi_blocked = false;
		return;
	}
	if ((old & FL_VM) && (old & FL_IOPL) != FL_IOPL)
		x86_gp0(c);
	if ((c->cr0 & X86_CR0_PE) && !(old & FL_VM)) {
		iret_prot(c, sz, sp, m, old);
		c->nmi_blocked = false;
		return;
	}
	ip = x86_read(c, X86_SS, sp, sz);
	cs = (uint16_t)x86_read(c, X86_SS, (sp + sz) & m, 2);
	fl = (uint32_t)x86_read(c, X86_SS, (sp + 2 * sz) & m, sz);
	if (sz == 2)
		fl = (old & 0xffff0000u) | (fl & 0xffff);
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
}
