/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * debugport.h --- POST code port 0x80 and the debug consoles 0x402, 0xE9
 *
 * Port 0x80 keeps the last POST code the firmware wrote (and a short history
 * for logs), and can report each one.  Port 0x402 is the debug console
 * SeaBIOS writes to when it reads back 0xE9 from it, port 0xE9 the Bochs
 * one (same behaviour); bytes go to a callback, and only when enabled.
 */
#ifndef DUALVM_DEVICES_DEBUGPORT_H
#define DUALVM_DEVICES_DEBUGPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

#define DEBUGPORT_POST		0x80
#define DEBUGPORT_CON		0x402
#define DEBUGPORT_E9		0xe9	/* Bochs/QEMU debugcon port */
#define DEBUGPORT_CON_READBACK	0xe9	/* what 0x402 reads when enabled */
#define DEBUGPORT_HISTORY	16

struct debugport;

/* dev_cfg.priv of debugport_dev (optional). */
struct debugport_cfg {
	bool		console;	/* the 0x402/0xE9 console starts enabled */
	bool		post_tx;	/* each POST code also goes to host->tx
					 * as unit post_unit */
	unsigned int	post_unit;	/* host->tx unit of POST codes */
};

/*
 * dev_create(&debugport_dev): ports 0x80, 0x402 and 0xE9 mapped on
 * env->pio.  Each byte written to 0x402 or 0xE9 while the console is
 * enabled goes to host->tx with dev_cfg.unit; the console starts enabled iff there is a host->tx
 * and struct debugport_cfg says so.  reset() forgets the POST codes.
 */
extern const struct dev_ops debugport_dev;

/* Turn the 0x402 console on or off (no effect without host->tx). */
void debugport_set_console(struct debugport *d, bool on);
/* Last POST code written to port 0x80 (0 after reset). */
uint8_t debugport_post_code(struct debugport *d);
/*
 * Copy up to @n most recent POST codes, oldest first, into @buf; returns
 * how many were copied (at most DEBUGPORT_HISTORY).
 */
unsigned int debugport_post_history(struct debugport *d, uint8_t *buf,
				    unsigned int n);

#endif
