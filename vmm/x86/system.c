// SPDX-License-Identifier: GPL-2.0-only
/*
 * system.c --- one-byte system and segment instructions
 *
 * Segment register moves and loads, far transfers, ENTER/LEAVE, BOUND,
 * ARPL, PUSHF/POPF with their IOPL/CPL rules, CLI/STI (interrupt shadow),
 * INT n/INT3/INTO/INT1, IRET, HLT, IN/OUT with the TSS I/O permission
 * bitmap (SDM vol. 1, 18.5), following the SDM vol. 2 instruction pages;
 * 64-bit operand sizes where 64-bit mode has them (PUSHFQ, ENTER/LEAVE,
 * IRETQ, far RET and LSS/LFS/LGS with REX.W).
 */
#include "vmm/x86/cpu.h"

static bool prot(const struct x86_cpu *c)
{
	return (c->cr0 & X86_CR0_PE) && !(c->eflags & FL_VM);
}

static unsigned int iopl(const struct x86_cpu *c)
{
	return (c->eflags & FL_IOPL) >> 12;
}

void x86_io_check(struct x86_cpu *c, uint16_t port, unsigned int size)
{
	uint32_t base, off, bits;

	if (!(c->cr0 & X86_CR0_PE))
		return;
	if (!(c->eflags & FL_VM) && c->cpl <= iopl(c))
		return;
	if ((c->tr.attr & 0xf) != 0x9 && (c->tr.attr & 0xf) != 0xb)
		x86_gp0(c);
	if (c->tr.limit < 0x67)
		x86_gp0(c);
	base = (uint32_t)x86_sys_read(c, c->tr.base + 0x66, 2);
	off = base + port / 8;
	if (off + 1 > c->tr.limit)
		x86_gp0(c);
	bits = (uint32_t)x86_sys_read(c, c->tr.base + off, 2);
	if ((bits >> (port & 7)) & ((1u << size) - 1))
		x86_gp0(c);
}

static void do_int(struct x86_cpu *c, unsigned int vec, bool iopl_check)
{
	if (iopl_check && (c->eflags & FL_VM) && iopl(c) < 3)
		x86_gp0(c);
	x86_deliver(c, vec, false, 0, true, c->next_ip);
	c->next_ip = c->rip;
}

/*
 * ENTER: every stack write and frame-pointer read is checked in the
 * CPU's order, then the final stack pointer must be writable; only then
 * does anything change.  FrameTemp is the whole (E)SP of the operand size
 * after the first push (a 16-bit stack keeps the upper half of ESP), the
 * nested frame pointers are read through (E)BP of the stack size.
 */
static void exec_enter(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int sz = in->opsize, level = in->imm2 & 31, i;
	uint64_t m = c->sp_mask;
	uint64_t sp = x86_sp(c), bp = c->gpr[X86_RBP] & m;
	uint64_t frame = 0, lin[32], v[32], fin;
	bool u = c->cpl == 3;

	for (i = 0; i <= level && i < 32; i++) {
		if (i == 0) {
			v[0] = reg_get(c, X86_RBP, sz);
		} else if (i < level) {
			bp = (bp - sz) & m;
			v[i] = x86_read(c, X86_SS, bp, sz);
		}
		sp = (sp - sz) & m;
		lin[i] = x86_seg_lin(c, X86_SS, sp, sz, true);
		x86_lin_probe_write(c, lin[i], sz, u);
		if (i == 0)
			frame = (c->gpr[X86_RSP] & ~m) | sp;
		if (!level)
			break;
	}
	if (level)
		v[level] = frame;
	fin = (sp - (in->imm & 0xffff)) & m;
	x86_lin_probe_write(c, x86_seg_lin(c, X86_SS, fin, 1, true), 1, u);
	for (i = 0; i <= level; i++)
		x86_lin_write(c, lin[i], sz, v[i], u);
	reg_set(c, X86_RBP, sz, frame);
	x86_sp_set(c, fin);
}

static void exec_popf(struct x86_cpu *c, unsigned int sz)
{
	uint32_t old = x86_flags_get(c), v, keep = FL_VM | FL_VIP | FL_VIF | FL_RF;

	if ((c->eflags & FL_VM) && iopl(c) < 3)
		x86_gp0(c);
	v = (uint32_t)x86_pop(c, sz);
	if (sz == 2)
		v = (old & 0xffff0000u) | (v & 0xffff);
	if (c->eflags & FL_VM) {
		keep |= FL_IOPL;
	} else if (c->cr0 & X86_CR0_PE) {
		if (c->cpl > 0)
			keep |= FL_IOPL;
		if (c->cpl > iopl(c))
			keep |= FL_IF;
	}
	x86_flags_put(c, (v & ~keep) | (old & keep & ~FL_RF));
}

static void load_far_ptr(struct x86_cpu *c, const struct x86_insn *in,
			 unsigned int sreg)
{
	unsigned int seg = x86_ea_seg(in), sz = in->opsize;
	uint64_t ea = x86_ea(c, in), off;
	uint16_t sel;

	off = x86_read(c, seg, ea, sz);
	sel = (uint16_t)x86_read(c, seg, x86_ea_add(in, ea, sz), 2);
	x86_seg_load(c, sreg, sel);
	if (sreg == X86_SS)
		c->shadow = 1;
	reg_set(c, in->reg, sz, off);
}

