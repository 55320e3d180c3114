// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_image.c --- the registry of virtual-disk image formats
 *
 * rd_image_probe() names a file's format by its magic numbers (VMDK "KDMV"
 * or a text descriptor, VHD "conectix" at 0 or only at the end, VHDX
 * "vhdxfile", VDI 0xBEDA107F at 0x40, qcow2 "QFI\xfb"); anything else is
 * raw.  rd_image_open() stacks the matching reader on a file back end;
 * rd_image_create() makes a writer.  Also here: the raw sparse writer
 * (holes for zero writes; the fixed VHD writer adds its footer) and the
 * read-only slice view.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "rawdisk/fmt_priv.h"
#include "rawdisk/fmt_vmdk.h"

/* ------------------------------------------------------------ slice */

struct slice {
	uint64_t	off;		/* bytes into below */
};

static int slice_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	struct slice *s = d->priv;

	return rd_pread(d->below, buf, len, s->off + off);
}

static int slice_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			      uint64_t *run_len)
{
	struct slice *s = d->priv;

	return rd_block_status(d->below, s->off + off, len, run_len);
}

static const struct rd_ops slice_ops = {
	.name		= "slice",
	.pread		= slice_pread,
	.block_status	= slice_block_status,
	.concurrent_reads = true,
};

int fmt_slice_open(struct rd_disk *below, uint64_t off, uint64_t size,
		   struct rd_disk **out)
{
	struct rd_disk *d;

	if (off > rd_size(below) || size > rd_size(below) - off)
		return rd_set_error(below, -EINVAL,
				    "%s: %llu bytes at %llu are beyond the end",
				    below->desc, (unsigned long long)size,
				    (unsigned long long)off);
	d = rd_alloc_priv(&slice_ops, below, true, sizeof(struct slice));
	if (!d)
		return -ENOMEM;
	((struct slice *)d->priv)->off = off;
	return rd_finish(d, NULL, size, RD_RDONLY, NULL, out);
}

/* ------------------------------------------------------------ raw writer */

struct rawsparse {
	int		fd;		/* output file */
	uint8_t		*trailer;	/* appended at size, or NULL */
	size_t		trailer_len;	/* bytes */
	bool		dirty;		/* size/trailer not yet written */
	uint64_t	hwm;		/* end of the highest write */
	char		path[4096];	/* for messages */
};

static int raw_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	struct rawsparse *r = d->priv;
	ssize_t n = pread(r->fd, buf, len, (off_t)off);

	if (n < 0)
		return rd_set_error(d, -errno, "%s: read: %s", d->desc,
				    strerror(errno));
	if ((size_t)n < len)
		memset((char *)buf + n, 0, len - (size_t)n);
	return 0;
}

static int raw_pwrite(struct rd_disk *d, const void *buf, size_t len,
		      uint64_t off)
{
	struct rawsparse *r = d->priv;
	const char *p = buf;

	/* skip all-zero 4 KiB pieces never written before: holes */
	while (len) {
		size_t n = 4096 - (size_t)(off % 4096);
		int err;

		if (n > len)
			n = len;
		if (off < r->hwm || !fmt_is_zero(p, n)) {
			size_t m = n, c;

			for (; m < len; m += c) {
				c = len - m < 4096 ? len - m : 4096;
				if (off + m >= r->hwm && fmt_is_zero(p + m, c))
					break;
			}
			err = rd_fd_write_all(d, r->fd, p, m, off);
			if (err)
				return err;
			n = m;
			if (off + m > r->hwm)
				r->hwm = off + m;
		}
		p += n;
		off += n;
		len -= n;
	}
	r->dirty = true;
	return 0;
}

static int raw_flush(struct rd_disk *d)
{
	struct rawsparse *r = d->priv;
	int err = 0;

	if (!r->dirty)
		return 0;
	if (ftruncate(r->fd, (off_t)d->size) < 0)
		return rd_set_error(d, -errno, "%s: set size: %s", d->desc,
				    strerror(errno));
	if (r->trailer)
		err = rd_fd_write_all(d, r->fd, r->trailer, r->trailer_len,
				    d->size);
	if (!err)
		err = rd_fd_sync(d, r->fd);
	if (!err)
		r->dirty = false;
	return err;
}

static void raw_close(struct rd_disk *d)
{
	struct rawsparse *r = d->priv;

	(void)raw_flush(d);
	close(r->fd);
	free(r->trailer);
	free(r);
}

