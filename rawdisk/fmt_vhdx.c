// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_vhdx.c --- Hyper-V VHDX, dynamic disks (reader and writer)
 *
 * Per Microsoft's "VHDX Format Specification v1.00": the file identifier at
 * 0, two 4 KiB headers at 64 and 128 KiB ("head", CRC-32C, the highest valid
 * sequence number wins), two region tables at 192 and 256 KiB ("regi",
 * CRC-32C over 64 KiB) locating the BAT and the metadata region, metadata
 * items (file parameters, virtual disk size, page 83 id, logical and
 * physical sector size), and the BAT: u64 entries with the state in bits 0-2
 * and the file offset in MiB in bits 20-63, one sector-bitmap entry after
 * every chunk-ratio payload entries.  A non-empty log (LogGuid != 0) would
 * have to be replayed with write access: the reader refuses it with a clear
 * message.  Differencing disks are refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/fmt_priv.h"

#define MiB		(1ULL << 20)
#define VHDX_BLOCK	(2u << 20)
#define VHDX_HDR1	(64 * 1024)
#define VHDX_HDR2	(128 * 1024)
#define VHDX_RT1	(192 * 1024)
#define VHDX_RT2	(256 * 1024)
#define VHDX_RT_LEN	(64 * 1024)
#define VHDX_LOG_OFF	(1 * MiB)
#define VHDX_LOG_LEN	(1 * MiB)
#define VHDX_META_OFF	(2 * MiB)
#define VHDX_META_LEN	(1 * MiB)
#define VHDX_BAT_OFF	(3 * MiB)
#define VHDX_MAX_SIZE	(64ULL << 40)

/* BAT states */
#define PB_NOT_PRESENT	0
#define PB_UNDEFINED	1
#define PB_ZERO		2
#define PB_UNMAPPED	3
#define PB_FULLY	6
#define PB_PARTIAL	7

enum { G_BAT, G_META, G_FILEPARAM, G_SIZE, G_PAGE83, G_LSS, G_PSS,
       G_PARENT, G_COUNT };

static const char *const guid_str[G_COUNT] = {
	[G_BAT]		= "2DC27766-F623-4200-9D64-115E9BFD4A08",
	[G_META]	= "8B7CA206-4790-4B9A-B8FE-575F050F886E",
	[G_FILEPARAM]	= "CAA16737-FA36-4D43-B3B6-33F0AA44E76B",
	[G_SIZE]	= "2FA54224-CD1B-4876-B211-5DBED83BF4B8",
	[G_PAGE83]	= "BECA12AB-B2E6-4523-93EF-C309E000C746",
	[G_LSS]		= "8141BF1D-A96F-4709-BA47-F233A8FAAB5F",
	[G_PSS]		= "CDA348C7-445D-4471-9CC9-E9885251C556",
	[G_PARENT]	= "A8D35F2D-B30B-454D-ABF7-D3D84834AB0C",
};

/* Microsoft GUID text -> on-disk bytes (first three fields little-endian). */
static void guid_bytes(int which, uint8_t g[16])
{
	static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
				       8, 9, 10, 11, 12, 13, 14, 15 };
	const char *s = guid_str[which];
	uint8_t raw[16];
	int n = 0;

	for (; *s && n < 16; s++) {
		unsigned int v;

		if (*s == '-')
			continue;
		sscanf(s, "%2x", &v);
		raw[n++] = (uint8_t)v;
		s++;
	}
	for (int i = 0; i < 16; i++)
		g[i] = raw[order[i]];
}

static bool guid_is(const uint8_t *p, int which)
{
	uint8_t g[16];

	guid_bytes(which, g);
	return !memcmp(p, g, 16);
}

static uint64_t chunk_ratio(uint64_t bs, uint32_t lss)
{
	return (1ULL << 23) * lss / bs;
}

static uint64_t bat_index(uint64_t blk, uint64_t cr)
{
	return blk + blk / cr;
}

/* ------------------------------------------------------------ writer */

