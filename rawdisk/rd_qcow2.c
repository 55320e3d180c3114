// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_qcow2.c --- qcow2 v3 back end: open, create, read, copy-on-write
 * write (qemu docs/interop/qcow2.txt, "Cluster mapping")
 *
 * Used as the copy-on-write overlay over a raw source (backing format
 * "raw") and as an image writer for P2V.  Every L2 table of the disk is
 * cached once loaded (the cache covers the disk, so allocated-cluster I/O
 * costs one pread/pwrite).  Allocation appends at the end of the file, and
 * every new cluster has its refcount before anything points at it.  A
 * write into an area without an L2 table first links a zeroed L2 table
 * into the L1 (l2_ensure()), then writes the data cluster, and last the L2
 * entry that publishes it: a crash in between leaves the old contents
 * (and at worst leaked clusters, which the dirty-bit repair reclaims),
 * never an entry pointing at unwritten data.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/rd_priv.h"
#include "rawdisk/rd_qcow2.h"

/* Map the guest offset @off: sets *@host (0: unallocated) and *@flags. */
static int qc_map(struct rd_disk *d, struct qc *q, uint64_t off,
		  uint64_t *ent)
{
	uint64_t l1i = (off >> q->cb) / q->l2e, l2i = (off >> q->cb) % q->l2e;
	int e;

	*ent = 0;
	if (l1i >= q->l1_size || !(q->l1[l1i] & QC_OFF_MASK))
		return 0;
	e = qc_l2_load(q, l1i);
	if (e)
		return rd_set_error(d, e, "%s", rd_strerror(q->file));
	*ent = q->l2[l1i][l2i];
	if (*ent & QC_COMPRESSED)
		return rd_set_error(d, -ENOTSUP,
				    "%s: compressed qcow2 clusters are not supported",
				    d->desc);
	if ((*ent & QC_OFF_MASK) % q->cs)
		return rd_set_error(d, -EINVAL,
				    "%s: misaligned qcow2 cluster at guest offset %llu",
				    d->desc, (unsigned long long)off);
	return 0;
}

/* Read @len bytes at @off from the backing disk (zeros past its end). */
static int backing_read(struct qc *q, void *buf, size_t len, uint64_t off)
{
	uint64_t bsz = q->backing ? rd_size(q->backing) : 0;
	size_t n = 0;

	if (off < bsz)
		n = bsz - off < len ? (size_t)(bsz - off) : len;
	if (n) {
		int e = rd_pread(q->backing, buf, n, off);

		if (e)
			return e;
	}
	memset((char *)buf + n, 0, len - n);
	return 0;
}

