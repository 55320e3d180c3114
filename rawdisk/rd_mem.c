// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_mem.c --- an in-memory disk for tests, fuzz harnesses and small
 * synthesized images
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rawdisk/rawdisk.h"

static int mem_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	memcpy(buf, (const char *)d->priv + off, len);
	return 0;
}

static int mem_pwrite(struct rd_disk *d, const void *buf, size_t len,
		      uint64_t off)
{
	memcpy((char *)d->priv + off, buf, len);
	return 0;
}

static const struct rd_ops rd_mem_ops = {
	.name	= "mem",
	.pread	= mem_pread,
	.pwrite	= mem_pwrite,
};

int rd_mem_open(const void *data, uint64_t size, unsigned int flags,
		struct rd_disk **out)
{
	struct rd_disk *d;

	*out = NULL;
	if (size > SIZE_MAX - 1)
		return -ENOMEM;
	d = rd_alloc_priv(&rd_mem_ops, NULL, false, (size_t)size);
	if (!d)
		return -ENOMEM;
	if (data && size)
		memcpy(d->priv, data, (size_t)size);
	return rd_finish(d, NULL, size, flags & RD_RDWR ? flags & ~RD_RDONLY :
			 flags | RD_RDONLY, "memory", out);
}
