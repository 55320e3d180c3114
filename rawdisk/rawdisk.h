/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rawdisk.h --- dualvm's block layer: stackable disk back ends
 *
 * A struct rd_disk is a byte-addressed virtual disk with a fixed size.  Back
 * ends are const rd_ops tables (e2fsprogs io_manager / SQLite VFS style) and
 * stack: a file or block device at the bottom, then read-only guards,
 * partition views, copy-on-write overlays, image formats, fault injection.
 * The VMM's IDE disks and the P2V converter both read through this layer.
 *
 * Errors are 0 / -errno.  Every disk keeps a one-line description of its
 * last error (rd_strerror()) for the CLI to print.
 */
#ifndef DUALVM_RAWDISK_H
#define DUALVM_RAWDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd_disk;

struct rd_ops {
	const char *name;			/* "file", "ro", "fault", ... */
	/* Transfer exactly @len bytes at @off (already bounds-checked by the
	 * rd_pread/rd_pwrite wrappers).  0 or -errno. */
	int  (*pread)(struct rd_disk *d, void *buf, size_t len, uint64_t off);
	int  (*pwrite)(struct rd_disk *d, const void *buf, size_t len,
		       uint64_t off);
	int  (*flush)(struct rd_disk *d);	/* may be NULL: nothing to do */
	void (*close)(struct rd_disk *d);	/* frees d->priv, not below */
	/*
	 * Optional: is [off, off+len) known to read as zeros / unallocated?
	 * Sets *@alloc_len to the length of the run starting at @off that has
	 * the returned status (RD_BLK_*).  NULL: everything is RD_BLK_DATA.
	 */
	int  (*block_status)(struct rd_disk *d, uint64_t off, uint64_t len,
			     uint64_t *run_len);
};

/* block_status results */
#define RD_BLK_DATA	0	/* allocated, may hold data */
#define RD_BLK_ZERO	1	/* reads as zeros */
#define RD_BLK_UNALLOC	2	/* not allocated here: reads from below/zero */

/* open flags */
#define RD_RDONLY	0x0001	/* refuse every write */
#define RD_RDWR		0x0002
#define RD_EXCL		0x0004	/* O_EXCL on block devices, flock on files */
#define RD_DIRECT	0x0008	/* O_DIRECT where the file system allows it */
#define RD_CREATE	0x0010	/* create a new file (image writers) */

struct rd_disk {
	const struct rd_ops	*ops;
	uint64_t		size;		/* bytes, fixed for the life */
	unsigned int		flags;		/* RD_* used at open */
	unsigned int		sector_size;	/* logical, 512 or 4096 */
	struct rd_disk		*below;		/* stacked-on disk, or NULL */
	bool			owns_below;	/* close() also closes below */
	void			*priv;		/* back-end state */
	char			desc[256];	/* "file:/path", for messages */
	char			err[256];	/* last error, one line */
};

/* Allocate a disk for back end @ops; caller fills size/priv.  NULL on OOM. */
struct rd_disk *rd_alloc(const struct rd_ops *ops, struct rd_disk *below,
			 bool owns_below);

/* Bounds-checked I/O through the stack.  -EINVAL beyond the end, -EROFS on
 * a write to a read-only disk, else what the back end returns. */
int __attribute__((warn_unused_result))
rd_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off);
int __attribute__((warn_unused_result))
rd_pwrite(struct rd_disk *d, const void *buf, size_t len, uint64_t off);
int rd_flush(struct rd_disk *d);
int rd_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
		    uint64_t *run_len);
/* Close @d (and what it owns below).  NULL is fine. */
void rd_close(struct rd_disk *d);

static inline uint64_t rd_size(const struct rd_disk *d)
{
	return d->size;
}

/* Record a printf-style one-line error on @d and return @err (a -errno). */
int rd_set_error(struct rd_disk *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Last error message for @d ("" if none). */
const char *rd_strerror(const struct rd_disk *d);

/*
 * File or block device back end.  @flags: RD_RDONLY or RD_RDWR, plus
 * RD_EXCL, RD_DIRECT, RD_CREATE.  Block device sizes come from
 * BLKGETSIZE64.  0 or -errno; on error *@out is NULL and, when @errbuf is not
 * NULL, a one-line reason is written there.
 */
int __attribute__((warn_unused_result))
rd_file_open(const char *path, unsigned int flags, struct rd_disk **out,
	     char *errbuf, size_t errlen);

/* True if @d (or the bottom of its stack) is a block device. */
bool rd_is_blockdev(const struct rd_disk *d);

#endif
