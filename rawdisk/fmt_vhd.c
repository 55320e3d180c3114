// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_vhd.c --- Virtual PC / Hyper-V VHD, fixed and dynamic
 *
 * Per the "Virtual Hard Disk Image Format Specification" (Microsoft, 2006):
 * a 512-byte big-endian footer ("conectix", checksum = one's complement of
 * the byte sum, CHS from the spec's algorithm, type 2 fixed / 3 dynamic).
 * Fixed: raw data then the footer.  Dynamic: footer copy at 0, "cxsparse"
 * header at 512, the BAT (u32 sector offsets, 0xFFFFFFFF unallocated), then
 * blocks of [sector bitmap, 512 bytes for 2 MiB] + data, and the footer
 * again at the end.  The disk size is footer.current_size (as Hyper-V and
 * Disk2vhd use it; the writer's creator is "win " so that readers do the
 * same); differencing disks (type 4) are refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rawdisk/fmt_priv.h"

#define VHD_FIXED	2
#define VHD_DYNAMIC	3
#define VHD_DIFF	4
#define VHD_BLOCK	(2u << 20)
#define VHD_BAT_UNUSED	0xffffffffu
#define VHD_MAX_SIZE	(65535ULL * 16 * 255 * 512)
#define VHD_EPOCH	946684800	/* 2000-01-01T00:00:00Z */

/* footer offsets */
#define VF_FEATURES	8
#define VF_VERSION	12
#define VF_DATA_OFF	16
#define VF_TIME		24
#define VF_CREATOR	28
#define VF_CR_VER	32
#define VF_CR_OS	36
#define VF_ORIG_SIZE	40
#define VF_SIZE		48
#define VF_CHS		56
#define VF_TYPE		60
#define VF_CSUM		64
#define VF_UUID		68
/* dynamic header offsets */
#define VD_DATA_OFF	8
#define VD_TABLE_OFF	16
#define VD_VERSION	24
#define VD_MAX_ENTRIES	28
#define VD_BLOCK_SIZE	32
#define VD_CSUM		36

struct vhd_state {
	uint8_t		footer[512];	/* current footer */
	uint64_t	bat_off;	/* bytes */
	uint32_t	max_entries;	/* BAT entries */
};

static uint32_t vhd_checksum(const uint8_t *p, size_t len, size_t csum_at)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i++)
		if (i < csum_at || i >= csum_at + 4)
			sum += p[i];
	return ~sum;
}

/* CHS per the VHD specification, appendix "CHS calculation". */
static void vhd_chs(uint64_t size, uint16_t *c, uint8_t *h, uint8_t *s)
{
	uint64_t ts = size / 512, cth;
	unsigned int spt, heads;

	if (ts > 65535ULL * 16 * 255)
		ts = 65535ULL * 16 * 255;
	if (ts >= 65535ULL * 16 * 63) {
		spt = 255;
		heads = 16;
		cth = ts / spt;
	} else {
		spt = 17;
		cth = ts / spt;
		heads = (unsigned int)((cth + 1023) / 1024);
		if (heads < 4)
			heads = 4;
		if (cth >= heads * 1024ULL || heads > 16) {
			spt = 31;
			heads = 16;
			cth = ts / spt;
		}
		if (cth >= heads * 1024ULL) {
			spt = 63;
			heads = 16;
			cth = ts / spt;
		}
	}
	*c = (uint16_t)(cth / heads);
	*h = (uint8_t)heads;
	*s = (uint8_t)spt;
}

static void vhd_footer_make(uint8_t *f, uint64_t size, uint32_t type)
{
	uint16_t c;
	uint8_t h, s;

	memset(f, 0, 512);
	memcpy(f, "conectix", 8);
	rd_put_be32(f + VF_FEATURES, 2);
	rd_put_be32(f + VF_VERSION, 0x00010000);
	rd_put_be64(f + VF_DATA_OFF, type == VHD_FIXED ? ~0ULL : 512);
	rd_put_be32(f + VF_TIME, (uint32_t)(time(NULL) - VHD_EPOCH));
	/* "win ": readers derived from Virtual PC (qemu's vpc among them)
	 * take the size from CHS unless the creator is a Hyper-V-style one;
	 * CHS cannot express most disk sizes exactly */
	memcpy(f + VF_CREATOR, "win ", 4);
	rd_put_be32(f + VF_CR_VER, 0x00010000);
	memcpy(f + VF_CR_OS, "Wi2k", 4);
	rd_put_be64(f + VF_ORIG_SIZE, size);
	rd_put_be64(f + VF_SIZE, size);
	vhd_chs(size, &c, &h, &s);
	rd_put_be16(f + VF_CHS, c);
	f[VF_CHS + 2] = h;
	f[VF_CHS + 3] = s;
	rd_put_be32(f + VF_TYPE, type);
	fmt_uuid_random(f + VF_UUID);
	rd_put_be32(f + VF_CSUM, vhd_checksum(f, 512, VF_CSUM));
}

