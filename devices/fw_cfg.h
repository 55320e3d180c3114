/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fw_cfg.h --- QEMU's firmware configuration interface (x86 I/O variant)
 *
 * The documented QEMU fw_cfg device (QEMU docs/specs/fw_cfg.rst) that
 * Debian's stock SeaBIOS reads to learn the machine: a 16-bit selector at
 * port 0x510, a byte-wide data port at 0x511 and the DMA address register
 * at 0x514 (big-endian, high dword at 0x514, writing the low dword at 0x518
 * starts the transfer; reading 0x514 as 64 bits gives "QEMU CFG").  Items are
 * byte blobs selected by a 16-bit key; named items ("files") are listed in
 * the file directory (key 0x0019).  The board fills the items; the device
 * only serves them.  Guest writes through fw_cfg are not supported (the DMA
 * write bit reports an error), as QEMU does for all items since 2.4.
 */
#ifndef DUALVM_FW_CFG_H
#define DUALVM_FW_CFG_H

#include <stddef.h>
#include <stdint.h>

#include "devices/devices.h"

#define FW_CFG_PORT_SEL		0x510	/* 16-bit selector */
#define FW_CFG_PORT_DATA	0x511	/* 8-bit data */
#define FW_CFG_PORT_DMA		0x514	/* DMA address, 2 x 32-bit BE */
#define FW_CFG_PORT_LEN		12	/* 0x510-0x51b claimed */

/* Selector keys (fw_cfg.rst "Selector Register") */
#define FW_CFG_SIGNATURE	0x0000	/* "QEMU" */
#define FW_CFG_ID		0x0001	/* LE32: bit 0 traditional, 1 DMA */
#define FW_CFG_UUID		0x0002
#define FW_CFG_RAM_SIZE		0x0003	/* LE64 */
#define FW_CFG_NOGRAPHIC	0x0004
#define FW_CFG_NB_CPUS		0x0005	/* LE16 */
#define FW_CFG_MACHINE_ID	0x0006
#define FW_CFG_NUMA		0x000d	/* LE64 count, then data */
#define FW_CFG_BOOT_MENU	0x000e	/* LE16 */
#define FW_CFG_MAX_CPUS		0x000f	/* LE16 */
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_FILE_FIRST	0x0020
#define FW_CFG_WRITE_CHANNEL	0x4000
#define FW_CFG_ARCH_LOCAL	0x8000
#define FW_CFG_ACPI_TABLES	0x8000
#define FW_CFG_SMBIOS_ENTRIES	0x8001
#define FW_CFG_IRQ0_OVERRIDE	0x8002
#define FW_CFG_E820_TABLE	0x8003

#define FW_CFG_ID_TRADITIONAL	0x1
#define FW_CFG_ID_DMA		0x2

/* DMA control bits (FWCfgDmaAccess.control, big-endian in guest memory) */
#define FW_CFG_DMA_ERROR	0x01
#define FW_CFG_DMA_READ		0x02
#define FW_CFG_DMA_SKIP		0x04
#define FW_CFG_DMA_SELECT	0x08
#define FW_CFG_DMA_WRITE	0x10
#define FW_CFG_DMA_SIGNATURE	0x51454d5520434647ULL	/* "QEMU CFG" */

#define FW_CFG_MAX_FILES	64
#define FW_CFG_NAME_LEN		56	/* including the NUL */

struct fw_cfg;

/*
 * dev_create(&fw_cfg_dev): the signature and ID items, an empty file directory,
 * ports 0x510-0x51b mapped on env->pio; DMA through env->dma (the ID item
 * says whether there is one); nothing from dev_cfg.  dev_reset(): selector 0,
 * offset 0 (items are kept).  dev_destroy(): unmap and free every item.  The
 * board fills the items with the functions below.
 */
extern const struct dev_ops fw_cfg_dev;

/*
 * Set item @key to a copy of @len bytes at @data (replacing an older value).
 * Keys FW_CFG_FILE_DIR and the file range are reserved for fw_cfg_add_file().
 * 0, -EINVAL or -ENOMEM.
 */
int __attribute__((warn_unused_result))
fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data,
		 size_t len);
/* Little-endian integer items. */
int __attribute__((warn_unused_result))
fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v);
int __attribute__((warn_unused_result))
fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v);
int __attribute__((warn_unused_result))
fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v);

/*
 * Add a named file (copied) and list it in the directory (sorted by name, as
 * the spec recommends); it gets the next free key from FW_CFG_FILE_FIRST.
 * 0, -EINVAL (empty or too long a name), -EEXIST, -ENOSPC or -ENOMEM.
 */
int __attribute__((warn_unused_result))
fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data,
		size_t len);

#endif