static bool exec_sreg(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int op = in->op, sreg;
	uint16_t sel;

	switch (op) {
	case 0x06: case 0x0e: case 0x16: case 0x1e:
		x86_push(c, in->opsize, c->seg[op >> 3].sel);
		return true;
	case 0x07: case 0x17: case 0x1f: {
		uint64_t sp = x86_sp(c);

		sreg = op >> 3;
		sel = (uint16_t)x86_read(c, X86_SS, sp, 2);
		x86_seg_load(c, sreg, sel);
		/* the increment has the width of the new SS (POP SS) */
		x86_sp_add(c, in->opsize);
		if (sreg == X86_SS)
			c->shadow = c->db_shadow = 1;
		return true;
	}
	case 0x8c:
		if (in->flags & X86_IF_MEM)
			x86_rm_write(c, in, 2, c->seg[in->reg].sel);
		else	/* zero extended to 32/64 bits */
			reg_set(c, in->rm, in->opsize, c->seg[in->reg].sel);
		return true;
	case 0x8e:
		sel = (uint16_t)x86_rm_read(c, in, 2);
		x86_seg_load(c, in->reg, sel);
		if (in->reg == X86_SS)
			c->shadow = c->db_shadow = 1;
		return true;
	case 0xc4:
		load_far_ptr(c, in, X86_ES);
		return true;
	case 0xc5:
		load_far_ptr(c, in, X86_DS);
		return true;
	}
	return false;
}

bool x86_exec_system(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int op = in->op, sz = in->opsize;
	uint64_t v;

	if (exec_sreg(c, in))
		return true;
	switch (op) {
	case 0x62: {		/* BOUND */
		unsigned int seg = x86_ea_seg(in);
		uint64_t ea = x86_ea(c, in);
		int32_t lo, hi, idx;

		lo = (int32_t)x86_read(c, seg, ea, sz);
		hi = (int32_t)x86_read(c, seg, x86_ea_add(in, ea, sz), sz);
		idx = (int32_t)reg_get(c, in->reg, sz);
		if (sz == 2) {
			lo = (int16_t)lo;
			hi = (int16_t)hi;
			idx = (int16_t)idx;
		}
		if (idx < lo || idx > hi)
			x86_raise(c, X86_EXC_BR, false, 0);
		return true;
	}
	case 0x63: {		/* ARPL */
		uint64_t d, s;

		if (!prot(c))
			x86_ud(c);
		d = x86_rm_read(c, in, 2);
		s = reg_get(c, in->reg, 2);
		if ((d & 3) < (s & 3)) {
			x86_rm_write(c, in, 2, (d & ~3u) | (s & 3));
			x86_flags_arith(c, x86_flags_get(c) | FL_ZF);
		} else {
			x86_flags_arith(c, x86_flags_get(c) & ~FL_ZF);
		}
		return true;
	}
	case 0x9a:
		x86_far_jump(c, (uint16_t)in->imm2, in->imm, sz, true,
			     c->next_ip);
		return true;
	case 0xea:
		x86_far_jump(c, (uint16_t)in->imm2, in->imm, sz, false, 0);
		return true;
	case 0x9c:
		if ((c->eflags & FL_VM) && iopl(c) < 3)
			x86_gp0(c);
		x86_push(c, sz, x86_flags_get(c) & ~(FL_VM | FL_RF));
		return true;
	case 0x9d:
		exec_popf(c, sz);
		return true;
	case 0xc8:
		exec_enter(c, in);
		return true;
	case 0xc9: {
		uint64_t bp = c->gpr[X86_RBP] & c->sp_mask;

		v = x86_read(c, X86_SS, bp, sz);
		x86_sp_set(c, bp + sz);
		reg_set(c, X86_RBP, sz, v);
		return true;
	}
	case 0xca: case 0xcb:
		x86_far_ret(c, sz, op == 0xca ? (uint16_t)in->imm : 0);
		return true;
	case 0xcc:
		do_int(c, X86_EXC_BP, true);
		return true;
	case 0xcd:
		do_int(c, in->imm & 0xff, true);
		return true;
	case 0xce:
		if (x86_flags_get(c) & FL_OF)
			do_int(c, X86_EXC_OF, true);
		return true;
	case 0xf1:
		x86_deliver(c, X86_EXC_DB, false, 0, false, c->next_ip);
		c->next_ip = c->rip;
		return true;
	case 0xcf:
		x86_iret(c, sz);
		return true;
	case 0xe4: case 0xe5: case 0xec: case 0xed: {
		unsigned int s = (op & 1) ? sz : 1;
		uint16_t port = op < 0xe8 ? (uint16_t)in->imm : (uint16_t)c->gpr[X86_RDX];

		x86_io_check(c, port, s);
		v = (uint32_t)c->bus->pio_read(c->bus->opaque, port, s);
		c->irq_check = true;
		reg_set(c, X86_RAX, s, v);
		return true;
	}
	case 0xe6: case 0xe7: case 0xee: case 0xef: {
		unsigned int s = (op & 1) ? sz : 1;
		uint16_t port = op < 0xe8 ? (uint16_t)in->imm : (uint16_t)c->gpr[X86_RDX];

		x86_io_check(c, port, s);
		c->bus->pio_write(c->bus->opaque, port, reg_get(c, X86_RAX, s), s);
		c->irq_check = true;
		return true;
	}
	case 0xf4:
		if (c->cpl)
			x86_gp0(c);
		c->halted = true;
		return true;
	case 0xfa: case 0xfb:
		if (c->eflags & FL_VM ? iopl(c) < 3 :
		    (c->cr0 & X86_CR0_PE) && c->cpl > iopl(c))
			x86_gp0(c);
		if (op == 0xfa) {
			c->eflags &= ~FL_IF;
		} else {
			if (!(c->eflags & FL_IF))
				c->shadow = 1;
			c->eflags |= FL_IF;
			c->irq_check = true;
		}
		return true;
	case 0x0f:
		return false;
	}
	if (op >= 0x200) {
		x86_exec_0f38(c, in);
		return true;
	}
	if (op >= 0x100) {
		x86_exec_0f(c, in);
		return true;
	}
	return false;
}
