// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ide_async.c --- PIIX3 IDE with disk requests in flight
 *
 * The test back end holds every request until the test completes it, so
 * the guest-visible state in between can be checked: BSY without DRQ, no
 * interrupt, the bus master still active; the next step (DRQ block, next
 * DMA chunk, completion IRQ and bus-master bits) only after completion;
 * commands ignored while BSY; SRST, controller reset, stopping the bus
 * master and destroy waiting for the request and dropping its result; a
 * FLUSH CACHE completing after the writes before it.
 */
#include "tests/unit/devices/ide_disk.h"

#define ST_BSY		0xd0	/* BSY | DRDY | DSC */

static void hold_setup(struct ide_fix *x)
{
	ide_setup(x);
	x->fb.hold = true;
}

/* A DMA read of 300 sectors: two requests (256 + 44 sectors). */
static void test_ide_dma_in_flight(void)
{
	struct ide_fix x;

	hold_setup(&x);
	prd(&x, 0x1000, 0x10000, 0, false);		/* 64 KiB */
	prd(&x, 0x1008, 0x20000, 0, false);		/* 64 KiB */
	prd(&x, 0x1010, 0x30000, 44 * 512, true);
	lba48(&x, 1000, 300, 0x25);			/* READ DMA EXT */
	T_EQ(st(&x), 0x58);				/* waits for the BM */
	T_EQ(x.fb.submitted, 0);
	bm_start(&x, 0x1000, true);
	T_EQ(x.fb.held, 1);				/* the first chunk */
	T_EQ(st(&x), ST_BSY);				/* BSY, no DRQ */
	T_EQ(fix_in(&x.f, 0x3f6, 1), ST_BSY);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x01);	/* ACTIVE */
	T_EQ(x.f.raises[14], 0);
	T_EQ(x.f.ram[0x10000], 0);			/* nothing moved */
	T_EQ(fix_blk_run(&x.fb, 1), 1);
	check_pattern(x.f.ram + 0x10000, 1000, 128);
	check_pattern(x.f.ram + 0x20000, 1128, 128);
	T_EQ(x.fb.held, 1);				/* the second chunk */
	T_EQ(st(&x), ST_BSY);
	T_EQ(x.f.raises[14], 0);
	T_EQ(fix_blk_run(&x.fb, 1), 1);
	check_pattern(x.f.ram + 0x30000, 1256, 44);
	T_EQ(x.f.raises[14], 1);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x04);	/* INTR, done */
	T_EQ(st(&x), 0x50);
	T_EQ(x.fb.submitted, 2);
	fix_out(&x.f, BM_BASE, 0, 1);
	ide_teardown(&x);
}

/* PIO read: BSY while the block is read, then DRQ and the IRQ; a command
 * written while BSY is ignored. */
static void test_ide_pio_in_flight(void)
{
	struct ide_fix x;
	uint8_t buf[2 * 512];

	hold_setup(&x);
	lba28(&x, 50, 2, 0x20);
	T_EQ(st(&x), ST_BSY);
	fix_out(&x.f, 0x1f7, 0xec, 1);			/* IDENTIFY: ignored */
	T_EQ(x.fb.submitted, 1);
	T_EQ(x.f.raises[14], 0);
	T_EQ(fix_in(&x.f, 0x1f0, 2), 0);		/* no data yet */
	T_EQ(fix_blk_run(&x.fb, 1), 1);
	T_EQ(x.f.raises[14], 1);
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf, 512);
	T_EQ(st(&x), ST_BSY);				/* fetching block 2 */
	T_EQ(fix_blk_run(&x.fb, 1), 1);
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf + 512, 512);
	T_EQ(st(&x), 0x50);
	check_pattern(buf, 50, 2);
	T_EQ(x.f.raises[14], 2);
	ide_teardown(&x);
}

