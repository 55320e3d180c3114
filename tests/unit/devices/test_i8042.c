// SPDX-License-Identifier: GPL-2.0-only
/* test_i8042.c --- 8042 controller, PS/2 keyboard and mouse, A20, reset */
#include "devices/i8042.h"
#include "tests/unit/devices/dev_fixture.h"

struct kbc_fx {
	struct fx	fx;
	struct fx_irq	irq1, irq12;
	struct dev_host	host;		/* A20 and reset callbacks */
	struct i8042	*k;
	unsigned int	resets;		/* reset callback calls */
	unsigned int	a20_calls;
	bool		a20;		/* last A20 level reported */
};

static void a20_cb(void *opaque, bool on)
{
	struct kbc_fx *t = opaque;

	t->a20_calls++;
	t->a20 = on;
}

static void reset_cb(void *opaque, bool hard)
{
	struct kbc_fx *t = opaque;

	t->resets++;
}

static void setup(struct kbc_fx *t)
{
	fx_init(&t->fx);
	t->host = (struct dev_host){ .set_a20 = a20_cb, .reset = reset_cb,
				     .opaque = t };
	t->k = fx_dev(&t->fx, &i8042_dev, &(struct dev_cfg){
		.irq = { fx_line(&t->fx, &t->irq1),
			 fx_line(&t->fx, &t->irq12) },
		.host = &t->host });
}

static void teardown(struct kbc_fx *t)
{
	dev_destroy(t->k);
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x60));
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x64));
	fx_fini(&t->fx);
}

/* Read one byte, asserting it is there and from the expected port. */
static uint8_t rd(struct kbc_fx *t, bool aux)
{
	uint8_t st = inb(&t->fx, 0x64);

	T_ASSERT(st & 0x01);
	T_EQ(!!(st & 0x20), aux);
	return inb(&t->fx, 0x60);
}

static void assert_empty(struct kbc_fx *t)
{
	T_EQ(inb(&t->fx, 0x64) & 0x01, 0);
}

static void test_i8042_selftest_and_cmdbyte(void)
{
	struct kbc_fx t = { 0 };

	setup(&t);
	assert_empty(&t);
	outb(&t.fx, 0x64, 0xaa);
	T_EQ(inb(&t.fx, 0x64) & 0x08, 0x08);	/* A2: last write a command */
	T_EQ(t.irq1.level, 1);
	T_EQ(rd(&t, false), 0x55);
	T_EQ(t.irq1.level, 0);
	T_EQ(inb(&t.fx, 0x64) & 0x04, 0x04);	/* SYS flag */
	outb(&t.fx, 0x64, 0xab);
	T_EQ(rd(&t, false), 0x00);
	outb(&t.fx, 0x64, 0xa9);
	T_EQ(rd(&t, false), 0x00);
	outb(&t.fx, 0x64, 0x20);
	T_EQ(rd(&t, false), 0x47);		/* ints, SYS, translate */
	outb(&t.fx, 0x64, 0x60);
	outb(&t.fx, 0x60, 0x64);		/* no interrupts */
	outb(&t.fx, 0x64, 0x20);
	T_EQ(t.irq1.level, 0);
	T_EQ(rd(&t, false), 0x64);
	outb(&t.fx, 0x64, 0x65);		/* controller RAM byte 5 */
	outb(&t.fx, 0x60, 0x99);
	outb(&t.fx, 0x64, 0x25);
	T_EQ(rd(&t, false), 0x99);
	assert_empty(&t);
	teardown(&t);
}

static void test_i8042_keyboard_commands(void)
{
	struct kbc_fx t = { 0 };

	setup(&t);
	outb(&t.fx, 0x60, 0xff);		/* reset */
	T_EQ(rd(&t, false), 0xfa);
	T_EQ(rd(&t, false), 0xaa);
	T_EQ(t.irq1.rises, 2);
	outb(&t.fx, 0x60, 0xf2);		/* identify, translated */
	T_EQ(rd(&t, false), 0xfa);
	T_EQ(rd(&t, false), 0xab);
	T_EQ(rd(&t, false), 0x41);
	outb(&t.fx, 0x60, 0xed);		/* LEDs */
	T_EQ(rd(&t, false), 0xfa);
	outb(&t.fx, 0x60, 0x07);
	T_EQ(rd(&t, false), 0xfa);
	outb(&t.fx, 0x60, 0xee);
	T_EQ(rd(&t, false), 0xee);
	outb(&t.fx, 0x60, 0x12);		/* unknown: resend */
	T_EQ(rd(&t, false), 0xfe);
	outb(&t.fx, 0x60, 0xf5);		/* disable scanning */
	T_EQ(rd(&t, false), 0xfa);
	i8042_key_event(t.k, 0x1e, true);
	assert_empty(&t);
	outb(&t.fx, 0x60, 0xf4);
	T_EQ(rd(&t, false), 0xfa);
	outb(&t.fx, 0x60, 0xf0);		/* get scan code set */
	T_EQ(rd(&t, false), 0xfa);
	outb(&t.fx, 0x60, 0x00);
	T_EQ(rd(&t, false), 0xfa);
	T_EQ(rd(&t, false), 0x02);
	assert_empty(&t);
	teardown(&t);
}

