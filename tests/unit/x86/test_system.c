// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_system.c --- system-level behaviour of the x86 interpreter
 *
 * Hand-assembled byte sequences (the assembly is in the comments) run on
 * the interpreter over a fake machine_bus with 4 MiB of RAM at 0: self-
 * modifying code, page faults on accesses and REP MOVS crossing into a
 * not-present page (precise state, CR2, error code, restart), double and
 * triple faults, real-mode INT/IRET, HLT woken by an interrupt after an
 * STI shadow, the A20 gate, and an over-long instruction; and the
 * 32-bit behaviours outside testers found wrong: FXCH ST(i), SALC, POP SS
 * and ENTER with 16-bit stacks, ENTER's final stack check, task switches
 * through a 16-bit TSS; and the IA-32e rules QEMU TCG does not referee
 * (tests/boot/sys/README.md): the #GP(0) checks of long-mode activation
 * and of EFER/CR4/MSR writes, #SS(0) for non-canonical stack references,
 * the IDT error code of a 16-byte gate, SYSCALL outside 64-bit mode, and
 * the canonical CPU's CPUID/MSR consistency (EFER.SCE, MISC_ENABLE).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "vmm/x86/x86.h"

#define RAM_SIZE	(4u << 20)

struct fake {
	uint8_t		*ram;		/* RAM_SIZE bytes at gpa 0 */
	int		resets;		/* request_reset calls */
	bool		irq;		/* INTR line */
	uint8_t		vector;		/* vector intr_ack returns */
	uint64_t	now;		/* now_ns: one more at each reading */
};

static uint8_t *f_page(void *o, uint64_t gpa, bool w)
{
	struct fake *f = o;

	return gpa < RAM_SIZE ? f->ram + (gpa & ~0xfffull) : NULL;
}

static uint64_t f_mmio_read(void *o, uint64_t gpa, unsigned int size)
{
	return ~0ull;
}

static void f_mmio_write(void *o, uint64_t gpa, uint64_t v, unsigned int size)
{
}

static uint64_t f_pio_read(void *o, uint16_t port, unsigned int size)
{
	return ~0ull;
}

static void f_pio_write(void *o, uint16_t port, uint64_t v, unsigned int size)
{
}

static bool f_intr_pending(void *o)
{
	return ((struct fake *)o)->irq;
}

static uint8_t f_intr_ack(void *o)
{
	struct fake *f = o;

	f->irq = false;
	return f->vector;
}

static uint64_t f_now(void *o)
{
	return ((struct fake *)o)->now++;
}

static void f_reset(void *o)
{
	((struct fake *)o)->resets++;
}

static struct fake fk;
static const struct machine_bus fbus = {
	.opaque = &fk, .page_ptr = f_page, .mmio_read = f_mmio_read,
	.mmio_write = f_mmio_write, .pio_read = f_pio_read,
	.pio_write = f_pio_write, .intr_pending = f_intr_pending,
	.intr_ack = f_intr_ack, .now_ns = f_now, .request_reset = f_reset,
};

static struct x86_cpu *setup(void)
{
	struct x86_cpu *cpu;

	memset(&fk, 0, sizeof(fk));
	fk.ram = calloc(1, RAM_SIZE);
	T_ASSERT(fk.ram);
	T_ASSERT(x86_cpu_create(&fbus, &cpu) == 0);
	return cpu;
}

static void put(uint32_t a, const void *p, size_t n)
{
	memcpy(fk.ram + a, p, n);
}

static void put32(uint32_t a, uint32_t v)
{
	memcpy(fk.ram + a, &v, 4);
}

static void flat(struct x86_seg *s, uint16_t sel, uint16_t attr)
{
	s->sel = sel;
	s->base = 0;
	s->limit = 0xffffffffu;
	s->attr = attr;
}

/* flat 32-bit protected mode at CPL 0, EIP = @eip, ESP = 0x8000 */
static void go_flat(struct x86_cpu *cpu, uint32_t eip, bool paging)
{
	struct x86_cpu_state st;
	unsigned int i;

	x86_cpu_get_state(cpu, &st);
	for (i = 0; i < X86_NR_SREGS; i++)
		flat(&st.seg[i], 0x10, 0xc093);
	flat(&st.seg[X86_CS], 0x08, 0xc09b);
	st.rip = eip;
	st.rflags = 2;
	st.gpr[X86_RSP] = 0x8000;
	st.cr0 = X86_CR0_PE | X86_CR0_ET | (paging ? X86_CR0_PG : 0);
	st.cr3 = 0x100000;
	st.cr4 = 0;
	st.efer = 0;
	st.tr.attr = 0x8b;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
}

/* identity map 0-4 MiB with 4 KiB pages, page 0x3000 not present */
static void build_pages(void)
{
	uint32_t i;

	put32(0x100000, 0x101003);
	for (i = 0; i < 1024; i++)
		put32(0x101000 + 4 * i, (i << 12) | 3);
	put32(0x101000 + 4 * 3, 0);
}

