// SPDX-License-Identifier: GPL-2.0-only
/* test_rtc.c --- MC146818 RTC: time, formats, UIP, interrupts, CMOS RAM */
#include "devices/rtc.h"
#include "tests/unit/devices/dev_fixture.h"

#define EPOCH	1700000000	/* Tue 2023-11-14 22:13:20 UTC */
#define MS	1000000ULL

struct rtc_fx {
	struct fx	fx;
	struct fx_irq	irq8;
	struct rtc	*rtc;
};

static void setup(struct rtc_fx *t)
{
	fx_init(&t->fx);
	t->rtc = fx_dev(&t->fx, &rtc_dev, &(struct dev_cfg){
		.irq = { fx_line(&t->fx, &t->irq8) },
		.priv = &(struct rtc_cfg){ .epoch = EPOCH } });
}

static void teardown(struct rtc_fx *t)
{
	dev_destroy(t->rtc);
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x70));
	T_EQ(vclock_next_deadline(t->fx.clock), VCLOCK_NEVER);
	fx_fini(&t->fx);
}

static uint8_t cmos_read(struct rtc_fx *t, uint8_t idx)
{
	outb(&t->fx, 0x70, idx);
	return inb(&t->fx, 0x71);
}

static void cmos_write(struct rtc_fx *t, uint8_t idx, uint8_t v)
{
	outb(&t->fx, 0x70, idx);
	outb(&t->fx, 0x71, v);
}

static void test_rtc_read_time_bcd(void)
{
	struct rtc_fx t = { 0 };

	setup(&t);
	T_EQ(cmos_read(&t, 0x00), 0x20);
	T_EQ(cmos_read(&t, 0x02), 0x13);
	T_EQ(cmos_read(&t, 0x04), 0x22);
	T_EQ(cmos_read(&t, 0x06), 0x03);	/* Tuesday */
	T_EQ(cmos_read(&t, 0x07), 0x14);
	T_EQ(cmos_read(&t, 0x08), 0x11);
	T_EQ(cmos_read(&t, 0x09), 0x23);
	T_EQ(cmos_read(&t, 0x32), 0x20);
	T_EQ(cmos_read(&t, 0x0a), 0x26);
	T_EQ(cmos_read(&t, 0x0b), 0x02);
	T_EQ(cmos_read(&t, 0x0d), 0x80);	/* VRT */
	vclock_advance(t.fx.clock, 61500 * MS);
	T_EQ(cmos_read(&t, 0x00), 0x21);
	T_EQ(cmos_read(&t, 0x02), 0x14);
	/* crossing midnight and the month */
	vclock_advance(t.fx.clock, 17 * 86400 * NSEC_PER_SEC);
	T_EQ(cmos_read(&t, 0x07), 0x01);
	T_EQ(cmos_read(&t, 0x08), 0x12);
	teardown(&t);
}

static void test_rtc_binary_and_12h(void)
{
	struct rtc_fx t = { 0 };

	setup(&t);
	cmos_write(&t, 0x0b, 0x06);		/* binary, 24h */
	T_EQ(cmos_read(&t, 0x00), 20);
	T_EQ(cmos_read(&t, 0x04), 22);
	T_EQ(cmos_read(&t, 0x09), 23);
	cmos_write(&t, 0x0b, 0x00);		/* BCD, 12h */
	T_EQ(cmos_read(&t, 0x04), 0x80 | 0x10);	/* 10 PM */
	cmos_write(&t, 0x0b, 0x04);		/* binary, 12h */
	T_EQ(cmos_read(&t, 0x04), 0x80 | 10);
	teardown(&t);
}

static void test_rtc_set_time(void)
{
	struct rtc_fx t = { 0 };

	setup(&t);
	vclock_advance(t.fx.clock, 300 * MS);
	cmos_write(&t, 0x0b, 0x82);		/* SET */
	cmos_write(&t, 0x00, 0x59);
	cmos_write(&t, 0x02, 0x59);
	cmos_write(&t, 0x04, 0x23);
	cmos_write(&t, 0x07, 0x31);
	cmos_write(&t, 0x08, 0x12);
	cmos_write(&t, 0x09, 0x99);
	cmos_write(&t, 0x32, 0x19);
	vclock_advance(t.fx.clock, 5000 * MS);	/* frozen while SET */
	T_EQ(cmos_read(&t, 0x00), 0x59);
	T_EQ(cmos_read(&t, 0x0a) & 0x80, 0);	/* no UIP while SET */
	cmos_write(&t, 0x0b, 0x02);
	T_EQ(cmos_read(&t, 0x00), 0x59);
	vclock_advance(t.fx.clock, 1000 * MS);
	T_EQ(cmos_read(&t, 0x00), 0x00);
	T_EQ(cmos_read(&t, 0x04), 0x00);
	T_EQ(cmos_read(&t, 0x07), 0x01);
	T_EQ(cmos_read(&t, 0x08), 0x01);
	T_EQ(cmos_read(&t, 0x09), 0x00);
	T_EQ(cmos_read(&t, 0x32), 0x20);
	T_EQ(cmos_read(&t, 0x06), 0x07);	/* 2000-01-01 was a Saturday */
	teardown(&t);
}

