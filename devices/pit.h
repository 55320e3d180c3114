/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pit.h --- Intel 8254 programmable interval timer and port 0x61
 *
 * Three counters at ports 0x40-0x42, control word at 0x43, clocked at
 * 1.193182 MHz derived from the virtual clock.  Counter 0's OUT drives IRQ0;
 * counter 2's gate and output are on system control port B (0x61), which
 * also carries the speaker enable and the refresh-request toggle.
 */
#ifndef DUALVM_DEVICES_PIT_H
#define DUALVM_DEVICES_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

#define PIT_BASE	0x40	/* counters 0-2, control word at +3 */
#define PIT_PORT_B	0x61	/* system control port B */
#define PIT_FREQ_HZ	1193182ULL

struct pit;

/*
 * dev_create(&pit_dev): all counters unprogrammed (OUT low), 0x40-0x43 and 0x61
 * mapped on env->pio; dev_cfg.irq[0] is driven by counter 0's OUT (IRQ0).
 * dev_reset(): counters unprogrammed, port B cleared.  dev_destroy(): unmap,
 * cancel timers, free.
 */
extern const struct dev_ops pit_dev;

/* Level of counter @ch's OUT pin (0-2) at the current virtual time. */
bool pit_out(struct pit *p, unsigned int ch);
/* Whether the speaker is sounding (port 0x61 bits 0 and 1 set). */
bool pit_speaker_on(struct pit *p);

#endif
