// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_vmdk_desc.c --- reading VMDK text descriptors
 *
 * A descriptor ("# Disk DescriptorFile") lists extents in address order:
 * `ACCESS SECTORS TYPE ["file" [START]]`.  FLAT extents are windows of a
 * file or device, SPARSE extents are hosted sparse files (fmt_vmdk.c), ZERO
 * extents read as zeros.  The disk is their concatenation.  Used for
 * monolithicFlat, twoGbMaxExtentSparse/Flat, vmfs and fullDevice /
 * partitionedDevice descriptors; NOACCESS extents read as zeros.
 * rd_vmdk_desc_scan() lists the FLAT extents of a descriptor without
 * opening them (the safety checks want to know which device sectors a
 * raw-disk descriptor exposes); both read lines with one parser.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rawdisk/fmt_priv.h"
#include "rawdisk/fmt_vmdk.h"

#define DESC_MAX	(64 * 1024)	/* bytes of descriptor we accept */
#define MAX_EXTENTS	1024

struct vd_extent {
	uint64_t	start;		/* bytes into the virtual disk */
	uint64_t	size;		/* bytes */
	struct rd_disk	*disk;		/* NULL: zeros */
};

struct vdesc {
	unsigned int	n;		/* extents */
	struct vd_extent ext[];		/* sorted by start */
};

static struct vd_extent *vd_find(struct vdesc *v, uint64_t off)
{
	unsigned int lo = 0, hi = v->n;

