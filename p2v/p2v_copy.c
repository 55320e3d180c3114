// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_copy.c --- copying and verifying the planned ranges
 *
 * The copy walks the plan in disk order in chunks of up to 1 MiB, asks the
 * source's block_status to skip ranges an image does not allocate (a hole
 * of any length is skipped at once: SEEK_DATA/SEEK_HOLE on raw files and
 * devices that support it, the allocation map of image formats), reads
 * (in one or two reader threads, a few chunks ahead, each chunk looked at
 * for zeros while it is in the reading core's cache), and writes only the
 * 64 KiB pieces that are not all zero (so the output stays sparse and
 * stream writers see increasing offsets).  Unreadable
 * chunks are retried sector by sector; with continue_on_error the bad
 * sectors become zeros and are listed, else the copy fails naming the
 * offset.  The totals are checked at the end, so a copy that read less than
 * planned, or wrote nothing for file systems that report data, fails.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p2v/p2v_priv.h"

#define CHUNK		(1u << 20)
#define PIECE		(64u * 1024)
#define SCAN		(256u * 1024)	/* read-then-look unit */
#define REPORT_EVERY	(64ULL << 20)

struct copy_ctx {
	struct rd_disk		*src, *dst;
	const struct p2v_opts	*o;
	struct p2v_plan		*p;
	struct p2v_result	*res;
	struct p2v_progress	pr;	/* last report */
	uint64_t		next_report;	/* pr.done threshold */
	struct timespec		t0;	/* start */
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

/*
 * Reader threads walk the plan and fill a ring of chunks (source block
 * status, read, retries, a look for zeros); the caller's thread writes them
 * in disk order.  Reading the source and writing the output overlap, which
 * matters when both are real disks.  A source whose every layer may be read
 * from several threads at once (a raw file or device, rd_reads_concurrent())
 * gets two readers, so that on a cached or fast source the kernel's copies
 * and the looks for zeros use both cores; others, and copies that may meet
 * bad sectors (continue_on_error keeps the bad list in disk order), one.
 */
#define NSLOT		8
#define NREADER_MAX	2

enum slot_state { SLOT_FREE, SLOT_READING, SLOT_READY };

struct slot {
	enum slot_state	state;
	uint64_t	off;		/* bytes */
	uint64_t	len;		/* bytes */
	unsigned int	area;		/* plan area */
	bool		data;		/* read into buf (else zero/unalloc) */
	int		err;		/* read error: stop here */
	char		msg[400];	/* its message */
	uint8_t		*buf;		/* CHUNK bytes */
};

struct ring {
	pthread_mutex_t	mu;
	pthread_cond_t	cv;		/* any change of a slot or flag */
	struct slot	s[NSLOT];	/* chunks in disk order */
	unsigned int	head;		/* next to write */
	unsigned int	tail;		/* next to fill */
	size_t		ext;		/* plan walk: extent */
	uint64_t	off;		/* plan walk: next byte */
	uint64_t	data_end;	/* source known to be data up to here */
	bool		end;		/* plan walked, or a read failed */
	unsigned int	readers;	/* reader threads still running */
	bool		abort;		/* writer gave up: readers stop */
	struct copy_ctx	*c;		/* shared context */
};

/* Read a chunk; on error retry by sectors (continue mode) or fail. */
static int read_chunk(struct copy_ctx *c, struct slot *sl, uint8_t *buf,
		      size_t n, uint64_t off)
{
	int err = rd_pread(c->src, buf, n, off);

	if (!err)
		return 0;
	if (!c->o || !c->o->continue_on_error) {
		snprintf(sl->msg, sizeof(sl->msg),
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

/*
 * Read a chunk in pieces that stay in this core's cache and look at each
 * while it is there: a chunk of zeros (a zero-filled source) then costs the
 * writer nothing.  0 or -errno.
 */
static int read_scan(struct copy_ctx *c, struct slot *sl)
{
	bool zero = true;

	for (size_t i = 0; i < sl->len; i += SCAN) {
		size_t m = sl->len - i < SCAN ? (size_t)sl->len - i : SCAN;
		int err = read_chunk(c, sl, sl->buf + i, m, sl->off + i);

		if (err)
			return err;
		if (zero)
			zero = p2v_is_zero(sl->buf + i, m);
	}
	if (zero)
		sl->data = false;
	return 0;
}

/* Under r->mu: lay out the next chunk of the plan in @sl.  False at the
 * end of the plan. */
static bool ring_next(struct ring *r, struct slot *sl)
{
	struct copy_ctx *c = r->c;
	const struct p2v_extent *e;
	uint64_t n, run;
	int st;

	while (r->ext < c->p->next &&
	       r->off >= c->p->ext[r->ext].off + c->p->ext[r->ext].len) {
		if (++r->ext < c->p->next)
			r->off = c->p->ext[r->ext].off;
	}
	if (r->ext >= c->p->next)
		return false;
	e = &c->p->ext[r->ext];
	n = CHUNK - r->off % CHUNK;
	/* a hole or zero run is one slot however long it is: no reads, no
	 * per-MiB hand-over to the writer; a data run is asked about once,
	 * not per chunk */
	if (r->off < r->data_end) {
		st = RD_BLK_DATA;
		run = r->data_end - r->off;
	} else {
		st = rd_block_status(c->src, r->off, e->off + e->len - r->off,
				     &run);
		if (st == RD_BLK_DATA && run)
			r->data_end = r->off + run;
	}
	if ((st == RD_BLK_ZERO || st == RD_BLK_UNALLOC) && run)
		n = run;
	else if (st >= 0 && run && run < n)
		n = run;
	if (n > e->off + e->len - r->off)
		n = e->off + e->len - r->off;
	sl->off = r->off;
	sl->len = n;
	sl->area = e->area;
	sl->data = st != RD_BLK_ZERO && st != RD_BLK_UNALLOC;
	sl->err = 0;
	r->off += n;
	return true;
}

static void *reader_main(void *arg)
{
	struct ring *r = arg;
	struct copy_ctx *c = r->c;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct slot *sl;

		while (r->s[r->tail].state != SLOT_FREE && !r->abort &&
		       !r->end)
			pthread_cond_wait(&r->cv, &r->mu);
		sl = &r->s[r->tail];
		if (r->abort || r->end || !ring_next(r, sl)) {
			r->end = true;
			break;
		}
		sl->state = SLOT_READING;
		r->tail = (r->tail + 1) % NSLOT;
		pthread_mutex_unlock(&r->mu);

		if (c->o && c->o->stop && atomic_load(c->o->stop)) {
			snprintf(sl->msg, sizeof(sl->msg), "interrupted");
			sl->err = -EINTR;
		} else if (sl->data) {
			sl->err = read_scan(c, sl);
		}

		pthread_mutex_lock(&r->mu);
		sl->state = SLOT_READY;
		if (sl->err)
			r->end = true;	/* the writer stops at this slot */
		pthread_cond_broadcast(&r->cv);
	}
	r->readers--;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Write one chunk from the ring and account for it.  0 or -errno. */
static int consume(struct copy_ctx *c, struct slot *sl, unsigned int *last)
{
	struct p2v_area *a = &c->p->area[sl->area];
	uint64_t copied = 0;
	int err;

	if (sl->err) {
		snprintf(c->err, c->errlen, "%s", sl->msg);
		return sl->err;
	}
	if (sl->area != *last) {
		if (*last != ~0u)
			report(c, true);
		c->pr.area = a;
		c->pr.area_done = 0;
		*last = sl->area;
	}
	if (sl->data) {
		err = write_chunk(c, sl->buf, (size_t)sl->len, sl->off, &copied);
		if (err)
			return err;
		a->copied += copied;
		c->res->copied += copied;
	}
	a->read += sl->len;
	c->res->read += sl->len;
	c->pr.done += sl->len;
	c->pr.area_done += sl->len;
	report(c, false);
	if (c->o && c->o->stop && atomic_load(c->o->stop)) {
		snprintf(c->err, c->errlen, "interrupted");
		return -EINTR;
	}
	return 0;
}

static int copy_all(struct copy_ctx *c)
{
	struct ring *r = calloc(1, sizeof(*r));
	unsigned int last = ~0u, nreaders = 1, started = 0;
	pthread_t tid[NREADER_MAX];
	int e = 0;

	if (!r)
		return -ENOMEM;
	for (unsigned int i = 0; i < NSLOT; i++) {
		r->s[i].buf = aligned_alloc(4096, CHUNK);
		if (!r->s[i].buf)
			e = -ENOMEM;
	}
	if (rd_reads_concurrent(c->src) &&
	    !(c->o && c->o->continue_on_error))
		nreaders = NREADER_MAX;
	r->c = c;
	if (c->p->next)
		r->off = c->p->ext[0].off;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->readers = nreaders;
	while (!e && started < nreaders) {
		if (pthread_create(&tid[started], NULL, reader_main, r))
			e = -EAGAIN;
		else
			started++;
	}
	if (e) {
		pthread_mutex_lock(&r->mu);
		r->abort = true;
		r->readers -= nreaders - started;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		snprintf(c->err, c->errlen, "cannot start the reader: %s",
			 strerror(-e));
		goto out_join;
	}
	for (;;) {
		struct slot *sl = &r->s[r->head];

		pthread_mutex_lock(&r->mu);
		while (sl->state != SLOT_READY &&
		       !(r->readers == 0 && sl->state == SLOT_FREE))
			pthread_cond_wait(&r->cv, &r->mu);
		if (sl->state != SLOT_READY) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		pthread_mutex_unlock(&r->mu);
		e = consume(c, sl, &last);
		pthread_mutex_lock(&r->mu);
		sl->state = SLOT_FREE;
		r->head = (r->head + 1) % NSLOT;
		if (e)
			r->abort = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (e)
			break;
	}
out_join:
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	for (unsigned int i = 0; i < NSLOT; i++)
		free(r->s[i].buf);
	free(r);
	return e;
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
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.pr.total = p2v_plan_bytes(p);
	c.pr.phase = "copy";
	for (unsigned int i = 0; i < p->narea; i++) {
		p->area[i].read = 0;
		p->area[i].copied = 0;
	}
	e = copy_all(&c);
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

/*
 * Do @src and @out both read as zeros from @off on, by their own maps (a
 * hole in the source file, an unallocated cluster of the output, which has
 * no backing file)?  Then *@n is the length of that run (at most @len).
 * The source must say ZERO: UNALLOC there may mean "read the backing".
 */
static bool both_zero(struct rd_disk *src, struct rd_disk *out, uint64_t off,
		      uint64_t len, uint64_t *n)
{
	uint64_t r1, r2;
	int st;

	if (rd_block_status(src, off, len, &r1) != RD_BLK_ZERO || !r1)
		return false;
	st = rd_block_status(out, off, r1, &r2);
	if ((st != RD_BLK_ZERO && st != RD_BLK_UNALLOC) || !r2)
		return false;
	*n = r2 < r1 ? r2 : r1;
	return true;
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

			if (o && o->stop && atomic_load(o->stop)) {
				snprintf(err, errlen, "interrupted");
				e = -EINTR;
				break;
			}
			if (n > x->off + x->len - off)
				n = x->off + x->len - off;
			if (both_zero(src, out, off, x->off + x->len - off, &n)) {
				off += n;
				c.pr.done += n;
				report(&c, false);
				continue;
			}
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
