// SPDX-License-Identifier: GPL-2.0-only
/*
 * control.c --- stack and near control transfer helpers
 *
 * PUSH/POP through SS with the stack-address size of SS.B (SDM vol. 1,
 * 6.2), near branch targets checked against the CS limit (#GP(0)).
 */
#include "vmm/x86/cpu.h"

uint32_t x86_sp(const struct x86_cpu *c)
{
	return c->stack32 ? (uint32_t)c->gpr[X86_RSP] : (uint16_t)c->gpr[X86_RSP];
}

void x86_sp_set(struct x86_cpu *c, uint32_t v)
{
	if (c->stack32)
		c->gpr[X86_RSP] = v;
	else
		reg_set(c, X86_RSP, 2, v);
}

/* (E)SP += @delta with the current stack size (SS.B): 16-bit stacks keep
 * the upper half of ESP */
void x86_sp_add(struct x86_cpu *c, uint32_t delta)
{
	x86_sp_set(c, (c->stack32 ? (uint32_t)c->gpr[X86_RSP] :
		       (uint16_t)c->gpr[X86_RSP]) + delta);
}

void x86_push(struct x86_cpu *c, unsigned int size, uint32_t v)
{
	uint32_t sp = x86_sp(c) - size;

	if (!c->stack32)
		sp &= 0xffff;
	x86_write(c, X86_SS, sp, size, v);
	x86_sp_set(c, sp);
}

uint32_t x86_pop(struct x86_cpu *c, unsigned int size)
{
	uint32_t sp = x86_sp(c);
	uint32_t v = x86_read(c, X86_SS, sp, size);

	x86_sp_set(c, sp + size);
	return v;
}