/* Check a footer; on success *@size and *@type are set. */
static int vhd_footer_check(struct rd_disk *below, const uint8_t *f,
			    uint64_t *size, uint32_t *type)
{
	if (memcmp(f, "conectix", 8))
		return rd_set_error(below, -EINVAL, "%s: no VHD footer",
				    below->desc);
	if (rd_be32(f + VF_CSUM) != vhd_checksum(f, 512, VF_CSUM))
		return rd_set_error(below, -EINVAL,
				    "%s: VHD footer checksum mismatch",
				    below->desc);
	*size = rd_be64(f + VF_SIZE);
	*type = rd_be32(f + VF_TYPE);
	if (*type == VHD_DIFF)
		return rd_set_error(below, -ENOTSUP,
				    "%s: differencing VHDs are not supported",
				    below->desc);
	if (*type != VHD_FIXED && *type != VHD_DYNAMIC)
		return rd_set_error(below, -EINVAL, "%s: unknown VHD type %u",
				    below->desc, *type);
	if (!*size || *size % 512 || *size > VHD_MAX_SIZE)
		return rd_set_error(below, -EINVAL, "%s: bad VHD size %llu",
				    below->desc, (unsigned long long)*size);
	return 0;
}

static int vhd_alloc(struct fmt_bmap *b, uint64_t blk, uint64_t off)
{
	uint8_t bm[512];

	memset(bm, 0xff, sizeof(bm));
	return fmt_io_write(b, bm, sizeof(bm), off);
}

static int vhd_commit(struct fmt_bmap *b)
{
	struct vhd_state *s = b->fmt;
	size_t batlen = ((size_t)s->max_entries * 4 + 511) & ~(size_t)511;
	uint8_t *bat = malloc(batlen), dh[1024];
	int err;

	if (!bat)
		return -ENOMEM;
	memset(bat, 0xff, batlen);
	for (uint32_t i = 0; i < s->max_entries; i++)
		if (b->map[i] > FMT_ZERO)
			rd_put_be32(bat + 4 * i, (uint32_t)((b->map[i] - 512) / 512));
	err = fmt_io_write(b, bat, batlen, s->bat_off);
	free(bat);
	if (err)
		return err;
	memset(dh, 0, sizeof(dh));
	memcpy(dh, "cxsparse", 8);
	rd_put_be64(dh + VD_DATA_OFF, ~0ULL);
	rd_put_be64(dh + VD_TABLE_OFF, s->bat_off);
	rd_put_be32(dh + VD_VERSION, 0x00010000);
	rd_put_be32(dh + VD_MAX_ENTRIES, s->max_entries);
	rd_put_be32(dh + VD_BLOCK_SIZE, VHD_BLOCK);
	rd_put_be32(dh + VD_CSUM, vhd_checksum(dh, sizeof(dh), VD_CSUM));
	err = fmt_io_write(b, dh, sizeof(dh), 512);
	if (!err)
		err = fmt_io_write(b, s->footer, 512, 0);
	if (!err)
		err = fmt_io_write(b, s->footer, 512, b->eof);
	if (!err)
		err = fmt_io_truncate(b, b->eof + 512);
	return err;
}

static const struct fmt_bmap_ops vhd_ops = {
	.name	= "vhd",
	.prefix	= 512,
	.align	= 512,
	.alloc	= vhd_alloc,
	.commit	= vhd_commit,
};

