// SPDX-License-Identifier: GPL-2.0-only
/*
 * board_pc.c --- the canonical dualvm PC: which devices, in which order
 *
 * The board is the table pc_slots[]: one row per device of an
 * i440FX/PIIX3 PC, naming its descriptor (devices/devices.h) and what its
 * struct dev_cfg gets: ISA IRQ numbers, I/O base, unit, the PCI bus, and
 * which of the board's device-specific settings.  Devices are built in
 * table order (the interrupt controller first, so later rows can be handed
 * its lines; the PCI bus before its functions), reset in the same order and
 * destroyed in reverse.  Every device reaches the machine through the one
 * struct dev_host of machine.c.  The firmware's view (CMOS fields, fw_cfg
 * items, the VGA BIOS) is board_fw.c's.
 *
 * Interrupt routing: the device whose descriptor offers an interrupt
 * controller (the 8259 pair) provides isa_irq[] and answers the CPU's
 * intr_pending/intr_ack directly through the machine bus (the CPU's local
 * APIC passes it on through LINT0 in ExtINT mode).  The I/O APIC row comes
 * next: from then on isa_irq[n] fans out to the 8259's input n and the I/O
 * APIC's pin n, except IRQ0 (the PIT) which is on pin 2 -- what the MADT's
 * interrupt source override says, as on every PC since the MP spec.  The
 * I/O APIC's messages reach the engine's local APICs through the machine
 * (dev_host.apic_msg), their EOIs come back through board_pc_apic_eoi().
 * A machine for an engine without local APICs (machine_cfg.apic false:
 * KVM without an in-kernel irqchip) has neither I/O APIC nor MADT.
 *
 * UEFI (machine_cfg.uefi): two CFI flash devices replace the BIOS ROM at
 * the top of 4 GiB, OVMF's code (read-only) and below it the VM's variable
 * store (the NVRAM file, mapped shared so the guest's writes land in it),
 * and PIIX4 function 00:01.3 tells OVMF where the ACPI PM timer is.
 *
 * Power-off: the ACPI PM block (devices/acpi_pm.c, described to the OS by
 * the tables of acpi.c) powers the machine off with status 0 when the
 * guest enters S5; reset goes through the FADT reset register (0xCF9,
 * PIIX3).  The board also offers a QEMU isa-debug-exit-like port
 * MACHINE_EXIT_PORT (0x501): a byte or word written there powers the
 * machine off with that value as exit status (test payloads use it).
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board_priv.h"

/* One row of the board: a device and what its dev_cfg holds. */
struct board_slot {
	const struct dev_ops	*ops;		/* the device type */
	uint8_t			nirq;		/* lines in isa[] */
	uint8_t			isa[2];		/* ISA IRQs for dev_cfg.irq[] */
	bool			all_isa;	/* dev_cfg.irq[] = ISA IRQ 0-15 */
	bool			on_pci;		/* dev_cfg.pci = the PCI bus */
	bool			vga_only;	/* only with machine_cfg.vga */
	bool			apic_only;	/* only with machine_cfg.apic */
	bool			nic_only;	/* only with machine_cfg.nic */
	bool			uefi_only;	/* only with machine_cfg.uefi */
	uint16_t		base;		/* dev_cfg.base (0: default) */
	uint8_t			unit;		/* dev_cfg.unit */
	size_t			priv;		/* offsetof() the settings in
						 * struct board_pc, 0: none */
};

/* ------------------------------------------------------------ exit port */

struct exit_port {
	const struct dev_host	*host;		/* power_off */
};

static uint64_t exit_read(void *opaque, uint64_t off, unsigned int size)
{
	return ~0ULL;
}

static void exit_write(void *opaque, uint64_t off, uint64_t val,
		       unsigned int size)
{
	struct exit_port *x = opaque;

	dev_host_power_off(x->host, (int)(val & 0xff), NULL);
}

/* A byte or a word: the low byte is the status. */
static const struct io_ops exit_ops = {
	.read = exit_read, .write = exit_write, .widths = IO_W8 | IO_W16,
};

static int exit_init(void *dev, const struct dev_env *env,
		     const struct dev_cfg *cfg)
{
	struct exit_port *x = dev;

	x->host = cfg->host;
	return 0;
}

static const struct io_range exit_ranges[] = {
	{ MACHINE_EXIT_PORT, 2, &exit_ops },
};

static const struct dev_ops exit_port_dev = {
	.name = "exit port", .size = sizeof(struct exit_port),
	.init = exit_init,
	.ranges = exit_ranges, .nranges = 1,
};

/* ------------------------------------------------------------ the table */

#define SETTINGS(field)	offsetof(struct board_pc, field)

