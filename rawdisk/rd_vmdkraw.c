// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_vmdkraw.c --- VMware/VirtualBox raw-disk descriptors (VMDK text
 * descriptor, disk-formats-and-p2v.md §1.1 and §1.3)
 *
 * `dualvm disk create-raw` writes what VirtualBox's createrawvmdk writes: a
 * "partitionedDevice" descriptor whose partition-table and boot areas are
 * FLAT extents into NAME-pt.vmdk (here: the partition view's synthesized
 * private copy, so the VM boots the chosen partition and never the host's
 * GRUB), the chosen partitions FLAT extents on the device, everything else
 * ZERO; or a "fullDevice" / "monolithicFlat" descriptor for the whole disk.
 * Reading descriptors is rd_image_open()'s job; rd_vmdk_desc_scan() only
 * lists FLAT extents so the safety checks know which device sectors a
 * descriptor exposes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

#define DESC_MAX	(64 * 1024)

struct desc_buf {
	char	*p;		/* text */
	size_t	len;		/* used */
	size_t	cap;		/* allocated */
	bool	overflow;	/* ran out of room */
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

static void db_extent(struct desc_buf *b, uint64_t bytes, const char *file,
		      uint64_t off)
{
	if (!bytes)
		return;
	if (file)
		db_add(b, "RW %llu FLAT \"%s\" %llu\n",
		       (unsigned long long)(bytes / 512), file,
		       (unsigned long long)(off / 512));
	else
		db_add(b, "RW %llu ZERO\n", (unsigned long long)(bytes / 512));
}

/* Write @len bytes of @text to a new file @path (refuses to overwrite). */
static int write_new(const char *path, const void *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n != (ssize_t)len || fsync(fd)) {
		int e = n < 0 ? -errno : -EIO;

		close(fd);
		unlink(path);
		return e;
	}
	return close(fd) ? -errno : 0;
}

/* Partitioned layout: private areas into @pt_path, partitions on @dev. */
static int layout_parts(struct rd_disk *dev, const char *dev_path,
			const char *partitions, const char *pt_path,
			const char *pt_name, struct desc_buf *b, char *err,
			size_t errlen)
{
	struct rd_view_seg *seg = calloc(2 * RD_MAX_PARTS + 16, sizeof(*seg));
	struct rd_disk *v = NULL, *pt = NULL;
	uint64_t off = 0, ptoff = 0;
	unsigned int n, i;
	uint8_t *buf = NULL;
	int e = -ENOMEM;

	if (!seg)
		goto out;
	e = rd_view_open(dev, false, partitions, &v, err, errlen);
	if (e)
		goto out;
	n = rd_view_layout(v, seg, 2 * RD_MAX_PARTS + 16);
	e = rd_file_open(pt_path, RD_CREATE | RD_RDWR | RD_GROW, &pt, err,
			 errlen);
	if (e)
		goto out;
	for (i = 0; i < n && !e; i++) {
		db_extent(b, seg[i].start - off, NULL, 0);
		if (seg[i].priv) {
			free(buf);
			buf = malloc(seg[i].size);
			e = buf ? rd_pread(v, buf, seg[i].size, seg[i].start) :
			    -ENOMEM;
			if (!e)
				e = rd_pwrite(pt, buf, seg[i].size, ptoff);
			db_extent(b, seg[i].size, pt_name, ptoff);
			ptoff += seg[i].size;
		} else {
			db_extent(b, seg[i].size, dev_path, seg[i].start);
		}
		off = seg[i].start + seg[i].size;
	}
	db_extent(b, rd_size(dev) - off, NULL, 0);
	if (!e)
		e = rd_flush(pt);
	if (e && !err[0])
		snprintf(err, errlen, "%s: %s", pt_path, strerror(-e));
out:
	free(buf);
	free(seg);
	rd_close(pt);
	rd_close(v);
	return e;
}

int rd_vmdk_raw_create(const char *device, const char *partitions,
		       const char *out_vmdk, char *err, size_t errlen)
{
	struct desc_buf b = { .cap = DESC_MAX };
	char real[PATH_MAX], pt_path[PATH_MAX], *slash;
	const char *pt_name, *type;
	struct rd_disk *dev;
	uint64_t sectors, cyl;
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
		rd_close(dev);
		return -ENOMEM;
	}
	snprintf(pt_path, sizeof(pt_path), "%.*s-pt.vmdk", (int)(l - 5), out_vmdk);
	slash = strrchr(pt_path, '/');
	pt_name = slash ? slash + 1 : pt_path;
	type = partitions ? "partitionedDevice" :
	       S_ISBLK(st.st_mode) ? "fullDevice" : "monolithicFlat";
	sectors = rd_size(dev) / 512;
	srand((unsigned int)time(NULL) ^ (unsigned int)getpid());
	db_add(&b, "# Disk DescriptorFile\nversion=1\nCID=%08x\nparentCID=ffffffff\ncreateType=\"%s\"\n\n# Extent description\n",
	       (unsigned int)rand(), type);
	if (partitions)
		e = layout_parts(dev, real, partitions, pt_path, pt_name, &b,
				 err, errlen);
	else
		db_extent(&b, sectors * 512, real, 0);
	cyl = sectors / (16 * 63);
	db_add(&b, "\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\nddb.geometry.cylinders = \"%llu\"\nddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\n",
	       (unsigned long long)(cyl > 16383 ? 16383 : cyl));
	if (!e && b.overflow) {
		snprintf(err, errlen, "%s: descriptor too large", out_vmdk);
		e = -E2BIG;
	}
	if (!e) {
		e = write_new(out_vmdk, b.p, b.len);
		if (e)
			snprintf(err, errlen, "%s: %s", out_vmdk, strerror(-e));
	}
	if (e && partitions)
		unlink(pt_path);
	free(b.p);
	rd_close(dev);
	return e;
}

