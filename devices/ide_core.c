// SPDX-License-Identifier: GPL-2.0-only
/*
 * ide_core.c --- PIIX3 IDE channels: task-file registers, PIO data port,
 * device control (SRST, nIEN), INTRQ, signatures and controller lifecycle
 *
 * ATA/ATAPI-6 (T13 1410D rev. 3b) ch. 7 (register semantics: writes to the
 * command block go to both devices, reads come from the selected device,
 * HOB in device control selects the previous-content LBA48 bytes, reading
 * Status clears INTRQ, Alternate Status does not), ch. 9.2 (SRST: devices
 * post their signatures, ATA 01/01/00/00, PACKET 01/01/14/EB) and ch. 9.10
 * (PIO data-in/out protocols).  Legacy channel addresses and IRQs from the
 * PIIX3 datasheet ch. 2.4.  A position with no drive reads as zeros, which
 * is what firmware probing expects from an empty position.  Disk requests
 * (ide_io) keep the drive BSY until they complete (ATA-6 ch. 9: BSY while
 * the device processes a command).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ide_priv.h"


struct ide_drive *ide_cur(struct ide_channel *ch)
{
	return &ch->drive[ch->cur & 1];
}

static void ide_irq_update(struct ide_channel *ch)
{
	bool out = ch->irq_pending && !(ch->ctl & ATA_CTL_NIEN);

	if (out == ch->irq_out)
		return;
	ch->irq_out = out;
	irq_set(&ch->irq, out);
}

void ide_irq_raise(struct ide_channel *ch)
{
	ch->irq_pending = true;
	ch->bm_status |= BM_STAT_INTR;
	ide_irq_update(ch);
}

void ide_irq_lower(struct ide_channel *ch)
{
	ch->irq_pending = false;
	ide_irq_update(ch);
}

void ide_set_signature(struct ide_drive *d)
{
	d->r.nsect = 1;
	d->r.lbal = 1;
	if (d->media == IDE_MEDIA_CDROM) {
		d->r.lbam = 0x14;
		d->r.lbah = 0xeb;
	} else {
		d->r.lbam = 0;
		d->r.lbah = 0;
	}
	d->r.device = d->unit ? ATA_DEV_DEV : 0;
	d->r.error = 0x01;	/* diagnostic: no error */
}

void ide_xfer_stop(struct ide_channel *ch)
{
	ch->xfer = XFER_NONE;
	ch->active = NULL;
	ch->pos = 0;
	ch->end = 0;
	ch->avail = 0;
	ch->next = NULL;
	ch->left = 0;
}

static void ide_io_done(struct blk_req *req, int ret)
{
	struct ide_channel *ch = req->opaque;
	void (*cont)(struct ide_drive *d, int ret) = ch->io_cont;

	assert(ch->io_busy && ch->io_drive);
	ch->io_busy = false;
	if (ch->io_cancel) {		/* reset meanwhile: result dropped */
		ch->io_cancel = false;
		return;
	}
	ch->xfer = XFER_NONE;
	cont(ch->io_drive, ret);
}

void ide_io(struct ide_drive *d, enum blk_op op, uint8_t *buf, size_t len,
	    uint64_t off, void (*cont)(struct ide_drive *d, int ret))
{
	struct ide_channel *ch = d->ch;

	assert(!ch->io_busy && d->blk);
	assert(op == BLK_FLUSH || (buf >= ch->buf &&
				   buf + len <= ch->buf + IDE_BUF_SIZE));
	ch->io_busy = true;
	ch->io_cancel = false;
	ch->io_drive = d;
	ch->io_cont = cont;
	ch->xfer = XFER_IO;
	d->r.status = ATA_STAT_BSY | ATA_STAT_DRDY | ATA_STAT_DSC;
	ch->req = (struct blk_req){ .op = op, .off = off, .buf = buf,
				    .len = len, .done = ide_io_done,
				    .opaque = ch };
	blk_submit(d->blk, &ch->req);
}

