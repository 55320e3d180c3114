// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_atapi.c --- PIIX3 IDE ATAPI CD-ROM: PACKET protocol and MMC commands
 *
 * The secondary master is a CD-ROM holding a generated 64-sector image of
 * 2048-byte sectors, the secondary slave a CD-ROM with no disc.  Packets
 * go through the legacy ports (and once through the bus master); data is
 * compared with the generating pattern.
 */
#include "tests/unit/devices/ide_fixture.h"

#define CD_NSECT	64
#define BM_BASE		0xc000
#define CMD		0x170
#define CTL		0x376

struct cd_fix {
	struct fix	f;
	struct ide	*ide;
	struct rd_disk	*iso;
	struct fix_blk	fb;		/* the ISO as the drive's blk */
	unsigned int	chunks;		/* DRQ blocks of the last data phase */
	uint32_t	chunk[64];	/* their byte counts */
};

static void cd_setup(struct cd_fix *x)
{
	struct ide_cfg cfg = {0};
	char path[512];

	fix_init(&x->f);
	snprintf(path, sizeof(path), "%s/cd.iso", t_tmpdir());
	fix_make_image(path, CD_NSECT, 2048);
	x->iso = fix_open(path, RD_RDONLY);
	cfg.drive[2] = (struct ide_drive_cfg){
		IDE_MEDIA_CDROM, fix_blk_init(&x->fb, x->iso, true), true };
	cfg.drive[3] = (struct ide_drive_cfg){ IDE_MEDIA_CDROM, NULL, true };
	T_EQ(fix_ide_create(&x->f, x->f.bus, &cfg, &x->ide), 0);
	fix_cfg_write(&x->f, IDE_DEVFN, 0x20, BM_BASE, 4);
	fix_cfg_write(&x->f, IDE_DEVFN, 0x04, PCI_COMMAND_IO |
		      PCI_COMMAND_MASTER, 2);
}

static void cd_teardown(struct cd_fix *x)
{
	dev_destroy(x->ide);
	dev_destroy(x->f.bus);
	rd_close(x->iso);
}

static uint8_t st(struct cd_fix *x)
{
	return (uint8_t)fix_in(&x->f, CMD + 7, 1);
}

static void packet(struct cd_fix *x, unsigned int unit, const uint8_t *cdb,
		   uint16_t limit, bool dma)
{
	fix_out(&x->f, CMD + 6, unit ? 0xb0 : 0xa0, 1);
	fix_out(&x->f, CMD + 1, dma ? 1 : 0, 1);
	fix_out(&x->f, CMD + 4, limit & 0xff, 1);
	fix_out(&x->f, CMD + 5, limit >> 8, 1);
	fix_out(&x->f, CMD + 7, 0xa0, 1);
	T_EQ(st(x) & 0x89, 0x08);
	T_EQ(fix_in(&x->f, CMD + 2, 1) & 3, 1);		/* CoD, out */
	for (unsigned int i = 0; i < 12; i += 2)
		fix_out(&x->f, CMD, cdb[i] | cdb[i + 1] << 8, 2);
}

/* Collect the data-in phase; returns bytes read, status in *@status. */
static uint32_t data_in(struct cd_fix *x, uint8_t *buf, uint32_t max,
			uint8_t *status)
{
	uint32_t got = 0;
	uint8_t s;

	x->chunks = 0;
	while ((s = st(x)) & 0x08) {
		uint32_t n = fix_in(&x->f, CMD + 4, 1) |
			     fix_in(&x->f, CMD + 5, 1) << 8;

		T_EQ(fix_in(&x->f, CMD + 2, 1) & 3, 2);	/* IO, data */
		T_ASSERT(n > 0 && got + n <= max);
		if (x->chunks < 64)
			x->chunk[x->chunks++] = n;
		for (uint32_t i = 0; i < n; i += 2) {
			uint16_t w = (uint16_t)fix_in(&x->f, CMD, 2);

			buf[got + i] = (uint8_t)w;
			if (i + 1 < n)
				buf[got + i + 1] = (uint8_t)(w >> 8);
		}
		got += n;
	}
	T_EQ(fix_in(&x->f, CMD + 2, 1) & 3, 3);		/* completion */
	*status = s;
	return got;
}

static void check_cd(const uint8_t *buf, uint32_t lba, unsigned int n)
{
	for (unsigned int s = 0; s < n; s++)
		for (unsigned int i = 0; i < 2048; i++)
			if (buf[s * 2048 + i] != fix_pattern(lba + s, i))
				t_fail(__FILE__, __LINE__, "lba %u byte %u",
				       lba + s, i);
}

