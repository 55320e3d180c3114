// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_dev_pci_ide.c --- random port, MMIO, PCI-config and guest-RAM
 * access sequences against the PCI bus, i440FX, PIIX3 and the PIIX3 IDE
 * controller with an ATA disk and two ATAPI CD-ROMs (one empty).  Nothing
 * may crash, hang or reach memory outside the fake guest RAM (whose DMA
 * callback aborts on an out-of-bounds copy it failed to refuse), and the
 * disk image must keep its size.  Disk requests complete at once, or
 * (opcode 8 operand 0x3c) stay in flight until the input completes them
 * (0x3d), so resets, SRST and bus-master stops meet requests in flight.
 *
 * Input: a sequence of records, each one opcode byte followed by operands.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "rawdisk/rawdisk.h"
#include "tests/unit/devices/blk_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE	(256 * 1024)
#define BM_BASE		0xc000
#define MAX_OPS		4096

struct fz {
	struct iospace	*pio, *mmio;
	struct vclock	*clock;
	struct dev_env	env;
	struct dev_host	host;		/* PAM checks, reset ignored */
	uint8_t		*ram;
	struct pci_bus	*bus;
	struct i440fx	*host_br;
	struct piix3	*isa;
	struct ide	*ide;
	struct rd_disk	*disk, *cd;
	struct fix_blk	disk_blk, cd_blk;	/* synchronous */
	const uint8_t	*p, *end;	/* input cursor */
};

static int fz_dma(void *opaque, uint64_t gpa, void *buf, uint64_t len,
		  bool to_guest)
{
	struct fz *z = opaque;

	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	if (to_guest)
		memcpy(z->ram + gpa, buf, len);
	else
		memcpy(buf, z->ram + gpa, len);
	return 0;
}

static void fz_irq(void *opaque, unsigned int n, int level)
{
	if (n >= 16 || (level != 0 && level != 1))
		abort();
}

static void fz_pam(void *opaque, unsigned int region, unsigned int mode)
{
	if (region >= I440FX_PAM_REGIONS || mode > 3)
		abort();
}

static void fz_reset(void *opaque, bool hard)
{
}

static uint32_t take(struct fz *z, unsigned int n)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v |= (uint32_t)(z->p < z->end ? *z->p++ : 0) << (8 * i);
	return v;
}

static const uint16_t fz_ports[] = {
	0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6,
	0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176, 0x177, 0x376,
	0xcf8, 0xcf9, 0xcfa, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0x92,
	BM_BASE, BM_BASE + 2, BM_BASE + 4, BM_BASE + 8, BM_BASE + 10,
	BM_BASE + 12, BM_BASE + 1, BM_BASE + 15,
};
#define NPORTS	(sizeof(fz_ports) / sizeof(fz_ports[0]))

static uint16_t fz_port(struct fz *z)
{
	uint32_t v = take(z, 1);

	if (v < 0xf0)
		return fz_ports[v % NPORTS];
	return (uint16_t)take(z, 2);
}

static unsigned int fz_size(struct fz *z)
{
	static const unsigned int sz[8] = { 1, 2, 4, 2, 1, 2, 4, 8 };

	return sz[take(z, 1) & 7];
}

/* Complete up to @n held requests of each drive. */
static void fz_complete(struct fz *z, unsigned int n)
{
	fix_blk_run(&z->disk_blk, n);
	fix_blk_run(&z->cd_blk, n);
}

/* Hold disk requests in flight until fz_complete(), or not. */
static void fz_hold(struct fz *z, bool hold)
{
	if (!hold)
		fz_complete(z, ~0u);
	z->disk_blk.hold = hold;
	z->cd_blk.hold = hold;
}

