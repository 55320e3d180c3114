/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * i440fx.h --- Intel 82441FX PCI and Memory Controller (host bridge 00:00.0)
 *
 * Models the configuration registers of the 440FX PMC (Intel 82441FX
 * datasheet, order 290549, ch. 3.2) that a BIOS programs: ID 8086:1237,
 * class 0x060000, the Programmable Attribute Map registers PAM0-PAM6
 * (0x59-0x5F) that make the legacy BIOS/option-ROM windows read and/or
 * write RAM instead of ROM, and the SMRAM control register (0x72).  The
 * memory map itself belongs to the board: every PAM change is reported
 * through a callback so the board can shadow ROM.
 */
#ifndef DUALVM_I440FX_H
#define DUALVM_I440FX_H

#include <stdint.h>

#include "devices/devices.h"
#include "devices/pci.h"

struct pci_bus;
struct pci_dev;

/*
 * PAM regions: 0 = 0xF0000-0xFFFFF (64 KiB, PAM0 bits 5:4), then 1..12 =
 * the 16 KiB regions 0xC0000, 0xC4000, ... 0xEC000 (PAM1 bits 1:0, PAM1
 * bits 5:4, PAM2 bits 1:0, ...).
 */
#define I440FX_PAM_REGIONS	13
#define I440FX_PAM_RE		0x1	/* mode: reads go to DRAM */
#define I440FX_PAM_WE		0x2	/* mode: writes go to DRAM */

#define I440FX_PAM0		0x59	/* config offset of PAM0 */
#define I440FX_SMRAM		0x72	/* SMRAM control register */

struct i440fx;

/* First guest-physical byte and size of PAM region @region (0-12). */
uint64_t i440fx_pam_base(unsigned int region);
uint64_t i440fx_pam_size(unsigned int region);

/*
 * dev_create(&i440fx_dev): function 00:00.0 of dev_cfg.pci (required:
 * -EINVAL without).  host->pam is told of every region whose mode
 * changes, including from reset() (all regions back to mode 0: ROM/PCI,
 * no DRAM).  dev_destroy() unregisters the function (before the bus's).
 */
extern const struct dev_ops i440fx_dev;

/* Current mode (I440FX_PAM_*) of region @region; 0 for a bad index. */
unsigned int i440fx_pam_mode(const struct i440fx *h, unsigned int region);
/* Current SMRAM control register value. */
uint8_t i440fx_smram(const struct i440fx *h);

#endif
