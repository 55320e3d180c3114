/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rd_qcow2.h --- private state of the qcow2 v3 back end (qemu
 * docs/interop/qcow2.txt), shared by rd_qcow2.c (I/O, allocation) and
 * rd_qcow2_meta.c (header parsing, creation, refcount repair)
 */
#ifndef DUALVM_RD_QCOW2_H
#define DUALVM_RD_QCOW2_H

#include <stdbool.h>
#include <stdint.h>

#include "rawdisk/rawdisk.h"

#define QC_MAGIC		0x514649fbu	/* "QFI\xfb" */
#define QC_HDR_LEN		112u		/* v3 header we write */
#define QC_OFF_MASK		0x00fffffffffffe00ull	/* L1/L2 offset bits */
#define QC_COPIED		(1ull << 63)	/* refcount is exactly 1 */
#define QC_COMPRESSED		(1ull << 62)
#define QC_ZERO			1ull		/* L2: reads as zeros (v3) */
#define QC_INCOMPAT_DIRTY	1ull
#define QC_EXT_END		0u
#define QC_EXT_BACKING_FMT	0xe2792acau
#define QC_HOFF_INCOMPAT	72		/* header offset of the field */
#define QC_MAX_L1_BYTES		(32u << 20)	/* sanity limit */
#define QC_MAX_RT_BYTES		(8u << 20)	/* sanity limit */

struct qc {
	struct rd_disk	*file;		/* the image file (= disk->below) */
	struct rd_disk	*backing;	/* backing disk or NULL */
	bool		owns_backing;	/* close backing with us */
	unsigned int	cb;		/* cluster_bits, 9..21 */
	uint64_t	cs;		/* cluster size, bytes */
	uint64_t	l2e;		/* entries per L2 table: cs / 8 */
	uint32_t	version;	/* 2 or 3 */
	uint64_t	incompat;	/* incompatible_features as read */
	uint32_t	l1_size;	/* L1 entries */
	uint64_t	l1_off;		/* file offset of the L1 table */
	uint64_t	*l1;		/* L1, host order */
	uint64_t	**l2;		/* L2 cache per L1 index (NULL: not
					 * loaded); covers the whole disk */
	uint64_t	rt_off;		/* refcount table offset */
	uint64_t	rt_n;		/* refcount table entries */
	uint64_t	*rt;		/* refcount table, host order */
	uint16_t	**rb;		/* refcount block cache per rt index */
	uint64_t	rbe;		/* entries per refcount block: cs / 2 */
	uint64_t	next_free;	/* allocation pointer (cluster aligned) */
	uint32_t	nb_snapshots;	/* writes refused when nonzero */
	bool		writable;	/* opened read-write */
	uint8_t		*cbuf;		/* one-cluster scratch buffer */
	char		backing_name[1024];	/* from the header, or "" */
	char		backing_fmt[32];	/* header extension, or "" */
};

/* Parse and validate the header in @file into @q (allocates l1/rt). */
int qc_header_load(struct rd_disk *file, struct qc *q, char *err,
		   size_t errlen);
/* Set refcount of the cluster at @off to @val (allocating blocks). */
int qc_refcount_set(struct qc *q, uint64_t off, uint16_t val);
/* Refcount of the cluster at @off, or -errno. */
int qc_refcount_get(struct qc *q, uint64_t off);
/* Allocate one cluster at the end of the file (refcount 1 first). */
int qc_cluster_alloc(struct qc *q, uint64_t *off);
/* Load L2 table @i into the cache (no-op if loaded or unallocated). */
int qc_l2_load(struct qc *q, uint64_t i);
/* Rebuild refcounts from the L1/L2 tables (after a crash). */
int qc_repair(struct qc *q);
/* Write the incompatible-features field (dirty bit). */
int qc_set_dirty(struct qc *q, bool dirty);
/* Free everything in @q (not the disks). */
void qc_free(struct qc *q);

#endif
