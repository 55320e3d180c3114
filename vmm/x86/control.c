// SPDX-License-Identifier: GPL-2.0-only
/*
 * control.c --- stack and near control transfer helpers
 *
 * PUSH/POP through SS with the stack-address size of SS.B, or 64 bits in
 * 64-bit mode (SDM vol. 1, 6.2 and 6.14.1), near branch targets checked
 * against the CS limit, or for being canonical in 64-bit mode (#GP(0)).
 */
#include "vmm/x86/cpu.h"

uint64_t x86_sp(const struct x86_cpu *c)
{
	return c->gpr[X86_RSP] & c->sp_mask;
}

/* a 16-bit stack keeps the upper bits of RSP; a 32-bit one zeroes them */
void x86_sp_set(struct x86_cpu *c, uint64_t v)
{
	if (c->sp_mask == 0xffff)
		c->gpr[X86_RSP] = (c->gpr[X86_RSP] & ~0xffffull) | (uint16_t)v;
	else
		c->gpr[X86_RSP] = v & c->sp_mask;
}

/* (R/E)SP += @delta with the current stack size (SS.B): 16-bit stacks
 * keep the upper half of ESP */
void x86_sp_add(struct x86_cpu *c, uint64_t delta)
{
	x86_sp_set(c, x86_sp(c) + delta);
}

void x86_push(struct x86_cpu *c, unsigned int size, uint64_t v)
{
	uint64_t sp = (x86_sp(c) - size) & c->sp_mask;

	x86_write(c, X86_SS, sp, size, v);
	x86_sp_set(c, sp);
}

uint64_t x86_pop(struct x86_cpu *c, unsigned int size)
{
	uint64_t sp = x86_sp(c);
	uint64_t v = x86_read(c, X86_SS, sp, size);

	x86_sp_set(c, sp + size);
	return v;
}

void x86_jump(struct x86_cpu *c, uint64_t target)
{
	if (c->long64 ? !is_canonical(target) : target > c->cs_limit)
		x86_gp0(c);
	c->next_ip = target;
}
