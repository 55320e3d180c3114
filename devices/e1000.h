/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * e1000.h --- Intel 82540EM Gigabit Ethernet controller (PCI 8086:100E)
 *
 * The 82540EM as the PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual (Intel 8254x SDM) describes it: registers in
 * a 128 KiB memory BAR0 and through the IOADDR/IODATA window of I/O BAR1,
 * a 64-word Microwire EEPROM (MAC address, checksum 0xBABA) read through
 * EERD or bit-banged through EECD, an M88E1011-like PHY behind MDIC with
 * the link up at 1000 Mb/s full duplex, interrupt cause/mask/set/clear
 * with ITR throttling, the legacy receive ring and the legacy, context and
 * data transmit descriptors (IP/TCP/UDP checksum insertion, TCP
 * segmentation), unicast (RAL/RAH), multicast table, broadcast and
 * promiscuous receive filtering, and the statistics block.
 *
 * Every guest-controlled value (ring bases and lengths, heads, tails,
 * descriptor lengths and offsets) is checked; DMA goes only through
 * env->dma and only while the guest enabled bus mastering.  A malformed
 * descriptor is skipped or its frame dropped, never trusted; every ring
 * walk is bounded by the ring size.
 */
#ifndef DUALVM_DEVICES_E1000_H
#define DUALVM_DEVICES_E1000_H

#include <stdint.h>

#include "devices/devices.h"

#define E1000_DEVFN		PCI_DEVFN(3, 0)
#define E1000_VENDOR		0x8086
#define E1000_DEVICE		0x100e		/* 82540EM desktop */
#define E1000_MMIO_SIZE		0x20000		/* BAR0 */
#define E1000_IO_SIZE		0x40		/* BAR1 (IOADDR, IODATA) */

/* dev_cfg.priv of e1000_dev (required). */
struct e1000_cfg {
	struct netdev	*net;		/* link to the host (borrowed, must
					 * outlive the NIC), or NULL: no
					 * cable (frames sent are dropped) */
	uint8_t		mac[NET_ETH_ALEN];	/* EEPROM address */
	const void	*rom;		/* option ROM image (copied) or NULL */
	size_t		rom_len;	/* its size, <= 1 MiB */
};

/*
 * dev_create(&e1000_dev): PCI function E1000_DEVFN of dev_cfg.pci (which
 * is required) with BAR0 (MMIO), BAR1 (I/O) and, with a ROM, the
 * expansion ROM BAR; INTA#.  -EINVAL (no bus, no struct e1000_cfg, a ROM
 * over 1 MiB), -ENOMEM or a registration error.
 * dev_reset(): power-on state (the EEPROM keeps the MAC); the link is up.
 * dev_destroy(): detach from the netdev, unregister (before the bus's),
 * free.
 */
extern const struct dev_ops e1000_dev;

#endif
