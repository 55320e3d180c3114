// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_core.c --- the generic part of the block layer: allocation, bounds
 * checks and error strings shared by every back end.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"

struct rd_disk *rd_alloc(const struct rd_ops *ops, struct rd_disk *below,
			 bool owns_below)
{
	struct rd_disk *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->ops = ops;
	d->below = below;
	d->owns_below = owns_below;
	d->sector_size = below ? below->sector_size : 512;
	return d;
}

static bool in_bounds(const struct rd_disk *d, size_t len, uint64_t off)
{
	return off <= d->size && len <= d->size - off;
}

int rd_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	if (!in_bounds(d, len, off))
		return rd_set_error(d, -EINVAL,
				    "%s: read of %zu bytes at %llu is beyond the end (%llu)",
				    d->desc, len, (unsigned long long)off,
				    (unsigned long long)d->size);
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
		return rd_set_error(d, -EINVAL,
				    "%s: write of %zu bytes at %llu is beyond the end (%llu)",
				    d->desc, len, (unsigned long long)off,
				    (unsigned long long)d->size);
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
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		int e;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			if (!d)
				return -e;
			return rd_set_error(d, -e, "%s: write at %llu: %s%s",
					    d->desc, (unsigned long long)off,
					    strerror(e), e == ENOSPC ?
					    " (output file system is full)" : "");
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}
