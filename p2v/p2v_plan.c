// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_plan.c --- what to copy: partitions, gaps, file systems
 *
 * The disk is cut into areas: every partition of the MBR/GPT table
 * (rd_part_table_read; extended-partition containers are not areas, so
 * their EBRs fall into gaps) and every stretch between them (tables, boot
 * code, gaps), which are always copied whole.  Each partition's file system
 * is identified with libblkid on its first MiB and read by p2v_fs.c;
 * anything unknown or doubtful is copied whole (the copy still drops zero
 * chunks).  A disk without a partition table is one area probed the same
 * way (a "superfloppy" file system), also when the file system's own boot
 * sector looks like an MBR (a bare NTFS or FAT partition image).
 */
#include <assert.h>
#include <blkid/blkid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/lib.h"
#include "p2v/p2v_priv.h"

#define PROBE_LEN	(1u << 20)

bool p2v_is_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	/* zero head, then the buffer equals itself shifted by 16 bytes:
	 * memcmp is vectorised in libc, a byte loop is not */
	if (len >= 64) {
		static const unsigned char z[16];

		return !memcmp(c, z, 16) && !memcmp(c, c + 16, len - 16);
	}
	while (len && ((uintptr_t)c & 7)) {
		if (*c++)
			return false;
		len--;
	}
	for (; len >= 32; len -= 32, c += 32) {
		const uint64_t *q = (const uint64_t *)(const void *)c;

		if (q[0] | q[1] | q[2] | q[3])
			return false;
	}
	while (len--)
		if (*c++)
			return false;
	return true;
}

int p2v_plan_add(struct p2v_plan *p, uint64_t off, uint64_t len,
		 unsigned int ai)
{
	struct p2v_extent *e;

	if (!len)
		return 0;
	if (p->next) {
		e = &p->ext[p->next - 1];
		if (e->area == ai && e->off + e->len == off) {
			e->len += len;
			p->area[ai].planned += len;
			return 0;
		}
	}
	if (p->next == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;

		e = realloc(p->ext, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		p->ext = e;
		p->cap = cap;
	}
	p->ext[p->next++] = (struct p2v_extent){ off, len, ai };
	p->area[ai].planned += len;
	return 0;
}

int p2v_plan_skip(struct p2v_plan *p, unsigned int ai, uint64_t *cursor,
		  uint64_t free_off, uint64_t free_len)
{
	struct p2v_area *a = &p->area[ai];
	int err;

	if (!free_len) {		/* finish: the rest of the area */
		err = p2v_plan_add(p, a->start + *cursor, a->size - *cursor,
				   ai);
		*cursor = a->size;
		return err;
	}
	if (free_off < *cursor || free_off > a->size ||
	    free_len > a->size - free_off)
		return -EINVAL;
	err = p2v_plan_add(p, a->start + *cursor, free_off - *cursor, ai);
	*cursor = free_off + free_len;
	return err;
}

uint64_t p2v_plan_bytes(const struct p2v_plan *p)
{
	uint64_t n = 0;

	for (size_t i = 0; i < p->next; i++)
		n += p->ext[i].len;
	return n;
}

void p2v_plan_free(struct p2v_plan *p)
{
	if (!p)
		return;
	free(p->ext);
	free(p);
}

/* libblkid on the first MiB of the area, through a memfd (not when it
 * is all zeros). */
static void probe_fs(struct rd_disk *src, struct p2v_area *a)
{
	size_t n = a->size < PROBE_LEN ? (size_t)a->size : PROBE_LEN;
	const char *type = NULL;
	blkid_probe pr = NULL;
	void *buf = malloc(n);
	int fd = -1;

	uint64_t run = 0;
	int st;

	a->fs[0] = 0;
	/* nothing to find in zeros (a hole, a wiped disk): no probing */
	st = rd_block_status(src, a->start, n, &run);
	if ((st == RD_BLK_ZERO || st == RD_BLK_UNALLOC) && run >= n)
		goto out;
	if (!buf || rd_pread(src, buf, n, a->start) || p2v_is_zero(buf, n))
		goto out;
	fd = lib_memfd_from("p2v-probe", buf, n);
	if (fd < 0)
		goto out;
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, (blkid_loff_t)n))
		goto out;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	blkid_probe_enable_partitions(pr, 0);
	if (blkid_do_safeprobe(pr) == 0 &&
	    blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0 && type)
		snprintf(a->fs, sizeof(a->fs), "%s", type);