static void test_atapi_identify_and_signature(void)
{
	struct cd_fix x;
	uint8_t id[512], s;

	cd_setup(&x);
	T_EQ(st(&x), 0x00);			/* PACKET devices clear DRDY */
	T_EQ(fix_in(&x.f, CMD + 4, 1), 0x14);
	T_EQ(fix_in(&x.f, CMD + 5, 1), 0xeb);
	fix_out(&x.f, CMD + 6, 0xa0, 1);
	fix_out(&x.f, CMD + 7, 0xec, 1);	/* IDENTIFY DEVICE: aborted */
	T_EQ(st(&x) & 0x01, 0x01);
	T_EQ(fix_in(&x.f, CMD + 4, 1), 0x14);
	T_EQ(fix_in(&x.f, CMD + 5, 1), 0xeb);
	fix_out(&x.f, CMD + 7, 0xa1, 1);
	T_EQ(x.f.level[15], 1);
	s = st(&x);
	T_EQ(s, 0x58);
	for (unsigned int i = 0; i < 512; i += 2) {
		uint16_t w = (uint16_t)fix_in(&x.f, CMD, 2);

		id[i] = (uint8_t)w;
		id[i + 1] = (uint8_t)(w >> 8);
	}
	T_EQ(id[0] | id[1] << 8, 0x85c0);
	T_EQ(id[54], 'U');			/* "DUALVM" byte-swapped */
	T_EQ(id[55], 'D');
	T_EQ(st(&x) & 0x08, 0);
	cd_teardown(&x);
}

static void test_atapi_inquiry_capacity(void)
{
	struct cd_fix x;
	uint8_t cdb[12] = {0}, buf[64], s;

	cd_setup(&x);
	cdb[0] = 0x12;
	cdb[4] = 36;
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 36);
	T_EQ(s & 0x01, 0);
	T_EQ(buf[0], 0x05);
	T_EQ(buf[1], 0x80);
	T_ASSERT(memcmp(buf + 8, "DUALVM", 6) == 0);
	/* allocation length truncates */
	cdb[4] = 5;
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 5);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x25;
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 8);
	T_EQ(buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3], CD_NSECT - 1);
	T_EQ(buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7], 2048);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x43;				/* READ TOC, format 0 */
	cdb[8] = 100;
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 20);
	T_EQ(buf[1], 18);
	T_EQ(buf[6], 1);			/* track 1 */
	T_EQ(buf[14], 0xaa);			/* lead-out at CD_NSECT */
	T_EQ(buf[19], CD_NSECT);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x5a;				/* MODE SENSE(10), 2Ah */
	cdb[2] = 0x2a;
	cdb[8] = 64;
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 30);
	T_EQ(buf[8], 0x2a);

	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x46;				/* GET CONFIGURATION */
	cdb[8] = 64;
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 16);
	T_EQ(buf[7], 0x08);			/* current profile CD-ROM */
	cd_teardown(&x);
}

static void read10(struct cd_fix *x, uint32_t lba, uint16_t n, uint16_t limit,
		   bool dma)
{
	uint8_t cdb[12] = {0};

	cdb[0] = 0x28;
	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[7] = (uint8_t)(n >> 8);
	cdb[8] = (uint8_t)n;
	packet(x, 0, cdb, limit, dma);
}

static void test_atapi_read10_pio(void)
{
	struct cd_fix x;
	static uint8_t buf[CD_NSECT * 2048];
	uint8_t cdb[12] = {0}, s;

	cd_setup(&x);
	read10(&x, 2, 3, 2048, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 3 * 2048);
	T_EQ(s & 0x01, 0);
	T_EQ(x.chunks, 3);
	check_cd(buf, 2, 3);
	/* a big limit: one block per buffer-full */
	read10(&x, 1, 3, 0x8000, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 3 * 2048);
	T_EQ(x.chunks, 1);
	T_EQ(x.chunk[0], 6144);
	check_cd(buf, 1, 3);
	/* an odd limit is rounded down; the whole disc, READ(12) */
	cdb[0] = 0xa8;
	cdb[9] = CD_NSECT;
	packet(&x, 0, cdb, 1001, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), CD_NSECT * 2048);
	T_EQ(x.chunk[0], 1000);
	check_cd(buf, 0, CD_NSECT);
	cd_teardown(&x);
}

