// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_copy.c --- copying and verifying the planned ranges
 *
 * The copy walks the plan in disk order in chunks of up to 1 MiB, asks the
 * source's block_status to skip ranges an image does not allocate, reads,
 * and writes only the 64 KiB pieces that are not all zero (so the output
 * stays sparse and stream writers see increasing offsets).  Unreadable
 * chunks are retried sector by sector; with continue_on_error the bad
 * sectors become zeros and are listed, else the copy fails naming the
 * offset.  The totals are checked at the end, so a copy that read less than
 * planned, or wrote nothing for file systems that report data, fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p2v/p2v_priv.h"

#define CHUNK		(1u << 20)
#define PIECE		(64u * 1024)
#define REPORT_EVERY	(64ULL << 20)

struct copy_ctx {
	struct rd_disk		*src, *dst;
	const struct p2v_opts	*o;
	struct p2v_plan		*p;
	struct p2v_result	*res;
	struct p2v_progress	pr;	/* last report */
	uint64_t		next_report;	/* pr.done threshold */
	struct timespec		t0;	/* start */
	uint8_t			*buf;	/* CHUNK bytes */
	uint8_t			*buf2;	/* CHUNK bytes (verify) */
	char			*err;
	size_t			errlen;
};

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void report(struct copy_ctx *c, bool force)
{
	if (!c->o || !c->o->progress)
		return;
	if (!force && c->pr.done < c->next_report)
		return;
	c->next_report = c->pr.done + REPORT_EVERY;
	c->pr.elapsed = since(&c->t0);
	c->o->progress(c->o->ctx, &c->pr);
}

static void add_bad(struct p2v_result *r, uint64_t off, uint64_t len)
{
	r->bad_bytes += len;
	if (r->nbad && r->bad[r->nbad - 1].off + r->bad[r->nbad - 1].len == off) {
		r->bad[r->nbad - 1].len += len;
		return;
	}
	if (r->nbad < P2V_MAX_BAD)
		r->bad[r->nbad++] = (struct p2v_bad){ off, len };
}

/* Read a chunk; on error retry by sectors (continue mode) or fail. */
static int read_chunk(struct copy_ctx *c, uint8_t *buf, size_t n,
		      uint64_t off)
{
	int err = rd_pread(c->src, buf, n, off);

	if (!err)
		return 0;
	if (!c->o || !c->o->continue_on_error) {
		snprintf(c->err, c->errlen,
			 "%s: unreadable at byte %llu: %s (use --continue-on-error to copy zeros instead)",
			 c->src->desc, (unsigned long long)off,
			 rd_strerror(c->src)[0] ? rd_strerror(c->src) :
			 strerror(-err));
		return err;
	}
	for (size_t s = 0; s < n; s += 512) {
		size_t m = n - s < 512 ? n - s : 512;

		if (rd_pread(c->src, buf + s, m, off + s)) {
			memset(buf + s, 0, m);
			add_bad(c->res, off + s, m);
		}
	}
	return 0;
}

/* Write the non-zero 64 KiB pieces of @buf. */
static int write_chunk(struct copy_ctx *c, const uint8_t *buf, size_t n,
		       uint64_t off, uint64_t *copied)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, len;
		int err;

		len = n - i < PIECE ? n - i : PIECE - (size_t)((off + i) % PIECE);
		if (len > n - i)
			len = n - i;
		if (p2v_is_zero(buf + i, len)) {
			i += len;
			continue;
		}
		/* extend over following non-zero pieces */
		j = i + len;
		while (j < n) {
			size_t l2 = n - j < PIECE ? n - j : PIECE;

			if (p2v_is_zero(buf + j, l2))
				break;
			j += l2;
		}
		err = rd_pwrite(c->dst, buf + i, j - i, off + i);
		if (err) {
			snprintf(c->err, c->errlen, "%s",
				 rd_strerror(c->dst)[0] ? rd_strerror(c->dst) :
				 strerror(-err));
			return err;
		}
		*copied += j - i;
		i = j;
	}
	return 0;
}

static int copy_extent(struct copy_ctx *c, const struct p2v_extent *e)
{
	struct p2v_area *a = &c->p->area[e->area];
	uint64_t off = e->off, end = e->off + e->len;

	while (off < end) {
		uint64_t n = CHUNK - off % CHUNK, run;
		int st, err;

		if (c->o && c->o->stop && *c->o->stop) {
			snprintf(c->err, c->errlen, "interrupted");
			return -EINTR;
		}
		if (n > end - off)
			n = end - off;
		st = rd_block_status(c->src, off, n, &run);
		if (st >= 0 && run && run < n)
			n = run;
		if (st != RD_BLK_ZERO && st != RD_BLK_UNALLOC) {
			uint64_t copied = 0;

			err = read_chunk(c, c->buf, (size_t)n, off);
			if (!err)
				err = write_chunk(c, c->buf, (size_t)n, off,
						  &copied);
			if (err)
				return err;
			a->copied += copied;
			c->res->copied += copied;
		}
		a->read += n;
		c->res->read += n;
		c->pr.done += n;
		c->pr.area_done += n;
		off += n;
		report(c, false);
	}
	return 0;
}