static void test_smc(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0xc6, 0x05, 0x10, 0x10, 0x00, 0x00, 0x40,	/* mov byte [0x1010], 0x40 */
		0xe9, 0x04, 0x00, 0x00, 0x00,			/* jmp 0x1010 */
		0x90, 0x90, 0x90, 0x90,
		0x90,						/* 0x1010: nop -> inc eax */
		0x0f, 0x0b,					/* ud2 */
	};

	put(0x1000, code, sizeof(code));
	x86_cpu_set_intercepts(cpu, 1u << 6);
	go_flat(cpu, 0x1010, false);		/* decode and cache the nop */
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_EXCEPTION);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.gpr[X86_RAX], 0);
	go_flat(cpu, 0x1000, false);
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_EXCEPTION);
	T_EQ(stop.vector, 6);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.rip, 0x1011);
	T_EQ(st.gpr[X86_RAX], 1);		/* the rewritten instruction ran */
	x86_cpu_destroy(cpu);
}

static void test_pf_cross_page(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0xa1, 0xfe, 0x2f, 0x00, 0x00,		/* mov eax, [0x2ffe] */
	};
	static const uint8_t code2[] = {
		0xa3, 0xfe, 0x2f, 0x00, 0x00,		/* mov [0x2ffe], eax */
	};

	build_pages();
	fk.ram[0x2ffe] = 0x11;
	fk.ram[0x2fff] = 0x22;
	put(0x1000, code, sizeof(code));
	put(0x1100, code2, sizeof(code2));
	x86_cpu_set_intercepts(cpu, 1u << 14);
	go_flat(cpu, 0x1000, true);
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_EXCEPTION);
	T_EQ(stop.vector, 14);
	T_EQ(stop.error_code, 0);		/* not present, read, supervisor */
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.cr2, 0x3000);
	T_EQ(st.rip, 0x1000);
	T_EQ(st.gpr[X86_RAX], 0);
	go_flat(cpu, 0x1100, true);
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.vector, 14);
	T_EQ(stop.error_code, 2);		/* write */
	T_EQ(fk.ram[0x2ffe], 0x11);		/* nothing of the store happened */
	T_EQ(fk.ram[0x2fff], 0x22);
	x86_cpu_destroy(cpu);
}

static void test_rep_movs_restart(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0xf3, 0xa4,				/* rep movsb */
		0x0f, 0x0b,				/* ud2 */
	};
	unsigned int i;

	build_pages();
	for (i = 0; i < 0x20; i++)
		fk.ram[0x2000 + i] = (uint8_t)(i + 1);
	put(0x1000, code, sizeof(code));
	x86_cpu_set_intercepts(cpu, (1u << 14) | (1u << 6));
	go_flat(cpu, 0x1000, true);
	x86_cpu_get_state(cpu, &st);
	st.gpr[X86_RSI] = 0x2000;
	st.gpr[X86_RDI] = 0x2ff0;
	st.gpr[X86_RCX] = 0x20;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 1000, ~0ull, &stop);
	T_EQ(stop.vector, 14);
	T_EQ(stop.error_code, 2);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.rip, 0x1000);
	T_EQ(st.gpr[X86_RCX], 0x10);		/* 16 bytes done */
	T_EQ(st.gpr[X86_RSI], 0x2010);
	T_EQ(st.gpr[X86_RDI], 0x3000);
	T_EQ(st.cr2, 0x3000);
	T_EQ(fk.ram[0x2fff], 0x10);
	/* map the page and resume: the instruction completes */
	put32(0x101000 + 4 * 3, 0x3003);
	x86_cpu_exec(cpu, 1000, ~0ull, &stop);
	T_EQ(stop.vector, 6);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.gpr[X86_RCX], 0);
	T_EQ(fk.ram[0x300f], 0x20);
	/* accessed and dirty bits were set in the PTE */
	T_EQ(fk.ram[0x101000 + 4 * 3] & 0x60, 0x60);
	x86_cpu_destroy(cpu);
}

static void test_triple_fault(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = { 0x0f, 0x0b };	/* ud2 */

	put(0x1000, code, sizeof(code));
	go_flat(cpu, 0x1000, false);
	x86_cpu_get_state(cpu, &st);
	st.idtr.base = 0x5000;
	st.idtr.limit = 0;			/* no gate can be read */
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_RESET);
	T_EQ(fk.resets, 1);
	x86_cpu_destroy(cpu);
}

/* 32-bit interrupt gate for @vec to @off, selector 0x08, present if @p */
static void gate(uint32_t idt, unsigned int vec, uint32_t off, bool p)
{
	put32(idt + vec * 8, (0x08u << 16) | (off & 0xffff));
	put32(idt + vec * 8 + 4, (off & 0xffff0000u) | (p ? 0x8e00u : 0x0e00u));
}