out:
	if (pr)
		blkid_free_probe(pr);
	if (fd >= 0)
		close(fd);
	free(buf);
}

/*
 * A bare file system whose boot sector is sector 0 (NTFS, FAT, exFAT: a
 * partition imaged on its own, or a "superfloppy") also ends that sector
 * with 55 AA, so an MBR reader takes its boot code for a partition table.
 * An MBR never carries a valid one of these boot sectors, so when libblkid
 * finds one at offset 0 the disk has no table.
 */
static bool bare_boot_fs(struct rd_disk *src, const struct p2v_plan *p)
{
	static const char *const boot_fs[] = { "ntfs", "vfat", "exfat" };
	struct p2v_area whole = { .start = 0, .size = p->disk_size };

	probe_fs(src, &whole);
	for (size_t i = 0; i < sizeof(boot_fs) / sizeof(boot_fs[0]); i++)
		if (!strcmp(whole.fs, boot_fs[i]))
			return true;
	return false;
}

static bool is_container(const struct rd_part *pt)
{
	return !strcmp(pt->type, "0x5") || !strcmp(pt->type, "0x05") ||
	       !strcmp(pt->type, "0xf") || !strcmp(pt->type, "0x0f") ||
	       !strcmp(pt->type, "0x85");
}

static int add_area(struct p2v_plan *p, unsigned int part, uint64_t start,
		    uint64_t size)
{
	struct p2v_area *a;

	if (!size)
		return 0;
	if (p->narea == P2V_MAX_AREAS)
		return -E2BIG;
	a = &p->area[p->narea++];
	memset(a, 0, sizeof(*a));
	a->part = part;
	a->start = start;
	a->size = size;
	snprintf(a->fs, sizeof(a->fs), "-");
	snprintf(a->method, sizeof(a->method), "full");
	a->used = size;
	return 0;
}

static int cmp_part(const void *x, const void *y)
{
	const struct rd_part *a = *(const struct rd_part *const *)x;
	const struct rd_part *b = *(const struct rd_part *const *)y;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Cut the disk into areas.  -EINVAL on overlapping partitions. */
static int make_areas(struct p2v_plan *p, const struct rd_part_table *t,
		      char *err, size_t errlen)
{
	const struct rd_part *sorted[RD_MAX_PARTS];
	unsigned int n = 0;
	uint64_t pos = 0;
	int e;

	for (unsigned int i = 0; i < t->n; i++)
		if (!is_container(&t->part[i]) && t->part[i].size)
			sorted[n++] = &t->part[i];
	qsort(sorted, n, sizeof(sorted[0]), cmp_part);
	for (unsigned int i = 0; i < n; i++) {
		const struct rd_part *pt = sorted[i];

		if (pt->start < pos || pt->start > p->disk_size ||
		    pt->size > p->disk_size - pt->start) {
			snprintf(err, errlen,
				 "partition %u overlaps another or runs past the end of the disk",
				 pt->number);
			return -EINVAL;
		}
		e = add_area(p, 0, pos, pt->start - pos);
		if (!e)
			e = add_area(p, pt->number, pt->start, pt->size);
		if (e)
			return e;
		pos = pt->start + pt->size;
	}
	return add_area(p, 0, pos, p->disk_size - pos);
}

/* Is partition @n in the comma-separated @list? */
static bool selected(const char *list, unsigned int n)
{
	const char *s = list;

	while (s && *s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end != s && v == n)
			return true;
		s = *end ? end + 1 : end;
	}
	return false;
}

/* Every number in @list names a partition of @t; else -EINVAL. */
static int check_selection(const char *list, const struct rd_part_table *t,
			   char *err, size_t errlen)
{
	const char *s = list;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || (*end && *end != ',') || !rd_part_find(t, (unsigned int)v)) {
			snprintf(err, errlen, "--partitions %s: no partition '%.*s' on this disk",
				 list, (int)strcspn(s, ","), s);
			return -EINVAL;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}