static void test_rtc_uip_window(void)
{
	struct rtc_fx t = { 0 };

	setup(&t);
	vclock_advance(t.fx.clock, 500 * MS);
	T_EQ(cmos_read(&t, 0x0a) & 0x80, 0);
	vclock_advance(t.fx.clock, 499 * MS);	/* 1 ms before the update */
	T_EQ(cmos_read(&t, 0x0a) & 0x80, 0);
	vclock_advance(t.fx.clock, 800000);	/* 200 us before */
	T_EQ(cmos_read(&t, 0x0a) & 0x80, 0x80);
	T_EQ(cmos_read(&t, 0x00), 0x20);	/* still the old second */
	vclock_advance(t.fx.clock, 200000);
	T_EQ(cmos_read(&t, 0x0a) & 0x80, 0);
	T_EQ(cmos_read(&t, 0x00), 0x21);
	/* divider reset stops the clock; release: first update 500 ms on */
	cmos_write(&t, 0x0a, 0x76);
	vclock_advance(t.fx.clock, 10000 * MS);
	T_EQ(cmos_read(&t, 0x00), 0x21);
	cmos_write(&t, 0x0a, 0x26);
	vclock_advance(t.fx.clock, 499 * MS);
	T_EQ(cmos_read(&t, 0x00), 0x21);
	vclock_advance(t.fx.clock, 2 * MS);
	T_EQ(cmos_read(&t, 0x00), 0x22);
	teardown(&t);
}

static void test_rtc_update_ended_irq(void)
{
	struct rtc_fx t = { 0 };

	setup(&t);
	cmos_write(&t, 0x0a, 0x20);		/* no periodic rate: no PF */
	vclock_advance(t.fx.clock, 200 * MS);
	T_EQ(cmos_read(&t, 0x0c), 0x00);
	cmos_write(&t, 0x0b, 0x12);		/* UIE */
	for (unsigned int s = 0; s < 5; s++) {
		vclock_advance(t.fx.clock, 1000 * MS);
		T_EQ(t.irq8.level, 1);
		T_EQ(cmos_read(&t, 0x0c), 0x90);	/* IRQF | UF */
		T_EQ(t.irq8.level, 0);
		T_EQ(cmos_read(&t, 0x0c), 0x00);
	}
	T_EQ(t.irq8.rises, 5);
	for (unsigned int s = 0; s < 5; s++)
		T_EQ(t.irq8.at[s], (s + 1) * NSEC_PER_SEC);
	/* UF is flagged without UIE, but no interrupt */
	cmos_write(&t, 0x0b, 0x02);
	vclock_advance(t.fx.clock, 1000 * MS);
	T_EQ(t.irq8.level, 0);
	T_EQ(cmos_read(&t, 0x0c), 0x10);
	teardown(&t);
}

static unsigned int count_periodic(struct rtc_fx *t, uint64_t ns)
{
	unsigned int n = 0;

	for (uint64_t d = 0; d < ns; d += 50000) {
		vclock_advance(t->fx.clock, 50000);
		if (t->irq8.level) {
			T_EQ(cmos_read(t, 0x0c) & 0xc0, 0xc0);
			n++;
		}
	}
	return n;
}

