// SPDX-License-Identifier: GPL-2.0-only
/*
 * fmt_bmap.c --- the shared engine of the block-map image formats
 *
 * One rd_ops for VMDK sparse, VHD dynamic, VHDX and VDI readers and writers
 * (see fmt_priv.h).  Reads of unallocated blocks return zeros (no backing
 * chains); block_status reports the map so P2V and `--verify` see what is
 * allocated.  Writers allocate a block at the end of the file on the first
 * non-zero write to it (zero writes to unallocated blocks are dropped: the
 * block already reads as zeros), so the output stays sparse.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "lib/lib.h"
#include "rawdisk/fmt_priv.h"

int fmt_io_read(struct fmt_bmap *b, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	if (b->fd < 0)
		return rd_pread(b->below, buf, len, off);
	n = lib_pread_full(b->fd, buf, len, off);
	if (n < 0)
		return rd_set_error(b->disk, (int)n, "%s: read: %s", b->path,
				    strerror((int)-n));
	/* past the end of a growing file: a hole */
	memset((char *)buf + n, 0, len - (size_t)n);
	return 0;
}

int fmt_io_write(struct fmt_bmap *b, const void *buf, size_t len,
		 uint64_t off)
{
	if (b->fd < 0)
		return rd_set_error(b->disk, -EROFS, "%s: read-only",
				    b->disk->desc);
	return rd_fd_write_all(b->disk, b->fd, buf, len, off);
}

bool fmt_is_zero(const void *p, size_t len)
{
	const uint8_t *c = p;

	while (len && ((uintptr_t)c & 7)) {
		if (*c++)
			return false;
		len--;
	}
	for (; len >= 8; len -= 8, c += 8)
		if (*(const uint64_t *)(const void *)c)
			return false;
	while (len--)
		if (*c++)
			return false;
	return true;
}

struct fmt_bmap *fmt_bmap_of(struct rd_disk *d)
{
	return d->priv;
}

static int bmap_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	struct fmt_bmap *b = d->priv;
	char *p = buf;

	while (len) {
		uint64_t blk = off / b->block_size, in = off % b->block_size;
		size_t n = len;
		int err = 0;

		if (n > b->block_size - in)
			n = (size_t)(b->block_size - in);
		if (blk >= b->nblocks || b->map[blk] <= FMT_ZERO)
			memset(p, 0, n);
		else if (b->ops->read_block)
			err = b->ops->read_block(b, blk, p, n, in);
		else
			err = fmt_io_read(b, p, n, b->map[blk] + in);
		if (err)
			return err;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int bmap_alloc(struct fmt_bmap *b, uint64_t blk)
{
	uint64_t a = b->ops->align ? b->ops->align : 512;
	uint64_t off = (b->eof + a - 1) / a * a;
	int err;

	if (b->ops->alloc) {
		err = b->ops->alloc(b, blk, off);
		if (err)
			return err;
	}
	b->map[blk] = off + b->ops->prefix;
	b->eof = b->map[blk] + b->block_size;
	b->allocated++;
	b->dirty = true;
	return 0;
}

static int bmap_pwrite(struct rd_disk *d, const void *buf, size_t len,
		       uint64_t off)
{
	struct fmt_bmap *b = d->priv;
	const char *p = buf, *run_p = NULL;
	uint64_t run_off = 0;
	size_t run_len = 0;
	int err;

	if (b->finished)
		return rd_set_error(d, -EINVAL, "%s: image already finished",
				    d->desc);
	/* pieces landing back to back in the file go out in one write */
	while (len) {
		uint64_t blk = off / b->block_size, in = off % b->block_size;
		size_t n = len;

		if (n > b->block_size - in)
			n = (size_t)(b->block_size - in);
		if (b->map[blk] <= FMT_ZERO) {
			if (fmt_is_zero(p, n))
				goto next;
			err = bmap_alloc(b, blk);
			if (err)
				return err;
		}
		if (run_len && run_off + run_len == b->map[blk] + in) {
			run_len += n;
		} else {
			if (run_len) {
				err = fmt_io_write(b, run_p, run_len, run_off);
				if (err)
					return err;
			}
			run_p = p;
			run_off = b->map[blk] + in;
			run_len = n;
		}
next:
		p += n;
		off += n;
		len -= n;
	}
	return run_len ? fmt_io_write(b, run_p, run_len, run_off) : 0;
}

static int bmap_flush(struct rd_disk *d)
{
	struct fmt_bmap *b = d->priv;
	int err;

	if (b->fd < 0 || !b->dirty)
		return 0;
	err = b->ops->commit(b);
	if (err)
		return err;
	b->dirty = false;
	return rd_fd_sync(d, b->fd);
}

static int bmap_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			     uint64_t *run_len)
{
	struct fmt_bmap *b = d->priv;
	uint64_t blk = off / b->block_size;
	uint64_t run = b->block_size - off % b->block_size;
	int st;

	if (blk >= b->nblocks) {
		*run_len = len;
		return RD_BLK_UNALLOC;
	}
	st = b->map[blk] == FMT_UNALLOC ? RD_BLK_UNALLOC :
	     b->map[blk] == FMT_ZERO ? RD_BLK_ZERO : RD_BLK_DATA;
	for (blk++; run < len && blk < b->nblocks; blk++) {
		int s2 = b->map[blk] == FMT_UNALLOC ? RD_BLK_UNALLOC :
			 b->map[blk] == FMT_ZERO ? RD_BLK_ZERO : RD_BLK_DATA;

		if (s2 != st)
			break;
		run += b->block_size;
	}
	*run_len = run < len ? run : len;
	return st;
}

