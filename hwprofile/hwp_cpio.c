// SPDX-License-Identifier: GPL-2.0-only
/*
 * hwp_cpio.c --- read and rewrite Linux initramfs images
 *
 * An initramfs is one or more concatenated "newc" cpio archives (magic
 * "070701"/"070702", 110-byte ASCII-hex header, name and data padded to 4
 * bytes, ended by "TRAILER!!!"), the main one usually compressed (gzip, xz,
 * zstd, lz4 legacy frames, bzip2, lzma).  Distributions prepend an
 * uncompressed "early" cpio with CPU microcode (kernel
 * Documentation/driver-api/early-userspace/buffer-format.rst,
 * x86/microcode.rst).  The prefix is skipped with our own bounded newc
 * walker and kept byte-for-byte; the main archive goes through libarchive
 * both ways, repacked with the same compression.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "hwprofile/hwp_cpio.h"

#define NEWC_HDR	110

static bool hexfield(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return false;
	}
	*out = v;
	return true;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Length of the uncompressed newc archive at @buf, including its trailer
 * and the zero padding after it; 0 if @buf does not start with one or it is
 * malformed.
 */
static size_t newc_span(const uint8_t *buf, size_t len)
{
	size_t at = 0;

	while (at + NEWC_HDR <= len) {
		uint32_t namesize, filesize;
		size_t name_end, data_end;

		if (memcmp(buf + at, "07070", 5) ||
		    (buf[at + 5] != '1' && buf[at + 5] != '2'))
			return 0;
		if (!hexfield(buf + at + 54, &filesize) ||
		    !hexfield(buf + at + 94, &namesize) || namesize == 0)
			return 0;
		name_end = pad4(at + NEWC_HDR + namesize);
		if (name_end > len || name_end < at)
			return 0;
		data_end = pad4(name_end + filesize);
		if (data_end > len || data_end < name_end)
			return 0;
		if (namesize == 11 &&
		    !memcmp(buf + at + NEWC_HDR, "TRAILER!!!", 11)) {
			at = data_end;
			while (at < len && buf[at] == 0)
				at++;
			return at;
		}
		at = data_end;
	}
	return 0;
}

static const char *magic_format(const uint8_t *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e))
		return "gzip";
	if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (len >= 4 && (!memcmp(p, "\x02\x21\x4c\x18", 4) ||
			 !memcmp(p, "\x04\x22\x4d\x18", 4)))
		return "lz4";
	if (len >= 3 && !memcmp(p, "BZh", 3))
		return "bzip2";
	if (len >= 3 && p[0] == 0x5d && p[1] == 0 && p[2] == 0)
		return "lzma";
	if (len >= 6 && !memcmp(p, "07070", 5) && (p[5] == '1' || p[5] == '2'))
		return "none";
	return "unknown";
}

const char *hwp_initrd_format(const void *buf, size_t len, size_t *prefix)
{
	const uint8_t *p = buf;
	size_t span = newc_span(p, len);

	*prefix = 0;
	if (span && span < len) {
		*prefix = span;
		return magic_format(p + span, len - span);
	}
	return magic_format(p, len);
}

void hwp_cpio_free(struct hwp_cpio *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].name);
		free(c->e[i].data);
		free(c->e[i].link);
	}
	free(c->e);
	memset(c, 0, sizeof(*c));
}

