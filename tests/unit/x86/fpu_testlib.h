/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fpu_testlib.h --- tiny flat-RAM machine for the x87/SIMD unit tests
 *
 * One 64 KiB RAM buffer at guest-physical 0 behind the fake machine_bus of
 * native_fixture.h, a CPU in flat 32-bit protected mode (CPL 0, CR0.NE,
 * CR4.OSFXSR and OSXMMEXCPT) that runs hand-encoded bytes at CODE until HLT
 * or an (intercepted) exception.  Header-only.
 */
#ifndef DUALVM_TESTS_FPU_TESTLIB_H
#define DUALVM_TESTS_FPU_TESTLIB_H

#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "tests/unit/x86/native_fixture.h"
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
	struct nf_bus		nb;		/* FT_RAM bytes of RAM at gpa 0 */
	uint8_t			*ram;		/* nb.mem */
	struct x86_cpu		*cpu;		/* CPU under test */
	struct x86_cpu_state	st;		/* state after ft_run() */
	struct x86_stop		stop;		/* why ft_run() stopped */
};

static inline void ft_init(struct ft_machine *m)
{
	memset(m, 0, sizeof(*m));
	nf_bus_init(&m->nb, 0, FT_RAM, &m->cpu);
	m->ram = m->nb.mem;
	memset(&m->st, 0, sizeof(m->st));
	nf_flat(&m->st.seg[X86_CS], 0x08, 0xc09b);
	nf_flat(&m->st.seg[X86_SS], 0x10, 0xc093);
	nf_flat(&m->st.seg[X86_DS], 0x10, 0xc093);
	nf_flat(&m->st.seg[X86_ES], 0x10, 0xc093);
	nf_flat(&m->st.seg[X86_FS], 0x10, 0xc093);
	nf_flat(&m->st.seg[X86_GS], 0x10, 0xc093);
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
	nf_load_code(m->cpu, &m->nb, FT_CODE, code, n,
		     (const uint8_t *)"\xf4", 1);	/* hlt ends it */
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
	nf_bus_fini(&m->nb, m->cpu);
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
