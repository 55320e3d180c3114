// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_view.c --- partition view: boot one or more partitions of a whole disk
 * with a private partition table and boot code (VirtualBox's -pt.vmdk idea,
 * disk-formats-and-p2v.md §1.3 and §3.2)
 *
 * The view is a sorted list of segments: pass-through (a chosen partition)
 * or private (a buffer holding the synthesized MBR/GPT areas, copied EBRs,
 * the zeroed gap before the first partition).  Everything else reads as
 * zeros and refuses writes with -EACCES, which the guest sees as an I/O
 * error.  Windows' BCD finds its disk by signature + partition offset (or
 * GPT GUIDs), so both are kept exactly.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

#define VIEW_MAX_SEG	(2 * RD_MAX_PARTS + 16)
#define VIEW_HEAD_MAX	(64ull << 20)	/* largest private head area */
#define MBR_BIN		"/usr/lib/syslinux/mbr/mbr.bin"
#define GPTMBR_BIN	"/usr/lib/syslinux/mbr/gptmbr.bin"

struct vseg {
	uint64_t	start;		/* bytes */
	uint64_t	end;		/* exclusive */
	uint8_t		*mem;		/* private data, or NULL: pass through */
};

struct view {
	unsigned int	n;			/* segments used */
	struct vseg	seg[VIEW_MAX_SEG];	/* sorted, disjoint */
	unsigned int	nsel;			/* chosen partitions */
	struct rd_extent sel[RD_MAX_PARTS];	/* their extents */
};

static int seg_add(struct view *v, uint64_t start, uint64_t end, bool priv)
{
	struct vseg *s;
	unsigned int i;

	if (start >= end)
		return 0;
	if (v->n == VIEW_MAX_SEG)
		return -EINVAL;
	for (i = 0; i < v->n; i++)
		if (start < v->seg[i].end && v->seg[i].start < end)
			return -EINVAL;
	for (i = v->n; i > 0 && v->seg[i - 1].start > start; i--)
		v->seg[i] = v->seg[i - 1];
	s = &v->seg[i];
	s->start = start;
	s->end = end;
	s->mem = NULL;
	v->n++;
	/* sorted and disjoint, as seg_find()'s search needs */
	assert(i == 0 || v->seg[i - 1].end <= start);
	assert(i + 1 == v->n || end <= v->seg[i + 1].start);
	if (priv) {
		s->mem = calloc(1, (size_t)(end - start));
		if (!s->mem)
			return -ENOMEM;
	}
	return 0;
}

/* The segment containing @off, else NULL and *@next = next segment start. */
static struct vseg *seg_find(struct view *v, uint64_t off, uint64_t *next,
			     uint64_t size)
{
	unsigned int i;

	*next = size;
	for (i = 0; i < v->n; i++) {
		if (off < v->seg[i].start) {
			*next = v->seg[i].start;
			return NULL;
		}
		if (off < v->seg[i].end)
			return &v->seg[i];
	}
	return NULL;
}

/* Private bytes at absolute @off (must lie in a private segment). */
static uint8_t *priv_at(struct view *v, uint64_t off, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < v->n; i++)
		if (v->seg[i].mem && off >= v->seg[i].start &&
		    off + len <= v->seg[i].end)
			return v->seg[i].mem + (off - v->seg[i].start);
	return NULL;
}

