/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu_testlib.h --- tiny flat-RAM machine for the x87/SIMD unit tests
 *
 * One 64 KiB RAM buffer at guest-physical 0 behind a fake machine_bus, a
 * CPU in flat 32-bit protected mode (CPL 0, CR0.NE, CR4.OSFXSR and
 * OSXMMEXCPT) that runs hand-encoded bytes at CODE until HLT or an
 * (intercepted) exception.  Header-only so each test file stays
 * self-contained.
 */
#ifndef DUALVM_TESTS_FPU_TESTLIB_H
#define DUALVM_TESTS_FPU_TESTLIB_H

#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "vmm/x86/x86.h"

#define FT_RAM		0x10000u
#define FT_CODE		0x1000u		/* code */
#define FT_DATA		0x8000u		/* data, EBX points here */
#define FT_STACK	0xf000u

#define FT_EXC_UD	6
#define FT_EXC_NM	7
#define FT_EXC_GP	13
#define FT_EXC_MF	16
#define FT_EXC_XM	19

struct ft_machine {
	uint8_t			*ram;		/* FT_RAM bytes at gpa 0 */
	struct machine_bus	bus;		/* fake bus over ram */
	struct x86_cpu		*cpu;		/* CPU under test */
	struct x86_cpu_state	st;		/* state after ft_run() */
	struct x86_stop		stop;		/* why ft_run() stopped */
};

static uint8_t *ft_page(void *o, uint64_t gpa, bool w)
{
	struct ft_machine *m = o;

	(void)w;
	return gpa < FT_RAM ? m->ram + (gpa & ~0xfffull) : NULL;
}

static uint64_t ft_mmio_read(void *o, uint64_t gpa, unsigned int size)
{
	(void)o; (void)gpa; (void)size;
	return ~0ull;
}

static void ft_mmio_write(void *o, uint64_t gpa, uint64_t v, unsigned int size)
{
	(void)o; (void)gpa; (void)v; (void)size;
}

static uint64_t ft_pio_read(void *o, uint16_t port, unsigned int size)
{
	(void)o; (void)port; (void)size;
	return ~0ull;
}

static void ft_pio_write(void *o, uint16_t port, uint64_t v, unsigned int size)
{
	(void)o; (void)port; (void)v; (void)size;
}

static bool ft_intr_pending(void *o)
{
	(void)o;
	return false;
}

static uint8_t ft_intr_ack(void *o)
{
	(void)o;
	return 0;
}

static uint64_t ft_now(void *o)
{
	(void)o;
	return 0;
}

static void ft_reset(void *o)
{
	(void)o;
}

static void ft_flat(struct x86_seg *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = attr;
}

static inline void ft_init(struct ft_machine *m)
{
	memset(m, 0, sizeof(*m));
	m->ram = aligned_alloc(4096, FT_RAM);
	T_ASSERT(m->ram);
	memset(m->ram, 0, FT_RAM);
	m->bus = (struct machine_bus){
		.opaque = m, .page_ptr = ft_page, .mmio_read = ft_mmio_read,
		.mmio_write = ft_mmio_write, .pio_read = ft_pio_read,
		.pio_write = ft_pio_write, .intr_pending = ft_intr_pending,
		.intr_ack = ft_intr_ack, .now_ns = ft_now,
		.request_reset = ft_reset,
	};
	T_ASSERT(x86_cpu_create(&m->bus, &m->cpu) == 0);
	x86_cpu_set_intercepts(m->cpu, 0xffffffffu);
	memset(&m->st, 0, sizeof(m->st));
	ft_flat(&m->st.seg[X86_CS], 0x08, 0xc09b);
	ft_flat(&m->st.seg[X86_SS], 0x10, 0xc093);
	ft_flat(&m->st.seg[X86_DS], 0x10, 0xc093);
	ft_flat(&m->st.seg[X86_ES], 0x10, 0xc093);
	ft_flat(&m->st.seg[X86_FS], 0x10, 0xc093);
	ft_flat(&m->st.seg[X86_GS], 0x10, 0xc093);
	m->st.tr.attr = 0x8b;
	m->st.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_MP;
	m->st.cr4 = 0x600;			/* OSFXSR | OSXMMEXCPT */
	m->st.rflags = 0x2;
	m->st.gpr[X86_RBX] = FT_DATA;
	m->st.gpr[X86_RSP] = FT_STACK;
	m->st.fxsave[0] = 0x7f;			/* FCW 0x037f */
	m->st.fxsave[1] = 0x03;
	m->st.fxsave[24] = 0x80;		/* MXCSR 0x1f80 */
	m->st.fxsave[25] = 0x1f;
}

/* run @n bytes of code (HLT appended) from the state in m->st */
static inline void ft_run(struct ft_machine *m, const uint8_t *code,
			  unsigned int n)
{
	memcpy(m->ram + FT_CODE, code, n);
	m->ram[FT_CODE + n] = 0xf4;
	x86_cpu_mem_written(m->cpu, FT_CODE, n + 1);
	m->st.rip = FT_CODE;
	m->st.halted = 0;
	T_ASSERT(x86_cpu_set_state(m->cpu, &m->st) == 0);
	x86_cpu_exec(m->cpu, 10000, ~0ull, &m->stop);
	x86_cpu_get_state(m->cpu, &m->st);
}

/* ran to the final HLT */
static inline bool ft_done(const struct ft_machine *m, unsigned int n)
{
	return m->stop.reason == X86_STOP_HLT && m->st.rip == FT_CODE + n + 1;
}

static inline void ft_fini(struct ft_machine *m)
{
	x86_cpu_destroy(m->cpu);
	free(m->ram);
}

static inline uint16_t ft_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t ft_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

#endif
