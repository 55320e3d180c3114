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
#include <string.h>

#include "vmm/x86/cpu.h"

#define REP_BATCH	1024

/*
 * REP MOVS/STOS upwards (DF = 0) in RAM: as many iterations as stay
 * within one page of each operand (and the batch), with the same checks
 * the element loop makes (segment limits on the first and last element,
 * the pages translated for reading/writing, which raises the same #PF
 * at the first element) and the same result, copied element by element
 * in order (overlapping MOVS repeats a pattern as on hardware).  Returns
 * the iterations done, 0 when the element loop must do the next one
 * (MMIO, code pages, watchpoints, a page or 4 GiB boundary, 64-bit mode).
 */
/* linear address of [off, off + len) in @seg when the interpreter's
 * plain-segment check passes for all of it (present expand-up data,
 * writable for @write, within the limit); else ~0: the element loop */
static uint64_t seg_range(const struct x86_cpu *c, unsigned int seg,
			  uint64_t off, uint64_t len, bool write)
{
	const struct x86_seg *s = &c->seg[seg];
	unsigned int need = X86_SEG_ATTR_P | (write ? 2u : 0u);

	if ((s->attr & (X86_SEG_ATTR_P | 0xcu | (write ? 2u : 0u))) != need ||
	    off + len - 1 > s->limit || off + len - 1 > 0xffffffffull)
		return ~0ull;
	return (uint32_t)(s->base + off);
}

/*
 * REP MOVS/STOS upwards (DF = 0) in RAM, outside 64-bit mode: as many
 * iterations as stay within one page of each operand (and the batch),
 * when none of them can fault on a segment check and the pages are RAM
 * (translating them raises the #PF the first element would), copied
 * element by element in order, each read whole before it is written (an
 * overlapping MOVS repeats a pattern as on hardware).  Returns the iterations done, 0 when the element loop
 * must do the next one (MMIO, code pages, watchpoints, page crossings).
 */
static uint64_t rep_fast(struct x86_cpu *c, const struct x86_insn *in,
			 unsigned int size, unsigned int src_seg, uint64_t left)
{
	unsigned int as = in->adsize, op = in->op;
	uint64_t si = reg_get(c, X86_RSI, as), di = reg_get(c, X86_RDI, as);
	uint64_t n = left, ldi, lsi = 0, i;
	bool user = c->cpl == 3, movs = op == 0xa4 || op == 0xa5;
	uint8_t *d, *s = NULL;

	if (c->long64 || c->dr_data || (c->eflags & FL_DF) || as == 2)
		return 0;
	ldi = seg_range(c, X86_ES, di, size, true);
	if (ldi == ~0ull)
		return 0;
	if (n > (0x1000 - (ldi & 0xfff)) / size)
		n = (0x1000 - (ldi & 0xfff)) / size;
	if (movs) {
		lsi = seg_range(c, src_seg, si, size, false);
		if (lsi == ~0ull)
			return 0;
		if (n > (0x1000 - (lsi & 0xfff)) / size)
			n = (0x1000 - (lsi & 0xfff)) / size;
	}
	if (n < 2 || seg_range(c, X86_ES, di, n * size, true) == ~0ull ||
	    (movs && seg_range(c, src_seg, si, n * size, false) == ~0ull))
		return 0;
	if (movs) {
		s = x86_lin_host(c, lsi, false, user);
		if (!s)
			return 0;
	}
	d = x86_lin_host(c, ldi, true, user);
	if (!d)
		return 0;
	if (movs) {
		uint64_t v;

		for (i = 0; i < n * size; i += size) {	/* element by element */
			memcpy(&v, s + i, size);
			memcpy(d + i, &v, size);
		}
		reg_set(c, X86_RSI, as, si + n * size);
	} else {
		uint64_t v = reg_get(c, X86_RAX, size);

		for (i = 0; i < n; i++)
			memcpy(d + i * size, &v, size);
	}
	reg_set(c, X86_RDI, as, di + n * size);
	reg_set(c, X86_RCX, as, reg_get(c, X86_RCX, as) - n);
	return n;
}

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
		uint64_t si, di, a, b;

		if (rep) {
			uint64_t left = reg_get(c, X86_RCX, as), k;

			if (!left)
				return;
			if (n >= REP_BATCH) {
				c->next_ip = c->rip;	/* resume later */
				return;
			}
			if (op == 0xa4 || op == 0xa5 || op == 0xaa || op == 0xab) {
				if (left > REP_BATCH - n)
					left = REP_BATCH - n;
				k = rep_fast(c, in, size, src_seg, left);
				if (k) {
					n += (unsigned int)k - 1;
					continue;
				}
			}
		}
		si = reg_get(c, X86_RSI, as);
		di = reg_get(c, X86_RDI, as);
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
