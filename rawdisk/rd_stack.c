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

static const struct rd_ops rd_ro_ops = {
	.name		= "ro",
	.pread		= rd_pass_pread,
	.block_status	= rd_pass_block_status,
	.concurrent_reads = true,
};

int rd_ro_open(struct rd_disk *below, bool owns_below, struct rd_disk **out)
{
	*out = rd_alloc_priv(&rd_ro_ops, below, owns_below, 0);
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
	return rd_pass_pread(d, buf, len, off);
}

static int fault_pwrite(struct rd_disk *d, const void *buf, size_t len,
			uint64_t off)
{
	struct rd_fault *f = d->priv;

	fault_delay(f);
	if (fault_hit(f, ++f->nwrite, f->cfg.fail_write_nth))
		return fault_err(d, "write", f->nwrite);
	return rd_pass_pwrite(d, buf, len, off);
}

static int fault_flush(struct rd_disk *d)
{
	struct rd_fault *f = d->priv;

	if (fault_hit(f, ++f->nflush, f->cfg.fail_flush_nth))
		return fault_err(d, "flush", f->nflush);
	return rd_flush(d->below);
}

static const struct rd_ops rd_fault_ops = {
	.name		= "fault",
	.pread		= fault_pread,
	.pwrite		= fault_pwrite,
	.flush		= fault_flush,
	.block_status	= rd_pass_block_status,
};

int rd_fault_open(struct rd_disk *below, bool owns_below,
		  const struct rd_fault_cfg *cfg, struct rd_disk **out)
{
	struct rd_fault *f;

	*out = rd_alloc_priv(&rd_fault_ops, below, owns_below, sizeof(*f));
	if (!*out)
		return -ENOMEM;
	f = (*out)->priv;
	f->cfg = *cfg;
	(*out)->flags = below->flags & (RD_RDONLY | RD_RDWR);
	return 0;
}
