// SPDX-License-Identifier: GPL-2.0-only
/*
 * pci.c --- PCI bus 0, configuration mechanism #1, type-0 header handling
 *
 * PCI Local Bus Specification 2.1: ch. 3.2.2.3.2 (CONFIG_ADDRESS 0xCF8 with
 * the enable bit 31, bus 23:16, device 15:11, function 10:8, register 7:2;
 * CONFIG_DATA 0xCFC-0xCFF accessed with byte, word or dword cycles at any
 * offset inside the dword), ch. 6.2 (command register, BARs: writing all
 * ones reads back the size mask, decoding gated by the command register's
 * I/O and memory enables, expansion ROM BAR with its own enable bit) and
 * ch. 2.2.6 (INTx# wired onto the four PIRQ lines of the board).
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"

#define PCI_CFG_ADDR_PORT	0xcf8
#define PCI_CFG_ENABLE		0x80000000u

struct pci_bar {
	uint64_t		size;	/* bytes (power of two); 0 = absent */
	unsigned int		flags;	/* PCI_BAR_IO / _MEM | _PREFETCH */
	const struct io_ops	*ops;	/* mapped at addr, may be NULL */
	void			*opaque;	/* for ops */
	uint64_t		addr;	/* decoded at, or PCI_BAR_UNMAPPED */
};

struct pci_dev {
	struct pci_bus		*bus;		/* owner */
	unsigned int		devfn;		/* 0-255 */
	uint8_t			config[256];	/* configuration space */
	uint8_t			wmask[256];	/* guest-writable bits */
	struct pci_bar		bar[PCI_NUM_BARS];	/* BAR0-5 + ROM */
	const struct pci_func_ops *ops;		/* callbacks, never NULL */
	void			*opaque;	/* for ops */
	int			irq_level;	/* INTx# as driven by device */
	int			irq_out;	/* level seen by the PIRQ */
};

struct pci_bus {
	struct dev_env		env;		/* copy of the creator's */
	uint32_t		cfg_addr;	/* CONFIG_ADDRESS register */
	struct pci_dev		*dev[256];	/* by devfn, NULL = absent */
	unsigned int		pirq_count[4];	/* asserted INTx# per PIRQ */
	void			(*set_pirq)(void *opaque, unsigned int pirq,
					    int level);	/* router */
	void			*pirq_opaque;	/* for set_pirq */
	const struct io_ops	*cf9_ops;	/* port 0xCF9 byte hook */
	void			*cf9_opaque;	/* for cf9_ops */
};

static const struct pci_func_ops pci_no_ops;

static uint32_t cfg_get32(const uint8_t *c, unsigned int off)
{
	return c[off] | c[off + 1] << 8 | c[off + 2] << 16 |
	       (uint32_t)c[off + 3] << 24;
}

static void cfg_put(uint8_t *c, unsigned int off, uint32_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		c[off + i] = (uint8_t)(v >> (8 * i));
}

static unsigned int bar_offset(unsigned int bar)
{
	return bar == PCI_ROM_BAR ? PCI_ROM_ADDRESS : PCI_BAR0 + 4 * bar;
}

/* Where BAR @i should decode now, given the header contents. */
static uint64_t bar_decode_addr(const struct pci_dev *d, unsigned int i)
{
	const struct pci_bar *b = &d->bar[i];
	uint16_t cmd = d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8;
	uint32_t v = cfg_get32(d->config, bar_offset(i));
	uint64_t addr;

	if (!b->size)
		return PCI_BAR_UNMAPPED;
	if (b->flags & PCI_BAR_IO) {
		if (!(cmd & PCI_COMMAND_IO))
			return PCI_BAR_UNMAPPED;
		addr = v & ~3u;
		if (addr == 0 || addr + b->size > 0x10000)
			return PCI_BAR_UNMAPPED;
		return addr;
	}
	if (!(cmd & PCI_COMMAND_MEMORY))
		return PCI_BAR_UNMAPPED;
	if (i == PCI_ROM_BAR) {
		if (!(v & 1))
			return PCI_BAR_UNMAPPED;
		addr = v & ~0x7ffu;
	} else {
		addr = v & ~0xfu;
	}
	/* 0 and the sizing pattern (all ones) are "not placed yet". */
	if (addr == 0 || addr + b->size > 0x100000000ull ||
	    addr == (~(b->size - 1) & 0xffffffffull))
		return PCI_BAR_UNMAPPED;
	return addr;
}

