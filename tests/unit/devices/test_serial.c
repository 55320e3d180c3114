// SPDX-License-Identifier: GPL-2.0-only
/* test_serial.c --- 16550A: divisor, FIFO, THRE/RX/timeout IRQs, loopback */
#include "devices/serial.h"
#include "tests/unit/devices/dev_fixture.h"

#define COM	0x3f8

struct ser_fx {
	struct fx	fx;
	struct fx_irq	irq;
	struct dev_host	host;		/* tx -> tx_cb */
	struct serial	*s;
	uint8_t		out[64];	/* transmitted bytes */
	unsigned int	nout;
};

static void tx_cb(void *opaque, unsigned int unit, uint8_t b)
{
	struct ser_fx *t = opaque;

	if (t->nout < sizeof(t->out))
		t->out[t->nout] = b;
	t->nout++;
}

static void setup(struct ser_fx *t)
{
	fx_init(&t->fx);
	t->host = (struct dev_host){ .tx = tx_cb, .opaque = t };
	t->s = fx_dev(&t->fx, &serial_dev, &(struct dev_cfg){
		.base = COM, .irq = { fx_line(&t->fx, &t->irq) },
		.host = &t->host });
}

static void teardown(struct ser_fx *t)
{
	dev_destroy(t->s);
	T_ASSERT(!iospace_claimed(t->fx.pio, COM));
	T_EQ(vclock_next_deadline(t->fx.clock), VCLOCK_NEVER);
	fx_fini(&t->fx);
}

static void test_serial_divisor_and_regs(void)
{
	struct ser_fx t = { 0 };

	setup(&t);
	outb(&t.fx, COM + 3, 0x80);
	outb(&t.fx, COM + 0, 0x01);
	outb(&t.fx, COM + 1, 0x02);
	T_EQ(inb(&t.fx, COM + 0), 0x01);
	T_EQ(inb(&t.fx, COM + 1), 0x02);
	outb(&t.fx, COM + 3, 0x03);
	T_EQ(inb(&t.fx, COM + 3), 0x03);
	T_EQ(inb(&t.fx, COM + 1), 0x00);	/* IER, not DLM */
	T_EQ(t.nout, 0);			/* DLL write was not a THR */
	outb(&t.fx, COM + 7, 0xa5);
	T_EQ(inb(&t.fx, COM + 7), 0xa5);
	T_EQ(inb(&t.fx, COM + 5), 0x60);	/* THRE | TEMT */
	T_EQ(inb(&t.fx, COM + 6), 0xb0);	/* DCD DSR CTS */
	T_EQ(inb(&t.fx, COM + 2), 0x01);
	outb(&t.fx, COM + 0, 'A');
	outb(&t.fx, COM + 0, 'B');
	T_EQ(t.nout, 2);
	T_EQ(t.out[0], 'A');
	T_EQ(t.out[1], 'B');
	/* a second UART on the same ports collides; bad base rejected */
	T_ASSERT(dev_create(&serial_dev, &t.fx.env,
			    &(struct dev_cfg){ .base = COM },
			    &(void *){ NULL }) == -EEXIST);
	T_ASSERT(dev_create(&serial_dev, &t.fx.env,
			    &(struct dev_cfg){ .base = 0xfffc },
			    &(void *){ NULL }) == -EINVAL);
	teardown(&t);
}

static void test_serial_thre_irq(void)
{
	struct ser_fx t = { 0 };

	setup(&t);
	outb(&t.fx, COM + 1, 0x02);		/* ETBEI, but OUT2 off */
	T_EQ(t.irq.level, 0);			/* IRQ gated by OUT2 */
	outb(&t.fx, COM + 4, 0x0b);		/* DTR RTS OUT2 */
	T_EQ(t.irq.level, 1);
	T_EQ(inb(&t.fx, COM + 2), 0x02);	/* reading IIR clears THRE */
	T_EQ(t.irq.level, 0);
	T_EQ(inb(&t.fx, COM + 2), 0x01);
	outb(&t.fx, COM + 0, 'x');		/* sent at once: THRE again */
	T_EQ(t.irq.level, 1);
	/* Linux 8250 startup: IER off/on re-raises THRE while THR empty */
	outb(&t.fx, COM + 1, 0x00);
	T_EQ(t.irq.level, 0);
	T_EQ(inb(&t.fx, COM + 2), 0x01);
	outb(&t.fx, COM + 1, 0x02);
	T_EQ(inb(&t.fx, COM + 2) & 0x0f, 0x02);
	outb(&t.fx, COM + 1, 0x00);
	outb(&t.fx, COM + 1, 0x02);
	T_EQ(inb(&t.fx, COM + 2) & 0x0f, 0x02);
	teardown(&t);
}

