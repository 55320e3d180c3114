/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rd_priv.h --- helpers shared by the rawdisk back ends (not public)
 *
 * Little/big-endian field access for every on-disk format (MBR, GPT,
 * qcow2, VMDK, VHD, VHDX, VDI) and the GUID text form used in struct
 * rd_part.
 */
#ifndef DUALVM_RD_PRIV_H
#define DUALVM_RD_PRIV_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "rawdisk/rawdisk.h"

static inline uint16_t rd_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd_le64(const uint8_t *p)
{
	return (uint64_t)rd_le32(p) | (uint64_t)rd_le32(p + 4) << 32;
}

static inline void rd_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void rd_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void rd_put_le64(uint8_t *p, uint64_t v)
{
	rd_put_le32(p, (uint32_t)v);
	rd_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t rd_be64(const uint8_t *p)
{
	return (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
}

static inline void rd_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void rd_put_be64(uint8_t *p, uint64_t v)
{
	rd_put_be32(p, (uint32_t)(v >> 32));
	rd_put_be32(p + 4, (uint32_t)v);
}

static inline void rd_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Format a mixed-endian on-disk GUID as lower-case text (37 bytes). */
static inline void rd_guid_str(const uint8_t *g, char out[40])
{
	snprintf(out, 40,
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 rd_le32(g), rd_le16(g + 4), rd_le16(g + 6), g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* A byte window [@off, @off + *@len) of @d for the file-system adapters:
 * *@len 0 means "to the end".  0, or -EINVAL when it leaves the disk. */
static inline int rd_window(const struct rd_disk *d, uint64_t off,
			    uint64_t *len)
{
	if (!d || off > d->size)
		return -EINVAL;
	if (*len == 0)
		*len = d->size - off;
	return *len > d->size - off ? -EINVAL : 0;
}

/* GPT layout constants (UEFI 2.x §5.3). */
#define RD_GPT_HDR_MIN		92u	/* bytes of a GPT header we know */
#define RD_GPT_ENTRY_MIN	128u	/* smallest entry size */
#define RD_GPT_MAX_ENTRIES	4096u	/* more is treated as corrupt */
#define RD_GPT_ATTR_LEGACY_BOOT	(1ull << 2)

/* Maximum bytes of GPT entry array we accept. */
#define RD_GPT_MAX_ARRAY	(1u << 20)

#endif