struct vhdx_wr {
	uint64_t	bat_entries;	/* including bitmap entries */
	uint64_t	bat_len;	/* bytes, multiple of 1 MiB */
	uint8_t		file_guid[16];	/* FileWriteGuid */
	uint8_t		data_guid[16];	/* DataWriteGuid */
	uint8_t		page83[16];	/* disk id */
};

static void put_header(uint8_t *h, const struct vhdx_wr *w, uint64_t seq)
{
	memset(h, 0, 4096);
	memcpy(h, "head", 4);
	rd_put_le64(h + 8, seq);
	memcpy(h + 16, w->file_guid, 16);
	memcpy(h + 32, w->data_guid, 16);
	/* LogGuid (48) stays zero: the log is empty */
	rd_put_le16(h + 64, 0);		/* log version */
	rd_put_le16(h + 66, 1);		/* version */
	rd_put_le32(h + 68, (uint32_t)VHDX_LOG_LEN);
	rd_put_le64(h + 72, VHDX_LOG_OFF);
	rd_put_le32(h + 4, fmt_crc32c(h, 4096));
}

static void put_region_table(uint8_t *rt, const struct vhdx_wr *w)
{
	memset(rt, 0, VHDX_RT_LEN);
	memcpy(rt, "regi", 4);
	rd_put_le32(rt + 8, 2);
	guid_bytes(G_BAT, rt + 16);
	rd_put_le64(rt + 16 + 16, VHDX_BAT_OFF);
	rd_put_le32(rt + 16 + 24, (uint32_t)w->bat_len);
	rd_put_le32(rt + 16 + 28, 1);
	guid_bytes(G_META, rt + 48);
	rd_put_le64(rt + 48 + 16, VHDX_META_OFF);
	rd_put_le32(rt + 48 + 24, (uint32_t)VHDX_META_LEN);
	rd_put_le32(rt + 48 + 28, 1);
	rd_put_le32(rt + 4, fmt_crc32c(rt, VHDX_RT_LEN));
}

static void put_metadata(uint8_t *m, const struct vhdx_wr *w, uint64_t size)
{
	static const struct { int g; uint32_t len, flags; } items[] = {
		{ G_FILEPARAM, 8, 4 }, { G_SIZE, 8, 6 }, { G_PAGE83, 16, 6 },
		{ G_LSS, 4, 6 }, { G_PSS, 4, 6 },
	};
	uint32_t off = 64 * 1024;

	memset(m, 0, 128 * 1024);
	memcpy(m, "metadata", 8);
	rd_put_le16(m + 10, 5);
	for (int i = 0; i < 5; i++) {
		uint8_t *e = m + 32 + 32 * i;

		guid_bytes(items[i].g, e);
		rd_put_le32(e + 16, off + 64 * (uint32_t)i);
		rd_put_le32(e + 20, items[i].len);
		rd_put_le32(e + 24, items[i].flags);
	}
	rd_put_le32(m + off, VHDX_BLOCK);		/* block size, flags 0 */
	rd_put_le64(m + off + 64, size);
	memcpy(m + off + 128, w->page83, 16);
	rd_put_le32(m + off + 192, 512);
	rd_put_le32(m + off + 256, 4096);
}

