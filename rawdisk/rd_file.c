// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_file.c --- regular-file and block-device back end
 *
 * The bottom of every stack.  Block devices get their size from
 * BLKGETSIZE64 and exclusivity from O_EXCL (the kernel refuses it while the
 * device or a partition of it is mounted); regular files get an advisory
 * flock so two dualvm processes never write one image.  Short reads past the
 * end of a file that shrank underneath us are errors, never silent zeros.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/lib.h"
#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

struct rd_file {
	int		fd;
	bool		blockdev;
	uint64_t	dev;		/* st_dev, st_ino: which file it is */
	uint64_t	ino;		/* (cycle checks of image chains) */
};

static int file_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	struct rd_file *f = d->priv;
	ssize_t n = lib_pread_full(f->fd, buf, len, off);

	if (n < 0)
		return rd_set_error(d, (int)n, "%s: read at %llu: %s", d->desc,
				    (unsigned long long)off, strerror((int)-n));
	if ((size_t)n < len)
		return rd_set_error(d, -EIO,
				    "%s: unexpected end of file at %llu",
				    d->desc, (unsigned long long)(off + n));
	return 0;
}

static int file_pwrite(struct rd_disk *d, const void *buf, size_t len,
		       uint64_t off)
{
	struct rd_file *f = d->priv;

	return rd_fd_write_all(d, f->fd, buf, len, off);
}

static int file_flush(struct rd_disk *d)
{
	struct rd_file *f = d->priv;

	if (d->flags & RD_RDONLY)
		return 0;
	return rd_fd_sync(d, f->fd);
}

static int file_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			     uint64_t *run_len)
{
	struct rd_file *f = d->priv;
	off_t data, hole;

	*run_len = len;
	if (f->blockdev)
		return RD_BLK_DATA;
	data = lseek(f->fd, (off_t)off, SEEK_DATA);
	if (data < 0) {
		if (errno == ENXIO)		/* only a hole up to EOF */
			return RD_BLK_ZERO;
		return RD_BLK_DATA;		/* no SEEK_DATA support */
	}
	if ((uint64_t)data > off) {
		if ((uint64_t)data - off < len)
			*run_len = (uint64_t)data - off;
		return RD_BLK_ZERO;
	}
	hole = lseek(f->fd, (off_t)off, SEEK_HOLE);
	if (hole >= 0 && (uint64_t)hole > off && (uint64_t)hole - off < len)
		*run_len = (uint64_t)hole - off;
	return RD_BLK_DATA;
}

static void file_close(struct rd_disk *d)
{
	struct rd_file *f = d->priv;

	if (f) {
		close(f->fd);
		free(f);
	}
}

static const struct rd_ops rd_file_ops = {
	.name		= "file",
	.pread		= file_pread,
	.pwrite		= file_pwrite,
	.flush		= file_flush,
	.close		= file_close,
	.block_status	= file_block_status,
	.concurrent_reads = true,
};

/* Report "PATH: WHAT" (or "PATH: strerror") in @errbuf and return @err. */
static int open_fail(char *errbuf, size_t errlen, int err, const char *path,
		     const char *what)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s: %s", path,
			 what ? what : strerror(-err));
	return err;
}

/* Only regular files and block devices are disks: refuse FIFOs (an open
 * would block), sockets and character devices (an open may act) by their
 * type before opening them. */
static int type_check(const struct stat *st, char *errbuf, size_t errlen,
		      const char *path)
{
	if (S_ISREG(st->st_mode) || S_ISBLK(st->st_mode))
		return 0;
	return open_fail(errbuf, errlen, -EINVAL, path,
			 S_ISFIFO(st->st_mode) ? "a FIFO, not a disk image" :
			 S_ISSOCK(st->st_mode) ? "a socket, not a disk image" :
			 S_ISCHR(st->st_mode) ?
			 "a character device, not a disk image" :
			 S_ISDIR(st->st_mode) ? "a directory, not a disk image" :
			 "not a regular file or block device");
}

