// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_vmdk_split.c --- VMDK twoGbMaxExtentSparse writer
 *
 * A text descriptor (createType "twoGbMaxExtentSparse") listing hosted
 * sparse extents <stem>-s001.vmdk, <stem>-s002.vmdk, ... of at most 2047
 * MiB each (VMware's split size), for file systems that cannot hold files
 * over 2 GiB.  Each extent is a sparse extent without an embedded
 * descriptor (fmt_vmdk.c).  The descriptor is written by rd_flush(); a
 * writer closed without a successful flush removes its extents, so an
 * interrupted conversion leaves no stray pieces.  Read back through the
 * descriptor reader (fmt_vmdk_desc.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/lib.h"
#include "rawdisk/fmt_priv.h"
#include "rawdisk/fmt_vmdk.h"

#define MAX_SPLIT	1024

struct vsplit {
	unsigned int	n;		/* extents */
	uint64_t	ext_bytes;	/* bytes per extent (last may be less) */
	int		desc_fd;	/* descriptor file */
	bool		complete;	/* descriptor written */
	struct rd_disk	*ext[MAX_SPLIT];	/* extent writers */
	char		*path[MAX_SPLIT];	/* extent file names */
	char		*desc_path;	/* descriptor file name */
	char		*text;		/* extent lines for the descriptor */
};

static int vs_io(struct rd_disk *d, void *rbuf, const void *wbuf,
		 size_t len, uint64_t off)
{
	struct vsplit *v = d->priv;

	while (len) {
		unsigned int i = (unsigned int)(off / v->ext_bytes);
		uint64_t in = off % v->ext_bytes;
		size_t n = len;
		int err;

		if (n > v->ext_bytes - in)
			n = (size_t)(v->ext_bytes - in);
		err = rbuf ? rd_pread(v->ext[i], rbuf, n, in) :
			     rd_pwrite(v->ext[i], wbuf, n, in);
		if (err)
			return rd_set_error(d, err, "%s", rd_strerror(v->ext[i]));
		if (rbuf)
			rbuf = (char *)rbuf + n;
		else
			wbuf = (const char *)wbuf + n;
		off += n;
		len -= n;
	}
	return 0;
}

static int split_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	return vs_io(d, buf, NULL, len, off);
}

static int split_pwrite(struct rd_disk *d, const void *buf, size_t len,
			uint64_t off)
{
	return vs_io(d, NULL, buf, len, off);
}

static int split_flush(struct rd_disk *d)
{
	struct vsplit *v = d->priv;
	char *desc = malloc(VMDK_DESC_SECTORS * 512 + strlen(v->text));
	size_t dlen;
	int err = 0;

	if (!desc)
		return -ENOMEM;
	for (unsigned int i = 0; !err && i < v->n; i++) {
		err = rd_flush(v->ext[i]);
		if (err)
			rd_set_error(d, err, "%s", rd_strerror(v->ext[i]));
	}
	if (!err)
		err = vmdk_descriptor_text(desc, VMDK_DESC_SECTORS * 512 +
					   strlen(v->text), "twoGbMaxExtentSparse",
					   d->size / 512, v->text);
	dlen = strlen(desc);
	if (!err)
		err = lib_pwrite_all(v->desc_fd, desc, dlen, 0);
	if (!err && (ftruncate(v->desc_fd, (off_t)dlen) || fsync(v->desc_fd)))
		err = -errno;
	if (err && !d->err[0])
		rd_set_error(d, err, "%s: %s", v->desc_path, strerror(-err));
	if (!err)
		v->complete = true;
	free(desc);
	return err;
}

static int split_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			      uint64_t *run_len)
{
	struct vsplit *v = d->priv;
	unsigned int i = (unsigned int)(off / v->ext_bytes);
	uint64_t in = off % v->ext_bytes;

	if (len > v->ext_bytes - in)
		len = v->ext_bytes - in;
	return rd_block_status(v->ext[i], in, len, run_len);
}