static const struct board_slot pc_slots[BD_N] = {
	[BD_PIC]   = { .ops = &pic_dev, .priv = SETTINGS(pic_cfg) },
	[BD_IOAPIC] = { .ops = &ioapic_dev, .unit = BOARD_IOAPIC_ID,
			.apic_only = true },
	[BD_PIT]   = { .ops = &pit_dev, .nirq = 1, .isa = { 0 } },
	[BD_RTC]   = { .ops = &rtc_dev, .nirq = 1, .isa = { 8 },
		       .priv = SETTINGS(rtc_cfg) },
	[BD_COM1]  = { .ops = &serial_dev, .nirq = 1,
		       .isa = { SERIAL_COM1_IRQ }, .base = SERIAL_COM1_BASE,
		       .unit = 0 },
	[BD_COM2]  = { .ops = &serial_dev, .nirq = 1,
		       .isa = { SERIAL_COM2_IRQ }, .base = SERIAL_COM2_BASE,
		       .unit = 1 },
	[BD_KBD]   = { .ops = &i8042_dev, .nirq = 2, .isa = { 1, 12 } },
	[BD_DBG]   = { .ops = &debugport_dev, .unit = BOARD_DEBUGCON_UNIT,
		       .priv = SETTINGS(dbg_cfg) },
	[BD_PCI]   = { .ops = &pci_bus_dev },
	[BD_NB]    = { .ops = &i440fx_dev, .on_pci = true },
	[BD_SB]    = { .ops = &piix3_dev, .on_pci = true, .all_isa = true },
	[BD_IDE]   = { .ops = &ide_dev, .on_pci = true, .nirq = 2,
		       .isa = { 14, 15 }, .priv = SETTINGS(ide_cfg) },
	[BD_VGA]   = { .ops = &vga_dev, .on_pci = true, .vga_only = true,
		       .priv = SETTINGS(vga_cfg) },
	[BD_NIC]   = { .ops = &e1000_dev, .on_pci = true, .nic_only = true,
		       .priv = SETTINGS(nic_cfg) },
	[BD_PM]    = { .ops = &acpi_pm_dev, .nirq = 1,
		       .isa = { ACPI_PM_SCI_IRQ }, .base = ACPI_PM_BASE },
	[BD_FWCFG] = { .ops = &fw_cfg_dev },
	[BD_EXIT]  = { .ops = &exit_port_dev },
	[BD_PMFN]  = { .ops = &piix4_pm_dev, .on_pci = true, .uefi_only = true,
		       .base = ACPI_PM_BASE },
	[BD_FLASH_CODE] = { .ops = &pflash_dev, .uefi_only = true,
			    .priv = SETTINGS(code_cfg) },
	[BD_FLASH_VARS] = { .ops = &pflash_dev, .uefi_only = true,
			    .priv = SETTINGS(vars_cfg) },
};

/* The device-specific settings some rows point at. */
static int board_settings(struct board_pc *b)
{
	const struct machine_cfg *mc = &b->m->cfg;
	struct ide_drive_cfg *cd = &b->ide_cfg.drive[MACHINE_CDROM_POS];
	unsigned int i;

	b->pic_cfg.level_irqs = 1u << ACPI_PM_SCI_IRQ;
	b->rtc_cfg.epoch = mc->rtc_epoch;
	b->dbg_cfg.console = mc->debug_out != NULL;
	b->dbg_cfg.post_tx = mc->post_out != NULL;
	b->dbg_cfg.post_unit = BOARD_POST_UNIT;
	b->nic_cfg.net = mc->net;
	memcpy(b->nic_cfg.mac, mc->mac, sizeof(b->nic_cfg.mac));
	for (i = 0; i < IDE_MAX_DRIVES && i < MACHINE_MAX_DISKS; i++) {
		if (!mc->disk[i])
			continue;
		b->ide_cfg.drive[i].media = IDE_MEDIA_DISK;
		b->ide_cfg.drive[i].blk = mc->disk[i];
	}
	if (mc->cdrom) {
		if (cd->media != IDE_MEDIA_NONE) {
			snprintf(b->why, sizeof(b->why),
				 "the CD-ROM position (secondary master) holds a disk");
			return -EBUSY;
		}
		cd->media = IDE_MEDIA_CDROM;
		cd->blk = mc->cdrom;
	}
	if (mc->uefi) {
		int err = board_pc_load_nvram(b);

		if (err)
			return err;
	}
	if (mc->nic && mc->nic_rom) {
		int err = board_pc_load_nic_rom(b);

		if (err)
			return err;
	}
	return mc->vga ? board_pc_load_vga_rom(b) : 0;
}

/* The interrupt controller row: its lines become the ISA IRQs and the
 * CPU's interrupt poll goes straight to it. */
static void board_wire_intc(struct board_pc *b, const struct irq_chip_ops *ic,
			    void *chip)
{
	unsigned int n;

	for (n = 0; n < 16; n++)
		b->isa_irq[n] = ic->line(chip, n);
	b->m->bus.intr_pending = ic->pending;
	b->m->bus.intr_ack = ic->ack;
	b->m->bus.intr_opaque = chip;
}