static void bar_update(struct pci_dev *d, unsigned int i)
{
	struct pci_bar *b = &d->bar[i];
	struct iospace *sp;
	uint64_t addr = bar_decode_addr(d, i);

	if (addr == b->addr)
		return;
	sp = (b->flags & PCI_BAR_IO) ? d->bus->env.pio : d->bus->env.mmio;
	if (b->addr != PCI_BAR_UNMAPPED && b->ops && sp)
		iospace_unmap(sp, b->addr);
	b->addr = addr;
	/* A clash with another region leaves the BAR undecoded: the guest
	 * placed it badly and simply sees nothing there. */
	if (addr != PCI_BAR_UNMAPPED && b->ops &&
	    (!sp || iospace_map(sp, addr, b->size, b->ops, b->opaque) < 0))
		b->addr = PCI_BAR_UNMAPPED;
	if (d->ops->bar_moved)
		d->ops->bar_moved(d->opaque, i, b->addr);
}

static void bars_update(struct pci_dev *d)
{
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		bar_update(d, i);
}

static void pirq_adjust(struct pci_bus *bus, unsigned int pirq, int delta)
{
	unsigned int before = bus->pirq_count[pirq];

	assert(pirq < 4 && (delta > 0 || before > 0));	/* no underflow */
	bus->pirq_count[pirq] += delta;
	if (!before != !bus->pirq_count[pirq] && bus->set_pirq)
		bus->set_pirq(bus->pirq_opaque, pirq, bus->pirq_count[pirq] != 0);
}

/* Recompute what the function drives onto its PIRQ. */
static void irq_update(struct pci_dev *d)
{
	unsigned int pin = d->config[PCI_INTERRUPT_PIN];
	int out;

	if (!pin)
		return;
	out = d->irq_level &&
	      !(d->config[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8));
	if (d->irq_level)
		d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
	if (out == d->irq_out)
		return;
	d->irq_out = out;
	pirq_adjust(d->bus, (PCI_SLOT(d->devfn) + pin - 2) & 3, out ? 1 : -1);
}

void pci_dev_set_irq(struct pci_dev *d, int level)
{
	d->irq_level = level ? 1 : 0;
	irq_update(d);
}

uint32_t pci_config_read(struct pci_bus *bus, unsigned int devfn,
			 unsigned int off, unsigned int size)
{
	struct pci_dev *d;
	uint32_t v = 0;

	if (devfn > 255 || off > 255 || (size != 1 && size != 2 && size != 4) ||
	    (off & 3) + size > 4)
		return 0xffffffffu;
	d = bus->dev[devfn];
	if (!d)
		return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)d->config[off + i] << (8 * i);
	if (d->ops->config_read)
		v = d->ops->config_read(d->opaque, off, v, size);
	if (size < 4)
		v &= (1u << (8 * size)) - 1;
	return v;
}

void pci_config_write(struct pci_bus *bus, unsigned int devfn,
		      unsigned int off, uint32_t val, unsigned int size)
{
	struct pci_dev *d;
	bool touch_bars = false, touch_cmd = false;

	if (devfn > 255 || off > 255 || (size != 1 && size != 2 && size != 4) ||
	    (off & 3) + size > 4)
		return;
	d = bus->dev[devfn];
	if (!d)
		return;
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i)), m = d->wmask[o];

		d->config[o] = (d->config[o] & ~m) | (b & m);
		if (o == PCI_COMMAND || o == PCI_COMMAND + 1)
			touch_cmd = true;
		if ((o >= PCI_BAR0 && o < PCI_BAR0 + 24) ||
		    (o >= PCI_ROM_ADDRESS && o < PCI_ROM_ADDRESS + 4))
			touch_bars = true;
	}
	if (touch_cmd || touch_bars)
		bars_update(d);
	if (touch_cmd)
		irq_update(d);
	if (d->ops->config_write)
		d->ops->config_write(d->opaque, off, val, size);
}

/* All ones in an access of @size bytes (1-8): what an unclaimed read sees. */
static uint64_t pci_ones(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
}

