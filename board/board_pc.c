// SPDX-License-Identifier: GPL-2.0-only
/*
 * board_pc.c --- the canonical dualvm PC: which devices, in which order
 *
 * The board table below builds the devices of an i440FX/PIIX3 PC in order
 * (interrupt controller first, so later devices can be handed its lines),
 * resets them in the same order and destroys them in reverse.  It also
 * fills what the firmware reads: CMOS memory-size and boot fields (RTC) and
 * the fw_cfg items Debian's SeaBIOS uses (RAM size, etc/e820, bootorder,
 * etc/sercon-port, no boot menu).
 *
 * Interrupt routing: every ISA device gets an irq_line from isa_irq[]; today
 * those feed the 8259 pair, whose INTR output is the CPU's interrupt input.
 * A local APIC / I/O APIC pair will slot in by making isa_irq[] fan out to
 * both and by answering board_pc_intr_pending()/_ack() from the LAPIC.
 *
 * Power-off: the ACPI PM block (devices/acpi_pm.c, described to the OS by
 * the tables of acpi.c) powers the machine off with status 0 when the
 * guest enters S5; reset goes through the FADT reset register (0xCF9,
 * PIIX3).  The board also offers a QEMU isa-debug-exit-like port
 * MACHINE_EXIT_PORT (0x501): a byte or word written there powers the
 * machine off with that value as exit status (test payloads use it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board/board_priv.h"
#include "board/memmap.h"
#include "devices/devices.h"
#include "hw/hw.h"



struct board_dev {
	const char	*name;				/* for messages */
	int		(*create)(struct board_pc *b);	/* 0 or -errno */
	void		(*reset)(struct board_pc *b);	/* may be NULL */
	void		(*destroy)(struct board_pc *b);	/* NULL-safe */
};

/* ------------------------------------------------------------ callbacks */

static void cb_reset(void *opaque)
{
	struct board_pc *b = opaque;

	machine_request_reset(b->m);
}

static void cb_reset_hard(void *opaque, bool hard)
{
	cb_reset(opaque);
}

static void cb_a20(void *opaque, bool on)
{
	struct board_pc *b = opaque;

	machine_set_a20(b->m, on);
}

/* i440FX PAM segment numbering is memmap's (both follow the datasheet). */
static void cb_pam(void *opaque, unsigned int region, unsigned int mode)
{
	struct board_pc *b = opaque;

	if (memmap_set_pam(b->m->mem, region, mode))
		machine_map_changed(b->m);
}

static uint64_t exit_read(void *opaque, uint64_t off, unsigned int size)
{
	return ~0ULL;
}

static void exit_write(void *opaque, uint64_t off, uint64_t val,
		       unsigned int size)
{
	struct board_pc *b = opaque;

	machine_power_off(b->m, (int)(val & 0xff));
}

/* A byte or a word: the low byte is the status. */
static const struct io_ops exit_ops = {
	.read	= exit_read,
	.write	= exit_write,
	.widths	= IO_W8 | IO_W16,
};

/* ------------------------------------------------------------ devices */

static void cb_com1(void *opaque, uint8_t byte)
{
	struct board_pc *b = opaque;

	if (b->m->cfg.serial_out)
		b->m->cfg.serial_out(b->m->cfg.out_opaque, 0, byte);
}

static void cb_com2(void *opaque, uint8_t byte)
{
	struct board_pc *b = opaque;

	if (b->m->cfg.serial_out)
		b->m->cfg.serial_out(b->m->cfg.out_opaque, 1, byte);
}

static void cb_debug(void *opaque, uint8_t byte)
{
	struct board_pc *b = opaque;

	if (b->m->cfg.debug_out)
		b->m->cfg.debug_out(b->m->cfg.out_opaque, byte);
}

static int mk_pic(struct board_pc *b)
{
	unsigned int i;
	int err = pic_create(&b->m->env, machine_intr_changed, b->m, &b->pic);

	for (i = 0; !err && i < 16; i++)
		b->isa_irq[i] = pic_irq_line(b->pic, i);
	if (!err) {
		b->m->bus.intr_pending = pic_intr_pending;
		b->m->bus.intr_ack = pic_intr_ack;
		b->m->bus.intr_opaque = b->pic;
	}
	return err;
}
static void rs_pic(struct board_pc *b) { pic_reset(b->pic); }
static void rm_pic(struct board_pc *b) { pic_destroy(b->pic); }

static int mk_pit(struct board_pc *b)
{
	return pit_create(&b->m->env, b->isa_irq[0], &b->pit);
}
static void rs_pit(struct board_pc *b) { pit_reset(b->pit); }
static void rm_pit(struct board_pc *b) { pit_destroy(b->pit); }

static int mk_rtc(struct board_pc *b)
{
	return rtc_create(&b->m->env, b->isa_irq[8], b->m->cfg.rtc_epoch,
			  &b->rtc);
}
static void rs_rtc(struct board_pc *b) { rtc_reset(b->rtc); }
static void rm_rtc(struct board_pc *b) { rtc_destroy(b->rtc); }