/* FLUSH CACHE runs after the writes before it and ends with the IRQ. */
static void test_ide_flush_after_writes(void)
{
	struct ide_fix x;
	uint8_t buf[2 * 512], back[2 * 512];

	hold_setup(&x);
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	lba28(&x, 200, 2, 0x30);
	pio_out(&x, buf, 512);
	T_EQ(st(&x), ST_BSY);
	fix_blk_run(&x.fb, 1);
	pio_out(&x, buf + 512, 512);
	fix_blk_run(&x.fb, 1);
	T_EQ(st(&x), 0x50);
	x.f.raises[14] = 0;
	fix_out(&x.f, 0x1f7, 0xe7, 1);			/* FLUSH CACHE */
	T_EQ(st(&x), ST_BSY);
	T_EQ(x.f.raises[14], 0);
	T_EQ(fix_blk_run(&x.fb, 1), 1);
	T_EQ(st(&x), 0x50);
	T_EQ(x.f.raises[14], 1);
	T_EQ(x.fb.nlog, 3);
	T_EQ(x.fb.log[0], BLK_WRITE);
	T_EQ(x.fb.log[1], BLK_WRITE);
	T_EQ(x.fb.log[2], BLK_FLUSH);
	fix_file_read(x.path, back, sizeof(back), 200 * 512);
	T_ASSERT(memcmp(buf, back, sizeof(back)) == 0);
	ide_teardown(&x);
}

/* SRST and a controller reset wait for the request and drop its result;
 * the drive works normally afterwards. */
static void test_ide_reset_in_flight(void)
{
	struct ide_fix x;
	uint8_t buf[512];

	hold_setup(&x);
	lba28(&x, 7, 1, 0x20);
	T_EQ(x.fb.held, 1);
	fix_out(&x.f, 0x3f6, 0x04, 1);			/* SRST */
	T_EQ(x.fb.held, 0);				/* waited for */
	T_EQ(x.fb.drains, 1);
	T_EQ(st(&x), 0x80);
	fix_out(&x.f, 0x3f6, 0x00, 1);
	T_EQ(st(&x), 0x50);				/* no DRQ left */
	T_EQ(x.f.raises[14], 0);			/* result dropped */
	lba28(&x, 7, 1, 0x20);
	dev_reset(x.ide);				/* board reset */
	T_EQ(x.fb.held, 0);
	T_EQ(st(&x), 0x50);
	T_EQ(x.f.level[14], 0);
	x.fb.hold = false;
	lba28(&x, 9, 1, 0x20);
	T_EQ(st(&x), 0x58);
	pio_in(&x, buf, 512);
	check_pattern(buf, 9, 1);
	/* destroy with a request in flight: drained first (ASan checks the
	 * buffer is not freed under it) */
	x.fb.hold = true;
	lba28(&x, 11, 1, 0x20);
	T_EQ(x.fb.held, 1);
	ide_teardown(&x);
}

/* Clearing the bus master's start bit mid-command cancels it. */
static void test_ide_bm_stop_in_flight(void)
{
	struct ide_fix x;

	hold_setup(&x);
	prd(&x, 0x1000, 0x10000, 8 * 512, true);
	lba28(&x, 30, 8, 0xc8);
	bm_start(&x, 0x1000, true);
	T_EQ(x.fb.held, 1);
	fix_out(&x.f, BM_BASE, 0x08, 1);		/* stop */
	T_EQ(x.fb.held, 0);
	T_EQ(fix_in(&x.f, BM_BASE + 2, 1) & 0x07, 0x00);
	T_EQ(st(&x), 0x51);				/* ERR */
	T_EQ(fix_in(&x.f, 0x1f1, 1), 0x04);		/* ABRT */
	T_EQ(x.f.raises[14], 0);
	T_EQ(x.f.ram[0x10000], 0);			/* nothing moved */
	ide_teardown(&x);
}

static const struct t_case cases[] = {
	T_CASE(test_ide_dma_in_flight),
	T_CASE(test_ide_pio_in_flight),
	T_CASE(test_ide_flush_after_writes),
	T_CASE(test_ide_reset_in_flight),
	T_CASE(test_ide_bm_stop_in_flight),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
