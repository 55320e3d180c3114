// SPDX-License-Identifier: GPL-2.0-only
/* test_pit.c --- 8254 PIT: mode timing, IRQ0 edges, latch, read-back, 0x61 */
#include "devices/pit.h"
#include "tests/unit/devices/dev_fixture.h"

#define TICK_NS	(NSEC_PER_SEC / PIT_FREQ_HZ + 1)	/* 839: one tick, rounded up */

struct pit_fx {
	struct fx	fx;
	struct fx_irq	irq0;
	struct pit	*pit;
};

static void setup(struct pit_fx *t)
{
	fx_init(&t->fx);
	t->pit = fx_dev(&t->fx, &pit_dev,
			&(struct dev_cfg){ .irq = { fx_line(&t->fx, &t->irq0) } });
}

static void teardown(struct pit_fx *t)
{
	dev_destroy(t->pit);
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x40));
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x61));
	T_EQ(vclock_next_deadline(t->fx.clock), VCLOCK_NEVER);
	fx_fini(&t->fx);
}

/* Expected virtual ns of @ticks input clocks after @t0. */
static uint64_t ticks_ns(uint64_t t0, uint64_t ticks)
{
	return t0 + ticks * NSEC_PER_SEC / PIT_FREQ_HZ;
}

static void assert_near(uint64_t got, uint64_t want)
{
	uint64_t d = got > want ? got - want : want - got;

	if (d > TICK_NS)
		t_fail(__FILE__, __LINE__, "edge at %llu ns, expected %llu +- %llu",
		       (unsigned long long)got, (unsigned long long)want,
		       (unsigned long long)TICK_NS);
}

static void load(struct fx *f, unsigned int ch, uint8_t cw, uint16_t count)
{
	outb(f, 0x43, cw);
	outb(f, (uint16_t)(0x40 + ch), count & 0xff);
	outb(f, (uint16_t)(0x40 + ch), count >> 8);
}

static uint16_t read_word(struct fx *f, unsigned int ch)
{
	uint8_t lo = inb(f, (uint16_t)(0x40 + ch));

	return (uint16_t)(lo | inb(f, (uint16_t)(0x40 + ch)) << 8);
}

static uint64_t late_ns;
static uint64_t late_source(void *opaque)
{
	return late_ns;
}

/*
 * A mode 4 one-shot whose timer runs late (the host clock, or a guest
 * access, already saw a time past the one-clock strobe) must still raise
 * IRQ0 once; a lost strobe left Linux waiting forever for its clockevent.
 */
static void test_pit_mode4_late_timer_still_interrupts(void)
{
	struct pit_fx t = { 0 };

	fx_init(&t.fx);
	vclock_destroy(t.fx.clock);
	late_ns = 1000;
	T_ASSERT(vclock_create(late_source, NULL, &t.fx.clock) == 0);
	t.fx.env.clock = t.fx.clock;
	t.pit = fx_dev(&t.fx, &pit_dev,
		       &(struct dev_cfg){ .irq = { fx_line(&t.fx, &t.irq0) } });
	load(&t.fx, 0, 0x38, 100);		/* mode 4, count 100 */
	unsigned int before = t.irq0.rises;
	late_ns += 200ULL * TICK_NS;		/* well past count 100 + 1 */
	(void)inb(&t.fx, 0x61);			/* a guest read sees that time */
	vclock_run_timers(t.fx.clock);
	T_EQ(t.irq0.rises, before + 1);
	T_ASSERT(t.irq0.level == 1);
	T_EQ(vclock_next_deadline(t.fx.clock), VCLOCK_NEVER);

	/* the same when the guest reprograms counter 0 before timers run */
	load(&t.fx, 0, 0x38, 50);
	before = t.irq0.rises;
	late_ns += 100ULL * TICK_NS;
	outb(&t.fx, 0x43, 0x00);		/* latch counter 0 */
	T_EQ(t.irq0.rises, before + 1);
	(void)inb(&t.fx, 0x40);
	(void)inb(&t.fx, 0x40);
	vclock_run_timers(t.fx.clock);
	T_EQ(t.irq0.rises, before + 1);		/* delivered once, not twice */
	dev_destroy(t.pit);
	fx_fini(&t.fx);
}

