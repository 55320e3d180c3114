// SPDX-License-Identifier: GPL-2.0-only
/*
 * gmem.c --- memfd-backed guest memory
 *
 * The store is created with memfd_create(2) and mapped MAP_SHARED, so pages
 * are allocated lazily by the host kernel: a 4 GiB guest that touches 20 MiB
 * costs 20 MiB.  MADV_HUGEPAGE is a hint only.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "board/gmem.h"

#define GMEM_PAGE	4096ULL
#define GMEM_MAX	(1ULL << 40)	/* 1 TiB: refuse anything larger */

struct gmem {
	int		fd;	/* memfd, close-on-exec */
	uint8_t		*host;	/* MAP_SHARED mapping of the whole fd */
	uint64_t	size;	/* bytes, 4 KiB multiple */
};

int gmem_create(const char *name, uint64_t size, struct gmem **out)
{
	struct gmem *g;
	int err;

	*out = NULL;
	if (size == 0 || size > GMEM_MAX)
		return -EINVAL;
	size = (size + GMEM_PAGE - 1) & ~(GMEM_PAGE - 1);
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->size = size;
	g->fd = memfd_create(name, MFD_CLOEXEC);
	if (g->fd < 0) {
		err = -errno;
		goto out_free;
	}
	if (ftruncate(g->fd, (off_t)size) < 0) {
		err = -errno;
		goto out_close;
	}
	g->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       g->fd, 0);
	if (g->host == MAP_FAILED) {
		err = -errno;
		goto out_close;
	}
	madvise(g->host, size, MADV_HUGEPAGE);
	*out = g;
	return 0;

out_close:
	close(g->fd);
out_free:
	free(g);
	return err;
}

void gmem_destroy(struct gmem *g)
{
	if (!g)
		return;
	munmap(g->host, g->size);
	close(g->fd);
	free(g);
}

uint8_t *gmem_host(const struct gmem *g)
{
	return g->host;
}

uint64_t gmem_size(const struct gmem *g)
{
	return g->size;
}

int gmem_fd(const struct gmem *g)
{
	return g->fd;
}