static void isa_fan_set(void *opaque, unsigned int n, int level)
{
	struct board_pc *b = opaque;

	irq_set(&b->isa_pic[n], level);
	irq_set(&b->isa_gsi[n], level);
}

/* The I/O APIC row: every ISA IRQ also drives its pin. */
static void board_wire_ioapic(struct board_pc *b, void *ioapic)
{
	unsigned int n;

	for (n = 0; n < 16; n++) {
		b->isa_pic[n] = b->isa_irq[n];
		b->isa_gsi[n] = ioapic_irq_line(ioapic, n == 0 ? 2 : n);
		if (n == 2)
			b->isa_gsi[n] = (struct irq_line){ NULL, NULL, 0 };
		b->isa_irq[n] = (struct irq_line){ isa_fan_set, b, n };
	}
}

void board_pc_apic_eoi(struct board_pc *b, uint8_t vector)
{
	if (b->dev[BD_IOAPIC])
		ioapic_eoi(b->dev[BD_IOAPIC], vector);
}

static int board_create_slot(struct board_pc *b, unsigned int i)
{
	const struct board_slot *s = &pc_slots[i];
	struct dev_cfg cfg = { .base = s->base, .unit = s->unit,
			       .host = &b->m->host };
	unsigned int k;
	int err;

	if ((s->vga_only && !b->m->cfg.vga) ||
	    (s->apic_only && !b->m->cfg.apic))
		return 0;
	if ((s->nic_only && !b->m->cfg.nic) ||
	    (s->uefi_only && !b->m->cfg.uefi))
		return 0;
	for (k = 0; k < s->nirq; k++)
		cfg.irq[k] = b->isa_irq[s->isa[k]];
	if (s->all_isa)
		memcpy(cfg.irq, b->isa_irq, sizeof(b->isa_irq));
	if (s->on_pci) {
		cfg.pci = b->dev[BD_PCI];
		assert(cfg.pci);		/* the bus row comes first */
	}
	if (s->priv)
		cfg.priv = (const char *)b + s->priv;
	err = dev_create(s->ops, &b->m->env, &cfg, &b->dev[i]);
	if (!err && s->ops->intc)
		board_wire_intc(b, s->ops->intc, b->dev[i]);
	if (!err && s->ops == &ioapic_dev)
		board_wire_ioapic(b, b->dev[i]);
	return err;
}

static void board_free(struct board_pc *b)
{
	board_pc_unload_nvram(b);
	free((void *)b->nic_cfg.rom);
	free((void *)b->vga_cfg.rom);
	free(b);
}

int board_pc_create(struct machine *m, struct board_pc **out, char *why,
		    size_t len)
{
	struct board_pc *b;
	unsigned int i;
	int err;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->m = m;
	err = board_settings(b);
	if (err) {
		snprintf(why, len, "%s", b->why[0] ? b->why : strerror(-err));
		board_free(b);
		return err;
	}
	for (i = 0; i < BD_N; i++) {
		err = board_create_slot(b, i);
		if (err) {
			snprintf(why, len, "cannot create %s: %s",
				 pc_slots[i].ops->name, strerror(-err));
			board_pc_destroy(b);
			return err;
		}
	}
	assert(b->m->bus.intr_pending);		/* a controller row exists */
	err = board_pc_fw_tables(b);
	if (err) {
		snprintf(why, len, "firmware tables: %s", strerror(-err));
		board_pc_destroy(b);
		return err;
	}
	*out = b;
	return 0;
}

void board_pc_destroy(struct board_pc *b)
{
	unsigned int i;

	if (!b)
		return;
	for (i = BD_N; i--;)
		dev_destroy(b->dev[i]);
	board_free(b);
}

void board_pc_reset(struct board_pc *b)
{
	unsigned int i;

	for (i = 0; i < BD_N; i++)
		if (b->dev[i])
			dev_reset(b->dev[i]);
}

struct fb_source machine_fb(struct machine *m)
{
	struct board_pc *b = m->board;
	unsigned int i;

	for (i = 0; i < BD_N; i++)
		if (b->dev[i] && pc_slots[i].ops->fb)
			return (struct fb_source){ pc_slots[i].ops->fb, b->dev[i] };
	return (struct fb_source){ NULL, NULL };
}

struct input_sink machine_input(struct machine *m)
{
	struct board_pc *b = m->board;
	unsigned int i;

	for (i = 0; i < BD_N; i++)
		if (b->dev[i] && pc_slots[i].ops->input)
			return (struct input_sink){ pc_slots[i].ops->input,
						    b->dev[i] };
	return (struct input_sink){ NULL, NULL };
}

int machine_serial_input(struct machine *m, unsigned int com,
			 const uint8_t *buf, size_t n)
{
	struct board_pc *b = m->board;
	unsigned int i;

	for (i = 0; i < BD_N; i++)
		if (b->dev[i] && pc_slots[i].ops->chr && pc_slots[i].unit == com)
			return pc_slots[i].ops->chr->receive(b->dev[i], buf, n);
	return 0;
}
