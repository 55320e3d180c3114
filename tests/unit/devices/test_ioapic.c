// SPDX-License-Identifier: GPL-2.0-only
/* test_ioapic.c --- I/O APIC: registers, edge/level pins, remote IRR, EOI */
#include "devices/ioapic.h"
#include "tests/unit/devices/dev_fixture.h"

#define MAX_MSGS	16

struct io_fx {
	struct fx	fx;
	struct dev_host	host;		/* apic_msg -> msg_cb */
	struct ioapic	*io;
	unsigned int	n;		/* messages received */
	struct apic_msg	msg[MAX_MSGS];	/* the first MAX_MSGS */
};

static void msg_cb(void *opaque, const struct apic_msg *m)
{
	struct io_fx *t = opaque;

	if (t->n < MAX_MSGS)
		t->msg[t->n] = *m;
	t->n++;
}

static uint32_t rd(struct io_fx *t, uint8_t reg)
{
	iospace_write(t->fx.mmio, IOAPIC_BASE, reg, 4);
	return (uint32_t)iospace_read(t->fx.mmio, IOAPIC_BASE + 0x10, 4);
}

static void wr(struct io_fx *t, uint8_t reg, uint32_t v)
{
	iospace_write(t->fx.mmio, IOAPIC_BASE, reg, 4);
	iospace_write(t->fx.mmio, IOAPIC_BASE + 0x10, v, 4);
}

static void setup(struct io_fx *t, unsigned int id)
{
	fx_init(&t->fx);
	t->host = (struct dev_host){ .apic_msg = msg_cb, .opaque = t };
	t->io = fx_dev(&t->fx, &ioapic_dev,
		       &(struct dev_cfg){ .host = &t->host, .unit = id });
}

static void teardown(struct io_fx *t)
{
	dev_destroy(t->io);
	T_ASSERT(!iospace_claimed(t->fx.mmio, IOAPIC_BASE));
	fx_fini(&t->fx);
}

static void test_ioapic_registers(void)
{
	struct io_fx t = { 0 };
	unsigned int pin;

	setup(&t, 2);
	T_EQ(rd(&t, 0x00), 2u << 24);			/* ID from dev_cfg.unit */
	T_EQ(rd(&t, 0x01), 0x00170020);			/* 24 entries, v0x20 */
	T_EQ(rd(&t, 0x02), 2u << 24);
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		T_EQ(rd(&t, 0x10 + 2 * pin), 0x00010000);	/* masked */
		T_EQ(rd(&t, 0x11 + 2 * pin), 0);
	}
	T_EQ(iospace_read(t.fx.mmio, IOAPIC_BASE, 4), 0x3f);	/* IOREGSEL */
	wr(&t, 0x00, 0x0f000000);
	T_EQ(rd(&t, 0x00), 0x0f000000);
	wr(&t, 0x01, 0);				/* version: read only */
	T_EQ(rd(&t, 0x01), 0x00170020);
	/* writable bits only: delivery status and remote IRR stay clear */
	wr(&t, 0x12, 0xffffffff);
	T_EQ(rd(&t, 0x12), 0x0001afff);
	wr(&t, 0x13, 0xffffffff);
	T_EQ(rd(&t, 0x13), 0xff000000);
	T_EQ(rd(&t, 0x40), 0);				/* past the table */
	dev_reset(t.io);
	T_EQ(rd(&t, 0x00), 2u << 24);
	T_EQ(rd(&t, 0x12), 0x00010000);
	T_EQ(t.n, 0);
	teardown(&t);
}

