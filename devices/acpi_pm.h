/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * acpi_pm.h --- ACPI fixed-hardware power-management register block
 *
 * The PM1a event block (PM1_STS at +0, PM1_EN at +2), the PM1a control
 * block (PM1_CNT at +4) and the PM timer (PM_TMR at +8, 32 bits at
 * 3.579545 MHz) of ACPI spec ch. 4.8, laid out like the PIIX4 PM I/O space
 * but not a PCI function: the FADT (board/acpi.c) points at fixed ports.
 * SMI_CMD is 0 in the FADT, so the block is always in ACPI mode (SCI_EN
 * reads 1 after reset).  The SCI is a level: SCI_EN && (PM1_STS & PM1_EN).
 * Writing SLP_EN with SLP_TYP = ACPI_SLP_TYP_S5 calls the power-off hook;
 * other sleep types are ignored (the DSDT declares only \_S5).
 */
#ifndef DUALVM_ACPI_PM_H
#define DUALVM_ACPI_PM_H

#include <stdint.h>

#include "devices/devices.h"

#define ACPI_PM_BASE		0x600	/* as QEMU's PIIX4 PM */
#define ACPI_PM_LEN		12	/* 0x600-0x60b */
#define ACPI_PM_SCI_IRQ		9
#define ACPI_PM_TIMER_HZ	3579545ULL

/* register offsets */
#define ACPI_PM1_STS		0
#define ACPI_PM1_EN		2
#define ACPI_PM1_CNT		4
#define ACPI_PM_TMR		8

/* PM1_STS / PM1_EN bits */
#define ACPI_PM1_TMR		(1u << 0)
#define ACPI_PM1_GBL		(1u << 5)
#define ACPI_PM1_PWRBTN		(1u << 8)
#define ACPI_PM1_SLPBTN		(1u << 9)
#define ACPI_PM1_RTC		(1u << 10)
#define ACPI_PM1_WAK		(1u << 15)	/* status only */

/* PM1_CNT bits */
#define ACPI_CNT_SCI_EN		(1u << 0)
#define ACPI_CNT_BM_RLD		(1u << 1)
#define ACPI_CNT_GBL_RLS	(1u << 2)	/* write-only */
#define ACPI_CNT_SLP_TYP_SHIFT	10
#define ACPI_CNT_SLP_TYP_MASK	(7u << 10)
#define ACPI_CNT_SLP_EN		(1u << 13)	/* write-only */
#define ACPI_PM_SLP_TYP_S5	5	/* = the DSDT's \_S5 (board/acpi.h) */

struct acpi_pm;

/*
 * dev_create(&acpi_pm_dev): the block at ports dev_cfg.base..+11 (0:
 * ACPI_PM_BASE) in env->pio, timer from env->clock, the SCI (a level) on
 * dev_cfg.irq[0].  Writing SLP_EN with the S5 sleep type calls
 * host->power_off(0, "ACPI S5").  dev_reset(): status and enables clear,
 * SCI_EN set, SCI low.
 */
extern const struct dev_ops acpi_pm_dev;

/* Press the power button: sets PWRBTN_STS (an SCI if PWRBTN_EN). */
void acpi_pm_power_button(struct acpi_pm *p);
/* Current PM timer value (what a read of PM_TMR returns). */
uint32_t acpi_pm_timer(struct acpi_pm *p);

#endif