static int raw_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			    uint64_t *run_len)
{
	struct rawsparse *r = d->priv;
	off_t data = lseek(r->fd, (off_t)off, SEEK_DATA), hole;

	*run_len = len;
	if (data < 0)
		return errno == ENXIO ? RD_BLK_ZERO : RD_BLK_DATA;
	if ((uint64_t)data > off) {
		if ((uint64_t)data - off < len)
			*run_len = (uint64_t)data - off;
		return RD_BLK_ZERO;
	}
	hole = lseek(r->fd, (off_t)off, SEEK_HOLE);
	if (hole > (off_t)off && (uint64_t)hole - off < len)
		*run_len = (uint64_t)hole - off;
	return RD_BLK_DATA;
}

static const struct rd_ops rawsparse_ops = {
	.name		= "raw-sparse",
	.pread		= raw_pread,
	.pwrite		= raw_pwrite,
	.flush		= raw_flush,
	.close		= raw_close,
	.block_status	= raw_block_status,
};

int fmt_raw_writer(const char *path, uint64_t size, const void *trailer,
		   size_t trailer_len, struct rd_disk **out, char *err,
		   size_t errlen)
{
	struct rawsparse *r = calloc(1, sizeof(*r));
	struct rd_disk *d = rd_alloc(&rawsparse_ops, NULL, false);
	int e;

	if (!r || !d || (trailer && !(r->trailer = malloc(trailer_len)))) {
		e = -ENOMEM;
		goto out_free;
	}
	r->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		e = -errno;
		goto out_free;
	}
	if (trailer)
		memcpy(r->trailer, trailer, trailer_len);
	r->trailer_len = trailer_len;
	r->dirty = true;
	return rd_finish(d, r, size, RD_RDWR, path, out);

out_free:
	snprintf(err, errlen, "%s: %s", path, strerror(-e));
	if (r)
		free(r->trailer);
	free(r);
	free(d);
	return e;
}

int rd_rawsparse_create(const char *path, uint64_t size,
			struct rd_disk **out, char *err, size_t errlen)
{
	return fmt_raw_writer(path, size, NULL, 0, out, err, errlen);
}

/* ------------------------------------------------------------ registry */

struct fmt_desc {
	const char	*name;		/* --format value */
	const char	*ext;		/* output file extension */
	const char	*qemu;		/* qemu-img -f name */
};

static const struct fmt_desc fmt_table[] = {
	{ "raw",	 "img",  "raw" },
	{ "vmdk",	 "vmdk", "vmdk" },
	{ "vmdk-stream", "vmdk", "vmdk" },
	{ "vmdk-2gb",	 "vmdk", "vmdk" },
	{ "vhd",	 "vhd",  "vpc" },
	{ "vhd-fixed",	 "vhd",  "vpc" },
	{ "vhdx",	 "vhdx", "vhdx" },
	{ "vdi",	 "vdi",  "vdi" },
	{ "qcow2",	 "qcow2", "qcow2" },
};
#define NFMT (sizeof(fmt_table) / sizeof(fmt_table[0]))

const char *rd_image_format_from_ext(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return NULL;
	if (!strcasecmp(dot + 1, "raw") || !strcasecmp(dot + 1, "bin"))
		return "raw";
	for (size_t i = 0; i < NFMT; i++)
		if (!strcasecmp(dot + 1, fmt_table[i].ext))
			return fmt_table[i].name;
	return NULL;
}

const char *rd_image_qemu_name(const char *format)
{
	for (size_t i = 0; i < NFMT; i++)
		if (!strcmp(format, fmt_table[i].name))
			return fmt_table[i].qemu;
	return NULL;
}

int rd_image_create(const char *format, const char *path, uint64_t size,
		    const struct rd_image_opts *o, struct rd_disk **out,
		    char *err, size_t errlen)
{
	unsigned int threads = o && o->threads ? o->threads : 2;

	*out = NULL;
	if (!strcmp(format, "raw"))
		return rd_rawsparse_create(path, size, out, err, errlen);
	if (!strcmp(format, "vmdk"))
		return rd_vmdk_create(path, o ? o->name : NULL, size, out, err,
				      errlen);
	if (!strcmp(format, "vmdk-stream"))
		return rd_vmdk_stream_create(path, o ? o->name : NULL, size,
					     threads, out, err, errlen);
	if (!strcmp(format, "vmdk-2gb"))
		return vmdk_split_create(path, o ? o->name : NULL, size,
					 VMDK_SPLIT_BYTES, out, err, errlen);
	if (!strcmp(format, "vhd") || !strcmp(format, "vhd-fixed"))
		return rd_vhd_create(path, size, format[3] == '-', out, err,
				     errlen);
	if (!strcmp(format, "vhdx"))
		return rd_vhdx_create(path, size, out, err, errlen);
	if (!strcmp(format, "vdi"))
		return rd_vdi_create(path, size, out, err, errlen);
	if (!strcmp(format, "qcow2"))
		return rd_qcow2_create(path, size, NULL, 0, out, err, errlen);
	snprintf(err, errlen, "%s: output format '%s' is not supported", path,
		 format);
	return -ENOTSUP;
}