static int cpio_grow(struct hwp_cpio *c)
{
	struct hwp_cpio_ent *e;
	size_t cap = c->cap ? c->cap * 2 : 256;

	if (c->n < c->cap)
		return 0;
	e = realloc(c->e, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	c->e = e;
	c->cap = cap;
	return 0;
}

int hwp_cpio_add(struct hwp_cpio *c, const char *name, unsigned int mode,
		 const void *data, size_t len, const char *link)
{
	struct hwp_cpio_ent *e;

	if (cpio_grow(c))
		return -ENOMEM;
	e = &c->e[c->n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	e->mode = mode;
	e->len = len;
	e->data = len ? malloc(len) : NULL;
	e->link = link ? strdup(link) : NULL;
	if (!e->name || (len && !e->data) || (link && !e->link)) {
		free(e->name);
		free(e->data);
		free(e->link);
		return -ENOMEM;
	}
	if (len)
		memcpy(e->data, data, len);
	c->n++;
	return 0;
}

struct hwp_cpio_ent *hwp_cpio_find(struct hwp_cpio *c, const char *name)
{
	while (*name == '/')
		name++;
	for (size_t i = 0; i < c->n; i++) {
		const char *n = c->e[i].name;

		if (n[0] == '.' && n[1] == '/')
			n += 2;
		if (!strcmp(n, name))
			return &c->e[i];
	}
	return NULL;
}

/*
 * Check that the newc archive at @buf (up to its first trailer) keeps every
 * name and body inside @len bytes, with at most HWP_CPIO_MAX_ENTRIES
 * entries.  libarchive sizes its read-ahead buffer from the header fields
 * (a namesize of 0xAAAAAAAA asks for 2.8 GB), so nothing reaches it unless
 * this holds.  0, -EINVAL or -EFBIG (too many entries).
 */
static int newc_check(const uint8_t *buf, size_t len)
{
	size_t at = 0, n = 0;

	if (len == 0)
		return 0;		/* empty archive */
	while (at + NEWC_HDR <= len) {
		uint32_t namesize, filesize;
		size_t name_end, data_end;

		if (memcmp(buf + at, "07070", 5) ||
		    (buf[at + 5] != '1' && buf[at + 5] != '2'))
			return -EINVAL;
		if (!hexfield(buf + at + 54, &filesize) ||
		    !hexfield(buf + at + 94, &namesize) || namesize == 0 ||
		    namesize > len)
			return -EINVAL;
		name_end = pad4(at + NEWC_HDR + namesize);
		if (name_end > len)
			return -EINVAL;
		if (filesize > len - name_end)
			return -EINVAL;
		data_end = pad4(name_end + filesize);
		if (++n > HWP_CPIO_MAX_ENTRIES)
			return -EFBIG;
		if (namesize == 11 &&
		    !memcmp(buf + at + NEWC_HDR, "TRAILER!!!", 11))
			return 0;
		at = data_end;
	}
	return -EINVAL;			/* no trailer */
}

/* Uncompress @buf (any libarchive filter, or none) into *@out, at most
 * HWP_FILE_MAX bytes.  0, -EINVAL (corrupt), -EFBIG or -ENOMEM. */
static int uncompress(const void *buf, size_t len, uint8_t **out,
		      size_t *outlen)
{
	struct archive_entry *ae;
	struct archive *a;
	uint8_t *p = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (len == 0)
		return 0;
	a = archive_read_new();
	if (!a)
		return -ENOMEM;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ae) != ARCHIVE_OK) {
		rc = -EINVAL;
		goto out;
	}
	for (;;) {
		la_ssize_t got;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			uint8_t *q;

			if (cap >= HWP_FILE_MAX) {
				rc = -EFBIG;
				break;
			}
			if (ncap > HWP_FILE_MAX)
				ncap = HWP_FILE_MAX;
			q = realloc(p, ncap);
			if (!q) {
				rc = -ENOMEM;
				break;
			}
			p = q;
			cap = ncap;
		}
		got = archive_read_data(a, p + n, cap - n);
		if (got < 0) {
			rc = -EINVAL;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
out:
	archive_read_free(a);
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	*outlen = n;
	return 0;
}

static int read_entry(struct archive *a, struct archive_entry *ae,
		      struct hwp_cpio *c, size_t *total)
{
	struct hwp_cpio_ent *e;
	const char *link;
	la_int64_t size = archive_entry_filetype(ae) == AE_IFREG ?
			  archive_entry_size(ae) : 0;
	la_ssize_t n;
	int rc;

	if (size < 0 || (uint64_t)size > HWP_FILE_MAX ||
	    *total + (size_t)size > HWP_FILE_MAX)
		return -EFBIG;
	link = archive_entry_symlink(ae);
	rc = hwp_cpio_add(c, archive_entry_pathname(ae) ?
			  archive_entry_pathname(ae) : "",
			  archive_entry_mode(ae), NULL, 0, link);
	if (rc)
		return rc;
	e = &c->e[c->n - 1];
	e->mtime = archive_entry_mtime(ae);
	e->uid = archive_entry_uid(ae);
	e->gid = archive_entry_gid(ae);
	e->rdev = archive_entry_rdev(ae);
	if (archive_entry_hardlink(ae)) {
		/* newc hard links: data is carried by the last link; keep
		 * the link as its own entry (same bytes) for simplicity,
		 * counted against the same total as every other body */
		struct hwp_cpio_ent *t = hwp_cpio_find(c,
					 archive_entry_hardlink(ae));

		if (t && t != e && t->len) {
			if (*total + t->len > HWP_FILE_MAX)
				return -EFBIG;
			e->data = malloc(t->len);
			if (!e->data)
				return -ENOMEM;
			memcpy(e->data, t->data, t->len);
			e->len = t->len;
			*total += t->len;
		}
	}
	if (size == 0)
		return 0;
	free(e->data);
	e->len = 0;
	e->data = malloc((size_t)size);
	if (!e->data)
		return -ENOMEM;
	n = archive_read_data(a, e->data, (size_t)size);
	if (n != size)
		return -EINVAL;
	e->len = (size_t)size;
	*total += (size_t)size;
	return 0;
}

int hwp_cpio_read(const void *buf, size_t len, struct hwp_cpio *out)
{
	struct archive_entry *ae;
	struct archive *a;
	uint8_t *raw;
	size_t rawlen, total = 0;
	int rc, r;

	memset(out, 0, sizeof(*out));
	rc = uncompress(buf, len, &raw, &rawlen);
	if (rc)
		return rc;
	rc = newc_check(raw, rawlen);
	if (rc || rawlen == 0) {
		free(raw);
		return rc;
	}
	a = archive_read_new();
	if (!a) {
		free(raw);
		return -ENOMEM;
	}
	archive_read_support_format_cpio(a);
	if (archive_read_open_memory(a, raw, rawlen) != ARCHIVE_OK) {
		rc = -EINVAL;
		goto out;
	}
	for (;;) {
		r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = -EINVAL;
			break;
		}
		rc = read_entry(a, ae, out, &total);
		if (rc)
			break;
	}
out:
	archive_read_free(a);
	free(raw);
	if (rc)
		hwp_cpio_free(out);
	return rc;
}