static int view_io(struct rd_disk *d, void *buf, const void *wbuf,
		   size_t len, uint64_t off)
{
	struct view *v = d->priv;
	char *p = buf;
	const char *wp = wbuf;

	while (len) {
		uint64_t next, n;
		struct vseg *s = seg_find(v, off, &next, d->size);
		int e = 0;

		n = (s ? s->end : next) - off;
		if (n > len)
			n = len;
		if (!s && wp)
			return rd_set_error(d, -EACCES,
					    "%s: write at %llu outside the chosen partitions refused",
					    d->desc, (unsigned long long)off);
		if (!s)
			memset(p, 0, n);
		else if (s->mem && wp)
			memcpy(s->mem + (off - s->start), wp, n);
		else if (s->mem)
			memcpy(p, s->mem + (off - s->start), n);
		else if (wp)
			e = rd_pwrite(d->below, wp, n, off);
		else
			e = rd_pread(d->below, p, n, off);
		if (e)
			return rd_set_error(d, e, "%s", rd_strerror(d->below));
		if (p)
			p += n;
		if (wp)
			wp += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int view_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	return view_io(d, buf, NULL, len, off);
}

static int view_pwrite(struct rd_disk *d, const void *buf, size_t len,
		       uint64_t off)
{
	return view_io(d, NULL, buf, len, off);
}

static void view_close(struct rd_disk *d)
{
	struct view *v = d->priv;
	unsigned int i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		free(v->seg[i].mem);
	free(v);
}

static const struct rd_ops rd_view_ops = {
	.name	= "view",
	.pread	= view_pread,
	.pwrite	= view_pwrite,
	.flush	= rd_pass_flush,
	.close	= view_close,
};

bool rd_is_view(const struct rd_disk *d)
{
	return d && d->ops == &rd_view_ops;
}

/* The view state of @d, or NULL when @d is no partition view. */
static struct view *view_of(const struct rd_disk *d)
{
	return rd_is_view(d) ? d->priv : NULL;
}

unsigned int rd_view_extents(const struct rd_disk *d, struct rd_extent *ext,
			     unsigned int max)
{
	const struct view *v = view_of(d);

	if (!v)
		return 0;
	memcpy(ext, v->sel, sizeof(ext[0]) * (v->nsel < max ? v->nsel : max));
	return v->nsel;
}

static int load_bootcode(const char *path, uint8_t code[440], char *err,
			 size_t errlen)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	memset(code, 0, 440);
	if (!f) {
		snprintf(err, errlen, "%s: boot code missing (install syslinux-common)",
			 path);
		return -ENOENT;
	}
	n = fread(code, 1, 440, f);
	fclose(f);
	if (n < 64) {
		snprintf(err, errlen, "%s: boot code too short", path);
		return -EINVAL;
	}
	return 0;
}

/* GPT header fields we rewrite; @h is one sector. */
static void gpt_hdr_fix(uint8_t *h, uint64_t my, uint64_t alt,
			uint64_t entries, uint32_t array_crc)
{
	uint32_t hsize = rd_le32(h + 12);

	rd_put_le64(h + 24, my);
	rd_put_le64(h + 32, alt);
	rd_put_le64(h + 72, entries);
	rd_put_le32(h + 88, array_crc);
	rd_put_le32(h + 16, 0);
	rd_put_le32(h + 16, (uint32_t)crc32(0, h, hsize));
}

/*
 * Build the private GPT areas: headers and arrays with the legacy-BIOS-
 * bootable attribute only on @boot.  The valid header found by the reader
 * is the template for both copies.
 */
