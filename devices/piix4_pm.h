/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * piix4_pm.h --- the PIIX4 power-management function 00:01.3, as UEFI
 * firmware looks for it
 *
 * OVMF on an i440FX board finds its ACPI PM timer through PCI function
 * 00:01.3 (Intel 82371AB PIIX4 function 3, 8086:7113): PMBA (0x40, bits
 * 15:6 the I/O base, bit 0 "I/O space") and PMREGMISC (0x80, bit 0 PMIOSE
 * "PM I/O space enabled").  dualvm's PM block (acpi_pm.c) sits at a fixed
 * port base, so this function reports it already placed and enabled: both
 * registers read the fixed values and ignore writes, which is what a
 * firmware finds after a platform set them up (it then reads them and does
 * not program its own base).  Only the UEFI board has it: SeaBIOS would
 * move the block to its own base.
 */
#ifndef DUALVM_DEVICES_PIIX4_PM_H
#define DUALVM_DEVICES_PIIX4_PM_H

#include "devices/devices.h"
#include "devices/pci.h"

#define PIIX4_PM_DEVFN		PCI_DEVFN(1, 3)
#define PIIX4_PM_PMBA		0x40	/* PM base address */
#define PIIX4_PM_PMREGMISC	0x80	/* bit 0: PM I/O space enabled */

/*
 * dev_create(&piix4_pm_dev): function 00:01.3 on dev_cfg.pci reporting
 * the PM block at dev_cfg.base (0: ACPI_PM_BASE), enabled.  -EINVAL
 * without a bus.
 */
extern const struct dev_ops piix4_pm_dev;

#endif
