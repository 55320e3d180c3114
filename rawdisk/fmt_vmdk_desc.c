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

/* Open one extent file relative to @dir. */
static int vd_open_extent(struct rd_disk *below, const char *dir,
			  const char *file, const char *type, uint64_t start,
			  uint64_t size, struct rd_disk **out)
{
	char path[PATH_MAX], err[256];
	struct rd_disk *f, *d;
	int e;

	if (file[0] == '/')
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s%s", dir, file);
	e = rd_file_open(path, RD_RDONLY, &f, err, sizeof(err));
	if (e)
		return rd_set_error(below, e, "VMDK extent %s", err);
	if (!strcmp(type, "SPARSE"))
		e = rd_vmdk_open(f, path, &d);
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

static int vd_parse(struct rd_disk *below, char *text, const char *dir,
		    struct vdesc *v, uint64_t *total)
{
	char *save = NULL;
	int err = 0;

	for (char *ln = strtok_r(text, "\n", &save); ln;
	     ln = strtok_r(NULL, "\n", &save)) {
		char access[16], type[16], file[1024] = "";
		unsigned long long sectors, start = 0;
		struct vd_extent *e;
		int n = sscanf(ln, "%15s %llu %15s \"%1023[^\"]\" %llu", access,
			       &sectors, type, file, &start);

		if (n < 3 || (strcmp(access, "RW") && strcmp(access, "RDONLY") &&
			      strcmp(access, "NOACCESS")))
			continue;
		if (v->n == MAX_EXTENTS || !sectors || sectors > (1ULL << 40))
			return rd_set_error(below, -EINVAL,
					    "%s: bad VMDK extent line", below->desc);
		e = &v->ext[v->n];
		e->start = *total;
		e->size = sectors * 512;
		if (!strcmp(type, "ZERO") || !strcmp(access, "NOACCESS")) {
			e->disk = NULL;
		} else if (n < 4 || (strcmp(type, "FLAT") && strcmp(type, "SPARSE") &&
				     strcmp(type, "VMFS"))) {
			return rd_set_error(below, -ENOTSUP,
					    "%s: unsupported VMDK extent type %s",
					    below->desc, type);
		} else {
			err = vd_open_extent(below, dir, file, type, start,
					     e->size, &e->disk);
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

int vmdk_desc_open(struct rd_disk *below, const char *path,
		   struct rd_disk **out)
{
	uint64_t len = rd_size(below), total = 0;
	char dir[PATH_MAX], *text;
	const char *slash = strrchr(path, '/');
	struct vdesc *v;
	struct rd_disk *d;
	int err;

	if (len > DESC_MAX)
		return rd_set_error(below, -EINVAL,
				    "%s: VMDK descriptor larger than 64 KiB",
				    below->desc);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path + 1) : 0,
		 path);
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
		err = vd_parse(below, text, dir, v, &total);
	if (err)
		goto out_free;
	free(text);
	d->priv = v;
	d->size = total;
	d->flags = RD_RDONLY;
	snprintf(d->desc, sizeof(d->desc), "%s", path);
	*out = d;
	return 0;

out_free:
	for (unsigned int i = 0; v && i < v->n; i++)
		rd_close(v->ext[i].disk);
	free(text);
	free(v);
	free(d);
	return err;
}