void ide_io_cancel(struct ide_channel *ch)
{
	if (!ch->io_busy)
		return;
	ch->io_cancel = true;
	blk_drain(ch->io_drive->blk);
	assert(!ch->io_busy && !ch->io_cancel);
}

void ide_cmd_ok(struct ide_drive *d, bool irq)
{
	ide_xfer_stop(d->ch);
	d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC;
	d->r.error = 0;
	if (irq)
		ide_irq_raise(d->ch);
}

void ide_cmd_abort(struct ide_drive *d, uint8_t error)
{
	ide_xfer_stop(d->ch);
	d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_ERR;
	d->r.error = error;
	ide_irq_raise(d->ch);
}

void ide_pio_start(struct ide_drive *d, uint32_t len, bool in,
		   void (*next)(struct ide_drive *d), bool irq)
{
	struct ide_channel *ch = d->ch;

	ch->active = d;
	ch->xfer = in ? XFER_PIO_IN : XFER_PIO_OUT;
	ch->pos = 0;
	ch->end = len > IDE_BUF_SIZE ? IDE_BUF_SIZE : len;
	ch->next = next;
	d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_DRQ;
	if (irq)
		ide_irq_raise(ch);
}

/* ATA strings: two characters per word, first one in the high byte. */
void ide_pad_string(uint16_t *words, unsigned int first, unsigned int nwords,
		    const char *s)
{
	size_t n = strlen(s);

	for (unsigned int i = 0; i < nwords * 2; i++) {
		uint8_t c = i < n ? (uint8_t)s[i] : ' ';
		uint16_t *w = &words[first + i / 2];

		if (i & 1)
			*w = (*w & 0xff00) | c;
		else
			*w = (uint16_t)((*w & 0x00ff) | c << 8);
	}
}

/* Word 255: signature A5h and the two's-complement checksum (ch. 8.15.64). */
void ide_identify_checksum(uint8_t *buf)
{
	uint8_t sum = 0;

	buf[510] = 0xa5;
	for (unsigned int i = 0; i < 511; i++)
		sum += buf[i];
	buf[511] = (uint8_t)-sum;
}

/* The PIO window ran out: let the command decide what comes next. */
static void ide_pio_advance(struct ide_channel *ch)
{
	void (*next)(struct ide_drive *d) = ch->next;

	ch->xfer = XFER_NONE;
	ch->next = NULL;
	if (next)
		next(ch->active);
	else
		ide_cmd_ok(ch->active, false);
}

static uint64_t ide_data_read(void *opaque, uint64_t off, unsigned int size)
{
	struct ide_channel *ch = opaque;
	uint64_t v = 0;

	if (ch->xfer != XFER_PIO_IN || !ch->active)
		return 0;
	for (unsigned int i = 0; i < size && ch->pos < ch->end; i++)
		v |= (uint64_t)ch->buf[ch->pos++] << (8 * i);
	if (ch->pos >= ch->end)
		ide_pio_advance(ch);
	return v;
}

static void ide_data_write(void *opaque, uint64_t off, uint64_t v,
			   unsigned int size)
{
	struct ide_channel *ch = opaque;

	if (ch->xfer != XFER_PIO_OUT || !ch->active)
		return;
	for (unsigned int i = 0; i < size && ch->pos < ch->end; i++)
		ch->buf[ch->pos++] = (uint8_t)(v >> (8 * i));
	if (ch->pos >= ch->end)
		ide_pio_advance(ch);
}

static void ide_exec_diagnostic(struct ide_channel *ch)
{
	ide_xfer_stop(ch);
	for (unsigned int i = 0; i < 2; i++) {
		struct ide_drive *d = &ch->drive[i];

		ide_set_signature(d);
		d->r.status = d->media == IDE_MEDIA_CDROM ? 0 :
			      ATA_STAT_DRDY | ATA_STAT_DSC;
	}
	ch->cur = 0;
	ide_irq_raise(ch);
}