static int gpt_synth(struct rd_disk *below, struct view *v,
		     const struct rd_part_table *t, unsigned int boot)
{
	uint64_t ss = below->sector_size, nsec = below->size / ss;
	uint64_t hlba = t->gpt_from_backup ? nsec - 1 : 1, alt, bent, pent;
	uint8_t *h = malloc(ss), *arr = NULL, *dst;
	uint32_t n, esz, i, crc;
	uint64_t alen, asec;
	int e = -EINVAL;

	if (!h)
		return -ENOMEM;
	if (rd_pread(below, h, ss, hlba * ss))
		goto out;
	n = rd_le32(h + 80);
	esz = rd_le32(h + 84);
	alen = (uint64_t)n * esz;
	asec = (alen + ss - 1) / ss;
	arr = calloc(1, asec * ss);
	if (!arr || rd_pread(below, arr, alen, rd_le64(h + 72) * ss))
		goto out;
	for (i = 0; i < n; i++) {
		uint8_t *ent = arr + (size_t)i * esz;
		uint64_t attr = rd_le64(ent + 48) & ~RD_GPT_ATTR_LEGACY_BOOT;

		if (i + 1 == boot)
			attr |= RD_GPT_ATTR_LEGACY_BOOT;
		rd_put_le64(ent + 48, attr);
	}
	crc = (uint32_t)crc32(0, arr, (uInt)alen);
	if (t->gpt_from_backup) {		/* h is the backup header */
		alt = hlba;
		bent = rd_le64(h + 72);
		pent = 2;
	} else {
		alt = rd_le64(h + 32) < nsec ? rd_le64(h + 32) : nsec - 1;
		pent = rd_le64(h + 72);
		bent = alt - asec;
		if (t->gpt_backup_ok) {		/* keep its array where it is */
			uint8_t *b = malloc(ss);

			if (!b || rd_pread(below, b, ss, alt * ss)) {
				free(b);
				goto out;
			}
			bent = rd_le64(b + 72);
			free(b);
		}
	}
	e = -EINVAL;
	/* primary header + array (inside the head area, else their own) */
	if (!priv_at(v, ss, ss) && seg_add(v, ss, 2 * ss, true))
		goto out;
	if (!priv_at(v, pent * ss, asec * ss) &&
	    seg_add(v, pent * ss, (pent + asec) * ss, true))
		goto out;
	if (seg_add(v, bent * ss, (bent + asec) * ss, true) ||
	    seg_add(v, alt * ss, (alt + 1) * ss, true))
		goto out;
	memcpy(priv_at(v, pent * ss, asec * ss), arr, asec * ss);
	memcpy(priv_at(v, bent * ss, asec * ss), arr, asec * ss);
	gpt_hdr_fix(h, 1, alt, pent, crc);
	memcpy(priv_at(v, ss, ss), h, ss);
	dst = priv_at(v, alt * ss, ss);
	memcpy(dst, h, ss);
	gpt_hdr_fix(dst, alt, 1, bent, crc);
	e = 0;
out:
	free(h);
	free(arr);
	return e;
}

/* Parse "2,5" into the chosen parts; the first is the boot partition. */
static int parse_sel(struct rd_disk *below, const struct rd_part_table *t,
		     const char *list, struct view *v, unsigned int *boot,
		     char *err, size_t errlen)
{
	const char *s = list;

	*boot = 0;
	while (*s) {
		char *end;
		unsigned long num = strtoul(s, &end, 10);
		const struct rd_part *p;

		if (end == s || (*end && *end != ','))
			return snprintf(err, errlen, "%s: bad partition list '%s'",
					below->desc, list), -EINVAL;
		p = num <= RD_MAX_PARTS ? rd_part_find(t, (unsigned int)num) : NULL;
		if (!p)
			return snprintf(err, errlen, "%s: no partition %lu (the disk has %u)",
					below->desc, num, t->n), -ENOENT;
		if (!strcmp(t->label, "dos") && (!strcmp(p->type, "0x05") ||
		    !strcmp(p->type, "0x0f") || !strcmp(p->type, "0x85")))
			return snprintf(err, errlen, "%s: partition %lu is an extended partition; choose the logical partitions inside it",
					below->desc, num), -EINVAL;
		if (!*boot)
			*boot = p->number;
		if (seg_add(v, p->start, p->start + p->size, false))
			return snprintf(err, errlen, "%s: partition %lu listed twice or overlapping",
					below->desc, num), -EINVAL;
		v->sel[v->nsel].start = p->start;
		v->sel[v->nsel++].size = p->size;
		s = *end ? end + 1 : end;
	}
	if (!*boot)
		return snprintf(err, errlen, "%s: empty partition list",
				below->desc), -EINVAL;
	return 0;
}

