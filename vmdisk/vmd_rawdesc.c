// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmd_rawdesc.c --- VMware/VirtualBox raw-disk descriptors (VMDK text
 * descriptor, disk-formats-and-p2v.md §1.1 and §1.3)
 *
 * `dualvm disk create-raw` writes what VirtualBox's createrawvmdk writes: a
 * "partitionedDevice" descriptor whose partition-table and boot areas are
 * FLAT extents into NAME-pt.vmdk (here: the partition view's synthesized
 * private copy, so the VM boots the chosen partition and never the host's
 * GRUB), the chosen partitions FLAT extents on the device, everything else
 * ZERO; or a "fullDevice" / "monolithicFlat" descriptor for the whole disk.
 * The undoable partition overlays get a read-only variant as their
 * backing (vmd_backing_create()): every extent RDONLY, gaps and private
 * areas one small file each (a layout from when QEMU read it: QEMU knows
 * no ZERO extents and locks every extent file).  Both walk the partition view's layout the same way (view_walk()).
 * Reading descriptors is rawdisk's job (rd_image_open(),
 * rd_vmdk_desc_scan()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/lib.h"
#include "vmdisk/vmd_priv.h"

#define DESC_MAX	(64 * 1024)		/* bytes of descriptor text */
#define MAX_SEGS	(2 * RD_MAX_PARTS + 16)	/* view segments we lay out */

struct desc_buf {
	char	*p;		/* text */
	size_t	len;		/* used */
	size_t	cap;		/* allocated */
	bool	overflow;	/* ran out of room */
	const char *access;	/* of every extent: "RW" unless set */
};

static void db_add(struct desc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void db_add(struct desc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

/* An extent line: FLAT on @file at byte @off, or ZERO when @file is
 * NULL.  Nothing for 0 bytes. */
static void db_extent(struct desc_buf *b, uint64_t bytes, const char *file,
		      uint64_t off)
{
	const char *acc = b->access ? b->access : "RW";

	if (!bytes)
		return;
	if (file)
		db_add(b, "%s %llu FLAT \"%s\" %llu\n", acc,
		       (unsigned long long)(bytes / 512), file,
		       (unsigned long long)(off / 512));
	else
		db_add(b, "%s %llu ZERO\n", acc,
		       (unsigned long long)(bytes / 512));
}

static void db_header(struct desc_buf *b, uint32_t cid, const char *type)
{
	/* QEMU wants the section comments exactly like its own output */
	db_add(b, "# Disk DescriptorFile\nversion=1\nCID=%08x\nparentCID=ffffffff\ncreateType=\"%s\"\n\n# Extent description\n",
	       cid, type);
}

/* Write @len bytes at @data (NULL: a sparse file of zeros) to the new file
 * @path (never overwrites; removed again on failure). */
static int write_new(const char *path, const void *data, uint64_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int e = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len))
		e = -errno;
	if (!e && data)
		e = lib_pwrite_all(fd, data, (size_t)len, 0);
	if (!e && fsync(fd))
		e = -errno;
	if (close(fd) && !e)
		e = -errno;
	if (e)
		unlink(path);
	return e;
}

/*
 * Where the areas of a partition view go.  Chosen partitions are always
 * FLAT extents on the device; gaps and the view's private areas (table,
 * boot code) differ: the raw descriptor writes ZERO extents and puts the
 * private areas one after the other into one -pt.vmdk file; the backing
 * for QEMU writes one file per gap (-zeroK.img) and per area (-ptK.img).
 */
struct sink {
	struct desc_buf	*b;		/* the descriptor being written */
	const char	*dev_path;	/* FLAT target of the partitions */
	struct rd_disk	*pt;		/* raw: the -pt.vmdk file */
	const char	*pt_name;	/* raw: its name in the descriptor */
	uint64_t	ptoff;		/* raw: bytes used in it */
	const char	*prefix;	/* backing: OUT without .vmdk */
	unsigned int	nzero;		/* backing: -zeroK.img files made */
	unsigned int	npriv;		/* backing: -ptK.img files made */
};

