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
	struct dev_host		host;		/* what devices call: machine.c */
	bool			reset_pending;	/* guest asked for a reset */
	bool			poweroff;	/* guest powered off */
	int			exit_status;	/* status written at power-off */
	bool			a20;		/* A20 gate (info only for KVM) */
};

/* The board's devices, in build order (board_pc.c's table). */
enum board_slot_id {
	BD_PIC,		/* 8259 pair: the ISA IRQ lines come from it */
	BD_IOAPIC,	/* I/O APIC at 0xFEC00000: ISA IRQs fan out to it */
	BD_PIT,		/* 8254 */
	BD_RTC,		/* MC146818 + CMOS */
	BD_COM1,	/* 16550A at 0x3F8 */
	BD_COM2,	/* 16550A at 0x2F8 */
	BD_KBD,		/* i8042 + PS/2 keyboard and mouse */
	BD_DBG,		/* POST port 0x80, debug console 0x402 */
	BD_PCI,		/* PCI bus 0 */
	BD_NB,		/* i440FX host bridge 00:00.0 */
	BD_SB,		/* PIIX3 ISA bridge 00:01.0 */
	BD_IDE,		/* PIIX3 IDE 00:01.1 */
	BD_VGA,		/* stdvga 00:02.0 (only with machine_cfg.vga) */
	BD_NIC,		/* e1000 00:03.0 (only with machine_cfg.nic) */
	BD_PM,		/* ACPI PM block, SCI on ISA IRQ 9 */
	BD_FWCFG,	/* QEMU fw_cfg */
	BD_EXIT,	/* MACHINE_EXIT_PORT */
	BD_PMFN,	/* PIIX4 PM function 00:01.3 (only with uefi) */
	BD_FLASH_CODE,	/* OVMF's code, read-only flash (only with uefi) */
	BD_FLASH_VARS,	/* the variable store flash below it (uefi) */
	BD_N
};

/* Character units of dev_host.tx: COM1 = 0, COM2 = 1, then this one. */
#define BOARD_DEBUGCON_UNIT	2
/* ... and POST codes (port 0x80) when machine_cfg.post_out is set. */
#define BOARD_POST_UNIT		3
/* I/O APIC ID (its MADT entry); xAPIC IDs are a space apart from the
 * local APICs', 0 as on QEMU's PC. */
#define BOARD_IOAPIC_ID		0

struct board_pc {
	struct machine		*m;		/* owner */
	void			*dev[BD_N];	/* instances; NULL: absent */
	struct irq_line		isa_irq[16];	/* ISA IRQ n: fans out to */
	struct irq_line		isa_pic[16];	/* the PIC's input n and */
	struct irq_line		isa_gsi[16];	/* the I/O APIC's pin (IRQ0:
						 * pin 2, the MADT override) */
	/* device-specific settings (dev_cfg.priv), filled before creation */
	struct pic_cfg		pic_cfg;	/* the SCI is level-triggered */
	struct rtc_cfg		rtc_cfg;	/* power-on time */
	struct debugport_cfg	dbg_cfg;	/* debug console on or off */
	struct ide_cfg		ide_cfg;	/* the drives */
	struct vga_cfg		vga_cfg;	/* the VGA BIOS image */
	struct e1000_cfg	nic_cfg;	/* the NIC's link and MAC */
	struct pflash_cfg	code_cfg;	/* UEFI code flash */
	struct pflash_cfg	vars_cfg;	/* UEFI variable store flash:
						 * data = the NVRAM file mapped
						 * shared (board_fw.c) */
	char			why[200];	/* detail of a create error */
};

/* board_pc.c: the devices, built, reset and destroyed from one table. */
int board_pc_create(struct machine *m, struct board_pc **out, char *why,
		    size_t len);
void board_pc_destroy(struct board_pc *b);
void board_pc_reset(struct board_pc *b);
/* A local APIC's EOI broadcast for a level-triggered @vector. */
void board_pc_apic_eoi(struct board_pc *b, uint8_t vector);

/* board_fw.c: fill the CMOS memory/boot fields (if there is an RTC) and
 * the fw_cfg items.  0 or -errno. */
int board_pc_fw_tables(struct board_pc *b);
/* board_fw.c: read the VGA BIOS into b->vga_cfg (freed by
 * board_pc_destroy()).  0 or -errno with the reason in b->why. */
int board_pc_load_vga_rom(struct board_pc *b);
/* board_fw.c: read machine_cfg.nic_rom into b->nic_cfg (freed by
 * board_pc_destroy()).  0 or -errno with the reason in b->why. */
int board_pc_load_nic_rom(struct board_pc *b);
/* board_fw.c: open machine_cfg.nvram_path (created from the template the
 * first time) and map it shared into b->vars_cfg; the code flash from the
 * loaded firmware into b->code_cfg.  0 or -errno with the reason in
 * b->why. */
int board_pc_load_nvram(struct board_pc *b);
/* board_fw.c: write the variable store back and unmap it. */
void board_pc_unload_nvram(struct board_pc *b);



#endif
