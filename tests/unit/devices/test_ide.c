// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ide.c --- PIIX3 IDE: ATA disk commands, PIO, DMA, SRST, errors
 *
 * A 4 MiB pattern image in t_tmpdir() is the primary master (and an ATAPI
 * CD-ROM without a disc the primary slave); the test drives the legacy
 * ports and the bus-master BAR as a guest would and compares the bytes
 * with the file.
 */
#include "tests/unit/devices/ide_disk.h"

static void test_ide_identify(void)
{
	struct ide_fix x;
	uint8_t id[512], sum = 0;
	char model[41];

	ide_setup(&x);
	T_EQ(fix_cfg_read(&x.f, IDE_DEVFN, 0, 4), 0x70108086);
	T_EQ(fix_cfg_read(&x.f, IDE_DEVFN, 8, 4) >> 8, 0x010180);
	fix_cfg_write(&x.f, IDE_DEVFN, 0x40, 0x80008000, 4);	/* IDETIM */
	T_EQ(fix_cfg_read(&x.f, IDE_DEVFN, 0x40, 4), 0x80008000);
	T_EQ(fix_cfg_read(&x.f, IDE_DEVFN, 0x20, 4), BM_BASE | 1);
	dev_reset(x.f.bus);
	T_EQ(fix_cfg_read(&x.f, IDE_DEVFN, 0x40, 4), 0);
	T_ASSERT(!iospace_claimed(x.f.pio, BM_BASE));
	T_ASSERT(iospace_claimed(x.f.pio, 0x1f0));	/* legacy ports stay */
	fix_cfg_write(&x.f, IDE_DEVFN, 0x20, BM_BASE, 4);
	fix_cfg_write(&x.f, IDE_DEVFN, 0x04, PCI_COMMAND_IO, 2);
	T_ASSERT(iospace_claimed(x.f.pio, BM_BASE + 15));
	T_EQ(st(&x), 0x50);
	fix_out(&x.f, 0x1f6, 0xa0, 1);
	fix_out(&x.f, 0x1f7, 0xec, 1);
	T_EQ(x.f.level[14], 1);
	T_EQ(fix_in(&x.f, 0x3f6, 1), 0x58);	/* alt status keeps IRQ */
	T_EQ(x.f.level[14], 1);
	T_EQ(st(&x), 0x58);
	T_EQ(x.f.level[14], 0);
	pio_in(&x, id, 512);
	T_EQ(st(&x), 0x50);
	for (unsigned int i = 0; i < 40; i += 2) {
		model[i] = (char)id[54 + i + 1];
		model[i + 1] = (char)id[54 + i];
	}
	model[40] = 0;
	T_ASSERT(strncmp(model, "DUALVM HARDDISK ", 16) == 0);
	T_EQ(id[0] | id[1] << 8, 0x0040);
	T_EQ(id[2] | id[3] << 8, 8);		/* cylinders: 8192/(16*63) */
	T_EQ(id[6] | id[7] << 8, 16);
	T_EQ(id[12] | id[13] << 8, 63);
	T_EQ(id[120] | id[121] << 8 | id[122] << 16, NSECT);	/* 60-61 */
	T_EQ(id[200] | id[201] << 8 | id[202] << 16, NSECT);	/* 100-103 */
	T_ASSERT((id[167] & 0x04));		/* word 83 bit 10: LBA48 */
	T_ASSERT((id[99] & 0x03) == 0x03);	/* word 49: LBA + DMA */
	T_EQ(id[126], 0x07);			/* word 63 MWDMA 0-2 */
	T_EQ(id[176], 0x3f);			/* word 88 UDMA 0-5 */
	T_EQ(id[510], 0xa5);
	for (unsigned int i = 0; i < 512; i++)
		sum += id[i];
	T_EQ(sum, 0);
	ide_teardown(&x);
}