static int mk_com(struct board_pc *b)
{
	int err = serial_create(&b->m->env, SERIAL_COM1_BASE,
				b->isa_irq[SERIAL_COM1_IRQ], cb_com1, b,
				&b->com[0]);

	if (!err)
		err = serial_create(&b->m->env, SERIAL_COM2_BASE,
				    b->isa_irq[SERIAL_COM2_IRQ], cb_com2, b,
				    &b->com[1]);
	return err;
}
static void rs_com(struct board_pc *b)
{
	serial_reset(b->com[0]);
	serial_reset(b->com[1]);
}
static void rm_com(struct board_pc *b)
{
	serial_destroy(b->com[1]);
	serial_destroy(b->com[0]);
}

static int mk_kbd(struct board_pc *b)
{
	struct i8042_board kb = { .a20 = cb_a20, .reset = cb_reset,
				  .opaque = b };

	return i8042_create(&b->m->env, b->isa_irq[1], b->isa_irq[12], &kb,
			    &b->kbd);
}
static void rs_kbd(struct board_pc *b) { i8042_reset(b->kbd); }
static void rm_kbd(struct board_pc *b) { i8042_destroy(b->kbd); }

static int mk_dbg(struct board_pc *b)
{
	return debugport_create(&b->m->env, cb_debug, b,
				b->m->cfg.debug_out != NULL, &b->dbg);
}
static void rs_dbg(struct board_pc *b) { debugport_reset(b->dbg); }
static void rm_dbg(struct board_pc *b) { debugport_destroy(b->dbg); }

static int mk_pci(struct board_pc *b)
{
	struct piix3_cfg sb = { .a20 = cb_a20, .reset = cb_reset_hard,
				.opaque = b };
	int err;

	memcpy(sb.isa_irq, b->isa_irq, sizeof(sb.isa_irq));
	err = pci_bus_create(&b->m->env, &b->pci);
	if (!err)
		err = i440fx_create(&b->m->env, b->pci, cb_pam, b, &b->nb);
	if (!err)
		err = piix3_create(&b->m->env, b->pci, &sb, &b->sb);
	return err;
}
static void rs_pci(struct board_pc *b)
{
	pci_bus_reset(b->pci);
	i440fx_reset(b->nb);
	piix3_reset(b->sb);
}
static void rm_pci(struct board_pc *b)
{
	piix3_destroy(b->sb);
	i440fx_destroy(b->nb);
	pci_bus_destroy(b->pci);
}

static int mk_ide(struct board_pc *b)
{
	struct ide_cfg c = { .irq = { b->isa_irq[14], b->isa_irq[15] } };
	unsigned int i;

	for (i = 0; i < IDE_MAX_DRIVES && i < MACHINE_MAX_DISKS; i++) {
		if (!b->m->cfg.disk[i])
			continue;
		c.drive[i].media = IDE_MEDIA_DISK;
		c.drive[i].disk = b->m->cfg.disk[i];
	}
	if (b->m->cfg.cdrom) {
		if (c.drive[MACHINE_CDROM_POS].media != IDE_MEDIA_NONE) {
			snprintf(b->why, sizeof(b->why),
				 "the CD-ROM position (secondary master) holds a disk");
			return -EBUSY;
		}
		c.drive[MACHINE_CDROM_POS].media = IDE_MEDIA_CDROM;
		c.drive[MACHINE_CDROM_POS].disk = b->m->cfg.cdrom;
	}
	return ide_create(&b->m->env, b->pci, IDE_DEVFN, &c, &b->ide);
}
static void rs_ide(struct board_pc *b) { ide_reset(b->ide); }
static void rm_ide(struct board_pc *b) { ide_destroy(b->ide); }

#define VGA_ROM_PATH	"/usr/share/seabios/vgabios-stdvga.bin"
#define VGA_ROM_MAX	(1u << 20)

