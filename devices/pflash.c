// SPDX-License-Identifier: GPL-2.0-only
/*
 * pflash.c --- CFI parallel NOR flash (Intel/Sharp basic command set, x8)
 *
 * Facts from the Common Flash Interface specification (JEDEC JESD68, the
 * query structure at byte offsets 0x10-0x30 in x8 mode) and Intel's
 * 28F-series datasheets (command codes, status register bits).  The model
 * is one x8 device: a command is the low byte of any write, the data of a
 * program is every byte of the write.  See pflash.h for the behaviour.
 */
#include <errno.h>
#include <string.h>

#include "devices/pflash.h"

#define CMD_PROGRAM		0x10
#define CMD_PROGRAM_ALT		0x40
#define CMD_ERASE		0x20
#define CMD_CLEAR_STATUS	0x50
#define CMD_READ_STATUS		0x70
#define CMD_READ_ID		0x90
#define CMD_QUERY		0x98
#define CMD_CONFIRM		0xd0
#define CMD_READ_ARRAY		0xff

#define CFI_LEN			0x31	/* query bytes 0x00-0x30 */

enum pflash_mode {
	PF_ARRAY,		/* reads return the array */
	PF_STATUS,		/* reads return the status register */
	PF_QUERY,		/* reads return the CFI query structure */
	PF_ID,			/* reads return the identifier codes */
};

enum pflash_pending {
	PF_NONE,
	PF_PROG,		/* the next write is the data */
	PF_ERASE,		/* the next write must be CMD_CONFIRM */
};

struct pflash {
	struct iospace		*mmio;		/* where we are mapped */
	struct pflash_cfg	cfg;		/* copy */
	enum pflash_mode	mode;
	enum pflash_pending	pending;
	uint8_t			status;		/* status register */
	uint8_t			cfi[CFI_LEN];	/* query structure */
	uint64_t		refused;	/* writes to a read-only device */
	uint64_t		writes;		/* programs and erases done */
};

static unsigned int log2_ceil(uint64_t v)
{
	unsigned int n = 0;

	while ((1ULL << n) < v)
		n++;
	return n;
}

/* The CFI query structure: "QRY", the Intel/Sharp command set, no
 * extended table, 2.7-3.6 V, typical/maximum timeouts, the size, the x8
 * interface, no write buffer, one erase region of equal blocks. */
static void cfi_build(struct pflash *p)
{
	uint64_t blocks = p->cfg.size / p->cfg.block_size;
	uint32_t unit = p->cfg.block_size / 256;
	uint8_t *q = p->cfi;

	memset(q, 0, sizeof(p->cfi));
	q[0x10] = 'Q';
	q[0x11] = 'R';
	q[0x12] = 'Y';
	q[0x13] = 0x01;			/* primary command set: Intel/Sharp */
	q[0x1b] = 0x27;			/* Vcc min 2.7 V (BCD volts.tenths) */
	q[0x1c] = 0x36;			/* Vcc max 3.6 V */
	q[0x1f] = 0x04;			/* byte program: 2^4 us typical */
	q[0x21] = 0x0a;			/* block erase: 2^10 ms typical */
	q[0x23] = 0x04;			/* program max: 2^4 x typical */
	q[0x25] = 0x04;			/* erase max: 2^4 x typical */
	q[0x27] = (uint8_t)log2_ceil(p->cfg.size);
	q[0x28] = 0x00;			/* interface: x8 asynchronous */
	q[0x2c] = 1;			/* erase block regions */
	q[0x2d] = (uint8_t)(blocks - 1);
	q[0x2e] = (uint8_t)((blocks - 1) >> 8);
	q[0x2f] = (uint8_t)unit;
	q[0x30] = (uint8_t)(unit >> 8);
}

static uint8_t read_byte(const struct pflash *p, uint64_t off)
{
	switch (p->mode) {
	case PF_STATUS:
		return p->status;
	case PF_QUERY:
		return off < CFI_LEN ? p->cfi[off] : 0;
	case PF_ID:
		return off == 0 ? PFLASH_MFR_INTEL :
		       off == 1 ? PFLASH_DEV_ID : 0;
	default:
		return p->cfg.data[off];
	}
}

