// SPDX-License-Identifier: GPL-2.0-only
/*
 * iospace.c --- port-I/O and MMIO range dispatch
 *
 * Ranges are kept in an array sorted by base and found by binary search: a PC
 * has a few dozen regions, registration is rare and lookups are on every
 * guest I/O access.  Unclaimed accesses are logged once per address (first
 * IOSPACE_LOG_MAX addresses only) so a guest probing every port cannot flood
 * the log.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/iospace.h"

#define IOSPACE_LOG_MAX	64	/* distinct unclaimed addresses logged */

struct io_range {
	uint64_t		base;
	uint64_t		len;	/* > 0; base + len does not wrap */
	const struct io_ops	*ops;
	void			*opaque;
};

struct iospace {
	char		name[16];
	struct io_range	*r;		/* sorted by base, non-overlapping */
	unsigned int	n, cap;
	uint64_t	unclaimed;	/* accesses that hit nothing */
	uint64_t	logged[IOSPACE_LOG_MAX];
	unsigned int	nlogged;
	bool		log;
};

int iospace_create(const char *name, struct iospace **out)
{
	struct iospace *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return -ENOMEM;
	snprintf(sp->name, sizeof(sp->name), "%s", name);
	sp->log = true;
	*out = sp;
	return 0;
}

void iospace_destroy(struct iospace *sp)
{
	if (!sp)
		return;
	free(sp->r);
	free(sp);
}

/* Index of the first range with base > addr. */
static unsigned int upper_bound(const struct iospace *sp, uint64_t addr)
{
	unsigned int lo = 0, hi = sp->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (sp->r[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct io_range *find(const struct iospace *sp, uint64_t addr)
{
	unsigned int i = upper_bound(sp, addr);
	struct io_range *r;

	if (i == 0)
		return NULL;
	r = &sp->r[i - 1];
	return addr - r->base < r->len ? r : NULL;
}

int iospace_map(struct iospace *sp, uint64_t base, uint64_t len,
		const struct io_ops *ops, void *opaque)
{
	unsigned int i;

	if (len == 0 || base + len < base || !ops)
		return -EINVAL;
	i = upper_bound(sp, base);
	if (i > 0 && base - sp->r[i - 1].base < sp->r[i - 1].len)
		return -EEXIST;
	if (i < sp->n && sp->r[i].base < base + len)
		return -EEXIST;
	if (sp->n == sp->cap) {
		unsigned int cap = sp->cap ? sp->cap * 2 : 16;
		struct io_range *nr = realloc(sp->r, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		sp->r = nr;
		sp->cap = cap;
	}
	memmove(&sp->r[i + 1], &sp->r[i], (sp->n - i) * sizeof(*sp->r));
	sp->r[i] = (struct io_range){ base, len, ops, opaque };
	sp->n++;
	return 0;
}

int iospace_unmap(struct iospace *sp, uint64_t base)
{
	unsigned int i = upper_bound(sp, base);

	if (i == 0 || sp->r[i - 1].base != base)
		return -ENOENT;
	i--;
	memmove(&sp->r[i], &sp->r[i + 1], (sp->n - i - 1) * sizeof(*sp->r));
	sp->n--;
	return 0;
}

bool iospace_claimed(struct iospace *sp, uint64_t addr)
{
	return find(sp, addr) != NULL;
}

uint64_t iospace_unclaimed_count(const struct iospace *sp)
{
	return sp->unclaimed;
}

void iospace_set_logging(struct iospace *sp, bool on)
{
	sp->log = on;
}

static void note_unclaimed(struct iospace *sp, uint64_t addr, bool write,
			   uint64_t val, unsigned int size)
{
	unsigned int i;

	sp->unclaimed += size;	/* counted in bytes */
	if (!sp->log || sp->nlogged >= IOSPACE_LOG_MAX)
		return;
	for (i = 0; i < sp->nlogged; i++)
		if (sp->logged[i] == addr)
			return;
	sp->logged[sp->nlogged++] = addr;
	if (write)
		fprintf(stderr, "dualvm: %s: unclaimed write%u 0x%" PRIx64
			" <- 0x%" PRIx64 "%s\n", sp->name, size * 8, addr, val,
			sp->nlogged == IOSPACE_LOG_MAX ?
			" (further unclaimed addresses not logged)" : "");
	else
		fprintf(stderr, "dualvm: %s: unclaimed read%u 0x%" PRIx64 "%s\n",
			sp->name, size * 8, addr,
			sp->nlogged == IOSPACE_LOG_MAX ?
			" (further unclaimed addresses not logged)" : "");
}

/* True when no range claims any byte of [addr, addr + size): such an
 * access is one unclaimed access (one log line), not @size of them. */
static bool nothing_in(const struct iospace *sp, uint64_t addr,
		       unsigned int size)
{
	unsigned int i = upper_bound(sp, addr + size - 1);

	if (addr + size - 1 < addr)
		return false;
	return i == 0 || sp->r[i - 1].base + sp->r[i - 1].len <= addr;
}

static uint64_t size_mask(unsigned int size)
{
	return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static bool valid_size(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

uint64_t iospace_read(struct iospace *sp, uint64_t addr, unsigned int size)
{
	struct io_range *r = find(sp, addr);
	uint64_t v = 0;
	unsigned int i;

	if (!valid_size(size))
		return UINT64_MAX;
	if (r && addr - r->base + size <= r->len) {
		if (!r->ops->read)
			return size_mask(size);
		return r->ops->read(r->opaque, addr - r->base, size) &
		       size_mask(size);
	}
	if (!r && (size == 1 || nothing_in(sp, addr, size))) {
		note_unclaimed(sp, addr, false, 0, size);
		return size_mask(size);
	}
	for (i = 0; i < size; i++)
		v |= iospace_read(sp, addr + i, 1) << (8 * i);
	return v;
}

void iospace_write(struct iospace *sp, uint64_t addr, uint64_t val,
		   unsigned int size)
{
	struct io_range *r = find(sp, addr);
	unsigned int i;

	if (!valid_size(size))
		return;
	val &= size_mask(size);
	if (r && addr - r->base + size <= r->len) {
		if (r->ops->write)
			r->ops->write(r->opaque, addr - r->base, val, size);
		return;
	}
	if (!r && (size == 1 || nothing_in(sp, addr, size))) {
		note_unclaimed(sp, addr, true, val, size);
		return;
	}
	for (i = 0; i < size; i++)
		iospace_write(sp, addr + i, (val >> (8 * i)) & 0xff, 1);
}
