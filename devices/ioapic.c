// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioapic.c --- I/O APIC: 24 redirection entries turned into APIC messages
 *
 * Facts from the Intel 82093AA I/O APIC datasheet (sections 3.0-3.2) and
 * the ICH9 datasheet's I/O APIC chapter (version 0x20: the EOI register):
 *   - indirect access: IOREGSEL (+0x00) selects a register, IOWIN (+0x10)
 *     reads/writes it as 32 bits; EOI (+0x40) takes a vector.
 *   - registers: 0x00 ID (bits 27:24), 0x01 version (bits 23:16 maximum
 *     redirection entry = 23, bits 7:0 version), 0x02 arbitration ID,
 *     0x10 + 2n / 0x11 + 2n the low / high half of entry n.
 *   - entry: 7:0 vector, 10:8 delivery mode, 11 destination mode
 *     (1 logical), 12 delivery status (RO), 13 polarity (1 low), 14 remote
 *     IRR (RO), 15 trigger (1 level), 16 mask, 63:56 destination.
 *   - edge entries send a message on each rising edge of an unmasked pin;
 *     level entries send while the pin is asserted and remote IRR is clear,
 *     set remote IRR, and the EOI with a matching vector clears it.
 * The polarity bit is stored and read back; the lines of dualvm are
 * already logical levels (1 = asserted), so it does not invert them.
 */
#include <errno.h>
#include <string.h>

#include "devices/ioapic.h"

#define RE_VECTOR	0xffull
#define RE_MODE_SHIFT	8
#define RE_LOGICAL	(1ull << 11)
#define RE_STATUS	(1ull << 12)
#define RE_POLARITY	(1ull << 13)
#define RE_REMOTE_IRR	(1ull << 14)
#define RE_LEVEL	(1ull << 15)
#define RE_MASK		(1ull << 16)
#define RE_DEST_SHIFT	56
/* bits the guest may write (the rest is read only or reserved) */
#define RE_WRITABLE	(RE_VECTOR | 0x700ull | RE_LOGICAL | RE_POLARITY | \
			 RE_LEVEL | RE_MASK | (0xffull << RE_DEST_SHIFT))

#define REG_ID		0x00
#define REG_VERSION	0x01
#define REG_ARB		0x02
#define REG_REDIR	0x10

struct ioapic {
	const struct dev_host	*host;		/* apic_msg */
	struct iospace		*mmio;		/* where the registers are */
	uint8_t			id;		/* 4-bit I/O APIC ID */
	uint8_t			reset_id;	/* dev_cfg.unit: ID at reset */
	uint8_t			sel;		/* IOREGSEL */
	uint32_t		levels;		/* bit n: pin n asserted */
	uint64_t		redir[IOAPIC_PINS];	/* redirection table */
};

static void ioapic_send(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->redir[pin];
	struct apic_msg m = {
		.vector = (uint8_t)(e & RE_VECTOR),
		.mode = (uint8_t)(e >> RE_MODE_SHIFT & 7),
		.dest = (uint8_t)(e >> RE_DEST_SHIFT),
		.logical = (e & RE_LOGICAL) != 0,
		.level = (e & RE_LEVEL) != 0,
		.assert = true,
	};

	if (m.level)
		io->redir[pin] |= RE_REMOTE_IRR;
	dev_host_apic_msg(io->host, &m);
}

