// SPDX-License-Identifier: GPL-2.0-only
/*
 * exceptions.c --- raising and delivering exceptions and interrupts
 *
 * Real-mode IVT delivery; protected-mode delivery through interrupt and
 * trap gates with privilege change (stack from the TSS), error codes, and
 * delivery from virtual-8086 mode (SDM vol. 3, 6.12); IA-32e delivery
 * through 16-byte interrupt/trap gates to 64-bit code, with the RSPn or
 * ISTn stack of the 64-bit TSS, a null SS on a privilege change, the stack
 * aligned to 16 bytes and SS:RSP always pushed (6.14).  Nested faults are
 * combined into #DF or a triple fault by the run loop (6.15, table 6-5).
 */
#include <stdarg.h>
#include <stdio.h>

#include "vmm/x86/cpu.h"

void x86_raise(struct x86_cpu *c, unsigned int vec, bool has_err, uint32_t err)
{
	c->exc_vec = (uint8_t)vec;
	c->exc_has_err = has_err;
	c->exc_err = err;
	_longjmp(c->jb, 1);
}

void x86_internal_error(struct x86_cpu *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	c->error = true;
	_longjmp(c->jb, 2);
}

static void deliver_real(struct x86_cpu *c, unsigned int vec, uint64_t ret_ip)
{
	uint32_t ent, sp = (uint32_t)x86_sp(c);
	uint32_t fl = x86_flags_get(c);
	uint16_t cs = c->seg[X86_CS].sel;

	if (vec * 4 + 3 > c->idtr.limit)
		x86_gp0(c);
	ent = (uint32_t)x86_phys_read(c, c->idtr.base + vec * 4, 4);
	x86_write(c, X86_SS, (sp - 2) & 0xffff, 2, fl);
	x86_write(c, X86_SS, (sp - 4) & 0xffff, 2, cs);
	x86_write(c, X86_SS, (sp - 6) & 0xffff, 2, ret_ip);
	x86_sp_set(c, (sp - 6) & 0xffff);
	c->eflags &= ~(FL_IF | FL_TF | FL_AC | FL_RF);
	x86_seg_load_real(c, X86_CS, (uint16_t)(ent >> 16));
	c->rip = ent & 0xffff;
}

/* push onto a stack described by @ss (not yet loaded) */
static void push_on(struct x86_cpu *c, const struct x86_seg *ss, uint32_t *sp,
		    unsigned int size, uint32_t v, unsigned int vec_err)
{
	bool b = ss->attr & X86_SEG_ATTR_DB;
	uint32_t off = (*sp - size) & (b ? 0xffffffffu : 0xffffu);
	bool down = !(ss->attr & 8) && (ss->attr & 4);

	if (down ? (off <= ss->limit) : (off + size - 1 > ss->limit))
		x86_raise(c, X86_EXC_SS, true, vec_err);
	x86_lin_write(c, (uint32_t)(ss->base + off), size, v, false);
	*sp = off;
}

