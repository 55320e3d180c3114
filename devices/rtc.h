/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rtc.h --- Motorola MC146818 real-time clock and 128 bytes of CMOS RAM
 *
 * Index port 0x70 (bit 7 = NMI mask), data port 0x71.  The time of day is
 * the creation epoch plus virtual time; interrupts (periodic, alarm,
 * update-ended) are on IRQ8.
 */
#ifndef DUALVM_DEVICES_RTC_H
#define DUALVM_DEVICES_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"

#define RTC_BASE	0x70
#define RTC_CMOS_SIZE	128

struct rtc;

/* dev_cfg.priv of rtc_dev (required). */
struct rtc_cfg {
	int64_t		epoch;		/* time of day at virtual time 0, in
					 * seconds since 1970-01-01 00:00:00 UTC
					 * (chosen by the board: never read
					 * from the host here) */
};

/*
 * dev_create(&rtc_dev): the clock set from struct rtc_cfg, registers A-D at
 * their power-on values (24h, BCD, 32.768 kHz divider running), 0x70-0x71
 * mapped; interrupts on dev_cfg.irq[0] (IRQ8).  -EINVAL without a
 * struct rtc_cfg.  reset() acts as the RESET pin: clears PIE/AIE/UIE and
 * the flags in C; the time and CMOS RAM are kept.
 */
extern const struct dev_ops rtc_dev;

/*
 * Board access to CMOS RAM bytes 0x0e-0x7f (indices < 0x0e are the clock
 * registers and are ignored by set, read as the guest would by get).
 * Out-of-range @idx: set ignores, get returns 0xff.
 */
void rtc_cmos_set(struct rtc *r, unsigned int idx, uint8_t val);
uint8_t rtc_cmos_get(struct rtc *r, unsigned int idx);
/* True when the guest has set port 0x70 bit 7 (NMIs disabled). */
bool rtc_nmi_masked(struct rtc *r);

#endif