/* One extent file for QEMU (it locks each extent open separately, so no
 * file may appear twice): @len bytes of @data, or sparse zeros. */
static int backing_piece(const char *prefix, const char *kind, unsigned int k,
			 const void *data, uint64_t len, struct desc_buf *b)
{
	char p[PATH_MAX + 32];
	const char *name;
	int fd, e = 0;

	snprintf(p, sizeof(p), "%s-%s%u.img", prefix, kind, k);
	name = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) ||
	    (data && pwrite(fd, data, len, 0) != (ssize_t)len))
		e = -errno ? -errno : -EIO;
	close(fd);
	if (!e)
		db_extent(b, len, name, 0);
	return e;
}

static int layout_backing(struct rd_disk *dev, const char *dev_path,
			  const char *partitions, const char *prefix,
			  struct desc_buf *b, char *err, size_t errlen)
{
	struct rd_view_seg *seg = calloc(2 * RD_MAX_PARTS + 16, sizeof(*seg));
	unsigned int n, i, nz = 0, np = 0;
	struct rd_disk *v = NULL;
	uint64_t off = 0;
	uint8_t *buf = NULL;
	int e = -ENOMEM;

	if (!seg)
		goto out;
	e = rd_view_open(dev, false, partitions, &v, err, errlen);
	if (e)
		goto out;
	n = rd_view_layout(v, seg, 2 * RD_MAX_PARTS + 16);
	for (i = 0; i < n && !e; i++) {
		if (seg[i].start > off)
			e = backing_piece(prefix, "zero", nz++, NULL,
					  seg[i].start - off, b);
		if (!e && seg[i].priv) {
			free(buf);
			buf = malloc(seg[i].size);
			e = buf ? rd_pread(v, buf, seg[i].size, seg[i].start) :
			    -ENOMEM;
			if (!e)
				e = backing_piece(prefix, "pt", np++, buf,
						  seg[i].size, b);
		} else if (!e) {
			db_extent(b, seg[i].size, dev_path, seg[i].start);
		}
		off = seg[i].start + seg[i].size;
	}
	if (!e && rd_size(dev) > off)
		e = backing_piece(prefix, "zero", nz++, NULL, rd_size(dev) - off,
				  b);
	if (e && !err[0])
		snprintf(err, errlen, "%s: %s", prefix, strerror(-e));
out:
	free(buf);
	free(seg);
	rd_close(v);
	return e;
}

int rd_vmdk_backing_create(const char *device, const char *partitions,
			   const char *out_vmdk, char *err, size_t errlen)
{
	struct desc_buf b = { .cap = DESC_MAX };
	char prefix[PATH_MAX];
	struct rd_disk *dev;
	size_t l = strlen(out_vmdk);
	int e;

	err[0] = 0;
	if (l < 6 || strcmp(out_vmdk + l - 5, ".vmdk") || l + 8 >= PATH_MAX)
		return -EINVAL;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(l - 5), out_vmdk);
	e = rd_file_open(device, RD_RDONLY, &dev, err, errlen);
	if (e)
		return e;
	b.p = calloc(1, b.cap);
	if (!b.p) {
		rd_close(dev);
		return -ENOMEM;
	}
	/* QEMU wants the section comments exactly like its own output */
	db_add(&b, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\n# Extent description\n");
	e = layout_backing(dev, device, partitions, prefix, &b, err, errlen);
	db_add(&b, "\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\nddb.comment = \"dualvm: view of %s partitions %s\"\n",
	       device, partitions);
	if (!e && b.overflow)
		e = -E2BIG;
	if (!e)
		e = write_new(out_vmdk, b.p, b.len);
	if (e && !err[0])
		snprintf(err, errlen, "%s: %s", out_vmdk, strerror(-e));
	if (e)
		rd_vmdk_backing_remove(out_vmdk);
	free(b.p);
	rd_close(dev);
	return e;
}

void rd_vmdk_backing_remove(const char *out_vmdk)
{
	char p[PATH_MAX + 32];
	size_t l = strlen(out_vmdk);
	unsigned int k;

	if (l < 6 || l >= PATH_MAX)
		return;
	for (k = 0; k < 2 * RD_MAX_PARTS + 16; k++) {
		snprintf(p, sizeof(p), "%.*s-pt%u.img", (int)(l - 5), out_vmdk, k);
		unlink(p);
		snprintf(p, sizeof(p), "%.*s-zero%u.img", (int)(l - 5), out_vmdk, k);
		unlink(p);
	}
	unlink(out_vmdk);
}