	while (hi - lo > 1) {
		unsigned int mid = (lo + hi) / 2;

		if (v->ext[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &v->ext[lo];
}

static int vd_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len) {
		struct vd_extent *e = vd_find(d->priv, off);
		uint64_t in = off - e->start;
		size_t n = len;
		int err = 0;

		if (n > e->size - in)
			n = (size_t)(e->size - in);
		if (e->disk)
			err = rd_pread(e->disk, p, n, in);
		else
			memset(p, 0, n);
		if (err)
			return rd_set_error(d, err, "%s", rd_strerror(e->disk));
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int vd_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			   uint64_t *run_len)
{
	struct vd_extent *e = vd_find(d->priv, off);
	uint64_t in = off - e->start, n = len;

	if (n > e->size - in)
		n = e->size - in;
	if (!e->disk) {
		*run_len = n;
		return RD_BLK_ZERO;
	}
	return rd_block_status(e->disk, in, n, run_len);
}

static void vd_close(struct rd_disk *d)
{
	struct vdesc *v = d->priv;

	for (unsigned int i = 0; v && i < v->n; i++)
		rd_close(v->ext[i].disk);
	free(v);
}

static const struct rd_ops vdesc_ops = {
	.name		= "vmdk-descriptor",
	.pread		= vd_pread,
	.close		= vd_close,
	.block_status	= vd_block_status,
};

/* Open one extent @file named by the descriptor @desc_path, under the path
 * policy (rd_path_follow(): relative to the descriptor's folder, cycles
 * and FIFOs refused, block devices only for raw-disk descriptors). */
static int vd_open_extent(struct rd_disk *below, const char *desc_path,
			  struct rd_chain *c, bool rawdesc, const char *file,
			  const char *type, uint64_t start, uint64_t size,
			  struct rd_disk **out)
{
	char path[PATH_MAX], err[768];
	struct rd_chain child;
	struct rd_disk *f, *d;
	int e;

	e = rd_path_follow(desc_path, file, rawdesc ? RD_FOLLOW_BLKDEV : 0, c,
			   &child, &f, path, err, sizeof(err));
	if (e)
		return rd_set_error(below, e, "VMDK extent: %s", err);
	rd_chain_note(&child, !strcmp(type, "SPARSE") ? "vmdk-sparse-extent" :
		      "vmdk-flat-extent", path, rd_is_blockdev(f));
	if (!strcmp(type, "SPARSE"))
		e = vmdk_open_sparse_extent(f, &d);
	else
		e = fmt_slice_open(f, start * 512, size, &d);
	if (e) {
		rd_set_error(below, e, "VMDK extent %s: %s", path,
			     rd_strerror(f)[0] ? rd_strerror(f) : strerror(-e));
		rd_close(f);
		return e;
	}
	if (rd_size(d) < size) {
		rd_close(d);
		return rd_set_error(below, -EINVAL,
				    "VMDK extent %s is smaller than the descriptor says",
				    path);
	}
	*out = d;
	return 0;
}

/* One extent line, `ACCESS SECTORS TYPE ["FILE" [START]]`. */
struct ext_line {
	char			access[16];	/* RW, RDONLY or NOACCESS */
	char			type[16];	/* FLAT, SPARSE, ZERO, VMFS */
	char			file[1024];	/* "" when not given */
	unsigned long long	sectors;	/* extent length */
	unsigned long long	start;		/* sectors into FILE, 0 */
	int			fields;		/* how many were given, 3..5 */
};

/* Parse @line into @x: true for an extent line, false for anything else
 * (comments, DDB entries, createType ...). */
static bool ext_line_parse(const char *line, struct ext_line *x)
{
	x->file[0] = 0;
	x->start = 0;
	x->fields = sscanf(line, "%15s %llu %15s \"%1023[^\"]\" %llu",
			   x->access, &x->sectors, x->type, x->file, &x->start);
	return x->fields >= 3 && (!strcmp(x->access, "RW") ||
				  !strcmp(x->access, "RDONLY") ||
				  !strcmp(x->access, "NOACCESS"));
}

static int vd_parse(struct rd_disk *below, char *text, const char *path,
		    struct rd_chain *c, struct vdesc *v, uint64_t *total)
{
	char *save = NULL;
	/* raw-disk descriptors name host block devices (read-only here) */
	bool rawdesc = strstr(text, "createType=\"fullDevice\"") ||
		       strstr(text, "createType=\"partitionedDevice\"");
	int err = 0;

	for (char *ln = strtok_r(text, "\n", &save); ln;
	     ln = strtok_r(NULL, "\n", &save)) {
		struct ext_line x;
		struct vd_extent *e;

		if (!ext_line_parse(ln, &x))
			continue;
		if (v->n == MAX_EXTENTS || !x.sectors || x.sectors > (1ULL << 40))
			return rd_set_error(below, -EINVAL,
					    "%s: bad VMDK extent line", below->desc);
		e = &v->ext[v->n];
		e->start = *total;
		e->size = x.sectors * 512;
		if (!strcmp(x.type, "ZERO") || !strcmp(x.access, "NOACCESS")) {
			e->disk = NULL;
		} else if (x.fields < 4 || (strcmp(x.type, "FLAT") &&
					    strcmp(x.type, "SPARSE") &&
					    strcmp(x.type, "VMFS"))) {
			return rd_set_error(below, -ENOTSUP,
					    "%s: unsupported VMDK extent type %s",
					    below->desc, x.type);
		} else {
			err = vd_open_extent(below, path, c, rawdesc, x.file,
					     x.type, x.start, e->size,
					     &e->disk);
			if (err)
				return err;
		}
		v->n++;
		*total += e->size;
	}
	if (!v->n)
		return rd_set_error(below, -EINVAL, "%s: VMDK descriptor has no extents",
				    below->desc);
	return 0;
}

int vmdk_desc_open_chain(struct rd_disk *below, const char *path,
			 struct rd_chain *c, struct rd_disk **out)
{
	uint64_t len = rd_size(below), total = 0;
	unsigned int opened;
	struct rd_chain top;
	char *text;
	struct vdesc *v;
	struct rd_disk *d;
	int err;

	if (!c) {
		/* not known as a file (memory disks): no identity to track */
		(void)rd_chain_start(&top, &opened, below);
		c = &top;
	}
	if (len > DESC_MAX)
		return rd_set_error(below, -EINVAL,
				    "%s: VMDK descriptor larger than 64 KiB",
				    below->desc);
	text = calloc(1, len + 1);
	v = calloc(1, sizeof(*v) + MAX_EXTENTS * sizeof(v->ext[0]));
	d = rd_alloc(&vdesc_ops, below, true);
	if (!text || !v || !d) {
		err = -ENOMEM;
		goto out_free;
	}
	err = rd_pread(below, text, len, 0);
	if (!err && strstr(text, "parentFileNameHint"))
		err = rd_set_error(below, -ENOTSUP,
				   "%s: VMDK delta links (parent disks) are not supported",
				   below->desc);
	if (!err)
		err = vd_parse(below, text, path, c, v, &total);
	if (err)
		goto out_free;
	free(text);
	return rd_finish(d, v, total, RD_RDONLY, path, out);

out_free:
	for (unsigned int i = 0; v && i < v->n; i++)
		rd_close(v->ext[i].disk);
	free(text);
	free(v);
	free(d);
	return err;
}

int vmdk_desc_open(struct rd_disk *below, const char *path,
		   struct rd_disk **out)
{
	return vmdk_desc_open_chain(below, path, NULL, out);
}

int rd_vmdk_desc_scan(const char *text, size_t len, char *type,
		      size_t typelen, struct rd_vmdk_flat *ext,
		      unsigned int max, uint64_t *total)
{
	unsigned int n = 0;
	size_t pos = 0;

	*total = 0;
	if (typelen)
		type[0] = 0;
	if (len > DESC_MAX)
		return -EINVAL;
	while (pos < len) {
		char line[1200];
		struct ext_line x;
		size_t e = pos, ll;

		while (e < len && text[e] != '\n')
			e++;
		ll = e - pos < sizeof(line) - 1 ? e - pos : sizeof(line) - 1;
		memcpy(line, text + pos, ll);
		line[ll] = 0;
		pos = e + 1;
		if (memchr(line, 0, ll))
			return -EINVAL;		/* binary: not a descriptor */
		if (!strncmp(line, "createType=\"", 12) && typelen) {
			size_t q = strcspn(line + 12, "\"");

			snprintf(type, typelen, "%.*s",
				 (int)(q < typelen ? q : typelen - 1), line + 12);
			continue;
		}
		if (!ext_line_parse(line, &x))
			continue;
		if (!x.sectors || x.sectors > (1ull << 40) ||
		    x.start > (1ull << 40))
			return -EINVAL;
		if (!strcmp(x.type, "FLAT") && strcmp(x.access, "NOACCESS")) {
			if (x.fields < 4)
				return -EINVAL;
			if (n < max) {
				snprintf(ext[n].file, sizeof(ext[n].file), "%s",
					 x.file);
				ext[n].vstart = *total;
				ext[n].start = x.start * 512;
				ext[n].size = x.sectors * 512;
			}
			n++;
		}
		*total += x.sectors * 512;
	}
	return n > (unsigned int)INT32_MAX ? -EINVAL : (int)n;
}
