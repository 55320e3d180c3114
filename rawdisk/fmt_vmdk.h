/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fmt_vmdk.h --- private VMDK definitions shared by fmt_vmdk.c (sparse
 * reader and writer), fmt_vmdk_stream.c (streamOptimized writer) and
 * fmt_vmdk_desc.c (text descriptor reader).  Field offsets of the 512-byte
 * hosted sparse extent header, per VMware's "Virtual Disk Format 5.0".
 */
#ifndef DUALVM_RAWDISK_FMT_VMDK_H
#define DUALVM_RAWDISK_FMT_VMDK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawdisk/rawdisk.h"

#define VMDK_H_VERSION		4
#define VMDK_H_FLAGS		8
#define VMDK_H_CAPACITY		12
#define VMDK_H_GRAIN		20
#define VMDK_H_DESC_OFF		28
#define VMDK_H_DESC_SIZE	36
#define VMDK_H_NGTE		44
#define VMDK_H_RGD		48
#define VMDK_H_GD		56
#define VMDK_H_OVERHEAD		64
#define VMDK_H_UNCLEAN		72
#define VMDK_H_NL		73
#define VMDK_H_COMPRESS		77

#define VMDK_FL_NL		0x1
#define VMDK_FL_RGD		0x2
#define VMDK_FL_ZERO_GTE	0x4
#define VMDK_FL_COMPRESSED	0x10000
#define VMDK_FL_MARKERS		0x20000

#define VMDK_GD_AT_END		0xffffffffffffffffULL
#define VMDK_GTES		512
#define VMDK_GRAIN		(64u * 1024)	/* bytes */
#define VMDK_DESC_SECTORS	20
#define VMDK_SPLIT_BYTES	(2047ULL << 20)	/* twoGbMaxExtent piece */
#define VMDK_MAX_SIZE		((2ULL << 40) - VMDK_GRAIN)	/* bytes */

/* marker types (streamOptimized) */
#define VMDK_MARKER_EOS		0
#define VMDK_MARKER_GT		1
#define VMDK_MARKER_GD		2
#define VMDK_MARKER_FOOTER	3

struct vmdk_layout {
	uint32_t	version;	/* 1 sparse, 3 streamOptimized */
	uint32_t	flags;		/* VMDK_FL_* */
	uint64_t	capacity;	/* sectors */
	uint64_t	grain;		/* sectors */
	uint64_t	desc_off;	/* sector of the embedded descriptor */
	uint64_t	desc_size;	/* sectors */
	uint64_t	rgd;		/* sector of the redundant GD, or 0 */
	uint64_t	gd;		/* sector of the GD, or GD_AT_END */
	uint64_t	overhead;	/* sectors before the first grain */
	uint16_t	compress;	/* 0 none, 1 deflate */
};

/* Fill a 512-byte header from @l. */
void vmdk_header_make(uint8_t *h, const struct vmdk_layout *l);
/* Write a descriptor for one SPARSE extent @extent_file of @capacity
 * sectors into @buf.  0 or -ENOSPC. */
int vmdk_descriptor_make(char *buf, size_t len, const char *create_type,
			 uint64_t capacity, const char *extent_file);
/* Same with the extent lines given as text (one or more lines). */
int vmdk_descriptor_text(char *buf, size_t len, const char *create_type,
			 uint64_t capacity, const char *extents);
/* A monolithicSparse writer; @embed false: no embedded descriptor (an
 * extent of a twoGbMaxExtentSparse disk). */
int vmdk_sparse_create(const char *path, const char *name, uint64_t size,
		       bool embed, struct rd_disk **out, char *err,
		       size_t errlen);
/* twoGbMaxExtentSparse writer: descriptor @path, extents <stem>-sNNN.vmdk
 * of @extent_bytes (multiple of 64 KiB) beside it, named after @name
 * (the final descriptor name) when not NULL.  Closing without a successful
 * rd_flush() removes the extents. */
int vmdk_split_create(const char *path, const char *name, uint64_t size,
		      uint64_t extent_bytes, struct rd_disk **out, char *err,
		      size_t errlen);

/* Open a text descriptor (@below holds it; extents are relative to the
 * directory of @path).  Takes @below on success.  0 or -errno. */
int vmdk_desc_open(struct rd_disk *below, const char *path,
		   struct rd_disk **out);

struct rd_chain;
/* The same inside an image open's chain @c (NULL: a new chain starting at
 * @below); extents are followed through rd_path_follow(). */
int vmdk_desc_open_chain(struct rd_disk *below, const char *path,
			 struct rd_chain *c, struct rd_disk **out);
/* rd_vmdk_open() inside an image open's chain @c (NULL: a new one). */
int rd_vmdk_open_chain(struct rd_disk *below, const char *path,
		       struct rd_chain *c, struct rd_disk **out);
/* A SPARSE extent: only a hosted sparse file ("KDMV"), never another
 * descriptor (no recursion).  Takes @below on success. */
int vmdk_open_sparse_extent(struct rd_disk *below, struct rd_disk **out);

#endif