static void test_double_fault(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0x66, 0xb8, 0x78, 0x00,			/* mov ax, 0x78 (beyond the GDT) */
		0x8e, 0xd8,				/* mov ds, ax -> #GP(0x78) */
	};
	static const uint8_t df[] = { 0xf4 };	/* #DF handler: hlt */
	static const uint64_t gdt[3] = {
		0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
	};

	put(0x1000, code, sizeof(code));
	put(0x1200, df, sizeof(df));
	put(0x6000, gdt, sizeof(gdt));
	gate(0x5000, 8, 0x1200, true);
	gate(0x5000, 13, 0x1300, false);	/* #GP gate not present: #NP */
	go_flat(cpu, 0x1000, false);
	x86_cpu_get_state(cpu, &st);
	st.idtr.base = 0x5000;
	st.idtr.limit = 0x7ff;
	st.gdtr.base = 0x6000;
	st.gdtr.limit = sizeof(gdt) - 1;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_HLT);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.rip, 0x1201);
	T_EQ(st.gpr[X86_RSP], 0x8000 - 16);	/* error, EIP, CS, EFLAGS */
	T_EQ(*(uint32_t *)(fk.ram + 0x8000 - 16), 0);	/* #DF error code 0 */
	T_EQ(*(uint32_t *)(fk.ram + 0x8000 - 12), 0x1004);	/* faulting EIP */
	x86_cpu_destroy(cpu);
}

static void test_real_int_hlt_sti(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0xcd, 0x21,			/* int 0x21 */
		0xfb,				/* sti */
		0xf4,				/* hlt */
		0xf4,				/* hlt */
	};
	static const uint8_t handler[] = { 0x40, 0xcf };	/* inc ax; iret */

	put(0x500, code, sizeof(code));
	put(0x600, handler, sizeof(handler));
	put32(0x21 * 4, 0x00000600);		/* 0000:0600 */
	put32(0x22 * 4, 0x00000600);
	x86_cpu_get_state(cpu, &st);
	for (unsigned int i = 0; i < X86_NR_SREGS; i++) {
		st.seg[i].sel = 0;
		st.seg[i].base = 0;
	}
	st.rip = 0x500;
	st.gpr[X86_RSP] = 0x7000;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	fk.irq = true;				/* pending, but IF = 0 */
	fk.vector = 0x22;
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_HLT);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.gpr[X86_RAX] & 0xffff, 2);	/* INT 21h, then IRQ after the first HLT */
	T_EQ(st.rip, 0x505);			/* halted in the second HLT */
	T_EQ(st.gpr[X86_RSP] & 0xffff, 0x7000);
	T_ASSERT(!fk.irq);
	x86_cpu_destroy(cpu);
}

/*
 * A #UD whose handler is the UD2 itself: every delivery faults again and
 * no instruction retires (a real CPU livelocks too).  x86_cpu_exec() must
 * still return at its deadline (the run loop's slice: timers, --timeout,
 * Ctrl-C), not spin for ever; it used to, once any instruction had
 * retired (a fuzzer found it).  alarm() turns a hang into a FAIL.
 */
static void test_exception_livelock(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0x40,				/* inc ax */
		0x0f, 0x0b,			/* 0501: ud2 */
	};

	put(0x500, code, sizeof(code));
	put32(6 * 4, 0x00000501);		/* #UD -> 0000:0501, the UD2 */
	x86_cpu_get_state(cpu, &st);
	for (unsigned int i = 0; i < X86_NR_SREGS; i++) {
		st.seg[i].sel = 0;
		st.seg[i].base = 0;
	}
	st.seg[X86_SS].sel = 0x1000;		/* the pushes wrap in 64 KiB */
	st.seg[X86_SS].base = 0x10000;		/* away from the code */
	st.rip = 0x500;
	st.gpr[X86_RSP] = 0x7000;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	alarm(20);
	x86_cpu_exec(cpu, 1000, 5000, &stop);
	alarm(0);
	T_EQ(stop.reason, X86_STOP_LIMIT);
	T_EQ(stop.insns, 1);
	T_ASSERT(fk.now >= 5000);		/* it ran to the deadline */
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.rip, 0x501);
	T_EQ(st.gpr[X86_RAX] & 0xffff, 1);
	x86_cpu_destroy(cpu);
}

/* through the engine ops: A20 on, then off (wrap at 1 MiB) */
static void test_a20(void)
{
	const struct engine_ops *ops = &x86_interp_engine_ops;
	struct x86_cpu_state st;
	struct engine_exit ex;
	struct engine *e;
	char why[128];
	static const uint8_t code[] = {
		0xc6, 0x06, 0x10, 0x00, 0x5a,	/* mov byte [0x10], 0x5a (DS=FFFF) */
		0xf4,				/* hlt */
	};

	memset(&fk, 0, sizeof(fk));
	fk.ram = calloc(1, RAM_SIZE);
	T_ASSERT(fk.ram);
	T_ASSERT(!strcmp(ops->name, "interp") && ops->available(why, sizeof(why)));
	T_ASSERT(ops->create(&fbus, &e, why, sizeof(why)) == 0);
	put(0x500, code, sizeof(code));
	for (int pass = 0; pass < 2; pass++) {
		ops->reset(e);
		T_EQ(ops->get_state(e, &st), 0);
		for (unsigned int i = 0; i < X86_NR_SREGS; i++) {
			st.seg[i].sel = 0;
			st.seg[i].base = 0;
		}
		st.seg[X86_DS].sel = 0xffff;
		st.seg[X86_DS].base = 0xffff0;
		st.rip = 0x500;
		T_EQ(ops->set_state(e, &st), 0);
		ops->set_a20(e, pass == 0);
		T_EQ(ops->run(e, ~0ull, &ex), 0);
		T_EQ(ex.reason, ENGINE_EXIT_HLT);
		if (pass == 0) {
			T_EQ(fk.ram[0x100000], 0x5a);	/* A20 on: above 1 MiB */
			T_EQ(fk.ram[0], 0);
		} else {
			T_EQ(fk.ram[0], 0x5a);		/* A20 off: wrapped */
		}
	}
	ops->destroy(e);
}