struct membuf {
	uint8_t	*p;
	size_t	n, cap;
};

static la_ssize_t mem_write(struct archive *a, void *priv, const void *buf,
			    size_t len)
{
	struct membuf *m = priv;

	if (m->n + len > HWP_FILE_MAX)
		return -1;
	if (m->n + len > m->cap) {
		size_t cap = m->cap ? m->cap : 1 << 20;
		uint8_t *p;

		while (cap < m->n + len)
			cap *= 2;
		p = realloc(m->p, cap);
		if (!p)
			return -1;
		m->p = p;
		m->cap = cap;
	}
	memcpy(m->p + m->n, buf, len);
	m->n += len;
	return (la_ssize_t)len;
}

static int add_filter(struct archive *a, const char *format)
{
	if (!strcmp(format, "gzip"))
		return archive_write_add_filter_gzip(a);
	if (!strcmp(format, "xz"))
		return archive_write_add_filter_xz(a);
	if (!strcmp(format, "zstd"))
		return archive_write_add_filter_zstd(a);
	if (!strcmp(format, "lz4"))	/* framed by lz4_legacy_wrap() */
		return archive_write_add_filter_none(a);
	if (!strcmp(format, "bzip2"))
		return archive_write_add_filter_bzip2(a);
	if (!strcmp(format, "lzma"))
		return archive_write_add_filter_lzma(a);
	if (!strcmp(format, "none"))
		return archive_write_add_filter_none(a);
	return ARCHIVE_FATAL;
}

