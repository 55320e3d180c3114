/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rd_priv.h --- helpers shared by the rawdisk back ends (not public)
 *
 * Little/big-endian field access for every on-disk format (MBR, GPT,
 * qcow2, VMDK, VHD, VHDX, VDI) and the GUID text form used in struct
 * rd_part.
 */
#ifndef DUALVM_RD_PRIV_H
#define DUALVM_RD_PRIV_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rawdisk/rawdisk.h"

static inline uint16_t rd_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd_le64(const uint8_t *p)
{
	return (uint64_t)rd_le32(p) | (uint64_t)rd_le32(p + 4) << 32;
}

static inline void rd_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void rd_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void rd_put_le64(uint8_t *p, uint64_t v)
{
	rd_put_le32(p, (uint32_t)v);
	rd_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t rd_be64(const uint8_t *p)
{
	return (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
}

static inline void rd_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void rd_put_be64(uint8_t *p, uint64_t v)
{
	rd_put_be32(p, (uint32_t)(v >> 32));
	rd_put_be32(p + 4, (uint32_t)v);
}

static inline void rd_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Format a mixed-endian on-disk GUID as lower-case text (37 bytes). */
static inline void rd_guid_str(const uint8_t *g, char out[40])
{
	snprintf(out, 40,
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 rd_le32(g), rd_le16(g + 4), rd_le16(g + 6), g[8], g[9],
		 g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* A byte window [@off, @off + *@len) of @d for the file-system adapters:
 * *@len 0 means "to the end".  0, or -EINVAL when it leaves the disk. */
static inline int rd_window(const struct rd_disk *d, uint64_t off,
			    uint64_t *len)
{
	if (!d || off > d->size)
		return -EINVAL;
	if (*len == 0)
		*len = d->size - off;
	return *len > d->size - off ? -EINVAL : 0;
}

/* GPT layout constants (UEFI 2.x §5.3). */
#define RD_GPT_HDR_MIN		92u	/* bytes of a GPT header we know */
#define RD_GPT_ENTRY_MIN	128u	/* smallest entry size */
#define RD_GPT_MAX_ENTRIES	4096u	/* more is treated as corrupt */
#define RD_GPT_ATTR_LEGACY_BOOT	(1ull << 2)

/* Maximum bytes of GPT entry array we accept. */
#define RD_GPT_MAX_ARRAY	(1u << 20)

/* ------------------------------------------------------------------ */
/* Opening the files an image names (rd_file.c, rd_path.c)            */

/* rd_file_open() over an already-open @fd (taken, also on failure):
 * refuses anything but regular files and block devices. */
int rd_file_open_fd(int fd, const char *path, unsigned int flags,
		    struct rd_disk **out, char *errbuf, size_t errlen);

/* st_dev and st_ino of the file at the bottom of @d's stack: 0, or
 * -ENOENT when the bottom is not a file back end. */
int rd_file_identity(const struct rd_disk *d, uint64_t *dev, uint64_t *ino);

/*
 * The state of one image open (rd_image_open() and the readers it calls):
 * the files from the image the user named down to the one being opened,
 * to refuse cycles and chains deeper than RD_CHAIN_MAX, how many files the
 * whole open has opened (bounded), and the optional record of every file
 * followed (for `disk info`).  Passed by pointer; each level works on a
 * copy of its parent's ancestor list.
 */
struct rd_chain {
	unsigned int		depth;		/* ancestors in dev/ino */
	uint64_t		dev[RD_CHAIN_MAX + 1];	/* st_dev per level */
	uint64_t		ino[RD_CHAIN_MAX + 1];	/* st_ino per level */
	unsigned int		*opened;	/* files opened in total */
	struct rd_chain_file	*files;		/* record, or NULL */
	unsigned int		max;		/* entries in files[] */
	unsigned int		*nfiles;	/* entries used (may pass max) */
};

#define RD_CHAIN_FILES_MAX	4096	/* files one image open may open */

/* Start @c for the image file @f (the user named it).  0 or -errno. */
int rd_chain_start(struct rd_chain *c, unsigned int *opened,
		   struct rd_disk *f);

/* Record @path at @c's depth as @format in the optional file list. */
void rd_chain_note(struct rd_chain *c, const char *format, const char *path,
		   bool blockdev);

/* How rd_path_follow() may treat the file. */
#define RD_FOLLOW_BLKDEV	0x1	/* a raw-disk descriptor's extent:
					 * block devices allowed (read-only) */

/*
 * Open the file that the image @image refers to as @ref (a qcow2 backing
 * file, a VMDK extent), read-only, under the path policy
 * (rd_path_check()): O_NONBLOCK | O_NOFOLLOW, then fstat; a file already
 * in @parent's chain is a cycle (-ELOOP), a chain deeper than
 * RD_CHAIN_MAX is refused (-ELOOP).  On success *@out is the file, @child
 * is @parent extended by it, and @real (PATH_MAX bytes) its resolved
 * path.  0 or -errno with one line in @err.
 */
int rd_path_follow(const char *image, const char *ref, unsigned int how,
		   const struct rd_chain *parent, struct rd_chain *child,
		   struct rd_disk **out, char *real, char *err, size_t errlen);

/* rd_image_open() inside an open chain (backing files of any format):
 * @path was opened by rd_path_follow() into @f (taken, also on failure). */
int rd_image_open_chain(struct rd_disk *f, const char *path,
			struct rd_chain *c, const char *want_fmt,
			struct rd_disk **out, char *err, size_t errlen);

/* rd_qcow2_open_disk() inside an image open's chain @c: a backing file
 * named in the header is followed by rd_path_follow() relative to @path
 * and opened in its recorded format (any format rd_image_open() reads).
 * Takes @file also on failure. */
int rd_qcow2_open_chain(struct rd_disk *file, const char *path,
			unsigned int flags, struct rd_chain *c,
			struct rd_disk **out, char *err, size_t errlen);

#endif