static void test_overlong_insn(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_stop stop;

	memset(fk.ram + 0x1000, 0x66, 15);
	fk.ram[0x100f] = 0x90;
	x86_cpu_set_intercepts(cpu, 1u << 13);
	go_flat(cpu, 0x1000, false);
	x86_cpu_exec(cpu, 10, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_EXCEPTION);
	T_EQ(stop.vector, 13);
	T_EQ(stop.error_code, 0);
	x86_cpu_destroy(cpu);
}

/* GDT at 0x6000 for the tests below */
#define T_GDT		0x6000
static const uint64_t t_gdt[] = {
	0,
	0x00cf9b000000ffffull,		/* 0x08 flat 32-bit code */
	0x00cf93000000ffffull,		/* 0x10 flat 32-bit data */
	0x00008b0030000067ull,		/* 0x18 32-bit TSS at 0x3000, busy */
	0x0000810031000000ull | 0x2b,	/* 0x20 16-bit TSS at 0x3100 */
	0x00009b000000ffffull,		/* 0x28 16-bit code, base 0 */
	0x000093000000ffffull,		/* 0x30 16-bit data, base 0 */
	0x00cffb000000ffffull,		/* 0x38 flat code, DPL 3 */
	0x00cff3000000ffffull,		/* 0x40 flat data, DPL 3 */
	0x00af9b000000ffffull,		/* 0x48 64-bit code, DPL 0 */
	0x00cf93000000ffffull,		/* 0x50 data, DPL 0 */
};

static void load_gdt(struct x86_cpu *cpu)
{
	struct x86_cpu_state st;

	put(T_GDT, t_gdt, sizeof(t_gdt));
	x86_cpu_get_state(cpu, &st);
	st.gdtr.base = T_GDT;
	st.gdtr.limit = sizeof(t_gdt) - 1;
	st.tr = (struct x86_seg){ .base = 0x3000, .limit = 0x67, .sel = 0x18,
				  .attr = 0x8b };
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
}

/* run @code at 0x1000 (flat 32-bit, CPL 0) until the UD2 it ends with */
static void run_to_ud2(struct x86_cpu *cpu, struct x86_cpu_state *st,
		       const uint8_t *code, size_t n)
{
	struct x86_stop stop;

	put(0x1000, code, n);
	x86_cpu_set_intercepts(cpu, 1u << 6);
	x86_cpu_exec(cpu, 1000, ~0ull, &stop);
	x86_cpu_get_state(cpu, st);
	T_EQ(stop.reason, X86_STOP_EXCEPTION);
	T_EQ(stop.vector, 6);
	T_EQ(st->rip, 0x1000 + n - 2);
}

/* FXCH ST(i), D9 C8+i: the x87 register forms D9 /1 exist */
static void test_fxch(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	static const uint8_t code[] = {
		0xdb, 0xe3,		/* fninit */
		0xd9, 0xe8,		/* fld1 */
		0xd9, 0xee,		/* fldz */
		0xd9, 0xc9,		/* fxch st(1) */
		0xdd, 0x1d, 0x00, 0x50, 0x00, 0x00,	/* fstp qword [0x5000] */
		0x0f, 0x0b,
	};
	double d;

	go_flat(cpu, 0x1000, false);
	run_to_ud2(cpu, &st, code, sizeof(code));
	memcpy(&d, fk.ram + 0x5000, 8);
	T_ASSERT(d == 1.0);		/* ST0 was 1.0 after the exchange */
	x86_cpu_destroy(cpu);
}

/* SALC (D6): AL = CF ? FFh : 00h, flags unchanged */
static void test_salc(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	static const uint8_t code[] = {
		0xb8, 0x44, 0x33, 0x22, 0x11,	/* mov eax, 0x11223344 */
		0xf9, 0xd6,			/* stc; salc */
		0x89, 0xc3,			/* mov ebx, eax */
		0xf8, 0xd6,			/* clc; salc */
		0x0f, 0x0b,
	};

	go_flat(cpu, 0x1000, false);
	run_to_ud2(cpu, &st, code, sizeof(code));
	T_EQ(st.gpr[X86_RBX], 0x112233ff);
	T_EQ(st.gpr[X86_RAX], 0x11223300);
	T_EQ(st.rflags & 1, 0);
	x86_cpu_destroy(cpu);
}