static void test_serial_rx_fifo_and_timeout(void)
{
	struct ser_fx t = { 0 };
	uint8_t buf[20];

	setup(&t);
	outb(&t.fx, COM + 3, 0x80);
	outb(&t.fx, COM + 0, 0x01);		/* 115200 baud */
	outb(&t.fx, COM + 3, 0x03);
	outb(&t.fx, COM + 2, 0xc7);		/* FIFO on, trigger 14 */
	outb(&t.fx, COM + 4, 0x08);
	outb(&t.fx, COM + 1, 0x01);		/* ERBFI */
	T_EQ(inb(&t.fx, COM + 2), 0xc1);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)('a' + i);
	T_EQ(serial_receive(t.s, buf, 5), 5);
	T_EQ(inb(&t.fx, COM + 5) & 0x01, 0x01);
	T_EQ(t.irq.level, 0);			/* below trigger level */
	vclock_advance(t.fx.clock, 300 * 1000);	/* < 4 chars at 115200 */
	T_EQ(t.irq.level, 0);
	vclock_advance(t.fx.clock, 100 * 1000);
	T_EQ(t.irq.level, 1);
	T_EQ(inb(&t.fx, COM + 2), 0xcc);	/* character timeout */
	for (unsigned int i = 0; i < 5; i++)
		T_EQ(inb(&t.fx, COM + 0), 'a' + i);
	T_EQ(t.irq.level, 0);
	T_EQ(inb(&t.fx, COM + 5) & 0x01, 0x00);
	/* fill: 16 accepted, trigger level reached */
	T_EQ(serial_receive(t.s, buf, 20), 16);
	T_ASSERT(!serial_can_receive(t.s));
	T_EQ(serial_receive(t.s, buf, 1), 0);
	T_EQ(t.irq.level, 1);
	T_EQ(inb(&t.fx, COM + 2), 0xc4);
	for (unsigned int i = 0; i < 3; i++)
		inb(&t.fx, COM + 0);
	T_EQ(inb(&t.fx, COM + 2), 0xc1);	/* 13 left < 14 */
	T_ASSERT(serial_can_receive(t.s));
	outb(&t.fx, COM + 2, 0xc3);		/* clear RX FIFO */
	T_EQ(inb(&t.fx, COM + 5) & 0x01, 0x00);
	/* FIFO off: one byte holding register */
	outb(&t.fx, COM + 2, 0x00);
	T_EQ(serial_receive(t.s, buf, 3), 1);
	T_EQ(inb(&t.fx, COM + 2), 0x04);
	T_EQ(inb(&t.fx, COM + 0), 'a');
	teardown(&t);
}

static void test_serial_loopback_and_priority(void)
{
	struct ser_fx t = { 0 };

	setup(&t);
	outb(&t.fx, COM + 2, 0x01);		/* FIFO on, trigger 1 */
	outb(&t.fx, COM + 4, 0x10);		/* loop: modem inputs drop */
	T_EQ(inb(&t.fx, COM + 6), 0x0b);
	outb(&t.fx, COM + 4, 0x1b);		/* loop, OUT2, RTS, DTR */
	T_EQ(inb(&t.fx, COM + 6), 0xbb);	/* CTS DSR DCD + deltas */
	T_EQ(inb(&t.fx, COM + 6), 0xb0);	/* deltas cleared */
	T_ASSERT(!serial_can_receive(t.s));
	for (unsigned int i = 0; i < 17; i++)
		outb(&t.fx, COM + 0, (uint8_t)i);
	T_EQ(t.nout, 0);			/* nothing left the UART */
	outb(&t.fx, COM + 4, 0x1f);		/* OUT1 -> RI */
	outb(&t.fx, COM + 4, 0x1b);		/* RI falls: TERI */
	outb(&t.fx, COM + 1, 0x0f);
	T_EQ(t.irq.level, 1);
	T_EQ(inb(&t.fx, COM + 2), 0xc6);	/* overrun: line status first */
	T_EQ(inb(&t.fx, COM + 5), 0x63);	/* DR OE THRE TEMT */
	T_EQ(inb(&t.fx, COM + 2), 0xc4);	/* then received data */
	for (unsigned int i = 0; i < 16; i++)
		T_EQ(inb(&t.fx, COM + 0), i);
	T_EQ(inb(&t.fx, COM + 2), 0xc2);	/* then THRE */
	T_EQ(inb(&t.fx, COM + 2), 0xc0);	/* then modem status */
	T_EQ(inb(&t.fx, COM + 6), 0xb4);	/* TERI */
	T_EQ(inb(&t.fx, COM + 2), 0xc1);
	T_EQ(t.irq.level, 0);
	dev_reset(t.s);
	T_EQ(inb(&t.fx, COM + 4), 0x00);
	T_ASSERT(serial_can_receive(t.s));
	teardown(&t);
}

static const struct t_case cases[] = {
	T_CASE(test_serial_divisor_and_regs),
	T_CASE(test_serial_thre_irq),
	T_CASE(test_serial_rx_fifo_and_timeout),
	T_CASE(test_serial_loopback_and_priority),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