static int check_totals(struct copy_ctx *c)
{
	for (unsigned int i = 0; i < c->p->narea; i++) {
		struct p2v_area *a = &c->p->area[i];

		if (a->read != a->planned) {
			snprintf(c->err, c->errlen,
				 "internal error: area %u: planned %llu bytes, read %llu",
				 i, (unsigned long long)a->planned,
				 (unsigned long long)a->read);
			return -EIO;
		}
		if (!strcmp(a->method, "bitmap") && a->used && !a->copied) {
			snprintf(c->err, c->errlen,
				 "partition %u (%s) reports %llu bytes in use but nothing was copied",
				 a->part, a->fs, (unsigned long long)a->used);
			return -EIO;
		}
		if (!strcmp(a->method, "bitmap") && a->planned < a->used) {
			snprintf(c->err, c->errlen,
				 "partition %u (%s): planned %llu bytes, fewer than the %llu in use",
				 a->part, a->fs, (unsigned long long)a->planned,
				 (unsigned long long)a->used);
			return -EIO;
		}
	}
	return 0;
}

int p2v_copy(struct rd_disk *src, struct rd_disk *dst, struct p2v_plan *p,
	     const struct p2v_opts *o, struct p2v_result *res, char *err,
	     size_t errlen)
{
	struct copy_ctx c = {
		.src = src, .dst = dst, .o = o, .p = p, .res = res,
		.err = err, .errlen = errlen,
	};
	int e = 0;

	memset(res, 0, sizeof(*res));
	if (rd_size(dst) != rd_size(src)) {
		snprintf(err, errlen, "output size %llu differs from source size %llu",
			 (unsigned long long)rd_size(dst),
			 (unsigned long long)rd_size(src));
		return -EINVAL;
	}
	c.buf = aligned_alloc(4096, CHUNK);
	if (!c.buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.pr.total = p2v_plan_bytes(p);
	c.pr.phase = "copy";
	for (unsigned int i = 0; i < p->narea; i++) {
		p->area[i].read = 0;
		p->area[i].copied = 0;
	}
	for (size_t i = 0; !e && i < p->next; i++) {
		if (!i || p->ext[i].area != p->ext[i - 1].area) {
			if (i)
				report(&c, true);
			c.pr.area = &p->area[p->ext[i].area];
			c.pr.area_done = 0;
		}
		e = copy_extent(&c, &p->ext[i]);
	}
	if (!e)
		report(&c, true);
	if (!e) {
		e = rd_flush(dst);
		if (e)
			snprintf(err, errlen, "%s", rd_strerror(dst)[0] ?
				 rd_strerror(dst) : strerror(-e));
	}
	if (!e)
		e = check_totals(&c);
	res->seconds = since(&c.t0);
	free(c.buf);
	return e;
}

static bool in_bad(const struct p2v_result *r, uint64_t off, uint64_t len)
{
	for (unsigned int i = 0; r && i < r->nbad; i++)
		if (off < r->bad[i].off + r->bad[i].len &&
		    r->bad[i].off < off + len)
			return true;
	return false;
}

int p2v_verify(struct rd_disk *src, struct rd_disk *out,
	       const struct p2v_plan *p, const struct p2v_result *res,
	       const struct p2v_opts *o, char *err, size_t errlen)
{
	uint8_t *a = aligned_alloc(4096, CHUNK), *b = aligned_alloc(4096, CHUNK);
	struct copy_ctx c = { .o = o };
	int e = 0;

	if (!a || !b) {
		free(a);
		free(b);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (rd_size(out) < rd_size(src)) {
		e = -EIO;
		snprintf(err, errlen, "output is smaller than the source");
	}
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.pr.total = p2v_plan_bytes(p);
	c.pr.phase = "verify";
	for (size_t i = 0; !e && i < p->next; i++) {
		const struct p2v_extent *x = &p->ext[i];

		c.pr.area = &p->area[x->area];
		for (uint64_t off = x->off; !e && off < x->off + x->len;) {
			uint64_t n = CHUNK - off % CHUNK;

			if (o && o->stop && *o->stop) {
				snprintf(err, errlen, "interrupted");
				e = -EINTR;
				break;
			}
			if (n > x->off + x->len - off)
				n = x->off + x->len - off;
			if (rd_pread(src, a, n, off) || rd_pread(out, b, n, off)) {
				if (!in_bad(res, off, n)) {
					snprintf(err, errlen, "verify: read error at byte %llu: %s",
						 (unsigned long long)off,
						 rd_strerror(out)[0] ? rd_strerror(out) :
						 rd_strerror(src));
					e = -EIO;
				}
			} else if (memcmp(a, b, n) && !in_bad(res, off, n)) {
				uint64_t k = 0;

				while (a[k] == b[k])
					k++;
				snprintf(err, errlen,
					 "verify: output differs from the source at byte %llu (partition %u)",
					 (unsigned long long)(off + k),
					 p->area[x->area].part);
				e = -EIO;
			}
			off += n;
			c.pr.done += n;
			report(&c, false);
		}
	}
	free(a);
	free(b);
	return e;
}