/* 16-bit stack segment (selector 0x30) with ESP = @esp */
static void stack16(struct x86_cpu *cpu, uint32_t esp)
{
	struct x86_cpu_state st;

	x86_cpu_get_state(cpu, &st);
	st.seg[X86_SS] = (struct x86_seg){ .base = 0, .limit = 0xffff,
					   .sel = 0x30, .attr = 0x0093 };
	st.gpr[X86_RSP] = esp;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
}

/* o32 POP SS from a 16-bit stack to a 32-bit SS: the read uses SP, the
 * increment has the new SS's width (ESP + 4) */
static void test_pop_ss_width(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	static const uint8_t code[] = { 0x17, 0x0f, 0x0b };	/* pop ss */

	go_flat(cpu, 0x1000, false);
	load_gdt(cpu);
	stack16(cpu, 0x0001fffc);
	put32(0xfffc, 0x10);
	run_to_ud2(cpu, &st, code, sizeof(code));
	T_EQ(st.seg[X86_SS].sel, 0x10);
	T_EQ(st.gpr[X86_RSP], 0x00020000);
	x86_cpu_destroy(cpu);
}

/* o32 ENTER 8, 36 (level 4) on a 16-bit stack: EBP = the whole ESP after
 * the first push, the nested frame pointers through BP */
static void test_enter_o32_stack16(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	static const uint8_t code[] = {
		0xc8, 0x08, 0x00, 0x24,		/* enter 8, 36 */
		0x0f, 0x0b,
	};

	go_flat(cpu, 0x1000, false);
	load_gdt(cpu);
	stack16(cpu, 0x00010000);
	x86_cpu_get_state(cpu, &st);
	st.gpr[X86_RBP] = 0xabcd8000;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	put32(0x7ffc, 0x11111111);
	put32(0x7ff8, 0x22222222);
	put32(0x7ff4, 0x33333333);
	run_to_ud2(cpu, &st, code, sizeof(code));
	T_EQ(st.gpr[X86_RBP], 0x0001fffc);
	T_EQ(st.gpr[X86_RSP], 0x0001ffe4);
	T_EQ(*(uint32_t *)(fk.ram + 0xfffc), 0xabcd8000);	/* old EBP */
	T_EQ(*(uint32_t *)(fk.ram + 0xfff8), 0x11111111);
	T_EQ(*(uint32_t *)(fk.ram + 0xfff0), 0x33333333);
	T_EQ(*(uint32_t *)(fk.ram + 0xffec), 0x0001fffc);	/* FrameTemp */
	x86_cpu_destroy(cpu);
}

/* ENTER at CPL 3: the final stack pointer's page is read-only, so #PF
 * (present, write, user) before anything changes */
static void test_enter_final_pf(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0xc8, 0x20, 0x00, 0x00,		/* enter 0x20, 0 */
		0x0f, 0x0b,
	};
	uint32_t i;

	put32(0x100000, 0x101007);
	for (i = 0; i < 1024; i++)
		put32(0x101000 + 4 * i, (i << 12) | 7);
	put32(0x101000 + 4 * 7, 0x7005);	/* 0x7000: user, read-only */
	put(0x1000, code, sizeof(code));
	go_flat(cpu, 0x1000, true);
	load_gdt(cpu);
	x86_cpu_get_state(cpu, &st);
	flat(&st.seg[X86_CS], 0x3b, 0xc0fb);
	flat(&st.seg[X86_SS], 0x43, 0xc0f3);
	flat(&st.seg[X86_DS], 0x43, 0xc0f3);
	st.gpr[X86_RSP] = 0x8010;
	st.gpr[X86_RBP] = 0x12345678;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_set_intercepts(cpu, (1u << 14) | (1u << 6));
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_EXCEPTION);
	T_EQ(stop.vector, 14);
	T_EQ(stop.error_code, 7);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.cr2, 0x7fec);
	T_EQ(st.rip, 0x1000);
	T_EQ(st.gpr[X86_RSP], 0x8010);
	T_EQ(st.gpr[X86_RBP], 0x12345678);
	T_EQ(*(uint32_t *)(fk.ram + 0x800c), 0);	/* nothing pushed */
	x86_cpu_destroy(cpu);
}