static void test_i8042_scancodes(void)
{
	struct kbc_fx t = { 0 };

	setup(&t);
	i8042_key_event(t.k, 0x1e, true);	/* 'A' */
	i8042_key_event(t.k, 0x1e, false);
	i8042_key_event(t.k, I8042_KEY_EXT | 0x48, true);	/* up */
	i8042_key_event(t.k, I8042_KEY_EXT | 0x48, false);
	i8042_key_event(t.k, 0x41, true);	/* F7: set 2 code 0x83 */
	T_EQ(rd(&t, false), 0x1e);
	T_EQ(rd(&t, false), 0x9e);
	T_EQ(rd(&t, false), 0xe0);
	T_EQ(rd(&t, false), 0x48);
	T_EQ(rd(&t, false), 0xe0);
	T_EQ(rd(&t, false), 0xc8);
	T_EQ(rd(&t, false), 0x41);
	T_EQ(t.irq1.rises, 7);
	assert_empty(&t);
	/* translation off: raw set 2 */
	outb(&t.fx, 0x64, 0x60);
	outb(&t.fx, 0x60, 0x03);
	i8042_key_event(t.k, 0x1e, true);
	i8042_key_event(t.k, 0x1e, false);
	i8042_key_event(t.k, I8042_KEY_EXT | 0x5b, true);	/* left Win */
	T_EQ(rd(&t, false), 0x1c);
	T_EQ(rd(&t, false), 0xf0);
	T_EQ(rd(&t, false), 0x1c);
	T_EQ(rd(&t, false), 0xe0);
	T_EQ(rd(&t, false), 0x1f);
	/* keyboard interface disabled: data waits */
	outb(&t.fx, 0x64, 0xad);
	i8042_key_event(t.k, 0x10, true);
	assert_empty(&t);
	outb(&t.fx, 0x64, 0xae);
	T_EQ(rd(&t, false), 0x15);		/* 'Q' in set 2 */
	/* set 1 selected on the keyboard */
	outb(&t.fx, 0x60, 0xf0);
	T_EQ(rd(&t, false), 0xfa);
	outb(&t.fx, 0x60, 0x01);
	T_EQ(rd(&t, false), 0xfa);
	i8042_key_event(t.k, 0x10, false);
	T_EQ(rd(&t, false), 0x90);
	/* unmapped key codes are dropped */
	i8042_key_event(t.k, 0x7f, true);
	i8042_key_event(t.k, I8042_KEY_EXT | 0x01, true);
	assert_empty(&t);
	teardown(&t);
}

/* Keys pressed while nobody reads: at most 16 bytes of key data wait (a
 * real keyboard's buffer and the output register), the rest is dropped,
 * so Linux's 16-byte i8042 flush still finds a controller. */
static void test_i8042_key_buffer_bounded(void)
{
	struct kbc_fx t = { 0 };
	unsigned int n = 0;

	setup(&t);
	for (int i = 0; i < 40; i++) {
		i8042_key_event(t.k, 0x1d, true);		/* Ctrl */
		i8042_key_event(t.k, 0x38, true);		/* Alt */
		i8042_key_event(t.k, I8042_KEY_EXT | 0x53, true);	/* Del */
		i8042_key_event(t.k, I8042_KEY_EXT | 0x53, false);
		i8042_key_event(t.k, 0x38, false);
		i8042_key_event(t.k, 0x1d, false);
	}
	while (inb(&t.fx, 0x64) & 0x01) {
		(void)inb(&t.fx, 0x60);
		T_ASSERT(++n <= 16);
	}
	T_ASSERT(n >= 12);
	/* drained: keys are reported again */
	i8042_key_event(t.k, 0x1e, true);
	T_EQ(rd(&t, false), 0x1e);
	assert_empty(&t);
	teardown(&t);
}