static void test_ide_pio_read_lba28_lba48_chs(void)
{
	struct ide_fix x;
	uint8_t buf[4 * 512];

	ide_setup(&x);
	lba28(&x, 5, 3, 0x20);
	for (unsigned int s = 0; s < 3; s++) {
		T_EQ(x.f.level[14], 1);
		T_EQ(st(&x), 0x58);
		pio_in(&x, buf + s * 512, 512);
	}
	T_EQ(st(&x), 0x50);
	T_EQ(x.f.raises[14], 3);
	check_pattern(buf, 5, 3);

	lba48(&x, 8000, 4, 0x24);
	T_EQ(st(&x), 0x58);
	for (unsigned int s = 0; s < 4; s++)
		pio_in(&x, buf + s * 512, 512);
	check_pattern(buf, 8000, 4);
	T_EQ(st(&x), 0x50);

	/* CHS: cylinder 1, head 2, sector 3 -> (1*16+2)*63+2 */
	fix_out(&x.f, 0x1f6, 0xa2, 1);
	fix_out(&x.f, 0x1f2, 1, 1);
	fix_out(&x.f, 0x1f3, 3, 1);
	fix_out(&x.f, 0x1f4, 1, 1);
	fix_out(&x.f, 0x1f5, 0, 1);
	fix_out(&x.f, 0x1f7, 0x20, 1);
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf, 512);
	check_pattern(buf, (1 * 16 + 2) * 63 + 2, 1);
	/* CHS sector 0 is invalid */
	fix_out(&x.f, 0x1f3, 0, 1);
	fix_out(&x.f, 0x1f7, 0x20, 1);
	T_EQ(st(&x) & 0x89, 0x01);
	T_ASSERT(fix_in(&x.f, 0x1f1, 1) & 0x04);
	ide_teardown(&x);
}

static void test_ide_pio_write(void)
{
	struct ide_fix x;
	uint8_t buf[2 * 512], back[2 * 512];

	ide_setup(&x);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	lba28(&x, 100, 2, 0x30);
	T_EQ(st(&x), 0x58);
	T_EQ(x.f.raises[14], 0);		/* no IRQ before the first block */
	pio_out(&x, buf, 512);
	T_EQ(x.f.raises[14], 1);
	T_EQ(st(&x), 0x58);
	pio_out(&x, buf + 512, 512);
	T_EQ(x.f.raises[14], 2);
	T_EQ(st(&x), 0x50);
	fix_out(&x.f, 0x1f7, 0xe7, 1);		/* FLUSH CACHE */
	T_EQ(st(&x), 0x50);
	fix_file_read(x.path, back, sizeof(back), 100 * 512);
	T_ASSERT(memcmp(buf, back, sizeof(buf)) == 0);
	/* neighbours untouched */
	fix_file_read(x.path, back, 512, 102 * 512);
	check_pattern(back, 102, 1);
	/* LBA48 write at the last sector */
	lba48(&x, NSECT - 1, 1, 0x34);
	pio_out(&x, buf, 512);
	T_EQ(st(&x), 0x50);
	fix_file_read(x.path, back, 512, (NSECT - 1) * 512ull);
	T_ASSERT(memcmp(buf, back, 512) == 0);
	ide_teardown(&x);
}

static void test_ide_read_multiple(void)
{
	struct ide_fix x;
	uint8_t buf[10 * 512];

	ide_setup(&x);
	lba28(&x, 0, 10, 0xc4);		/* no SET MULTIPLE yet */
	T_EQ(st(&x) & 0x01, 0x01);
	T_EQ(fix_in(&x.f, 0x1f1, 1), 0x04);
	fix_out(&x.f, 0x1f2, 3, 1);		/* not a power of two */
	fix_out(&x.f, 0x1f7, 0xc6, 1);
	T_EQ(st(&x) & 0x01, 0x01);
	fix_out(&x.f, 0x1f2, 4, 1);
	fix_out(&x.f, 0x1f7, 0xc6, 1);
	T_EQ(st(&x), 0x50);
	x.f.raises[14] = 0;
	lba28(&x, 20, 10, 0xc4);
	T_EQ(st(&x), 0x58);			/* acknowledges the IRQ */
	pio_in(&x, buf, 4 * 512);
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf + 4 * 512, 4 * 512);
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf + 8 * 512, 2 * 512);
	T_EQ(st(&x), 0x50);
	T_EQ(x.f.raises[14], 3);		/* one IRQ per block */
	check_pattern(buf, 20, 10);
	ide_teardown(&x);
}