static void deliver_prot(struct x86_cpu *c, unsigned int vec, bool has_err,
			 uint32_t err, bool soft, uint64_t ret_ip, bool ext)
{
	uint32_t idt_err = vec * 8 + 2 + (ext ? 1 : 0);
	uint64_t gate, cdesc;
	unsigned int type, gdpl, dpl, gsz;
	uint16_t csel;
	uint32_t off, fl = x86_flags_get(c);
	struct x86_seg ncs, nss;
	uint32_t sp;
	bool vm = fl & FL_VM;

	if (vec * 8 + 7 > c->idtr.limit)
		x86_raise(c, X86_EXC_GP, true, idt_err);
	gate = x86_sys_read(c, c->idtr.base + vec * 8, 4) |
	       x86_sys_read(c, c->idtr.base + vec * 8 + 4, 4) << 32;
	type = (gate >> 40) & 0x1f;
	gdpl = (gate >> 45) & 3;
	if (type != 0x0e && type != 0x0f && type != 0x06 && type != 0x07) {
		if (type == 0x05) {
			if (soft && gdpl < c->cpl)
				x86_raise(c, X86_EXC_GP, true, idt_err);
			if (!(gate >> 47 & 1))
				x86_raise(c, X86_EXC_NP, true, idt_err);
			x86_task_switch(c, (uint16_t)(gate >> 16), X86_TASK_INT,
					(uint32_t)ret_ip);
			if (has_err)
				x86_push(c, (c->tr.attr & 8) ? 4 : 2, err);
			return;
		}
		x86_raise(c, X86_EXC_GP, true, idt_err);
	}
	if (soft && gdpl < c->cpl)
		x86_raise(c, X86_EXC_GP, true, idt_err);
	if (!(gate >> 47 & 1))
		x86_raise(c, X86_EXC_NP, true, idt_err);
	gsz = (type & 8) ? 4 : 2;
	csel = (uint16_t)(gate >> 16);
	off = (uint32_t)((gate & 0xffff) | ((gate >> 32) & 0xffff0000u));
	if (gsz == 2)
		off &= 0xffff;
	if (!(csel & ~3))
		x86_raise(c, X86_EXC_GP, true, ext ? 1 : 0);
	cdesc = x86_desc_read(c, csel, X86_EXC_GP);
	x86_desc_to_seg(cdesc, csel, &ncs);
	dpl = (ncs.attr >> 5) & 3;
	if ((ncs.attr & 0x18) != 0x18 || dpl > c->cpl)
		x86_raise(c, X86_EXC_GP, true, (csel & ~3u) | ext);
	if (!(ncs.attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_NP, true, (csel & ~3u) | ext);
	if (!(ncs.attr & 4) && dpl < c->cpl) {
		/* inner privilege: stack from the TSS */
		uint32_t tss = (uint32_t)c->tr.base, nsp;
		uint16_t nssel;
		bool t32 = (c->tr.attr & 8);

		if (vm && dpl != 0)
			x86_raise(c, X86_EXC_GP, true, (csel & ~3u) | ext);
		if (t32) {
			nsp = (uint32_t)x86_sys_read(c, tss + 4 + dpl * 8, 4);
			nssel = (uint16_t)x86_sys_read(c, tss + 8 + dpl * 8, 2);
		} else {
			nsp = (uint32_t)x86_sys_read(c, tss + 2 + dpl * 4, 2);
			nssel = (uint16_t)x86_sys_read(c, tss + 4 + dpl * 4, 2);
		}
		if (!(nssel & ~3))
			x86_raise(c, X86_EXC_TS, true, ext);
		x86_desc_to_seg(x86_desc_read(c, nssel, X86_EXC_TS), nssel, &nss);
		if ((nssel & 3) != dpl || ((nss.attr >> 5) & 3) != dpl ||
		    (nss.attr & 0x1a) != 0x12)
			x86_raise(c, X86_EXC_TS, true, (nssel & ~3u) | ext);
		if (!(nss.attr & X86_SEG_ATTR_P))
			x86_raise(c, X86_EXC_SS, true, (nssel & ~3u) | ext);
		sp = nsp;
		if (vm) {
			push_on(c, &nss, &sp, gsz, c->seg[X86_GS].sel, 0);
			push_on(c, &nss, &sp, gsz, c->seg[X86_FS].sel, 0);
			push_on(c, &nss, &sp, gsz, c->seg[X86_DS].sel, 0);
			push_on(c, &nss, &sp, gsz, c->seg[X86_ES].sel, 0);
		}
		push_on(c, &nss, &sp, gsz, c->seg[X86_SS].sel, 0);
		push_on(c, &nss, &sp, gsz, (uint32_t)c->gpr[X86_RSP], 0);
	} else {
		if (vm)
			x86_raise(c, X86_EXC_GP, true, (csel & ~3u) | ext);
		nss = c->seg[X86_SS];
		sp = (uint32_t)c->gpr[X86_RSP];
		dpl = c->cpl;
	}
	push_on(c, &nss, &sp, gsz, fl, 0);
	push_on(c, &nss, &sp, gsz, c->seg[X86_CS].sel, 0);
	push_on(c, &nss, &sp, gsz, (uint32_t)ret_ip, 0);
	if (has_err)
		push_on(c, &nss, &sp, gsz, err, 0);
	if (off > ncs.limit)
		x86_raise(c, X86_EXC_GP, true, 0);
	/* commit */
	if (vm) {
		unsigned int s;

		for (s = 0; s < X86_NR_SREGS; s++)
			if (s != X86_CS && s != X86_SS) {
				c->seg[s].sel = 0;
				c->seg[s].attr = 0;
			}
	}
	ncs.sel = (csel & ~3u) | dpl;
	c->seg[X86_CS] = ncs;
	if (dpl != c->cpl || vm) {
		c->seg[X86_SS] = nss;
	}
	c->cpl = (uint8_t)dpl;
	c->eflags = (fl & ~(FL_TF | FL_VM | FL_RF | FL_NT)) | X86_RFLAGS_FIXED;
	if (!(type & 1))
		c->eflags &= ~FL_IF;
	x86_mode_update(c);
	if (c->stack32)
		c->gpr[X86_RSP] = sp;
	else
		reg_set(c, X86_RSP, 2, sp);
	c->rip = off;
}

/* push @v on the 64-bit stack at *sp (supervisor); #SS(0) if not canonical */
static void push64(struct x86_cpu *c, uint64_t *sp, uint64_t v)
{
	*sp -= 8;
	if (!is_canonical(*sp))
		x86_raise(c, X86_EXC_SS, true, 0);
	x86_lin_write(c, *sp, 8, v, false);
}

/* IA-32e mode: 16-byte gates to 64-bit code only */
static void deliver_long(struct x86_cpu *c, unsigned int vec, bool has_err,
			 uint32_t err, bool soft, uint64_t ret_ip, bool ext)
{
	uint32_t idt_err = vec * 8 + 2 + (ext ? 1 : 0), fl = x86_flags_get(c);
	uint64_t lo, hi, off, cdesc, sp;
	unsigned int type, dpl, ist;
	struct x86_seg ncs;
	uint16_t csel;

	if (vec * 16 + 15 > c->idtr.limit)
		x86_raise(c, X86_EXC_GP, true, idt_err);
	lo = x86_sys_read(c, c->idtr.base + vec * 16, 8);
	hi = x86_sys_read(c, c->idtr.base + vec * 16 + 8, 8);
	type = (lo >> 40) & 0x1f;
	if (type != 0x0e && type != 0x0f)
		x86_raise(c, X86_EXC_GP, true, idt_err);
	if (soft && ((lo >> 45) & 3) < c->cpl)
		x86_raise(c, X86_EXC_GP, true, idt_err);
	if (!(lo >> 47 & 1))
		x86_raise(c, X86_EXC_NP, true, idt_err);
	csel = (uint16_t)(lo >> 16);
	off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000u) | (hi << 32);
	ist = (lo >> 32) & 7;
	if (!(csel & ~3))
		x86_raise(c, X86_EXC_GP, true, ext ? 1 : 0);
	cdesc = x86_desc_read(c, csel, X86_EXC_GP);
	x86_desc_to_seg(cdesc, csel, &ncs);
	dpl = (ncs.attr >> 5) & 3;
	if ((ncs.attr & 0x18) != 0x18 || dpl > c->cpl ||
	    !(ncs.attr & X86_SEG_ATTR_L) || (ncs.attr & X86_SEG_ATTR_DB))
		x86_raise(c, X86_EXC_GP, true, (csel & ~3u) | ext);
	if (!(ncs.attr & X86_SEG_ATTR_P))
		x86_raise(c, X86_EXC_NP, true, (csel & ~3u) | ext);
	if ((ncs.attr & 4) || dpl == c->cpl)
		dpl = c->cpl;			/* no privilege change */
	if (ist)
		sp = x86_tss64_rsp(c, 3 + ist, X86_EXC_TS,
				   (c->tr.sel & ~3u) | ext);
	else if (dpl != c->cpl)
		sp = x86_tss64_rsp(c, dpl, X86_EXC_TS, (c->tr.sel & ~3u) | ext);
	else
		sp = c->gpr[X86_RSP];
	sp &= ~0xfull;
	push64(c, &sp, c->seg[X86_SS].sel);
	push64(c, &sp, c->gpr[X86_RSP]);
	push64(c, &sp, fl);
	push64(c, &sp, c->seg[X86_CS].sel);
	push64(c, &sp, ret_ip);
	if (has_err)
		push64(c, &sp, err);
	if (!is_canonical(off))
		x86_raise(c, X86_EXC_GP, true, 0);
	/* commit */
	ncs.sel = (csel & ~3u) | dpl;
	ncs.attr |= 1;
	c->seg[X86_CS] = ncs;
	if (dpl != c->cpl)
		c->seg[X86_SS] = (struct x86_seg){ .sel = (uint16_t)dpl,
						   .attr = (uint16_t)(dpl << 5) };
	c->cpl = (uint8_t)dpl;
	c->eflags = (fl & ~(FL_TF | FL_VM | FL_RF | FL_NT)) | X86_RFLAGS_FIXED;
	if (!(type & 1))
		c->eflags &= ~FL_IF;
	c->gpr[X86_RSP] = sp;
	x86_mode_update(c);
	c->rip = off;
}

void x86_deliver(struct x86_cpu *c, unsigned int vec, bool has_err,
		 uint32_t err, bool soft, uint64_t ret_ip)
{
	bool ext = !soft && vec >= 32;

	c->halted = false;
	if (!(c->cr0 & X86_CR0_PE))
		deliver_real(c, vec, ret_ip);
	else if (c->efer & EFER_LMA)
		deliver_long(c, vec, has_err, err, soft, ret_ip, ext);
	else
		deliver_prot(c, vec, has_err, err, soft, ret_ip, ext);
}