/* Backing: @len bytes of @data (NULL: zeros) as the next file of @kind. */
static int sink_piece(struct sink *s, const char *kind, unsigned int k,
		      const void *data, uint64_t len)
{
	char p[PATH_MAX + 32];
	const char *name;
	int e;

	snprintf(p, sizeof(p), "%s-%s%u.img", s->prefix, kind, k);
	name = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	e = write_new(p, data, len);
	if (!e)
		db_extent(s->b, len, name, 0);
	return e;
}

static int sink_gap(struct sink *s, uint64_t len)
{
	if (!len || !s->prefix) {
		db_extent(s->b, len, NULL, 0);
		return 0;
	}
	return sink_piece(s, "zero", s->nzero++, NULL, len);
}

static int sink_private(struct sink *s, const void *data, uint64_t len)
{
	int e;

	if (s->prefix)
		return sink_piece(s, "pt", s->npriv++, data, len);
	e = rd_pwrite(s->pt, data, len, s->ptoff);
	db_extent(s->b, len, s->pt_name, s->ptoff);
	s->ptoff += len;
	return e;
}

/* Lay out the view of @dev with @partitions into @s, in address order. */
static int view_walk(struct rd_disk *dev, const char *partitions,
		     struct sink *s, char *err, size_t errlen)
{
	struct rd_view_seg *seg = calloc(MAX_SEGS, sizeof(*seg));
	struct rd_disk *v = NULL;
	uint64_t off = 0;
	unsigned int n, i;
	uint8_t *buf = NULL;
	int e = -ENOMEM;

	if (!seg)
		goto out;
	e = rd_view_open(dev, false, partitions, &v, err, errlen);
	if (e)
		goto out;
	n = rd_view_layout(v, seg, MAX_SEGS);
	for (i = 0; i < n && i < MAX_SEGS && !e; i++) {
		e = sink_gap(s, seg[i].start - off);
		if (!e && seg[i].priv) {
			free(buf);
			buf = malloc(seg[i].size);
			e = buf ? rd_pread(v, buf, seg[i].size, seg[i].start) :
			    -ENOMEM;
			if (!e)
				e = sink_private(s, buf, seg[i].size);
		} else if (!e) {
			db_extent(s->b, seg[i].size, s->dev_path, seg[i].start);
		}
		off = seg[i].start + seg[i].size;
	}
	if (!e)
		e = sink_gap(s, rd_size(dev) - off);
out:
	free(buf);
	free(seg);
	rd_close(v);
	return e;
}

/* The geometry and adapter lines VMware wants after the extents. */
static void db_ddb(struct desc_buf *b, uint64_t sectors)
{
	uint64_t cyl = sectors / (16 * 63);

	db_add(b, "\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\nddb.geometry.cylinders = \"%llu\"\nddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\n",
	       (unsigned long long)(cyl > 16383 ? 16383 : cyl));
}

/* Write @b to the new file @path; a one-line reason in @err on failure
 * (unless one is there already). */
static int db_write(struct desc_buf *b, const char *path, int e, char *err,
		    size_t errlen)
{
	if (!e && b->overflow)
		e = -E2BIG;
	if (!e)
		e = write_new(path, b->p, b->len);
	if (e && !err[0])
		snprintf(err, errlen, "%s: %s", path,
			 e == -E2BIG ? "descriptor too large" : strerror(-e));
	return e;
}

/* A descriptor's content ID: random, so VMware sees a new disk. */
static uint32_t new_cid(void)
{
	uint32_t cid;

	if (getrandom(&cid, sizeof(cid), GRND_NONBLOCK) != sizeof(cid))
		cid = (uint32_t)time(NULL) ^ (uint32_t)getpid();
	return cid;
}