static void test_atapi_read10_dma(void)
{
	struct cd_fix x;
	uint8_t *p;

	cd_setup(&x);
	p = x.f.ram + 0x1000;			/* PRD: 2 x 4 KiB, EOT */
	memset(p, 0, 16);
	p[1] = 0x00; p[2] = 0x02;		/* 0x20000 */
	p[5] = 0x10;
	p[9] = 0x00; p[10] = 0x04;		/* 0x40000 */
	p[13] = 0x10; p[15] = 0x80;
	fix_out(&x.f, BM_BASE + 8 + 4, 0x1000, 4);
	read10(&x, 10, 4, 0xfffe, true);
	T_EQ(x.f.level[15], 0);			/* waits for the engine */
	fix_out(&x.f, BM_BASE + 8, 0x09, 1);
	T_EQ(x.f.level[15], 1);
	T_EQ(fix_in(&x.f, BM_BASE + 8 + 2, 1) & 0x07, 0x04);
	T_EQ(st(&x), 0x50);
	T_EQ(fix_in(&x.f, CMD + 2, 1) & 3, 3);
	check_cd(x.f.ram + 0x20000, 10, 2);
	check_cd(x.f.ram + 0x40000, 12, 2);
	cd_teardown(&x);
}

static void request_sense(struct cd_fix *x, unsigned int unit, uint8_t *sense)
{
	uint8_t cdb[12] = {0}, s;

	cdb[0] = 0x03;
	cdb[4] = 18;
	packet(x, unit, cdb, 0xfffe, false);
	T_EQ(data_in(x, sense, 18, &s), 18);
	T_EQ(s & 0x01, 0);
}

static void test_atapi_errors_and_sense(void)
{
	struct cd_fix x;
	uint8_t cdb[12] = {0}, sense[18], s, buf[16];

	cd_setup(&x);
	read10(&x, CD_NSECT - 1, 2, 2048, false);	/* beyond the end */
	s = st(&x);
	T_EQ(s & 0x89, 0x01);
	T_EQ(fix_in(&x.f, CMD + 1, 1), 0x54);	/* ILLEGAL REQUEST, ABRT */
	T_EQ(fix_in(&x.f, CMD + 2, 1) & 3, 3);
	request_sense(&x, 0, sense);
	T_EQ(sense[0], 0x70);
	T_EQ(sense[2], 0x05);
	T_EQ(sense[12], 0x21);
	request_sense(&x, 0, sense);		/* cleared after reporting */
	T_EQ(sense[2], 0);
	cdb[0] = 0xff;				/* unknown opcode */
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(st(&x) & 0x01, 0x01);
	request_sense(&x, 0, sense);
	T_EQ(sense[12], 0x20);
	/* no disc in the slave */
	cdb[0] = 0x00;
	packet(&x, 1, cdb, 0xfffe, false);
	T_EQ(st(&x) & 0x01, 0x01);
	T_EQ(fix_in(&x.f, CMD + 1, 1) >> 4, 0x02);
	request_sense(&x, 1, sense);
	T_EQ(sense[2], 0x02);
	T_EQ(sense[12], 0x3a);
	/* insert one: UNIT ATTENTION once, then ready */
	T_EQ(ide_cd_change(x.ide, 3, &x.fb.blk), 0);
	T_EQ(ide_cd_change(x.ide, 0, &x.fb.blk), -EINVAL);
	packet(&x, 1, cdb, 0xfffe, false);
	T_EQ(fix_in(&x.f, CMD + 1, 1) >> 4, 0x06);
	packet(&x, 1, cdb, 0xfffe, false);
	T_EQ(st(&x), 0x50);
	/* locked tray refuses to eject */
	cdb[0] = 0x1e;
	cdb[4] = 1;
	packet(&x, 1, cdb, 0xfffe, false);
	T_EQ(st(&x), 0x50);
	cdb[0] = 0x1b;
	cdb[4] = 0x02;
	packet(&x, 1, cdb, 0xfffe, false);
	T_EQ(st(&x) & 0x01, 0x01);
	/* unit: READ CAPACITY still works on the master */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x25;
	packet(&x, 0, cdb, 0xfffe, false);
	T_EQ(data_in(&x, buf, sizeof(buf), &s), 8);
	cd_teardown(&x);
}

static const struct t_case cases[] = {
	T_CASE(test_atapi_identify_and_signature),
	T_CASE(test_atapi_inquiry_capacity),
	T_CASE(test_atapi_read10_pio),
	T_CASE(test_atapi_read10_dma),
	T_CASE(test_atapi_errors_and_sense),
};

int main(int argc, char **argv)
{
	return T_MAIN(cases);
}
