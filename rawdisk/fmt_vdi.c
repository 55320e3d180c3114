// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_vdi.c --- VirtualBox VDI 1.1, dynamic images (reader and writer)
 *
 * Layout (little-endian): 64 bytes of text, signature 0xBEDA107F at 0x40,
 * version 0x00010001, the 1.1 header (image type, block-map and data
 * offsets, CHS, sector size, disk size, 1 MiB blocks, block counts, four
 * UUIDs), then the block map (u32 per block: index of the block in the data
 * area, 0xFFFFFFFF unallocated, 0xFFFFFFFE discarded = zero).  Differencing
 * images (non-null parent/link UUID) are refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "rawdisk/fmt_priv.h"

#define VDI_SIGNATURE	0xbeda107fu
#define VDI_VERSION	0x00010001u
#define VDI_HDR_SIZE	512		/* bytes we read/write at 0 */
#define VDI_BLOCK	(1u << 20)
#define VDI_UNALLOC	0xffffffffu
#define VDI_DISCARDED	0xfffffffeu
#define VDI_MAX_BLOCKS	(1u << 26)	/* 64 TiB of 1 MiB blocks */

/* header field offsets */
#define VH_SIG		0x40
#define VH_VERSION	0x44
#define VH_HDRSIZE	0x48
#define VH_TYPE		0x4c
#define VH_OFF_BMAP	0x154
#define VH_OFF_DATA	0x158
#define VH_CYL		0x15c
#define VH_HEADS	0x160
#define VH_SPT		0x164
#define VH_SECSIZE	0x168
#define VH_DISKSIZE	0x170
#define VH_BLKSIZE	0x178
#define VH_BLKEXTRA	0x17c
#define VH_NBLOCKS	0x180
#define VH_NALLOC	0x184
#define VH_UUID		0x188
#define VH_UUID_SNAP	0x198
#define VH_UUID_LINK	0x1a8
#define VH_UUID_PARENT	0x1b8

struct vdi_state {
	uint32_t	off_bmap;	/* bytes */
	uint32_t	off_data;	/* bytes */
	uint8_t		hdr[VDI_HDR_SIZE];	/* writer: header template */
};

static int vdi_commit(struct fmt_bmap *b)
{
	struct vdi_state *s = b->fmt;
	size_t n = (size_t)b->nblocks;
	uint8_t *bm = malloc(n * 4);
	int err;

	if (!bm)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rd_put_le32(bm + 4 * i, b->map[i] <= FMT_ZERO ? VDI_UNALLOC :
			 (uint32_t)((b->map[i] - s->off_data) / VDI_BLOCK));
	err = fmt_io_write(b, bm, n * 4, s->off_bmap);
	free(bm);
	if (err)
		return err;
	rd_put_le32(s->hdr + VH_NALLOC, (uint32_t)b->allocated);
	err = fmt_io_write(b, s->hdr, VDI_HDR_SIZE, 0);
	if (!err && b->eof > s->off_data)
		err = fmt_io_truncate(b, b->eof);
	return err;
}

static const struct fmt_bmap_ops vdi_ops = {
	.name	= "vdi",
	.align	= VDI_BLOCK,
	.commit	= vdi_commit,
};

static bool uuid_null(const uint8_t *p)
{
	return fmt_is_zero(p, 16);
}