static void test_ide_dma_read_write(void)
{
	struct ide_fix x;
	uint8_t back[4 * 512];

	ide_setup(&x);
	T_ASSERT(iospace_claimed(x.f.pio, BM_BASE));
	prd(&x, 0x1000, 0x10000, 512, false);
	prd(&x, 0x1008, 0x20000, 3 * 512, true);
	lba28(&x, 300, 4, 0xc8);
	T_EQ(x.f.raises[14], 0);
	bm_start(&x, 0x1000, true);
	T_EQ(x.f.level[14], 1);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x04);	/* INTR, done */
	T_EQ(st(&x), 0x50);
	fix_out(&x.f, BM_BASE, 0, 1);
	check_pattern(x.f.ram + 0x10000, 300, 1);
	check_pattern(x.f.ram + 0x20000, 301, 3);

	/* LBA48 DMA write from two buffers, command issued after start */
	for (unsigned int i = 0; i < 4 * 512; i++)
		x.f.ram[0x30000 + i] = (uint8_t)(i ^ 0x5a);
	prd(&x, 0x2000, 0x30000, 1024, false);
	prd(&x, 0x2008, 0x30400, 1024, true);
	bm_start(&x, 0x2000, false);
	lba48(&x, 4000, 4, 0x35);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x04);
	T_EQ(st(&x), 0x50);
	fix_out(&x.f, BM_BASE, 0, 1);
	fix_file_read(x.path, back, sizeof(back), 4000 * 512);
	T_ASSERT(memcmp(back, x.f.ram + 0x30000, sizeof(back)) == 0);

	/* PRD list larger than the transfer: INTR with ACTIVE still set */
	prd(&x, 0x1000, 0x10000, 4096, true);
	lba28(&x, 0, 1, 0xc8);
	bm_start(&x, 0x1000, true);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x05);
	fix_out(&x.f, BM_BASE, 0, 1);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x01, 0);
	ide_teardown(&x);
}

static void test_ide_dma_hostile_prd(void)
{
	struct ide_fix x;

	ide_setup(&x);
	/* buffer beyond the end of guest RAM */
	prd(&x, 0x1000, FIX_RAM_SIZE - 512, 4096, true);
	lba28(&x, 0, 8, 0xc8);
	bm_start(&x, 0x1000, true);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x06);	/* ERR|INTR */
	T_EQ(st(&x) & 0x01, 0x01);
	T_ASSERT(x.f.dma_faults > 0);
	fix_out(&x.f, BM_BASE, 0, 1);
	/* the table itself outside RAM */
	lba28(&x, 0, 1, 0xca);
	bm_start(&x, 0xfffff000, false);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x06);
	T_EQ(st(&x) & 0x01, 0x01);
	fix_out(&x.f, BM_BASE, 0, 1);
	/* a table running into the next 64 KiB: entries without EOT */
	for (uint32_t a = 0xfff8; a < 0x10000; a += 8)
		prd(&x, a, 0x20000, 2, false);
	lba28(&x, 0, 1, 0xc8);
	bm_start(&x, 0xfff8, true);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x06);
	fix_out(&x.f, BM_BASE, 0, 1);
	/* PRDs smaller than the transfer */
	prd(&x, 0x1000, 0x20000, 512, true);
	lba28(&x, 0, 2, 0xc8);
	bm_start(&x, 0x1000, true);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x03, 0x02);
	T_EQ(st(&x) & 0x01, 0x01);
	/* a buffer wrapping past 4 GiB */
	fix_out(&x.f, BM_BASE, 0, 1);
	prd(&x, 0x1000, 0xffffff00, 512, true);
	lba28(&x, 0, 1, 0xc8);
	bm_start(&x, 0x1000, true);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x06);
	/* reselecting the (CD-ROM) slave before the engine starts: the
	 * command still belongs to the master */
	fix_out(&x.f, BM_BASE, 0, 1);
	prd(&x, 0x1000, 0x20000, 512, true);
	lba28(&x, 11, 1, 0xc8);
	fix_out(&x.f, 0x1f6, 0xb0, 1);
	bm_start(&x, 0x1000, true);
	fix_out(&x.f, 0x1f6, 0xa0, 1);
	T_EQ(st(&x), 0x50);
	check_pattern(x.f.ram + 0x20000, 11, 1);
	/* the drive still works afterwards */
	fix_out(&x.f, BM_BASE, 0, 1);
	prd(&x, 0x1000, 0x20000, 512, true);
	lba28(&x, 9, 1, 0xc8);
	bm_start(&x, 0x1000, true);
	T_EQ(st(&x), 0x50);
	check_pattern(x.f.ram + 0x20000, 9, 1);
	ide_teardown(&x);
}