static void test_rtc_periodic_rate(void)
{
	struct rtc_fx t = { 0 };
	unsigned int n;

	setup(&t);
	cmos_write(&t, 0x0b, 0x42);		/* PIE, rate 6 = 1024 Hz */
	n = count_periodic(&t, NSEC_PER_SEC);
	T_ASSERT(n >= 1023 && n <= 1025);
	cmos_write(&t, 0x0a, 0x2f);		/* 2 Hz */
	n = count_periodic(&t, 2 * NSEC_PER_SEC);
	T_EQ(n, 4);
	cmos_write(&t, 0x0a, 0x23);		/* 8192 Hz: every 122 us */
	vclock_advance(t.fx.clock, 1 * MS);
	T_EQ(t.irq8.level, 1);
	cmos_write(&t, 0x0a, 0x20);		/* rate 0: off */
	cmos_read(&t, 0x0c);
	vclock_advance(t.fx.clock, 100 * MS);
	T_EQ(t.irq8.level, 0);
	/* PF without PIE is still reported in C */
	cmos_write(&t, 0x0b, 0x02);
	cmos_write(&t, 0x0a, 0x26);
	cmos_read(&t, 0x0c);
	vclock_advance(t.fx.clock, 2 * MS);
	T_EQ(cmos_read(&t, 0x0c) & 0x40, 0x40);
	T_EQ(t.irq8.level, 0);
	teardown(&t);
}

static void test_rtc_alarm(void)
{
	struct rtc_fx t = { 0 };

	setup(&t);
	cmos_write(&t, 0x0a, 0x20);		/* no periodic rate: no PF */
	cmos_write(&t, 0x01, 0x23);		/* 22:13:23 */
	cmos_write(&t, 0x03, 0x13);
	cmos_write(&t, 0x05, 0x22);
	cmos_write(&t, 0x0b, 0x22);		/* AIE */
	vclock_advance(t.fx.clock, 2500 * MS);
	T_EQ(t.irq8.level, 0);
	vclock_advance(t.fx.clock, 1000 * MS);
	T_EQ(t.irq8.level, 1);
	T_EQ(cmos_read(&t, 0x0c), 0xb0);	/* IRQF | AF | UF */
	vclock_advance(t.fx.clock, 5000 * MS);
	T_EQ(t.irq8.level, 0);
	/* don't-care hour and minute: once a minute at :30 */
	cmos_write(&t, 0x01, 0x30);
	cmos_write(&t, 0x03, 0xc0);
	cmos_write(&t, 0x05, 0xff);
	cmos_read(&t, 0x0c);
	vclock_advance(t.fx.clock, 120 * NSEC_PER_SEC);
	T_EQ(t.irq8.rises, 2);
	teardown(&t);
}

static void test_rtc_cmos_ram_and_nmi(void)
{
	struct rtc_fx t = { 0 };

	setup(&t);
	cmos_write(&t, 0x40, 0x5a);
	T_EQ(cmos_read(&t, 0x40), 0x5a);
	iospace_write(t.fx.pio, 0x70, 0x6641, 2);	/* outw: index, data */
	T_EQ(rtc_cmos_get(t.rtc, 0x41), 0x66);
	T_EQ(rtc_cmos_get(t.rtc, 0x40), 0x5a);
	rtc_cmos_set(t.rtc, 0x34, 0x12);
	T_EQ(cmos_read(&t, 0x34), 0x12);
	rtc_cmos_set(t.rtc, 0x00, 0x99);	/* clock register: ignored */
	T_EQ(cmos_read(&t, 0x00), 0x20);
	rtc_cmos_set(t.rtc, 200, 1);
	T_EQ(rtc_cmos_get(t.rtc, 200), 0xff);
	T_ASSERT(!rtc_nmi_masked(t.rtc));
	outb(&t.fx, 0x70, 0x8f);		/* NMI off, index 0x0f */
	T_ASSERT(rtc_nmi_masked(t.rtc));
	outb(&t.fx, 0x71, 0x0a);
	T_EQ(rtc_cmos_get(t.rtc, 0x0f), 0x0a);
	T_EQ(inb(&t.fx, 0x70), 0xff);
	cmos_write(&t, 0x0c, 0xff);		/* C and D are read-only */
	cmos_write(&t, 0x0d, 0x00);
	T_EQ(cmos_read(&t, 0x0c), 0x00);
	T_EQ(cmos_read(&t, 0x0d), 0x80);
	dev_reset(t.rtc);
	T_EQ(cmos_read(&t, 0x40), 0x5a);	/* RAM survives reset */
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_rtc_read_time_bcd),
	T_CASE(test_rtc_binary_and_12h),
	T_CASE(test_rtc_set_time),
	T_CASE(test_rtc_uip_window),
	T_CASE(test_rtc_update_ended_irq),
	T_CASE(test_rtc_periodic_rate),
	T_CASE(test_rtc_alarm),
	T_CASE(test_rtc_cmos_ram_and_nmi),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
