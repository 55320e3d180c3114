// SPDX-License-Identifier: GPL-2.0-only
/*
 * iospace.c --- port-I/O and MMIO range dispatch
 *
 * Ranges are kept in an array sorted by base and found by binary search: a PC
 * has a few dozen regions, registration is rare and lookups are on every
 * guest I/O access.  Each access is split or combined here, once, by the
 * widths its range declares (iospace.h), so devices see only accesses they
 * asked for.  Unclaimed accesses are counted; with a logger set, each
 * unclaimed address is reported once (first IOSPACE_LOG_MAX addresses only),
 * so a guest probing every port cannot flood the log.  The library never
 * prints: the logger decides where the line goes.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/iospace.h"

#define IOSPACE_LOG_MAX	64	/* distinct unclaimed addresses logged */

struct io_slot {
	uint64_t		base;	/* first address */
	uint64_t		len;	/* > 0; base + len does not wrap */
	const struct io_ops	*ops;	/* the device's callbacks */
	void			*opaque;	/* for ops */
	unsigned int		widths;	/* IO_W* taken whole (resolved) */
	unsigned int		minw;	/* narrowest of them, bytes */
};

struct iospace {
	char		name[16];	/* "pio", "mmio": for log lines */
	struct io_slot	*r;		/* sorted by base, non-overlapping */
	unsigned int	n, cap;		/* ranges used / allocated in r[] */
	uint64_t	unclaimed;	/* bytes accessed that hit nothing */
	uint64_t	logged[IOSPACE_LOG_MAX];	/* addresses logged */
	unsigned int	nlogged;	/* entries of logged[], <= LOG_MAX */
	void		(*log)(void *opaque, const char *line);	/* or NULL */
	void		*log_opaque;	/* for log */
};

int iospace_create(const char *name, struct iospace **out)
{
	struct iospace *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return -ENOMEM;
	snprintf(sp->name, sizeof(sp->name), "%s", name);
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

static struct io_slot *find(const struct iospace *sp, uint64_t addr)
{
	unsigned int i = upper_bound(sp, addr);
	struct io_slot *r;

	if (i == 0)
		return NULL;
	r = &sp->r[i - 1];
	return addr - r->base < r->len ? r : NULL;
}

static unsigned int width_bit(unsigned int size)
{
	switch (size) {
	case 1: return IO_W8;
	case 2: return IO_W16;
	case 4: return IO_W32;
	case 8: return IO_W64;
	default: return 0;
	}
}

int iospace_map(struct iospace *sp, uint64_t base, uint64_t len,
		const struct io_ops *ops, void *opaque)
{
	unsigned int i, widths;

	if (len == 0 || base + len < base || !ops || (ops->widths & ~IO_WANY))
		return -EINVAL;
	widths = ops->widths ? ops->widths : IO_WANY;
	i = upper_bound(sp, base);
	if (i > 0 && base - sp->r[i - 1].base < sp->r[i - 1].len)
		return -EEXIST;
	if (i < sp->n && sp->r[i].base < base + len)
		return -EEXIST;
	if (sp->n == sp->cap) {
		unsigned int cap = sp->cap ? sp->cap * 2 : 16;
		struct io_slot *nr = realloc(sp->r, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		sp->r = nr;
		sp->cap = cap;
	}
	memmove(&sp->r[i + 1], &sp->r[i], (sp->n - i) * sizeof(*sp->r));
	sp->r[i] = (struct io_slot){
		.base = base, .len = len, .ops = ops, .opaque = opaque,
		.widths = widths,
		.minw = 1u << __builtin_ctz(widths),
	};
	sp->n++;
	assert(i == 0 || sp->r[i - 1].base + sp->r[i - 1].len <= base);
	assert(i + 1 == sp->n || base + len <= sp->r[i + 1].base);
	return 0;
}

int iospace_map_set(struct iospace *sp, const struct io_range *set,
		    unsigned int n, uint64_t shift, void *opaque)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		err = iospace_map(sp, set[i].base + shift, set[i].len,
				  set[i].ops, opaque);
		if (err) {
			iospace_unmap_set(sp, set, i, shift);
			return err;
		}
	}
	return 0;
}