static void test_ide_errors(void)
{
	struct ide_fix x;

	ide_setup(&x);
	lba28(&x, NSECT - 1, 2, 0x20);		/* crosses the end */
	T_EQ(st(&x), 0x51);
	T_ASSERT(fix_in(&x.f, 0x1f1, 1) & 0x04);
	lba48(&x, 1ull << 24, 1, 0x24);
	T_EQ(st(&x), 0x51);
	lba28(&x, 0, 1, 0x8f);			/* unknown command */
	T_EQ(st(&x), 0x51);
	T_EQ(fix_in(&x.f, 0x1f1, 1), 0x04);
	fix_out(&x.f, 0x1f6, 0xa0, 1);
	fix_out(&x.f, 0x1f7, 0xa1, 1);		/* IDENTIFY PACKET on ATA */
	T_EQ(st(&x), 0x51);
	/* a good command clears the error */
	lba28(&x, 0, 1, 0x40);			/* READ VERIFY */
	T_EQ(st(&x), 0x50);
	T_EQ(fix_in(&x.f, 0x1f1, 1), 0);
	/* CHECK POWER MODE / STANDBY */
	fix_out(&x.f, 0x1f7, 0xe0, 1);
	fix_out(&x.f, 0x1f7, 0xe5, 1);
	T_EQ(fix_in(&x.f, 0x1f2, 1), 0x00);
	fix_out(&x.f, 0x1f7, 0xe1, 1);
	fix_out(&x.f, 0x1f7, 0xe5, 1);
	T_EQ(fix_in(&x.f, 0x1f2, 1), 0xff);
	/* nIEN: no interrupt on the line */
	fix_out(&x.f, 0x3f6, 0x02, 1);
	x.f.raises[14] = 0;
	lba28(&x, 0, 1, 0x40);
	T_EQ(x.f.raises[14], 0);
	fix_out(&x.f, 0x3f6, 0x00, 1);
	T_EQ(x.f.level[14], 1);			/* pending shows up */
	ide_teardown(&x);
}

static void test_ide_io_error(void)
{
	struct ide_fix x;
	uint8_t buf[512] = {0};

	/* read-only back end under a drive the guest believes writable */
	ide_setup_flags(&x, RD_RDONLY, false);
	lba28(&x, 10, 1, 0x30);
	pio_out(&x, buf, 512);
	T_EQ(st(&x), 0x51);
	T_EQ(fix_in(&x.f, 0x1f1, 1), 0x04);
	ide_teardown(&x);

	ide_setup_flags(&x, RD_RDWR, true);	/* write-protected drive */
	lba28(&x, 10, 1, 0x30);
	T_EQ(st(&x), 0x51);
	ide_teardown(&x);
}