static void ide_command(struct ide_channel *ch, uint8_t cmd)
{
	struct ide_drive *d = ide_cur(ch);

	if (d->media == IDE_MEDIA_NONE || (ch->ctl & ATA_CTL_SRST))
		return;
	/* BSY: only an ATAPI DEVICE RESET is accepted (ATA-6 ch. 8.7) */
	if (ch->io_busy) {
		if (cmd != 0x08 || d->media != IDE_MEDIA_CDROM)
			return;
		ide_io_cancel(ch);
	}
	ide_irq_lower(ch);
	ide_xfer_stop(ch);
	ch->active = d;
	if (cmd == 0x90) {
		ide_exec_diagnostic(ch);
		return;
	}
	if (d->media == IDE_MEDIA_CDROM)
		atapi_exec(d, cmd);
	else
		ata_exec(d, cmd);
}

static uint8_t ide_reg_read(struct ide_channel *ch, unsigned int reg)
{
	struct ide_drive *d = ide_cur(ch);
	bool hob = ch->ctl & ATA_CTL_HOB;

	if (d->media == IDE_MEDIA_NONE)
		return 0;
	if ((ch->ctl & ATA_CTL_SRST) && reg == 7)
		return ATA_STAT_BSY;
	switch (reg) {
	case 1: return d->r.error;
	case 2: return hob ? d->r.hob_nsect : d->r.nsect;
	case 3: return hob ? d->r.hob_lbal : d->r.lbal;
	case 4: return hob ? d->r.hob_lbam : d->r.lbam;
	case 5: return hob ? d->r.hob_lbah : d->r.lbah;
	case 6: return d->r.device | 0xa0;
	default:
		ide_irq_lower(ch);
		return d->r.status;
	}
}

static void ide_reg_write(struct ide_channel *ch, unsigned int reg,
			  uint8_t v)
{
	if (reg == 7) {
		ide_command(ch, v);
		return;
	}
	ch->ctl &= ~ATA_CTL_HOB;
	for (unsigned int i = 0; i < 2; i++) {
		struct ide_regs *r = &ch->drive[i].r;

		switch (reg) {
		case 1:
			r->hob_feature = r->feature;
			r->feature = v;
			break;
		case 2:
			r->hob_nsect = r->nsect;
			r->nsect = v;
			break;
		case 3:
			r->hob_lbal = r->lbal;
			r->lbal = v;
			break;
		case 4:
			r->hob_lbam = r->lbam;
			r->lbam = v;
			break;
		case 5:
			r->hob_lbah = r->lbah;
			r->lbah = v;
			break;
		case 6:
			r->device = v & ~0xa0;
			break;
		}
	}
	if (reg == 6)
		ch->cur = (v & ATA_DEV_DEV) ? 1 : 0;
}

/* Registers 1-7 of the command block (the range starts at base + 1). */
static uint64_t ide_regs_read(void *opaque, uint64_t off, unsigned int size)
{
	return ide_reg_read(opaque, (unsigned int)off + 1);
}

static void ide_regs_write(void *opaque, uint64_t off, uint64_t val,
			   unsigned int size)
{
	ide_reg_write(opaque, (unsigned int)off + 1, (uint8_t)val);
}

/* The data register takes 8/16/32-bit accesses whole (IOCS16#/32). */
static const struct io_ops ide_data_ops = {
	.read = ide_data_read, .write = ide_data_write,
	.widths = IO_W8 | IO_W16 | IO_W32, .spill = true,
};

static const struct io_ops ide_regs_ops = {
	.read = ide_regs_read, .write = ide_regs_write, .widths = IO_W8,
};

