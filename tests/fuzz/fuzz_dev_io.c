// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_dev_io.c --- random port/MMIO access sequences against a whole PC
 * device set, with virtual time passing (qtest's fuzz_registers idea)
 *
 * Each input builds a fresh machine-less board from a table of device
 * descriptors, as board/board_pc.c does: PIC, PIT, RTC, two UARTs, i8042,
 * debug port, fw_cfg, and the PCI bus with i440FX, PIIX3, PIIX3 IDE (a
 * small in-memory disk and an empty CD-ROM) and the VGA (LFB placed at
 * 0xE0000000), the e1000 NIC (BAR0 at 0xFEB00000, BAR1 at 0xC100, bus
 * mastering on, its link looped back so every frame it sends comes back
 * to it), the I/O APIC (registers at 0xFEC00000, pins and EOIs driven as
 * host events) and a local APIC (vmm/x86/lapic.c: register accesses,
 * accepted messages, INTA cycles; its IPIs loop back to it), all on a
 * manual clock, with a bounds-checked fake guest RAM for DMA.  The input
 * is a sequence of 8-byte records:
 *
 *	byte 0	target: one of the device port ranges, a raw port, a raw
 *		MMIO address, a host-side event (serial input, key, mouse,
 *		INTA cycle), the VGA/VBE ports, VGA window or framebuffer,
 *		the fw_cfg ports, the NIC's registers (MMIO and I/O
 *		window), a frame arriving from the network
 *	byte 1	offset within the range (reduced modulo its length)
 *	byte 2	bits 0-1 access size (1, 2, 4, 1), bit 2 write,
 *		bits 3-6 time-step shift
 *	bytes 3-6 value (little endian)
 *	byte 7	time-step mantissa: advance (byte7 << shift) ns afterwards
 *
 * Virtual time per input is capped so a guest programming a 600 kHz PIT
 * rate cannot make one input take seconds.  Nothing may crash, leak, or
 * touch memory outside its buffers (run under ASan/UBSan in CI).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "rawdisk/rawdisk.h"
#include "vmm/x86/lapic.h"
#include "tests/unit/devices/blk_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_RAM_SIZE	(256 * 1024)
#define FZ_DISK_SIZE	(64 * 1024)
#define FZ_TIME_CAP	(200ULL * 1000 * 1000)	/* virtual ns per input */
#define FZ_REC		8

/* The devices, created in this order and destroyed in reverse. */
enum fz_dev {
	FZ_PIC, FZ_PIT, FZ_RTC, FZ_COM1, FZ_COM2, FZ_KBC, FZ_DBG, FZ_FWCFG,
	FZ_BUS, FZ_HOST, FZ_ISA, FZ_IDE, FZ_VGA, FZ_IOAPIC, FZ_NIC, FZ_NDEVS
};

struct fz_board {
	struct vclock	*clock;
	struct iospace	*pio, *mmio;
	struct dev_env	env;
	struct dev_host	host;		/* every callback feeds sink */
	void		*dev[FZ_NDEVS];	/* by enum fz_dev */
	struct ide_cfg	ide_cfg;	/* a disk and an empty CD-ROM */
	struct rd_disk	*disk;
	struct fix_blk	fb;		/* the disk, synchronous */
	uint8_t		*ram;		/* FZ_RAM_SIZE bytes of "guest RAM" */
	uint64_t	sink;		/* keeps reads and callbacks observable */
	struct x86_lapic lapic;		/* a local APIC on the same clock */
	bool		lapic_on;	/* lapic initialised */
	struct netdev	net;		/* the NIC's looped-back link */
	struct e1000_cfg nic_cfg;	/* it */
	unsigned int	loops;		/* frames looped back (bounded) */
};