static void test_ide_srst_signatures(void)
{
	struct ide_fix x;

	ide_setup(&x);
	lba28(&x, 0x123456, 9, 0x8f);		/* garbage in the task file */
	fix_out(&x.f, 0x3f6, 0x06, 1);		/* SRST + nIEN */
	T_EQ(st(&x), 0x80);
	fix_out(&x.f, 0x3f6, 0x02, 1);
	T_EQ(st(&x), 0x50);
	T_EQ(fix_in(&x.f, 0x1f2, 1), 1);
	T_EQ(fix_in(&x.f, 0x1f3, 1), 1);
	T_EQ(fix_in(&x.f, 0x1f4, 1), 0);
	T_EQ(fix_in(&x.f, 0x1f5, 1), 0);
	T_EQ(fix_in(&x.f, 0x1f1, 1), 1);
	fix_out(&x.f, 0x1f6, 0xb0, 1);		/* slave: the CD-ROM */
	T_EQ(fix_in(&x.f, 0x1f4, 1), 0x14);
	T_EQ(fix_in(&x.f, 0x1f5, 1), 0xeb);
	T_EQ(fix_in(&x.f, 0x1f2, 1), 1);
	/* secondary channel is empty: reads as zeros */
	T_EQ(fix_in(&x.f, 0x177, 1), 0);
	T_EQ(fix_in(&x.f, 0x174, 1), 0);
	/* EXECUTE DEVICE DIAGNOSTIC selects the master and posts signatures */
	fix_out(&x.f, 0x3f6, 0x00, 1);
	fix_out(&x.f, 0x1f7, 0x90, 1);
	T_EQ(x.f.level[14], 1);
	T_EQ(fix_in(&x.f, 0x1f1, 1), 1);
	T_EQ(fix_in(&x.f, 0x1f6, 1) & 0x10, 0);
	ide_teardown(&x);
}

static void test_ide_create_rejects(void)
{
	struct fix f;
	struct ide_cfg cfg = {0};
	struct ide *ide;

	fix_init(&f);
	cfg.drive[0].media = IDE_MEDIA_DISK;	/* no backing disk */
	T_EQ(fix_ide_create(&f, f.bus, &cfg, &ide), -EINVAL);
	T_ASSERT(!iospace_claimed(f.pio, 0x1f0));
	cfg.drive[0].media = IDE_MEDIA_NONE;
	T_EQ(fix_ide_create(&f, NULL, &cfg, &ide), 0);
	T_EQ(fix_ide_create(&f, NULL, &cfg, &ide), -EEXIST);
	dev_destroy(f.bus);
}

static void test_ide_misc_commands(void)
{
	struct ide_fix x;
	uint8_t buf[8 * 512], back[8 * 512], id[512];

	ide_setup(&x);
	/* WRITE MULTIPLE (EXT) in blocks of 2 */
	fix_out(&x.f, 0x1f2, 2, 1);
	fix_out(&x.f, 0x1f7, 0xc6, 1);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 3 + 1);
	lba48(&x, 50, 5, 0x39);
	x.f.raises[14] = 0;
	pio_out(&x, buf, 1024);
	T_EQ(st(&x), 0x58);
	pio_out(&x, buf + 1024, 1024);
	T_EQ(st(&x), 0x58);
	pio_out(&x, buf + 2048, 512);		/* last, short block */
	T_EQ(st(&x), 0x50);
	T_EQ(x.f.raises[14], 3);
	fix_file_read(x.path, back, 5 * 512, 50 * 512);
	T_ASSERT(memcmp(buf, back, 5 * 512) == 0);
	/* READ NATIVE MAX ADDRESS (EXT) */
	fix_out(&x.f, 0x1f6, 0x40, 1);
	fix_out(&x.f, 0x1f7, 0x27, 1);
	T_EQ(st(&x), 0x50);
	T_EQ(fix_in(&x.f, 0x1f3, 1) | fix_in(&x.f, 0x1f4, 1) << 8, NSECT - 1);
	fix_out(&x.f, 0x3f6, 0x80, 1);		/* HOB: previous content */
	T_EQ(fix_in(&x.f, 0x1f3, 1), 0);
	fix_out(&x.f, 0x3f6, 0x00, 1);
	/* INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors; CHS follows */
	fix_out(&x.f, 0x1f2, 17, 1);
	fix_out(&x.f, 0x1f6, 0xa3, 1);
	fix_out(&x.f, 0x1f7, 0x91, 1);
	T_EQ(st(&x), 0x50);
	fix_out(&x.f, 0x1f6, 0xa1, 1);		/* head 1 */
	fix_out(&x.f, 0x1f2, 1, 1);
	fix_out(&x.f, 0x1f3, 2, 1);		/* sector 2 */
	fix_out(&x.f, 0x1f4, 3, 1);		/* cylinder 3 */
	fix_out(&x.f, 0x1f5, 0, 1);
	fix_out(&x.f, 0x1f7, 0x20, 1);
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf, 512);
	check_pattern(buf, (3 * 4 + 1) * 17 + 1, 1);
	fix_out(&x.f, 0x1f6, 0xa4, 1);		/* head 4 >= 4 heads */
	fix_out(&x.f, 0x1f7, 0x20, 1);
	T_EQ(st(&x), 0x51);
	/* SET FEATURES: UDMA 2 shows in IDENTIFY word 88; bad mode aborts */
	fix_out(&x.f, 0x1f6, 0xa0, 1);
	fix_out(&x.f, 0x1f1, 0x03, 1);
	fix_out(&x.f, 0x1f2, 0x42, 1);
	fix_out(&x.f, 0x1f7, 0xef, 1);
	T_EQ(st(&x), 0x50);
	fix_out(&x.f, 0x1f2, 0x47, 1);
	fix_out(&x.f, 0x1f7, 0xef, 1);
	T_EQ(st(&x), 0x51);
	fix_out(&x.f, 0x1f1, 0x82, 1);		/* write cache off */
	fix_out(&x.f, 0x1f7, 0xef, 1);
	T_EQ(st(&x), 0x50);
	fix_out(&x.f, 0x1f7, 0xec, 1);
	pio_in(&x, id, 512);
	T_EQ(id[177], 0x04);			/* word 88: UDMA2 selected */
	T_EQ(id[170] & 0x20, 0);		/* word 85: cache disabled */
	T_EQ(id[118], 0x02);			/* word 59: multiple = 2 */
	T_EQ(id[119], 0x01);
	ide_teardown(&x);
}