static void vsplit_free(struct vsplit *v, bool remove)
{
	for (unsigned int i = 0; i < v->n; i++) {
		rd_close(v->ext[i]);
		if (remove && v->path[i])
			unlink(v->path[i]);
		free(v->path[i]);
	}
	if (v->desc_fd >= 0)
		close(v->desc_fd);
	free(v->desc_path);
	free(v->text);
	free(v);
}

static void split_close(struct rd_disk *d)
{
	struct vsplit *v = d->priv;

	vsplit_free(v, !v->complete);
}

static const struct rd_ops vmdk_split_ops = {
	.name		= "vmdk-2gb",
	.pread		= split_pread,
	.pwrite		= split_pwrite,
	.flush		= split_flush,
	.close		= split_close,
	.block_status	= split_block_status,
};

/* "dir/" of @path and the stem of @name (or @path) without ".vmdk". */
static void split_names(const char *path, const char *name, char *dir,
			size_t dlen, char *stem, size_t slen)
{
	const char *slash = strrchr(path, '/'), *base;
	size_t n;

	snprintf(dir, dlen, "%.*s", slash ? (int)(slash - path + 1) : 0, path);
	base = name ? name : slash ? slash + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcasecmp(base + n - 5, ".vmdk"))
		n -= 5;
	snprintf(stem, slen, "%.*s", (int)n, base);
}

int vmdk_split_create(const char *path, const char *name, uint64_t size,
		      uint64_t extent_bytes, struct rd_disk **out, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX], stem[NAME_MAX + 1], ep[PATH_MAX + NAME_MAX + 32];
	char line[600];
	struct vsplit *v;
	struct rd_disk *d;
	size_t tlen = 0;
	int e = -ENOMEM;

	if (!size || size % 512 || !extent_bytes || extent_bytes % VMDK_GRAIN ||
	    (size + extent_bytes - 1) / extent_bytes > MAX_SPLIT) {
		snprintf(err, errlen, "%s: bad size for a split VMDK", path);
		return -EINVAL;
	}
	v = calloc(1, sizeof(*v));
	d = rd_alloc(&vmdk_split_ops, NULL, false);
	if (!v || !d)
		goto out_nomem;
	v->desc_fd = -1;
	v->ext_bytes = extent_bytes;
	v->text = calloc(1, MAX_SPLIT * sizeof(line));
	v->desc_path = strdup(path);
	if (!v->text || !v->desc_path)
		goto out_nomem;
	v->desc_fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (v->desc_fd < 0) {
		e = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out_free;
	}
	split_names(path, name, dir, sizeof(dir), stem, sizeof(stem));
	for (uint64_t off = 0; off < size; off += extent_bytes) {
		uint64_t n = size - off < extent_bytes ? size - off : extent_bytes;

		snprintf(ep, sizeof(ep), "%s%s-s%03u.vmdk", dir, stem, v->n + 1);
		v->path[v->n] = strdup(ep);
		if (!v->path[v->n])
			goto out_nomem;
		e = vmdk_sparse_create(ep, NULL, n, false, &v->ext[v->n], err,
				       errlen);
		if (e) {
			free(v->path[v->n]);
			v->path[v->n] = NULL;
			goto out_unlink;
		}
		v->n++;
		tlen += (size_t)snprintf(v->text + tlen, sizeof(line),
					 "RW %llu SPARSE \"%s-s%03u.vmdk\"\n",
					 (unsigned long long)(n / 512), stem, v->n);
	}
	return rd_finish(d, v, size, RD_RDWR, path, out);

out_nomem:
	e = -ENOMEM;
	snprintf(err, errlen, "%s: out of memory", path);
out_unlink:
	if (v && v->desc_fd >= 0)
		unlink(path);
out_free:
	if (v)
		vsplit_free(v, true);
	free(d);
	return e;
}
