// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_x87.c --- x87 FPU through the interpreter, hand-encoded
 *
 * Control instructions (FNINIT, FNSTSW/FNSTCW/FLDCW, FNSTENV/FLDENV,
 * FNSAVE/FRSTOR formats), loads/stores/arithmetic with known results, stack
 * underflow and overflow responses, FCOMI/FCMOV flags, and the exception
 * rules: #NM on CR0.EM/TS, WAIT with MP+TS, #MF at the next waiting
 * instruction after an unmasked exception (SDM vol. 1 ch. 8).
 */
#include <math.h>
#include <stdio.h>

#include "tests/unit/x86/fpu_testlib.h"

#define RUN(m, ...) do { \
	static const uint8_t code_[] = { __VA_ARGS__ }; \
	ft_run((m), code_, sizeof(code_)); \
	T_ASSERT(ft_done((m), sizeof(code_))); \
} while (0)

static void test_x87_init_status(void)
{
	struct ft_machine m;

	ft_init(&m);
	m.st.gpr[X86_RAX] = 0x12345678;
	/* fninit; fnstcw [ebx]; fnstsw ax; fnstsw [ebx+2] */
	RUN(&m, 0xdb, 0xe3, 0xd9, 0x3b, 0xdf, 0xe0, 0xdd, 0x7b, 0x02);
	T_EQ(ft_get16(m.ram + FT_DATA), 0x037f);
	T_EQ(m.st.gpr[X86_RAX], 0x12340000);
	T_EQ(ft_get16(m.ram + FT_DATA + 2), 0);
	T_EQ(m.st.fxsave[4], 0);			/* all empty */
	ft_fini(&m);
}

static void test_x87_arith(void)
{
	struct ft_machine m;
	double d;
	int32_t i;

	ft_init(&m);
	/* fninit; fld1; fldpi; faddp; fstp qword [ebx] */
	RUN(&m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xeb, 0xde, 0xc1, 0xdd, 0x1b);
	memcpy(&d, m.ram + FT_DATA, 8);
	T_ASSERT(d == 1.0 + M_PI);
	T_EQ(m.st.fxsave[4], 0);			/* stack empty again */
	/* fild dword [ebx+8] (1000); fidiv dword [ebx+12] (7); fistp [ebx+16] */
	i = 1000;
	memcpy(m.ram + FT_DATA + 8, &i, 4);
	i = 7;
	memcpy(m.ram + FT_DATA + 12, &i, 4);
	RUN(&m, 0xdb, 0x43, 0x08, 0xda, 0x73, 0x0c, 0xdb, 0x5b, 0x10);
	memcpy(&i, m.ram + FT_DATA + 16, 4);
	T_EQ(i, 143);					/* round to nearest */
	/* round toward zero via FLDCW 0x0f7f, fsqrt of 2 as float */
	m.ram[FT_DATA + 20] = 0x7f;
	m.ram[FT_DATA + 21] = 0x0f;
	RUN(&m, 0xd9, 0x6b, 0x14, 0xd9, 0xe8, 0xd8, 0xc0, 0xd9, 0xfa,
	    0xd9, 0x5b, 0x18);
	{
		float f;

		memcpy(&f, m.ram + FT_DATA + 24, 4);
		T_EQ(ft_get32(m.ram + FT_DATA + 24), 0x3fb504f3);	/* truncated */
		T_ASSERT(fabsf(f - 1.41421356f) < 1e-6f);
	}
	ft_fini(&m);
}

static void test_x87_stack_faults(void)
{
	struct ft_machine m;
	int k;

	ft_init(&m);
	/* fninit; fadd st0, st1 (both empty): masked #IS -> indefinite */
	RUN(&m, 0xdb, 0xe3, 0xd8, 0xc1, 0xdf, 0xe0);
	T_EQ(m.st.gpr[X86_RAX] & 0xffff, 0x0041);	/* SF | IE, C1 = 0 */
	T_EQ(ft_get16(m.st.fxsave + 32 + 8), 0xffff);	/* -QNaN indefinite */
	T_EQ(ft_get32(m.st.fxsave + 32 + 4), 0xc0000000u);
	/* nine pushes: overflow sets C1 and SF */
	{
		uint8_t code[2 + 18 + 2];

		code[0] = 0xdb;
		code[1] = 0xe3;
		for (k = 0; k < 9; k++) {
			code[2 + 2 * k] = 0xd9;
			code[3 + 2 * k] = 0xe8;
		}
		code[20] = 0xdf;
		code[21] = 0xe0;
		ft_run(&m, code, sizeof(code));
		T_ASSERT(ft_done(&m, sizeof(code)));
		T_EQ(m.st.gpr[X86_RAX] & 0x3fff, 0x3a41);	/* C1 SF IE, TOP 7 */
		T_EQ(m.st.fxsave[4], 0xff);
	}
	ft_fini(&m);
}