static void test_ide_read_error_unc(void)
{
	struct ide_fix x;
	struct rd_disk *faulty;
	struct rd_fault_cfg fc = { .fail_read_nth = 2 };
	struct ide_cfg cfg = {0};
	uint8_t buf[512];

	fix_init(&x.f);
	snprintf(x.path, sizeof(x.path), "%s/disk.img", t_tmpdir());
	fix_make_image(x.path, NSECT, 512);
	x.disk = fix_open(x.path, RD_RDWR);
	T_EQ(rd_fault_open(x.disk, true, &fc, &faulty), 0);
	x.disk = faulty;
	cfg.drive[0] = (struct ide_drive_cfg){
		IDE_MEDIA_DISK, fix_blk_init(&x.fb, x.disk, false), false };
	T_EQ(fix_ide_create(&x.f, NULL, &cfg, &x.ide), 0);
	lba28(&x, 1, 2, 0x20);			/* one read per sector */
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf, 512);
	check_pattern(buf, 1, 1);
	T_EQ(st(&x), 0x51);			/* second read failed */
	T_EQ(fix_in(&x.f, 0x1f1, 1), 0x40);	/* UNC */
	T_EQ(fix_in(&x.f, 0x1f0, 2), 0);	/* no data phase left */
	lba28(&x, 3, 1, 0x20);			/* later reads work */
	T_EQ(st(&x), 0x58);
	lba28(&x, 3, 1, 0xc8);			/* DMA without a bus master */
	T_EQ(st(&x), 0x51);
	ide_teardown(&x);
}

static const struct t_case cases[] = {
	T_CASE(test_ide_misc_commands),
	T_CASE(test_ide_read_error_unc),
	T_CASE(test_ide_identify),
	T_CASE(test_ide_pio_read_lba28_lba48_chs),
	T_CASE(test_ide_pio_write),
	T_CASE(test_ide_read_multiple),
	T_CASE(test_ide_dma_read_write),
	T_CASE(test_ide_dma_hostile_prd),
	T_CASE(test_ide_errors),
	T_CASE(test_ide_io_error),
	T_CASE(test_ide_srst_signatures),
	T_CASE(test_ide_create_rejects),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