/* What each device is given: ISA IRQs (through the PIC), base, unit. */
static const struct {
	const struct dev_ops	*ops;
	uint8_t			nirq, irq[2];	/* ISA IRQs */
	bool			all_isa, pci;	/* all 16 IRQs; on the bus */
	uint16_t		base;
	uint8_t			unit;
} fz_devs[FZ_NDEVS] = {
	[FZ_PIC]   = { .ops = &pic_dev },
	[FZ_PIT]   = { .ops = &pit_dev, .nirq = 1, .irq = { 0 } },
	[FZ_RTC]   = { .ops = &rtc_dev, .nirq = 1, .irq = { 8 } },
	[FZ_COM1]  = { .ops = &serial_dev, .nirq = 1, .irq = { 4 },
		       .base = SERIAL_COM1_BASE },
	[FZ_COM2]  = { .ops = &serial_dev, .nirq = 1, .irq = { 3 },
		       .base = SERIAL_COM2_BASE, .unit = 1 },
	[FZ_KBC]   = { .ops = &i8042_dev, .nirq = 2, .irq = { 1, 12 } },
	[FZ_DBG]   = { .ops = &debugport_dev, .unit = 2 },
	[FZ_FWCFG] = { .ops = &fw_cfg_dev },
	[FZ_BUS]   = { .ops = &pci_bus_dev },
	[FZ_HOST]  = { .ops = &i440fx_dev, .pci = true },
	[FZ_ISA]   = { .ops = &piix3_dev, .pci = true, .all_isa = true },
	[FZ_IDE]   = { .ops = &ide_dev, .pci = true, .nirq = 2,
		       .irq = { 14, 15 } },
	[FZ_VGA]   = { .ops = &vga_dev, .pci = true },
	[FZ_IOAPIC] = { .ops = &ioapic_dev },
	[FZ_NIC]   = { .ops = &e1000_dev, .pci = true },
};

static const struct {
	uint16_t	base;
	uint16_t	len;
} fz_ranges[] = {
	{ 0x20, 2 }, { 0xa0, 2 }, { 0x4d0, 2 }, { 0x40, 4 }, { 0x61, 1 },
	{ 0x70, 2 }, { 0x3f8, 8 }, { 0x2f8, 8 }, { 0x60, 1 }, { 0x64, 1 },
	{ 0x80, 1 }, { 0x402, 1 }, { 0xcf8, 8 }, { 0x92, 1 }, { 0x1f0, 8 },
	{ 0x3f6, 1 }, { 0x170, 8 }, { 0x376, 1 }, { 0xc000, 16 },
};
#define FZ_NRANGES	(sizeof(fz_ranges) / sizeof(fz_ranges[0]))

enum fz_special {
	FZ_RAW_PIO = FZ_NRANGES,
	FZ_RAW_MMIO,
	FZ_SERIAL_IN,
	FZ_KEY,
	FZ_MOUSE,
	FZ_INTA,
	FZ_VGA_PORTS,		/* 0x3B0-0x3DF */
	FZ_VBE_PORTS,		/* 0x1CE-0x1D0 */
	FZ_VGA_MEM,		/* legacy window 0xA0000-0xBFFFF */
	FZ_VGA_LFB,		/* PCI BAR0, once the guest placed it */
	FZ_FW_CFG,		/* 0x510-0x51B, DMA into the fake RAM */
	FZ_IOAPIC_REGS,		/* 0xFEC00000-0xFEC0004F */
	FZ_IOAPIC_PIN,		/* pin off % 24 to level val & 1, EOI val >> 8 */
	FZ_LAPIC,		/* local APIC register off * 16 (+ val & 3) */
	FZ_LAPIC_MSG,		/* an APIC message from val, then an INTA */
	FZ_NIC_MMIO,		/* e1000 registers (first 32 KiB of BAR0) */
	FZ_NIC_IO,		/* e1000 IOADDR/IODATA (BAR1) */
	FZ_NIC_RX,		/* a frame from the network, from the RAM */
	FZ_RAM_POKE,		/* 4 bytes into the fake RAM at
				 * (byte1 << 8 | byte2) * 4 (rings) */
	FZ_NTARGETS,
};

static int fz_dma(void *opaque, uint64_t gpa, void *buf, uint64_t len,
		  bool to_guest)
{
	struct fz_board *b = opaque;

	if (gpa > FZ_RAM_SIZE || len > FZ_RAM_SIZE - gpa)
		return -14;	/* -EFAULT */
	if (to_guest)
		memcpy(b->ram + gpa, buf, len);
	else
		memcpy(buf, b->ram + gpa, len);
	return 0;
}

static void fz_tx(void *opaque, unsigned int unit, uint8_t byte)
{
	struct fz_board *b = opaque;

	b->sink += byte + unit;
}

static void fz_flag(void *opaque, bool on)
{
	struct fz_board *b = opaque;

	b->sink += on + 1;
}

static void fz_pam(void *opaque, unsigned int region, unsigned int mode)
{
	struct fz_board *b = opaque;

	b->sink += region ^ mode;
}

static void fz_apic_msg(void *opaque, const struct apic_msg *m)
{
	struct fz_board *b = opaque;

	b->sink += m->vector + m->mode + m->dest + m->level;
}

/* the local APIC's IPIs loop back to it (a one-CPU APIC bus) */
static void fz_lapic_send(void *opaque, const struct apic_msg *m)
{
	struct fz_board *b = opaque;

	b->sink += m->vector;
	if (x86_lapic_match(&b->lapic, m))
		x86_lapic_accept(&b->lapic, m);
}

