// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_part.c --- partition-table reader: MBR (with extended/logical chains)
 * and GPT (UEFI 2.x §5.2-5.3: header CRC32, entry-array CRC32, backup
 * header at the alternate LBA)
 *
 * Everything is read through rd_pread(), so the reader works on any stack
 * (a file, a qcow2 overlay, a VMDK).  Input is hostile: every offset is
 * bounds-checked against the disk, EBR chains are limited and loop-checked,
 * and anything inconsistent is -EINVAL with the reason on the disk handle.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

#define MBR_SIG_OFF	510
#define MBR_PT_OFF	446
#define MBR_DISKSIG_OFF	440
#define MBR_MAX_LOGICAL	(RD_MAX_PARTS - 4)

static bool mbr_is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static int meta_add(struct rd_part_table *t, uint64_t start, uint64_t size)
{
	if (t->n_meta >= sizeof(t->meta) / sizeof(t->meta[0]))
		return -EINVAL;
	t->meta[t->n_meta].start = start;
	t->meta[t->n_meta].size = size;
	t->n_meta++;
	return 0;
}

/* Add a partition [lba, lba+count) sectors; checks it lies on the disk. */
static int part_add(struct rd_disk *d, struct rd_part_table *t,
		    unsigned int num, uint64_t lba, uint64_t count)
{
	uint64_t ss = d->sector_size;
	struct rd_part *p;

	if (t->n >= RD_MAX_PARTS)
		return rd_set_error(d, -EINVAL, "%s: more than %u partitions",
				    d->desc, RD_MAX_PARTS);
	if (lba == 0 || count == 0 || lba > d->size / ss ||
	    count > d->size / ss - lba)
		return rd_set_error(d, -EINVAL,
				    "%s: partition %u (sectors %llu+%llu) lies outside the disk",
				    d->desc, num, (unsigned long long)lba,
				    (unsigned long long)count);
	p = &t->part[t->n++];
	memset(p, 0, sizeof(*p));
	p->number = num;
	p->start = lba * ss;
	p->size = count * ss;
	return 0;
}

static int mbr_read_logicals(struct rd_disk *d, struct rd_part_table *t,
			     uint64_t ext_lba, uint64_t ext_count)
{
	uint64_t ss = d->sector_size, ebr = ext_lba;
	uint64_t visited[MBR_MAX_LOGICAL];
	unsigned int nvis = 0, num = 5, i;
	uint8_t sec[512];
	int err;

	for (;;) {
		const uint8_t *e0 = sec + MBR_PT_OFF, *e1 = e0 + 16;
		uint64_t next;

		for (i = 0; i < nvis; i++)
			if (visited[i] == ebr)
				return rd_set_error(d, -EINVAL,
						    "%s: extended partition chain loops at sector %llu",
						    d->desc, (unsigned long long)ebr);
		if (nvis == MBR_MAX_LOGICAL)
			return rd_set_error(d, -EINVAL,
					    "%s: too many logical partitions",
					    d->desc);
		visited[nvis++] = ebr;
		err = rd_pread(d, sec, sizeof(sec), ebr * ss);
		if (err)
			return err;
		if (sec[MBR_SIG_OFF] != 0x55 || sec[MBR_SIG_OFF + 1] != 0xaa)
			return rd_set_error(d, -EINVAL,
					    "%s: extended boot record at sector %llu has no 55AA signature",
					    d->desc, (unsigned long long)ebr);
		err = meta_add(t, ebr * ss, ss);
		if (err)
			return rd_set_error(d, err, "%s: too many EBRs", d->desc);
		if (e0[4] && !mbr_is_extended(e0[4]) && rd_le32(e0 + 12)) {
			uint64_t lba = ebr + rd_le32(e0 + 8);

			err = part_add(d, t, num, lba, rd_le32(e0 + 12));
			if (err)
				return err;
			if (lba < ext_lba || lba + rd_le32(e0 + 12) >
			    ext_lba + ext_count)
				return rd_set_error(d, -EINVAL,
						    "%s: logical partition %u lies outside its extended partition",
						    d->desc, num);
			snprintf(t->part[t->n - 1].type, 40, "0x%02x", e0[4]);
			t->part[t->n - 1].bootable = e0[0] == 0x80;
			t->part[t->n - 1].logical = true;
			num++;
		}
		if (!mbr_is_extended(e1[4]) || !rd_le32(e1 + 8))
			return 0;
		next = ext_lba + rd_le32(e1 + 8);
		if (next >= ext_lba + ext_count || next >= d->size / ss)
			return rd_set_error(d, -EINVAL,
					    "%s: extended partition chain leaves the extended partition",
					    d->desc);
		ebr = next;
	}
}