static void ide_drive_reset(struct ide_drive *d)
{
	memset(&d->r, 0, sizeof(d->r));
	ide_set_signature(d);
	d->r.status = d->media == IDE_MEDIA_DISK ?
		      ATA_STAT_DRDY | ATA_STAT_DSC : 0;
	d->mult = 0;
	d->xfer_mode = 0;
	d->wcache = true;
	d->standby = false;
	d->cur_heads = d->heads;
	d->cur_spt = d->spt;
	atapi_sense_clear(d);
}

static uint64_t ide_ctl_read(void *opaque, uint64_t off, unsigned int size)
{
	struct ide_channel *ch = opaque;
	struct ide_drive *d = ide_cur(ch);

	if (d->media == IDE_MEDIA_NONE)
		return 0;
	if (ch->ctl & ATA_CTL_SRST)
		return ATA_STAT_BSY;
	return d->r.status;
}

static void ide_ctl_write(void *opaque, uint64_t off, uint64_t val,
			  unsigned int size)
{
	struct ide_channel *ch = opaque;
	uint8_t old = ch->ctl;

	ch->ctl = (uint8_t)val & (ATA_CTL_NIEN | ATA_CTL_SRST | ATA_CTL_HOB);
	if ((ch->ctl & ATA_CTL_SRST) && !(old & ATA_CTL_SRST)) {
		ide_io_cancel(ch);
		ide_xfer_stop(ch);
		ch->irq_pending = false;
	} else if (!(ch->ctl & ATA_CTL_SRST) && (old & ATA_CTL_SRST)) {
		for (unsigned int i = 0; i < 2; i++)
			ide_drive_reset(&ch->drive[i]);
		ch->cur = 0;
	}
	ide_irq_update(ch);
}

static const struct io_ops ide_ctl_ops = {
	.read = ide_ctl_read, .write = ide_ctl_write, .widths = IO_W8,
};

/* Legacy compatibility-mode ports of each channel (PIIX3 ch. 2.4). */
static const struct io_range ide_ranges[2][3] = {
	{ { 0x1f0, 1, &ide_data_ops }, { 0x1f1, 7, &ide_regs_ops },
	  { 0x3f6, 1, &ide_ctl_ops } },
	{ { 0x170, 1, &ide_data_ops }, { 0x171, 7, &ide_regs_ops },
	  { 0x376, 1, &ide_ctl_ops } },
};

static void ide_reset(void *dev)
{
	struct ide *ide = dev;

	for (unsigned int c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];

		ide_io_cancel(ch);
		ide_xfer_stop(ch);
		ch->ctl = 0;
		ch->cur = 0;
		for (unsigned int i = 0; i < 2; i++) {
			ch->drive[i].locked = false;
			ide_drive_reset(&ch->drive[i]);
		}
		ide_bmdma_reset(ch);
		ide_irq_lower(ch);
	}
}

static int ide_drive_init(struct ide_drive *d, const struct ide_drive_cfg *c,
			  unsigned int pos)
{
	d->media = c->media;
	d->blk = c->blk;
	d->read_only = c->read_only || (c->blk && c->blk->read_only);
	snprintf(d->serial, sizeof(d->serial), "DVM%05u%012u", pos, 1000 + pos);
	switch (c->media) {
	case IDE_MEDIA_NONE:
		d->blk = NULL;
		return 0;
	case IDE_MEDIA_DISK:
		if (!c->blk || c->blk->size < IDE_SECTOR)
			return -EINVAL;
		d->nsectors = c->blk->size / IDE_SECTOR;
		ata_geometry_init(d);
		return 0;
	case IDE_MEDIA_CDROM:
		d->nsectors = c->blk ? c->blk->size / CD_SECTOR : 0;
		d->tray_open = false;
		return 0;
	}
	return -EINVAL;
}

