// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_vmdk.c --- VMware VMDK hosted sparse extents and text descriptors
 *
 * Per VMware's "Virtual Disk Format 5.0" and the libvmdk notes: a 512-byte
 * little-endian "KDMV" header (capacity and grain size in sectors, embedded
 * descriptor, grain directory and its redundant copy, overhead), GD entries
 * pointing at grain tables of 512 u32 entries, GT entries pointing at grains
 * (0 unallocated, 1 zero grain when flag 0x4).  streamOptimized images
 * (compressed grains behind a 12-byte lba/size prefix, GD at the end, real
 * header in the footer at EOF-1024) are read here; they are written by
 * fmt_vmdk_stream.c.  Text descriptors (monolithicFlat,
 * twoGbMaxExtentSparse/Flat) are read as a concatenation of FLAT, SPARSE and
 * ZERO extents.  The writer makes monolithicSparse images with 64 KiB
 * grains, ddb.adapterType "ide" and IDE geometry.
 */
#include <errno.h>
#include <libdeflate.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/fmt_priv.h"
#include "rawdisk/fmt_vmdk.h"

/* ------------------------------------------------------------ header */

void vmdk_header_make(uint8_t *h, const struct vmdk_layout *l)
{
	memset(h, 0, 512);
	memcpy(h, "KDMV", 4);
	rd_put_le32(h + VMDK_H_VERSION, l->version);
	rd_put_le32(h + VMDK_H_FLAGS, l->flags);
	rd_put_le64(h + VMDK_H_CAPACITY, l->capacity);
	rd_put_le64(h + VMDK_H_GRAIN, l->grain);
	rd_put_le64(h + VMDK_H_DESC_OFF, l->desc_off);
	rd_put_le64(h + VMDK_H_DESC_SIZE, l->desc_size);
	rd_put_le32(h + VMDK_H_NGTE, VMDK_GTES);
	rd_put_le64(h + VMDK_H_RGD, l->rgd);
	rd_put_le64(h + VMDK_H_GD, l->gd);
	rd_put_le64(h + VMDK_H_OVERHEAD, l->overhead);
	memcpy(h + VMDK_H_NL, "\n \r\n", 4);
	rd_put_le16(h + VMDK_H_COMPRESS, l->compress);
}