static void test_pit_mode2_irq0_rate(void)
{
	struct pit_fx t = { 0 };

	setup(&t);
	vclock_advance(t.fx.clock, 12345);
	load(&t.fx, 0, 0x34, 1193);		/* ~1 kHz rate generator */
	T_EQ(t.irq0.rises, 1);			/* OUT goes high on the CW */
	vclock_advance(t.fx.clock, 10 * 1000 * 1000);
	T_EQ(t.irq0.rises, 11);
	for (unsigned int k = 1; k <= 10; k++)
		assert_near(t.irq0.at[k], ticks_ns(12345, 1193ULL * k));
	/* OUT low for exactly one tick before each reload */
	T_ASSERT(t.irq0.level == 1);
	teardown(&t);
}

static void test_pit_mode0_one_shot(void)
{
	struct pit_fx t = { 0 };

	setup(&t);
	vclock_advance(t.fx.clock, 5000);
	load(&t.fx, 0, 0x30, 100);
	T_EQ(t.irq0.level, 0);
	T_ASSERT(!pit_out(t.pit, 0));
	vclock_advance(t.fx.clock, ticks_ns(0, 98));
	T_EQ(t.irq0.level, 0);
	vclock_advance(t.fx.clock, 1000 * 1000);
	T_EQ(t.irq0.level, 1);
	T_EQ(t.irq0.rises, 1);
	assert_near(t.irq0.at[0], ticks_ns(5000, 100));
	/* counter wraps and keeps counting; OUT stays high */
	vclock_advance(t.fx.clock, 100 * 1000 * 1000);
	T_EQ(t.irq0.rises, 1);
	/* reprogramming drops OUT */
	load(&t.fx, 0, 0x30, 10);
	T_EQ(t.irq0.level, 0);
	vclock_advance(t.fx.clock, ticks_ns(0, 12));
	T_EQ(t.irq0.level, 1);
	teardown(&t);
}

static void test_pit_mode3_square_wave_ch2(void)
{
	struct pit_fx t = { 0 };
	uint64_t t0;

	setup(&t);
	outb(&t.fx, 0x61, 0x03);		/* gate 2 + speaker */
	T_ASSERT(pit_speaker_on(t.pit));
	vclock_advance(t.fx.clock, 1000);
	t0 = vclock_now(t.fx.clock);
	load(&t.fx, 2, 0xb6, 1000);
	T_ASSERT(inb(&t.fx, 0x61) & 0x20);	/* high first half */
	vclock_advance(t.fx.clock, ticks_ns(0, 490));
	T_ASSERT(inb(&t.fx, 0x61) & 0x20);
	vclock_advance(t.fx.clock, ticks_ns(0, 20));
	T_ASSERT(!(inb(&t.fx, 0x61) & 0x20));	/* low second half */
	vclock_advance(t.fx.clock, ticks_ns(0, 480));
	T_ASSERT(!(inb(&t.fx, 0x61) & 0x20));
	vclock_advance(t.fx.clock, ticks_ns(0, 20));
	T_ASSERT(inb(&t.fx, 0x61) & 0x20);	/* next period */
	/* counts down by two */
	T_ASSERT((read_word(&t.fx, 2) & 1) == 0);
	/* gate low forces OUT high and stops; no IRQ0 activity ever */
	vclock_advance(t.fx.clock, ticks_ns(0, 600) - (vclock_now(t.fx.clock) - t0) % 1000);
	outb(&t.fx, 0x61, 0x00);
	T_ASSERT(inb(&t.fx, 0x61) & 0x20);
	T_EQ(t.irq0.rises, 0);
	teardown(&t);
}

static void test_pit_mode0_gate_calibration(void)
{
	struct pit_fx t = { 0 };
	uint64_t t0;

	/* SeaBIOS/Linux TSC calibration: ch2 mode 0, poll 0x61 bit 5 */
	setup(&t);
	outb(&t.fx, 0x61, (inb(&t.fx, 0x61) & ~0x02) | 0x01);
	t0 = vclock_now(t.fx.clock);
	load(&t.fx, 2, 0xb0, 11932);		/* 10 ms */
	while (!(inb(&t.fx, 0x61) & 0x20))
		vclock_advance(t.fx.clock, 1000);
	assert_near(vclock_now(t.fx.clock) - 1000 / 2, ticks_ns(t0, 11932));
	/* gate low pauses mode 0 */
	load(&t.fx, 2, 0xb0, 1000);
	vclock_advance(t.fx.clock, ticks_ns(0, 400));
	outb(&t.fx, 0x61, 0x00);
	vclock_advance(t.fx.clock, 10 * 1000 * 1000);
	T_ASSERT(!(inb(&t.fx, 0x61) & 0x20));
	outb(&t.fx, 0x61, 0x01);
	vclock_advance(t.fx.clock, ticks_ns(0, 590));
	T_ASSERT(!(inb(&t.fx, 0x61) & 0x20));
	vclock_advance(t.fx.clock, ticks_ns(0, 20));
	T_ASSERT(inb(&t.fx, 0x61) & 0x20);
	teardown(&t);
}

