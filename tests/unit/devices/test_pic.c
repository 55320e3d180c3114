// SPDX-License-Identifier: GPL-2.0-only
/* test_pic.c --- dual 8259A: init, priority, EOI, cascade, masks, ELCR */
#include "devices/pic.h"
#include "tests/unit/devices/dev_fixture.h"

struct pic_fx {
	struct fx	fx;
	struct dev_host	host;		/* intr -> intr_cb */
	struct pic	*pic;
	unsigned int	intr_changes;	/* callback invocations */
	bool		intr;		/* last level reported */
};

static void intr_cb(void *opaque, bool level)
{
	struct pic_fx *t = opaque;

	t->intr_changes++;
	t->intr = level;
}

/* The usual PC init: master vectors 0x08, slave 0x70, cascade on IR2. */
static void pic_init_pc(struct fx *f, uint8_t icw4)
{
	outb(f, 0x20, 0x11);
	outb(f, 0x21, 0x08);
	outb(f, 0x21, 0x04);
	outb(f, 0x21, icw4);
	outb(f, 0xa0, 0x11);
	outb(f, 0xa1, 0x70);
	outb(f, 0xa1, 0x02);
	outb(f, 0xa1, icw4);
	outb(f, 0x21, 0x00);
	outb(f, 0xa1, 0x00);
}

static void setup(struct pic_fx *t, uint8_t icw4)
{
	fx_init(&t->fx);
	t->host = (struct dev_host){ .intr = intr_cb, .opaque = t };
	t->pic = fx_dev(&t->fx, &pic_dev, &(struct dev_cfg){ .host = &t->host });
	pic_init_pc(&t->fx, icw4);
}

static void teardown(struct pic_fx *t)
{
	dev_destroy(t->pic);
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x20));
	T_ASSERT(!iospace_claimed(t->fx.pio, 0x4d0));
	fx_fini(&t->fx);
}

static void test_pic_priority_and_eoi(void)
{
	struct pic_fx t = { 0 };

	setup(&t, 0x01);
	T_ASSERT(!pic_intr_pending(t.pic));
	pic_set_irq(t.pic, 3, 1);
	pic_set_irq(t.pic, 1, 1);
	T_ASSERT(pic_intr_pending(t.pic));
	T_ASSERT(t.intr && t.intr_changes == 1);
	/* IRR readable via OCW3 (default after init) */
	T_EQ(inb(&t.fx, 0x20), 0x0a);
	T_EQ(pic_intr_ack(t.pic), 0x09);	/* IRQ1 wins */
	outb(&t.fx, 0x20, 0x0b);		/* OCW3: read ISR */
	T_EQ(inb(&t.fx, 0x20), 0x02);
	/* IRQ3 is lower priority than in-service IRQ1: no INTR */
	T_ASSERT(!pic_intr_pending(t.pic));
	/* IRQ0 is higher: nests */
	pic_set_irq(t.pic, 0, 1);
	T_ASSERT(pic_intr_pending(t.pic));
	T_EQ(pic_intr_ack(t.pic), 0x08);
	T_EQ(inb(&t.fx, 0x20), 0x03);
	outb(&t.fx, 0x20, 0x20);		/* non-specific EOI: IRQ0 */
	T_EQ(inb(&t.fx, 0x20), 0x02);
	T_ASSERT(!pic_intr_pending(t.pic));
	outb(&t.fx, 0x20, 0x61);		/* specific EOI IRQ1 */
	T_EQ(inb(&t.fx, 0x20), 0x00);
	T_ASSERT(pic_intr_pending(t.pic));
	T_EQ(pic_intr_ack(t.pic), 0x0b);
	outb(&t.fx, 0x20, 0x20);
	T_ASSERT(!pic_intr_pending(t.pic));
	T_ASSERT(!t.intr);
	teardown(&t);
}

static void test_pic_mask_and_edge(void)
{
	struct pic_fx t = { 0 };

	setup(&t, 0x01);
	outb(&t.fx, 0x21, 0x10);		/* mask IRQ4 */
	T_EQ(inb(&t.fx, 0x21), 0x10);
	pic_set_irq(t.pic, 4, 1);
	pic_set_irq(t.pic, 4, 0);		/* a pulse is latched in IRR */
	T_ASSERT(!pic_intr_pending(t.pic));
	T_EQ(inb(&t.fx, 0x20), 0x10);
	outb(&t.fx, 0x21, 0x00);
	T_ASSERT(pic_intr_pending(t.pic));
	T_EQ(pic_intr_ack(t.pic), 0x0c);
	outb(&t.fx, 0x20, 0x20);
	/* held-high edge line does not re-request after EOI */
	pic_set_irq(t.pic, 5, 1);
	T_EQ(pic_intr_ack(t.pic), 0x0d);
	outb(&t.fx, 0x20, 0x20);
	T_ASSERT(!pic_intr_pending(t.pic));
	teardown(&t);
}

