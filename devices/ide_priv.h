/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ide_priv.h --- internals shared by the ide_*.c files
 *
 * One struct ide holds two channels; a channel holds two drives, the PIO
 * data window, the command in progress, its one block request in flight
 * and its bus-master engine.  Each drive keeps its own copy of the task
 * file (writes go to both drives, as on a real cable; reads come from the
 * selected one).  A command step that needs the disk calls ide_io() with
 * the step to run when the request completes (the drive shows BSY
 * meanwhile); everything else happens at the guest access that triggers
 * it.  All of it on the vCPU thread.
 */
#ifndef DUALVM_IDE_PRIV_H
#define DUALVM_IDE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/ide.h"

/* Status register (ATA/ATAPI-6 ch. 7.15) */
#define ATA_STAT_ERR	0x01
#define ATA_STAT_DRQ	0x08
#define ATA_STAT_DSC	0x10
#define ATA_STAT_DF	0x20
#define ATA_STAT_DRDY	0x40
#define ATA_STAT_BSY	0x80

/* Error register */
#define ATA_ERR_AMNF	0x01
#define ATA_ERR_ABRT	0x04
#define ATA_ERR_IDNF	0x10
#define ATA_ERR_UNC	0x40

/* Device control register */
#define ATA_CTL_NIEN	0x02
#define ATA_CTL_SRST	0x04
#define ATA_CTL_HOB	0x80

/* Device register */
#define ATA_DEV_DEV	0x10
#define ATA_DEV_LBA	0x40

/* ATAPI interrupt reason (sector count register) */
#define ATAPI_IR_COD	0x01
#define ATAPI_IR_IO	0x02

/* Bus-master registers (PIIX3 datasheet ch. 2.6) */
#define BM_CMD_START	0x01
#define BM_CMD_READ	0x08	/* device -> memory */
#define BM_STAT_ACTIVE	0x01
#define BM_STAT_ERROR	0x02
#define BM_STAT_INTR	0x04
#define BM_STAT_DMA0	0x20
#define BM_STAT_DMA1	0x40

/* SCSI sense keys and additional sense codes used by the CD-ROM */
#define SENSE_NONE		0x00
#define SENSE_NOT_READY		0x02
#define SENSE_MEDIUM_ERROR	0x03
#define SENSE_ILLEGAL_REQUEST	0x05
#define SENSE_UNIT_ATTENTION	0x06
#define ASC_INVALID_OPCODE	0x20
#define ASC_LBA_OUT_OF_RANGE	0x21
#define ASC_INVALID_FIELD	0x24
#define ASC_MEDIUM_CHANGED	0x28
#define ASC_READ_ERROR		0x11
#define ASC_NO_MEDIUM		0x3a
#define ASC_REMOVAL_PREVENTED	0x53

#define IDE_SECTOR		512
#define CD_SECTOR		2048
#define IDE_BUF_SIZE		(128 * 1024)	/* a multiple of 2048 */
#define IDE_MAX_MULT		16		/* READ/WRITE MULTIPLE */

struct ide;
struct ide_channel;

/* The task file as one drive latches it. */
struct ide_regs {
	uint8_t		feature;	/* write: features */
	uint8_t		error;		/* read: error */
	uint8_t		nsect, lbal, lbam, lbah;	/* current */
	uint8_t		hob_nsect, hob_lbal, hob_lbam, hob_lbah;	/* previous */
	uint8_t		hob_feature;	/* previous feature */
	uint8_t		device;		/* device/head register */
	uint8_t		status;		/* status register */
};

struct ide_drive {
	struct ide_channel *ch;		/* owner */
	unsigned int	unit;		/* 0 master, 1 slave */
	enum ide_media	media;		/* NONE = absent */
	struct blk	*blk;		/* backing store, borrowed; NULL: none
					 * (a CD-ROM without a disc) */
	bool		read_only;	/* ATA: writes abort */
	struct ide_regs	r;		/* latched task file */
	uint64_t	nsectors;	/* 512- (disk) or 2048-byte units */
	unsigned int	cyls, heads, spt;	/* default CHS geometry */
	unsigned int	cur_heads, cur_spt;	/* INITIALIZE DEVICE PARAMETERS */
	unsigned int	mult;		/* SET MULTIPLE: sectors per block */
	uint8_t		xfer_mode;	/* SET FEATURES 03h value */
	bool		wcache;		/* write cache enabled */
	bool		standby;	/* CHECK POWER MODE answer */
	/* ATAPI */
	bool		tray_open;	/* no disc reachable (disk kept) */
	bool		locked;		/* PREVENT MEDIUM REMOVAL */
	bool		unit_attention;	/* medium changed, not reported */
	uint8_t		sense_key, asc, ascq;	/* for REQUEST SENSE */
	char		serial[21];	/* IDENTIFY serial, NUL-terminated */
};

enum ide_xfer {
	XFER_NONE,		/* no data phase */
	XFER_PIO_IN,		/* device -> host through the data port */
	XFER_PIO_OUT,		/* host -> device through the data port */
	XFER_DMA_WAIT,		/* waiting for the bus master to start */
	XFER_IO,		/* BSY: a block request is in flight */
};