/* CALL to a 16-bit TSS and IRET back (SDM vol. 3, 7.6) */
static void test_task16(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	struct x86_stop stop;
	static const uint8_t code[] = {
		0x9a, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00,	/* call 0x20:0 */
		0x0f, 0x0b,
	};
	static const uint8_t task[] = {
		0x0f, 0x0b,			/* ud2: look at the new task */
		0x40,				/* inc ax */
		0xcf,				/* iret: back (NT) */
	};
	static const uint16_t tss[22] = {
		[7] = 0x2000, [8] = 0x0002,		/* IP, FLAGS */
		[9] = 0x1234, [10] = 0x1111, [11] = 0x2222, [12] = 0x3333,
		[13] = 0x5000, [14] = 0x4444, [15] = 0x5555, [16] = 0x6666,
		[17] = 0x30, [18] = 0x28, [19] = 0x30, [20] = 0x30,
	};
	uint16_t *t16 = (uint16_t *)(fk.ram + 0x3100);

	put(0x1000, code, sizeof(code));
	put(0x2000, task, sizeof(task));
	put(0x3100, tss, sizeof(tss));
	go_flat(cpu, 0x1000, false);
	load_gdt(cpu);
	x86_cpu_get_state(cpu, &st);
	st.gpr[X86_RAX] = 0xa5a5a5a5;
	st.seg[X86_FS] = st.seg[X86_DS];
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_set_intercepts(cpu, 1u << 6);
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.vector, 6);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.rip, 0x2000);
	T_EQ(st.tr.sel, 0x20);
	T_EQ(st.seg[X86_CS].sel, 0x28);
	T_EQ(st.gpr[X86_RAX], 0xffff1234);
	T_EQ(st.gpr[X86_RSP], 0xffff5000);
	T_EQ(st.seg[X86_FS].sel, 0);
	T_EQ(st.rflags & 0x4000, 0x4000);		/* NT */
	T_EQ(st.cr0 & X86_CR0_TS, X86_CR0_TS);
	T_EQ(t16[0], 0x18);				/* back link */
	T_EQ(fk.ram[T_GDT + 0x20 + 5], 0x83);		/* busy */
	T_EQ(*(uint32_t *)(fk.ram + 0x3020), 0x1007);	/* old EIP */
	T_EQ(*(uint32_t *)(fk.ram + 0x3028), 0xa5a5a5a5);	/* old EAX */
	st.rip = 0x2002;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	x86_cpu_exec(cpu, 100, ~0ull, &stop);
	T_EQ(stop.vector, 6);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.rip, 0x1007);
	T_EQ(st.tr.sel, 0x18);
	T_EQ(st.gpr[X86_RAX], 0xa5a5a5a5);
	T_EQ(t16[7], 0x2004);				/* saved IP */
	T_EQ(t16[9], 0x1235);				/* saved AX */
	T_EQ(t16[8] & 0x4000, 0);			/* NT cleared */
	T_EQ(fk.ram[T_GDT + 0x20 + 5], 0x81);		/* not busy */
	x86_cpu_destroy(cpu);
}

/* ---- IA-32e mode */

#define LM_PML4		0x200000

/* 4-level tables at LM_PML4 identity-mapping 0-4 MiB with 2 MiB pages */
static void lm_pages(void)
{
	put32(LM_PML4, LM_PML4 + 0x1003);
	put32(LM_PML4 + 0x1000, LM_PML4 + 0x2003);
	put32(LM_PML4 + 0x2000, 0x83);
	put32(LM_PML4 + 0x2008, 0x200083);
}

/* 64-bit mode (or compatibility mode with @compat), CPL 0, RIP 0x1000 */
static void go_long(struct x86_cpu *cpu, bool compat)
{
	struct x86_cpu_state st;

	lm_pages();
	go_flat(cpu, 0x1000, false);
	load_gdt(cpu);
	x86_cpu_get_state(cpu, &st);
	flat(&st.seg[X86_CS], 0x48, compat ? 0xc09b : 0xa09b);
	st.cr0 |= X86_CR0_PG;
	st.cr3 = LM_PML4;
	st.cr4 = 0x20;
	st.efer = 0xd01;		/* NXE LMA LME SCE */
	st.idtr = (struct x86_dtable){ .base = 0x5000, .limit = 0xfff };
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
}

/* run @code at 0x1000 until UD2 (-1) or another exception (its vector) */
static int run_code(struct x86_cpu *cpu, const uint8_t *code, size_t n,
		    uint32_t *err)
{
	struct x86_stop stop;

	put(0x1000, code, n);
	x86_cpu_mem_written(cpu, 0x1000, n);
	x86_cpu_set_intercepts(cpu, ~0u);
	x86_cpu_exec(cpu, 1000, ~0ull, &stop);
	T_EQ(stop.reason, X86_STOP_EXCEPTION);
	if (err)
		*err = stop.error_code;
	if (stop.vector == 6) {
		struct x86_cpu_state st;

		x86_cpu_get_state(cpu, &st);
		if (st.rip == 0x1000 + n - 2)
			return -1;
	}
	return stop.vector;
}

#define RUN_VEC(cpu, err, ...) ({ \
	static const uint8_t c_[] = { __VA_ARGS__ }; \
	run_code((cpu), c_, sizeof(c_), (err)); \
})