static void test_pic_cascade_and_spurious(void)
{
	struct pic_fx t = { 0 };

	setup(&t, 0x01);
	pic_set_irq(t.pic, 8, 1);		/* RTC */
	T_ASSERT(pic_intr_pending(t.pic));
	T_EQ(pic_intr_ack(t.pic), 0x70);
	outb(&t.fx, 0x0b, 0);			/* unclaimed: harmless */
	outb(&t.fx, 0x20, 0x0b);
	outb(&t.fx, 0xa0, 0x0b);
	T_EQ(inb(&t.fx, 0x20), 0x04);		/* master ISR: IR2 */
	T_EQ(inb(&t.fx, 0xa0), 0x01);		/* slave ISR: IR0 */
	outb(&t.fx, 0xa0, 0x20);
	outb(&t.fx, 0x20, 0x20);
	pic_set_irq(t.pic, 8, 0);
	/* IRQ2 from the ISA bus is IRQ9 */
	pic_set_irq(t.pic, 2, 1);
	T_EQ(pic_intr_ack(t.pic), 0x71);
	outb(&t.fx, 0xa0, 0x20);
	outb(&t.fx, 0x20, 0x20);
	/* nothing pending: spurious IRQ7 vector, ISR untouched */
	T_EQ(pic_intr_ack(t.pic), 0x0f);
	T_EQ(inb(&t.fx, 0x20), 0x00);
	/* slave level line dropped between INTR and INTA: the master has
	 * latched IR2, the slave answers with its spurious IRQ15 vector */
	pic_elcr_set(t.pic, 1u << 10);
	pic_set_irq(t.pic, 10, 1);
	T_ASSERT(pic_intr_pending(t.pic));
	pic_set_irq(t.pic, 10, 0);
	T_EQ(pic_intr_ack(t.pic), 0x77);
	T_EQ(inb(&t.fx, 0x20), 0x04);		/* master IR2 in service */
	T_EQ(inb(&t.fx, 0xa0), 0x00);		/* slave ISR untouched */
	outb(&t.fx, 0x20, 0x20);
	T_ASSERT(!pic_intr_pending(t.pic));
	teardown(&t);
}

static void test_pic_elcr_level(void)
{
	struct pic_fx t = { 0 };

	setup(&t, 0x01);
	outb(&t.fx, 0x4d0, 0xff);
	outb(&t.fx, 0x4d1, 0xff);
	T_EQ(inb(&t.fx, 0x4d0), 0xf8);		/* IRQ0-2 always edge */
	T_EQ(inb(&t.fx, 0x4d1), 0xde);		/* IRQ8, IRQ13 always edge */
	T_EQ(pic_elcr_get(t.pic), 0xdef8);
	T_EQ(iospace_read(t.fx.pio, 0x4d0, 2), 0xdef8);	/* word access */
	iospace_write(t.fx.pio, 0x4d0, 0x0c00, 2);
	T_EQ(pic_elcr_get(t.pic), 0x0c00);
	outb(&t.fx, 0x4d1, 0x00);
	outb(&t.fx, 0x4d0, 0x20);		/* IRQ5 level */
	pic_set_irq(t.pic, 5, 1);
	T_EQ(pic_intr_ack(t.pic), 0x0d);
	outb(&t.fx, 0x20, 0x20);
	/* still asserted: requests again after EOI */
	T_ASSERT(pic_intr_pending(t.pic));
	T_EQ(pic_intr_ack(t.pic), 0x0d);
	pic_set_irq(t.pic, 5, 0);
	outb(&t.fx, 0x20, 0x20);
	T_ASSERT(!pic_intr_pending(t.pic));
	T_EQ(inb(&t.fx, 0x20), 0x00);		/* IRR follows the line */
	teardown(&t);
}