static int gpt_read(struct rd_disk *d, struct rd_part_table *t);

static int mbr_read(struct rd_disk *d, struct rd_part_table *t,
		    const uint8_t *sec)
{
	uint64_t ext_lba = 0, ext_count = 0;
	unsigned int i;
	int err;

	for (i = 0; i < 4; i++) {
		const uint8_t *e = sec + MBR_PT_OFF + 16 * i;

		if (e[0] != 0 && e[0] != 0x80)
			return 0;	/* not an MBR (e.g. a FAT superfloppy) */
	}
	for (i = 0; i < 4; i++)
		if (sec[MBR_PT_OFF + 16 * i + 4] == 0xee)
			return gpt_read(d, t);
	strcpy(t->label, "dos");
	t->disk_signature = rd_le32(sec + MBR_DISKSIG_OFF);
	err = meta_add(t, 0, d->sector_size);
	if (err)
		return err;
	for (i = 0; i < 4; i++) {
		const uint8_t *e = sec + MBR_PT_OFF + 16 * i;
		uint32_t lba = rd_le32(e + 8), count = rd_le32(e + 12);

		if (!e[4] || !count)
			continue;
		err = part_add(d, t, i + 1, lba, count);
		if (err)
			return err;
		snprintf(t->part[t->n - 1].type, 40, "0x%02x", e[4]);
		t->part[t->n - 1].bootable = e[0] == 0x80;
		if (mbr_is_extended(e[4])) {
			if (ext_lba)
				return rd_set_error(d, -EINVAL,
						    "%s: more than one extended partition",
						    d->desc);
			ext_lba = lba;
			ext_count = count;
		}
	}
	if (ext_lba)
		return mbr_read_logicals(d, t, ext_lba, ext_count);
	return 0;
}

/* One GPT header (+ array) as found at @lba; 0 if valid, else -EINVAL. */
struct gpt_hdr {
	uint64_t	my_lba;		/* where this header is */
	uint64_t	alt_lba;	/* the other header */
	uint64_t	first_usable;	/* LBA */
	uint64_t	last_usable;	/* LBA, inclusive */
	uint64_t	entries_lba;	/* partition entry array */
	uint32_t	n_entries;	/* <= RD_GPT_MAX_ENTRIES */
	uint32_t	entry_size;	/* >= 128, multiple of 8 */
	uint8_t		disk_guid[16];	/* mixed-endian */
	uint8_t		*array;		/* n_entries * entry_size bytes */
};