static void fz_lapic_eoi(void *opaque, uint8_t vector)
{
	struct fz_board *b = opaque;

	ioapic_eoi(b->dev[FZ_IOAPIC], vector);
}

static void fz_lapic_signal(void *opaque, enum lapic_signal s, uint8_t arg)
{
	struct fz_board *b = opaque;

	b->sink += (unsigned int)s + arg;
}

static bool fz_lapic_extint(void *opaque)
{
	struct fz_board *b = opaque;

	return pic_intr_pending(b->dev[FZ_PIC]);
}

static uint8_t fz_lapic_ack(void *opaque)
{
	struct fz_board *b = opaque;

	return pic_intr_ack(b->dev[FZ_PIC]);
}

static void fz_off(void *opaque, int status, const char *why)
{
	struct fz_board *b = opaque;

	b->sink += (unsigned int)status;
}

/* The NIC's link: what it sends comes straight back (a bounded number of
 * times per input, so a guest cannot make one input loop forever). */
static void fz_net_send(void *be, const void *frame, size_t len)
{
	struct fz_board *b = be;

	b->sink += len;
	if (b->loops++ < 64)
		b->sink += netdev_deliver(&b->net, frame, len);
}

static const struct netdev_ops fz_net_ops = {
	.name = "loop", .send = fz_net_send,
};

/* Create device @i through its descriptor, as a board would. */
static int fz_dev_create(struct fz_board *b, unsigned int i)
{
	static const struct rtc_cfg rc = { .epoch = 1700000000 };
	static const struct debugport_cfg dc = { .console = true };
	struct dev_cfg cfg = { .base = fz_devs[i].base,
			       .unit = fz_devs[i].unit, .host = &b->host };
	struct pic *pic = b->dev[FZ_PIC];

	for (unsigned int k = 0; k < fz_devs[i].nirq; k++)
		cfg.irq[k] = pic_irq_line(pic, fz_devs[i].irq[k]);
	for (unsigned int k = 0; fz_devs[i].all_isa && k < 16; k++)
		cfg.irq[k] = pic_irq_line(pic, k);
	if (fz_devs[i].pci)
		cfg.pci = b->dev[FZ_BUS];
	if (i == FZ_RTC)
		cfg.priv = &rc;
	else if (i == FZ_DBG)
		cfg.priv = &dc;
	else if (i == FZ_IDE)
		cfg.priv = &b->ide_cfg;
	else if (i == FZ_NIC)
		cfg.priv = &b->nic_cfg;
	return dev_create(fz_devs[i].ops, &b->env, &cfg, &b->dev[i]);
}

static int fz_devices(struct fz_board *b)
{
	int err = rd_mem_open(b->ram, FZ_DISK_SIZE, RD_RDWR, &b->disk);

	b->ide_cfg.drive[0].media = IDE_MEDIA_DISK;
	b->ide_cfg.drive[0].blk = fix_blk_init(&b->fb, b->disk, false);
	b->ide_cfg.drive[2].media = IDE_MEDIA_CDROM;
	b->net = (struct netdev){ .ops = &fz_net_ops, .be = b };
	b->nic_cfg = (struct e1000_cfg){ .net = &b->net,
					 .mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 } };
	for (unsigned int i = 0; !err && i < FZ_NDEVS; i++)
		err = fz_dev_create(b, i);
	if (!err)
		err = fw_cfg_add_i64(b->dev[FZ_FWCFG], FW_CFG_RAM_SIZE,
				     FZ_RAM_SIZE);
	if (!err)
		err = fw_cfg_add_file(b->dev[FZ_FWCFG], "etc/fuzz", b->ram, 300);
	if (!err)	/* LFB at 0xE0000000 with memory decoding on */
		pci_config_write(b->dev[FZ_BUS], PCI_DEVFN(2, 0), 0x10,
				 0xe0000000, 4);
	if (!err)
		pci_config_write(b->dev[FZ_BUS], PCI_DEVFN(2, 0), 0x04, 0x0003,
				 2);
	if (!err) {	/* NIC: BAR0, BAR1, I/O + memory + bus master */
		pci_config_write(b->dev[FZ_BUS], E1000_DEVFN, 0x10,
				 0xfeb00000, 4);
		pci_config_write(b->dev[FZ_BUS], E1000_DEVFN, 0x14, 0xc100, 4);
		pci_config_write(b->dev[FZ_BUS], E1000_DEVFN, 0x04, 0x0007, 2);
	}
	return err;
}

