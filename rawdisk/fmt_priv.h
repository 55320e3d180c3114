/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fmt_priv.h --- private helpers shared by the virtual-disk image formats
 *
 * VMDK sparse, VHD dynamic, VHDX and VDI are all "block map" formats: the
 * virtual disk is cut into fixed-size blocks (grains) and a table maps each
 * block to a file offset or marks it unallocated / zero.  fmt_bmap.c holds
 * the one rd_ops implementation for all of them; each format supplies the
 * table (parsed by its reader, serialised by its writer's commit hook).
 * Writers append newly allocated blocks at the end of the file, so writes may
 * come in any order; metadata is written by rd_flush() and at close.
 */
#ifndef DUALVM_RAWDISK_FMT_PRIV_H
#define DUALVM_RAWDISK_FMT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"	/* rd_le32(), rd_put_be64(), ... */

/* block map values (file byte offsets otherwise) */
#define FMT_UNALLOC	0ULL		/* reads as zero, not allocated */
#define FMT_ZERO	1ULL		/* explicitly zero (VMDK GTE 1 ...) */

struct fmt_bmap;

struct fmt_bmap_ops {
	const char	*name;		/* "vmdk", "vhd", ... */
	/* Writer: bytes before each block's data (VHD sector bitmap). */
	uint32_t	prefix;
	/* Writer: alignment of a new block's start in the file. */
	uint64_t	align;
	/* Writer: called after a block is allocated at file offset @off
	 * (start of its prefix); writes the prefix.  May be NULL. */
	int		(*alloc)(struct fmt_bmap *b, uint64_t blk, uint64_t off);
	/* Writer: write all metadata so the file is a complete image. */
	int		(*commit)(struct fmt_bmap *b);
	/* Reader: read @len bytes at @inblk of mapped block @blk (compressed
	 * grains); NULL means a plain read at map[blk] + @inblk. */
	int		(*read_block)(struct fmt_bmap *b, uint64_t blk, void *buf,
				      size_t len, uint64_t inblk);
	/* Frees b->fmt; NULL: free(b->fmt). */
	void		(*free)(struct fmt_bmap *b);
};

struct fmt_bmap {
	const struct fmt_bmap_ops *ops;
	struct rd_disk	*disk;		/* the disk this state belongs to */
	struct rd_disk	*below;		/* reader: the image file */
	int		fd;		/* writer: image file, else -1 */
	char		*path;		/* writer: file name (messages) */
	uint64_t	block_size;	/* bytes, power of two */
	uint64_t	nblocks;	/* entries in map[] */
	uint64_t	*map;		/* data offset per block / FMT_* */
	uint64_t	eof;		/* writer: next free byte */
	uint64_t	allocated;	/* writer: blocks allocated so far */
	bool		dirty;		/* writer: metadata not yet written */
	bool		finished;	/* writer: sealed (stream formats) */
	void		*fmt;		/* format-specific state */
};

/*
 * Make a reader disk over @below with a map of @nblocks entries (filled by
 * the caller afterwards through fmt_bmap_of()).  Takes ownership of @below
 * only on success.  0 or -errno.
 */
int fmt_bmap_reader(const struct fmt_bmap_ops *ops, struct rd_disk *below,
		    uint64_t size, uint64_t block_size, void *fmt,
		    struct rd_disk **out);
/*
 * Make a writer disk: create @path (must not exist), size @size, map of
 * ceil(size / block_size) unallocated entries, first block at @data_start.
 * Takes @fmt, also on failure.  0 or -errno with a reason in @err.
 */
int fmt_bmap_writer(const struct fmt_bmap_ops *ops, const char *path,
		    uint64_t size, uint64_t block_size, uint64_t data_start,
		    void *fmt, struct rd_disk **out, char *err, size_t errlen);
struct fmt_bmap *fmt_bmap_of(struct rd_disk *d);

/* Give up on the reader @d while filling its map: close it, but not the
 * image file below it (that stays the caller's). */
void fmt_bmap_abandon(struct rd_disk *d);

/* fmt_bmap_abandon() because map entry @blk points outside the file:
 * records "<file>: <NAME> block <blk> outside the file" on the file and
 * returns -EINVAL. */
int fmt_bmap_bad_block(struct rd_disk *d, uint64_t blk);

/* Writer: set the image file's length to @len.  0 or -errno (recorded). */
int fmt_io_truncate(struct fmt_bmap *b, uint64_t len);

/* Raw I/O on the image file (writer fd or reader's below disk). */
int fmt_io_read(struct fmt_bmap *b, void *buf, size_t len, uint64_t off);
int fmt_io_write(struct fmt_bmap *b, const void *buf, size_t len,
		 uint64_t off);

/* true if @len bytes at @p are all zero */
bool fmt_is_zero(const void *p, size_t len);

/* Writers: is @size (bytes) a size @format can hold: not 0, a multiple of
 * 512, at most @max?  0, or -EINVAL with "<path>: <format> size must be a
 * multiple of 512 <limit>" in @err. */
int fmt_size_check(const char *path, const char *format, uint64_t size,
		   uint64_t max, const char *limit, char *err, size_t errlen);

/* CRC-32C (Castagnoli), as VHDX uses it. */
uint32_t fmt_crc32c(const void *buf, size_t len);
/* A random v4 UUID / GUID in 16 bytes. */
void fmt_uuid_random(uint8_t out[16]);

/*
 * A read-only view of @size bytes at @off of @below (fixed VHD, VMDK FLAT
 * extents).  Takes ownership of @below on success.  0 or -errno.
 */
int fmt_slice_open(struct rd_disk *below, uint64_t off, uint64_t size,
		   struct rd_disk **out);
/*
 * A raw sparse writer: creates @path, all-zero writes leave holes; rd_flush
 * sets the size and appends @trailer (fixed VHD footer) when not NULL.
 */
int fmt_raw_writer(const char *path, uint64_t size, const void *trailer,
		   size_t trailer_len, struct rd_disk **out, char *err,
		   size_t errlen);

/* per-format entry points used by rd_image.c */
int rd_vmdk_open(struct rd_disk *below, const char *path,
		 struct rd_disk **out);
int rd_vmdk_create(const char *path, const char *name, uint64_t size,
		   struct rd_disk **out, char *err, size_t errlen);
int rd_vhd_open(struct rd_disk *below, struct rd_disk **out);
int rd_vhd_create(const char *path, uint64_t size, bool fixed,
		  struct rd_disk **out, char *err, size_t errlen);
int rd_vhdx_open(struct rd_disk *below, struct rd_disk **out);
int rd_vhdx_create(const char *path, uint64_t size, struct rd_disk **out,
		   char *err, size_t errlen);
int rd_vdi_open(struct rd_disk *below, struct rd_disk **out);
int rd_vdi_create(const char *path, uint64_t size, struct rd_disk **out,
		  char *err, size_t errlen);
int rd_vmdk_stream_create(const char *path, const char *name, uint64_t size,
			  unsigned int threads, struct rd_disk **out,
			  char *err, size_t errlen);
int rd_rawsparse_create(const char *path, uint64_t size,
			struct rd_disk **out, char *err, size_t errlen);

#endif
