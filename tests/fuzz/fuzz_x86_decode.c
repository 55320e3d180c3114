// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_x86_decode.c --- fuzz the x86 decoder with random instruction bytes
 *
 * Decodes the input at every offset in 16-, 32- and 64-bit mode and checks
 * the decoder's invariants: a decoded length is 1..15 and within the bytes
 * given; giving more bytes never changes the result; giving fewer than the
 * length yields X86_DEC_MORE; fields are in range.  Aborts on a violation.
 * Then the same bytes run as guest code on the interpreter (real mode,
 * 16/32-bit protected mode, paging on or off, IA-32e 64-bit or
 * compatibility mode, chosen by the first byte) over a fake bus for at most
 * 500 instructions: whatever the code does (faults, triple faults, I/O,
 * MMIO, garbage descriptors and gates, mode switches) must end in a clean
 * stop, never a crash (run under ASan/UBSan by make SANITIZER=...).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/x86/x86.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *p, size_t avail, unsigned int mode)
{
	struct x86_insn a, b;
	uint8_t buf[X86_MAX_INSN_LEN + 1];
	int r, r2;

	r = x86_decode(p, avail, mode, &a);
	if (r < X86_DEC_OK || r > X86_DEC_MORE)
		abort();
	if (r == X86_DEC_MORE && avail >= X86_MAX_INSN_LEN)
		abort();
	if (r != X86_DEC_OK)
		return;
	if (a.len < 1 || a.len > X86_MAX_INSN_LEN || a.len > avail)
		abort();
	if (a.opsize != 2 && a.opsize != 4 && a.opsize != 8)
		abort();
	if (a.opsize == 8 && !(mode & X86_DMODE_LONG64))
		abort();
	if (a.adsize != 2 && a.adsize != 4 && a.adsize != 8)
		abort();
	if (a.reg > 15 || a.rm > 15 || a.scale > 3 || a.op > 0x3ff)
		abort();
	if (a.rex && !(mode & X86_DMODE_LONG64))
		abort();
	if ((a.base > 15 && a.base != X86_REG_NONE &&
	     a.base != X86_REG_RIP_BASE) ||
	    (a.index > 15 && a.index != X86_REG_NONE))
		abort();
	/* exactly len bytes (copied, so nothing beyond is readable) */
	memcpy(buf, p, a.len);
	r2 = x86_decode(buf, a.len, mode, &b);
	if (r2 != X86_DEC_OK || memcmp(&a, &b, sizeof(a)))
		abort();
	if (x86_decode(buf, a.len - 1u, mode, &b) != X86_DEC_MORE)
		abort();
}

#define RAM	0x40000u		/* 256 KiB of guest RAM at 0 */

static uint8_t ram[RAM] __attribute__((aligned(4096)));

static uint8_t *b_page(void *o, uint64_t gpa, bool w)
{
	return gpa < RAM ? ram + (gpa & ~0xfffull) : NULL;
}

static uint64_t b_mmio_read(void *o, uint64_t gpa, unsigned int size)
{
	return ~0ull;
}

static void b_mmio_write(void *o, uint64_t gpa, uint64_t v, unsigned int size)
{
}

static uint64_t b_pio_read(void *o, uint16_t port, unsigned int size)
{
	return port & 0xff;
}

static void b_pio_write(void *o, uint16_t port, uint64_t v, unsigned int size)
{
}

static bool b_intr_pending(void *o)
{
	return false;
}

static uint8_t b_intr_ack(void *o)
{
	return 0x20;
}

/*
 * The clock advances one "ns" per reading: the interpreter reads it every
 * 256 retired instructions and at every exception delivery, so an input
 * whose handler faults forever without retiring an instruction (a livelock
 * on a real CPU too) still reaches execute()'s deadline.
 */
static uint64_t fz_now;

static uint64_t b_now(void *o)
{
	return fz_now++;
}

static void b_reset(void *o)
{
}

static const struct machine_bus bus = {
	.page_ptr = b_page, .mmio_read = b_mmio_read, .mmio_write = b_mmio_write,
	.pio_read = b_pio_read, .pio_write = b_pio_write,
	.intr_pending = b_intr_pending, .intr_ack = b_intr_ack,
	.now_ns = b_now, .request_reset = b_reset,
};

static struct x86_cpu *cpu;

static void execute(const uint8_t *data, size_t size)
{
	struct x86_cpu_state st;
	struct x86_stop stop;
	unsigned int mode = size ? data[0] & 3 : 0, i;
	bool ia32e = size && (data[0] & 4);
	uint64_t pte;

	if (!cpu && x86_cpu_create(&bus, &cpu))
		abort();
	memset(ram, 0, RAM);
	/* the input is code at 0x1000 and doubles as GDT/IDT/page tables */
	memcpy(ram + 0x1000, data, size < RAM - 0x1000 ? size : RAM - 0x1000);
	memcpy(ram + 0x20000, data, size < 0x1000 ? size : 0x1000);
	/* IA-32e: 4-level tables at 0x30000 identity-mapping 2 MiB */
	pte = 0x31007;
	memcpy(ram + 0x30000, &pte, 8);
	pte = 0x32007;
	memcpy(ram + 0x31000, &pte, 8);
	pte = 0x87;
	memcpy(ram + 0x32000, &pte, 8);
	x86_cpu_mem_written(cpu, 0, RAM);
	x86_cpu_get_state(cpu, &st);
	st.rflags = 2;
	st.halted = 0;
	st.cr4 = 0;
	st.efer = 0;
	st.ldtr = (struct x86_seg){ .attr = 0x82 };
	for (i = 0; i < X86_NR_SREGS; i++) {
		st.seg[i].sel = 0;
		st.seg[i].base = 0;
	}
	st.rip = 0x1000;
	st.gpr[X86_RSP] = 0x8000;
	st.gdtr.base = 0x20000;
	st.gdtr.limit = 0xfff;
	st.idtr.base = mode ? 0x20000 : 0;
	st.idtr.limit = mode ? 0x7ff : 0x3ff;
	if (mode) {
		for (i = 0; i < X86_NR_SREGS; i++) {
			st.seg[i].sel = 0x10;
			st.seg[i].limit = 0xffffffffu;
			st.seg[i].attr = 0xc093;
		}
		st.seg[X86_CS].sel = 0x08;
		st.seg[X86_CS].attr = mode == 1 ? 0x009b : 0xc09b;
		st.cr0 = X86_CR0_PE | X86_CR0_ET | (mode == 3 ? X86_CR0_PG : 0);
		st.cr3 = 0x20000;
		st.tr.base = 0x20000;
		st.tr.limit = 0x67;
		st.tr.attr = 0x8b;
	}
	if (ia32e) {		/* 64-bit (bit 0 clear) or compatibility mode */
		st.seg[X86_CS].attr = (data[0] & 1) ? 0xc09b : 0xa09b;
		st.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
		st.cr3 = 0x30000;
		st.cr4 = 0x20;
		st.efer = 0xd01;		/* NXE LMA LME SCE */
		st.idtr.limit = 0xfff;
	}
	if (x86_cpu_set_state(cpu, &st))
		abort();
	fz_now = 0;
	x86_cpu_exec(cpu, 500, 4096, &stop);
	if (stop.reason == X86_STOP_EXCEPTION)
		abort();	/* nothing is intercepted */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off;

	execute(data, size);

	for (off = 0; off < size; off++) {
		size_t avail = size - off;

		check(data + off, avail, 0);
		check(data + off, avail, X86_DMODE_CODE32);
		check(data + off, avail, X86_DMODE_LONG64);
	}
	return 0;
}