static uint64_t pci_port_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pci_bus *bus = opaque;
	uint32_t a = bus->cfg_addr;

	if (off < 4) {
		if (off == 0 && size == 4)
			return bus->cfg_addr;
		if (off == 1 && size == 1 && bus->cf9_ops && bus->cf9_ops->read)
			return bus->cf9_ops->read(bus->cf9_opaque, 0, 1);
		return pci_ones(size);
	}
	off -= 4;
	if (!(a & PCI_CFG_ENABLE) || ((a >> 16) & 0xff) != 0 ||
	    off + size > 4)
		return pci_ones(size);
	return pci_config_read(bus, (a >> 8) & 0xff, (a & 0xfc) + off, size);
}

static void pci_port_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned int size)
{
	struct pci_bus *bus = opaque;
	uint32_t a = bus->cfg_addr;

	if (off < 4) {
		if (off == 0 && size == 4)
			bus->cfg_addr = (uint32_t)val & 0x80fffffcu;
		else if (off == 1 && size == 1 && bus->cf9_ops &&
			 bus->cf9_ops->write)
			bus->cf9_ops->write(bus->cf9_opaque, 0, val & 0xff, 1);
		return;
	}
	off -= 4;
	if (!(a & PCI_CFG_ENABLE) || ((a >> 16) & 0xff) != 0 ||
	    off + size > 4)
		return;
	pci_config_write(bus, (a >> 8) & 0xff, (a & 0xfc) + off,
			 (uint32_t)val, size);
}

/* Every width whole: CONFIG_ADDRESS decodes only dword accesses (others
 * read all ones), 0xCF9 only byte ones, CONFIG_DATA any. */
static const struct io_ops pci_port_ops = {
	.read = pci_port_read, .write = pci_port_write, .widths = IO_WANY,
};

static const struct io_range pci_bus_ranges[] = {
	{ PCI_CFG_ADDR_PORT, 8, &pci_port_ops },
};

static int pci_bus_init(void *dev, const struct dev_env *env,
			const struct dev_cfg *cfg)
{
	struct pci_bus *bus = dev;

	bus->env = *env;
	return 0;
}

/* Unmap every BAR and free every function still registered. */
static void pci_bus_fini(void *dev)
{
	struct pci_bus *bus = dev;

	for (unsigned int i = 0; i < 256; i++) {
		struct pci_dev *d = bus->dev[i];

		if (!d)
			continue;
		/* No callbacks: the device behind opaque may be gone. */
		for (unsigned int b = 0; b < PCI_NUM_BARS; b++) {
			struct pci_bar *bar = &d->bar[b];
			struct iospace *sp = (bar->flags & PCI_BAR_IO) ?
					     bus->env.pio : bus->env.mmio;

			if (bar->addr != PCI_BAR_UNMAPPED && bar->ops && sp)
				iospace_unmap(sp, bar->addr);
		}
		free(d);
	}
}

static void dev_header_reset(struct pci_dev *d)
{
	d->config[PCI_COMMAND] = 0;
	d->config[PCI_COMMAND + 1] = 0;
	d->config[PCI_CACHE_LINE_SIZE] = 0;
	d->config[PCI_LATENCY_TIMER] = 0;
	d->config[PCI_INTERRUPT_LINE] = 0;
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		uint32_t v = 0;

		if (d->bar[i].size && i != PCI_ROM_BAR)
			v = d->bar[i].flags & (PCI_BAR_IO | PCI_BAR_PREFETCH);
		cfg_put(d->config, bar_offset(i), v, 4);
	}
	bars_update(d);
	irq_update(d);
}

static void pci_bus_reset(void *dev)
{
	struct pci_bus *bus = dev;

	bus->cfg_addr = 0;
	for (unsigned int i = 0; i < 256; i++) {
		struct pci_dev *d = bus->dev[i];

		if (!d)
			continue;
		dev_header_reset(d);
		if (d->ops->reset)
			d->ops->reset(d->opaque);
	}
}

int pci_register_function(struct pci_bus *bus, unsigned int devfn,
			  const struct pci_dev_info *info,
			  const struct pci_func_ops *ops, void *opaque,
			  struct pci_dev **out)
{
	struct pci_dev *d;

