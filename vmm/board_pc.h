/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * board_pc.h --- the PC board's device set (private to vmm/)
 *
 * Shared by board_pc.c (device table) and board_fw.c (what the firmware
 * reads: CMOS fields and fw_cfg items).
 */
#ifndef DUALVM_BOARD_PC_H
#define DUALVM_BOARD_PC_H

#include <stdbool.h>

#include "hw/hw.h"

struct machine;

struct board_pc {
	struct machine		*m;		/* owner */
	struct pic		*pic;		/* 8259 pair */
	struct pit		*pit;		/* 8254 */
	struct rtc		*rtc;		/* MC146818 + CMOS */
	struct serial		*com[2];	/* COM1, COM2 */
	struct i8042		*kbd;		/* keyboard controller */
	struct debugport	*dbg;		/* 0x80 / 0x402 */
	struct fw_cfg		*fwcfg;		/* QEMU fw_cfg */
	struct pci_bus		*pci;		/* bus 0 */
	struct i440fx		*nb;		/* host bridge 00:00.0 */
	struct piix3		*sb;		/* ISA bridge 00:01.0 */
	struct ide		*ide;		/* IDE 00:01.1 */
	struct vga		*vga;		/* stdvga 00:02.0, or NULL */
	struct acpi_pm		*pm;		/* ACPI PM block, SCI IRQ 9 */
	struct irq_line		isa_irq[16];	/* ISA IRQ inputs */
	bool			exit_mapped;	/* exit port registered */
	char			why[200];	/* detail of a create error */
};

/* Fill the CMOS memory/boot fields (if there is an RTC) and the fw_cfg
 * items.  0 or -errno. */
int board_pc_fw_tables(struct board_pc *b);

/* IDE position of the CD-ROM (secondary master). */
#define BOARD_CDROM_POS	2

#endif
