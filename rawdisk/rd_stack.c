// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_stack.c --- small stackable back ends: the read-only guard (every
 * write is -EROFS, whatever the layer below allows) and fault injection
 * (fail the Nth read/write/flush with a chosen errno, SQLite
 * io_error_pending / e2fsprogs test_io style) for error-path tests
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rawdisk/rawdisk.h"

static int pass_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	int e = rd_pread(d->below, buf, len, off);

	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

static int pass_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			     uint64_t *run_len)
{
	return rd_block_status(d->below, off, len, run_len);
}

static const struct rd_ops rd_ro_ops = {
	.name		= "ro",
	.pread		= pass_pread,
	.block_status	= pass_block_status,
};

static struct rd_disk *stack_alloc(const struct rd_ops *ops,
				   struct rd_disk *below, bool owns)
{
	struct rd_disk *d = rd_alloc(ops, below, owns);

	if (!d)
		return NULL;
	d->size = below->size;
	d->sector_size = below->sector_size;
	snprintf(d->desc, sizeof(d->desc), "%s", below->desc);
	return d;
}

int rd_ro_open(struct rd_disk *below, bool owns_below, struct rd_disk **out)
{
	*out = stack_alloc(&rd_ro_ops, below, owns_below);
	if (!*out)
		return -ENOMEM;
	(*out)->flags = RD_RDONLY;
	return 0;
}

struct rd_fault {
	struct rd_fault_cfg	cfg;		/* what to fail */
	unsigned long		nread;		/* reads so far */
	unsigned long		nwrite;		/* writes so far */
	unsigned long		nflush;		/* flushes so far */
};

static bool fault_hit(const struct rd_fault *f, unsigned long count,
		      unsigned long nth)
{
	if (!nth)
		return false;
	return count == nth || (f->cfg.sticky && count > nth);
}

static int fault_err(struct rd_disk *d, const char *what, unsigned long n)
{
	struct rd_fault *f = d->priv;
	int e = f->cfg.err ? f->cfg.err : -EIO;

	return rd_set_error(d, e, "%s: injected %s error #%lu: %s", d->desc,
			    what, n, strerror(-e));
}

/* the configured artificial latency of a slow disk */
static void fault_delay(const struct rd_fault *f)
{
	struct timespec ts = {
		.tv_sec = (time_t)(f->cfg.delay_ns / 1000000000ULL),
		.tv_nsec = (long)(f->cfg.delay_ns % 1000000000ULL),
	};

	while (f->cfg.delay_ns && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int fault_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	struct rd_fault *f = d->priv;

	fault_delay(f);
	if (fault_hit(f, ++f->nread, f->cfg.fail_read_nth))
		return fault_err(d, "read", f->nread);
	return pass_pread(d, buf, len, off);
}

static int fault_pwrite(struct rd_disk *d, const void *buf, size_t len,
			uint64_t off)
{
	struct rd_fault *f = d->priv;
	int e;

	fault_delay(f);
	if (fault_hit(f, ++f->nwrite, f->cfg.fail_write_nth))
		return fault_err(d, "write", f->nwrite);
	e = rd_pwrite(d->below, buf, len, off);
	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

static int fault_flush(struct rd_disk *d)
{
	struct rd_fault *f = d->priv;

	if (fault_hit(f, ++f->nflush, f->cfg.fail_flush_nth))
		return fault_err(d, "flush", f->nflush);
	return rd_flush(d->below);
}

static void fault_close(struct rd_disk *d)
{
	free(d->priv);
}

static const struct rd_ops rd_fault_ops = {
	.name		= "fault",
	.pread		= fault_pread,
	.pwrite		= fault_pwrite,
	.flush		= fault_flush,
	.close		= fault_close,
	.block_status	= pass_block_status,
};

int rd_fault_open(struct rd_disk *below, bool owns_below,
		  const struct rd_fault_cfg *cfg, struct rd_disk **out)
{
	struct rd_fault *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return -ENOMEM;
	*out = stack_alloc(&rd_fault_ops, below, owns_below);
	if (!*out) {
		free(f);
		return -ENOMEM;
	}
	f->cfg = *cfg;
	(*out)->priv = f;
	(*out)->flags = below->flags & (RD_RDONLY | RD_RDWR);
	return 0;
}
