// SPDX-License-Identifier: GPL-2.0-only
/*
 * string.c --- MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS with REP prefixes
 *
 * 8- to 64-bit elements, 16/32/64-bit addresses (RSI/RDI/RCX in 64-bit
 * mode).  Each iteration commits its register updates before the next one
 * starts, so a fault in iteration k leaves (E)SI/(E)DI/(E)CX as after k-1 complete
 * iterations and EIP at the instruction: restartable (SDM vol. 1, 7.3.9.1).
 * A REP instruction runs a bounded batch of iterations per step and then
 * re-executes itself, so interrupts are recognised in between.
 */
#include "vmm/x86/cpu.h"

#define REP_BATCH	1024

void x86_exec_string(struct x86_cpu *c, const struct x86_insn *in)
{
	unsigned int op = in->op;
	unsigned int size = (op & 1) ? in->opsize : 1;
	unsigned int as = in->adsize;
	uint64_t am = size_mask(as);
	unsigned int src_seg = in->seg != X86_SEG_NONE ? in->seg : X86_DS;
	bool rep = in->flags & (X86_IF_REP | X86_IF_REPNE);
	uint64_t delta = (c->eflags & FL_DF) ? -(uint64_t)size : size;
	unsigned int n;

	if (op >= 0x6c && op <= 0x6f) {
		x86_io_check(c, (uint16_t)c->gpr[X86_RDX], size);
		c->irq_check = true;
	}
	for (n = 0; ; n++) {
		uint64_t si = reg_get(c, X86_RSI, as), di = reg_get(c, X86_RDI, as);
		uint64_t a, b;

		if (rep) {
			if (!reg_get(c, X86_RCX, as))
				return;
			if (n == REP_BATCH) {
				c->next_ip = c->rip;	/* resume later */
				return;
			}
		}
		switch (op) {
		case 0xa4: case 0xa5:	/* MOVS */
			a = x86_read(c, src_seg, si, size);
			x86_write(c, X86_ES, di, size, a);
			reg_set(c, X86_RSI, as, (si + delta) & am);
			reg_set(c, X86_RDI, as, (di + delta) & am);
			break;
		case 0xa6: case 0xa7:	/* CMPS */
			a = x86_read(c, src_seg, si, size);
			b = x86_read(c, X86_ES, di, size);
			x86_alu2(c, 7, a, b, size);
			reg_set(c, X86_RSI, as, (si + delta) & am);
			reg_set(c, X86_RDI, as, (di + delta) & am);
			break;
		case 0xaa: case 0xab:	/* STOS */
			x86_write(c, X86_ES, di, size, reg_get(c, X86_RAX, size));
			reg_set(c, X86_RDI, as, (di + delta) & am);
			break;
		case 0xac: case 0xad:	/* LODS */
			a = x86_read(c, src_seg, si, size);
			reg_set(c, X86_RAX, size, a);
			reg_set(c, X86_RSI, as, (si + delta) & am);
			break;
		case 0xae: case 0xaf:	/* SCAS */
			b = x86_read(c, X86_ES, di, size);
			x86_alu2(c, 7, reg_get(c, X86_RAX, size), b, size);
			reg_set(c, X86_RDI, as, (di + delta) & am);
			break;
		case 0x6c: case 0x6d:	/* INS */
			/* the port is read only once the store cannot fault */
			x86_lin_probe_write(c, x86_seg_lin(c, X86_ES, di, size, true),
					    size, c->cpl == 3);
			a = c->bus->pio_read(c->bus->opaque,
					     (uint16_t)c->gpr[X86_RDX], size);
			x86_write(c, X86_ES, di, size, a);
			reg_set(c, X86_RDI, as, (di + delta) & am);
			break;
		default:		/* OUTS */
			a = x86_read(c, src_seg, si, size);
			c->bus->pio_write(c->bus->opaque,
					  (uint16_t)c->gpr[X86_RDX], a, size);
			reg_set(c, X86_RSI, as, (si + delta) & am);
			break;
		}
		if (!rep)
			return;
		reg_set(c, X86_RCX, as, reg_get(c, X86_RCX, as) - 1);
		if (op == 0xa6 || op == 0xa7 || op == 0xae || op == 0xaf) {
			bool zf = x86_cond(c, 4);

			if ((in->flags & X86_IF_REP) && !zf)
				return;
			if ((in->flags & X86_IF_REPNE) && zf)
				return;
		}
	}
}