/* A level entry whose pin is asserted: send unless masked or waiting. */
static void ioapic_service(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->redir[pin];

	if ((e & RE_LEVEL) && !(e & (RE_MASK | RE_REMOTE_IRR)) &&
	    (io->levels >> pin & 1))
		ioapic_send(io, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned int pin, int level)
{
	uint32_t bit = 1u << pin;
	bool was;

	if (pin >= IOAPIC_PINS)
		return;
	was = (io->levels & bit) != 0;
	if (level)
		io->levels |= bit;
	else
		io->levels &= ~bit;
	if (!level)
		return;
	if (io->redir[pin] & RE_LEVEL)
		ioapic_service(io, pin);
	else if (!was && !(io->redir[pin] & RE_MASK))
		ioapic_send(io, pin);
}

static void ioapic_line_set(void *opaque, unsigned int n, int level)
{
	ioapic_set_irq(opaque, n, level);
}

struct irq_line ioapic_irq_line(void *ioapic, unsigned int pin)
{
	struct irq_line l = { NULL, NULL, 0 };

	if (pin < IOAPIC_PINS) {
		l.set = ioapic_line_set;
		l.opaque = ioapic;
		l.n = pin;
	}
	return l;
}

void ioapic_eoi(void *ioapic, uint8_t vector)
{
	struct ioapic *io = ioapic;
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];

		if (!(e & RE_LEVEL) || (e & RE_VECTOR) != vector ||
		    !(e & RE_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~RE_REMOTE_IRR;
		ioapic_service(io, pin);
	}
}

uint64_t ioapic_redir(const struct ioapic *io, unsigned int pin)
{
	return pin < IOAPIC_PINS ? io->redir[pin] : 0;
}

static uint32_t ioapic_reg_read(struct ioapic *io)
{
	unsigned int n;

	switch (io->sel) {
	case REG_ID:
	case REG_ARB:
		return (uint32_t)io->id << 24;
	case REG_VERSION:
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	}
	if (io->sel < REG_REDIR || io->sel >= REG_REDIR + 2 * IOAPIC_PINS)
		return 0;
	n = (io->sel - REG_REDIR) / 2;
	return (uint32_t)(io->redir[n] >> (io->sel & 1 ? 32 : 0));
}

static void ioapic_reg_write(struct ioapic *io, uint32_t v)
{
	unsigned int n;
	uint64_t e;

	if (io->sel == REG_ID) {
		io->id = v >> 24 & 0xf;
		return;
	}
	if (io->sel < REG_REDIR || io->sel >= REG_REDIR + 2 * IOAPIC_PINS)
		return;
	n = (io->sel - REG_REDIR) / 2;
	e = io->redir[n];
	if (io->sel & 1)
		e = (e & 0xffffffffull) | (uint64_t)v << 32;
	else
		e = (e & ~0xffffffffull) | v;
	io->redir[n] = (io->redir[n] & ~RE_WRITABLE) | (e & RE_WRITABLE);
	if (!(io->redir[n] & RE_LEVEL))
		io->redir[n] &= ~RE_REMOTE_IRR;
	ioapic_service(io, n);	/* unmasked with the line asserted */
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t off, unsigned int size)
{
	struct ioapic *io = opaque;

	switch (off) {
	case 0x00:
		return io->sel;
	case 0x10:
		return ioapic_reg_read(io);
	}
	return 0;
}

static void ioapic_mmio_write(void *opaque, uint64_t off, uint64_t val,
			      unsigned int size)
{
	struct ioapic *io = opaque;

	switch (off) {
	case 0x00:
		io->sel = (uint8_t)val;
		break;
	case 0x10:
		ioapic_reg_write(io, (uint32_t)val);
		break;
	case 0x40:
		ioapic_eoi(io, (uint8_t)val);
		break;
	}
}

/* 32-bit registers; narrower reads are served from the aligned dword */
static const struct io_ops ioapic_ops = {
	.read = ioapic_mmio_read, .write = ioapic_mmio_write, .widths = IO_W32,
};

static void ioapic_reset(void *dev)
{
	struct ioapic *io = dev;
	unsigned int pin;

	io->sel = 0;
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->redir[pin] = RE_MASK;
	io->id = io->reset_id;
}

static int ioapic_init(void *dev, const struct dev_env *env,
		       const struct dev_cfg *cfg)
{
	struct ioapic *io = dev;

	if (cfg->unit > 15)
		return -EINVAL;
	io->host = cfg->host;
	io->reset_id = (uint8_t)cfg->unit;
	io->mmio = env->mmio;
	return iospace_map(env->mmio, IOAPIC_BASE, IOAPIC_SIZE, &ioapic_ops, io);
}

static void ioapic_fini(void *dev)
{
	struct ioapic *io = dev;

	iospace_unmap(io->mmio, IOAPIC_BASE);
}

const struct dev_ops ioapic_dev = {
	.name = "I/O APIC", .size = sizeof(struct ioapic),
	.init = ioapic_init, .fini = ioapic_fini, .reset = ioapic_reset,
};