static void test_pic_rotation_and_aeoi(void)
{
	struct pic_fx t = { 0 };

	setup(&t, 0x03);			/* auto-EOI */
	pic_set_irq(t.pic, 3, 1);
	T_EQ(pic_intr_ack(t.pic), 0x0b);
	outb(&t.fx, 0x20, 0x0b);
	T_EQ(inb(&t.fx, 0x20), 0x00);		/* no ISR bit in AEOI */
	/* set priority: IRQ4 lowest -> IRQ5 highest */
	outb(&t.fx, 0x20, 0xc4);
	pic_set_irq(t.pic, 1, 1);
	pic_set_irq(t.pic, 6, 1);
	T_EQ(pic_intr_ack(t.pic), 0x0e);	/* IRQ6 beats IRQ1 now */
	T_EQ(pic_intr_ack(t.pic), 0x09);
	/* rotate in AEOI: the acked IRQ becomes lowest */
	outb(&t.fx, 0x20, 0x80);
	pic_set_irq(t.pic, 1, 0);
	pic_set_irq(t.pic, 6, 0);
	pic_set_irq(t.pic, 0, 1);
	T_EQ(pic_intr_ack(t.pic), 0x08);
	pic_set_irq(t.pic, 0, 0);
	pic_set_irq(t.pic, 7, 1);
	pic_set_irq(t.pic, 0, 1);
	T_EQ(pic_intr_ack(t.pic), 0x0f);	/* IRQ0 now lowest */
	teardown(&t);
}

static void test_pic_rotate_eoi_smm_poll(void)
{
	struct pic_fx t = { 0 };

	setup(&t, 0x01);
	pic_set_irq(t.pic, 4, 1);
	T_EQ(pic_intr_ack(t.pic), 0x0c);
	outb(&t.fx, 0x20, 0xa0);		/* rotate on non-specific EOI */
	pic_set_irq(t.pic, 4, 0);
	pic_set_irq(t.pic, 4, 1);
	pic_set_irq(t.pic, 6, 1);
	T_EQ(pic_intr_ack(t.pic), 0x0e);	/* IRQ5 highest now */
	outb(&t.fx, 0x20, 0x20);
	T_EQ(pic_intr_ack(t.pic), 0x0c);
	outb(&t.fx, 0x20, 0xc7);		/* back to IRQ0 highest */
	pic_set_irq(t.pic, 7, 1);
	T_ASSERT(!pic_intr_pending(t.pic));	/* IRQ4 in service blocks */
	/* special mask mode: masking in-service IRQ4 lets IRQ7 through */
	outb(&t.fx, 0x20, 0x68);
	outb(&t.fx, 0x21, 0x10);
	T_ASSERT(pic_intr_pending(t.pic));
	outb(&t.fx, 0x20, 0x48);		/* leave SMM */
	outb(&t.fx, 0x20, 0x64);		/* specific EOI IRQ4 */
	outb(&t.fx, 0x21, 0x00);
	/* poll mode */
	outb(&t.fx, 0x20, 0x0c);
	T_EQ(inb(&t.fx, 0x20), 0x87);
	outb(&t.fx, 0x20, 0x0b);
	T_EQ(inb(&t.fx, 0x20), 0x80);		/* poll set ISR */
	outb(&t.fx, 0x20, 0x67);
	outb(&t.fx, 0x20, 0x0c);
	T_EQ(inb(&t.fx, 0x20), 0x00);
	teardown(&t);
}

static void test_pic_line_and_reset(void)
{
	struct pic_fx t = { 0 };
	struct irq_line l, bad;

	setup(&t, 0x01);
	l = pic_irq_line(t.pic, 12);
	bad = pic_irq_line(t.pic, 16);
	irq_set(&bad, 1);			/* no-op */
	T_ASSERT(!pic_intr_pending(t.pic));
	irq_pulse(&l);
	T_EQ(pic_intr_ack(t.pic), 0x74);
	dev_reset(t.pic);
	T_EQ(inb(&t.fx, 0x21), 0x00);
	T_EQ(inb(&t.fx, 0x20), 0x00);
	/* a second PIC on the same space collides */
	T_ASSERT(dev_create(&pic_dev, &t.fx.env, &(struct dev_cfg){ 0 },
			    &(void *){ NULL }) == -EEXIST);
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_pic_priority_and_eoi),
	T_CASE(test_pic_mask_and_edge),
	T_CASE(test_pic_cascade_and_spurious),
	T_CASE(test_pic_elcr_level),
	T_CASE(test_pic_rotation_and_aeoi),
	T_CASE(test_pic_rotate_eoi_smm_poll),
	T_CASE(test_pic_line_and_reset),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