static int gpt_hdr_load(struct rd_disk *d, uint64_t lba, struct gpt_hdr *h,
			const char **why)
{
	uint64_t ss = d->sector_size, nsec = d->size / ss, alen;
	uint8_t *sec;
	uint32_t hsize, crc;
	int err = -EINVAL;

	memset(h, 0, sizeof(*h));
	*why = "unreadable";
	if (lba == 0 || lba >= nsec)
		return -EINVAL;
	sec = malloc(ss);
	if (!sec)
		return -ENOMEM;
	if (rd_pread(d, sec, ss, lba * ss))
		goto out;
	*why = "bad signature";
	if (memcmp(sec, "EFI PART", 8))
		goto out;
	hsize = rd_le32(sec + 12);
	*why = "bad header size";
	if (hsize < RD_GPT_HDR_MIN || hsize > ss)
		goto out;
	crc = rd_le32(sec + 16);
	memset(sec + 16, 0, 4);
	*why = "header CRC32 mismatch";
	if (crc32(0, sec, hsize) != crc)
		goto out;
	h->my_lba = rd_le64(sec + 24);
	h->alt_lba = rd_le64(sec + 32);
	h->first_usable = rd_le64(sec + 40);
	h->last_usable = rd_le64(sec + 48);
	memcpy(h->disk_guid, sec + 56, 16);
	h->entries_lba = rd_le64(sec + 72);
	h->n_entries = rd_le32(sec + 80);
	h->entry_size = rd_le32(sec + 84);
	crc = rd_le32(sec + 88);
	*why = "inconsistent header fields";
	if (h->my_lba != lba || h->entry_size < RD_GPT_ENTRY_MIN ||
	    h->entry_size % 8 || h->n_entries > RD_GPT_MAX_ENTRIES ||
	    (uint64_t)h->n_entries * h->entry_size > RD_GPT_MAX_ARRAY ||
	    h->first_usable > h->last_usable || h->last_usable >= nsec)
		goto out;
	alen = (uint64_t)h->n_entries * h->entry_size;
	if (h->entries_lba == 0 || h->entries_lba >= nsec ||
	    (alen + ss - 1) / ss > nsec - h->entries_lba)
		goto out;
	h->array = malloc(alen ? alen : 1);
	err = -ENOMEM;
	if (!h->array)
		goto out;
	err = -EINVAL;
	*why = "unreadable entry array";
	if (alen && rd_pread(d, h->array, alen, h->entries_lba * ss))
		goto out_free;
	*why = "entry array CRC32 mismatch";
	if (crc32(0, h->array, (uInt)alen) != crc)
		goto out_free;
	free(sec);
	return 0;
out_free:
	free(h->array);
	h->array = NULL;
out:
	free(sec);
	return err;
}

static int gpt_fill(struct rd_disk *d, struct rd_part_table *t,
		    const struct gpt_hdr *h)
{
	uint32_t i;
	int err;

	for (i = 0; i < h->n_entries; i++) {
		const uint8_t *e = h->array + (size_t)i * h->entry_size;
		static const uint8_t zero[16];
		uint64_t first = rd_le64(e + 32), last = rd_le64(e + 40);
		struct rd_part *p;
		unsigned int k, o = 0;

		if (!memcmp(e, zero, 16))
			continue;
		if (first > last || first < h->first_usable ||
		    last > h->last_usable)
			return rd_set_error(d, -EINVAL,
					    "%s: GPT partition %u lies outside the usable area",
					    d->desc, i + 1);
		if (i + 1 > RD_MAX_PARTS)
			return rd_set_error(d, -EINVAL,
					    "%s: GPT partition number %u is beyond %u",
					    d->desc, i + 1, RD_MAX_PARTS);
		err = part_add(d, t, i + 1, first, last - first + 1);
		if (err)
			return err;
		p = &t->part[t->n - 1];
		rd_guid_str(e, p->type);
		rd_guid_str(e + 16, p->uuid);
		p->bootable = rd_le64(e + 48) & RD_GPT_ATTR_LEGACY_BOOT;
		for (k = 0; k < 36; k++) {	/* UTF-16LE name, BMP only */
			uint16_t c = rd_le16(e + 56 + 2 * k);

			if (!c)
				break;
			if (c < 0x80) {
				p->name[o++] = (char)c;
			} else if (c < 0x800) {
				p->name[o++] = (char)(0xc0 | c >> 6);
				p->name[o++] = (char)(0x80 | (c & 0x3f));
			} else {
				p->name[o++] = (char)(0xe0 | c >> 12);
				p->name[o++] = (char)(0x80 | ((c >> 6) & 0x3f));
				p->name[o++] = (char)(0x80 | (c & 0x3f));
			}
			if (o > sizeof(p->name) - 4)
				break;
		}
		p->name[o] = 0;
	}
	return 0;
}

