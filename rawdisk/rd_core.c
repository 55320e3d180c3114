// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_core.c --- the generic part of the block layer: allocation, bounds
 * checks, error strings and pass-through callbacks shared by every back
 * end.  The wrappers here are the only way I/O enters a back end, so every
 * back end can trust @off and @len.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/lib.h"
#include "rawdisk/rawdisk.h"

struct rd_disk *rd_alloc(const struct rd_ops *ops, struct rd_disk *below,
			 bool owns_below)
{
	struct rd_disk *d;

	assert(ops && ops->name && ops->pread);
	assert(below || !owns_below);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->ops = ops;
	d->below = below;
	d->owns_below = owns_below;
	d->sector_size = below ? below->sector_size : 512;
	return d;
}

struct rd_disk *rd_alloc_priv(const struct rd_ops *ops, struct rd_disk *below,
			      bool owns_below, size_t priv_size)
{
	struct rd_disk *d = rd_alloc(ops, below, owns_below);

	if (!d)
		return NULL;
	d->priv = calloc(1, priv_size ? priv_size : 1);
	if (!d->priv) {
		free(d);
		return NULL;
	}
	if (below) {
		d->size = below->size;
		snprintf(d->desc, sizeof(d->desc), "%s", below->desc);
	}
	return d;
}

int rd_finish(struct rd_disk *d, void *priv, uint64_t size,
	      unsigned int flags, const char *desc, struct rd_disk **out)
{
	assert(d && out);
	if (priv)
		d->priv = priv;
	d->size = size;
	d->flags = flags;
	if (desc)
		snprintf(d->desc, sizeof(d->desc), "%s", desc);
	*out = d;
	return 0;
}

int rd_fd_sync(struct rd_disk *d, int fd)
{
	if (fdatasync(fd) < 0)
		return rd_set_error(d, -errno, "%s: sync: %s", d->desc,
				    strerror(errno));
	return 0;
}

static bool in_bounds(const struct rd_disk *d, size_t len, uint64_t off)
{
	return off <= d->size && len <= d->size - off;
}

static int beyond_end(struct rd_disk *d, const char *what, size_t len,
		      uint64_t off)
{
	return rd_set_error(d, -EINVAL,
			    "%s: %s of %zu bytes at %llu is beyond the end (%llu)",
			    d->desc, what, len, (unsigned long long)off,
			    (unsigned long long)d->size);
}

bool rd_reads_concurrent(const struct rd_disk *d)
{
	for (; d; d = d->below)
		if (!d->ops->concurrent_reads)
			return false;
	return true;
}

int rd_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	if (!in_bounds(d, len, off))
		return beyond_end(d, "read", len, off);
	if (len == 0)
		return 0;
	return d->ops->pread(d, buf, len, off);
}

int rd_pwrite(struct rd_disk *d, const void *buf, size_t len, uint64_t off)
{
	if ((d->flags & RD_RDONLY) || !d->ops->pwrite)
		return rd_set_error(d, -EROFS, "%s: disk is read-only",
				    d->desc);
	if ((d->flags & RD_GROW) && off <= UINT64_MAX - len &&
	    off + len > d->size) {
		int err = len ? d->ops->pwrite(d, buf, len, off) : 0;

		if (!err)
			d->size = off + len;
		return err;
	}
	if (!in_bounds(d, len, off))
		return beyond_end(d, "write", len, off);
	if (len == 0)
		return 0;
	return d->ops->pwrite(d, buf, len, off);
}

int rd_flush(struct rd_disk *d)
{
	return d->ops->flush ? d->ops->flush(d) : 0;
}

int rd_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
		    uint64_t *run_len)
{
	if (!in_bounds(d, len, off))
		return -EINVAL;
	if (!d->ops->block_status) {
		*run_len = len;
		return RD_BLK_DATA;
	}
	return d->ops->block_status(d, off, len, run_len);
}

void rd_close(struct rd_disk *d)
{
	if (!d)
		return;
	if (d->ops->close)
		d->ops->close(d);
	else
		free(d->priv);
	if (d->owns_below)
		rd_close(d->below);
	free(d);
}

int rd_set_error(struct rd_disk *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *rd_strerror(const struct rd_disk *d)
{
	return d->err;
}

int rd_fd_write_all(struct rd_disk *d, int fd, const void *buf, size_t len,
		    uint64_t off)
{
	int e = lib_pwrite_all(fd, buf, len, off);

	if (!e || !d)
		return e;
	return rd_set_error(d, e, "%s: write at %llu: %s%s", d->desc,
			    (unsigned long long)off, strerror(-e),
			    e == -ENOSPC ? " (output file system is full)" : "");
}

int rd_pass_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	int e = rd_pread(d->below, buf, len, off);

	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

int rd_pass_pwrite(struct rd_disk *d, const void *buf, size_t len,
		   uint64_t off)
{
	int e = rd_pwrite(d->below, buf, len, off);

	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

int rd_pass_flush(struct rd_disk *d)
{
	int e = rd_flush(d->below);

	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

int rd_pass_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			 uint64_t *run_len)
{
	return rd_block_status(d->below, off, len, run_len);
}
