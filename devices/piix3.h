/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * piix3.h --- Intel 82371SB PIIX3 PCI-to-ISA bridge (function 00:01.0)
 *
 * Models the parts of the PIIX3 function 0 (Intel 82371FB/SB datasheet,
 * order 290550, ch. 2.2 and 2.7) a PC BIOS and OS touch: ID 8086:7000,
 * class 0x060100, multi-function header, the PIRQ route control registers
 * PIRQRCA-PIRQRCD (0x60-0x63: bit 7 disables, bits 3:0 pick ISA IRQ 3-7,
 * 9-12, 14, 15) that steer PCI INTx# onto ISA IRQ lines, the Port 92 System
 * Control register (bit 1 fast A20, bit 0 fast reset) and the Reset Control
 * Register at port 0xCF9 (bit 2 resets the system, bit 1 selects hard
 * reset).  ELCR (0x4D0/0x4D1) lives in the PIC model.
 */
#ifndef DUALVM_PIIX3_H
#define DUALVM_PIIX3_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"
#include "devices/pci.h"

struct pci_bus;
struct pci_dev;

#define PIIX3_DEVFN		PCI_DEVFN(1, 0)
#define PIIX3_PIRQRC		0x60	/* config offset of PIRQRCA */

struct piix3;

/*
 * dev_create(&piix3_dev): function 00:01.0 of dev_cfg.pci (required: -EINVAL
 * without), the PIRQ router of that bus, port 0x92 in env->pio and 0xCF9
 * through pci_bus_set_cf9().  dev_cfg.irq[0-15] are the ISA IRQ inputs of
 * the interrupt controller the PCI PIRQs are ORed onto (lines without
 * .set are never driven).  Port 0x92 bit 1 goes to host->set_a20; a reset
 * request (port 0x92 bit 0 0->1, or 0xCF9 bit 2 0->1) to host->reset with
 * @hard = 0xCF9 bit 1.  dev_reset(): PIRQ routes disabled (0x80), port 0x92 =
 * 0 (A20 state not re-reported).  dev_destroy() before the bus's.
 */
extern const struct dev_ops piix3_dev;

/* Current A20 bit of port 0x92 (for the board's own A20 bookkeeping). */
bool piix3_a20(const struct piix3 *p);

#endif
