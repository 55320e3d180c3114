// SPDX-License-Identifier: GPL-2.0-only
/*
 * x87.c --- x87 FPU escapes (D8-DF) and WAIT
 *
 * Not implemented yet: CPUID does not advertise an FPU.  With CR0.EM set
 * the escapes raise #NM as on a CPU without a coprocessor (SDM vol. 3,
 * 2.5 CR0.EM, table 2-2); otherwise execution stops with a clear
 * "not implemented" error instead of running with wrong results.
 */
#include "vmm/x86/cpu.h"

void x86_exec_x87(struct x86_cpu *c, const struct x86_insn *in)
{
	if (in->op == 0x9b) {		/* WAIT/FWAIT */
		if ((c->cr0 & (X86_CR0_MP | X86_CR0_TS)) ==
		    (X86_CR0_MP | X86_CR0_TS))
			x86_raise(c, X86_EXC_NM, false, 0);
		return;
	}
	if (c->cr0 & (X86_CR0_EM | X86_CR0_TS))
		x86_raise(c, X86_EXC_NM, false, 0);
	x86_internal_error(c, "x87 instruction %02x /%u (modrm %02x) not implemented",
			   in->op, in->reg, in->modrm);
}