/* Turn the reader's reason into "full copy (fallback): <reason>". */
static void note_prefix(struct p2v_area *a, int err)
{
	static const char pre[] = "full copy (fallback): ";
	char why[sizeof(a->note)];

	snprintf(why, sizeof(why), "%s", a->note[0] ? a->note : strerror(-err));
	snprintf(a->note, sizeof(a->note), "%s%.*s", pre,
		 (int)(sizeof(a->note) - sizeof(pre)), why);
}

/* Plan area @ai.  0, or -EINTR when @o->stop was set during it. */
static int plan_area(struct rd_disk *src, struct p2v_plan *p,
		     unsigned int ai, const struct p2v_opts *o)
{
	struct p2v_area *a = &p->area[ai];
	size_t mark = p->next;
	int (*reader)(struct rd_disk *, struct p2v_plan *, unsigned int,
		      const struct p2v_opts *) = NULL;
	int err;

	probe_fs(src, a);
	if (o && o->partitions && a->part && !selected(o->partitions, a->part)) {
		snprintf(a->method, sizeof(a->method), "skipped");
		snprintf(a->note, sizeof(a->note), "not selected (reads as zeros)");
		a->used = 0;
		return 0;
	}
	if (o && o->full_copy) {
		snprintf(a->note, sizeof(a->note), "full copy requested");
	} else if (!strcmp(a->fs, "ext2") || !strcmp(a->fs, "ext3") ||
		   !strcmp(a->fs, "ext4")) {
		reader = p2v_fs_ext;
	} else if (!strcmp(a->fs, "ntfs")) {
		reader = p2v_fs_ntfs;
	} else if (!strcmp(a->fs, "swap")) {
		reader = p2v_fs_swap;
	}
	if (reader) {
		err = reader(src, p, ai, o);
		if (!err)
			return 0;
		if (err == -EINTR)
			return err;
		/* drop what the reader added, copy everything */
		for (size_t i = mark; i < p->next; i++)
			a->planned -= p->ext[i].len;
		p->next = mark;
		note_prefix(a, err);
	}
	snprintf(a->method, sizeof(a->method), "full");
	a->used = a->size;
	return p2v_plan_add(p, a->start, a->size, ai);
}

int p2v_plan_make(struct rd_disk *src, const struct p2v_opts *o,
		  struct p2v_plan **out, char *err, size_t errlen)
{
	struct rd_part_table *t = calloc(1, sizeof(*t));
	struct p2v_plan *p = calloc(1, sizeof(*p));
	int e;

	*out = NULL;
	if (!t || !p) {
		e = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	p->disk_size = rd_size(src);
	if (bare_boot_fs(src, p)) {
		/* no table: one area, the file system (t stays empty) */
		e = 0;
	} else {
		e = rd_part_table_read(src, t);
	}
	if (e) {
		snprintf(err, errlen, "%s: partition table: %s", src->desc,
			 rd_strerror(src)[0] ? rd_strerror(src) : strerror(-e));
		goto out_free;
	}
	snprintf(p->label, sizeof(p->label), "%s", t->label);
	if (o && o->partitions) {
		e = check_selection(o->partitions, t, err, errlen);
		if (e)
			goto out_free;
	}
	e = make_areas(p, t, err, errlen);
	if (e)
		goto out_free;
	if (!t->label[0] && p->narea == 1)
		p->area[0].part = 0;
	for (unsigned int i = 0; i < p->narea; i++) {
		struct p2v_area *a = &p->area[i];

		if (o && o->stop && atomic_load(o->stop)) {
			e = -EINTR;
			snprintf(err, errlen, "interrupted");
			goto out_free;
		}
		if (a->part || (!t->label[0] && p->narea == 1)) {
			e = plan_area(src, p, i, o);
			if (e == -EINTR) {
				snprintf(err, errlen, "interrupted");
				goto out_free;
			}
			if (e)
				goto out_nomem;
		} else {
			e = p2v_plan_add(p, a->start, a->size, i);
			if (e)
				goto out_nomem;
		}
	}
	free(t);
	/* what p2v_copy() relies on: increasing, disjoint extents */
	for (size_t i = 1; i < p->next; i++)
		assert(p->ext[i - 1].off + p->ext[i - 1].len <= p->ext[i].off);
	*out = p;
	return 0;

out_nomem:
	snprintf(err, errlen, "out of memory");
out_free:
	free(t);
	p2v_plan_free(p);
	return e;
}
