/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ide_disk.h --- an IDE controller with a pattern disk, for test_ide.c and
 * test_ide_async.c
 *
 * A 4 MiB pattern image in t_tmpdir() is the primary master (and an ATAPI
 * CD-ROM without a disc the primary slave), behind a test block back end
 * (blk_fixture.h: synchronous, or holding requests in flight); helpers
 * issue task-file commands, move PIO data, build PRD tables and start the
 * bus master as a guest would.
 */
#ifndef DUALVM_TEST_IDE_DISK_H
#define DUALVM_TEST_IDE_DISK_H

#include "tests/unit/devices/ide_fixture.h"

#define NSECT		8192		/* 4 MiB */
#define BM_BASE		0xc000

struct ide_fix {
	struct fix	f;
	struct ide	*ide;
	struct rd_disk	*disk;
	struct fix_blk	fb;		/* the disk as the drive's blk */
	char		path[512];
};

static inline void ide_setup_flags(struct ide_fix *x, unsigned int rdflags,
				   bool ro_drive)
{
	struct ide_cfg cfg = {0};

	fix_init(&x->f);
	snprintf(x->path, sizeof(x->path), "%s/disk.img", t_tmpdir());
	fix_make_image(x->path, NSECT, 512);
	x->disk = fix_open(x->path, rdflags);
	cfg.drive[0] = (struct ide_drive_cfg){
		IDE_MEDIA_DISK, fix_blk_init(&x->fb, x->disk, false), ro_drive };
	cfg.drive[1] = (struct ide_drive_cfg){ IDE_MEDIA_CDROM, NULL, false };
	T_EQ(fix_ide_create(&x->f, x->f.bus, &cfg, &x->ide), 0);
	/* program BAR4 and enable I/O + bus mastering */
	fix_cfg_write(&x->f, IDE_DEVFN, 0x20, BM_BASE, 4);
	fix_cfg_write(&x->f, IDE_DEVFN, 0x04, PCI_COMMAND_IO |
		      PCI_COMMAND_MASTER, 2);
}

static inline void ide_setup(struct ide_fix *x)
{
	ide_setup_flags(x, RD_RDWR, false);
}

static inline void ide_teardown(struct ide_fix *x)
{
	dev_destroy(x->ide);
	dev_destroy(x->f.bus);
	rd_close(x->disk);
}

static inline uint8_t st(struct ide_fix *x)
{
	return (uint8_t)fix_in(&x->f, 0x1f7, 1);
}

static inline void lba28(struct ide_fix *x, uint32_t lba, uint8_t count,
			 uint8_t cmd)
{
	fix_out(&x->f, 0x1f6, 0xe0 | ((lba >> 24) & 0x0f), 1);
	fix_out(&x->f, 0x1f2, count, 1);
	fix_out(&x->f, 0x1f3, lba & 0xff, 1);
	fix_out(&x->f, 0x1f4, (lba >> 8) & 0xff, 1);
	fix_out(&x->f, 0x1f5, (lba >> 16) & 0xff, 1);
	fix_out(&x->f, 0x1f7, cmd, 1);
}

static inline void lba48(struct ide_fix *x, uint64_t lba, uint16_t count,
			 uint8_t cmd)
{
	fix_out(&x->f, 0x1f6, 0x40, 1);
	fix_out(&x->f, 0x1f2, count >> 8, 1);
	fix_out(&x->f, 0x1f3, (lba >> 24) & 0xff, 1);
	fix_out(&x->f, 0x1f4, (lba >> 32) & 0xff, 1);
	fix_out(&x->f, 0x1f5, (lba >> 40) & 0xff, 1);
	fix_out(&x->f, 0x1f2, count & 0xff, 1);
	fix_out(&x->f, 0x1f3, lba & 0xff, 1);
	fix_out(&x->f, 0x1f4, (lba >> 8) & 0xff, 1);
	fix_out(&x->f, 0x1f5, (lba >> 16) & 0xff, 1);
	fix_out(&x->f, 0x1f7, cmd, 1);
}

/* Read @n bytes from the data port in 16-bit units. */
static inline void pio_in(struct ide_fix *x, uint8_t *buf, unsigned int n)
{
	for (unsigned int i = 0; i < n; i += 2) {
		uint16_t w = (uint16_t)fix_in(&x->f, 0x1f0, 2);

		buf[i] = (uint8_t)w;
		buf[i + 1] = (uint8_t)(w >> 8);
	}
}

static inline void pio_out(struct ide_fix *x, const uint8_t *buf,
			   unsigned int n)
{
	for (unsigned int i = 0; i < n; i += 4)
		fix_out(&x->f, 0x1f0, buf[i] | buf[i + 1] << 8 |
			buf[i + 2] << 16 | (uint32_t)buf[i + 3] << 24, 4);
}

static inline void check_pattern(const uint8_t *buf, uint64_t lba,
				 unsigned int n)
{
	for (unsigned int s = 0; s < n; s++)
		for (unsigned int i = 0; i < 512; i++)
			if (buf[s * 512 + i] != fix_pattern(lba + s, i))
				t_fail(__FILE__, __LINE__,
				       "lba %llu byte %u differs",
				       (unsigned long long)(lba + s), i);
}

/* Write a PRD entry at @at in the fake RAM. */
static inline void prd(struct ide_fix *x, uint32_t at, uint32_t addr,
		       uint32_t cnt, bool eot)
{
	uint8_t *p = x->f.ram + at;

	p[0] = (uint8_t)addr;
	p[1] = (uint8_t)(addr >> 8);
	p[2] = (uint8_t)(addr >> 16);
	p[3] = (uint8_t)(addr >> 24);
	p[4] = (uint8_t)cnt;
	p[5] = (uint8_t)(cnt >> 8);
	p[6] = 0;
	p[7] = eot ? 0x80 : 0;
}

static inline void bm_start(struct ide_fix *x, uint32_t table, bool to_mem)
{
	fix_out(&x->f, BM_BASE + 4, table, 4);
	fix_out(&x->f, BM_BASE + 2, 0x06, 1);	/* clear ERR/INTR */
	fix_out(&x->f, BM_BASE, to_mem ? 0x09 : 0x01, 1);
}

#endif