static uint64_t pflash_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pflash *p = opaque;
	uint64_t v = 0;
	unsigned int i;

	if (p->mode == PF_ARRAY && off + size <= p->cfg.size) {
		memcpy(&v, p->cfg.data + off, size);	/* little-endian host */
		return v;
	}
	for (i = 0; i < size; i++)
		v |= (uint64_t)read_byte(p, off + i) << (8 * i);
	return v;
}

/* Program @size bytes of @val at @off: cells only go from 1 to 0. */
static void program(struct pflash *p, uint64_t off, uint64_t val,
		    unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size && off + i < p->cfg.size; i++)
		p->cfg.data[off + i] &= (uint8_t)(val >> (8 * i));
	p->writes++;
	p->status |= PFLASH_SR_READY;
}

static void erase(struct pflash *p, uint64_t off)
{
	uint64_t start = off & ~(uint64_t)(p->cfg.block_size - 1);

	memset(p->cfg.data + start, 0xff, p->cfg.block_size);
	p->writes++;
	p->status |= PFLASH_SR_READY;
}

static void command(struct pflash *p, uint8_t cmd)
{
	switch (cmd) {
	case CMD_PROGRAM:
	case CMD_PROGRAM_ALT:
		p->pending = PF_PROG;
		p->mode = PF_STATUS;
		break;
	case CMD_ERASE:
		p->pending = PF_ERASE;
		p->mode = PF_STATUS;
		break;
	case CMD_CLEAR_STATUS:
		p->status = 0;
		break;
	case CMD_READ_STATUS:
		p->mode = PF_STATUS;
		break;
	case CMD_READ_ID:
		p->mode = PF_ID;
		break;
	case CMD_QUERY:
		p->mode = PF_QUERY;
		break;
	case CMD_READ_ARRAY:
		p->mode = PF_ARRAY;
		break;
	default:			/* unknown: ignored, as 0xFF */
		p->mode = PF_ARRAY;
		break;
	}
}

static void pflash_write(void *opaque, uint64_t off, uint64_t val,
			 unsigned int size)
{
	struct pflash *p = opaque;
	enum pflash_pending pend = p->pending;

	if (p->cfg.readonly) {
		p->refused++;
		return;
	}
	p->pending = PF_NONE;
	if (pend == PF_PROG) {
		program(p, off, val, size);
		return;
	}
	if (pend == PF_ERASE) {
		if ((uint8_t)val == CMD_CONFIRM)
			erase(p, off);
		else		/* command sequence error */
			p->status |= PFLASH_SR_READY | PFLASH_SR_ERASE_ERR |
				     PFLASH_SR_PROG_ERR;
		p->mode = PF_STATUS;
		return;
	}
	command(p, (uint8_t)val);
}

static const struct io_ops pflash_ops = {
	.read = pflash_read, .write = pflash_write, .widths = IO_WANY,
};

static void pflash_reset(void *dev)
{
	struct pflash *p = dev;

	p->mode = PF_ARRAY;
	p->pending = PF_NONE;
	p->status = 0;
}

static int pflash_init(void *dev, const struct dev_env *env,
		       const struct dev_cfg *cfg)
{
	struct pflash *p = dev;
	const struct pflash_cfg *c = cfg->priv;

	if (!c || !c->data || !c->size || c->block_size < 256 ||
	    (c->block_size & (c->block_size - 1)) ||
	    c->size % c->block_size || c->size / c->block_size > 0x10000)
		return -EINVAL;
	p->cfg = *c;
	p->mmio = env->mmio;
	cfi_build(p);
	return iospace_map(env->mmio, c->base, c->size, &pflash_ops, p);
}

static void pflash_fini(void *dev)
{
	struct pflash *p = dev;

	iospace_unmap(p->mmio, p->cfg.base);
}

uint64_t pflash_refused(const struct pflash *p)
{
	return p->refused;
}

uint64_t pflash_writes(const struct pflash *p)
{
	return p->writes;
}

const struct dev_ops pflash_dev = {
	.name = "CFI flash", .size = sizeof(struct pflash),
	.init = pflash_init, .fini = pflash_fini, .reset = pflash_reset,
};
