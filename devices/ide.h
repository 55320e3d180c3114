/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ide.h --- PIIX3 IDE controller (function 00:01.1) with ATA and ATAPI drives
 *
 * The PIIX3 IDE function (Intel 82371SB datasheet ch. 2.4/2.6: ID 8086:7010,
 * class 0x010180 = mass storage/IDE, legacy mode, bus-master capable) with
 * its two channels at the compatibility addresses (primary 0x1F0-0x1F7 +
 * 0x3F6, IRQ 14; secondary 0x170-0x177 + 0x376, IRQ 15) and the bus-master
 * registers at BAR4 (16 bytes: per channel command, status, PRD table
 * pointer).  Each channel holds up to two drives: ATA hard disks
 * (ATA/ATAPI-6 command set: PIO, multiple, DMA, LBA28/LBA48/CHS) and ATAPI
 * CD-ROMs (MMC subset over PACKET, an ISO image of 2048-byte sectors),
 * each backed by an asynchronous block device (hw/block.h).
 *
 * Disk I/O never blocks the vCPU: a command that needs the disk submits a
 * request and the drive shows BSY (DRQ clear; the bus master stays active
 * during a DMA command) until it completes; the data phase, the next
 * request or the end of the command (status, error, INTRQ, bus-master
 * interrupt bit) follow on completion.  Each channel has at most one
 * request in flight; commands written while BSY are ignored.  SRST, a
 * controller reset, ATAPI DEVICE RESET, stopping the bus master during a
 * DMA command and dev_destroy() cancel it: they wait for the request
 * to finish (blk_drain) and drop its result, so no buffer is reused or
 * freed under the disk.
 *
 * All guest-controlled values are bounds-checked; disk I/O errors become
 * ATA error status (UNC/ABRT) or SCSI sense, never a crash.  DMA goes only
 * through env->dma.  The block devices are borrowed: they must outlive the
 * controller.
 */
#ifndef DUALVM_IDE_H
#define DUALVM_IDE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/devices.h"
#include "devices/pci.h"

struct pci_bus;
struct pci_dev;

struct blk;
struct ide;

#define IDE_DEVFN		PCI_DEVFN(1, 1)
#define IDE_MAX_DRIVES		4	/* 0 pri master, 1 pri slave,
					 * 2 sec master, 3 sec slave */

enum ide_media {
	IDE_MEDIA_NONE = 0,	/* no drive at this position */
	IDE_MEDIA_DISK,		/* ATA hard disk, 512-byte sectors */
	IDE_MEDIA_CDROM,	/* ATAPI CD-ROM, 2048-byte sectors */
};

struct ide_drive_cfg {
	enum ide_media	media;		/* what sits at this position */
	struct blk	*blk;		/* backing store; for a CD-ROM NULL
					 * means "no disc in the tray" */
	bool		read_only;	/* disk: writes fail with ABRT (also
					 * when blk->read_only) */
};

/* dev_cfg.priv of ide_dev: the drives (NULL: no drive anywhere). */
struct ide_cfg {
	struct ide_drive_cfg drive[IDE_MAX_DRIVES];	/* by position */
};

/*
 * dev_create(&ide_dev): function IDE_DEVFN of dev_cfg.pci with BAR4 = bus
 * master (no bus: an ISA-only controller without DMA), the legacy ports of
 * both channels claimed in env->pio; channel 0 interrupts on dev_cfg.irq[0]
 * (ISA 14), channel 1 on irq[1] (ISA 15).  The struct ide_cfg is copied.
 * -EINVAL (a disk smaller than one sector or a drive type with no disk),
 * -ENOMEM, -EEXIST (ports taken) or a registration error.
 * dev_reset(): power-on/hard reset: every drive to its signature, DMA engines
 * stopped, IRQs lowered.  dev_destroy(): unmap the legacy ports, unregister
 * the PCI function (before the bus's destroy) and free; the disks stay
 * open (the caller's).
 */
extern const struct dev_ops ide_dev;

/*
 * Insert (@iso != NULL) or eject the disc of the CD-ROM at @drive.  The
 * guest sees UNIT ATTENTION next.  0, -EINVAL (not a CD-ROM position).
 */
int ide_cd_change(struct ide *ide, unsigned int drive, struct blk *iso);

#endif