static void fz_step(struct fz *z)
{
	unsigned int op = take(z, 1) % 10, size;
	uint16_t port;
	uint32_t v, devfn, off;

	switch (op) {
	case 0:
	case 1:
		port = fz_port(z);
		size = fz_size(z);
		iospace_write(z->pio, port, take(z, size > 4 ? 4 : size), size);
		break;
	case 2:
		port = fz_port(z);
		iospace_read(z->pio, port, fz_size(z));
		break;
	case 3: {			/* config write to a real function */
		static const uint8_t fns[4] = { 0, 8, 9, 0x18 };

		devfn = fns[take(z, 1) & 3];
		off = take(z, 1);
		size = fz_size(z);
		v = take(z, 4);
		iospace_write(z->pio, 0xcf8, 0x80000000u | devfn << 8 |
			      (off & 0xfc), 4);
		iospace_write(z->pio, 0xcfc + (off & 3), v, size);
		break;
	}
	case 4:				/* guest RAM poke (PRDs, buffers) */
		off = take(z, 3) % (RAM_SIZE - 8);
		v = take(z, 4);
		memcpy(z->ram + off, &v, 4);
		break;
	case 5:				/* drain a data port */
		port = (take(z, 1) & 1) ? 0x170 : 0x1f0;
		for (unsigned int i = take(z, 1) * 16; i; i--)
			iospace_read(z->pio, port, 2);
		break;
	case 6:				/* enable the bus master */
		iospace_write(z->pio, 0xcf8, 0x80000920, 4);
		iospace_write(z->pio, 0xcfc, BM_BASE, 4);
		iospace_write(z->pio, 0xcf8, 0x80000904, 4);
		iospace_write(z->pio, 0xcfc, 0x5, 2);
		break;
	case 7:
		off = take(z, 4);
		size = fz_size(z);
		if (take(z, 1) & 1)
			iospace_write(z->mmio, off, take(z, 4), size);
		else
			iospace_read(z->mmio, off, size);
		break;
	case 8:
		v = take(z, 1);
		if (v == 0x5a)
			dev_reset(z->bus);
		else if (v == 0x3c)	/* disk requests: in flight or not */
			fz_hold(z, !z->disk_blk.hold);
		else if (v == 0x3d)	/* complete some in-flight requests */
			fz_complete(z, 1 + take(z, 1) % 4);
		break;
	case 9:
		if (take(z, 1) == 0xa5)
			ide_cd_change(z->ide, 2 + (take(z, 1) & 1),
				      (take(z, 1) & 1) ? &z->cd_blk.blk : NULL);
		break;
	}
}

static int fz_setup(struct fz *z)
{
	uint8_t *img = calloc(1, 64 * 512), *iso = calloc(1, 8 * 2048);
	struct dev_cfg pc = { 0 }, icfg = { 0 };
	struct ide_cfg ic = {0};
	void *dev[4] = { NULL };

	if (iospace_create("pio", &z->pio) || iospace_create("mmio", &z->mmio))
		return -1;
	if (vclock_create(NULL, NULL, &z->clock))
		return -1;
	z->ram = calloc(1, RAM_SIZE);
	if (!z->ram)
		return -1;
	z->env = (struct dev_env){ z->pio, z->mmio, z->clock, fz_dma, z };
	if (!img || !iso) {
		free(img);
		free(iso);
		return -1;
	}
	for (unsigned int i = 0; i < 8 * 2048; i++)
		iso[i] = (uint8_t)(i * 7);
	if (rd_mem_open(img, 64 * 512, RD_RDWR, &z->disk) ||
	    rd_mem_open(iso, 8 * 2048, RD_RDONLY, &z->cd)) {
		free(img);
		free(iso);
		return -1;
	}
	free(img);
	free(iso);
	z->host = (struct dev_host){ .pam = fz_pam, .reset = fz_reset,
				     .opaque = z };
	for (unsigned int i = 0; i < 16; i++)
		pc.irq[i] = (struct irq_line){ fz_irq, z, i };
	pc.host = &z->host;
	ic.drive[0] = (struct ide_drive_cfg){
		IDE_MEDIA_DISK, fix_blk_init(&z->disk_blk, z->disk, false), false };
	ic.drive[2] = (struct ide_drive_cfg){
		IDE_MEDIA_CDROM, fix_blk_init(&z->cd_blk, z->cd, true), true };
	ic.drive[3] = (struct ide_drive_cfg){ IDE_MEDIA_CDROM, NULL, true };
	icfg.irq[0] = pc.irq[14];
	icfg.irq[1] = pc.irq[15];
	icfg.priv = &ic;
	/* the bus, then its functions, through their descriptors */
	if (dev_create(&pci_bus_dev, &z->env, &pc, &dev[0]))
		return -1;
	z->bus = dev[0];
	pc.pci = icfg.pci = z->bus;
	if (dev_create(&i440fx_dev, &z->env, &pc, &dev[1]) ||
	    dev_create(&piix3_dev, &z->env, &pc, &dev[2]) ||
	    dev_create(&ide_dev, &z->env, &icfg, &dev[3])) {
		z->host_br = dev[1];
		z->isa = dev[2];
		return -1;
	}
	z->host_br = dev[1];
	z->isa = dev[2];
	z->ide = dev[3];
	return 0;
}

static void fz_teardown(struct fz *z)
{
	dev_destroy(z->ide);
	dev_destroy(z->isa);
	dev_destroy(z->host_br);
	dev_destroy(z->bus);
	rd_close(z->disk);
	rd_close(z->cd);
	free(z->ram);
	if (z->clock)
		vclock_destroy(z->clock);
	if (z->mmio)
		iospace_destroy(z->mmio);
	if (z->pio)
		iospace_destroy(z->pio);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz z;

	memset(&z, 0, sizeof(z));
	if (fz_setup(&z) == 0) {
		z.p = data;
		z.end = data + size;
		for (unsigned int n = 0; z.p < z.end && n < MAX_OPS; n++)
			fz_step(&z);
		if (rd_size(z.disk) != 64 * 512)
			abort();
	}
	fz_teardown(&z);
	return 0;
}