static int vhdx_commit(struct fmt_bmap *b)
{
	struct vhdx_wr *w = b->fmt;
	uint64_t cr = chunk_ratio(VHDX_BLOCK, 512);
	uint8_t *buf = calloc(1, w->bat_len > VHDX_RT_LEN * 2 ? w->bat_len :
			      VHDX_RT_LEN * 2);
	int err;

	if (!buf)
		return -ENOMEM;
	for (uint64_t i = 0; i < b->nblocks; i++)
		if (b->map[i] > FMT_ZERO)
			rd_put_le64(buf + 8 * bat_index(i, cr),
				 (b->map[i] / MiB) << 20 | PB_FULLY);
	err = fmt_io_write(b, buf, (w->bat_entries * 8 + 4095) & ~4095ULL,
			   VHDX_BAT_OFF);
	if (!err) {
		put_metadata(buf, w, b->disk->size);
		err = fmt_io_write(b, buf, 128 * 1024, VHDX_META_OFF);
	}
	if (!err) {
		put_region_table(buf, w);
		err = fmt_io_write(b, buf, VHDX_RT_LEN, VHDX_RT1);
		if (!err)
			err = fmt_io_write(b, buf, VHDX_RT_LEN, VHDX_RT2);
	}
	if (!err) {
		put_header(buf, w, 1);
		err = fmt_io_write(b, buf, 4096, VHDX_HDR1);
		put_header(buf, w, 2);
		if (!err)
			err = fmt_io_write(b, buf, 4096, VHDX_HDR2);
	}
	if (!err) {
		static const uint16_t creator[] = { 'd', 'u', 'a', 'l', 'v',
						    'm', 0 };

		memset(buf, 0, 512);
		memcpy(buf, "vhdxfile", 8);
		for (int i = 0; creator[i]; i++)
			rd_put_le16(buf + 8 + 2 * i, creator[i]);
		err = fmt_io_write(b, buf, 512, 0);
	}
	free(buf);
	if (!err)
		err = fmt_io_truncate(b, b->eof > VHDX_BAT_OFF + w->bat_len ?
				      b->eof : VHDX_BAT_OFF + w->bat_len);
	return err;
}

static const struct fmt_bmap_ops vhdx_wr_ops = {
	.name	= "vhdx",
	.align	= MiB,
	.commit	= vhdx_commit,
};

int rd_vhdx_create(const char *path, uint64_t size, struct rd_disk **out,
		   char *err, size_t errlen)
{
	struct vhdx_wr *w;
	uint64_t nb, cr = chunk_ratio(VHDX_BLOCK, 512);

	if (fmt_size_check(path, "VHDX", size, VHDX_MAX_SIZE, "up to 64 TiB",
			   err, errlen))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	nb = (size + VHDX_BLOCK - 1) / VHDX_BLOCK;
	w->bat_entries = nb + (nb - 1) / cr;
	w->bat_len = (w->bat_entries * 8 + MiB - 1) / MiB * MiB;
	fmt_uuid_random(w->file_guid);
	fmt_uuid_random(w->data_guid);
	fmt_uuid_random(w->page83);
	return fmt_bmap_writer(&vhdx_wr_ops, path, size, VHDX_BLOCK,
			       VHDX_BAT_OFF + w->bat_len, w, out, err, errlen);
}

/* ------------------------------------------------------------ reader */

static const struct fmt_bmap_ops vhdx_rd_ops = {
	.name	= "vhdx",
};

/* Does the CRC-32C at offset 4 of @p (length @len) match?  @p is restored. */
static bool crc_ok(uint8_t *p, size_t len)
{
	uint32_t want = rd_le32(p + 4), got;

	rd_put_le32(p + 4, 0);
	got = fmt_crc32c(p, len);
	rd_put_le32(p + 4, want);
	return got == want;
}

/* Pick the current header (valid CRC, highest sequence).  0 or -errno. */
static int vhdx_read_header(struct rd_disk *below, uint8_t *h)
{
	uint8_t h2[4096];
	bool ok1, ok2;
	int err;

	err = rd_pread(below, h, 4096, VHDX_HDR1);
	if (!err)
		err = rd_pread(below, h2, 4096, VHDX_HDR2);
	if (err)
		return err;
	ok1 = !memcmp(h, "head", 4) && crc_ok(h, 4096);
	ok2 = !memcmp(h2, "head", 4) && crc_ok(h2, 4096);
	if (!ok1 && !ok2)
		return rd_set_error(below, -EINVAL,
				    "%s: both VHDX headers are corrupt",
				    below->desc);
	if (!ok1 || (ok2 && rd_le64(h2 + 8) > rd_le64(h + 8)))
		memcpy(h, h2, 4096);
	if (rd_le16(h + 66) != 1)
		return rd_set_error(below, -ENOTSUP,
				    "%s: unsupported VHDX version %u",
				    below->desc, rd_le16(h + 66));
	if (!fmt_is_zero(h + 48, 16))
		return rd_set_error(below, -ENOTSUP,
				    "%s: the VHDX log is not empty (not closed cleanly); "
				    "replaying it needs write access: open it once in Hyper-V "
				    "or run 'qemu-img check -r all' on a copy",
				    below->desc);
	return 0;
}