static int vhd_open_dynamic(struct rd_disk *below, const uint8_t *f,
			    uint64_t size, struct rd_disk **out)
{
	uint64_t fsize = rd_size(below), hoff = rd_be64(f + VF_DATA_OFF);
	uint64_t bat_off, bsize, maxe;
	uint8_t dh[1024], *bat;
	struct fmt_bmap *b;
	struct rd_disk *d;
	int err;

	if (hoff > fsize || fsize - hoff < sizeof(dh))
		return rd_set_error(below, -EINVAL,
				    "%s: VHD dynamic header offset out of range",
				    below->desc);
	err = rd_pread(below, dh, sizeof(dh), hoff);
	if (err)
		return err;
	if (memcmp(dh, "cxsparse", 8) ||
	    rd_be32(dh + VD_CSUM) != vhd_checksum(dh, sizeof(dh), VD_CSUM))
		return rd_set_error(below, -EINVAL,
				    "%s: bad VHD dynamic header (magic or checksum)",
				    below->desc);
	bat_off = rd_be64(dh + VD_TABLE_OFF);
	bsize = rd_be32(dh + VD_BLOCK_SIZE);
	maxe = rd_be32(dh + VD_MAX_ENTRIES);
	if (bsize < 512 * 8 || bsize > (256u << 20) || (bsize & (bsize - 1)) ||
	    maxe * bsize < size || bat_off > fsize || maxe * 4 > fsize - bat_off)
		return rd_set_error(below, -EINVAL,
				    "%s: bad VHD block size %llu or BAT (%llu entries at %llu)",
				    below->desc, (unsigned long long)bsize,
				    (unsigned long long)maxe,
				    (unsigned long long)bat_off);
	bat = malloc(maxe * 4 + 1);
	if (!bat)
		return -ENOMEM;
	err = rd_pread(below, bat, maxe * 4, bat_off);
	if (!err)
		err = fmt_bmap_reader(&vhd_ops, below, size, bsize, NULL, &d);
	if (err) {
		free(bat);
		return err;
	}
	b = fmt_bmap_of(d);
	{
		uint64_t bmlen = ((bsize / 512 / 8) + 511) & ~511ULL;

		for (uint64_t i = 0; i < b->nblocks && i < maxe; i++) {
			uint32_t e = rd_be32(bat + 4 * i);
			uint64_t off = (uint64_t)e * 512 + bmlen;

			if (e == VHD_BAT_UNUSED)
				continue;
			if (off >= fsize) {
				free(bat);
				return fmt_bmap_bad_block(d, i);
			}
			b->map[i] = off;
		}
	}
	free(bat);
	*out = d;
	return 0;
}

int rd_vhd_open(struct rd_disk *below, struct rd_disk **out)
{
	uint64_t fsize = rd_size(below), size = 0;
	uint8_t f[512];
	uint32_t type = 0;
	int err;

	if (fsize < 512)
		return rd_set_error(below, -EINVAL, "%s: too small for VHD",
				    below->desc);
	/* the copy at 0 of a dynamic disk, else the footer at the end */
	err = rd_pread(below, f, 512, 0);
	if (err)
		return err;
	if (memcmp(f, "conectix", 8) || rd_be32(f + VF_TYPE) == VHD_FIXED) {
		err = rd_pread(below, f, 512, fsize - 512);
		if (err)
			return err;
	}
	err = vhd_footer_check(below, f, &size, &type);
	if (err)
		return err;
	if (type == VHD_DYNAMIC)
		return vhd_open_dynamic(below, f, size, out);
	if (size > fsize - 512)
		return rd_set_error(below, -EINVAL,
				    "%s: fixed VHD is shorter than its size",
				    below->desc);
	return fmt_slice_open(below, 0, size, out);
}

int rd_vhd_create(const char *path, uint64_t size, bool fixed,
		  struct rd_disk **out, char *err, size_t errlen)
{
	struct vhd_state *s;

	if (fmt_size_check(path, "VHD", size, VHD_MAX_SIZE, "up to 2040 GiB",
			   err, errlen))
		return -EINVAL;
	if (fixed) {
		uint8_t f[512];

		vhd_footer_make(f, size, VHD_FIXED);
		return fmt_raw_writer(path, size, f, sizeof(f), out, err,
				      errlen);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	vhd_footer_make(s->footer, size, VHD_DYNAMIC);
	s->bat_off = 1536;
	s->max_entries = (uint32_t)((size + VHD_BLOCK - 1) / VHD_BLOCK);
	return fmt_bmap_writer(&vhd_ops, path, size, VHD_BLOCK,
			       s->bat_off + (((uint64_t)s->max_entries * 4 + 511) &
					     ~511ULL),
			       s, out, err, errlen);
}