/* Which reader?  Returns a name as rd_image_probe() does. */
static const char *probe(struct rd_disk *f)
{
	uint8_t h[512] = { 0 }, t[512] = { 0 };
	uint64_t n = rd_size(f) < 512 ? rd_size(f) : 512;

	if (rd_pread(f, h, (size_t)n, 0))
		return "raw";
	if (!memcmp(h, "KDMV", 4))
		return "vmdk";
	if (!memcmp(h, "# Disk DescriptorFile", 21))
		return "vmdk-descriptor";
	if (!memcmp(h, "vhdxfile", 8))
		return "vhdx";
	if (!memcmp(h, "QFI\xfb", 4))
		return "qcow2";
	if (n == 512 && rd_le32(h + 0x40) == 0xbeda107fu)
		return "vdi";
	if (!memcmp(h, "conectix", 8))
		return "vhd";
	if (rd_size(f) >= 1024 && !rd_pread(f, t, 512, rd_size(f) - 512) &&
	    !memcmp(t, "conectix", 8))
		return "vhd-fixed";
	return "raw";
}

const char *rd_image_probe(const char *path)
{
	struct rd_disk *f;
	const char *fmt;

	if (rd_file_open(path, RD_RDONLY, &f, NULL, 0))
		return "raw";
	fmt = probe(f);
	rd_close(f);
	return fmt;
}

/* The reader name for rd_image_probe()'s format (one reader each for
 * sparse and text VMDKs, fixed and dynamic VHDs). */
static const char *reader_of(const char *fmt)
{
	if (!strcmp(fmt, "vmdk-descriptor"))
		return "vmdk";
	if (!strcmp(fmt, "vhd-fixed"))
		return "vhd";
	return fmt;
}

int rd_image_open_chain(struct rd_disk *f, const char *path,
			struct rd_chain *c, const char *want_fmt,
			struct rd_disk **out, char *err, size_t errlen)
{
	struct rd_disk *d = NULL;
	const char *fmt = probe(f);
	int e;

	*out = NULL;
	/* a raw backing file is never probed: its bytes are guest data */
	if (want_fmt && !strcmp(want_fmt, "raw"))
		fmt = "raw";
	fmt = reader_of(fmt);
	if (want_fmt && strcmp(reader_of(want_fmt), fmt)) {
		snprintf(err, errlen, "%s: the image says it is %s, but it reads as %s",
			 path, want_fmt, fmt);
		rd_close(f);
		return -EINVAL;
	}
	rd_chain_note(c, fmt, path, rd_is_blockdev(f));
	if (!strcmp(fmt, "raw")) {
		*out = f;
		return 0;
	}
	if ((f->flags & RD_RDWR) && !(f->flags & RD_RDONLY)) {
		snprintf(err, errlen, "%s: %s images open read-only here", path,
			 fmt);
		rd_close(f);
		return -EROFS;
	}
	if (!strcmp(fmt, "qcow2")) {
		/* the qcow2 reader takes @f also on failure */
		e = rd_qcow2_open_chain(f, path, RD_RDONLY, c, &d, err,
					errlen);
		if (!e)
			*out = d;
		return e;
	}
	if (!strcmp(fmt, "vmdk"))
		e = rd_vmdk_open_chain(f, path, c, &d);
	else if (!strcmp(fmt, "vhd"))
		e = rd_vhd_open(f, &d);
	else if (!strcmp(fmt, "vhdx"))
		e = rd_vhdx_open(f, &d);
	else if (!strcmp(fmt, "vdi"))
		e = rd_vdi_open(f, &d);
	else
		e = -ENOTSUP;
	if (e) {
		snprintf(err, errlen, "%s", rd_strerror(f)[0] ? rd_strerror(f) :
			 strerror(-e));
		rd_close(f);
		return e;
	}
	snprintf(d->desc, sizeof(d->desc), "%s", path);
	*out = d;
	return 0;
}