struct ide_channel {
	struct ide	*ide;		/* owner */
	unsigned int	idx;		/* 0 primary, 1 secondary */
	struct ide_drive drive[2];	/* master, slave */
	unsigned int	cur;		/* selected drive (DEV bit) */
	uint8_t		ctl;		/* device control register */
	bool		irq_pending;	/* INTRQ asserted by the device */
	bool		irq_out;	/* level on the ISA line */
	struct irq_line	irq;		/* ISA IRQ 14/15 */

	/* command in progress */
	struct ide_drive *active;	/* drive running it (not the selected
					 * one: the guest may reselect) */
	enum ide_xfer	xfer;		/* data phase */
	uint8_t		*buf;		/* IDE_BUF_SIZE bytes */
	uint32_t	pos, end;	/* PIO window buf[pos..end) */
	/* called when the PIO window is used up, or when DMA may run */
	void		(*next)(struct ide_drive *d);
	uint64_t	lba;		/* next sector of the transfer */
	uint64_t	left;		/* sectors still to transfer */
	uint64_t	chunk;		/* sectors of the request in flight */
	unsigned int	per_drq;	/* sectors per DRQ block */
	bool		dma_write;	/* DMA: memory -> device */
	/* ATAPI data phase */
	uint32_t	avail;		/* bytes valid in buf from pos */
	uint32_t	limit;		/* byte count limit per DRQ */
	bool		atapi_dma;	/* PACKET with the DMA feature bit */

	/* the block request in flight (ide_io) */
	struct blk_req	req;		/* the channel's one request */
	bool		io_busy;	/* submitted, done() not yet run */
	bool		io_cancel;	/* drop its completion (reset) */
	struct ide_drive *io_drive;	/* the drive it is for */
	/* the command step to run on completion, with the result */
	void		(*io_cont)(struct ide_drive *d, int ret);

	/* bus master */
	uint8_t		bm_cmd;		/* command register */
	uint8_t		bm_status;	/* status register */
	uint32_t	bm_prd;		/* PRD table address (4-aligned) */
	/* PRD walk state during one transfer */
	uint32_t	prd_cur;	/* address of the current entry */
	uint32_t	prd_addr, prd_len;	/* what is left of it */
	bool		prd_eot;	/* current entry is the last */
	bool		prd_loaded;	/* prd_addr/len valid */
	bool		dma_run;	/* a DMA command is moving data */
};

struct ide {
	struct dev_env	env;		/* copy of the creator's */
	struct pci_dev	*pci;		/* 00:01.1, or NULL */
	struct ide_channel ch[2];	/* primary, secondary */
};

/* ide_core.c */
struct ide_drive *ide_cur(struct ide_channel *ch);
void ide_irq_raise(struct ide_channel *ch);
void ide_irq_lower(struct ide_channel *ch);
void ide_set_signature(struct ide_drive *d);
/* Finish a command: status DRDY|DSC, or ERR with @error in the error reg. */
void ide_cmd_ok(struct ide_drive *d, bool irq);
void ide_cmd_abort(struct ide_drive *d, uint8_t error);
/* Start a PIO data phase of buf[0..len) in direction @in; @next runs when
 * the guest has moved every byte. */
void ide_pio_start(struct ide_drive *d, uint32_t len, bool in,
		   void (*next)(struct ide_drive *d), bool irq);
void ide_xfer_stop(struct ide_channel *ch);
/* Submit @op on @d's disk for buf[0..len) at byte @off: the drive is BSY
 * until it completes, then @cont(d, ret) runs (maybe before ide_io()
 * returns: call it last). */
void ide_io(struct ide_drive *d, enum blk_op op, uint8_t *buf, size_t len,
	    uint64_t off, void (*cont)(struct ide_drive *d, int ret));
/* Wait for the channel's request, if any, and drop its completion. */
void ide_io_cancel(struct ide_channel *ch);
void ide_pad_string(uint16_t *words, unsigned int first, unsigned int nwords,
		    const char *s);
void ide_identify_checksum(uint8_t *buf);

/* ide_ata.c */
void ata_exec(struct ide_drive *d, uint8_t cmd);
void ata_geometry_init(struct ide_drive *d);

/* ide_atapi.c */
void atapi_exec(struct ide_drive *d, uint8_t cmd);
void atapi_sense_clear(struct ide_drive *d);

/* ide_bmdma.c */
int ide_bmdma_register(struct ide *ide);
void ide_bmdma_reset(struct ide_channel *ch);
/* Run a pending DMA transfer if the engine is started. */
void ide_bmdma_kick(struct ide_channel *ch);
/* Copy @len bytes between buf and the PRD list: 0, -EFAULT (bad entry or
 * guest address), -ENOSPC (PRD list exhausted; *@done bytes moved). */
int ide_bmdma_rw(struct ide_channel *ch, uint8_t *buf, uint32_t len,
		 bool to_mem, uint32_t *done);
/* End of a DMA command: status bits and IRQ per PIIX3 rules; @err true
 * when the transfer failed on the bus side. */
void ide_bmdma_done(struct ide_channel *ch, bool err);

#endif