static int view_build(struct rd_disk *below, struct view *v,
		      const char *list, char *err, size_t errlen)
{
	struct rd_part_table *t = malloc(sizeof(*t));
	uint64_t ss = below->sector_size, head = below->size;
	uint8_t code[440], *mbr;
	unsigned int i, boot;
	int e;

	if (!t)
		return -ENOMEM;
	e = rd_part_table_read(below, t);
	if (e) {
		snprintf(err, errlen, "%s", rd_strerror(below));
		goto out;
	}
	e = -EINVAL;
	if (!t->label[0]) {
		snprintf(err, errlen, "%s: no partition table found", below->desc);
		goto out;
	}
	e = parse_sel(below, t, list, v, &boot, err, errlen);
	if (e)
		goto out;
	e = load_bootcode(strcmp(t->label, "gpt") ? MBR_BIN : GPTMBR_BIN,
			  code, err, errlen);
	if (e)
		goto out;
	for (i = 0; i < t->n; i++)
		if (!t->part[i].logical && t->part[i].start < head)
			head = t->part[i].start;
	if (head > VIEW_HEAD_MAX)
		head = ss;
	e = seg_add(v, 0, head, true);
	for (i = 0; !e && i < t->n_meta; i++)	/* EBRs: private copies */
		if (!strcmp(t->label, "dos") && t->meta[i].start >= head) {
			e = seg_add(v, t->meta[i].start,
				    t->meta[i].start + t->meta[i].size, true);
			if (!e)
				e = rd_pread(below,
					     priv_at(v, t->meta[i].start, t->meta[i].size),
					     t->meta[i].size, t->meta[i].start);
		}
	mbr = priv_at(v, 0, 512);
	if (!e)
		e = rd_pread(below, mbr, 512, 0);
	if (!e && !strcmp(t->label, "gpt"))
		e = gpt_synth(below, v, t, boot);
	if (e) {
		snprintf(err, errlen, "%s: cannot build the private partition table (%s)",
			 below->desc, strerror(-e));
		goto out;
	}
	memcpy(mbr, code, 440);
	if (!strcmp(t->label, "dos"))
		for (i = 0; i < 4; i++)
			mbr[446 + 16 * i] = i + 1 == boot ? 0x80 : 0;
	e = 0;
out:
	free(t);
	return e;
}

int rd_view_open(struct rd_disk *below, bool owns_below, const char *partitions,
		 struct rd_disk **out, char *err, size_t errlen)
{
	struct rd_disk *d;
	struct view *v;
	int e;

	*out = NULL;
	d = rd_alloc_priv(&rd_view_ops, below, owns_below, sizeof(*v));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v = d->priv;
	d->flags = below->flags & (RD_RDONLY | RD_RDWR);
	snprintf(d->desc, sizeof(d->desc), "%.200s (partitions %.40s)",
		 below->desc, partitions);
	e = view_build(below, v, partitions, err, errlen);
	if (e) {
		d->owns_below = false;
		rd_close(d);
		return e;
	}
	*out = d;
	return 0;
}

int rd_view_copy_private(struct rd_disk *view, struct rd_disk *dst)
{
	const struct view *v = view_of(view);
	unsigned int i;
	int e;

	if (!v)
		return -EINVAL;
	for (i = 0; i < v->n; i++) {
		if (!v->seg[i].mem)
			continue;
		e = rd_pwrite(dst, v->seg[i].mem, v->seg[i].end - v->seg[i].start,
			      v->seg[i].start);
		if (e)
			return e;
	}
	return 0;
}

unsigned int rd_view_layout(const struct rd_disk *d, struct rd_view_seg *seg,
			    unsigned int max)
{
	const struct view *v = view_of(d);
	unsigned int i;

	if (!v)
		return 0;
	for (i = 0; i < v->n && i < max; i++) {
		seg[i].start = v->seg[i].start;
		seg[i].size = v->seg[i].end - v->seg[i].start;
		seg[i].priv = v->seg[i].mem != NULL;
	}
	return v->n;
}

void rd_view_extents_str(const struct rd_disk *d, char *out, size_t outlen)
{
	const struct view *v = view_of(d);
	size_t used = 0;
	unsigned int i;

	out[0] = 0;
	if (!v)
		return;
	for (i = 0; i < v->nsel && used < outlen; i++)
		used += (size_t)snprintf(out + used, outlen - used,
					 "%s%llu:%llu", i ? "," : "",
					 (unsigned long long)v->sel[i].start,
					 (unsigned long long)v->sel[i].size);
}