	assert(bus && info);
	if (out)
		*out = NULL;
	if (devfn > 255 || info->int_pin > 4)
		return -EINVAL;
	if (bus->dev[devfn])
		return -EEXIST;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->bus = bus;
	d->devfn = devfn;
	d->ops = ops ? ops : &pci_no_ops;
	d->opaque = opaque;
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		d->bar[i].addr = PCI_BAR_UNMAPPED;
	cfg_put(d->config, PCI_VENDOR_ID, info->vendor, 2);
	cfg_put(d->config, PCI_DEVICE_ID, info->device, 2);
	d->config[PCI_REVISION_ID] = info->revision;
	cfg_put(d->config, PCI_CLASS_PROG, info->class_code, 3);
	d->config[PCI_HEADER_TYPE] = info->header_type;
	cfg_put(d->config, PCI_SUBSYSTEM_VENDOR_ID, info->subsys_vendor, 2);
	cfg_put(d->config, PCI_SUBSYSTEM_ID, info->subsys_id, 2);
	d->config[PCI_INTERRUPT_PIN] = info->int_pin;
	d->config[PCI_STATUS + 1] = 0x02;	/* DEVSEL# medium */
	d->wmask[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
				PCI_COMMAND_MASTER;
	d->wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	bus->dev[devfn] = d;
	if (out)
		*out = d;
	return 0;
}

void pci_unregister_function(struct pci_dev *d)
{
	if (!d)
		return;
	d->irq_level = 0;
	irq_update(d);
	d->ops = &pci_no_ops;
	d->config[PCI_COMMAND] = 0;
	bars_update(d);
	d->bus->dev[d->devfn] = NULL;
	free(d);
}

int pci_dev_set_bar(struct pci_dev *d, unsigned int bar, uint64_t size,
		    unsigned int flags, const struct io_ops *ops, void *opaque)
{
	unsigned int off = bar_offset(bar);
	uint32_t mask, v;
	bool io = flags & PCI_BAR_IO;

	if (bar >= PCI_NUM_BARS || size == 0 || (size & (size - 1)) ||
	    size > 0x80000000ull || (io && (size < 4 || size > 256)) ||
	    (!io && size < 16) || (bar == PCI_ROM_BAR && (io || size < 2048)))
		return -EINVAL;
	d->bar[bar].size = size;
	d->bar[bar].flags = flags;
	d->bar[bar].ops = ops;
	d->bar[bar].opaque = opaque;
	if (bar == PCI_ROM_BAR) {
		mask = (~(uint32_t)(size - 1) & ~0x7ffu) | 1;
		v = 0;
	} else if (io) {
		mask = ~(uint32_t)(size - 1) & ~3u;
		v = PCI_BAR_IO;
	} else {
		mask = ~(uint32_t)(size - 1) & ~0xfu;
		v = flags & PCI_BAR_PREFETCH;
	}
	cfg_put(d->wmask, off, mask, 4);
	cfg_put(d->config, off, v, 4);
	bar_update(d, bar);
	return 0;
}

uint64_t pci_dev_bar_addr(const struct pci_dev *d, unsigned int bar)
{
	return bar < PCI_NUM_BARS ? d->bar[bar].addr : PCI_BAR_UNMAPPED;
}

void pci_dev_set_wmask(struct pci_dev *d, unsigned int off, unsigned int len,
		       uint8_t mask)
{
	for (unsigned int i = off; i < off + len && i < 256; i++)
		d->wmask[i] = mask;
}

uint8_t *pci_dev_config(struct pci_dev *d)
{
	return d->config;
}

void pci_bus_set_pirq_router(struct pci_bus *bus,
			     void (*set_pirq)(void *opaque, unsigned int pirq,
					      int level),
			     void *opaque)
{
	bus->set_pirq = set_pirq;
	bus->pirq_opaque = opaque;
}

int pci_bus_pirq_level(const struct pci_bus *bus, unsigned int pirq)
{
	return pirq < 4 && bus->pirq_count[pirq] != 0;
}

void pci_bus_set_cf9(struct pci_bus *bus, const struct io_ops *ops,
		     void *opaque)
{
	bus->cf9_ops = ops;
	bus->cf9_opaque = opaque;
}

const struct dev_ops pci_bus_dev = {
	.name = "PCI bus", .size = sizeof(struct pci_bus),
	.init = pci_bus_init, .fini = pci_bus_fini, .reset = pci_bus_reset,
	.ranges = pci_bus_ranges, .nranges = 1,
};