/* the activation rules of SDM vol. 3, 9.8.5 and the CR/EFER checks */
static void test_lm_activation(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	uint32_t err;

	lm_pages();
	go_flat(cpu, 0x1000, false);
	load_gdt(cpu);
	x86_cpu_get_state(cpu, &st);
	st.cr3 = LM_PML4;
	st.efer = 0x100;		/* LME */
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	/* mov eax, cr0; bts eax, 31; mov cr0, eax: no PAE -> #GP(0) */
	T_EQ(RUN_VEC(cpu, &err, 0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xe8, 0x1f,
		     0x0f, 0x22, 0xc0, 0x0f, 0x0b), 13);
	T_EQ(err, 0);
	/* with PAE: paging on, EFER.LMA set; a reserved EFER bit: #GP */
	go_flat(cpu, 0x1000, false);
	load_gdt(cpu);
	x86_cpu_get_state(cpu, &st);
	st.cr3 = LM_PML4;
	st.cr4 = 0x20;
	st.efer = 0x100;
	T_ASSERT(x86_cpu_set_state(cpu, &st) == 0);
	T_EQ(RUN_VEC(cpu, NULL, 0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xe8, 0x1f,
		     0x0f, 0x22, 0xc0, 0x0f, 0x0b), -1);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.efer, 0x500);
	/* mov ecx, 0xc0000080; rdmsr; or eax, 2; wrmsr */
	T_EQ(RUN_VEC(cpu, NULL, 0xb9, 0x80, 0, 0, 0xc0, 0x0f, 0x32, 0x83, 0xc8,
		     0x02, 0x0f, 0x30, 0x0f, 0x0b), 13);
	/* 64-bit mode: clearing CR4.PAE, EFER.LME or CR0.PG, setting PCIDE */
	go_long(cpu, false);
	T_EQ(RUN_VEC(cpu, NULL, 0x0f, 0x20, 0xe0, 0x48, 0x83, 0xe0, 0xdf,
		     0x0f, 0x22, 0xe0, 0x0f, 0x0b), 13);
	go_long(cpu, false);
	T_EQ(RUN_VEC(cpu, NULL, 0xb9, 0x80, 0, 0, 0xc0, 0x0f, 0x32, 0x25, 0xff,
		     0xfe, 0xff, 0xff, 0x0f, 0x30, 0x0f, 0x0b), 13);
	go_long(cpu, false);
	T_EQ(RUN_VEC(cpu, NULL, 0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xf0, 0x1f,
		     0x0f, 0x22, 0xc0, 0x0f, 0x0b), 13);
	go_long(cpu, false);
	T_EQ(RUN_VEC(cpu, NULL, 0x0f, 0x20, 0xe0, 0x0f, 0xba, 0xe8, 0x11,
		     0x0f, 0x22, 0xe0, 0x0f, 0x0b), 13);
	/* a non-canonical FS_BASE: mov ecx, 0xc0000100; edx = 0x8000 */
	go_long(cpu, false);
	T_EQ(RUN_VEC(cpu, NULL, 0xb9, 0x00, 0x01, 0, 0xc0, 0x31, 0xc0,
		     0xba, 0x00, 0x80, 0, 0, 0x0f, 0x30, 0x0f, 0x0b), 13);
	/* leaving IA-32e mode from compatibility mode clears LMA */
	go_long(cpu, true);
	T_EQ(RUN_VEC(cpu, NULL, 0x0f, 0x20, 0xc0, 0x0f, 0xba, 0xf0, 0x1f,
		     0x0f, 0x22, 0xc0, 0x0f, 0x0b), -1);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.efer, 0x901);		/* NXE LME SCE, LMA clear */
	x86_cpu_destroy(cpu);
}

/* non-canonical addresses: #SS(0) through RSP/RBP, #GP(0) otherwise */
static void test_lm_canonical(void)
{
	struct x86_cpu *cpu = setup();
	uint32_t err = 1;

	go_long(cpu, false);
	/* mov rsp, 0x0000800000000008; push rax */
	T_EQ(RUN_VEC(cpu, &err, 0x48, 0xbc, 8, 0, 0, 0, 0, 0x80, 0, 0, 0x50,
		     0x0f, 0x0b), 12);
	T_EQ(err, 0);
	go_long(cpu, false);
	/* mov rbp, ...; mov rax, [rbp] */
	T_EQ(RUN_VEC(cpu, &err, 0x48, 0xbd, 0, 0, 0, 0, 0, 0x80, 0, 0, 0x48,
		     0x8b, 0x45, 0x00, 0x0f, 0x0b), 12);
	go_long(cpu, false);
	/* mov rbx, ...; mov rax, [rbx] */
	T_EQ(RUN_VEC(cpu, &err, 0x48, 0xbb, 0, 0, 0, 0, 0, 0x80, 0, 0, 0x48,
		     0x8b, 0x03, 0x0f, 0x0b), 13);
	T_EQ(err, 0);
	go_long(cpu, false);
	/* jmp to a non-canonical target faults at the jump */
	T_EQ(RUN_VEC(cpu, &err, 0x48, 0xb8, 0, 0, 0, 0, 0, 0x80, 0, 0, 0xff,
		     0xe0, 0x0f, 0x0b), 13);
	x86_cpu_destroy(cpu);
}

/* a 16-byte gate that is not present: #NP(vector * 8 + 2) */
static void test_lm_gate_error_code(void)
{
	struct x86_cpu *cpu = setup();
	uint32_t err;

	go_long(cpu, false);
	fk.ram[0x5000 + 0x85 * 16 + 5] = 0x0e;	/* interrupt gate, P = 0 */
	T_EQ(RUN_VEC(cpu, &err, 0xcd, 0x85, 0x0f, 0x0b), 11);	/* int 0x85 */
	T_EQ(err, 0x85 * 8 + 2);
	go_long(cpu, false);			/* type 0: #GP, same code */
	T_EQ(RUN_VEC(cpu, &err, 0xcd, 0x86, 0x0f, 0x0b), 13);
	T_EQ(err, 0x86 * 8 + 2);
	x86_cpu_destroy(cpu);
}

