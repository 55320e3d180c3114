// SPDX-License-Identifier: GPL-2.0-only
/*
 * pic.c --- dual Intel 8259A PIC with the PIIX3 ELCR
 *
 * Models two 8259As as wired in the PC/AT (Intel 8259A datasheet, order no.
 * 231468; PIIX3 datasheet section 2.5.2 "ELCR"): ICW1-ICW4 initialisation,
 * OCW1 (IMR), OCW2 (EOI, specific EOI, priority rotation), OCW3 (IRR/ISR
 * read, poll, special mask mode), auto-EOI, special fully nested mode, and
 * spurious IR7 vectors.  Each IRQ is edge-triggered (IRR latched on a rising
 * edge, kept when the line drops) or, when its ELCR bit is set,
 * level-triggered (IRR follows the line).  The slave's INT output is the
 * master's IR2 input; ISA IRQ2 is rerouted to IRQ9 as on the AT bus.
 */
#include <assert.h>

#include "devices/pic.h"

#define PIC_ICW1		0x10	/* command port: ICW1 when set */
#define PIC_ICW1_IC4		0x01	/* ICW4 will follow */
#define PIC_ICW1_SNGL		0x02	/* single PIC: no ICW3 */
#define PIC_OCW3		0x08	/* command port: OCW3 when set (no ICW1) */
#define PIC_OCW3_RIS		0x01	/* read ISR (else IRR) */
#define PIC_OCW3_RR		0x02	/* RIS is valid */
#define PIC_OCW3_P		0x04	/* poll command */
#define PIC_OCW3_SMM		0x20	/* special mask mode */
#define PIC_OCW3_ESMM		0x40	/* SMM is valid */
#define PIC_ICW4_AEOI		0x02
#define PIC_ICW4_SFNM		0x10
#define PIC_CASCADE_IRQ		2
#define PIC_ELCR1_MASK		0xf8	/* IRQ0-2 are always edge */
#define PIC_ELCR2_MASK		0xde	/* IRQ8 and IRQ13 are always edge */

enum pic_init_step {
	PIC_READY,		/* OCWs accepted */
	PIC_WANT_ICW2,
	PIC_WANT_ICW3,
	PIC_WANT_ICW4,
};

struct pic_chip {
	uint8_t	irr;		/* latched edge requests (level ones from pins) */
	uint8_t	isr;		/* in-service */
	uint8_t	imr;		/* masked inputs */
	uint8_t	pins;		/* current input line levels */
	uint8_t	elcr;		/* level-triggered inputs */
	uint8_t	vbase;		/* ICW2 vector base, low 3 bits zero */
	uint8_t	icw3;		/* cascade configuration (kept for readout) */
	uint8_t	lowest;		/* input with the lowest priority (rotation) */
	enum pic_init_step step;/* initialisation sequence position */
	bool	icw4;		/* ICW1 announced ICW4 */
	bool	single;		/* ICW1 SNGL */
	bool	read_isr;	/* OCW3: command-port reads return ISR */
	bool	poll;		/* OCW3 poll: next read is the poll word */
	bool	smm;		/* special mask mode */
	bool	aeoi;		/* ICW4 auto-EOI */
	bool	rotate_aeoi;	/* OCW2 rotate in auto-EOI mode */
	bool	sfnm;		/* ICW4 special fully nested mode */
};

struct pic {
	struct pic_chip	chip[2];	/* [0] master, [1] slave */
	bool		intr;		/* master INT output */
	const struct dev_host *host;	/* told when INTR changes, or NULL */
	uint16_t	level_irqs;	/* ELCR at reset (struct pic_cfg) */
};

/* Requests as the priority resolver sees them. */
static uint8_t chip_irr(const struct pic_chip *c)
{
	return (c->irr & ~c->elcr) | (c->pins & c->elcr);
}

/* Priority rank of the highest-priority bit in @mask: 0 best, 8 = none. */
static unsigned int chip_rank(const struct pic_chip *c, uint8_t mask)
{
	for (unsigned int r = 0; r < 8; r++)
		if (mask & (1u << ((c->lowest + 1 + r) & 7)))
			return r;
	return 8;
}

static unsigned int rank_to_irq(const struct pic_chip *c, unsigned int r)
{
	return (c->lowest + 1 + r) & 7;
}

/* The input this chip would interrupt for, or -1. */
static int chip_pending(const struct pic_chip *c, bool master)
{
	uint8_t req = chip_irr(c) & ~c->imr;
	uint8_t busy = c->isr;
	unsigned int r, cur;

	r = chip_rank(c, req);
	if (r == 8)
		return -1;
	if (c->smm)
		busy &= ~c->imr;
	if (master && c->sfnm)
		busy &= ~(1u << PIC_CASCADE_IRQ);
	cur = chip_rank(c, busy);
	return r < cur ? (int)rank_to_irq(c, r) : -1;
}

