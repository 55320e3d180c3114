// SPDX-License-Identifier: GPL-2.0-only
/*
 * ide_atapi.c --- ATAPI CD-ROM: PACKET protocol and the MMC command subset
 *
 * ATA/ATAPI-6 ch. 8.23 (PACKET: the 12-byte CDB goes out through the data
 * port with interrupt reason CoD=1/IO=0; each data-in DRQ block is at most
 * the byte count limit of the cylinder registers, which then hold the
 * actual count; completion sets CoD=1/IO=1) and ch. 9.11 (PACKET protocols
 * incl. the DMA variant selected by feature bit 0).  Commands from SPC-2 /
 * MMC-3: TEST UNIT READY, REQUEST SENSE (fixed format), INQUIRY, START STOP
 * UNIT, PREVENT ALLOW MEDIUM REMOVAL, READ CAPACITY, READ(10), READ(12),
 * MODE SENSE(10) (pages 01h, 2Ah, 3Fh), READ TOC (formats 0 and 1),
 * GET CONFIGURATION (profile list) and GET EVENT STATUS NOTIFICATION
 * (polled, media class).  Errors are CHECK CONDITION: ERR in status, the
 * sense key in error bits 7:4, details for REQUEST SENSE.  Disc reads are
 * asynchronous requests of at most IDE_BUF_SIZE bytes (ide_io).
 */
#include <errno.h>
#include <string.h>

#include "devices/ide_priv.h"

#define CD_BUF_SECTORS	(IDE_BUF_SIZE / CD_SECTOR)

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void atapi_sense_clear(struct ide_drive *d)
{
	d->sense_key = SENSE_NONE;
	d->asc = 0;
	d->ascq = 0;
}

static void atapi_ok(struct ide_drive *d)
{
	ide_xfer_stop(d->ch);
	d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC;
	d->r.error = 0;
	d->r.nsect = ATAPI_IR_IO | ATAPI_IR_COD;
	ide_irq_raise(d->ch);
}

static void atapi_error(struct ide_drive *d, uint8_t key, uint8_t asc,
			uint8_t ascq)
{
	ide_xfer_stop(d->ch);
	d->sense_key = key;
	d->asc = asc;
	d->ascq = ascq;
	d->r.status = ATA_STAT_DRDY | ATA_STAT_ERR;
	d->r.error = (uint8_t)(key << 4) |
		     (key == SENSE_ILLEGAL_REQUEST ? ATA_ERR_ABRT : 0);
	d->r.nsect = ATAPI_IR_IO | ATAPI_IR_COD;
	ide_irq_raise(d->ch);
}

static bool atapi_has_medium(const struct ide_drive *d)
{
	return d->blk && !d->tray_open && d->nsectors;
}