#define LZ4_LEGACY_MAGIC	0x184c2102u
#define LZ4_LEGACY_BLOCK	(8u << 20)	/* uncompressed bytes a block */

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * Re-frame @m[from..] as the legacy LZ4 format the kernel's unlz4 reads
 * (magic 0x184C2102, then per 8 MiB of data a LE32 block size and an LZ4
 * block).  libarchive cannot write that frame, so each block is a single
 * literal-only LZ4 sequence: valid for every LZ4 decoder, not smaller.
 */
static int lz4_legacy_wrap(struct membuf *m, size_t from)
{
	size_t raw = m->n - from, nblk = raw / LZ4_LEGACY_BLOCK + 1;
	size_t cap = 4 + raw + nblk * (4 + 1 + LZ4_LEGACY_BLOCK / 255 + 2);
	uint8_t *out = malloc(from + cap), *o;
	size_t at = 0;

	if (!out)
		return -ENOMEM;
	if (from)
		memcpy(out, m->p, from);
	o = out + from;
	put_le32(o, LZ4_LEGACY_MAGIC);
	o += 4;
	while (at < raw) {
		size_t n = raw - at < LZ4_LEGACY_BLOCK ? raw - at :
			   LZ4_LEGACY_BLOCK;
		uint8_t *sz = o, *blk = o + 4;
		size_t left = n >= 15 ? n - 15 : 0;

		o = blk;
		*o++ = (uint8_t)((n >= 15 ? 15 : n) << 4);
		if (n >= 15) {
			for (; left >= 255; left -= 255)
				*o++ = 255;
			*o++ = (uint8_t)left;
		}
		memcpy(o, m->p + from + at, n);
		o += n;
		put_le32(sz, (uint32_t)(o - blk));
		at += n;
	}
	free(m->p);
	m->p = out;
	m->n = (size_t)(o - out);
	m->cap = from + cap;
	return 0;
}

int hwp_cpio_write(const struct hwp_cpio *c, const char *format,
		   const void *prefix, size_t prefix_len, void **out,
		   size_t *outlen)
{
	struct membuf m = { 0 };
	struct archive_entry *ae;
	struct archive *a;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (prefix_len && mem_write(NULL, &m, prefix, prefix_len) < 0)
		return -ENOMEM;
	a = archive_write_new();
	ae = archive_entry_new();
	if (!a || !ae) {
		rc = -ENOMEM;
		goto out;
	}
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    add_filter(a, format) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open2(a, &m, NULL, mem_write, NULL, NULL) !=
	    ARCHIVE_OK) {
		rc = -ENOTSUP;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct hwp_cpio_ent *e = &c->e[i];

		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, e->name);
		archive_entry_set_mode(ae, e->mode);
		archive_entry_set_uid(ae, e->uid);
		archive_entry_set_gid(ae, e->gid);
		archive_entry_set_mtime(ae, e->mtime, 0);
		archive_entry_set_rdev(ae, e->rdev);
		archive_entry_set_nlink(ae, AE_IFDIR == (e->mode & AE_IFMT) ?
					2 : 1);
		if (e->link)
			archive_entry_set_symlink(ae, e->link);
		archive_entry_set_size(ae, (la_int64_t)((e->mode & AE_IFMT) ==
					AE_IFREG ? e->len : 0));
		if (archive_write_header(a, ae) != ARCHIVE_OK) {
			rc = -EIO;
			goto out;
		}
		if ((e->mode & AE_IFMT) == AE_IFREG && e->len &&
		    archive_write_data(a, e->data, e->len) !=
		    (la_ssize_t)e->len) {
			rc = -EIO;
			goto out;
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		rc = -EIO;
	if (!rc && !strcmp(format, "lz4"))
		rc = lz4_legacy_wrap(&m, prefix_len);
out:
	if (a)
		archive_write_free(a);
	if (ae)
		archive_entry_free(ae);
	if (rc) {
		free(m.p);
		return rc;
	}
	*out = m.p;
	*outlen = m.n;
	return 0;
}
