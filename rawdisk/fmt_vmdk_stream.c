// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_vmdk_stream.c --- VMDK streamOptimized writer (the OVA disk format)
 *
 * Per VMware's "Virtual Disk Format 5.0" section "Stream-Optimized
 * Compressed Sparse Extents": header (version 3, flags compressed+markers,
 * gdOffset = GD_AT_END), embedded descriptor, then compressed grains
 * (u64 lba, u32 size, zlib data, padded to a sector) in increasing order,
 * then GT marker + GT for each grain table, GD marker + GD, footer marker +
 * a header copy holding the real gdOffset, and the end-of-stream marker.
 * Grains are deflated with libdeflate in batches spread over a few threads
 * and written in order by a coordinator thread while the caller fills the
 * next batch.  Writes must arrive in increasing grain order (a
 * write may revisit the grain it is still filling); all-zero grains are
 * left out.  rd_flush() seals the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/fmt_priv.h"
#include "rawdisk/fmt_vmdk.h"

#define BATCH		64		/* grains per compression batch */
#define MAX_THREADS	8
#define LEVEL		1		/* libdeflate level: 2x the speed of 5 for
				 * about 2 % larger output */

struct vs_grain {
	uint64_t	blk;		/* grain number */
	uint8_t		*data;		/* grain bytes */
	uint8_t		*out;		/* 12-byte prefix + zlib stream */
	size_t		outlen;		/* bytes used in out, padded */
};

struct vs_batch {
	struct vs_grain	g[BATCH];	/* grains waiting for deflate */
	unsigned int	n;		/* entries used in g[] */
	bool		running;	/* a coordinator thread owns it */
	int		err;		/* its write error, -errno */
	char		msg[200];	/* its error message */
	pthread_t	tid;		/* the coordinator */
	struct vmdk_stream *s;		/* owner */
};

struct vs_worker {
	struct vmdk_stream	*s;	/* owner */
	struct vs_batch	*b;		/* batch being compressed */
	struct libdeflate_compressor *c;	/* one per worker */
	unsigned int	index;		/* stride start */
	pthread_t	tid;		/* thread (index > 0) */
};

struct vmdk_stream {
	int		fd;		/* output file */
	struct vmdk_layout l;		/* header values */
	uint64_t	grain;		/* bytes */
	uint64_t	ngrains;	/* grains in the disk */
	uint32_t	*gte;		/* sector per grain, 0 = none */
	uint64_t	pos;		/* next free byte of the file */
	uint64_t	cur;		/* grain being filled, or ~0 */
	uint8_t		*curbuf;	/* its bytes */
	struct vs_batch	b[2];		/* filled by the caller / written by
					 * a coordinator, alternately */
	unsigned int	curb;		/* the batch being filled */
	unsigned int	nthreads;	/* workers incl. the caller */
	size_t		bound;		/* compress bound of one grain */
	struct vs_worker w[MAX_THREADS];
	bool		sealed;		/* footer written */
	char		desc[VMDK_DESC_SECTORS * 512];	/* descriptor */
};

static int vs_write(struct rd_disk *d, const void *buf, size_t len,
		    uint64_t off)
{
	struct vmdk_stream *s = d->priv;

	return rd_fd_write_all(d, s->fd, buf, len, off);
}

static void compress_one(struct vmdk_stream *s,
			 struct libdeflate_compressor *c, struct vs_grain *g)
{
	size_t n = libdeflate_zlib_compress(c, g->data, s->grain, g->out + 12,
					    s->bound);

	rd_put_le64(g->out, g->blk * s->l.grain);
	rd_put_le32(g->out + 8, (uint32_t)n);
	g->outlen = (12 + n + 511) & ~(size_t)511;
	memset(g->out + 12 + n, 0, g->outlen - 12 - n);
}

