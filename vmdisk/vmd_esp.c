// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmd_esp.c --- which loader of an EFI system partition boots a partition
 *
 * For `dualvm run --firmware uefi --partition N`: the ESP (a FAT16/FAT32
 * file system, UEFI 2.x 13.3) is read-only walked -- BPB, FAT chains,
 * directory entries with their long names (Microsoft FAT specification)
 * -- through \EFI\<vendor>\ (the removable-media fallback \EFI\BOOT is
 * skipped: it is whatever OS installed last).  A Linux loader names the
 * file system it boots: GRUB's grub.cfg beside it, or the configuration a
 * standalone GRUB image carries, holds the UUID of partition N's ext2/3/4
 * file system; the vendor folder whose files hold that text boots N, and
 * its shimx64.efi (Secure Boot chain) or grubx64.efi is the loader.  An
 * NTFS partition is booted by \EFI\Microsoft\Boot\bootmgfw.efi.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmdisk/vmdisk.h"

#define MAX_FILE	(16u << 20)	/* loaders and configs read whole */
#define MAX_DIR		(1u << 20)	/* directory bytes read */

struct fat {
	struct rd_disk	*d;
	uint64_t	base;		/* partition start, bytes */
	uint32_t	bps;		/* bytes per sector */
	uint32_t	clus;		/* bytes per cluster */
	uint64_t	fat_off;	/* first FAT, bytes from base */
	uint64_t	data_off;	/* cluster 2, bytes from base */
	uint64_t	root_off;	/* FAT16 root directory */
	uint32_t	root_len;	/* its bytes (0: FAT32) */
	uint32_t	root_clus;	/* FAT32 root cluster */
	uint32_t	nclus;		/* data clusters */
	bool		fat32;
};

struct fat_ent {
	char		name[256];	/* long name, else the 8.3 one */
	uint8_t		attr;
	uint32_t	clus;
	uint32_t	size;
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static int fat_open(struct fat *f, struct rd_disk *d, const struct rd_part *p)
{
	uint8_t b[512];
	uint32_t res, nfats, rootents, tot, fsz, spc;

	memset(f, 0, sizeof(*f));
	f->d = d;
	f->base = p->start;
	if (rd_pread(d, b, sizeof(b), p->start) || b[510] != 0x55 ||
	    b[511] != 0xaa)
		return -EINVAL;
	f->bps = le16(b + 11);
	spc = b[13];
	res = le16(b + 14);
	nfats = b[16];
	rootents = le16(b + 17);
	tot = le16(b + 19) ? le16(b + 19) : le32(b + 32);
	fsz = le16(b + 22) ? le16(b + 22) : le32(b + 36);
	if ((f->bps != 512 && f->bps != 1024 && f->bps != 2048 &&
	     f->bps != 4096) || !spc || (spc & (spc - 1)) || !res || !nfats ||
	    !fsz || (uint64_t)tot * f->bps > p->size)
		return -EINVAL;
	f->clus = f->bps * spc;
	f->fat_off = (uint64_t)res * f->bps;
	f->root_off = f->fat_off + (uint64_t)nfats * fsz * f->bps;
	f->root_len = rootents * 32;
	f->data_off = f->root_off +
		      ((uint64_t)f->root_len + f->bps - 1) / f->bps * f->bps;
	if (f->data_off >= (uint64_t)tot * f->bps)
		return -EINVAL;
	f->nclus = (uint32_t)(((uint64_t)tot * f->bps - f->data_off) / f->clus);
	if (f->nclus < 4085)
		return -ENOTSUP;		/* FAT12: not an ESP */
	f->fat32 = f->nclus >= 65525;
	f->root_clus = f->fat32 ? le32(b + 44) : 0;
	return 0;
}

/* The cluster after @c, or 0 at the end of the chain (or a bad one). */
static uint32_t fat_next(struct fat *f, uint32_t c)
{
	uint8_t e[4] = { 0 };
	uint32_t n;

	if (rd_pread(f->d, e, f->fat32 ? 4 : 2,
		     f->base + f->fat_off + (uint64_t)c * (f->fat32 ? 4 : 2)))
		return 0;
	n = f->fat32 ? le32(e) & 0x0fffffff : le16(e);
	return n >= 2 && n < f->nclus + 2 ? n : 0;
}

/* Read the chain from cluster @c (or the FAT16 root for 0), at most @max
 * bytes; the buffer (caller frees) and *@len, or NULL. */
static uint8_t *fat_read(struct fat *f, uint32_t c, uint32_t max,
			 uint32_t *len)
{
	uint8_t *buf;
	uint32_t n = 0, hops = 0;

	if (!c && !f->fat32) {
		buf = malloc(f->root_len ? f->root_len : 1);
		if (buf && rd_pread(f->d, buf, f->root_len,
				    f->base + f->root_off)) {
			free(buf);
			return NULL;
		}
		*len = f->root_len;
		return buf;
	}
	if (!c)
		c = f->root_clus;
	buf = malloc(max);
	while (buf && c >= 2 && n + f->clus <= max && hops++ < f->nclus) {
		if (rd_pread(f->d, buf + n, f->clus, f->base + f->data_off +
			     (uint64_t)(c - 2) * f->clus)) {
			free(buf);
			return NULL;
		}
		n += f->clus;
		c = fat_next(f, c);
	}
	*len = n;
	return buf;
}

/* The entries of a directory buffer, with long names; @fn gets each (not
 * ".", ".."); stops when it returns nonzero, which is returned. */
static int fat_dir(const uint8_t *buf, uint32_t len,
		   int (*fn)(const struct fat_ent *e, void *arg), void *arg)
{
	static const int lfn_pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22,
					 24, 28, 30 };
	char lfn[256] = "";
	struct fat_ent e;
	uint32_t off;
	int i, k, rc;