/* Checks every media-access command makes first.  False = error posted. */
static bool atapi_ready(struct ide_drive *d)
{
	if (d->unit_attention) {
		d->unit_attention = false;
		atapi_error(d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
		return false;
	}
	if (!atapi_has_medium(d)) {
		atapi_error(d, SENSE_NOT_READY, ASC_NO_MEDIUM, 0);
		return false;
	}
	return true;
}

/* buf is used up and sectors are left: read the next part of the disc. */
static bool atapi_need_refill(const struct ide_channel *ch)
{
	return ch->pos >= ch->avail && ch->left;
}

/* Read up to a buffer of sectors (BSY meanwhile), then @cont. */
static void atapi_refill(struct ide_drive *d,
			 void (*cont)(struct ide_drive *d, int ret))
{
	struct ide_channel *ch = d->ch;

	ch->chunk = ch->left < CD_BUF_SECTORS ? ch->left : CD_BUF_SECTORS;
	ide_io(d, BLK_READ, ch->buf, ch->chunk * CD_SECTOR,
	       ch->lba * CD_SECTOR, cont);
}

/* A refill finished: buf holds it, or false with the error posted. */
static bool atapi_refilled(struct ide_drive *d, int ret)
{
	struct ide_channel *ch = d->ch;

	if (ret < 0) {
		atapi_error(d, SENSE_MEDIUM_ERROR, ASC_READ_ERROR, 0);
		return false;
	}
	ch->lba += ch->chunk;
	ch->left -= ch->chunk;
	ch->pos = 0;
	ch->avail = (uint32_t)(ch->chunk * CD_SECTOR);
	return true;
}

static void atapi_pio_next(struct ide_drive *d);

static void atapi_pio_refilled(struct ide_drive *d, int ret)
{
	if (atapi_refilled(d, ret))
		atapi_pio_next(d);
}

/* Offer the next DRQ block of the data-in phase, or complete. */
static void atapi_pio_next(struct ide_drive *d)
{
	struct ide_channel *ch = d->ch;
	uint32_t chunk;

	if (atapi_need_refill(ch)) {
		atapi_refill(d, atapi_pio_refilled);
		return;
	}
	if (ch->pos >= ch->avail) {
		atapi_ok(d);
		return;
	}
	chunk = ch->avail - ch->pos;
	if (chunk > ch->limit)
		chunk = ch->limit;
	ch->end = ch->pos + chunk;
	ch->xfer = XFER_PIO_IN;
	ch->next = atapi_pio_next;
	d->r.lbam = (uint8_t)chunk;
	d->r.lbah = (uint8_t)(chunk >> 8);
	d->r.nsect = ATAPI_IR_IO;
	d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
	ide_irq_raise(ch);
}

static void atapi_dma_step(struct ide_drive *d);

static void atapi_dma_refilled(struct ide_drive *d, int ret)
{
	if (atapi_refilled(d, ret))
		atapi_dma_step(d);
	else
		ide_bmdma_done(d->ch, false);
}

/* The bus master runs: move what buf holds, refill, or complete. */
static void atapi_dma_step(struct ide_drive *d)
{
	struct ide_channel *ch = d->ch;
	uint32_t done = 0;

	if (atapi_need_refill(ch)) {
		atapi_refill(d, atapi_dma_refilled);
		return;
	}
	if (ch->pos < ch->avail) {
		if (ide_bmdma_rw(ch, ch->buf + ch->pos, ch->avail - ch->pos,
				 true, &done) < 0) {
			atapi_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD,
				    0);
			ide_bmdma_done(ch, true);
			return;
		}
		ch->pos = ch->avail;
		atapi_dma_step(d);
		return;
	}
	atapi_ok(d);
	ide_bmdma_done(ch, false);
}

/* Start the data-in phase of buf[0..len) (+ ch->left sectors at ch->lba). */
static void atapi_data_in(struct ide_drive *d, uint32_t len)
{
	struct ide_channel *ch = d->ch;

	ch->pos = 0;
	ch->avail = len;
	if (!len && !ch->left) {
		atapi_ok(d);
		return;
	}
	if (ch->atapi_dma) {
		ch->xfer = XFER_DMA_WAIT;
		ch->next = atapi_dma_step;
		ch->dma_write = false;
		d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
		ide_bmdma_kick(ch);
		return;
	}
	atapi_pio_next(d);
}

/* Reply with @len bytes prepared in buf, cut to the allocation length. */
static void atapi_reply(struct ide_drive *d, uint32_t len, uint32_t alloc)
{
	d->ch->left = 0;
	atapi_data_in(d, len < alloc ? len : alloc);
}

static void atapi_inquiry(struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->ch->buf;

	memset(b, 0, 36);
	b[0] = 0x05;			/* CD/DVD device */
	b[1] = 0x80;			/* removable */
	b[2] = 0x00;
	b[3] = 0x21;			/* ATAPI, response format 1 */
	b[4] = 31;
	memcpy(b + 8, "DUALVM  ", 8);
	memcpy(b + 16, "DUALVM DVD-ROM  ", 16);
	memcpy(b + 32, "1.0 ", 4);
	atapi_reply(d, 36, get_be16(cdb + 3));
}

static void atapi_request_sense(struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->ch->buf;

	memset(b, 0, 18);
	b[0] = 0x70;
	b[2] = d->sense_key;
	b[7] = 10;
	b[12] = d->asc;
	b[13] = d->ascq;
	atapi_sense_clear(d);
	atapi_reply(d, 18, cdb[4]);
}