static void *vs_worker_main(void *arg)
{
	struct vs_worker *w = arg;
	struct vmdk_stream *s = w->s;

	for (unsigned int i = w->index; i < w->b->n; i += s->nthreads)
		compress_one(s, w->c, &w->b->g[i]);
	return NULL;
}

/*
 * Coordinator of one batch: deflate it on all workers, then append it to
 * the file in order.  Only one coordinator runs at a time (the caller joins
 * the previous one first), so the file position and the GT entries are its
 * alone while it runs; the caller meanwhile fills the other batch.
 */
static void *vs_batch_main(void *arg)
{
	struct vs_batch *b = arg;
	struct vmdk_stream *s = b->s;
	unsigned int started = 0;

	for (unsigned int t = 0; t < s->nthreads; t++)
		s->w[t].b = b;
	for (unsigned int t = 1; t < s->nthreads && t < b->n; t++) {
		if (pthread_create(&s->w[t].tid, NULL, vs_worker_main, &s->w[t]))
			break;
		started = t;
	}
	for (unsigned int t = started + 1; t < s->nthreads; t++)
		vs_worker_main(&s->w[t]);	/* thread creation failed */
	vs_worker_main(&s->w[0]);
	for (unsigned int t = 1; t <= started; t++)
		pthread_join(s->w[t].tid, NULL);
	for (unsigned int i = 0; i < b->n && !b->err; i++) {
		struct vs_grain *g = &b->g[i];
		int e = rd_fd_write_all(NULL, s->fd, g->out, g->outlen,
					s->pos);

		if (e) {
			b->err = e;
			snprintf(b->msg, sizeof(b->msg), "write: %s%s",
				 strerror(-e), e == -ENOSPC ?
				 " (output file system is full)" : "");
		}
		s->gte[g->blk] = (uint32_t)(s->pos / 512);
		s->pos += g->outlen;
	}
	b->n = 0;
	return NULL;
}

/* Wait for batch @i's coordinator; its error, if any, lands on @d. */
static int vs_join(struct rd_disk *d, unsigned int i)
{
	struct vmdk_stream *s = d->priv;
	struct vs_batch *b = &s->b[i];
	int err;

	if (!b->running)
		return 0;
	pthread_join(b->tid, NULL);
	b->running = false;
	err = b->err;
	b->err = 0;
	return err ? rd_set_error(d, err, "%s: %s", d->desc, b->msg) : 0;
}

/* Hand the batch being filled to a coordinator and switch batches. */
static int vs_drain(struct rd_disk *d)
{
	struct vmdk_stream *s = d->priv;
	struct vs_batch *b = &s->b[s->curb];
	int err = vs_join(d, s->curb ^ 1);

	if (err)
		return err;
	if (!b->n)
		return 0;
	b->s = s;
	if (pthread_create(&b->tid, NULL, vs_batch_main, b)) {
		vs_batch_main(b);		/* no thread: do it here */
		err = b->err;
		b->err = 0;
		if (err)
			return rd_set_error(d, err, "%s: %s", d->desc, b->msg);
	} else {
		b->running = true;
	}
	s->curb ^= 1;
	return 0;
}

/* Queue the grain being filled (dropped if all zero). */
static int vs_push(struct rd_disk *d)
{
	struct vmdk_stream *s = d->priv;
	struct vs_grain *g;

	if (s->cur == ~0ULL)
		return 0;
	if (s->b[s->curb].n == BATCH)		/* an earlier drain failed */
		return rd_set_error(d, -EIO, "%s: an earlier write failed",
				    d->desc);
	if (!fmt_is_zero(s->curbuf, s->grain)) {
		struct vs_batch *b = &s->b[s->curb];

		g = &b->g[b->n++];
		g->blk = s->cur;
		memcpy(g->data, s->curbuf, s->grain);
	}
	s->cur = ~0ULL;
	return s->b[s->curb].n == BATCH ? vs_drain(d) : 0;
}