/* Read the VGA BIOS and hand it to the adapter as its expansion ROM. */
static int vga_load_rom(struct board_pc *b)
{
	struct stat st;
	uint8_t *rom;
	ssize_t n;
	int fd, err;

	fd = open(VGA_ROM_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(b->why, sizeof(b->why), "VGA BIOS %s: %s (install the seabios package)",
			 VGA_ROM_PATH, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > VGA_ROM_MAX) {
		close(fd);
		snprintf(b->why, sizeof(b->why), "VGA BIOS %s: bad size",
			 VGA_ROM_PATH);
		return -EINVAL;
	}
	rom = malloc((size_t)st.st_size);
	if (!rom) {
		close(fd);
		return -ENOMEM;
	}
	n = pread(fd, rom, (size_t)st.st_size, 0);
	close(fd);
	err = n == st.st_size ? vga_set_rom(b->vga, rom, (size_t)n) : -EIO;
	free(rom);
	return err;
}

static int mk_vga(struct board_pc *b)
{
	int err;

	if (!b->m->cfg.vga)
		return 0;
	err = vga_create(&b->m->env, b->pci, &b->vga);
	return err ? err : vga_load_rom(b);
}
static void rs_vga(struct board_pc *b)
{
	if (b->vga)
		vga_reset(b->vga);
}
static void rm_vga(struct board_pc *b) { vga_destroy(b->vga); }

static int mk_fwcfg(struct board_pc *b)
{
	int err = fw_cfg_create(&b->m->env, &b->fwcfg);

	return err ? err : board_pc_fw_tables(b);
}
static void rs_fwcfg(struct board_pc *b) { fw_cfg_reset(b->fwcfg); }
static void rm_fwcfg(struct board_pc *b) { fw_cfg_destroy(b->fwcfg); }

static void cb_acpi_off(void *opaque)
{
	struct board_pc *b = opaque;

	fprintf(stderr, "\r\ndualvm: guest powered off (ACPI S5)\r\n");
	machine_power_off(b->m, 0);
}

static int mk_pm(struct board_pc *b)
{
	struct acpi_pm_cfg c = { .sci = b->isa_irq[ACPI_PM_SCI_IRQ],
				 .power_off = cb_acpi_off, .opaque = b };
	int err = acpi_pm_create(&b->m->env, ACPI_PM_BASE, &c, &b->pm);

	if (!err)
		pic_elcr_set(b->pic, (uint16_t)(pic_elcr_get(b->pic) |
						(1u << ACPI_PM_SCI_IRQ)));
	return err;
}
/* After the PIC's reset: the SCI is a level-triggered ISA IRQ. */
static void rs_pm(struct board_pc *b)
{
	acpi_pm_reset(b->pm);
	pic_elcr_set(b->pic, (uint16_t)(pic_elcr_get(b->pic) |
					(1u << ACPI_PM_SCI_IRQ)));
}
static void rm_pm(struct board_pc *b) { acpi_pm_destroy(b->pm); }

static int mk_exit(struct board_pc *b)
{
	int err = iospace_map(b->m->pio, MACHINE_EXIT_PORT, 2, &exit_ops, b);

	b->exit_mapped = !err;
	return err;
}
static void rm_exit(struct board_pc *b)
{
	if (b->exit_mapped)
		iospace_unmap(b->m->pio, MACHINE_EXIT_PORT);
}

/* Build order; reset runs in this order, destroy in reverse. */
static const struct board_dev board_devs[] = {
	{ "8259 PIC",		mk_pic,		rs_pic,		rm_pic },
	{ "8254 PIT",		mk_pit,		rs_pit,		rm_pit },
	{ "MC146818 RTC",	mk_rtc,		rs_rtc,		rm_rtc },
	{ "16550A UARTs",	mk_com,		rs_com,		rm_com },
	{ "i8042",		mk_kbd,		rs_kbd,		rm_kbd },
	{ "debug port",		mk_dbg,		rs_dbg,		rm_dbg },
	{ "PCI/i440FX/PIIX3",	mk_pci,		rs_pci,		rm_pci },
	{ "PIIX3 IDE",		mk_ide,		rs_ide,		rm_ide },
	{ "VGA",		mk_vga,		rs_vga,		rm_vga },
	{ "ACPI PM",		mk_pm,		rs_pm,		rm_pm },
	{ "fw_cfg",		mk_fwcfg,	rs_fwcfg,	rm_fwcfg },
	{ "exit port",		mk_exit,	NULL,		rm_exit },
};
#define BOARD_NDEVS	(sizeof(board_devs) / sizeof(board_devs[0]))

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
	for (i = 0; i < BOARD_NDEVS; i++) {
		err = board_devs[i].create(b);
		if (err) {
			snprintf(why, len, "cannot create %s: %s",
				 board_devs[i].name,
				 b->why[0] ? b->why : strerror(-err));
			while (i--)
				board_devs[i].destroy(b);
			free(b);
			return err;
		}
	}
	*out = b;
	return 0;
}

void board_pc_destroy(struct board_pc *b)
{
	unsigned int i;

	if (!b)
		return;
	for (i = BOARD_NDEVS; i--;)
		board_devs[i].destroy(b);
	free(b);
}

void board_pc_reset(struct board_pc *b)
{
	unsigned int i;

	for (i = 0; i < BOARD_NDEVS; i++)
		if (board_devs[i].reset)
			board_devs[i].reset(b);
}

struct fb_source machine_fb(struct machine *m)
{
	struct board_pc *b = m->board;

	return (struct fb_source){ b->vga ? &vga_fb_ops : NULL, b->vga };
}

struct input_sink machine_input(struct machine *m)
{
	return (struct input_sink){ &i8042_input_ops, m->board->kbd };
}

int machine_serial_input(struct machine *m, unsigned int com,
			 const uint8_t *buf, size_t n)
{
	struct board_pc *b = m->board;

	if (com <= 1 && b->com[com])
		return serial_receive(b->com[com], buf, n);
	return 0;
}