static void test_ioapic_edge(void)
{
	struct io_fx t = { 0 };
	struct irq_line l;

	setup(&t, 0);
	l = ioapic_irq_line(t.io, 2);
	irq_pulse(&l);				/* masked: nothing */
	T_EQ(t.n, 0);
	wr(&t, 0x15, 0x03000000);		/* pin 2 -> APIC 3 */
	wr(&t, 0x14, 0x00000830);		/* vector 0x30, logical, edge */
	irq_set(&l, 1);
	T_EQ(t.n, 1);
	T_EQ(t.msg[0].vector, 0x30);
	T_EQ(t.msg[0].mode, APIC_DM_FIXED);
	T_EQ(t.msg[0].dest, 3);
	T_ASSERT(t.msg[0].logical && !t.msg[0].level);
	irq_set(&l, 1);				/* no new edge */
	T_EQ(t.n, 1);
	irq_set(&l, 0);
	irq_set(&l, 1);
	T_EQ(t.n, 2);
	T_EQ(rd(&t, 0x14) & (1u << 14), 0);	/* no remote IRR on edge */
	/* delivery mode and physical destination */
	wr(&t, 0x14, 0x00000431);		/* NMI */
	irq_set(&l, 0);
	irq_pulse(&l);
	T_EQ(t.n, 3);
	T_EQ(t.msg[2].mode, APIC_DM_NMI);
	T_ASSERT(!t.msg[2].logical);
	/* out-of-range pin: a line that does nothing */
	l = ioapic_irq_line(t.io, IOAPIC_PINS);
	irq_pulse(&l);
	T_EQ(t.n, 3);
	teardown(&t);
}

static void test_ioapic_level_remote_irr(void)
{
	struct io_fx t = { 0 };
	struct irq_line l;

	setup(&t, 0);
	l = ioapic_irq_line(t.io, 11);
	irq_set(&l, 1);				/* asserted while masked */
	T_EQ(t.n, 0);
	wr(&t, 0x10 + 22, 0x0000a041);		/* vector 0x41, level, low */
	T_EQ(t.n, 1);				/* unmasking delivers */
	T_ASSERT(t.msg[0].level);
	T_EQ(rd(&t, 0x10 + 22) & (1u << 14), 1u << 14);	/* remote IRR */
	irq_set(&l, 0);
	irq_set(&l, 1);				/* still in remote IRR */
	T_EQ(t.n, 1);
	ioapic_eoi(t.io, 0x42);			/* other vector */
	T_EQ(t.n, 1);
	ioapic_eoi(t.io, 0x41);			/* still asserted: again */
	T_EQ(t.n, 2);
	T_EQ(rd(&t, 0x10 + 22) & (1u << 14), 1u << 14);
	irq_set(&l, 0);
	ioapic_eoi(t.io, 0x41);			/* released: idle */
	T_EQ(t.n, 2);
	T_EQ(rd(&t, 0x10 + 22) & (1u << 14), 0);
	/* the EOI register (version 0x20) does the same */
	irq_set(&l, 1);
	T_EQ(t.n, 3);
	iospace_write(t.fx.mmio, IOAPIC_BASE + 0x40, 0x41, 4);
	T_EQ(t.n, 4);
	/* masking keeps remote IRR; switching to edge clears it */
	wr(&t, 0x10 + 22, 0x0001a041);
	ioapic_eoi(t.io, 0x41);
	T_EQ(t.n, 4);
	wr(&t, 0x10 + 22, 0x00012041);
	T_EQ(rd(&t, 0x10 + 22) & (1u << 14), 0);
	teardown(&t);
}

static void test_ioapic_collision(void)
{
	struct io_fx t = { 0 };

	setup(&t, 0);
	T_ASSERT(dev_create(&ioapic_dev, &t.fx.env, &(struct dev_cfg){ 0 },
			    &(void *){ NULL }) == -EEXIST);
	T_ASSERT(dev_create(&ioapic_dev, &t.fx.env,
			    &(struct dev_cfg){ .unit = 16 },
			    &(void *){ NULL }) == -EINVAL);
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_ioapic_registers),
	T_CASE(test_ioapic_edge),
	T_CASE(test_ioapic_level_remote_irr),
	T_CASE(test_ioapic_collision),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