static int vs_pwrite(struct rd_disk *d, const void *buf, size_t len,
		     uint64_t off)
{
	struct vmdk_stream *s = d->priv;
	const char *p = buf;

	if (s->sealed)
		return rd_set_error(d, -EINVAL, "%s: stream already finished",
				    d->desc);
	while (len) {
		uint64_t blk = off / s->grain, in = off % s->grain;
		size_t n = len;
		int err;

		if (n > s->grain - in)
			n = (size_t)(s->grain - in);
		if (blk != s->cur) {
			if (s->cur != ~0ULL && blk < s->cur)
				return rd_set_error(d, -EINVAL,
						    "%s: streamOptimized writes must increase (grain %llu after %llu)",
						    d->desc,
						    (unsigned long long)blk,
						    (unsigned long long)s->cur);
			err = vs_push(d);
			if (err)
				return err;
			s->cur = blk;
			memset(s->curbuf, 0, s->grain);
		}
		memcpy(s->curbuf + in, p, n);
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int vs_marker(struct rd_disk *d, uint64_t val, uint32_t type)
{
	struct vmdk_stream *s = d->priv;
	uint8_t m[512] = { 0 };
	int err;

	rd_put_le64(m, val);
	rd_put_le32(m + 12, type);
	err = vs_write(d, m, sizeof(m), s->pos);
	s->pos += 512;
	return err;
}

static int vs_seal(struct rd_disk *d)
{
	struct vmdk_stream *s = d->priv;
	uint64_t ngt = (s->ngrains + VMDK_GTES - 1) / VMDK_GTES;
	uint64_t gdsec = (ngt * 4 + 511) / 512;
	uint8_t *gd = calloc(gdsec, 512), h[512];
	int err = vs_push(d);

	if (!gd)
		return -ENOMEM;
	if (!err)
		err = vs_drain(d);
	if (!err)
		err = vs_join(d, 0);
	if (!err)
		err = vs_join(d, 1);
	for (uint64_t i = 0; !err && i < ngt; i++) {
		uint8_t gt[VMDK_GTES * 4] = { 0 };
		bool any = false;

		for (uint64_t j = 0; j < VMDK_GTES; j++) {
			uint64_t blk = i * VMDK_GTES + j;

			if (blk < s->ngrains && s->gte[blk]) {
				rd_put_le32(gt + 4 * j, s->gte[blk]);
				any = true;
			}
		}
		if (!any)
			continue;
		err = vs_marker(d, sizeof(gt) / 512, VMDK_MARKER_GT);
		rd_put_le32(gd + 4 * i, (uint32_t)(s->pos / 512));
		if (!err)
			err = vs_write(d, gt, sizeof(gt), s->pos);
		s->pos += sizeof(gt);
	}
	if (!err)
		err = vs_marker(d, gdsec, VMDK_MARKER_GD);
	s->l.gd = s->pos / 512;
	if (!err)
		err = vs_write(d, gd, gdsec * 512, s->pos);
	s->pos += gdsec * 512;
	if (!err)
		err = vs_marker(d, 1, VMDK_MARKER_FOOTER);
	vmdk_header_make(h, &s->l);
	if (!err)
		err = vs_write(d, h, 512, s->pos);
	s->pos += 512;
	if (!err)
		err = vs_marker(d, 0, VMDK_MARKER_EOS);
	s->l.gd = VMDK_GD_AT_END;
	vmdk_header_make(h, &s->l);
	if (!err)
		err = vs_write(d, h, 512, 0);
	if (!err)
		err = vs_write(d, s->desc, sizeof(s->desc), 512);
	free(gd);
	if (!err)
		err = rd_fd_sync(d, s->fd);
	if (!err)
		s->sealed = true;
	return err;
}

static int vs_flush(struct rd_disk *d)
{
	struct vmdk_stream *s = d->priv;

	return s->sealed ? 0 : vs_seal(d);
}

static int vs_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	return rd_set_error(d, -ENOTSUP,
			    "%s: a streamOptimized writer cannot be read; reopen the file",
			    d->desc);
}

static void vs_free(struct vmdk_stream *s)
{
	for (unsigned int k = 0; k < 2; k++) {
		if (s->b[k].running)
			pthread_join(s->b[k].tid, NULL);
		for (unsigned int i = 0; i < BATCH; i++) {
			free(s->b[k].g[i].data);
			free(s->b[k].g[i].out);
		}
	}
	for (unsigned int t = 0; t < MAX_THREADS; t++)
		if (s->w[t].c)
			libdeflate_free_compressor(s->w[t].c);
	if (s->fd >= 0)
		close(s->fd);
	free(s->gte);
	free(s->curbuf);
	free(s);
}

static void vs_close(struct rd_disk *d)
{
	struct vmdk_stream *s = d->priv;

	if (!s->sealed)
		(void)vs_seal(d);
	vs_free(s);
}

static const struct rd_ops vmdk_stream_ops = {
	.name	= "vmdk-stream",
	.pread	= vs_pread,
	.pwrite	= vs_pwrite,
	.flush	= vs_flush,
	.close	= vs_close,
};

int rd_vmdk_stream_create(const char *path, const char *name, uint64_t size,
			  unsigned int threads, struct rd_disk **out,
			  char *err, size_t errlen)
{
	struct vmdk_stream *s;
	struct rd_disk *d;
	const char *base = strrchr(path, '/');
	int e = -ENOMEM;

	if (fmt_size_check(path, "VMDK", size, VMDK_MAX_SIZE, "below 2 TiB",
			   err, errlen))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	d = rd_alloc(&vmdk_stream_ops, NULL, false);
	if (!s || !d)
		goto out_free;
	s->fd = -1;
	s->grain = VMDK_GRAIN;
	s->ngrains = (size + s->grain - 1) / s->grain;
	s->nthreads = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS :
		      threads;
	s->cur = ~0ULL;
	s->gte = calloc(s->ngrains, sizeof(*s->gte));
	s->curbuf = malloc(s->grain);
	if (!s->gte || !s->curbuf)
		goto out_free;
	for (unsigned int t = 0; t < s->nthreads; t++) {
		s->w[t].s = s;
		s->w[t].index = t;
		s->w[t].c = libdeflate_alloc_compressor(LEVEL);
		if (!s->w[t].c)
			goto out_free;
	}
	s->bound = libdeflate_zlib_compress_bound(s->w[0].c, s->grain);
	for (unsigned int k = 0; k < 2; k++) {
		for (unsigned int i = 0; i < BATCH; i++) {
			struct vs_grain *g = &s->b[k].g[i];

			g->data = malloc(s->grain);
			g->out = malloc(s->bound + 12 + 512);
			if (!g->data || !g->out)
				goto out_free;
		}
	}
	s->l.version = 3;
	s->l.flags = VMDK_FL_NL | VMDK_FL_COMPRESSED | VMDK_FL_MARKERS;
	s->l.capacity = size / 512;
	s->l.grain = s->grain / 512;
	s->l.desc_off = 1;
	s->l.desc_size = VMDK_DESC_SECTORS;
	s->l.overhead = 128;
	s->l.compress = 1;
	s->pos = s->l.overhead * 512;
	if (vmdk_descriptor_make(s->desc, sizeof(s->desc), "streamOptimized",
				 s->l.capacity, name ? name : base ? base + 1 :
				 path)) {
		e = -ENAMETOOLONG;
		goto out_free;
	}
	s->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (s->fd < 0) {
		e = -errno;
		goto out_free;
	}
	return rd_finish(d, s, size, RD_RDWR, path, out);

out_free:
	snprintf(err, errlen, "%s: %s", path, strerror(-e));
	if (s)
		vs_free(s);
	free(d);
	return e;
}
