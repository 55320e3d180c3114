// SPDX-License-Identifier: GPL-2.0-only
/* test_acpi_pm.c --- devices/acpi_pm.c through its ports with a stepped
 * virtual clock and a fake SCI line: timer rate, status write-1-to-clear,
 * SCI level, S5 power-off. */
#include <string.h>

#include "devices/acpi_pm.h"
#include "tests/unit/devices/dev_fixture.h"

#define B	ACPI_PM_BASE

struct pm_fx {
	struct fx	f;
	struct fx_irq	sci;
	unsigned int	offs;		/* power_off() calls */
	struct dev_host	host;		/* power_off -> count_off */
	struct acpi_pm	*pm;
};

static void count_off(void *opaque, int status, const char *why)
{
	struct pm_fx *p = opaque;

	p->offs++;
}

static void pm_setup(struct pm_fx *p)
{
	memset(p, 0, sizeof(*p));
	fx_init(&p->f);
	p->host = (struct dev_host){ .power_off = count_off, .opaque = p };
	p->pm = fx_dev(&p->f, &acpi_pm_dev, &(struct dev_cfg){
		.base = B, .irq = { fx_line(&p->f, &p->sci) },
		.host = &p->host });
}

static void pm_teardown(struct pm_fx *p)
{
	dev_destroy(p->pm);
	fx_fini(&p->f);
}

static uint32_t rd(struct pm_fx *p, unsigned int off, unsigned int size)
{
	return (uint32_t)iospace_read(p->f.pio, B + off, size);
}

static void wr(struct pm_fx *p, unsigned int off, uint32_t v,
	       unsigned int size)
{
	iospace_write(p->f.pio, B + off, v, size);
}

static void test_pm_timer_rate(void)
{
	struct pm_fx p;
	uint32_t t0, t1;

	pm_setup(&p);
	t0 = rd(&p, ACPI_PM_TMR, 4);
	vclock_advance(p.f.clock, NSEC_PER_SEC);
	t1 = rd(&p, ACPI_PM_TMR, 4);
	T_EQ(t1 - t0, ACPI_PM_TIMER_HZ);
	vclock_advance(p.f.clock, 1000);	/* 1 us = 3.58 ticks */
	T_ASSERT(rd(&p, ACPI_PM_TMR, 4) - t1 >= 3 &&
		 rd(&p, ACPI_PM_TMR, 4) - t1 <= 4);
	/* byte reads see the same counter */
	T_EQ(rd(&p, ACPI_PM_TMR, 1), rd(&p, ACPI_PM_TMR, 4) & 0xff);
	T_EQ(acpi_pm_timer(p.pm), rd(&p, ACPI_PM_TMR, 4));
	/* read-only */
	wr(&p, ACPI_PM_TMR, 0, 4);
	T_EQ(rd(&p, ACPI_PM_TMR, 4), acpi_pm_timer(p.pm));
	T_ASSERT(acpi_pm_timer(p.pm) != 0);
	pm_teardown(&p);
}

static void test_pm_reset_state(void)
{
	struct pm_fx p;

	pm_setup(&p);
	T_EQ(rd(&p, ACPI_PM1_STS, 2), 0);
	T_EQ(rd(&p, ACPI_PM1_EN, 2), 0);
	T_EQ(rd(&p, ACPI_PM1_CNT, 2), ACPI_CNT_SCI_EN);
	/* SCI_EN stays set: no legacy mode without SMI_CMD */
	wr(&p, ACPI_PM1_CNT, 0, 2);
	T_EQ(rd(&p, ACPI_PM1_CNT, 2) & ACPI_CNT_SCI_EN, ACPI_CNT_SCI_EN);
	T_EQ(p.sci.level, 0);
	pm_teardown(&p);
}

