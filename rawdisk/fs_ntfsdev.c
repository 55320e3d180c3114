// SPDX-License-Identifier: GPL-2.0-only
/*
 * fs_ntfsdev.c --- a libntfs-3g device over a struct rd_disk
 *
 * libntfs-3g does all its I/O through struct ntfs_device_operations
 * (ntfs-3g/device.h: open, close, seek, read, write, pread, pwrite, sync,
 * stat, ioctl).  This table maps a device onto a byte window [off, off+len)
 * of any rd_disk, so ntfs_device_mount() works on a partition inside an
 * image, an overlay or a converted disk without FUSE, a mount or root.
 *
 * The ops follow ntfs-3g conventions: -1 with errno on failure, the device's
 * Open/ReadOnly state bits kept by open/close.  Writes are refused (EROFS)
 * unless the device was opened read-write and the rd_disk is writable.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/device.h>
#include <ntfs-3g/volume.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

struct rdn_priv {
	struct rd_disk	*disk;		/* not owned */
	uint64_t	off;		/* window start in @disk, bytes */
	uint64_t	len;		/* window length, bytes */
	s64		pos;		/* file position for read/write/seek */
};

static struct rdn_priv *rdn(struct ntfs_device *dev)
{
	return dev->d_private;
}

static int rdn_open(struct ntfs_device *dev, int flags)
{
	struct rdn_priv *p = rdn(dev);

	if (NDevOpen(dev)) {
		errno = EBUSY;
		return -1;
	}
	if ((flags & O_ACCMODE) != O_RDONLY && (p->disk->flags & RD_RDONLY)) {
		errno = EROFS;
		return -1;
	}
	if ((flags & O_ACCMODE) == O_RDONLY)
		NDevSetReadOnly(dev);
	else
		NDevClearReadOnly(dev);
	p->pos = 0;
	NDevSetOpen(dev);
	return 0;
}

static int rdn_close(struct ntfs_device *dev)
{
	if (!NDevOpen(dev)) {
		errno = EBADF;
		return -1;
	}
	NDevClearOpen(dev);
	return 0;
}

static s64 rdn_seek(struct ntfs_device *dev, s64 offset, int whence)
{
	struct rdn_priv *p = rdn(dev);
	s64 base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = p->pos;
		break;
	case SEEK_END:
		base = (s64)p->len;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if ((offset < 0 && -offset > base) ||
	    (offset > 0 && offset > INT64_MAX - base)) {
		errno = EINVAL;
		return -1;
	}
	p->pos = base + offset;
	return p->pos;
}

static s64 rdn_pread(struct ntfs_device *dev, void *buf, s64 count,
		     s64 offset)
{
	struct rdn_priv *p = rdn(dev);
	int rc;

	if (count < 0 || offset < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)offset >= p->len)
		return 0;
	if ((uint64_t)count > p->len - (uint64_t)offset)
		count = (s64)(p->len - (uint64_t)offset);
	rc = rd_pread(p->disk, buf, (size_t)count, p->off + (uint64_t)offset);
	if (rc) {
		errno = -rc;
		return -1;
	}
	return count;
}

static s64 rdn_pwrite(struct ntfs_device *dev, const void *buf, s64 count,
		      s64 offset)
{
	struct rdn_priv *p = rdn(dev);
	int rc;

	if (NDevReadOnly(dev)) {
		errno = EROFS;
		return -1;
	}
	if (count < 0 || offset < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)offset >= p->len) {
		errno = ENOSPC;
		return -1;
	}
	if ((uint64_t)count > p->len - (uint64_t)offset)
		count = (s64)(p->len - (uint64_t)offset);
	rc = rd_pwrite(p->disk, buf, (size_t)count, p->off + (uint64_t)offset);
	if (rc) {
		errno = -rc;
		return -1;
	}
	NDevSetDirty(dev);
	return count;
}

static s64 rdn_read(struct ntfs_device *dev, void *buf, s64 count)
{
	s64 n = rdn_pread(dev, buf, count, rdn(dev)->pos);

	if (n > 0)
		rdn(dev)->pos += n;
	return n;
}