	for (off = 0; off + 32 <= len; off += 32) {
		const uint8_t *d = buf + off;

		if (d[0] == 0)
			break;
		if (d[0] == 0xe5) {
			lfn[0] = 0;
			continue;
		}
		if ((d[11] & 0x3f) == 0x0f) {	/* a long-name piece */
			int seq = (d[0] & 0x1f) - 1;

			if (d[0] & 0x40)
				memset(lfn, 0, sizeof(lfn));
			for (i = 0; i < 13 && seq >= 0 && seq < 19; i++) {
				uint16_t ch = le16(d + lfn_pos[i]);

				if (ch && ch != 0xffff)
					lfn[seq * 13 + i] = ch < 0x80 ? (char)ch : '?';
			}
			continue;
		}
		if (d[11] & 0x08 || d[0] == '.') {	/* volume label, . .. */
			lfn[0] = 0;
			continue;
		}
		memset(&e, 0, sizeof(e));
		if (lfn[0]) {
			snprintf(e.name, sizeof(e.name), "%s", lfn);
		} else {
			for (i = 0, k = 0; i < 8 && d[i] != ' '; i++)
				e.name[k++] = (char)tolower(d[i]);
			if (d[8] != ' ')
				e.name[k++] = '.';
			for (i = 8; i < 11 && d[i] != ' '; i++)
				e.name[k++] = (char)tolower(d[i]);
		}
		lfn[0] = 0;
		e.attr = d[11];
		e.clus = (uint32_t)le16(d + 20) << 16 | le16(d + 26);
		e.size = le32(d + 28);
		rc = fn(&e, arg);
		if (rc)
			return rc;
	}
	return 0;
}

struct find {
	const char	*name;
	struct fat_ent	ent;
};

static int find_cb(const struct fat_ent *e, void *arg)
{
	struct find *fd = arg;

	if (strcasecmp(e->name, fd->name))
		return 0;
	fd->ent = *e;
	return 1;
}

/* Entry @name in the directory at cluster @dir (0: root). */
static int fat_find(struct fat *f, uint32_t dir, const char *name,
		    struct fat_ent *out)
{
	struct find fd = { .name = name };
	uint32_t len;
	uint8_t *buf = fat_read(f, dir, MAX_DIR, &len);
	int rc;

	if (!buf)
		return -EIO;
	rc = fat_dir(buf, len, find_cb, &fd);
	free(buf);
	if (!rc)
		return -ENOENT;
	*out = fd.ent;
	return 0;
}

/* ------------------------------------------------------------ matching */

struct scan {
	struct fat	*f;
	const char	*needle;	/* text naming the partition */
	bool		hit;
};

static bool contains(const uint8_t *buf, uint32_t len, const char *s)
{
	size_t n = strlen(s);
	uint32_t i;

	for (i = 0; n && i + n <= len; i++)
		if (!strncasecmp((const char *)buf + i, s, n))
			return true;
	return false;
}