int rd_file_open_fd(int fd, const char *path, unsigned int flags,
		    struct rd_disk **out, char *errbuf, size_t errlen)
{
	struct rd_file *f;
	struct rd_disk *d;
	struct stat st;
	uint64_t size;
	int err, fl;

	*out = NULL;
	if (fstat(fd, &st) < 0)
		goto out_errno;
	err = type_check(&st, errbuf, errlen, path);
	if (err) {
		close(fd);
		return err;
	}
	/* opened O_NONBLOCK so a FIFO swapped in never blocks: clear it */
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size) < 0)
			goto out_errno;
	} else {
		size = (uint64_t)st.st_size;
		/* exclusive even for read-only opens: a second dualvm on
		 * one image (even an overlay run) is always refused */
		if ((flags & RD_EXCL) && flock(fd, LOCK_EX | LOCK_NB) < 0) {
			err = -errno;
			close(fd);
			if (err == -EWOULDBLOCK)
				return open_fail(errbuf, errlen, -EBUSY, path,
						 "in use by another dualvm process");
			return open_fail(errbuf, errlen, err, path, NULL);
		}
	}
	d = rd_alloc_priv(&rd_file_ops, NULL, false, sizeof(*f));
	if (!d) {
		close(fd);
		return open_fail(errbuf, errlen, -ENOMEM, path, NULL);
	}
	f = d->priv;
	f->fd = fd;
	f->blockdev = S_ISBLK(st.st_mode);
	f->dev = (uint64_t)st.st_dev;
	f->ino = (uint64_t)st.st_ino;
	fl = fcntl(fd, F_GETFL);
	return rd_finish(d, NULL, size, fl >= 0 && (fl & O_ACCMODE) ?
			 (flags & ~RD_RDONLY) | RD_RDWR :
			 (flags & ~RD_RDWR) | RD_RDONLY, path, out);

out_errno:
	err = -errno;
	close(fd);
	return open_fail(errbuf, errlen, err, path, NULL);
}

int rd_file_open(const char *path, unsigned int flags, struct rd_disk **out,
		 char *errbuf, size_t errlen)
{
	int oflags = (flags & RD_RDWR) && !(flags & RD_RDONLY) ? O_RDWR :
		     O_RDONLY;
	struct stat st;
	int fd, err;

	*out = NULL;
	if (flags & RD_CREATE)
		oflags = O_RDWR | O_CREAT | O_EXCL;
	if (flags & RD_DIRECT)
		oflags |= O_DIRECT;
	oflags |= O_CLOEXEC | O_NONBLOCK;
	if (stat(path, &st) == 0) {
		err = type_check(&st, errbuf, errlen, path);
		if (err)
			return err;
		if (S_ISBLK(st.st_mode) && (flags & RD_EXCL))
			oflags |= O_EXCL;
	}
	fd = open(path, oflags, 0644);
	if (fd < 0 && errno == EINVAL && (flags & RD_DIRECT))
		fd = open(path, oflags & ~O_DIRECT, 0644);
	if (fd < 0) {
		err = -errno;
		if (err == -EBUSY)
			return open_fail(errbuf, errlen, err, path,
					 "device is in use (mounted or opened exclusively)");
		return open_fail(errbuf, errlen, err, path, NULL);
	}
	return rd_file_open_fd(fd, path, flags, out, errbuf, errlen);
}

int rd_file_identity(const struct rd_disk *d, uint64_t *dev, uint64_t *ino)
{
	while (d->below)
		d = d->below;
	if (d->ops != &rd_file_ops)
		return -ENOENT;
	*dev = ((struct rd_file *)d->priv)->dev;
	*ino = ((struct rd_file *)d->priv)->ino;
	return 0;
}

bool rd_is_blockdev(const struct rd_disk *d)
{
	while (d->below)
		d = d->below;
	if (d->ops != &rd_file_ops)
		return false;
	return ((struct rd_file *)d->priv)->blockdev;
}