int rd_image_open_files(const char *path, unsigned int flags,
			struct rd_chain_file *files, unsigned int max,
			unsigned int *nfiles, struct rd_disk **out, char *err,
			size_t errlen)
{
	struct rd_disk *f;
	struct rd_chain c;
	unsigned int opened, n = 0;
	int e;

	*out = NULL;
	e = rd_file_open(path, flags, &f, err, errlen);
	if (e)
		return e;
	(void)rd_chain_start(&c, &opened, f);
	c.files = files;
	c.max = max;
	c.nfiles = nfiles ? nfiles : &n;
	*c.nfiles = 0;
	return rd_image_open_chain(f, path, &c, NULL, out, err, errlen);
}

int rd_image_open(const char *path, unsigned int flags, struct rd_disk **out,
		  char *err, size_t errlen)
{
	return rd_image_open_files(path, flags, NULL, 0, NULL, out, err,
				   errlen);
}

/* ------------------------------------------------------------ not a disk */

/* Does @h (@n bytes, NUL-terminated) contain @needle? */
static bool has(const char *h, const char *needle)
{
	return strstr(h, needle) != NULL;
}

enum rd_vmdef rd_vmdef_kind(const char *h)
{
	if (has(h, "<domain") && (has(h, "type=") || has(h, "<devices>")))
		return RD_VMDEF_LIBVIRT;
	if (has(h, "<Envelope") || has(h, ":Envelope") || has(h, "ovf:"))
		return RD_VMDEF_OVF;
	if (has(h, "config.version") || has(h, "virtualHW.version") ||
	    has(h, ".encoding = ") || has(h, "guestOS ="))
		return RD_VMDEF_VMX;
	if (has(h, "# dualvm VM configuration") ||
	    (has(h, "machine = ") && has(h, "disk0 = ")))
		return RD_VMDEF_DUALVM;
	return RD_VMDEF_NONE;
}

/* The VM definition or other non-disk file @h (the first @n bytes of a
 * file, NUL-terminated) looks like, or NULL for binary data. */
static const char *what_text(const char *h, size_t n, enum rd_vmdef *def)
{
	static const char *const what[] = {
		[RD_VMDEF_NONE]		= "a text file",
		[RD_VMDEF_DUALVM]	= "a dualvm VM definition",
		[RD_VMDEF_VMX]		= "a VMware .vmx VM definition",
		[RD_VMDEF_OVF]		= "an OVF VM definition",
		[RD_VMDEF_LIBVIRT]	= "a libvirt domain XML VM definition",
	};
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)h[i];

		if (!ch || (ch < 32 && ch != '\n' && ch != '\r' &&
			    ch != '\t' && ch != '\f'))
			return NULL;		/* binary */
	}
	if (!n)
		return NULL;
	*def = rd_vmdef_kind(h);
	return what[*def];
}

const char *rd_image_not_disk(const char *path, enum rd_vmdef *def)
{
	static const struct {
		size_t		off;
		const char	*magic;
		size_t		len;
		const char	*what;
	} magics[] = {
		{ 0, "\x7f" "ELF", 4, "an executable (ELF)" },
		{ 0, "\x1f\x8b", 2, "a gzip archive" },
		{ 0, "\xfd" "7zXZ", 5, "an xz archive" },
		{ 0, "\x28\xb5\x2f\xfd", 4, "a zstd archive" },
		{ 0, "BZh", 3, "a bzip2 archive" },
		{ 0, "PK\x03\x04", 4, "a zip archive" },
		{ 0, "%PDF", 4, "a PDF document" },
	};
	char h[4097] = { 0 };
	struct rd_disk *f;
	uint64_t size;
	const char *fmt, *what = NULL;
	size_t n;

	*def = RD_VMDEF_NONE;
	if (rd_file_open(path, RD_RDONLY, &f, NULL, 0))
		return NULL;		/* the open that follows says why */
	size = rd_size(f);
	n = size < sizeof(h) - 1 ? (size_t)size : sizeof(h) - 1;
	fmt = probe(f);
	if (rd_is_blockdev(f) || strcmp(fmt, "raw") || rd_pread(f, h, n, 0)) {
		rd_close(f);
		return NULL;		/* a block device or an image format */
	}
	rd_close(f);
	if (size >= 512 && !memcmp(h + 257, "ustar", 5)) {
		bool ova = size >= 512 && (has(h, ".ovf") || has(h, ".mf"));

		*def = ova ? RD_VMDEF_OVA : RD_VMDEF_NONE;
		return ova ? "an OVA archive (a VM definition)" :
			     "a tar archive";
	}
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (n >= magics[i].off + magics[i].len &&
		    !memcmp(h + magics[i].off, magics[i].magic, magics[i].len))
			return magics[i].what;
	what = what_text(h, n, def);
	if (what)
		return what;
	if (size == 0)
		return "an empty file";
	if (size % 512)
		return "a file whose size is not a multiple of 512 bytes";
	return NULL;
}