int rd_vdi_open(struct rd_disk *below, struct rd_disk **out)
{
	uint8_t h[VDI_HDR_SIZE], *bm = NULL;
	struct vdi_state *s;
	struct fmt_bmap *b;
	struct rd_disk *d;
	uint64_t size, fsize = rd_size(below);
	uint32_t nblk;
	int err;

	if (fsize < VDI_HDR_SIZE)
		return rd_set_error(below, -EINVAL, "%s: too small for VDI",
				    below->desc);
	err = rd_pread(below, h, sizeof(h), 0);
	if (err)
		return err;
	if (rd_le32(h + VH_SIG) != VDI_SIGNATURE)
		return rd_set_error(below, -EINVAL, "%s: no VDI signature",
				    below->desc);
	if (rd_le32(h + VH_VERSION) != VDI_VERSION)
		return rd_set_error(below, -ENOTSUP,
				    "%s: unsupported VDI version %#x",
				    below->desc, rd_le32(h + VH_VERSION));
	size = rd_le64(h + VH_DISKSIZE);
	nblk = rd_le32(h + VH_NBLOCKS);
	if (rd_le32(h + VH_SECSIZE) != 512 ||
	    rd_le32(h + VH_BLKSIZE) != VDI_BLOCK ||
	    rd_le32(h + VH_BLKEXTRA) != 0 ||
	    rd_le32(h + VH_OFF_BMAP) % 512 || rd_le32(h + VH_OFF_DATA) % 512)
		return rd_set_error(below, -ENOTSUP,
				    "%s: unsupported VDI layout (sector/block size or offsets)",
				    below->desc);
	/* image types: 1 normal, 2 fixed; 3 undo and 4 diff need a parent */
	if (rd_le32(h + VH_TYPE) != 1 && rd_le32(h + VH_TYPE) != 2)
		return rd_set_error(below, rd_le32(h + VH_TYPE) <= 4 ? -ENOTSUP :
				    -EINVAL,
				    "%s: VDI image type %u is not supported (only normal and fixed)",
				    below->desc, rd_le32(h + VH_TYPE));
	if (!uuid_null(h + VH_UUID_LINK) || !uuid_null(h + VH_UUID_PARENT))
		return rd_set_error(below, -ENOTSUP,
				    "%s: differencing VDI images are not supported",
				    below->desc);
	if (!size || nblk > VDI_MAX_BLOCKS ||
	    size > (uint64_t)nblk * VDI_BLOCK ||
	    (uint64_t)rd_le32(h + VH_OFF_BMAP) + (uint64_t)nblk * 4 > fsize)
		return rd_set_error(below, -EINVAL,
				    "%s: corrupt VDI header (size %llu, %u blocks)",
				    below->desc, (unsigned long long)size, nblk);
	size = (size + 511) & ~511ULL;
	s = calloc(1, sizeof(*s));
	bm = malloc((size_t)nblk * 4 + 1);
	if (!s || !bm) {
		err = -ENOMEM;
		goto out_free;
	}
	s->off_bmap = rd_le32(h + VH_OFF_BMAP);
	s->off_data = rd_le32(h + VH_OFF_DATA);
	err = rd_pread(below, bm, (size_t)nblk * 4, s->off_bmap);
	if (err)
		goto out_free;
	err = fmt_bmap_reader(&vdi_ops, below, size, VDI_BLOCK, s, &d);
	if (err)
		goto out_free;
	b = fmt_bmap_of(d);
	for (uint32_t i = 0; i < nblk && i < b->nblocks; i++) {
		uint32_t e = rd_le32(bm + 4 * i);
		uint64_t off = s->off_data + (uint64_t)e * VDI_BLOCK;

		if (e == VDI_UNALLOC)
			continue;
		if (e == VDI_DISCARDED) {
			b->map[i] = FMT_ZERO;
			continue;
		}
		if (e >= nblk || off >= fsize) {
			free(bm);
			return fmt_bmap_bad_block(d, i);
		}
		b->map[i] = off;
	}
	free(bm);
	*out = d;
	return 0;

out_free:
	free(s);
	free(bm);
	return err;
}

int rd_vdi_create(const char *path, uint64_t size, struct rd_disk **out,
		  char *err, size_t errlen)
{
	struct vdi_state *s = calloc(1, sizeof(*s));
	uint64_t nblk = (size + VDI_BLOCK - 1) / VDI_BLOCK, cyl;
	uint8_t *h;

	if (!s)
		return -ENOMEM;
	if (size % 512 || nblk > VDI_MAX_BLOCKS) {
		free(s);
		snprintf(err, errlen, "%s: VDI size must be a multiple of 512 and below 64 TiB",
			 path);
		return -EINVAL;
	}
	s->off_bmap = 0x200;
	s->off_data = (uint32_t)((0x200 + nblk * 4 + VDI_BLOCK - 1) /
				 VDI_BLOCK * VDI_BLOCK);
	h = s->hdr;
	memcpy(h, "<<< Oracle VM VirtualBox Disk Image >>>\n", 40);
	rd_put_le32(h + VH_SIG, VDI_SIGNATURE);
	rd_put_le32(h + VH_VERSION, VDI_VERSION);
	rd_put_le32(h + VH_HDRSIZE, 0x180);
	rd_put_le32(h + VH_TYPE, 1);		/* dynamic */
	rd_put_le32(h + VH_OFF_BMAP, s->off_bmap);
	rd_put_le32(h + VH_OFF_DATA, s->off_data);
	cyl = size / (16 * 63 * 512);
	rd_put_le32(h + VH_CYL, (uint32_t)(cyl > 16383 ? 16383 : cyl));
	rd_put_le32(h + VH_HEADS, 16);
	rd_put_le32(h + VH_SPT, 63);
	rd_put_le32(h + VH_SECSIZE, 512);
	rd_put_le64(h + VH_DISKSIZE, size);
	rd_put_le32(h + VH_BLKSIZE, VDI_BLOCK);
	rd_put_le32(h + VH_NBLOCKS, (uint32_t)nblk);
	fmt_uuid_random(h + VH_UUID);
	fmt_uuid_random(h + VH_UUID_SNAP);
	return fmt_bmap_writer(&vdi_ops, path, size, VDI_BLOCK, s->off_data, s,
			       out, err, errlen);
}
