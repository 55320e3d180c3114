/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * board_priv.h --- the machine and the PC board's device set (private to
 * board/)
 *
 * Shared by machine.c (memory, I/O spaces, clock, bus), board_pc.c (the
 * device table) and board_fw.c (what the firmware reads: CMOS fields and
 * fw_cfg items).  The unit tests of board/ include it too.
 */
#ifndef DUALVM_BOARD_PRIV_H
#define DUALVM_BOARD_PRIV_H

#include <stdbool.h>

#include "board/board.h"
#include "devices/devices.h"

struct memmap;
struct board_pc;

struct machine {
	struct machine_cfg	cfg;		/* copy of the creation config */
	struct memmap		*mem;		/* guest-physical memory */
	struct iospace		*pio;		/* 64 KiB port space */
	struct iospace		*mmio;		/* MMIO space */
	struct vclock		*clock;		/* virtual time */
	struct dev_env		env;		/* handed to every device */
	struct machine_bus	bus;		/* what engines call */
	struct board_pc		*board;		/* the devices */
	struct machine_cpu	cpu;		/* attached engine's hooks */
	bool			reset_pending;	/* guest asked for a reset */
	bool			poweroff;	/* guest powered off */
	int			exit_status;	/* status written at power-off */
	bool			a20;		/* A20 gate (info only for KVM) */
};

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

/* board_pc.c: the devices, built, reset and destroyed from one table. */
int board_pc_create(struct machine *m, struct board_pc **out, char *why,
		    size_t len);
void board_pc_destroy(struct board_pc *b);
void board_pc_reset(struct board_pc *b);

/* board_fw.c: fill the CMOS memory/boot fields (if there is an RTC) and
 * the fw_cfg items.  0 or -errno. */
int board_pc_fw_tables(struct board_pc *b);

/* machine.c: what the devices' board callbacks reach. */
void machine_set_a20(struct machine *m, bool on);
void machine_map_changed(struct machine *m);
/* The interrupt controller's INTR output changed (@opaque: the machine). */
void machine_intr_changed(void *opaque, bool level);

#endif