int vmd_rawdesc_create(const char *device, const char *partitions,
		       const char *out_vmdk, char *err, size_t errlen)
{
	struct desc_buf b = { .cap = DESC_MAX };
	struct sink s = { .b = &b };
	char real[PATH_MAX], pt_path[PATH_MAX];
	struct rd_disk *dev;
	struct stat st;
	size_t l = strlen(out_vmdk);
	int e;

	err[0] = 0;
	if (l < 6 || strcmp(out_vmdk + l - 5, ".vmdk") || l + 8 >= PATH_MAX) {
		snprintf(err, errlen, "%s: the output name must end in .vmdk",
			 out_vmdk);
		return -EINVAL;
	}
	if (access(out_vmdk, F_OK) == 0) {
		snprintf(err, errlen, "%s: already exists; not overwriting it",
			 out_vmdk);
		return -EEXIST;
	}
	if (stat(device, &st) || !realpath(device, real)) {
		snprintf(err, errlen, "%s: %s", device, strerror(errno));
		return -errno;
	}
	e = rd_file_open(real, RD_RDONLY, &dev, err, errlen);
	if (e)
		return e;
	b.p = calloc(1, b.cap);
	if (!b.p) {
		e = -ENOMEM;
		goto out_close;
	}
	snprintf(pt_path, sizeof(pt_path), "%.*s-pt.vmdk", (int)(l - 5),
		 out_vmdk);
	s.pt_name = strrchr(pt_path, '/') ? strrchr(pt_path, '/') + 1 : pt_path;
	s.dev_path = real;
	db_header(&b, new_cid(), partitions ? "partitionedDevice" :
		  S_ISBLK(st.st_mode) ? "fullDevice" : "monolithicFlat");
	if (partitions) {
		e = rd_file_open(pt_path, RD_CREATE | RD_RDWR | RD_GROW, &s.pt,
				 err, errlen);
		if (!e)
			e = view_walk(dev, partitions, &s, err, errlen);
		if (!e)
			e = rd_flush(s.pt);
		rd_close(s.pt);
		if (e && !err[0])
			snprintf(err, errlen, "%s: %s", pt_path, strerror(-e));
	} else {
		db_extent(&b, rd_size(dev), real, 0);
	}
	db_ddb(&b, rd_size(dev) / 512);
	e = db_write(&b, out_vmdk, e, err, errlen);
	if (e && partitions)
		unlink(pt_path);
	free(b.p);
out_close:
	rd_close(dev);
	return e;
}

int vmd_backing_create(const char *device, const char *partitions,
		       const char *out_vmdk, char *err, size_t errlen)
{
	struct desc_buf b = { .cap = DESC_MAX, .access = "RDONLY" };
	struct sink s = { .b = &b, .dev_path = device };
	char prefix[PATH_MAX];
	struct rd_disk *dev;
	size_t l = strlen(out_vmdk);
	int e;

	err[0] = 0;
	if (l < 6 || strcmp(out_vmdk + l - 5, ".vmdk") || l + 8 >= PATH_MAX)
		return -EINVAL;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(l - 5), out_vmdk);
	s.prefix = prefix;
	e = rd_file_open(device, RD_RDONLY, &dev, err, errlen);
	if (e)
		return e;
	b.p = calloc(1, b.cap);
	if (!b.p) {
		rd_close(dev);
		return -ENOMEM;
	}
	db_header(&b, 0xfffffffe, "partitionedDevice");
	e = view_walk(dev, partitions, &s, err, errlen);
	if (e && !err[0])
		snprintf(err, errlen, "%s: %s", prefix, strerror(-e));
	db_add(&b, "\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\nddb.comment = \"dualvm: view of %s partitions %s\"\n",
	       device, partitions);
	e = db_write(&b, out_vmdk, e, err, errlen);
	if (e)
		vmd_backing_remove(out_vmdk);
	free(b.p);
	rd_close(dev);
	return e;
}

void vmd_backing_remove(const char *out_vmdk)
{
	char p[PATH_MAX + 32];
	size_t l = strlen(out_vmdk);
	unsigned int k;

	if (l < 6 || l >= PATH_MAX)
		return;
	for (k = 0; k < MAX_SEGS; k++) {
		snprintf(p, sizeof(p), "%.*s-pt%u.img", (int)(l - 5), out_vmdk, k);
		unlink(p);
		snprintf(p, sizeof(p), "%.*s-zero%u.img", (int)(l - 5), out_vmdk, k);
		unlink(p);
	}
	unlink(out_vmdk);
}