static void test_x87_env_formats(void)
{
	struct ft_machine m;
	const uint8_t *e;

	ft_init(&m);
	/* fninit; fld1; fldz; fnstenv [ebx] (32-bit protected) */
	RUN(&m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xd9, 0x33);
	e = m.ram + FT_DATA;
	T_EQ(ft_get32(e), 0xffff037fu);
	T_EQ(ft_get32(e + 4), 0xffff3000u);		/* TOP = 6 */
	T_EQ(ft_get32(e + 8), 0xffff1fffu);		/* R6 zero, R7 valid */
	T_EQ(ft_get32(e + 12), FT_CODE + 4);		/* FIP: fldz */
	T_EQ(ft_get32(e + 16), 0x01ee0008u);		/* FOP 1EE, FCS 8 */
	T_EQ(ft_get16(m.st.fxsave), 0x037f | 0x3f);	/* masks all */
	/* 16-bit format (66 prefix) */
	RUN(&m, 0x66, 0xd9, 0x73, 0x40);
	e = m.ram + FT_DATA + 0x40;
	T_EQ(ft_get16(e + 4), 0x1fff);
	T_EQ(ft_get16(e + 8), 0x0008);
	/* fnsave then frstor restores the stack; fnsave reinitialises */
	RUN(&m, 0xdd, 0x73, 0x60, 0xd9, 0xee, 0xdd, 0x63, 0x60, 0xdf, 0xe0);
	T_EQ(m.st.gpr[X86_RAX] & 0xffff, 0x3000);
	T_EQ(m.st.fxsave[4], 0xc0);
	T_EQ(ft_get16(m.ram + FT_DATA + 0x60 + 28 + 10 + 8), 0x3fff);	/* ST1 = 1.0 */
	/* fldenv from the first image brings FCW 0x037f back */
	RUN(&m, 0xd9, 0x23, 0xd9, 0x7b, 0x70);
	T_EQ(ft_get16(m.ram + FT_DATA + 0x70), 0x037f);
	ft_fini(&m);
}

static void test_x87_fcomi_fcmov(void)
{
	struct ft_machine m;

	ft_init(&m);
	/* fninit; fld1; fldz; fcomi st0, st1 (0 < 1: CF) */
	RUN(&m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xee, 0xdb, 0xf1);
	T_EQ(m.st.rflags & 0x8d5, 0x001);
	/* fcmovb st0, st1 (CF set: st0 = 1.0); fstp dword [ebx] */
	RUN(&m, 0xda, 0xc1, 0xd9, 0x1b);
	T_EQ(ft_get32(m.ram + FT_DATA), 0x3f800000u);
	/* fucomip st0, st0 on 1.0: ZF, pops */
	RUN(&m, 0xdf, 0xe8);
	T_EQ(m.st.rflags & 0x8d5, 0x040);
	T_EQ(m.st.fxsave[4], 0);
	ft_fini(&m);
}