static void test_pit_latch_and_readback(void)
{
	struct pit_fx t = { 0 };
	uint16_t v;

	setup(&t);
	outb(&t.fx, 0x43, 0x34);
	outb(&t.fx, 0x43, 0xe2);		/* read-back status only, ch0 */
	T_EQ(inb(&t.fx, 0x40), 0x80 | 0x40 | 0x34);	/* OUT, null count */
	outb(&t.fx, 0x40, 1000 & 0xff);
	outb(&t.fx, 0x40, 1000 >> 8);
	vclock_advance(t.fx.clock, ticks_ns(0, 100) + 1);
	outb(&t.fx, 0x43, 0x00);		/* latch ch0 */
	vclock_advance(t.fx.clock, ticks_ns(0, 300));
	v = read_word(&t.fx, 0);
	T_ASSERT(v >= 899 && v <= 901);
	/* unlatched reads follow the live count */
	v = read_word(&t.fx, 0);
	T_ASSERT(v >= 599 && v <= 601);
	/* read-back count + status: status first, then the latched count */
	outb(&t.fx, 0x43, 0xc2);
	vclock_advance(t.fx.clock, ticks_ns(0, 50));
	T_EQ(inb(&t.fx, 0x40), 0x80 | 0x34);
	v = read_word(&t.fx, 0);
	T_ASSERT(v >= 599 && v <= 601);
	/* latching twice keeps the first value */
	outb(&t.fx, 0x43, 0x00);
	vclock_advance(t.fx.clock, ticks_ns(0, 50));
	outb(&t.fx, 0x43, 0x00);
	v = read_word(&t.fx, 0);
	T_ASSERT(v >= 549 && v <= 551);
	teardown(&t);
}

static void test_pit_access_modes_bcd(void)
{
	struct pit_fx t = { 0 };

	setup(&t);
	outb(&t.fx, 0x43, 0x50);		/* ch1 LSB only, mode 0 */
	outb(&t.fx, 0x41, 200);
	vclock_advance(t.fx.clock, ticks_ns(0, 10) + 1);
	T_EQ(inb(&t.fx, 0x41), 190);
	outb(&t.fx, 0x43, 0x60);		/* ch1 MSB only */
	outb(&t.fx, 0x41, 0x02);		/* count 0x200 */
	vclock_advance(t.fx.clock, ticks_ns(0, 256) + 1);
	T_EQ(inb(&t.fx, 0x41), 0x01);
	outb(&t.fx, 0x43, 0x71);		/* ch1 word, mode 0, BCD */
	outb(&t.fx, 0x41, 0x00);
	outb(&t.fx, 0x41, 0x10);		/* 1000 decimal */
	vclock_advance(t.fx.clock, ticks_ns(0, 10) + 1);
	T_EQ(read_word(&t.fx, 1), 0x0990);
	outb(&t.fx, 0x43, 0xe4);		/* read-back status ch1 */
	T_EQ(inb(&t.fx, 0x41), 0x31);		/* OUT low, word, mode 0, BCD */
	T_EQ(inb(&t.fx, 0x43), 0xff);		/* control word write-only */
	teardown(&t);
}

static void test_pit_portb_refresh(void)
{
	struct pit_fx t = { 0 };
	uint8_t a, b;
	unsigned int flips = 0;

	setup(&t);
	outb(&t.fx, 0x61, 0xff);
	T_EQ(inb(&t.fx, 0x61) & 0x0f, 0x0f);
	outb(&t.fx, 0x61, 0x00);
	a = inb(&t.fx, 0x61) & 0x10;
	for (unsigned int i = 0; i < 100; i++) {
		vclock_advance(t.fx.clock, 15085);
		b = inb(&t.fx, 0x61) & 0x10;
		flips += a != b;
		a = b;
	}
	T_EQ(flips, 100);
	T_ASSERT(!pit_speaker_on(t.pit));
	dev_reset(t.pit);
	T_EQ(inb(&t.fx, 0x61) & 0x0f, 0);
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_pit_mode2_irq0_rate),
	T_CASE(test_pit_mode0_one_shot),
	T_CASE(test_pit_mode4_late_timer_still_interrupts),
	T_CASE(test_pit_mode3_square_wave_ch2),
	T_CASE(test_pit_mode0_gate_calibration),
	T_CASE(test_pit_latch_and_readback),
	T_CASE(test_pit_access_modes_bcd),
	T_CASE(test_pit_portb_refresh),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