/* A file of a vendor folder: does it name the partition? */
static int scan_file(const struct fat_ent *e, void *arg)
{
	struct scan *s = arg;
	const char *dot = strrchr(e->name, '.');
	uint8_t *buf;
	uint32_t len;

	if (e->attr & 0x10 || !dot || e->size > MAX_FILE ||
	    (strcasecmp(dot, ".efi") && strcasecmp(dot, ".cfg")))
		return 0;
	buf = fat_read(s->f, e->clus, (e->size + s->f->clus - 1) /
		       s->f->clus * s->f->clus + s->f->clus, &len);
	if (!buf)
		return 0;
	s->hit = contains(buf, len < e->size ? len : e->size, s->needle);
	free(buf);
	return s->hit;
}

struct vendor {
	struct fat	*f;
	const char	*needle;
	char		dir[256];	/* the matching folder */
	uint32_t	clus;
};

static int scan_vendor(const struct fat_ent *e, void *arg)
{
	struct vendor *v = arg;
	struct scan s = { .f = v->f, .needle = v->needle };
	uint32_t len;
	uint8_t *buf;

	if (!(e->attr & 0x10) || !strcasecmp(e->name, "BOOT"))
		return 0;
	buf = fat_read(v->f, e->clus, MAX_DIR, &len);
	if (!buf)
		return 0;
	fat_dir(buf, len, scan_file, &s);
	free(buf);
	if (!s.hit)
		return 0;
	snprintf(v->dir, sizeof(v->dir), "%s", e->name);
	v->clus = e->clus;
	return 1;
}

/* The ext2/3/4 UUID of partition @p as text, or -EINVAL. */
static int ext_uuid(struct rd_disk *d, const struct rd_part *p, char *out)
{
	uint8_t sb[1024];
	const uint8_t *u = sb + 0x68;

	if (p->size < 2048 || rd_pread(d, sb, sizeof(sb), p->start + 1024) ||
	    le16(sb + 0x38) != 0xef53)
		return -EINVAL;
	sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		u[10], u[11], u[12], u[13], u[14], u[15]);
	return 0;
}

static bool is_ntfs(struct rd_disk *d, const struct rd_part *p)
{
	char oem[8];

	return !rd_pread(d, oem, sizeof(oem), p->start + 3) &&
	       !memcmp(oem, "NTFS    ", 8);
}

int vmd_esp_loader(struct rd_disk *d, const struct rd_part_table *t,
		   unsigned int esp, unsigned int chosen, char *out,
		   size_t len, char *err, size_t errlen)
{
	const struct rd_part *pe = rd_part_find(t, esp);
	const struct rd_part *pc = rd_part_find(t, chosen);
	static const char *const pref[] = { "shimx64.efi", "grubx64.efi" };
	struct vendor v;
	struct fat_ent efi, x;
	struct fat f;
	char uuid[40];
	unsigned int i;
	int rc;

	if (!pe || !pc) {
		snprintf(err, errlen, "no partition %u", pe ? chosen : esp);
		return -ENOENT;
	}
	rc = fat_open(&f, d, pe);
	if (!rc)
		rc = fat_find(&f, 0, "EFI", &efi);
	if (rc) {
		snprintf(err, errlen, "the EFI system partition %u has no readable \\EFI folder",
			 esp);
		return rc;
	}
	if (is_ntfs(d, pc)) {
		if (fat_find(&f, efi.clus, "Microsoft", &x) ||
		    fat_find(&f, x.clus, "Boot", &x) ||
		    fat_find(&f, x.clus, "bootmgfw.efi", &x))
			goto none;
		snprintf(out, len, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
		return 0;
	}
	if (ext_uuid(d, pc, uuid))
		goto none;
	memset(&v, 0, sizeof(v));
	v.f = &f;
	v.needle = uuid;
	{
		uint32_t n;
		uint8_t *buf = fat_read(&f, efi.clus, MAX_DIR, &n);

		if (!buf)
			return -EIO;
		rc = fat_dir(buf, n, scan_vendor, &v);
		free(buf);
	}
	if (!rc)
		goto none;
	for (i = 0; i < sizeof(pref) / sizeof(*pref); i++)
		if (!fat_find(&f, v.clus, pref[i], &x)) {
			snprintf(out, len, "\\EFI\\%s\\%s", v.dir, x.name);
			return 0;
		}
none:
	snprintf(err, errlen, "no loader on the EFI system partition %u names partition %u",
		 esp, chosen);
	return -ENOENT;
}
