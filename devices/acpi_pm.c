// SPDX-License-Identifier: GPL-2.0-only
/*
 * acpi_pm.c --- ACPI PM1a event/control block and PM timer
 *
 * Register semantics from the ACPI spec (4.8.3): PM1_STS bits are write-1-
 * to-clear; PM1_EN bits are read/write; in PM1_CNT, SLP_EN and GBL_RLS are
 * write-only (read 0) and SCI_EN is owned by the hardware (always 1 here:
 * no SMI_CMD, no legacy mode).  The PM timer counts at 3.579545 MHz from
 * virtual time 0; TMR_STS is set whenever its top bit (bit 31, the FADT
 * declares TMR_VAL_EXT) changes, and a vtimer raises it on time while
 * TMR_EN is set so the SCI fires.  The PM1 registers are byte ranges (the
 * I/O space splits wider accesses); the timer is one 32-bit register, so
 * every read of it, whatever its width, comes from one snapshot.
 */
#include "devices/acpi_pm.h"

#define STS_MASK	(ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | \
			 ACPI_PM1_SLPBTN | ACPI_PM1_RTC | ACPI_PM1_WAK)
#define EN_MASK		(ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | \
			 ACPI_PM1_SLPBTN | ACPI_PM1_RTC)
#define CNT_RW_MASK	(ACPI_CNT_BM_RLD | ACPI_CNT_SLP_TYP_MASK)

struct acpi_pm {
	struct dev_env		env;		/* copy */
	struct irq_line		sci_line;	/* SCI output (level) */
	const struct dev_host	*host;		/* power_off, or NULL */
	uint16_t		sts;		/* PM1_STS */
	uint16_t		en;		/* PM1_EN */
	uint16_t		cnt;		/* PM1_CNT (readable bits) */
	uint32_t		tmr_msb;	/* timer bit 31 last seen */
	struct vtimer		tmr_timer;	/* next bit-31 toggle */
	int			sci;		/* current SCI level */
};

static uint64_t ticks_at(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * ACPI_PM_TIMER_HZ) /
			  NSEC_PER_SEC);
}

/* First virtual ns at which the tick count reaches @ticks. */
static uint64_t ns_of_ticks(uint64_t ticks)
{
	unsigned __int128 n = (unsigned __int128)ticks * NSEC_PER_SEC;

	return (uint64_t)((n + ACPI_PM_TIMER_HZ - 1) / ACPI_PM_TIMER_HZ);
}

static void update_sci(struct acpi_pm *p)
{
	int level = (p->cnt & ACPI_CNT_SCI_EN) && (p->sts & p->en);

	if (level != p->sci) {
		p->sci = level;
		irq_set(&p->sci_line, level);
	}
}

/* Latch TMR_STS if bit 31 moved; re-arm the toggle timer if enabled. */
static void tmr_update(struct acpi_pm *p)
{
	uint64_t t = ticks_at(vclock_now(p->env.clock));
	uint32_t msb = (uint32_t)(t >> 31) & 1;

	if (msb != p->tmr_msb) {
		p->tmr_msb = msb;
		p->sts |= ACPI_PM1_TMR;
	}
	if (p->en & ACPI_PM1_TMR)
		vtimer_mod(&p->tmr_timer,
			   ns_of_ticks(((t >> 31) + 1) << 31));
	else
		vtimer_del(&p->tmr_timer);
	update_sci(p);
}

static void tmr_fire(void *opaque)
{
	tmr_update(opaque);
}

uint32_t acpi_pm_timer(struct acpi_pm *p)
{
	return (uint32_t)ticks_at(vclock_now(p->env.clock));
}

static uint64_t pm_read(void *opaque, uint64_t off, unsigned int size)
{
	struct acpi_pm *p = opaque;

	tmr_update(p);
	switch (off) {
	case 0: case 1:
		return (uint8_t)(p->sts >> (8 * off));
	case 2: case 3:
		return (uint8_t)(p->en >> (8 * (off - 2)));
	case 4: case 5:
		return (uint8_t)(p->cnt >> (8 * (off - 4)));
	default:
		return 0;	/* 6-7: no PM1b/PM2 here */
	}
}