/* Drive input @irq of @c; edge inputs latch IRR on a rising edge. */
static void chip_set_pin(struct pic_chip *c, unsigned int irq, int level)
{
	uint8_t bit = 1u << irq;

	if (level) {
		if (!(c->pins & bit))
			c->irr |= bit;
		c->pins |= bit;
	} else {
		c->pins &= ~bit;
	}
}

static void pic_update(struct pic *p)
{
	bool intr;

	chip_set_pin(&p->chip[0], PIC_CASCADE_IRQ,
		     chip_pending(&p->chip[1], false) >= 0);
	intr = chip_pending(&p->chip[0], true) >= 0;
	if (intr != p->intr) {
		p->intr = intr;
		if (p->host && p->host->intr)
			p->host->intr(p->host->opaque, intr);
	}
}

/* INTA on one chip for input @irq: IRR -> ISR (or auto-EOI). */
static void chip_ack(struct pic_chip *c, unsigned int irq)
{
	assert(irq < 8);
	c->irr &= ~(1u << irq);
	if (c->aeoi) {
		if (c->rotate_aeoi)
			c->lowest = irq;
	} else {
		c->isr |= 1u << irq;
	}
}

void pic_set_irq(struct pic *p, unsigned int irq, int level)
{
	if (irq >= PIC_NR_IRQS)
		return;
	if (irq == PIC_CASCADE_IRQ)
		irq = 9;
	chip_set_pin(&p->chip[irq >> 3], irq & 7, level);
	pic_update(p);
}

static void pic_line_set(void *opaque, unsigned int n, int level)
{
	pic_set_irq(opaque, n, level);
}

struct irq_line pic_irq_line(void *pic, unsigned int irq)
{
	struct irq_line l = { NULL, NULL, 0 };

	if (irq < PIC_NR_IRQS) {
		l.set = pic_line_set;
		l.opaque = pic;
		l.n = irq;
	}
	return l;
}

bool pic_intr_pending(void *pic)
{
	const struct pic *p = pic;

	return p->intr;
}

uint8_t pic_intr_ack(void *pic)
{
	struct pic *p = pic;
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_pending(m, true), sirq;
	uint8_t vec;

	if (irq < 0) {
		vec = m->vbase | 7;
		goto out;
	}
	chip_ack(m, (unsigned int)irq);
	if (irq != PIC_CASCADE_IRQ || m->single) {
		vec = m->vbase | (uint8_t)irq;
		goto out;
	}
	sirq = chip_pending(s, false);
	if (sirq < 0) {
		vec = s->vbase | 7;
		goto out;
	}
	chip_ack(s, (unsigned int)sirq);
	vec = s->vbase | (uint8_t)sirq;
out:
	pic_update(p);
	return vec;
}

/* OCW3 poll: acknowledge as INTA would, return the poll word. */
static uint8_t chip_poll(struct pic *p, struct pic_chip *c)
{
	int irq = chip_pending(c, c == &p->chip[0]);

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_ack(c, (unsigned int)irq);
	pic_update(p);
	return 0x80 | (uint8_t)irq;
}

static void chip_eoi(struct pic_chip *c, unsigned int irq, bool rotate)
{
	c->isr &= ~(1u << irq);
	if (rotate)
		c->lowest = irq;
}

static void chip_ocw2(struct pic_chip *c, uint8_t val)
{
	unsigned int level = val & 7, r;

	switch (val >> 5) {
	case 1:	/* non-specific EOI */
	case 5:	/* rotate on non-specific EOI */
		r = chip_rank(c, c->isr);
		if (r < 8)
			chip_eoi(c, rank_to_irq(c, r), (val >> 5) == 5);
		break;
	case 3:	/* specific EOI */
	case 7:	/* rotate on specific EOI */
		chip_eoi(c, level, (val >> 5) == 7);
		break;
	case 4:
		c->rotate_aeoi = true;
		break;
	case 0:
		c->rotate_aeoi = false;
		break;
	case 6:	/* set priority: @level becomes lowest */
		c->lowest = (uint8_t)level;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void chip_icw1(struct pic_chip *c, uint8_t val)
{
	c->irr = 0;
	c->isr = 0;
	c->imr = 0;
	c->lowest = 7;
	c->read_isr = false;
	c->poll = false;
	c->smm = false;
	c->aeoi = false;
	c->rotate_aeoi = false;
	c->sfnm = false;
	c->icw4 = val & PIC_ICW1_IC4;
	c->single = val & PIC_ICW1_SNGL;
	c->step = PIC_WANT_ICW2;
}

static void chip_write_cmd(struct pic_chip *c, uint8_t val)
{
	if (val & PIC_ICW1) {
		chip_icw1(c, val);
	} else if (val & PIC_OCW3) {
		if (val & PIC_OCW3_RR)
			c->read_isr = val & PIC_OCW3_RIS;
		if (val & PIC_OCW3_ESMM)
			c->smm = val & PIC_OCW3_SMM;
		c->poll = val & PIC_OCW3_P;
	} else {
		chip_ocw2(c, val);
	}
}

static void chip_write_data(struct pic_chip *c, uint8_t val)
{
	switch (c->step) {
	case PIC_WANT_ICW2:
		c->vbase = val & 0xf8;
		c->step = c->single ? (c->icw4 ? PIC_WANT_ICW4 : PIC_READY)
				    : PIC_WANT_ICW3;
		break;
	case PIC_WANT_ICW3:
		c->icw3 = val;
		c->step = c->icw4 ? PIC_WANT_ICW4 : PIC_READY;
		break;
	case PIC_WANT_ICW4:
		c->aeoi = val & PIC_ICW4_AEOI;
		c->sfnm = val & PIC_ICW4_SFNM;
		c->step = PIC_READY;
		break;
	default:
		c->imr = val;
		break;
	}
}

static uint64_t pic_port_read(struct pic *p, struct pic_chip *c,
			      uint64_t off)
{
	if (c->poll)
		return chip_poll(p, c);
	if (off & 1)
		return c->imr;
	return c->read_isr ? c->isr : chip_irr(c);
}

static uint64_t pic_master_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pic *p = opaque;

	return pic_port_read(p, &p->chip[0], off);
}

static uint64_t pic_slave_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pic *p = opaque;

	return pic_port_read(p, &p->chip[1], off);
}