int ide_cd_change(struct ide *ide, unsigned int drive, struct blk *iso)
{
	struct ide_channel *ch;
	struct ide_drive *d;

	if (drive >= IDE_MAX_DRIVES)
		return -EINVAL;
	ch = &ide->ch[drive / 2];
	d = &ch->drive[drive & 1];
	if (d->media != IDE_MEDIA_CDROM)
		return -EINVAL;
	if (ch->io_busy && ch->io_drive == d) {	/* the disc goes away */
		ide_io_cancel(ch);
		ide_cmd_abort(d, ATA_ERR_ABRT);
	}
	d->blk = iso;
	d->nsectors = iso ? iso->size / CD_SECTOR : 0;
	d->tray_open = false;
	d->unit_attention = true;
	return 0;
}

static void ide_unmap(struct ide *ide, unsigned int nmapped)
{
	for (unsigned int c = 0; c < nmapped; c++)
		iospace_unmap_set(ide->env.pio, ide_ranges[c], 3, 0);
}

/* PCI reset: the timing registers go back to 0 (decode enables off). */
static void ide_pci_reset(void *opaque)
{
	struct ide *ide = opaque;

	memset(pci_dev_config(ide->pci) + 0x40, 0, 5);
}

static const struct pci_func_ops ide_pci_ops = {
	.reset	= ide_pci_reset,
};

/* Channel buffers and drives; 0 or -errno (buffers freed by ide_fini). */
static int ide_channels_init(struct ide *ide, const struct dev_cfg *dc)
{
	static const struct ide_cfg no_drives;
	const struct ide_cfg *cfg = dc->priv ? dc->priv : &no_drives;
	unsigned int c, i;
	int ret;

	for (c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];

		ch->ide = ide;
		ch->idx = c;
		ch->irq = dc->irq[c];
		ch->buf = calloc(1, IDE_BUF_SIZE);
		if (!ch->buf)
			return -ENOMEM;
		for (i = 0; i < 2; i++) {
			ch->drive[i].ch = ch;
			ch->drive[i].unit = i;
			ret = ide_drive_init(&ch->drive[i],
					     &cfg->drive[c * 2 + i], c * 2 + i);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static void ide_free_bufs(struct ide *ide)
{
	free(ide->ch[0].buf);
	free(ide->ch[1].buf);
}

/* The legacy ports of each channel (opaque: the channel), then the PCI
 * function with BAR4 when there is a bus. */
static int ide_init(void *dev, const struct dev_env *env,
		    const struct dev_cfg *dc)
{
	static const struct pci_dev_info info = {
		.vendor		= 0x8086,
		.device		= 0x7010,
		.class_code	= 0x010180,
	};
	struct ide *ide = dev;
	unsigned int mapped;
	int ret;

	ide->env = *env;
	ret = ide_channels_init(ide, dc);
	if (ret < 0)
		goto out_free;
	for (mapped = 0; mapped < 2; mapped++) {
		ret = iospace_map_set(env->pio, ide_ranges[mapped], 3, 0,
				      &ide->ch[mapped]);
		if (ret < 0)
			goto out_unmap;
	}
	if (dc->pci) {
		ret = pci_register_function(dc->pci, IDE_DEVFN, &info,
					    &ide_pci_ops, ide, &ide->pci);
		if (ret < 0)
			goto out_unmap;
		ret = ide_bmdma_register(ide);
		if (ret < 0)
			goto out_unregister;
	}
	return 0;

out_unregister:
	pci_unregister_function(ide->pci);
out_unmap:
	ide_unmap(ide, mapped);
out_free:
	ide_free_bufs(ide);
	return ret;
}

/* No request may outlive the buffers it reads into: cancel first. */
static void ide_fini(void *dev)
{
	struct ide *ide = dev;

	ide_io_cancel(&ide->ch[0]);
	ide_io_cancel(&ide->ch[1]);
	pci_unregister_function(ide->pci);
	ide_unmap(ide, 2);
	ide_free_bufs(ide);
}

const struct dev_ops ide_dev = {
	.name = "PIIX3 IDE", .size = sizeof(struct ide),
	.init = ide_init, .fini = ide_fini, .reset = ide_reset,
};