static void test_i8042_a20_and_reset(void)
{
	struct kbc_fx t = { 0 };

	setup(&t);
	T_ASSERT(i8042_a20(t.k));
	outb(&t.fx, 0x64, 0xd1);
	outb(&t.fx, 0x60, 0xdd);		/* A20 off */
	T_EQ(t.a20_calls, 1);
	T_ASSERT(!t.a20);
	T_ASSERT(!i8042_a20(t.k));
	outb(&t.fx, 0x64, 0xd0);
	T_EQ(rd(&t, false) & 0x03, 0x01);
	outb(&t.fx, 0x64, 0xd1);
	outb(&t.fx, 0x60, 0xdf);		/* A20 on */
	T_ASSERT(t.a20 && t.a20_calls == 2);
	outb(&t.fx, 0x64, 0xdd);
	T_ASSERT(!t.a20);
	outb(&t.fx, 0x64, 0xdf);
	T_ASSERT(t.a20);
	T_EQ(t.resets, 0);
	outb(&t.fx, 0x64, 0xff);		/* pulse nothing */
	T_EQ(t.resets, 0);
	outb(&t.fx, 0x64, 0xfe);		/* pulse reset */
	T_EQ(t.resets, 1);
	outb(&t.fx, 0x64, 0xd1);
	outb(&t.fx, 0x60, 0x02);		/* bit 0 low: reset */
	T_EQ(t.resets, 2);
	T_ASSERT(t.a20);
	teardown(&t);
}

static void test_i8042_mouse(void)
{
	struct kbc_fx t = { 0 };
	static const uint8_t unlock[] = { 200, 100, 80 };

	setup(&t);
	outb(&t.fx, 0x64, 0xa8);
	outb(&t.fx, 0x64, 0xd4);
	outb(&t.fx, 0x60, 0xff);
	T_EQ(t.irq12.level, 1);
	T_EQ(rd(&t, true), 0xfa);
	T_EQ(rd(&t, true), 0xaa);
	T_EQ(rd(&t, true), 0x00);
	T_EQ(t.irq12.rises, 3);
	T_EQ(t.irq1.rises, 0);
	i8042_mouse_event(t.k, 5, 5, 0, 0);	/* not reporting yet */
	assert_empty(&t);
	outb(&t.fx, 0x64, 0xd4);
	outb(&t.fx, 0x60, 0xf4);
	T_EQ(rd(&t, true), 0xfa);
	i8042_mouse_event(t.k, 5, -3, 0, I8042_BTN_LEFT);
	T_EQ(rd(&t, true), 0x29);
	T_EQ(rd(&t, true), 0x05);
	T_EQ(rd(&t, true), 0xfd);
	for (unsigned int i = 0; i < 3; i++) {
		outb(&t.fx, 0x64, 0xd4);
		outb(&t.fx, 0x60, 0xf3);
		T_EQ(rd(&t, true), 0xfa);
		outb(&t.fx, 0x64, 0xd4);
		outb(&t.fx, 0x60, unlock[i]);
		T_EQ(rd(&t, true), 0xfa);
	}
	outb(&t.fx, 0x64, 0xd4);
	outb(&t.fx, 0x60, 0xf2);
	T_EQ(rd(&t, true), 0xfa);
	T_EQ(rd(&t, true), 0x03);		/* wheel mouse */
	i8042_mouse_event(t.k, 0, 0, -1, 0);
	T_EQ(rd(&t, true), 0x08);
	T_EQ(rd(&t, true), 0x00);
	T_EQ(rd(&t, true), 0x00);
	T_EQ(rd(&t, true), 0xff);
	outb(&t.fx, 0x64, 0xd4);
	outb(&t.fx, 0x60, 0xe9);		/* status */
	T_EQ(rd(&t, true), 0xfa);
	T_EQ(rd(&t, true), 0x20);
	T_EQ(rd(&t, true), 0x02);
	T_EQ(rd(&t, true), 80);
	/* D3 writes the aux output buffer (Linux's aux loop test) */
	outb(&t.fx, 0x64, 0xd3);
	outb(&t.fx, 0x60, 0x5a);
	T_EQ(rd(&t, true), 0x5a);
	/* aux port disabled: packets wait */
	outb(&t.fx, 0x64, 0xa7);
	i8042_mouse_event(t.k, 1, 1, 0, 0);
	assert_empty(&t);
	outb(&t.fx, 0x64, 0xa8);
	T_EQ(rd(&t, true), 0x08);
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_i8042_selftest_and_cmdbyte),
	T_CASE(test_i8042_keyboard_commands),
	T_CASE(test_i8042_scancodes),
	T_CASE(test_i8042_key_buffer_bounded),
	T_CASE(test_i8042_a20_and_reset),
	T_CASE(test_i8042_mouse),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