void iospace_unmap_set(struct iospace *sp, const struct io_range *set,
		       unsigned int n, uint64_t shift)
{
	while (n--)
		iospace_unmap(sp, set[n].base + shift);
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

void iospace_set_logger(struct iospace *sp,
			void (*fn)(void *opaque, const char *line),
			void *opaque)
{
	sp->log = fn;
	sp->log_opaque = opaque;
}

static void note_unclaimed(struct iospace *sp, uint64_t addr, bool write,
			   uint64_t val, unsigned int size)
{
	char line[128];
	unsigned int i;

	sp->unclaimed += size;	/* counted in bytes */
	if (!sp->log || sp->nlogged >= IOSPACE_LOG_MAX)
		return;
	for (i = 0; i < sp->nlogged; i++)
		if (sp->logged[i] == addr)
			return;
	sp->logged[sp->nlogged++] = addr;
	if (write)
		snprintf(line, sizeof(line), "%s: unclaimed write%u 0x%" PRIx64
			 " <- 0x%" PRIx64 "%s", sp->name, size * 8, addr, val,
			 sp->nlogged == IOSPACE_LOG_MAX ?
			 " (further unclaimed addresses not logged)" : "");
	else
		snprintf(line, sizeof(line), "%s: unclaimed read%u 0x%" PRIx64
			 "%s", sp->name, size * 8, addr,
			 sp->nlogged == IOSPACE_LOG_MAX ?
			 " (further unclaimed addresses not logged)" : "");
	sp->log(sp->log_opaque, line);
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

/* @r takes an access of @size at @addr in one call. */
static bool takes_whole(const struct io_slot *r, uint64_t addr,
			unsigned int size)
{
	return (r->widths & width_bit(size)) &&
	       (addr - r->base + size <= r->len || r->ops->spill);
}

/*
 * Size of the first piece when an access of @rem bytes at @addr must be
 * split: the narrowest width the range there accepts, if it fits, else one
 * byte (which the dispatcher then serves as unclaimed or combined).
 */
static unsigned int piece(const struct iospace *sp, uint64_t addr,
			  unsigned int rem)
{
	const struct io_slot *r = find(sp, addr);

	if (r && r->minw <= rem && addr - r->base + r->minw <= r->len)
		return r->minw;
	return 1;
}

/*
 * Offset of the naturally aligned access of the range's narrowest width
 * that holds all of [addr, addr + size), or UINT64_MAX when there is none
 * (the access crosses such a unit, or the unit leaves the range).
 */
static uint64_t combine_off(const struct io_slot *r, uint64_t addr,
			    unsigned int size)
{
	uint64_t off = addr - r->base, a = off & ~(uint64_t)(r->minw - 1);

	if (off - a + size > r->minw || a + r->minw > r->len)
		return UINT64_MAX;
	return a;
}

uint64_t iospace_read(struct iospace *sp, uint64_t addr, unsigned int size)
{
	struct io_slot *r = find(sp, addr);
	unsigned int done, p;
	uint64_t v = 0, a;

	if (!width_bit(size))
		return UINT64_MAX;
	if (r && takes_whole(r, addr, size)) {
		if (!r->ops->read)
			return size_mask(size);
		return r->ops->read(r->opaque, addr - r->base, size) &
		       size_mask(size);
	}
	if (!r && (size == 1 || nothing_in(sp, addr, size))) {
		note_unclaimed(sp, addr, false, 0, size);
		return size_mask(size);
	}
	if (r && size < r->minw) {
		a = combine_off(r, addr, size);
		if (a != UINT64_MAX) {
			if (!r->ops->read)
				return size_mask(size);
			v = r->ops->read(r->opaque, a, r->minw);
			return (v >> (8 * (addr - r->base - a))) &
			       size_mask(size);
		}
		if (size == 1)
			return 0xff;	/* a unit the range cannot serve */
	}
	for (done = 0; done < size; done += p) {
		p = piece(sp, addr + done, size - done);
		v |= iospace_read(sp, addr + done, p) << (8 * done);
	}
	return v;
}

void iospace_write(struct iospace *sp, uint64_t addr, uint64_t val,
		   unsigned int size)
{
	struct io_slot *r = find(sp, addr);
	unsigned int done, p;

	if (!width_bit(size))
		return;
	val &= size_mask(size);
	if (r && takes_whole(r, addr, size)) {
		if (r->ops->write)
			r->ops->write(r->opaque, addr - r->base, val, size);
		return;
	}
	if (!r && (size == 1 || nothing_in(sp, addr, size))) {
		note_unclaimed(sp, addr, true, val, size);
		return;
	}
	if (r && size < r->minw)
		return;		/* narrower than a register: dropped */
	for (done = 0; done < size; done += p) {
		p = piece(sp, addr + done, size - done);
		iospace_write(sp, addr + done, (val >> (8 * done)) &
			      size_mask(p), p);
	}
}