struct vhdx_geom {
	uint64_t	bat_off, bat_len;	/* bytes */
	uint64_t	meta_off, meta_len;	/* bytes */
	uint64_t	block_size;		/* bytes */
	uint64_t	size;			/* virtual bytes */
	uint32_t	lss;			/* logical sector size */
};

static int vhdx_read_regions(struct rd_disk *below, struct vhdx_geom *g)
{
	uint8_t *rt = malloc(VHDX_RT_LEN);
	uint64_t fsize = rd_size(below);
	int err;

	if (!rt)
		return -ENOMEM;
	err = rd_pread(below, rt, VHDX_RT_LEN, VHDX_RT1);
	if (!err && (memcmp(rt, "regi", 4) || !crc_ok(rt, VHDX_RT_LEN)))
		err = rd_pread(below, rt, VHDX_RT_LEN, VHDX_RT2);
	if (err)
		goto out;
	if (memcmp(rt, "regi", 4) || !crc_ok(rt, VHDX_RT_LEN) ||
	    rd_le32(rt + 8) > 2047) {
		err = rd_set_error(below, -EINVAL,
				   "%s: both VHDX region tables are corrupt",
				   below->desc);
		goto out;
	}
	for (uint32_t i = 0; i < rd_le32(rt + 8); i++) {
		uint8_t *e = rt + 16 + 32 * i;
		uint64_t off = rd_le64(e + 16), len = rd_le32(e + 24);

		if (off % MiB || off > fsize || len > fsize - off) {
			err = rd_set_error(below, -EINVAL,
					   "%s: VHDX region %u outside the file",
					   below->desc, i);
			goto out;
		}
		if (guid_is(e, G_BAT)) {
			g->bat_off = off;
			g->bat_len = len;
		} else if (guid_is(e, G_META)) {
			g->meta_off = off;
			g->meta_len = len;
		} else if (rd_le32(e + 28) & 1) {
			err = rd_set_error(below, -ENOTSUP,
					   "%s: unknown required VHDX region",
					   below->desc);
			goto out;
		}
	}
	if (!g->bat_len || g->meta_len < 64 * 1024)
		err = rd_set_error(below, -EINVAL,
				   "%s: VHDX BAT or metadata region missing",
				   below->desc);
out:
	free(rt);
	return err;
}