static void fz_destroy(struct fz_board *b)
{
	if (b->lapic_on)
		x86_lapic_fini(&b->lapic);
	for (unsigned int i = FZ_NDEVS; i--;)
		dev_destroy(b->dev[i]);
	if (b->disk)
		rd_close(b->disk);
	if (b->pio)
		iospace_destroy(b->pio);
	if (b->mmio)
		iospace_destroy(b->mmio);
	if (b->clock)
		vclock_destroy(b->clock);
	free(b->ram);
}

static int fz_create(struct fz_board *b)
{
	memset(b, 0, sizeof(*b));
	b->ram = calloc(1, FZ_RAM_SIZE);
	if (!b->ram || vclock_create(NULL, NULL, &b->clock) ||
	    iospace_create("pio", &b->pio) || iospace_create("mmio", &b->mmio))
		return -1;
	b->env = (struct dev_env){ .pio = b->pio, .mmio = b->mmio,
				   .clock = b->clock, .dma = fz_dma,
				   .dma_opaque = b };
	b->host = (struct dev_host){ .reset = fz_flag,
				     .set_a20 = fz_flag, .power_off = fz_off,
				     .pam = fz_pam, .intr = fz_flag,
				     .tx = fz_tx, .opaque = b,
				     .apic_msg = fz_apic_msg };
	if (fz_devices(b))
		return -1;
	x86_lapic_init(&b->lapic, b->clock, 0, true, &(struct x86_lapic_host){
		.send = fz_lapic_send, .eoi = fz_lapic_eoi,
		.signal = fz_lapic_signal, .extint_pending = fz_lapic_extint,
		.extint_ack = fz_lapic_ack, .opaque = b });
	b->lapic_on = true;
	return 0;
}

static void fz_host_event(struct fz_board *b, unsigned int what,
			  uint8_t off, uint32_t val, uint32_t off2)
{
	uint8_t bytes[4];

	switch (what) {
	case FZ_SERIAL_IN:
		memcpy(bytes, &val, sizeof(bytes));
		b->sink += (uint64_t)serial_receive(b->dev[off & 1 ? FZ_COM2 :
								     FZ_COM1],
						    bytes, 1 + (off & 3));
		b->sink += serial_can_receive(b->dev[FZ_COM1]);
		break;
	case FZ_KEY:
		i8042_key_event(b->dev[FZ_KBC], val & 0x3ff, off & 1);
		break;
	case FZ_MOUSE:
		i8042_mouse_event(b->dev[FZ_KBC], (int8_t)val, (int8_t)(val >> 8),
				  (int8_t)(val >> 16), off);
		break;
	case FZ_IOAPIC_PIN:
		ioapic_set_irq(b->dev[FZ_IOAPIC], off % IOAPIC_PINS, val & 1);
		if (val & 2)
			ioapic_eoi(b->dev[FZ_IOAPIC], (uint8_t)(val >> 8));
		break;
	case FZ_LAPIC_MSG: {
		struct apic_msg m = {
			.vector = (uint8_t)val, .mode = (uint8_t)(val >> 8 & 7),
			.dest = (uint8_t)(val >> 16), .shorthand = off & 3,
			.logical = (off & 4) != 0, .level = (off & 8) != 0,
			.assert = (off & 16) != 0, .src = (uint8_t)(val >> 24),
		};

		if (x86_lapic_match(&b->lapic, &m))
			x86_lapic_accept(&b->lapic, &m);
		if (x86_lapic_intr_pending(&b->lapic))
			b->sink += x86_lapic_intr_ack(&b->lapic);
		break;
	}
	case FZ_NIC_RX:	/* a frame of RAM bytes, to us or broadcast */
		memcpy(b->ram + (val & 0xfff), off & 1 ? "\x52\x54\0\x12\x34\x56" :
		       "\xff\xff\xff\xff\xff\xff", 6);
		b->sink += netdev_deliver(&b->net, b->ram + (val & 0xfff),
					  14 + (val >> 16) % 2000);
		break;
	case FZ_RAM_POKE:
		memcpy(b->ram + (off2 * 4u) % FZ_RAM_SIZE, &val, 4);
		break;
	default:	/* FZ_INTA */
		if (pic_intr_pending(b->dev[FZ_PIC]) || (off & 1))
			b->sink += pic_intr_ack(b->dev[FZ_PIC]);
		break;
	}
}