static int qc_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	struct qc *q = d->priv;
	char *p = buf;

	while (len) {
		uint64_t in = off & (q->cs - 1), ent, host;
		size_t n = q->cs - in < len ? (size_t)(q->cs - in) : len;
		int e = qc_map(d, q, off, &ent);

		if (e)
			return e;
		host = ent & QC_OFF_MASK;
		/* merge following clusters that are contiguous in the file */
		while (host && !(ent & QC_ZERO) && n < len) {
			uint64_t ent2;
			size_t m;

			if (qc_map(d, q, off + n, &ent2) || (ent2 & QC_ZERO) ||
			    (ent2 & QC_OFF_MASK) != host + in + n)
				break;
			m = q->cs < len - n ? (size_t)q->cs : len - n;
			n += m;
		}
		if (ent & QC_ZERO)
			memset(p, 0, n);
		else if (host)
			e = rd_pread(q->file, p, n, host + in);
		else
			e = backing_read(q, p, n, off);
		if (e)
			return rd_set_error(d, e, "%s", q->file->err[0] ?
					    rd_strerror(q->file) :
					    rd_strerror(q->backing));
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Make sure L2 table @l1i exists (allocating an empty one). */
static int l2_ensure(struct qc *q, uint64_t l1i)
{
	uint64_t off;
	uint8_t be[8];
	int e;

	assert(l1i < q->l1_size);
	if (q->l1[l1i] & QC_OFF_MASK)
		return qc_l2_load(q, l1i);
	e = qc_cluster_alloc(q, &off);
	if (e)
		return e;
	free(q->l2[l1i]);	/* left by an earlier failed attempt */
	q->l2[l1i] = calloc(1, q->cs);
	if (!q->l2[l1i])
		return -ENOMEM;
	e = rd_pwrite(q->file, q->l2[l1i], q->cs, off);	/* zeros */
	if (e)
		return e;
	rd_put_be64(be, off | QC_COPIED);
	e = rd_pwrite(q->file, be, 8, q->l1_off + l1i * 8);
	if (!e)
		q->l1[l1i] = off | QC_COPIED;
	return e;
}

/* Write part of one cluster: [in, in+n) of the cluster holding @off. */
static int qc_write_cluster(struct qc *q, const void *buf, size_t n,
			    uint64_t off, uint64_t in, uint64_t ent)
{
	uint64_t l1i = (off >> q->cb) / q->l2e, l2i = (off >> q->cb) % q->l2e;
	uint64_t host = ent & QC_OFF_MASK, cstart = off - in;
	uint8_t be[8];
	int e;

	if (host && !(ent & QC_ZERO))
		return rd_pwrite(q->file, buf, n, host + in);
	/* copy-on-write: build the whole cluster, then publish it */
	if (n < q->cs) {
		if (ent & QC_ZERO)
			memset(q->cbuf, 0, q->cs);
		else {
			e = backing_read(q, q->cbuf, q->cs, cstart);
			if (e)
				return e;
		}
		memcpy(q->cbuf + in, buf, n);
		buf = q->cbuf;
	}
	e = l2_ensure(q, l1i);
	if (e)
		return e;
	if (!host) {
		e = qc_cluster_alloc(q, &host);
		if (e)
			return e;
	}
	e = rd_pwrite(q->file, buf, q->cs, host);
	if (e)
		return e;
	rd_put_be64(be, host | QC_COPIED);
	e = rd_pwrite(q->file, be, 8, (q->l1[l1i] & QC_OFF_MASK) + l2i * 8);
	if (!e)
		q->l2[l1i][l2i] = host | QC_COPIED;
	return e;
}

static int qc_pwrite(struct rd_disk *d, const void *buf, size_t len,
		     uint64_t off)
{
	struct qc *q = d->priv;
	const char *p = buf;

	if (!q->writable || q->nb_snapshots)
		return rd_set_error(d, -EROFS, "%s: qcow2 image is read-only",
				    d->desc);
	while (len) {
		uint64_t in = off & (q->cs - 1), ent;
		size_t n = q->cs - in < len ? (size_t)(q->cs - in) : len;
		int e = qc_map(d, q, off, &ent);

		if (!e)
			e = qc_write_cluster(q, p, n, off, in, ent);
		if (e)
			return rd_set_error(d, e, "%s: qcow2 write at %llu: %s",
					    d->desc, (unsigned long long)off,
					    q->file->err[0] ? rd_strerror(q->file) :
					    strerror(-e));
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int qc_flush(struct rd_disk *d)
{
	struct qc *q = d->priv;

	return q->writable ? rd_flush(q->file) : 0;
}

/* Allocation in the image itself: RD_BLK_UNALLOC where the backing file
 * (or zeros) show through. */
static int qc_own_status(struct rd_disk *d, uint64_t off, uint64_t len,
			 uint64_t *run_len)
{
	struct qc *q = d->priv;
	uint64_t ent, run = 0;
	int st = -1, e;

	while (run < len) {
		uint64_t in = (off + run) & (q->cs - 1), n = q->cs - in;
		int s;

		e = qc_map(d, q, off + run, &ent);
		if (e)
			return e;
		s = ent & QC_ZERO ? RD_BLK_ZERO :
		    ent & QC_OFF_MASK ? RD_BLK_DATA : RD_BLK_UNALLOC;
		if (st >= 0 && s != st)
			break;
		st = s;
		run += n;
	}
	*run_len = run < len ? run : len;
	return st;
}

/* What a reader sees: unallocated clusters read from the backing file, so
 * they have its status there (zeros past its end). */
static int qc_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			   uint64_t *run_len)
{
	struct qc *q = d->priv;
	uint64_t bsz = q->backing ? rd_size(q->backing) : 0;
	int st = qc_own_status(d, off, len, run_len);

	if (st != RD_BLK_UNALLOC || !q->backing)
		return st;
	if (off >= bsz)
		return RD_BLK_UNALLOC;		/* zeros */
	if (*run_len > bsz - off)
		*run_len = bsz - off;
	st = rd_block_status(q->backing, off, *run_len, run_len);
	if (st < 0)
		return rd_set_error(d, st, "%s", rd_strerror(q->backing));
	return st == RD_BLK_DATA ? RD_BLK_DATA : RD_BLK_ZERO;
}

static void qc_close(struct rd_disk *d)
{
	struct qc *q = d->priv;

	if (!q)
		return;
	if (q->writable && !q->nb_snapshots &&
	    (q->incompat & QC_INCOMPAT_DIRTY))
		(void)qc_set_dirty(q, false);
	if (q->owns_backing)
		rd_close(q->backing);
	qc_free(q);
	free(q);
}

static const struct rd_ops rd_qcow2_ops = {
	.name		= "qcow2",
	.pread		= qc_pread,
	.pwrite		= qc_pwrite,
	.flush		= qc_flush,
	.close		= qc_close,
	.block_status	= qc_block_status,
};

bool rd_is_qcow2(const struct rd_disk *d)
{
	return d && d->ops == &rd_qcow2_ops;
}

struct rd_disk *rd_qcow2_backing(const struct rd_disk *d)
{
	return rd_is_qcow2(d) ? ((struct qc *)d->priv)->backing : NULL;
}

const char *rd_qcow2_backing_name(const struct rd_disk *d)
{
	return rd_is_qcow2(d) ? ((struct qc *)d->priv)->backing_name : "";
}

int rd_qcow2_own_status(struct rd_disk *d, uint64_t off, uint64_t len,
			uint64_t *run_len)
{
	if (!rd_is_qcow2(d))
		return rd_block_status(d, off, len, run_len);
	if (off >= d->size || !len) {
		*run_len = 0;
		return RD_BLK_UNALLOC;
	}
	if (len > d->size - off)
		len = d->size - off;
	return qc_own_status(d, off, len, run_len);
}

uint64_t rd_qcow2_cluster_size(const struct rd_disk *d)
{
	return rd_is_qcow2(d) ? ((struct qc *)d->priv)->cs : 0;
}

/* The format name a qcow2 backing_fmt extension gives, as
 * rd_image_probe() spells it, or NULL when dualvm cannot read it. */
static const char *backing_reader(const char *bfmt)
{
	static const char *const map[][2] = {
		{ "raw", "raw" }, { "file", "raw" }, { "host_device", "raw" },
		{ "qcow2", "qcow2" }, { "vmdk", "vmdk" }, { "vpc", "vhd" },
		{ "vhdx", "vhdx" }, { "vdi", "vdi" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(bfmt, map[i][0]))
			return map[i][1];
	return NULL;
}

/* Open the backing file named in @q's header, under the path policy. */
static int qc_open_backing(struct qc *q, const char *path,
			   struct rd_chain *c, char *err, size_t errlen)
{
	char real[PATH_MAX], why[768];
	const char *want = NULL;
	struct rd_chain child;
	struct rd_disk *f;
	int e;

	if (q->backing_fmt[0]) {
		want = backing_reader(q->backing_fmt);
		if (!want) {
			snprintf(err, errlen, "%s: backing format '%s' is not supported",
				 path, q->backing_fmt);
			return -ENOTSUP;
		}
	}
	e = rd_path_follow(path, q->backing_name, 0, c, &child, &f, real, why,
			   sizeof(why));
	if (e) {
		snprintf(err, errlen, "backing file: %s", why);
		return e;
	}
	e = rd_image_open_chain(f, real, &child, want, &q->backing, err,
				errlen);
	if (e)
		return e;
	q->owns_backing = true;
	return 0;
}

static int qc_open(struct rd_disk *file, const char *path, unsigned int flags,
		   struct rd_disk *backing, bool owns_backing,
		   struct rd_chain *c, struct rd_disk **out, char *err,
		   size_t errlen)
{
	struct rd_disk *d;
	struct qc *q;
	char dummy[8];
	int e;

	*out = NULL;
	if (!err || !errlen)
		err = dummy, errlen = sizeof(dummy);
	err[0] = 0;
	d = rd_alloc_priv(&rd_qcow2_ops, file, true, sizeof(*q));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	q = d->priv;
	q->file = file;
	q->backing = backing;
	q->owns_backing = owns_backing;
	e = qc_header_load(file, q, err, errlen);
	if (e)
		goto fail;
	q->writable = (flags & RD_RDWR) && !(flags & RD_RDONLY) &&
		      !(file->flags & RD_RDONLY);
	d->flags = q->writable ? RD_RDWR : RD_RDONLY;
	d->size = 0;
	{
		uint8_t h[8];

		e = rd_pread(file, h, 8, 24);
		if (e)
			goto fail_file;
		d->size = rd_be64(h);
	}
	if (!backing && q->backing_name[0]) {
		unsigned int opened;
		struct rd_chain top;

		if (!c) {
			(void)rd_chain_start(&top, &opened, file);
			c = &top;
		}
		e = qc_open_backing(q, path, c, err, errlen);
		if (e)
			goto fail;
	}
	if (q->writable && !q->nb_snapshots) {
		if (q->incompat & QC_INCOMPAT_DIRTY) {
			e = qc_repair(q);
			if (e)
				goto fail_file;
		}
		e = qc_set_dirty(q, true);
		if (e)
			goto fail_file;
	}
	*out = d;
	return 0;
fail_file:
	snprintf(err, errlen, "%s", rd_strerror(file));
fail:
	if (!err[0])
		snprintf(err, errlen, "%s: %s", file->desc, strerror(-e));
	q->writable = false;
	rd_close(d);
	return e;
}

int rd_qcow2_open_disk(struct rd_disk *file, unsigned int flags,
		       struct rd_disk *backing, bool owns_backing,
		       struct rd_disk **out, char *err, size_t errlen)
{
	char path[sizeof(file->desc)];

	snprintf(path, sizeof(path), "%s", file->desc);
	return qc_open(file, path, flags, backing, owns_backing, NULL, out,
		       err, errlen);
}

int rd_qcow2_open_chain(struct rd_disk *file, const char *path,
			unsigned int flags, struct rd_chain *c,
			struct rd_disk **out, char *err, size_t errlen)
{
	return qc_open(file, path, flags, NULL, false, c, out, err, errlen);
}

int rd_qcow2_open(const char *path, unsigned int flags,
		  struct rd_disk *backing, struct rd_disk **out, char *err,
		  size_t errlen)
{
	struct rd_disk *file;
	int e;

	*out = NULL;
	e = rd_file_open(path, (flags & RD_RDWR ? RD_RDWR | RD_GROW :
				RD_RDONLY) | (flags & RD_EXCL), &file, err,
			 errlen);
	if (e) {
		rd_close(backing);
		return e;
	}
	return qc_open(file, path, flags, backing, backing != NULL, NULL, out,
		       err, errlen);
}

/* Header + backing-format extension + backing name, in cluster 0. */
static int qc_write_header(struct rd_disk *file, uint64_t cs, unsigned int cb,
			   uint64_t size, const char *backing, const char *bfmt,
			   uint32_t l1_size,
			   uint64_t l1_off, uint64_t rt_off, uint32_t rt_clusters)
{
	uint8_t *h = calloc(1, cs);
	size_t blen = backing ? strlen(backing) : 0, off = QC_HDR_LEN;
	int e;

	if (!h)
		return -ENOMEM;
	rd_put_be32(h, QC_MAGIC);
	rd_put_be32(h + 4, 3);
	rd_put_be32(h + 20, cb);
	rd_put_be64(h + 24, size);
	rd_put_be32(h + 36, l1_size);
	rd_put_be64(h + 40, l1_off);
	rd_put_be64(h + 48, rt_off);
	rd_put_be32(h + 56, rt_clusters);
	rd_put_be32(h + 96, 4);
	rd_put_be32(h + 100, QC_HDR_LEN);
	if (blen) {
		size_t fl = strlen(bfmt);

		rd_put_be32(h + off, QC_EXT_BACKING_FMT);
		rd_put_be32(h + off + 4, (uint32_t)fl);
		memcpy(h + off + 8, bfmt, fl);
		off += 8 + ((fl + 7) & ~(size_t)7);
	}
	off += 8;			/* end-of-extensions marker */
	if (blen) {
		rd_put_be64(h + 8, off);
		rd_put_be32(h + 16, (uint32_t)blen);
		memcpy(h + off, backing, blen);
	}
	e = rd_pwrite(file, h, cs, 0);
	free(h);
	return e;
}

int rd_qcow2_create_file(const char *path, uint64_t size,
			 const char *backing, const char *backing_fmt,
			 unsigned int cluster_bits, char *err, size_t errlen)
{
	uint64_t cs, l2e, l1_size, l1c, total, rbe, rbn, rtc, c;
	struct rd_disk *file;
	struct qc q;
	int e;

	if (!cluster_bits)
		cluster_bits = 16;
	if (!backing_fmt)
		backing_fmt = "raw";
	if (cluster_bits < 9 || cluster_bits > 21 || size % 512 ||
	    size > (1ull << 50) || (backing && strlen(backing) > 1023) ||
	    strlen(backing_fmt) > 16) {
		snprintf(err, errlen, "%s: bad qcow2 parameters (size %llu, cluster_bits %u)",
			 path, (unsigned long long)size, cluster_bits);
		return -EINVAL;
	}
	cs = 1ull << cluster_bits;
	l2e = cs / 8;
	rbe = cs / 2;
	l1_size = (size + cs * l2e - 1) / (cs * l2e);
	if (!l1_size)
		l1_size = 1;
	l1c = (l1_size * 8 + cs - 1) / cs;
	/* every cluster the image can ever need, with slack */
	total = size / cs + l1_size + l1c + 64;
	rbn = (total + rbe - 1) / rbe;
	rtc = (rbn * 2 * 8 + cs - 1) / cs;
	total += rtc;
	if (l1_size * 8 > QC_MAX_L1_BYTES || rtc * cs > QC_MAX_RT_BYTES) {
		snprintf(err, errlen, "%s: disk too large for %llu-byte clusters",
			 path, (unsigned long long)cs);
		return -EFBIG;
	}
	e = rd_file_open(path, RD_CREATE | RD_RDWR | RD_GROW, &file, err,
			 errlen);
	if (e)
		return e;
	e = qc_write_header(file, cs, cluster_bits, size, backing, backing_fmt,
			    (uint32_t)l1_size, cs, cs * (1 + l1c),
			    (uint32_t)rtc);
	memset(&q, 0, sizeof(q));
	q.cbuf = calloc(1, cs);
	if (!e && !q.cbuf)
		e = -ENOMEM;
	for (c = 1; !e && c < 1 + l1c + rtc; c++)
		e = rd_pwrite(file, q.cbuf, cs, c * cs);
	if (e)
		goto fail;
	/* refcounts of the metadata clusters, through the generic path */
	q.file = file;
	q.cb = cluster_bits;
	q.cs = cs;
	q.rbe = rbe;
	q.rt_off = cs * (1 + l1c);
	q.rt_n = rtc * cs / 8;
	q.rt = calloc(q.rt_n, 8);
	q.rb = calloc(q.rt_n, sizeof(*q.rb));
	q.next_free = file->size;
	if (!q.rt || !q.rb)
		e = -ENOMEM;
	for (c = 0; !e && c < 1 + l1c + rtc; c++)
		e = qc_refcount_set(&q, c * cs, 1);
	if (!e)
		e = rd_flush(file);
	qc_free(&q);
	memset(&q, 0, sizeof(q));
	if (e)
		goto fail;
	rd_close(file);
	return 0;
fail:
	qc_free(&q);
	snprintf(err, errlen, "%s: %s", path, file->err[0] ? file->err :
		 strerror(-e));
	rd_close(file);
	unlink(path);
	return e;
}

int rd_qcow2_create(const char *path, uint64_t size, const char *backing,
		    unsigned int cluster_bits, struct rd_disk **out, char *err,
		    size_t errlen)
{
	struct rd_disk *file;
	int e;

	*out = NULL;
	e = rd_qcow2_create_file(path, size, backing, "raw", cluster_bits, err,
				 errlen);
	if (e)
		return e;
	e = rd_file_open(path, RD_RDWR | RD_GROW, &file, err, errlen);
	if (e) {
		unlink(path);
		return e;
	}
	return rd_qcow2_open_disk(file, RD_RDWR, NULL, false, out, err, errlen);
}
