// SPDX-License-Identifier: GPL-2.0-only
/*
 * ide_bmdma.c --- PIIX3 IDE bus-master DMA engine (BAR4)
 *
 * Intel 82371SB datasheet ch. 2.6 and 2.8.2 (based on SFF-8038i): per
 * channel a command register (bit 0 start/stop, bit 3 direction), a status
 * register (bit 0 active, bit 1 error and bit 2 interrupt write-one-to-
 * clear, bits 5/6 drive DMA capable) and a PRD table pointer.  A PRD entry
 * is a 32-bit physical base (bit 0 ignored), a byte count in bits 15:1 of
 * the second dword (0 = 64 KiB) and EOT in bit 31; the table is dword
 * aligned and may not cross a 64 KiB boundary.  At the end the engine
 * reports: device done and PRDs used up -> interrupt, not active; device
 * done with PRDs left -> interrupt, still active; PRDs used up first, a
 * table crossing 64 KiB or an address outside guest RAM -> error, not
 * active.  All guest memory is reached through env->dma.  Clearing the
 * start bit while a DMA command is moving data cancels it (the disk
 * request in flight is waited for and dropped): the drive reports ABRT
 * without an interrupt, as an aborted transfer.
 */
#include <errno.h>
#include <string.h>

#include "devices/ide_priv.h"

static uint8_t bm_reg_read(struct ide_channel *ch, uint64_t reg)
{
	switch (reg) {
	case 0: return ch->bm_cmd;
	case 2: return ch->bm_status;
	case 4: case 5: case 6: case 7:
		return (uint8_t)(ch->bm_prd >> (8 * (reg - 4)));
	default: return 0;
	}
}

/* The guest stopped the engine in the middle of a DMA command. */
static void bm_cancel(struct ide_channel *ch)
{
	struct ide_drive *d = ch->active;

	ide_io_cancel(ch);
	ide_xfer_stop(ch);
	ch->dma_run = false;
	if (d) {
		d->r.status = ATA_STAT_DRDY | ATA_STAT_DSC | ATA_STAT_ERR;
		d->r.error = ATA_ERR_ABRT;
	}
}

static void bm_reg_write(struct ide_channel *ch, uint64_t reg, uint8_t v)
{
	switch (reg) {
	case 0:
		if (!(v & BM_CMD_START) && ch->dma_run)
			bm_cancel(ch);
		if ((v & BM_CMD_START) && !(ch->bm_cmd & BM_CMD_START))
			ch->bm_status |= BM_STAT_ACTIVE;
		else if (!(v & BM_CMD_START))
			ch->bm_status &= ~BM_STAT_ACTIVE;
		ch->bm_cmd = v & (BM_CMD_START | BM_CMD_READ);
		if (ch->bm_cmd & BM_CMD_START)
			ide_bmdma_kick(ch);
		break;
	case 2:
		ch->bm_status = (ch->bm_status & ~(v & (BM_STAT_ERROR |
							 BM_STAT_INTR)));
		ch->bm_status = (ch->bm_status & ~(BM_STAT_DMA0 | BM_STAT_DMA1)) |
				(v & (BM_STAT_DMA0 | BM_STAT_DMA1));
		break;
	case 4: case 5: case 6: case 7: {
		unsigned int sh = 8 * (reg - 4);

		ch->bm_prd = (ch->bm_prd & ~(0xffu << sh)) | (uint32_t)v << sh;
		ch->bm_prd &= ~3u;
		break;
	}
	}
}

static uint64_t bm_read(void *opaque, uint64_t off, unsigned int size)
{
	struct ide *ide = opaque;

	return bm_reg_read(&ide->ch[off / 8], off % 8);
}

static void bm_write(void *opaque, uint64_t off, uint64_t val,
		     unsigned int size)
{
	struct ide *ide = opaque;

	bm_reg_write(&ide->ch[off / 8], off % 8, (uint8_t)val);
}

static const struct io_ops ide_bm_ops = {
	.read = bm_read, .write = bm_write, .widths = IO_W8,
};

void ide_bmdma_reset(struct ide_channel *ch)
{
	ch->bm_cmd = 0;
	ch->bm_status = 0;
	ch->bm_prd = 0;
	ch->prd_loaded = false;
	ch->prd_eot = false;
	ch->dma_run = false;
}

void ide_bmdma_kick(struct ide_channel *ch)
{
	void (*next)(struct ide_drive *d) = ch->next;

	if (ch->xfer != XFER_DMA_WAIT || !(ch->bm_cmd & BM_CMD_START) ||
	    !(ch->bm_status & BM_STAT_ACTIVE) || !ch->active)
		return;
	ch->xfer = XFER_NONE;
	ch->next = NULL;
	ch->prd_cur = ch->bm_prd;
	ch->prd_loaded = false;
	ch->prd_eot = false;
	ch->dma_run = true;
	if (next)
		next(ch->active);
}

/* Fetch the next PRD entry.  0, -ENOSPC (after EOT) or -EFAULT. */
static int bm_prd_load(struct ide_channel *ch)
{
	const struct dev_env *env = &ch->ide->env;
	uint8_t e[8];
	uint32_t addr, cnt;

	if (ch->prd_eot)
		return -ENOSPC;
	if ((ch->prd_cur & ~0xffffu) != (ch->bm_prd & ~0xffffu) ||
	    ch->prd_cur < ch->bm_prd)
		return -EFAULT;			/* table crosses 64 KiB */
	if (!env->dma || env->dma(env->dma_opaque, ch->prd_cur, e, 8, false))
		return -EFAULT;
	addr = e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24;
	cnt = (e[4] | e[5] << 8) & 0xfffe;
	ch->prd_addr = addr & ~1u;
	ch->prd_len = cnt ? cnt : 0x10000;
	ch->prd_eot = e[7] & 0x80;
	ch->prd_cur += 8;
	if ((uint64_t)ch->prd_addr + ch->prd_len > 0x100000000ull)
		return -EFAULT;			/* wraps past 4 GiB */
	ch->prd_loaded = true;
	return 0;
}

int ide_bmdma_rw(struct ide_channel *ch, uint8_t *buf, uint32_t len,
		 bool to_mem, uint32_t *done)
{
	const struct dev_env *env = &ch->ide->env;

	*done = 0;
	while (*done < len) {
		uint32_t n;
		int ret;

		if (!ch->prd_loaded) {
			ret = bm_prd_load(ch);
			if (ret < 0)
				return ret;
		}
		n = len - *done;
		if (n > ch->prd_len)
			n = ch->prd_len;
		if (env->dma(env->dma_opaque, ch->prd_addr, buf + *done, n,
			     to_mem))
			return -EFAULT;
		*done += n;
		ch->prd_addr += n;
		ch->prd_len -= n;
		if (!ch->prd_len)
			ch->prd_loaded = false;
	}
	return 0;
}

void ide_bmdma_done(struct ide_channel *ch, bool err)
{
	ch->dma_run = false;
	if (err) {
		ch->bm_status = (ch->bm_status & ~BM_STAT_ACTIVE) |
				BM_STAT_ERROR | BM_STAT_INTR;
		return;
	}
	if (ch->prd_eot && !ch->prd_loaded)
		ch->bm_status &= ~BM_STAT_ACTIVE;
	ch->bm_status |= BM_STAT_INTR;
}

int ide_bmdma_register(struct ide *ide)
{
	pci_dev_set_wmask(ide->pci, 0x40, 5, 0xff);	/* IDETIM, SIDETIM */
	return pci_dev_set_bar(ide->pci, 4, 16, PCI_BAR_IO, &ide_bm_ops, ide);
}
