// SPDX-License-Identifier: GPL-2.0-only
/*
 * piix3.c --- Intel 82371SB PIIX3 PCI-to-ISA bridge, function 00:01.0
 *
 * Intel 82371FB (PIIX) and 82371SB (PIIX3) datasheet, order 290550:
 * PIRQRC[A:D] (function 0, 0x60-0x63, default 0x80): bit 7 IRQROUTEN# (1 =
 * not routed), bits 3:0 the ISA IRQ (3-7, 9-12, 14, 15 valid; others
 * reserved = not routed).  Several PIRQs, or a PIRQ and an ISA device, may
 * share one IRQ: the lines are wired-OR, the PIC's ELCR makes them level.
 * Port 92h (System Control): bit 1 ALT_A20_GATE, bit 0 ALT_RST_CPU (0->1
 * resets the CPU).  Port CF9h (Reset Control): bit 2 RCPU (0->1 resets),
 * bit 1 SRST (hard reset when set together with RCPU).
 */
#include <errno.h>
#include <string.h>

#include "devices/piix3.h"

#define PIIX3_PORT92		0x92
#define PIIX3_PIRQ_DISABLE	0x80
#define PIIX3_RCR_SRST		0x02
#define PIIX3_RCR_RCPU		0x04

struct piix3 {
	struct irq_line		isa_irq[16];	/* interrupt controller inputs */
	const struct dev_host	*host;		/* A20 and reset, or NULL */
	struct pci_bus		*bus;		/* our bus (router hook) */
	struct pci_dev		*pci;		/* 00:01.0, owned by bus */
	uint8_t			pirq_level[4];	/* PIRQA-D wired-OR input */
	uint8_t			isa_level[16];	/* what we drive per IRQ */
	uint8_t			port92;		/* System Control */
	uint8_t			rcr;		/* Reset Control (0xCF9) */
};

/* ISA IRQ PIRQ @pirq is routed to, or -1. */
static int piix3_route(const struct piix3 *p, unsigned int pirq)
{
	uint8_t r = pci_dev_config(p->pci)[PIIX3_PIRQRC + pirq];
	unsigned int irq = r & 0x0f;

	if (r & PIIX3_PIRQ_DISABLE)
		return -1;
	if (irq < 3 || irq == 8 || irq == 13)
		return -1;
	return (int)irq;
}

/* Recompute every ISA line from the PIRQ levels and routes. */
static void piix3_update(struct piix3 *p)
{
	uint8_t want[16] = {0};

	for (unsigned int i = 0; i < 4; i++) {
		int irq = piix3_route(p, i);

		if (irq >= 0 && p->pirq_level[i])
			want[irq] = 1;
	}
	for (unsigned int n = 0; n < 16; n++) {
		if (want[n] == p->isa_level[n])
			continue;
		p->isa_level[n] = want[n];
		irq_set(&p->isa_irq[n], want[n]);
	}
}

static void piix3_set_pirq(void *opaque, unsigned int pirq, int level)
{
	struct piix3 *p = opaque;

	if (pirq >= 4)
		return;
	p->pirq_level[pirq] = level ? 1 : 0;
	piix3_update(p);
}

static void piix3_config_write(void *opaque, unsigned int off, uint32_t val,
			       unsigned int size)
{
	struct piix3 *p = opaque;

	if (off < PIIX3_PIRQRC + 4 && off + size > PIIX3_PIRQRC)
		piix3_update(p);
}


static uint64_t piix3_port92_read(void *opaque, uint64_t off,
				  unsigned int size)
{
	struct piix3 *p = opaque;

	return p->port92;
}

static void piix3_port92_write(void *opaque, uint64_t off, uint64_t val,
			       unsigned int size)
{
	struct piix3 *p = opaque;
	uint8_t old = p->port92;

	p->port92 = val & 0x02;
	if ((old ^ p->port92) & 0x02)
		dev_host_set_a20(p->host, p->port92 & 0x02);
	if (val & 0x01)
		dev_host_reset(p->host, false);
}

static const struct io_ops piix3_port92_ops = {
	.read = piix3_port92_read, .write = piix3_port92_write, .widths = IO_W8,
};

static uint64_t piix3_rcr_read(void *opaque, uint64_t off, unsigned int size)
{
	struct piix3 *p = opaque;

	return p->rcr;
}

static void piix3_rcr_write(void *opaque, uint64_t off, uint64_t val,
			    unsigned int size)
{
	struct piix3 *p = opaque;

	p->rcr = val & PIIX3_RCR_SRST;
	if (val & PIIX3_RCR_RCPU)
		dev_host_reset(p->host, val & PIIX3_RCR_SRST);
}

static const struct io_ops piix3_rcr_ops = {
	.read = piix3_rcr_read, .write = piix3_rcr_write, .widths = IO_W8,
};

static void piix3_reset(void *dev)
{
	struct piix3 *p = dev;
	uint8_t *cfg = pci_dev_config(p->pci);

	for (unsigned int i = 0; i < 4; i++)
		cfg[PIIX3_PIRQRC + i] = PIIX3_PIRQ_DISABLE;
	p->port92 = 0;
	p->rcr = 0;
	piix3_update(p);
}

bool piix3_a20(const struct piix3 *p)
{
	return p->port92 & 0x02;
}

static const struct pci_func_ops piix3_pci_ops = {
	.config_write	= piix3_config_write,
	.reset		= piix3_reset,
};

static int piix3_init(void *dev, const struct dev_env *env,
		      const struct dev_cfg *cfg)
{
	static const struct pci_dev_info info = {
		.vendor		= 0x8086,
		.device		= 0x7000,
		.class_code	= 0x060100,
		.header_type	= 0x80,
	};
	struct piix3 *p = dev;
	int ret;

	if (!cfg->pci)
		return -EINVAL;
	memcpy(p->isa_irq, cfg->irq, sizeof(p->isa_irq));
	p->host = cfg->host;
	p->bus = cfg->pci;
	ret = pci_register_function(p->bus, PIIX3_DEVFN, &info, &piix3_pci_ops,
				    p, &p->pci);
	if (ret < 0)
		return ret;
	pci_dev_set_wmask(p->pci, PIIX3_PIRQRC, 4, 0x8f);
	pci_bus_set_pirq_router(p->bus, piix3_set_pirq, p);
	pci_bus_set_cf9(p->bus, &piix3_rcr_ops, p);
	return 0;
}

static void piix3_fini(void *dev)
{
	struct piix3 *p = dev;

	pci_bus_set_pirq_router(p->bus, NULL, NULL);
	pci_bus_set_cf9(p->bus, NULL, NULL);
	pci_unregister_function(p->pci);
}

static const struct io_range piix3_ranges[] = {
	{ PIIX3_PORT92, 1, &piix3_port92_ops },
};

const struct dev_ops piix3_dev = {
	.name = "PIIX3 ISA bridge", .size = sizeof(struct piix3),
	.init = piix3_init, .fini = piix3_fini, .reset = piix3_reset,
	.ranges = piix3_ranges, .nranges = 1,
};
