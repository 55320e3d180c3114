// SPDX-License-Identifier: GPL-2.0-only
/*
 * ide_ata.c --- ATA hard-disk commands
 *
 * ATA/ATAPI-6 (T13 1410D) ch. 8: IDENTIFY DEVICE (word layout of table 27:
 * CHS words 1/3/6 and 54-58, LBA28 capacity in 60-61, LBA48 in 100-103,
 * multiword DMA in 63, UDMA in 88, command-set words 82-87, checksum 255),
 * READ/WRITE SECTORS (EXT), READ/WRITE MULTIPLE (EXT) with SET MULTIPLE
 * MODE, READ/WRITE DMA (EXT), READ VERIFY SECTORS (EXT), FLUSH CACHE (EXT),
 * SET FEATURES, INITIALIZE DEVICE PARAMETERS, READ NATIVE MAX ADDRESS (EXT),
 * the power-management commands and CHECK POWER MODE.  Addresses are CHS
 * (ch. 6.2, with the current INITIALIZE DEVICE PARAMETERS geometry), LBA28
 * or LBA48; anything outside the disk aborts with IDNF|ABRT.  Back-end
 * errors become UNC (reads) or ABRT (writes).  Every disk access is one
 * asynchronous request of at most IDE_BUF_SIZE bytes (ide_io); the
 * command's next step runs when it completes.
 */
#include <errno.h>
#include <string.h>

#include "devices/ide_priv.h"

#define ATA_CHS_MAX_SECTORS	(16383ull * 16 * 63)

void ata_geometry_init(struct ide_drive *d)
{
	uint64_t cyls;

	d->heads = 16;
	d->spt = 63;
	cyls = d->nsectors / (16 * 63);
	if (cyls > 16383)
		cyls = 16383;
	if (cyls == 0)
		cyls = 1;
	d->cyls = (unsigned int)cyls;
	d->cur_heads = d->heads;
	d->cur_spt = d->spt;
}

static void put16(uint16_t *w, unsigned int i, uint16_t v)
{
	w[i] = v;
}

