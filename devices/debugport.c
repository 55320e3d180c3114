// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugport.c --- POST code port 0x80 and firmware debug consoles 0x402/0xE9
 *
 * Port 0x80 is the PC's manufacturing-test (POST) port: writes are kept as
 * the current POST code and in a short history; reads return the last code.
 * Port 0x402 is the Bochs/QEMU-style debug console that SeaBIOS uses when
 * reading it returns 0xE9: each byte written goes to the host callback while
 * the console is enabled; disabled, the port reads 0xFF and drops writes so
 * the firmware does not bother producing its debug log.  Port 0xE9 (Bochs's
 * "port e9 hack", QEMU's isa-debugcon default) is the same console.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/debugport.h"

struct debugport {
	uint8_t		hist[DEBUGPORT_HISTORY];	/* POST code ring */
	unsigned int	hist_next;	/* next slot to write */
	unsigned int	hist_count;	/* valid entries, <= DEBUGPORT_HISTORY */
	uint8_t		post;		/* last POST code */
	bool		con_on;		/* 0x402 console enabled */
	const struct dev_host *host;	/* host->tx gets console bytes */
	unsigned int	unit;		/* our number in host->tx */
	bool		post_tx;	/* POST codes to host->tx too */
	unsigned int	post_unit;	/* as this unit */
};

static uint64_t post_read(void *opaque, uint64_t off, unsigned int size)
{
	struct debugport *d = opaque;

	return d->post;
}

static void post_write(void *opaque, uint64_t off, uint64_t val,
		       unsigned int size)
{
	struct debugport *d = opaque;

	d->post = (uint8_t)val;
	d->hist[d->hist_next] = d->post;
	d->hist_next = (d->hist_next + 1) % DEBUGPORT_HISTORY;
	if (d->hist_count < DEBUGPORT_HISTORY)
		d->hist_count++;
	if (d->post_tx)
		dev_host_tx(d->host, d->post_unit, d->post);
}

static uint64_t con_read(void *opaque, uint64_t off, unsigned int size)
{
	struct debugport *d = opaque;

	return d->con_on ? DEBUGPORT_CON_READBACK : 0xff;
}

static void con_write(void *opaque, uint64_t off, uint64_t val,
		      unsigned int size)
{
	struct debugport *d = opaque;

	if (d->con_on)
		dev_host_tx(d->host, d->unit, (uint8_t)val);
}

static const struct io_ops post_ops = {
	.read = post_read, .write = post_write, .widths = IO_W8,
};

static const struct io_ops con_ops = {
	.read = con_read, .write = con_write, .widths = IO_W8,
};

static const struct io_range dbg_ranges[] = {
	{ DEBUGPORT_POST, 1, &post_ops },
	{ DEBUGPORT_CON, 1, &con_ops },
	{ DEBUGPORT_E9, 1, &con_ops },
};

void debugport_set_console(struct debugport *d, bool on)
{
	d->con_on = on && d->host && d->host->tx;
}

uint8_t debugport_post_code(struct debugport *d)
{
	return d->post;
}

unsigned int debugport_post_history(struct debugport *d, uint8_t *buf,
				    unsigned int n)
{
	unsigned int k = n < d->hist_count ? n : d->hist_count;
	unsigned int first = (d->hist_next + DEBUGPORT_HISTORY - k) %
			     DEBUGPORT_HISTORY;

	for (unsigned int i = 0; i < k; i++)
		buf[i] = d->hist[(first + i) % DEBUGPORT_HISTORY];
	return k;
}

static void debugport_reset(void *dev)
{
	struct debugport *d = dev;

	memset(d->hist, 0, sizeof(d->hist));
	d->hist_next = 0;
	d->hist_count = 0;
	d->post = 0;
}

static int debugport_init(void *dev, const struct dev_env *env,
			  const struct dev_cfg *cfg)
{
	const struct debugport_cfg *dc = cfg->priv;
	struct debugport *d = dev;

	d->host = cfg->host;
	d->unit = cfg->unit;
	d->post_tx = dc && dc->post_tx;
	d->post_unit = dc ? dc->post_unit : 0;
	debugport_set_console(d, dc && dc->console);
	return 0;
}

const struct dev_ops debugport_dev = {
	.name = "debug port", .size = sizeof(struct debugport),
	.init = debugport_init, .reset = debugport_reset,
	.ranges = dbg_ranges, .nranges = 3,
};