/* SYSCALL/SYSRET only in 64-bit mode (Intel); CMPXCHG16B alignment */
static void test_lm_syscall_compat(void)
{
	struct x86_cpu *cpu = setup();
	uint32_t err;

	go_long(cpu, true);
	T_EQ(RUN_VEC(cpu, NULL, 0x0f, 0x05, 0x0f, 0x0b), 6);
	go_long(cpu, false);
	/* mov rsi, 0x2008; cmpxchg16b [rsi] */
	T_EQ(RUN_VEC(cpu, &err, 0x48, 0xc7, 0xc6, 0x08, 0x20, 0, 0, 0x48, 0x0f,
		     0xc7, 0x0e, 0x0f, 0x0b), 13);
	T_EQ(err, 0);
	x86_cpu_destroy(cpu);
}

/* INVLPG anywhere in a 2 MiB page drops all of it from the TLB */
static void test_lm_invlpg_large(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;
	static const uint8_t code[] = {
		0x8b, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00,	/* mov eax, [0x300000] */
		0xc7, 0x04, 0x25, 0x08, 0x20, 0x20, 0x00,	/* mov dword [PD+8], */
		0x83, 0x00, 0x00, 0x00,				/*   0x83: 2 MiB at 0 */
		0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x20, 0x00,	/* invlpg [0x200000] */
		0x8b, 0x1c, 0x25, 0x00, 0x00, 0x30, 0x00,	/* mov ebx, [0x300000] */
		0x0f, 0x0b,
	};

	go_long(cpu, false);
	put32(0x300000, 0x1111);
	put32(0x100000, 0x2222);
	T_EQ(run_code(cpu, code, sizeof(code), NULL), -1);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.gpr[X86_RAX], 0x1111);
	T_EQ(st.gpr[X86_RBX], 0x2222);		/* the new mapping */
	x86_cpu_destroy(cpu);
}

/* the listed bug: WRMSR EFER.SCE raised #GP while CPUID had no SYSCALL,
 * and MISC_ENABLE read 0: one consistent canonical CPU */
static void test_cpuid_msr_consistent(void)
{
	struct x86_cpu *cpu = setup();
	struct x86_cpu_state st;

	go_flat(cpu, 0x1000, false);
	/* mov eax, 0x80000001; cpuid; mov esi, edx */
	T_EQ(RUN_VEC(cpu, NULL, 0xb8, 0x01, 0, 0, 0x80, 0x0f, 0xa2, 0x89, 0xd6,
		     0x0f, 0x0b), -1);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.gpr[X86_RSI] & (1u << 11 | 1u << 20 | 1u << 29),
	     1u << 11 | 1u << 20 | 1u << 29);		/* SYSCALL NX LM */
	go_flat(cpu, 0x1000, false);
	/* mov ecx, 0xc0000080; rdmsr; or eax, 1; wrmsr; rdmsr */
	T_EQ(RUN_VEC(cpu, NULL, 0xb9, 0x80, 0, 0, 0xc0, 0x0f, 0x32, 0x83, 0xc8,
		     0x01, 0x0f, 0x30, 0x0f, 0x32, 0x0f, 0x0b), -1);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.gpr[X86_RAX] & 1, 1);
	/* mov ecx, 0x1a0; rdmsr */
	go_flat(cpu, 0x1000, false);
	T_EQ(RUN_VEC(cpu, NULL, 0xb9, 0xa0, 0x01, 0, 0, 0x0f, 0x32, 0x0f, 0x0b),
	     -1);
	x86_cpu_get_state(cpu, &st);
	T_EQ(st.gpr[X86_RAX] & 1, 1);			/* fast strings */
	/* an MSR the canonical CPU does not have: #GP(0) (0x3a FEATURE_CONTROL) */
	go_flat(cpu, 0x1000, false);
	T_EQ(RUN_VEC(cpu, NULL, 0xb9, 0x3a, 0, 0, 0, 0x0f, 0x32, 0x0f, 0x0b),
	     13);
	x86_cpu_destroy(cpu);
}

static const struct t_case cases[] = {
	T_CASE(test_smc),
	T_CASE(test_pf_cross_page),
	T_CASE(test_rep_movs_restart),
	T_CASE(test_triple_fault),
	T_CASE(test_double_fault),
	T_CASE(test_real_int_hlt_sti),
	T_CASE(test_exception_livelock),
	T_CASE(test_a20),
	T_CASE(test_overlong_insn),
	T_CASE(test_fxch),
	T_CASE(test_salc),
	T_CASE(test_pop_ss_width),
	T_CASE(test_enter_o32_stack16),
	T_CASE(test_enter_final_pf),
	T_CASE(test_task16),
	T_CASE(test_lm_activation),
	T_CASE(test_lm_canonical),
	T_CASE(test_lm_gate_error_code),
	T_CASE(test_lm_syscall_compat),
	T_CASE(test_cpuid_msr_consistent),
	T_CASE(test_lm_invlpg_large),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