static void ata_identify_fill(struct ide_drive *d, uint8_t *buf)
{
	uint16_t w[256];
	uint64_t lba28 = d->nsectors > 0x0fffffff ? 0x0fffffff : d->nsectors;
	uint64_t chs_cap = (uint64_t)d->cyls * d->cur_heads * d->cur_spt;
	unsigned int mode = d->xfer_mode;

	memset(w, 0, sizeof(w));
	put16(w, 0, 0x0040);			/* fixed device */
	put16(w, 1, (uint16_t)d->cyls);
	put16(w, 3, (uint16_t)d->heads);
	put16(w, 6, (uint16_t)d->spt);
	ide_pad_string(w, 10, 10, d->serial);
	ide_pad_string(w, 23, 4, "1.0");
	ide_pad_string(w, 27, 20, "DUALVM HARDDISK");
	put16(w, 47, 0x8000 | IDE_MAX_MULT);
	put16(w, 49, 0x0b00);			/* IORDY, LBA, DMA */
	put16(w, 50, 0x4000);
	put16(w, 51, 0x0200);
	put16(w, 53, 0x0007);			/* 54-58, 64-70, 88 valid */
	put16(w, 54, (uint16_t)d->cyls);
	put16(w, 55, (uint16_t)d->cur_heads);
	put16(w, 56, (uint16_t)d->cur_spt);
	if (chs_cap > lba28)
		chs_cap = lba28;
	put16(w, 57, (uint16_t)chs_cap);
	put16(w, 58, (uint16_t)(chs_cap >> 16));
	if (d->mult)
		put16(w, 59, (uint16_t)(0x100 | d->mult));
	put16(w, 60, (uint16_t)lba28);
	put16(w, 61, (uint16_t)(lba28 >> 16));
	put16(w, 63, (uint16_t)(0x0007 |
		((mode >> 3) == 4 ? 0x100 << (mode & 7) : 0)));
	put16(w, 64, 0x0003);			/* PIO 3, 4 */
	put16(w, 65, 120);
	put16(w, 66, 120);
	put16(w, 67, 120);
	put16(w, 68, 120);
	put16(w, 80, 0x007e);			/* ATA-1 .. ATA-6 */
	put16(w, 82, 0x4020);			/* NOP, write cache */
	put16(w, 83, 0x7400);			/* FLUSH (EXT), LBA48 */
	put16(w, 84, 0x4000);
	put16(w, 85, (uint16_t)(0x4000 | (d->wcache ? 0x20 : 0)));
	put16(w, 86, 0x3400);
	put16(w, 87, 0x4000);
	put16(w, 88, (uint16_t)(0x003f |
		((mode >> 3) == 8 ? 0x100 << (mode & 7) : 0)));
	put16(w, 93, d->unit ? 0x6100 : 0x6001);
	put16(w, 100, (uint16_t)d->nsectors);
	put16(w, 101, (uint16_t)(d->nsectors >> 16));
	put16(w, 102, (uint16_t)(d->nsectors >> 32));
	put16(w, 103, (uint16_t)(d->nsectors >> 48));
	for (unsigned int i = 0; i < 256; i++) {
		buf[2 * i] = (uint8_t)w[i];
		buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
	ide_identify_checksum(buf);
}

/*
 * Decode the start address and count of the command into ch->lba/left.
 * Returns false (after aborting) when the range is not on the disk.
 */
static bool ata_decode(struct ide_drive *d, bool lba48)
{
	struct ide_channel *ch = d->ch;
	const struct ide_regs *r = &d->r;
	uint64_t lba, count;

	if (lba48) {
		lba = (uint64_t)r->lbal | (uint64_t)r->lbam << 8 |
		      (uint64_t)r->lbah << 16 | (uint64_t)r->hob_lbal << 24 |
		      (uint64_t)r->hob_lbam << 32 | (uint64_t)r->hob_lbah << 40;
		count = r->nsect | r->hob_nsect << 8;
		if (!count)
			count = 65536;
	} else {
		count = r->nsect ? r->nsect : 256;
		if (r->device & ATA_DEV_LBA) {
			lba = r->lbal | r->lbam << 8 | r->lbah << 16 |
			      (uint64_t)(r->device & 0x0f) << 24;
		} else {
			unsigned int cyl = r->lbam | r->lbah << 8;
			unsigned int head = r->device & 0x0f;
			unsigned int sect = r->lbal;

			if (!sect || sect > d->cur_spt ||
			    head >= d->cur_heads || !d->cur_spt) {
				ide_cmd_abort(d, ATA_ERR_IDNF | ATA_ERR_ABRT);
				return false;
			}
			lba = ((uint64_t)cyl * d->cur_heads + head) *
			      d->cur_spt + sect - 1;
		}
	}
	if (lba >= d->nsectors || count > d->nsectors - lba) {
		ide_cmd_abort(d, ATA_ERR_IDNF | ATA_ERR_ABRT);
		return false;
	}
	ch->lba = lba;
	ch->left = count;
	return true;
}

/* Largest number of sectors that fit the buffer at once. */
#define ATA_BUF_SECTORS	(IDE_BUF_SIZE / IDE_SECTOR)

static void ata_pio_read_block(struct ide_drive *d);

static void ata_pio_read_last(struct ide_drive *d)
{
	ide_cmd_ok(d, false);
}

static void ata_pio_read_done(struct ide_drive *d, int ret)
{
	struct ide_channel *ch = d->ch;

	if (ret < 0) {
		ide_cmd_abort(d, ATA_ERR_UNC);
		return;
	}
	ch->lba += ch->chunk;
	ch->left -= ch->chunk;
	ide_pio_start(d, (uint32_t)(ch->chunk * IDE_SECTOR), true,
		      ch->left ? ata_pio_read_block : ata_pio_read_last, true);
}

/* Fetch the next DRQ block (BSY meanwhile). */
static void ata_pio_read_block(struct ide_drive *d)
{
	struct ide_channel *ch = d->ch;

	ch->chunk = ch->left < ch->per_drq ? ch->left : ch->per_drq;
	ide_io(d, BLK_READ, ch->buf, ch->chunk * IDE_SECTOR,
	       ch->lba * IDE_SECTOR, ata_pio_read_done);
}

static void ata_pio_write_block(struct ide_drive *d);

static void ata_pio_write_done(struct ide_drive *d, int ret)
{
	struct ide_channel *ch = d->ch;
	uint64_t n;

	if (ret < 0) {
		ide_cmd_abort(d, ATA_ERR_ABRT);
		return;
	}
	ch->lba += ch->chunk;
	ch->left -= ch->chunk;
	if (!ch->left) {
		ide_cmd_ok(d, true);
		return;
	}
	n = ch->left < ch->per_drq ? ch->left : ch->per_drq;
	ide_pio_start(d, (uint32_t)(n * IDE_SECTOR), false,
		      ata_pio_write_block, true);
}

/* The guest filled a DRQ block: write it (BSY meanwhile). */
static void ata_pio_write_block(struct ide_drive *d)
{
	struct ide_channel *ch = d->ch;

	ch->chunk = ch->end / IDE_SECTOR;
	ide_io(d, BLK_WRITE, ch->buf, ch->chunk * IDE_SECTOR,
	       ch->lba * IDE_SECTOR, ata_pio_write_done);
}

static void ata_rw_pio(struct ide_drive *d, bool lba48, bool write,
		       bool multiple)
{
	struct ide_channel *ch = d->ch;
	uint64_t n;

	if (multiple && !d->mult) {
		ide_cmd_abort(d, ATA_ERR_ABRT);
		return;
	}
	if (write && d->read_only) {
		ide_cmd_abort(d, ATA_ERR_ABRT);
		return;
	}
	if (!ata_decode(d, lba48))
		return;
	ch->per_drq = multiple ? d->mult : 1;
	if (!write) {
		ata_pio_read_block(d);
		return;
	}
	n = ch->left < ch->per_drq ? ch->left : ch->per_drq;
	ide_pio_start(d, (uint32_t)(n * IDE_SECTOR), false,
		      ata_pio_write_block, false);
}

static void ata_dma_step(struct ide_drive *d);

/* A chunk came from the disk: move it to the guest through the PRDs. */
static void ata_dma_read_done(struct ide_drive *d, int ret)
{
	struct ide_channel *ch = d->ch;
	uint32_t done = 0;

	if (ret < 0) {
		ide_cmd_abort(d, ATA_ERR_UNC);
		ide_bmdma_done(ch, false);
		return;
	}
	if (ide_bmdma_rw(ch, ch->buf, (uint32_t)(ch->chunk * IDE_SECTOR),
			 true, &done) < 0) {
		ide_cmd_abort(d, ATA_ERR_ABRT);
		ide_bmdma_done(ch, true);
		return;
	}
	ch->lba += ch->chunk;
	ch->left -= ch->chunk;
	ata_dma_step(d);
}

static void ata_dma_write_done(struct ide_drive *d, int ret)
{
	struct ide_channel *ch = d->ch;

	if (ret < 0) {
		ide_cmd_abort(d, ATA_ERR_ABRT);
		ide_bmdma_done(ch, false);
		return;
	}
	ch->lba += ch->chunk;
	ch->left -= ch->chunk;
	ata_dma_step(d);
}

/* The bus master runs: the next chunk of the command, or its end. */
static void ata_dma_step(struct ide_drive *d)
{
	struct ide_channel *ch = d->ch;
	uint32_t len, done = 0;

	if (!ch->left) {
		ide_cmd_ok(d, true);
		ide_bmdma_done(ch, false);
		return;
	}
	ch->chunk = ch->left < ATA_BUF_SECTORS ? ch->left : ATA_BUF_SECTORS;
	len = (uint32_t)(ch->chunk * IDE_SECTOR);
	if (!ch->dma_write) {
		ide_io(d, BLK_READ, ch->buf, len, ch->lba * IDE_SECTOR,
		       ata_dma_read_done);
		return;
	}
	if (ide_bmdma_rw(ch, ch->buf, len, false, &done) < 0) {
		ide_cmd_abort(d, ATA_ERR_ABRT);
		ide_bmdma_done(ch, true);
		return;
	}
	ide_io(d, BLK_WRITE, ch->buf, len, ch->lba * IDE_SECTOR,
	       ata_dma_write_done);
}

static void ata_rw_dma(struct ide_drive *d, bool lba48, bool write)
{
	struct ide_channel *ch = d->ch;

	if (!d->ch->ide->pci || (write && d->read_only)) {
		ide_cmd_abort(d, ATA_ERR_ABRT);
		return;
	}
	if (!ata_decode(d, lba48))
		return;
	ch->dma_write = write;
	ch->xfer = XFER_DMA_WAIT;
	ch->next = ata_dma_step;
	d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
	ide_bmdma_kick(ch);
}

static void ata_verify_step(struct ide_drive *d);

static void ata_verify_done(struct ide_drive *d, int ret)
{
	struct ide_channel *ch = d->ch;

	if (ret < 0) {
		ide_cmd_abort(d, ATA_ERR_UNC);
		return;
	}
	ch->lba += ch->chunk;
	ch->left -= ch->chunk;
	ata_verify_step(d);
}

/* READ VERIFY: read every sector (to find bad ones), transfer nothing. */
static void ata_verify_step(struct ide_drive *d)
{
	struct ide_channel *ch = d->ch;

	if (!ch->left) {
		ide_cmd_ok(d, true);
		return;
	}
	ch->chunk = ch->left < ATA_BUF_SECTORS ? ch->left : ATA_BUF_SECTORS;
	ide_io(d, BLK_READ, ch->buf, ch->chunk * IDE_SECTOR,
	       ch->lba * IDE_SECTOR, ata_verify_done);
}

static void ata_verify(struct ide_drive *d, bool lba48)
{
	if (ata_decode(d, lba48))
		ata_verify_step(d);
}

static void ata_set_features(struct ide_drive *d)
{
	switch (d->r.feature) {
	case 0x02:			/* enable write cache */
		d->wcache = true;
		break;
	case 0x82:			/* disable write cache */
		d->wcache = false;
		break;
	case 0x03: {			/* set transfer mode */
		uint8_t m = d->r.nsect;

		if (m > 0x01 && !((m >> 3) == 1 && (m & 7) <= 4) &&
		    !((m >> 3) == 4 && (m & 7) <= 2) &&
		    !((m >> 3) == 8 && (m & 7) <= 5)) {
			ide_cmd_abort(d, ATA_ERR_ABRT);
			return;
		}
		d->xfer_mode = m;
		break;
	}
	case 0x55: case 0xaa:		/* read look-ahead off/on */
	case 0x66: case 0xcc:		/* reverting to defaults */
		break;
	default:
		ide_cmd_abort(d, ATA_ERR_ABRT);
		return;
	}
	ide_cmd_ok(d, true);
}

static void ata_native_max(struct ide_drive *d, bool lba48)
{
	uint64_t max = d->nsectors - 1;

	if (!lba48 && max > 0x0fffffff)
		max = 0x0fffffff;
	d->r.lbal = (uint8_t)max;
	d->r.lbam = (uint8_t)(max >> 8);
	d->r.lbah = (uint8_t)(max >> 16);
	if (lba48) {
		d->r.hob_lbal = (uint8_t)(max >> 24);
		d->r.hob_lbam = (uint8_t)(max >> 32);
		d->r.hob_lbah = (uint8_t)(max >> 40);
	} else {
		d->r.device = (d->r.device & 0xf0) | ((max >> 24) & 0x0f);
	}
	ide_cmd_ok(d, true);
}

static void ata_identify(struct ide_drive *d)
{
	ata_identify_fill(d, d->ch->buf);
	ide_pio_start(d, IDE_SECTOR, true, NULL, true);
}

static void ata_flush_done(struct ide_drive *d, int ret)
{
	if (ret < 0)
		ide_cmd_abort(d, ATA_ERR_ABRT);
	else
		ide_cmd_ok(d, true);
}

/* FLUSH CACHE: completes after every write before it (hw/block.h). */
static void ata_flush(struct ide_drive *d)
{
	ide_io(d, BLK_FLUSH, NULL, 0, 0, ata_flush_done);
}

void ata_exec(struct ide_drive *d, uint8_t cmd)
{
	if (cmd >= 0x10 && cmd <= 0x1f) {	/* RECALIBRATE */
		ide_cmd_ok(d, true);
		return;
	}
	switch (cmd) {
	case 0xec: ata_identify(d); break;
	case 0x20: case 0x21: ata_rw_pio(d, false, false, false); break;
	case 0x24: ata_rw_pio(d, true, false, false); break;
	case 0x30: case 0x31: ata_rw_pio(d, false, true, false); break;
	case 0x34: ata_rw_pio(d, true, true, false); break;
	case 0xc4: ata_rw_pio(d, false, false, true); break;
	case 0x29: ata_rw_pio(d, true, false, true); break;
	case 0xc5: ata_rw_pio(d, false, true, true); break;
	case 0x39: ata_rw_pio(d, true, true, true); break;
	case 0xc8: case 0xc9: ata_rw_dma(d, false, false); break;
	case 0x25: ata_rw_dma(d, true, false); break;
	case 0xca: case 0xcb: ata_rw_dma(d, false, true); break;
	case 0x35: ata_rw_dma(d, true, true); break;
	case 0x40: case 0x41: ata_verify(d, false); break;
	case 0x42: ata_verify(d, true); break;
	case 0xe7: case 0xea: ata_flush(d); break;
	case 0xef: ata_set_features(d); break;
	case 0xf8: ata_native_max(d, false); break;
	case 0x27: ata_native_max(d, true); break;
	case 0xc6:				/* SET MULTIPLE MODE */
		if (d->r.nsect > IDE_MAX_MULT ||
		    (d->r.nsect & (d->r.nsect - 1))) {
			ide_cmd_abort(d, ATA_ERR_ABRT);
			break;
		}
		d->mult = d->r.nsect;
		ide_cmd_ok(d, true);
		break;
	case 0x91:			/* INITIALIZE DEVICE PARAMETERS */
		if (!d->r.nsect) {
			ide_cmd_abort(d, ATA_ERR_ABRT);
			break;
		}
		d->cur_spt = d->r.nsect;
		d->cur_heads = (d->r.device & 0x0f) + 1u;
		ide_cmd_ok(d, true);
		break;
	case 0x70:				/* SEEK */
		ide_cmd_ok(d, true);
		break;
	case 0xe0: case 0xe2: case 0x94: case 0x96:	/* STANDBY */
		d->standby = true;
		ide_cmd_ok(d, true);
		break;
	case 0xe1: case 0xe3: case 0x95: case 0x97:	/* IDLE */
		d->standby = false;
		ide_cmd_ok(d, true);
		break;
	case 0xe5: case 0x98:			/* CHECK POWER MODE */
		ide_cmd_ok(d, true);
		d->r.nsect = d->standby ? 0x00 : 0xff;
		break;
	case 0xa1:				/* IDENTIFY PACKET DEVICE */
	default:
		ide_cmd_abort(d, ATA_ERR_ABRT);
		break;
	}
}