static int gpt_read(struct rd_disk *d, struct rd_part_table *t)
{
	uint64_t ss = d->sector_size, nsec = d->size / ss;
	struct gpt_hdr pri, bak;
	const char *why_p, *why_b;
	const struct gpt_hdr *use;
	int err, ep, eb;

	strcpy(t->label, "gpt");
	if (nsec < 3)
		return rd_set_error(d, -EINVAL, "%s: disk too small for GPT",
				    d->desc);
	ep = gpt_hdr_load(d, 1, &pri, &why_p);
	if (ep == -ENOMEM)
		return ep;
	eb = gpt_hdr_load(d, ep ? nsec - 1 : pri.alt_lba, &bak, &why_b);
	if (eb == -ENOMEM) {
		free(pri.array);
		return eb;
	}
	if (!ep && !eb && (bak.alt_lba != 1 ||
			   memcmp(bak.disk_guid, pri.disk_guid, 16) ||
			   bak.n_entries != pri.n_entries ||
			   bak.entry_size != pri.entry_size ||
			   memcmp(bak.array, pri.array,
				  (size_t)pri.n_entries * pri.entry_size)))
		eb = -EINVAL, why_b = "differs from the primary";
	if (ep && eb) {
		err = rd_set_error(d, -EINVAL,
				   "%s: GPT primary header invalid (%s) and backup invalid (%s)",
				   d->desc, why_p, why_b);
		goto out;
	}
	use = ep ? &bak : &pri;
	t->gpt_backup_ok = !eb;
	t->gpt_from_backup = ep != 0;
	rd_guid_str(use->disk_guid, t->disk_guid);
	err = meta_add(t, 0, ss);
	if (!err && !ep) {
		err = meta_add(t, ss, ss);
		if (!err)
			err = meta_add(t, pri.entries_lba * ss,
				       (((uint64_t)pri.n_entries * pri.entry_size +
					 ss - 1) / ss) * ss);
	}
	if (!err && !eb) {
		err = meta_add(t, bak.entries_lba * ss,
			       (((uint64_t)bak.n_entries * bak.entry_size +
				 ss - 1) / ss) * ss);
		if (!err)
			err = meta_add(t, bak.my_lba * ss, ss);
	}
	if (!err)
		err = gpt_fill(d, t, use);
out:
	free(pri.array);
	free(bak.array);
	return err;
}

static int part_cmp(const void *a, const void *b)
{
	const struct rd_part *x = a, *y = b;

	return (x->number > y->number) - (x->number < y->number);
}

int rd_part_table_read(struct rd_disk *d, struct rd_part_table *out)
{
	uint8_t sec[512];
	unsigned int i, j;
	int err;

	memset(out, 0, sizeof(*out));
	if (d->sector_size < 512 || d->sector_size > 65536 ||
	    d->sector_size & (d->sector_size - 1))
		return rd_set_error(d, -EINVAL, "%s: bad sector size %u",
				    d->desc, d->sector_size);
	if (d->size < 512)
		return 0;
	err = rd_pread(d, sec, sizeof(sec), 0);
	if (err)
		return err;
	if (sec[MBR_SIG_OFF] != 0x55 || sec[MBR_SIG_OFF + 1] != 0xaa)
		return 0;
	err = mbr_read(d, out, sec);
	if (!err) {
		/* overlapping partitions are corrupt (extended excepted) */
		for (i = 0; i < out->n; i++)
			for (j = i + 1; j < out->n; j++) {
				const struct rd_part *a = &out->part[i];
				const struct rd_part *b = &out->part[j];

				if (!strcmp(out->label, "dos") &&
				    (a->logical != b->logical))
					continue;
				if (a->start < b->start + b->size &&
				    b->start < a->start + a->size)
					err = rd_set_error(d, -EINVAL,
							   "%s: partitions %u and %u overlap",
							   d->desc, a->number,
							   b->number);
			}
		qsort(out->part, out->n, sizeof(out->part[0]), part_cmp);
	}
	assert(out->n <= RD_MAX_PARTS && out->n_meta <= RD_MAX_PARTS + 8);
	for (unsigned int k = 1; !err && k < out->n; k++)
		assert(out->part[k - 1].number < out->part[k].number);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

bool rd_part_type_is_esp(const char *type)
{
	return !strcasecmp(type, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b") ||
	       !strcasecmp(type, "0xef");
}

const struct rd_part *rd_part_find(const struct rd_part_table *t,
				   unsigned int number)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->part[i].number == number)
			return &t->part[i];
	return NULL;
}