int vmdk_descriptor_text(char *buf, size_t len, const char *create_type,
			 uint64_t capacity, const char *extents)
{
	uint64_t cyl = capacity / (16 * 63);
	uint8_t r[16];
	int n;

	fmt_uuid_random(r);
	if (cyl > 16383)
		cyl = 16383;
	n = snprintf(buf, len,
		     "# Disk DescriptorFile\n"
		     "version=1\n"
		     "CID=%02x%02x%02x%02x\n"
		     "parentCID=ffffffff\n"
		     "createType=\"%s\"\n\n"
		     "# Extent description\n"
		     "%s\n"
		     "# The Disk Data Base\n"
		     "#DDB\n\n"
		     "ddb.virtualHWVersion = \"4\"\n"
		     "ddb.geometry.cylinders = \"%llu\"\n"
		     "ddb.geometry.heads = \"16\"\n"
		     "ddb.geometry.sectors = \"63\"\n"
		     "ddb.adapterType = \"ide\"\n"
		     "ddb.toolsVersion = \"0\"\n",
		     r[0], r[1], r[2], r[3], create_type, extents,
		     (unsigned long long)cyl);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int vmdk_descriptor_make(char *buf, size_t len, const char *create_type,
			 uint64_t capacity, const char *extent_file)
{
	char ext[1200];
	int n = snprintf(ext, sizeof(ext), "RW %llu SPARSE \"%s\"\n",
			 (unsigned long long)capacity, extent_file);

	if (n < 0 || (size_t)n >= sizeof(ext))
		return -ENOSPC;
	return vmdk_descriptor_text(buf, len, create_type, capacity, ext);
}

/* ------------------------------------------------------------ reader */

struct vmdk_rd {
	bool		compressed;	/* streamOptimized grains */
	uint64_t	grain;		/* bytes */
	uint64_t	fsize;		/* image file bytes */
	uint8_t		*cbuf;		/* compressed grain buffer */
	uint8_t		*gbuf;		/* last inflated grain */
	uint64_t	gblk;		/* which grain gbuf holds, or ~0 */
	struct libdeflate_decompressor *dc;
};

static int vmdk_read_grain(struct fmt_bmap *b, uint64_t blk, void *buf,
			   size_t len, uint64_t in)
{
	struct vmdk_rd *v = b->fmt;
	uint64_t off = b->map[blk];
	size_t clen, out = 0;
	int err;

	if (v->gblk != blk) {
		uint8_t pre[12];

		err = fmt_io_read(b, pre, sizeof(pre), off);
		if (err)
			return err;
		clen = rd_le32(pre + 8);
		if (rd_le64(pre) != blk * (v->grain / 512) ||
		    clen > v->grain * 2 + 1024 || off + 12 + clen > v->fsize)
			return rd_set_error(b->disk, -EINVAL,
					    "%s: corrupt compressed grain %llu",
					    b->disk->desc,
					    (unsigned long long)blk);
		err = fmt_io_read(b, v->cbuf, clen, off + 12);
		if (err)
			return err;
		v->gblk = ~0ULL;
		if (libdeflate_zlib_decompress(v->dc, v->cbuf, clen, v->gbuf,
					       v->grain, &out) !=
		    LIBDEFLATE_SUCCESS)
			return rd_set_error(b->disk, -EINVAL,
					    "%s: grain %llu does not inflate",
					    b->disk->desc,
					    (unsigned long long)blk);
		memset(v->gbuf + out, 0, v->grain - out);
		v->gblk = blk;
	}
	memcpy(buf, v->gbuf + in, len);
	return 0;
}

static void vmdk_rd_free(struct fmt_bmap *b)
{
	struct vmdk_rd *v = b->fmt;

	if (!v)
		return;
	if (v->dc)
		libdeflate_free_decompressor(v->dc);
	free(v->cbuf);
	free(v->gbuf);
	free(v);
}

static const struct fmt_bmap_ops vmdk_rd_ops = {
	.name	= "vmdk",
	.free	= vmdk_rd_free,
};

static const struct fmt_bmap_ops vmdk_rdz_ops = {
	.name		= "vmdk",
	.read_block	= vmdk_read_grain,
	.free		= vmdk_rd_free,
};

/* Load GD + GTs into the map of @d.  0 or -EINVAL. */
static int vmdk_load_tables(struct rd_disk *below, struct fmt_bmap *b,
			    uint64_t gd, uint32_t flags)
{
	struct vmdk_rd *v = b->fmt;
	uint64_t ngt = (b->nblocks + VMDK_GTES - 1) / VMDK_GTES;
	uint8_t *gdb = malloc(ngt * 4), gt[VMDK_GTES * 4];
	int err = 0;

	if (!gdb)
		return -ENOMEM;
	if (gd > v->fsize / 512 || ngt * 4 > v->fsize - gd * 512) {
		err = rd_set_error(below, -EINVAL,
				   "%s: VMDK grain directory outside the file",
				   below->desc);
		goto out;
	}
	err = rd_pread(below, gdb, ngt * 4, gd * 512);
	for (uint64_t i = 0; !err && i < ngt; i++) {
		uint64_t gto = rd_le32(gdb + 4 * i);

		if (!gto)
			continue;
		if (gto > v->fsize / 512 || sizeof(gt) > v->fsize - gto * 512) {
			err = rd_set_error(below, -EINVAL,
					   "%s: VMDK grain table %llu outside the file",
					   below->desc, (unsigned long long)i);
			break;
		}
		err = rd_pread(below, gt, sizeof(gt), gto * 512);
		for (uint64_t j = 0; !err && j < VMDK_GTES; j++) {
			uint64_t blk = i * VMDK_GTES + j;
			uint64_t e = rd_le32(gt + 4 * j);

			if (blk >= b->nblocks || !e)
				continue;
			if (e == 1 && (flags & VMDK_FL_ZERO_GTE)) {
				b->map[blk] = FMT_ZERO;
				continue;
			}
			if (e >= v->fsize / 512) {
				err = rd_set_error(below, -EINVAL,
						   "%s: VMDK grain %llu outside the file",
						   below->desc,
						   (unsigned long long)blk);
				break;
			}
			b->map[blk] = e * 512;
		}
	}
out:
	free(gdb);
	return err;
}

static int vmdk_open_sparse(struct rd_disk *below, struct rd_disk **out)
{
	uint64_t fsize = rd_size(below), cap, grain, gd;
	uint8_t h[512];
	uint32_t flags;
	struct vmdk_rd *v;
	struct rd_disk *d;
	int err;

	if (fsize < 1536)
		return rd_set_error(below, -EINVAL, "%s: too small for VMDK",
				    below->desc);
	err = rd_pread(below, h, 512, 0);
	if (err)
		return err;
	gd = rd_le64(h + VMDK_H_GD);
	if (gd == VMDK_GD_AT_END) {	/* streamOptimized: footer copy */
		err = rd_pread(below, h, 512, fsize - 1024);
		if (err)
			return err;
		gd = rd_le64(h + VMDK_H_GD);
	}
	flags = rd_le32(h + VMDK_H_FLAGS);
	cap = rd_le64(h + VMDK_H_CAPACITY);
	grain = rd_le64(h + VMDK_H_GRAIN);
	if (memcmp(h, "KDMV", 4) || rd_le32(h + VMDK_H_VERSION) < 1 ||
	    rd_le32(h + VMDK_H_VERSION) > 3)
		return rd_set_error(below, -EINVAL,
				    "%s: bad VMDK sparse header (magic or version)",
				    below->desc);
	if (rd_le32(h + VMDK_H_NGTE) != VMDK_GTES || grain < 8 ||
	    grain > 2048 || (grain & (grain - 1)) || !cap ||
	    cap > (1ULL << 37) || gd == VMDK_GD_AT_END)
		return rd_set_error(below, -ENOTSUP,
				    "%s: unsupported VMDK geometry (grain %llu, %u GTEs, capacity %llu)",
				    below->desc, (unsigned long long)grain,
				    rd_le32(h + VMDK_H_NGTE),
				    (unsigned long long)cap);
	if ((flags & VMDK_FL_COMPRESSED) && rd_le16(h + VMDK_H_COMPRESS) != 1)
		return rd_set_error(below, -ENOTSUP,
				    "%s: unknown VMDK compression", below->desc);
	/* the GD must fit in the file before we size the map after it */
	if (gd > fsize / 512 ||
	    (cap / grain + VMDK_GTES) / VMDK_GTES * 4 > fsize - gd * 512)
		return rd_set_error(below, -EINVAL,
				    "%s: VMDK grain directory outside the file",
				    below->desc);
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->grain = grain * 512;
	v->fsize = fsize;
	v->gblk = ~0ULL;
	v->compressed = flags & VMDK_FL_COMPRESSED;
	if (v->compressed) {
		v->cbuf = malloc(v->grain * 2 + 1024);
		v->gbuf = malloc(v->grain);
		v->dc = libdeflate_alloc_decompressor();
		if (!v->cbuf || !v->gbuf || !v->dc) {
			err = -ENOMEM;
			goto out_free;
		}
	}
	err = fmt_bmap_reader(v->compressed ? &vmdk_rdz_ops : &vmdk_rd_ops,
			      below, cap * 512, v->grain, v, &d);
	if (err)
		goto out_free;
	err = vmdk_load_tables(below, fmt_bmap_of(d), gd, flags);
	if (err) {
		fmt_bmap_abandon(d);
		return err;
	}
	*out = d;
	return 0;

out_free:
	vmdk_rd_free(&(struct fmt_bmap){ .fmt = v });
	return err;
}

int rd_vmdk_open_chain(struct rd_disk *below, const char *path,
		       struct rd_chain *c, struct rd_disk **out)
{
	char magic[4];
	int err;

	if (rd_size(below) < sizeof(magic))
		return rd_set_error(below, -EINVAL, "%s: not a VMDK file",
				    below->desc);
	err = rd_pread(below, magic, sizeof(magic), 0);
	if (err)
		return err;
	if (!memcmp(magic, "KDMV", 4))
		return vmdk_open_sparse(below, out);
	return vmdk_desc_open_chain(below, path, c, out);
}

int rd_vmdk_open(struct rd_disk *below, const char *path,
		 struct rd_disk **out)
{
	return rd_vmdk_open_chain(below, path, NULL, out);
}

int vmdk_open_sparse_extent(struct rd_disk *below, struct rd_disk **out)
{
	char magic[4];
	int err;

	if (rd_size(below) < 512)
		return rd_set_error(below, -EINVAL,
				    "%s: not a sparse VMDK extent (too short)",
				    below->desc);
	err = rd_pread(below, magic, sizeof(magic), 0);
	if (err)
		return err;
	if (memcmp(magic, "KDMV", 4))
		return rd_set_error(below, -EINVAL,
				    "%s: a SPARSE extent that is not a sparse VMDK file (no KDMV header)",
				    below->desc);
	return vmdk_open_sparse(below, out);
}

/* ------------------------------------------------------------ writer */

struct vmdk_wr {
	struct vmdk_layout l;		/* header values */
	uint64_t	ngt;		/* grain tables */
	uint64_t	rgt;		/* sector of the first redundant GT */
	uint64_t	gt;		/* sector of the first GT */
	char		desc[VMDK_DESC_SECTORS * 512];	/* descriptor */
};

static int vmdk_write_dir(struct fmt_bmap *b, uint64_t gd, uint64_t gt)
{
	struct vmdk_wr *w = b->fmt;
	size_t gdlen = (size_t)(w->ngt * 4 + 511) & ~(size_t)511;
	size_t gtlen = (size_t)w->ngt * VMDK_GTES * 4;
	uint8_t *dir = calloc(1, gdlen), *tab = calloc(1, gtlen);
	int err;

	if (!dir || !tab) {
		err = -ENOMEM;
		goto out;
	}
	for (uint64_t i = 0; i < w->ngt; i++)
		rd_put_le32(dir + 4 * i, (uint32_t)(gt + 4 * i));
	for (uint64_t i = 0; i < b->nblocks; i++)
		if (b->map[i] > FMT_ZERO)
			rd_put_le32(tab + 4 * i, (uint32_t)(b->map[i] / 512));
	err = fmt_io_write(b, dir, gdlen, gd * 512);
	if (!err)
		err = fmt_io_write(b, tab, gtlen, gt * 512);
out:
	free(dir);
	free(tab);
	return err;
}

static int vmdk_commit(struct fmt_bmap *b)
{
	struct vmdk_wr *w = b->fmt;
	uint8_t h[512];
	int err;

	err = vmdk_write_dir(b, w->l.rgd, w->rgt);
	if (!err)
		err = vmdk_write_dir(b, w->l.gd, w->gt);
	if (!err && w->l.desc_size)
		err = fmt_io_write(b, w->desc, sizeof(w->desc), 512);
	vmdk_header_make(h, &w->l);
	if (!err)
		err = fmt_io_write(b, h, sizeof(h), 0);
	if (!err && b->eof > w->l.overhead * 512)
		err = fmt_io_truncate(b, b->eof);
	return err;
}

static const struct fmt_bmap_ops vmdk_wr_ops = {
	.name	= "vmdk",
	.align	= 512,
	.commit	= vmdk_commit,
};

int rd_vmdk_create(const char *path, const char *name, uint64_t size,
		   struct rd_disk **out, char *err, size_t errlen)
{
	return vmdk_sparse_create(path, name, size, true, out, err, errlen);
}

int vmdk_sparse_create(const char *path, const char *name, uint64_t size,
		       bool embed, struct rd_disk **out, char *err,
		       size_t errlen)
{
	struct vmdk_wr *w;
	uint64_t gdsec, ngrains;
	const char *base = strrchr(path, '/');
	int e;

	if (fmt_size_check(path, "VMDK", size, VMDK_MAX_SIZE, "below 2 TiB",
			   err, errlen))
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	ngrains = (size + VMDK_GRAIN - 1) / VMDK_GRAIN;
	w->ngt = (ngrains + VMDK_GTES - 1) / VMDK_GTES;
	gdsec = (w->ngt * 4 + 511) / 512;
	w->l.version = 1;
	w->l.flags = VMDK_FL_NL | VMDK_FL_RGD;
	w->l.capacity = size / 512;
	w->l.grain = VMDK_GRAIN / 512;
	w->l.desc_off = embed ? 1 : 0;
	w->l.desc_size = embed ? VMDK_DESC_SECTORS : 0;
	w->l.rgd = 1 + w->l.desc_size;
	w->rgt = w->l.rgd + gdsec;
	w->l.gd = w->rgt + w->ngt * 4;
	w->gt = w->l.gd + gdsec;
	w->l.overhead = (w->gt + w->ngt * 4 + 127) / 128 * 128;
	e = vmdk_descriptor_make(w->desc, sizeof(w->desc), "monolithicSparse",
				 w->l.capacity, name ? name : base ? base + 1 :
				 path);
	if (e) {
		snprintf(err, errlen, "%s: file name too long", path);
		free(w);
		return e;
	}
	return fmt_bmap_writer(&vmdk_wr_ops, path, size, VMDK_GRAIN,
			       w->l.overhead * 512, w, out, err, errlen);
}