static void test_pm_status_w1c_and_sci(void)
{
	struct pm_fx p;

	pm_setup(&p);
	acpi_pm_power_button(p.pm);
	T_EQ(rd(&p, ACPI_PM1_STS, 2), ACPI_PM1_PWRBTN);
	T_EQ(p.sci.level, 0);			/* not enabled */
	wr(&p, ACPI_PM1_EN, ACPI_PM1_PWRBTN, 2);
	T_EQ(rd(&p, ACPI_PM1_EN, 2), ACPI_PM1_PWRBTN);
	T_EQ(p.sci.level, 1);
	/* writing 0 keeps the bit, writing 1 clears it */
	wr(&p, ACPI_PM1_STS, 0, 2);
	T_EQ(rd(&p, ACPI_PM1_STS, 2), ACPI_PM1_PWRBTN);
	wr(&p, ACPI_PM1_STS, ACPI_PM1_PWRBTN, 2);
	T_EQ(rd(&p, ACPI_PM1_STS, 2), 0);
	T_EQ(p.sci.level, 0);
	T_EQ(p.sci.rises, 1);
	pm_teardown(&p);
}

static void test_pm_timer_overflow_sci(void)
{
	struct pm_fx p;
	uint64_t half = (1ULL << 31) * NSEC_PER_SEC / ACPI_PM_TIMER_HZ;

	pm_setup(&p);
	wr(&p, ACPI_PM1_EN, ACPI_PM1_TMR, 2);
	vclock_advance(p.f.clock, half - NSEC_PER_SEC);
	T_EQ(p.sci.level, 0);
	vclock_advance(p.f.clock, 2 * NSEC_PER_SEC);	/* bit 31 flips */
	T_EQ(p.sci.level, 1);
	T_ASSERT(rd(&p, ACPI_PM_TMR, 4) & 0x80000000u);
	T_EQ(rd(&p, ACPI_PM1_STS, 2) & ACPI_PM1_TMR, ACPI_PM1_TMR);
	wr(&p, ACPI_PM1_STS, ACPI_PM1_TMR, 2);
	T_EQ(p.sci.level, 0);
	pm_teardown(&p);
}

static void test_pm_s5_power_off(void)
{
	struct pm_fx p;
	uint16_t s5 = ACPI_PM_SLP_TYP_S5 << ACPI_CNT_SLP_TYP_SHIFT;

	pm_setup(&p);
	/* SLP_TYP alone does nothing; another type with SLP_EN neither */
	wr(&p, ACPI_PM1_CNT, s5 | ACPI_CNT_SCI_EN, 2);
	T_EQ(p.offs, 0);
	T_EQ(rd(&p, ACPI_PM1_CNT, 2), s5 | ACPI_CNT_SCI_EN);
	wr(&p, ACPI_PM1_CNT, (1u << ACPI_CNT_SLP_TYP_SHIFT) |
	   ACPI_CNT_SLP_EN | ACPI_CNT_SCI_EN, 2);
	T_EQ(p.offs, 0);
	/* SLP_EN reads back 0 */
	T_EQ(rd(&p, ACPI_PM1_CNT, 2) & ACPI_CNT_SLP_EN, 0);
	wr(&p, ACPI_PM1_CNT, s5 | ACPI_CNT_SLP_EN | ACPI_CNT_SCI_EN, 2);
	T_EQ(p.offs, 1);
	/* a byte write of the high half works too */
	wr(&p, ACPI_PM1_CNT + 1, (s5 | ACPI_CNT_SLP_EN) >> 8, 1);
	T_EQ(p.offs, 2);
	pm_teardown(&p);
}

static void test_pm_out_of_range(void)
{
	struct pm_fx p;

	pm_setup(&p);
	T_EQ(rd(&p, 6, 2), 0);			/* gap between CNT and TMR */
	wr(&p, 6, 0xffff, 2);
	wr(&p, 10, 0xffffffff, 4);		/* straddles the end */
	T_EQ(rd(&p, ACPI_PM1_STS, 2), 0);
	T_EQ(p.offs, 0);
	pm_teardown(&p);
}

static const struct t_case cases[] = {
	T_CASE(test_pm_timer_rate),
	T_CASE(test_pm_reset_state),
	T_CASE(test_pm_status_w1c_and_sci),
	T_CASE(test_pm_timer_overflow_sci),
	T_CASE(test_pm_s5_power_off),
	T_CASE(test_pm_out_of_range),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