static void pic_port_write(struct pic *p, struct pic_chip *c, uint64_t off,
			   uint8_t val)
{
	if (off & 1)
		chip_write_data(c, val);
	else
		chip_write_cmd(c, val);
	pic_update(p);
}

static void pic_master_write(void *opaque, uint64_t off, uint64_t val,
			     unsigned int size)
{
	struct pic *p = opaque;

	pic_port_write(p, &p->chip[0], off, (uint8_t)val);
}

static void pic_slave_write(void *opaque, uint64_t off, uint64_t val,
			    unsigned int size)
{
	struct pic *p = opaque;

	pic_port_write(p, &p->chip[1], off, (uint8_t)val);
}

void pic_elcr_set(struct pic *p, uint16_t mask)
{
	p->chip[0].elcr = (uint8_t)mask & PIC_ELCR1_MASK;
	p->chip[1].elcr = (uint8_t)(mask >> 8) & PIC_ELCR2_MASK;
	pic_update(p);
}

uint16_t pic_elcr_get(struct pic *p)
{
	return (uint16_t)(p->chip[0].elcr | p->chip[1].elcr << 8);
}

static uint64_t pic_elcr_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pic *p = opaque;

	return p->chip[off & 1].elcr;
}

static void pic_elcr_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned int size)
{
	struct pic *p = opaque;
	uint16_t cur = pic_elcr_get(p);

	if (off & 1)
		pic_elcr_set(p, (uint16_t)((cur & 0x00ff) | (val & 0xff) << 8));
	else
		pic_elcr_set(p, (uint16_t)((cur & 0xff00) | (val & 0xff)));
}

static const struct io_ops pic_master_ops = {
	.read = pic_master_read, .write = pic_master_write, .widths = IO_W8,
};

static const struct io_ops pic_slave_ops = {
	.read = pic_slave_read, .write = pic_slave_write, .widths = IO_W8,
};

static const struct io_ops pic_elcr_ops = {
	.read = pic_elcr_read, .write = pic_elcr_write, .widths = IO_W8,
};

static void pic_reset(void *dev)
{
	struct pic *p = dev;

	for (unsigned int i = 0; i < 2; i++) {
		struct pic_chip *c = &p->chip[i];
		uint8_t pins = c->pins;

		*c = (struct pic_chip){ .lowest = 7, .pins = pins };
	}
	p->chip[0].pins &= ~(1u << PIC_CASCADE_IRQ);
	pic_elcr_set(p, p->level_irqs);		/* updates INTR */
}

static const struct io_range pic_ranges[] = {
	{ PIC_MASTER_BASE, 2, &pic_master_ops },
	{ PIC_SLAVE_BASE, 2, &pic_slave_ops },
	{ PIC_ELCR_BASE, 2, &pic_elcr_ops },
};

static int pic_init(void *dev, const struct dev_env *env,
		    const struct dev_cfg *cfg)
{
	const struct pic_cfg *pc = cfg->priv;
	struct pic *p = dev;

	p->host = cfg->host;
	p->level_irqs = pc ? pc->level_irqs : 0;
	return 0;
}

static const struct irq_chip_ops pic_intc = {
	.line		= pic_irq_line,
	.pending	= pic_intr_pending,
	.ack		= pic_intr_ack,
};

const struct dev_ops pic_dev = {
	.name = "8259 PIC", .size = sizeof(struct pic),
	.init = pic_init, .reset = pic_reset,
	.ranges = pic_ranges, .nranges = 3,
	.intc = &pic_intc,
};