static uint64_t tmr_read(void *opaque, uint64_t off, unsigned int size)
{
	struct acpi_pm *p = opaque;
	uint32_t tmr = acpi_pm_timer(p);

	tmr_update(p);
	return tmr;
}

static void cnt_write_hi(struct acpi_pm *p, uint8_t v)
{
	uint16_t val = (uint16_t)(v << 8);

	p->cnt = (uint16_t)((p->cnt & 0x00ff) | (val & CNT_RW_MASK));
	if ((val & ACPI_CNT_SLP_EN) &&
	    ((val & ACPI_CNT_SLP_TYP_MASK) >> ACPI_CNT_SLP_TYP_SHIFT) ==
	    ACPI_PM_SLP_TYP_S5)
		dev_host_power_off(p->host, 0, "ACPI S5");
}

static void pm_write(void *opaque, uint64_t off, uint64_t val,
		     unsigned int size)
{
	struct acpi_pm *p = opaque;
	uint8_t v = (uint8_t)val;

	switch (off) {
	case 0: case 1:
		p->sts &= (uint16_t)~((uint16_t)(v << (8 * off)) & STS_MASK);
		break;
	case 2: case 3:
		p->en = (uint16_t)((p->en & ~(0xff << (8 * (off - 2)))) |
				   ((v << (8 * (off - 2))) & EN_MASK));
		break;
	case 4:
		p->cnt = (uint16_t)((p->cnt & 0xff00) | ACPI_CNT_SCI_EN |
				    (v & CNT_RW_MASK));
		break;
	case 5:
		cnt_write_hi(p, v);
		break;
	default:
		break;		/* 6-7: nothing */
	}
	tmr_update(p);
}

static const struct io_ops pm_ops = {
	.read = pm_read, .write = pm_write, .widths = IO_W8,
};

/* Read-only: narrower writes are dropped by the I/O space. */
static const struct io_ops tmr_ops = {
	.read = tmr_read, .widths = IO_W32,
};

static int acpi_pm_init(void *dev, const struct dev_env *env,
			const struct dev_cfg *cfg)
{
	struct acpi_pm *p = dev;

	p->env = *env;
	p->sci_line = cfg->irq[0];
	p->host = cfg->host;
	vtimer_init(&p->tmr_timer, env->clock, tmr_fire, p);
	return 0;
}

static void acpi_pm_reset(void *dev)
{
	struct acpi_pm *p = dev;

	p->sts = 0;
	p->en = 0;
	p->cnt = ACPI_CNT_SCI_EN;
	p->tmr_msb = (uint32_t)(ticks_at(vclock_now(p->env.clock)) >> 31) & 1;
	vtimer_del(&p->tmr_timer);
	update_sci(p);
}

static void acpi_pm_fini(void *dev)
{
	struct acpi_pm *p = dev;

	vtimer_del(&p->tmr_timer);
}

/* At ACPI_PM_BASE; dev_cfg.base moves them. */
static const struct io_range acpi_pm_ranges[] = {
	{ ACPI_PM_BASE, ACPI_PM_TMR, &pm_ops },
	{ ACPI_PM_BASE + ACPI_PM_TMR, ACPI_PM_LEN - ACPI_PM_TMR, &tmr_ops },
};

void acpi_pm_power_button(struct acpi_pm *p)
{
	p->sts |= ACPI_PM1_PWRBTN;
	update_sci(p);
}

const struct dev_ops acpi_pm_dev = {
	.name = "ACPI PM", .size = sizeof(struct acpi_pm),
	.init = acpi_pm_init, .fini = acpi_pm_fini, .reset = acpi_pm_reset,
	.ranges = acpi_pm_ranges, .nranges = 2,
};