static void bmap_close(struct rd_disk *d)
{
	struct fmt_bmap *b = d->priv;

	if (!b)
		return;
	if (b->fd >= 0) {
		if (b->dirty)
			(void)b->ops->commit(b);
		close(b->fd);
	}
	if (b->ops->free)
		b->ops->free(b);
	else
		free(b->fmt);
	rd_close(b->below);
	free(b->map);
	free(b->path);
	free(b);
}

static const struct rd_ops fmt_bmap_rd_ops = {
	.name		= "image",
	.pread		= bmap_pread,
	.pwrite		= bmap_pwrite,
	.flush		= bmap_flush,
	.close		= bmap_close,
	.block_status	= bmap_block_status,
};

static int bmap_new(const struct fmt_bmap_ops *ops, uint64_t size,
		    uint64_t block_size, void *fmt, struct fmt_bmap **bp,
		    struct rd_disk **dp)
{
	struct fmt_bmap *b;
	struct rd_disk *d;
	uint64_t n;

	if (!block_size || (block_size & (block_size - 1)) || !size)
		return -EINVAL;
	n = size / block_size + (size % block_size != 0);
	if (n > (1ULL << 32))
		return -EOVERFLOW;
	b = calloc(1, sizeof(*b));
	d = rd_alloc(&fmt_bmap_rd_ops, NULL, false);
	if (b)
		b->map = calloc(n, sizeof(*b->map));
	if (!b || !d || !b->map) {
		if (b)
			free(b->map);
		free(b);
		free(d);
		return -ENOMEM;
	}
	b->ops = ops;
	b->disk = d;
	b->fd = -1;
	b->block_size = block_size;
	b->nblocks = n;
	b->fmt = fmt;
	d->size = size;
	d->priv = b;
	*bp = b;
	*dp = d;
	return 0;
}

int fmt_bmap_reader(const struct fmt_bmap_ops *ops, struct rd_disk *below,
		    uint64_t size, uint64_t block_size, void *fmt,
		    struct rd_disk **out)
{
	struct fmt_bmap *b;
	struct rd_disk *d;
	int err = bmap_new(ops, size, block_size, fmt, &b, &d);

	if (err)
		return err;
	b->below = below;
	return rd_finish(d, NULL, size, RD_RDONLY, below->desc, out);
}

int fmt_bmap_writer(const struct fmt_bmap_ops *ops, const char *path,
		    uint64_t size, uint64_t block_size, uint64_t data_start,
		    void *fmt, struct rd_disk **out, char *err, size_t errlen)
{
	struct fmt_bmap *b;
	struct rd_disk *d;
	int e = bmap_new(ops, size, block_size, fmt, &b, &d);

	assert(!ops->free);	/* writers keep plain malloc()ed state */
	if (e) {
		snprintf(err, errlen, "%s: bad size %llu for %s: %s", path,
			 (unsigned long long)size, ops->name, strerror(-e));
		free(fmt);
		return e;
	}
	b->path = strdup(path);
	b->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (b->fd < 0 || !b->path) {
		e = b->path ? -errno : -ENOMEM;
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		if (b->fd >= 0)
			close(b->fd);
		b->fd = -1;
		rd_close(d);
		return e;
	}
	b->eof = data_start;
	b->dirty = true;
	return rd_finish(d, NULL, size, RD_RDWR, path, out);
}

void fmt_bmap_abandon(struct rd_disk *d)
{
	fmt_bmap_of(d)->below = NULL;
	rd_close(d);
}

int fmt_bmap_bad_block(struct rd_disk *d, uint64_t blk)
{
	struct fmt_bmap *b = fmt_bmap_of(d);
	struct rd_disk *below = b->below;
	const char *name = b->ops->name;

	fmt_bmap_abandon(d);
	return rd_set_error(below, -EINVAL, "%s: %s block %llu outside the file",
			    below->desc, name, (unsigned long long)blk);
}

int fmt_io_truncate(struct fmt_bmap *b, uint64_t len)
{
	assert(b->fd >= 0);
	if (ftruncate(b->fd, (off_t)len) < 0)
		return rd_set_error(b->disk, -errno, "%s: truncate: %s",
				    b->path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ helpers */

int fmt_size_check(const char *path, const char *format, uint64_t size,
		   uint64_t max, const char *limit, char *err, size_t errlen)
{
	if (size && size % 512 == 0 && size <= max)
		return 0;
	snprintf(err, errlen, "%s: %s size must be a multiple of 512 %s", path,
		 format, limit);
	return -EINVAL;
}

uint32_t fmt_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return ~crc;
}

void fmt_uuid_random(uint8_t out[16])
{
	if (getrandom(out, 16, 0) != 16) {
		for (int i = 0; i < 16; i++)
			out[i] = (uint8_t)(rand() >> 3);
	}
	out[6] = (out[6] & 0x0f) | 0x40;
	out[8] = (out[8] & 0x3f) | 0x80;
}