static void test_x87_exceptions(void)
{
	struct ft_machine m;

	ft_init(&m);
	m.st.cr0 |= X86_CR0_TS;
	ft_run(&m, (const uint8_t[]){ 0xd9, 0xe8 }, 2);	/* fld1 */
	T_EQ(m.stop.reason, X86_STOP_EXCEPTION);
	T_EQ(m.stop.vector, FT_EXC_NM);
	ft_run(&m, (const uint8_t[]){ 0x9b }, 1);		/* wait: MP+TS */
	T_EQ(m.stop.vector, FT_EXC_NM);
	m.st.cr0 &= ~(uint64_t)X86_CR0_MP;
	ft_run(&m, (const uint8_t[]){ 0x9b }, 1);		/* wait: TS only */
	T_ASSERT(ft_done(&m, 1));
	m.st.cr0 = (m.st.cr0 & ~(uint64_t)X86_CR0_TS) | X86_CR0_EM;
	ft_run(&m, (const uint8_t[]){ 0xdb, 0xe3 }, 2);	/* fninit: EM */
	T_EQ(m.stop.vector, FT_EXC_NM);
	m.st.cr0 &= ~(uint64_t)X86_CR0_EM;
	/* unmask ZE (FCW 0x037b): fld1; fldz; fdivp st1 -> no fault yet;
	 * (unmasked: no store, no pop); fnstsw ax is non-waiting; fwait
	 * faults with #MF */
	m.ram[FT_DATA] = 0x7b;
	m.ram[FT_DATA + 1] = 0x03;
	ft_run(&m, (const uint8_t[]){ 0xdb, 0xe3, 0xd9, 0x2b, 0xd9, 0xe8,
		  0xd9, 0xee, 0xde, 0xf9, 0xdf, 0xe0, 0x9b }, 13);
	T_EQ(m.stop.reason, X86_STOP_EXCEPTION);
	T_EQ(m.stop.vector, FT_EXC_MF);
	T_EQ(m.st.rip, FT_CODE + 12);
	T_EQ(m.st.gpr[X86_RAX] & 0xffff, 0xb084);	/* B ES ZE, no pop */
	/* fnclex clears it; the next fld1 runs */
	ft_run(&m, (const uint8_t[]){ 0xdb, 0xe2, 0xd9, 0xe8 }, 4);
	T_ASSERT(ft_done(&m, 4));
	ft_fini(&m);
}

/* real mode: 14/28-byte real-mode formats with linear FIP, 16-bit code */
static void test_x87_env_real(void)
{
	struct ft_machine m;
	const uint8_t *e;
	unsigned int i;

	ft_init(&m);
	m.st.cr0 = X86_CR0_ET | X86_CR0_NE;
	for (i = 0; i < 6; i++) {
		m.st.seg[i].sel = 0;
		m.st.seg[i].base = 0;
		m.st.seg[i].limit = 0xffff;
		m.st.seg[i].attr = i == X86_CS ? 0x9b : 0x93;
	}
	/* fninit; fld1; fnstenv [bx]; o32 fnstenv [bx+0x20] */
	RUN(&m, 0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0x37, 0x66, 0xd9, 0x77, 0x20);
	e = m.ram + FT_DATA;
	T_EQ(ft_get16(e), 0x037f);
	T_EQ(ft_get16(e + 2), 0x3800);
	T_EQ(ft_get16(e + 4), 0x3fff);
	T_EQ(ft_get16(e + 6), FT_CODE + 2);		/* linear FIP */
	T_EQ(ft_get16(e + 8), 0x01e8);			/* FIP 19:16, FOP */
	e = m.ram + FT_DATA + 0x20;
	T_EQ(ft_get32(e + 8), 0xffff3fffu);
	T_EQ(ft_get32(e + 12), 0xffff0000u | (FT_CODE + 2));
	T_EQ(ft_get32(e + 16), 0x01e8);
	/* fldenv [bx] (FCW 037f again), fnstcw [bx+0x40] */
	RUN(&m, 0xd9, 0x27, 0xd9, 0x7f, 0x40);
	T_EQ(ft_get16(m.ram + FT_DATA + 0x40), 0x037f);
	ft_fini(&m);
}

/* a store that faults (segment limit) leaves the stack as it was */
static void test_x87_fault_restart(void)
{
	struct ft_machine m;

	ft_init(&m);
	RUN(&m, 0xdb, 0xe3, 0xd9, 0xe8);			/* fninit; fld1 */
	m.st.seg[X86_DS].limit = FT_DATA + 4;
	ft_run(&m, (const uint8_t[]){ 0xdd, 0x1b }, 2);	/* fstp qword [ebx] */
	T_EQ(m.stop.reason, X86_STOP_EXCEPTION);
	T_EQ(m.stop.vector, FT_EXC_GP);
	T_EQ(m.st.fxsave[4], 0x80);				/* not popped */
	T_EQ(ft_get16(m.st.fxsave + 2), 0x3800);
	T_EQ(ft_get32(m.ram + FT_DATA), 0);
	ft_fini(&m);
}

static const struct t_case cases[] = {
	T_CASE(test_x87_env_real),
	T_CASE(test_x87_fault_restart),
	T_CASE(test_x87_init_status),
	T_CASE(test_x87_arith),
	T_CASE(test_x87_stack_faults),
	T_CASE(test_x87_env_formats),
	T_CASE(test_x87_fcomi_fcmov),
	T_CASE(test_x87_exceptions),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