static int vhdx_read_meta(struct rd_disk *below, struct vhdx_geom *g)
{
	uint8_t t[64 * 1024], v[8];
	unsigned int found = 0;
	int err = rd_pread(below, t, sizeof(t), g->meta_off);

	if (err)
		return err;
	if (memcmp(t, "metadata", 8) || rd_le16(t + 10) > 2047)
		return rd_set_error(below, -EINVAL,
				    "%s: bad VHDX metadata table", below->desc);
	for (unsigned int i = 0; i < rd_le16(t + 10); i++) {
		const uint8_t *e = t + 32 + 32 * i;
		uint64_t off = rd_le32(e + 16), len = rd_le32(e + 20);
		int which = -1;

		for (int k = G_FILEPARAM; k < G_COUNT; k++)
			if (guid_is(e, k))
				which = k;
		if (which == G_PARENT)
			return rd_set_error(below, -ENOTSUP,
					    "%s: differencing VHDX disks are not supported",
					    below->desc);
		if (which < 0) {
			if (rd_le32(e + 24) & 4)
				return rd_set_error(below, -ENOTSUP,
						    "%s: unknown required VHDX metadata item",
						    below->desc);
			continue;
		}
		if (which == G_PAGE83)
			continue;
		if (len < 4 || len > 8 || off > g->meta_len - len)
			return rd_set_error(below, -EINVAL,
					    "%s: bad VHDX metadata item %u",
					    below->desc, i);
		memset(v, 0, sizeof(v));
		err = rd_pread(below, v, (size_t)len, g->meta_off + off);
		if (err)
			return err;
		found |= 1u << which;
		if (which == G_FILEPARAM) {
			g->block_size = rd_le32(v);
			if (rd_le32(v + 4) & 2)
				return rd_set_error(below, -ENOTSUP,
						    "%s: differencing VHDX disks are not supported",
						    below->desc);
		} else if (which == G_SIZE) {
			g->size = rd_le64(v);
		} else if (which == G_LSS) {
			g->lss = rd_le32(v);
		}
	}
	if ((found & (1u << G_FILEPARAM | 1u << G_SIZE | 1u << G_LSS)) !=
	    (1u << G_FILEPARAM | 1u << G_SIZE | 1u << G_LSS) ||
	    g->block_size < MiB || g->block_size > 256 * MiB ||
	    (g->block_size & (g->block_size - 1)) ||
	    (g->lss != 512 && g->lss != 4096) || !g->size ||
	    g->size % g->lss || g->size > VHDX_MAX_SIZE)
		return rd_set_error(below, -EINVAL,
				    "%s: bad VHDX geometry (block %llu, sector %u, size %llu)",
				    below->desc,
				    (unsigned long long)g->block_size, g->lss,
				    (unsigned long long)g->size);
	return 0;
}

int rd_vhdx_open(struct rd_disk *below, struct rd_disk **out)
{
	struct vhdx_geom g = { 0 };
	uint64_t fsize = rd_size(below), cr, nb, need;
	uint8_t h[4096], *bat;
	struct fmt_bmap *b;
	struct rd_disk *d;
	int err;

	if (fsize < VHDX_RT2 + VHDX_RT_LEN)
		return rd_set_error(below, -EINVAL, "%s: too small for VHDX",
				    below->desc);
	err = rd_pread(below, h, 8, 0);
	if (!err && memcmp(h, "vhdxfile", 8))
		err = rd_set_error(below, -EINVAL, "%s: no VHDX identifier",
				   below->desc);
	if (!err)
		err = vhdx_read_header(below, h);
	if (!err)
		err = vhdx_read_regions(below, &g);
	if (!err)
		err = vhdx_read_meta(below, &g);
	if (err)
		return err;
	cr = chunk_ratio(g.block_size, g.lss);
	nb = (g.size + g.block_size - 1) / g.block_size;
	need = bat_index(nb - 1, cr) + 1;
	if (need * 8 > g.bat_len)
		return rd_set_error(below, -EINVAL, "%s: VHDX BAT too small",
				    below->desc);
	bat = malloc(need * 8);
	if (!bat)
		return -ENOMEM;
	err = rd_pread(below, bat, need * 8, g.bat_off);
	if (!err)
		err = fmt_bmap_reader(&vhdx_rd_ops, below, g.size,
				      g.block_size, NULL, &d);
	if (err) {
		free(bat);
		return err;
	}
	b = fmt_bmap_of(d);
	for (uint64_t i = 0; i < nb; i++) {
		uint64_t e = rd_le64(bat + 8 * bat_index(i, cr));
		uint64_t off = (e >> 20) * MiB;

		switch (e & 7) {
		case PB_ZERO:
			b->map[i] = FMT_ZERO;
			break;
		case PB_FULLY:
		case PB_PARTIAL:
			if (off < MiB || off >= fsize) {
				free(bat);
				return fmt_bmap_bad_block(d, i);
			}
			b->map[i] = off;
			break;
		default:
			break;
		}
	}
	free(bat);
	*out = d;
	return 0;
}