static void fz_access(struct fz_board *b, const uint8_t *r)
{
	static const unsigned int sizes[4] = { 1, 2, 4, 1 };
	unsigned int target = r[0] % FZ_NTARGETS, size = sizes[r[2] & 3];
	bool write = r[2] & 4;
	uint32_t val = (uint32_t)r[3] | (uint32_t)r[4] << 8 |
		       (uint32_t)r[5] << 16 | (uint32_t)r[6] << 24;
	struct iospace *sp = b->pio;
	uint64_t addr;

	if (target < FZ_NRANGES) {
		addr = fz_ranges[target].base + r[1] % fz_ranges[target].len;
	} else if (target == FZ_RAW_PIO) {
		addr = (uint16_t)((val >> 16) ^ (uint32_t)r[1] << 8);
	} else if (target == FZ_RAW_MMIO) {
		sp = b->mmio;
		addr = 0xfe000000ULL + ((uint64_t)r[1] << 16) + (val >> 16);
	} else if (target == FZ_VGA_PORTS) {
		addr = 0x3b0 + r[1] % 0x30;
	} else if (target == FZ_VBE_PORTS) {
		addr = 0x1ce + r[1] % 3;
	} else if (target == FZ_VGA_MEM) {
		sp = b->mmio;
		addr = 0xa0000 + (((uint32_t)r[1] << 9 ^ val >> 12) & 0x1ffff);
	} else if (target == FZ_FW_CFG) {
		addr = FW_CFG_PORT_SEL + r[1] % FW_CFG_PORT_LEN;
	} else if (target == FZ_LAPIC) {
		if (write)
			x86_lapic_write(&b->lapic, (uint64_t)r[1] << 4 | (val & 3),
					val, size);
		else
			b->sink += x86_lapic_read(&b->lapic,
						  (uint64_t)r[1] << 4 | (r[3] & 3),
						  size);
		return;
	} else if (target == FZ_IOAPIC_REGS) {
		sp = b->mmio;
		addr = IOAPIC_BASE + r[1] % 0x50;
	} else if (target == FZ_NIC_MMIO) {
		sp = b->mmio;
		addr = 0xfeb00000ULL + (((uint32_t)r[1] << 7 ^ val >> 17) &
					0x7ffc);
		size = 4;
	} else if (target == FZ_NIC_IO) {
		addr = 0xc100 + (r[1] & 4);
		size = 4;
	} else if (target == FZ_VGA_LFB) {
		sp = b->mmio;
		addr = 0xe0000000ULL + (((uint64_t)r[1] << 16 ^ val >> 8) &
					(VGA_VRAM_SIZE - 1));
	} else {
		fz_host_event(b, target, r[1], val,
			      (uint32_t)r[1] << 8 | r[2]);
		return;
	}
	if (write)
		iospace_write(sp, addr, val, size);
	else
		b->sink += iospace_read(sp, addr, size);
}

/* Render and snapshot whatever mode the input left the VGA in. */
static void fz_display(struct fz_board *b)
{
	static uint32_t pix[64 * 48];
	static char text[2048];
	unsigned int w, h, row, col;

	b->sink += (uint64_t)vga_render(b->dev[FZ_VGA], pix, 64, 64, 48, &w,
					&h);
	b->sink += (uint64_t)vga_text_snapshot(b->dev[FZ_VGA], text,
					       sizeof(text), &w, &h);
	b->sink += vga_text_cursor(b->dev[FZ_VGA], &row, &col);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_board b;
	uint64_t budget = FZ_TIME_CAP, step;

	if (fz_create(&b)) {
		fz_destroy(&b);
		return 0;
	}
	for (size_t i = 0; i + FZ_REC <= size; i += FZ_REC) {
		const uint8_t *r = data + i;

		fz_access(&b, r);
		step = (uint64_t)r[7] << ((r[2] >> 3) & 15);
		if (step > budget)
			step = budget;
		budget -= step;
		if (step)
			vclock_advance(b.clock, step);
	}
	if (pic_intr_pending(b.dev[FZ_PIC]))
		b.sink += pic_intr_ack(b.dev[FZ_PIC]);
	if (size && !(data[0] & 7))	/* 1 input in 8: what a display sees */
		fz_display(&b);
	if (getenv("FUZZ_DEV_IO_VERBOSE"))	/* seed-corpus sanity checks */
		fprintf(stderr, "fuzz_dev_io: %zu records, %llu ns, %llu unclaimed, "
			"sink %llx, post %02x, %u frames looped\n", size / FZ_REC,
			(unsigned long long)vclock_now(b.clock),
			(unsigned long long)iospace_unclaimed_count(b.pio),
			(unsigned long long)b.sink,
			debugport_post_code(b.dev[FZ_DBG]), b.loops);
	fz_destroy(&b);
	return 0;
}