static void atapi_read(struct ide_drive *d, uint64_t lba, uint64_t count)
{
	struct ide_channel *ch = d->ch;

	if (lba > d->nsectors || count > d->nsectors - lba) {
		atapi_error(d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
		return;
	}
	ch->lba = lba;
	ch->left = count;
	atapi_data_in(d, 0);
}

static uint32_t mode_page(const struct ide_drive *d, uint8_t *p,
			  unsigned int page)
{
	if (page == 0x01) {		/* read error recovery */
		memset(p, 0, 8);
		p[0] = 0x01;
		p[1] = 0x06;
		p[3] = 0x05;
		return 8;
	}
	memset(p, 0, 22);		/* 2Ah: capabilities */
	p[0] = 0x2a;
	p[1] = 0x14;
	p[2] = 0x01;			/* reads CD-R */
	p[6] = 0x29 | (d->locked ? 0x02 : 0);	/* lock, eject, tray */
	be16(p + 8, 706);		/* max speed, KB/s */
	be16(p + 10, 256);
	be16(p + 12, 512);
	be16(p + 14, 706);
	return 22;
}

static void atapi_mode_sense(struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->ch->buf;
	unsigned int page = cdb[2] & 0x3f;
	uint32_t len = 8;

	memset(b, 0, 8);
	if (page == 0x01 || page == 0x2a) {
		len += mode_page(d, b + len, page);
	} else if (page == 0x3f) {
		len += mode_page(d, b + len, 0x01);
		len += mode_page(d, b + len, 0x2a);
	} else {
		atapi_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
		return;
	}
	be16(b, len - 2);
	b[2] = atapi_has_medium(d) ? 0x01 : 0x70;
	atapi_reply(d, len, get_be16(cdb + 7));
}

static void toc_addr(uint8_t *p, uint32_t lba, bool msf)
{
	uint32_t f = lba + 150;

	if (!msf) {
		be32(p, lba);
		return;
	}
	p[0] = 0;
	p[1] = (uint8_t)(f / (60 * 75));
	p[2] = (uint8_t)((f / 75) % 60);
	p[3] = (uint8_t)(f % 75);
}

static void atapi_read_toc(struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->ch->buf;
	bool msf = cdb[1] & 0x02;
	unsigned int fmt = (cdb[2] & 0x0f) ? (cdb[2] & 0x0f) : cdb[9] >> 6;
	unsigned int st = cdb[6];
	uint32_t len = 4;

	if (!atapi_ready(d))
		return;
	memset(b, 0, 20);
	b[2] = 1;
	b[3] = 1;
	if (fmt == 1) {
		b[5] = 0x14;
		b[6] = 1;
		toc_addr(b + 8, 0, msf);
		len = 12;
	} else if (fmt == 0 && (st <= 1 || st == 0xaa)) {
		if (st <= 1) {
			b[len + 1] = 0x14;
			b[len + 2] = 1;
			toc_addr(b + len + 4, 0, msf);
			len += 8;
		}
		b[len + 1] = 0x14;
		b[len + 2] = 0xaa;
		toc_addr(b + len + 4, (uint32_t)d->nsectors, msf);
		len += 8;
	} else {
		atapi_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
		return;
	}
	be16(b, len - 2);
	atapi_reply(d, len, get_be16(cdb + 7));
}

static void atapi_get_config(struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->ch->buf;
	bool media = atapi_has_medium(d);
	uint32_t len = 8;

	memset(b, 0, 16);
	be16(b + 6, media ? 0x0008 : 0);	/* current profile: CD-ROM */
	if (get_be16(cdb + 2) == 0) {		/* feature 0: profile list */
		b[10] = 0x03;
		b[11] = 4;
		be16(b + 12, 0x0008);
		b[14] = media ? 1 : 0;
		len = 16;
	}
	be32(b, len - 4);
	atapi_reply(d, len, get_be16(cdb + 7));
}

static void atapi_event_status(struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->ch->buf;

	if (!(cdb[1] & 1)) {			/* only polled mode */
		atapi_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
		return;
	}
	memset(b, 0, 8);
	b[3] = 0x10;				/* supports: media class */
	if (!(cdb[4] & 0x10)) {
		b[1] = 2;
		b[2] = 0x80;			/* no event available */
		atapi_reply(d, 4, get_be16(cdb + 7));
		return;
	}
	b[1] = 6;
	b[2] = 0x04;
	b[5] = atapi_has_medium(d) ? 0x02 : 0x00;
	atapi_reply(d, 8, get_be16(cdb + 7));
}

static void atapi_start_stop(struct ide_drive *d, const uint8_t *cdb)
{
	bool loej = cdb[4] & 0x02, start = cdb[4] & 0x01;

	if (loej && !start) {
		if (d->locked) {
			atapi_error(d, SENSE_ILLEGAL_REQUEST,
				    ASC_REMOVAL_PREVENTED, 0x02);
			return;
		}
		d->tray_open = true;
	} else if (loej && start) {
		d->tray_open = false;
	}
	atapi_ok(d);
}

/* The 12-byte CDB has arrived through the data port. */
static void atapi_packet(struct ide_drive *d)
{
	uint8_t cdb[12];

	memcpy(cdb, d->ch->buf, sizeof(cdb));
	switch (cdb[0]) {
	case 0x12: atapi_inquiry(d, cdb); return;
	case 0x03: atapi_request_sense(d, cdb); return;
	case 0x46: atapi_get_config(d, cdb); return;
	case 0x4a: atapi_event_status(d, cdb); return;
	case 0x1e:				/* PREVENT ALLOW */
		d->locked = cdb[4] & 1;
		atapi_ok(d);
		return;
	case 0x1b: atapi_start_stop(d, cdb); return;
	}
	if (!atapi_ready(d))
		return;
	switch (cdb[0]) {
	case 0x00:				/* TEST UNIT READY */
		atapi_ok(d);
		break;
	case 0x25: {				/* READ CAPACITY */
		uint8_t *b = d->ch->buf;

		be32(b, (uint32_t)(d->nsectors - 1));
		be32(b + 4, CD_SECTOR);
		atapi_reply(d, 8, 8);
		break;
	}
	case 0x28:
		atapi_read(d, get_be32(cdb + 2), get_be16(cdb + 7));
		break;
	case 0xa8:
		atapi_read(d, get_be32(cdb + 2), get_be32(cdb + 6));
		break;
	case 0x5a: atapi_mode_sense(d, cdb); break;
	case 0x43: atapi_read_toc(d, cdb); break;
	default:
		atapi_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
		break;
	}
}

static void atapi_identify(struct ide_drive *d)
{
	uint16_t w[256];
	uint8_t *buf = d->ch->buf;
	unsigned int mode = d->xfer_mode;

	memset(w, 0, sizeof(w));
	w[0] = 0x85c0;			/* ATAPI, CD-ROM, removable, 12-byte */
	ide_pad_string(w, 10, 10, d->serial);
	ide_pad_string(w, 23, 4, "1.0");
	ide_pad_string(w, 27, 20, "DUALVM DVD-ROM");
	w[49] = 0x0b00;			/* IORDY, LBA, DMA */
	w[53] = 0x0007;
	w[63] = (uint16_t)(0x0007 | ((mode >> 3) == 4 ? 0x100 << (mode & 7) : 0));
	w[64] = 0x0003;
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x007e;
	w[82] = 0x4010;			/* NOP, PACKET */
	w[83] = 0x4000;
	w[84] = 0x4000;
	w[85] = 0x4010;
	w[87] = 0x4000;
	w[88] = (uint16_t)(0x003f | ((mode >> 3) == 8 ? 0x100 << (mode & 7) : 0));
	for (unsigned int i = 0; i < 256; i++) {
		buf[2 * i] = (uint8_t)w[i];
		buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
	ide_identify_checksum(buf);
	ide_pio_start(d, IDE_SECTOR, true, NULL, true);
}

void atapi_exec(struct ide_drive *d, uint8_t cmd)
{
	struct ide_channel *ch = d->ch;
	uint32_t limit;

	switch (cmd) {
	case 0xa0:				/* PACKET */
		limit = d->r.lbam | d->r.lbah << 8;
		if (limit == 0 || limit == 0xffff)
			limit = 0xfffe;
		if (limit > 1)
			limit &= ~1u;
		ch->limit = limit;
		ch->atapi_dma = d->r.feature & 1;
		if (ch->atapi_dma && !ch->ide->pci) {
			ide_cmd_abort(d, ATA_ERR_ABRT);
			return;
		}
		ide_pio_start(d, 12, false, atapi_packet, false);
		d->r.nsect = ATAPI_IR_COD;
		break;
	case 0xa1: atapi_identify(d); break;
	case 0x08:				/* DEVICE RESET */
		ide_xfer_stop(ch);
		ide_set_signature(d);
		d->r.status = 0;
		break;
	case 0xec:				/* IDENTIFY DEVICE */
		ide_set_signature(d);
		ide_cmd_abort(d, ATA_ERR_ABRT);
		break;
	case 0xef: case 0xe1: case 0xe0: case 0xe3: case 0xe2:
		if (cmd == 0xef && d->r.feature == 0x03)
			d->xfer_mode = d->r.nsect;
		ide_cmd_ok(d, true);
		break;
	case 0xe5:				/* CHECK POWER MODE */
		ide_cmd_ok(d, true);
		d->r.nsect = 0xff;
		break;
	default:
		ide_cmd_abort(d, ATA_ERR_ABRT);
		break;
	}
}