static s64 rdn_write(struct ntfs_device *dev, const void *buf, s64 count)
{
	s64 n = rdn_pwrite(dev, buf, count, rdn(dev)->pos);

	if (n > 0)
		rdn(dev)->pos += n;
	return n;
}

static int rdn_sync(struct ntfs_device *dev)
{
	int rc;

	if (NDevReadOnly(dev) || !NDevDirty(dev))
		return 0;
	rc = rd_flush(rdn(dev)->disk);
	if (rc) {
		errno = -rc;
		return -1;
	}
	NDevClearDirty(dev);
	return 0;
}

static int rdn_stat(struct ntfs_device *dev, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0600;
	st->st_size = (off_t)rdn(dev)->len;
	st->st_blksize = 512;
	return 0;
}

static int rdn_ioctl(struct ntfs_device *dev, unsigned long request,
		     void *argp)
{
	switch (request) {
	case BLKGETSIZE64:
		*(uint64_t *)argp = rdn(dev)->len;
		return 0;
	case BLKSSZGET:
		*(int *)argp = 512;
		return 0;
	case BLKBSZSET:
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}

static const struct ntfs_device_operations rdn_ops = {
	.open	= rdn_open,
	.close	= rdn_close,
	.seek	= rdn_seek,
	.read	= rdn_read,
	.write	= rdn_write,
	.pread	= rdn_pread,
	.pwrite	= rdn_pwrite,
	.sync	= rdn_sync,
	.stat	= rdn_stat,
	.ioctl	= rdn_ioctl,
};

int rd_ntfs_device_new(struct rd_disk *d, uint64_t off, uint64_t len,
		       struct ntfs_device **out)
{
	struct rdn_priv *p;
	char name[300];

	*out = NULL;
	if (rd_window(d, off, &len))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->disk = d;
	p->off = off;
	p->len = len;
	snprintf(name, sizeof(name), "%s@%" PRIu64, d->desc, off);
	/* ntfs-3g takes a non-const ops table but never writes it */
	*out = ntfs_device_alloc(name, 0,
				 (struct ntfs_device_operations *)&rdn_ops, p);
	if (!*out) {
		free(p);
		return -ENOMEM;
	}
	return 0;
}

void rd_ntfs_device_free(struct ntfs_device *dev)
{
	void *p;

	if (!dev)
		return;
	p = dev->d_private;
	if (NDevOpen(dev))
		rdn_close(dev);
	ntfs_device_free(dev);
	free(p);
}

int rd_ntfs_mount(struct rd_disk *d, uint64_t off, uint64_t len,
		  unsigned long ntfs_flags, struct _ntfs_volume **out,
		  char *err, size_t errlen)
{
	struct ntfs_device *dev;
	ntfs_volume *vol;
	int rc, e;

	*out = NULL;
	if (!(ntfs_flags & NTFS_MNT_RDONLY) && (d->flags & RD_RDONLY)) {
		if (err)
			snprintf(err, errlen, "%s: disk is read-only", d->desc);
		return -EROFS;
	}
	rc = rd_ntfs_device_new(d, off, len, &dev);
	if (rc) {
		if (err)
			snprintf(err, errlen, "%s: bad NTFS window at %" PRIu64,
				 d->desc, off);
		return rc;
	}
	vol = ntfs_device_mount(dev, (ntfs_mount_flags)ntfs_flags);
	if (!vol) {
		e = errno ? errno : EIO;
		if (err)
			snprintf(err, errlen, "%s at byte %" PRIu64 ": %s%s",
				 d->desc, off, strerror(e),
				 e == EPERM ? " (Windows is hibernated or "
					      "Fast Startup is on)" :
				 e == EOPNOTSUPP ? " (unclean NTFS journal)" :
				 "");
		rd_ntfs_device_free(dev);
		return -e;
	}
	*out = vol;
	return 0;
}

int rd_ntfs_umount(struct _ntfs_volume *vol)
{
	void *p;
	int rc;

	if (!vol)
		return 0;
	p = vol->dev->d_private;
	rc = ntfs_umount(vol, FALSE);
	free(p);
	return rc ? -(errno ? errno : EIO) : 0;
}
