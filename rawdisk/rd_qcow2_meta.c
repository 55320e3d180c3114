// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_qcow2_meta.c --- qcow2 v3 metadata: header parsing and validation,
 * refcount table/blocks (16-bit refcounts only), cluster allocation and the
 * refcount rebuild after a crash (qemu docs/interop/qcow2.txt, "Header",
 * "Host cluster management")
 *
 * Ordering rule for crash consistency: a cluster's refcount is written
 * before anything refers to it, so a crash can leak clusters but never
 * leave a referenced cluster with refcount 0.  While an image is open
 * read-write the dirty bit is set; an image found dirty is repaired on the
 * next read-write open.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rawdisk/rd_priv.h"
#include "rawdisk/rd_qcow2.h"

static int bad(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "qcow2 header: %s", what);
	return -EINVAL;
}

static int hdr_ext_parse(struct qc *q, const uint8_t *c0, uint32_t hlen,
			 uint64_t limit, char *err, size_t errlen)
{
	uint64_t off = hlen;

	while (off + 8 <= limit) {
		uint32_t type = rd_be32(c0 + off), len = rd_be32(c0 + off + 4);

		if (type == QC_EXT_END)
			return 0;
		if (len > limit - off - 8)
			return bad(err, errlen, "header extension overruns cluster 0");
		if (type == QC_EXT_BACKING_FMT) {
			size_t n = len < sizeof(q->backing_fmt) - 1 ? len :
				   sizeof(q->backing_fmt) - 1;

			memcpy(q->backing_fmt, c0 + off + 8, n);
			q->backing_fmt[n] = 0;
		}
		off += 8 + (((uint64_t)len + 7) & ~7ull);
	}
	return 0;
}

int qc_header_load(struct rd_disk *file, struct qc *q, char *err,
		   size_t errlen)
{
	uint8_t h[512];
	uint64_t size, bf_off, l1_need, fsize = rd_size(file), i;
	uint32_t bf_len, hlen = 72, rt_clusters;
	uint8_t *c0;
	int e;

	if (fsize < 72)
		return bad(err, errlen, "file too small");
	memset(h, 0, sizeof(h));
	e = rd_pread(file, h, fsize < sizeof(h) ? fsize : sizeof(h), 0);
	if (e)
		return snprintf(err, errlen, "%s", rd_strerror(file)), e;
	if (rd_be32(h) != QC_MAGIC)
		return bad(err, errlen, "not a qcow2 image (bad magic)");
	q->version = rd_be32(h + 4);
	if (q->version != 2 && q->version != 3)
		return snprintf(err, errlen, "qcow2 version %u is not supported",
				q->version), -ENOTSUP;
	bf_off = rd_be64(h + 8);
	bf_len = rd_be32(h + 16);
	q->cb = rd_be32(h + 20);
	size = rd_be64(h + 24);
	if (q->cb < 9 || q->cb > 21)
		return bad(err, errlen, "cluster_bits out of range");
	q->cs = 1ull << q->cb;
	q->l2e = q->cs / 8;
	q->rbe = q->cs / 2;
	if (rd_be32(h + 32))
		return snprintf(err, errlen, "encrypted qcow2 images are not supported"),
		       -ENOTSUP;
	q->l1_size = rd_be32(h + 36);
	q->l1_off = rd_be64(h + 40);
	q->rt_off = rd_be64(h + 48);
	rt_clusters = rd_be32(h + 56);
	q->nb_snapshots = rd_be32(h + 60);
	if (q->version == 3) {
		if (fsize < 104)
			return bad(err, errlen, "file too small");
		q->incompat = rd_be64(h + 72);
		if (rd_be32(h + 96) != 4)
			return snprintf(err, errlen, "qcow2 refcount_order %u is not supported",
					rd_be32(h + 96)), -ENOTSUP;
		hlen = rd_be32(h + 100);
		if (hlen < 104 || hlen > q->cs || hlen % 8)
			return bad(err, errlen, "bad header_length");
		if (q->incompat & ~QC_INCOMPAT_DIRTY)
			return snprintf(err, errlen, "qcow2 incompatible features 0x%llx are not supported",
					(unsigned long long)q->incompat), -ENOTSUP;
	}
	if (size > (1ull << 56) || size % 512)
		return bad(err, errlen, "virtual size out of range");
	l1_need = (size + q->cs * q->l2e - 1) / (q->cs * q->l2e);
	if (q->l1_size < l1_need || (uint64_t)q->l1_size * 8 > QC_MAX_L1_BYTES)
		return bad(err, errlen, "L1 table size does not match the disk size");
	if (!q->l1_off || q->l1_off % q->cs || q->l1_off > fsize ||
	    (uint64_t)q->l1_size * 8 > fsize - q->l1_off)
		return bad(err, errlen, "L1 table offset out of range");
	if (!q->rt_off || q->rt_off % q->cs || !rt_clusters ||
	    (uint64_t)rt_clusters * q->cs > QC_MAX_RT_BYTES ||
	    q->rt_off > fsize || (uint64_t)rt_clusters * q->cs > fsize - q->rt_off)
		return bad(err, errlen, "refcount table out of range");
	if (bf_len > 1023 || bf_len > q->cs ||
	    (bf_len && (bf_off > q->cs - bf_len ||
					 bf_off < hlen || bf_off + bf_len > fsize)))
		return bad(err, errlen, "backing file name out of range");
	c0 = calloc(1, q->cs);
	if (!c0)
		return -ENOMEM;
	e = rd_pread(file, c0, fsize < q->cs ? fsize : q->cs, 0);
	if (!e && q->version == 3)
		e = hdr_ext_parse(q, c0, hlen,
				  bf_len ? bf_off : (fsize < q->cs ? fsize : q->cs),
				  err, errlen);
	if (!e && bf_len) {
		memcpy(q->backing_name, c0 + bf_off, bf_len);
		q->backing_name[bf_len] = 0;
		if (strlen(q->backing_name) != bf_len)
			e = bad(err, errlen, "NUL in backing file name");
	}
	free(c0);
	if (e)
		return e;
	q->l1 = calloc(q->l1_size ? q->l1_size : 1, 8);
	q->l2 = calloc(q->l1_size ? q->l1_size : 1, sizeof(*q->l2));
	q->rt_n = (uint64_t)rt_clusters * q->cs / 8;
	q->rt = calloc(q->rt_n, 8);
	q->rb = calloc(q->rt_n, sizeof(*q->rb));
	q->cbuf = malloc(q->cs);
	if (!q->l1 || !q->l2 || !q->rt || !q->rb || !q->cbuf)
		return -ENOMEM;
	e = rd_pread(file, q->l1, (size_t)q->l1_size * 8, q->l1_off);
	if (!e)
		e = rd_pread(file, q->rt, q->rt_n * 8, q->rt_off);
	if (e)
		return snprintf(err, errlen, "%s", rd_strerror(file)), e;
	for (i = 0; i < q->l1_size; i++) {
		q->l1[i] = rd_be64((uint8_t *)&q->l1[i]);
		if ((q->l1[i] & QC_OFF_MASK) % q->cs)
			return bad(err, errlen, "misaligned L2 table offset");
	}
	for (i = 0; i < q->rt_n; i++) {
		q->rt[i] = rd_be64((uint8_t *)&q->rt[i]);
		if (q->rt[i] % q->cs)
			return bad(err, errlen, "misaligned refcount block offset");
	}
	q->next_free = (fsize + q->cs - 1) & ~(q->cs - 1);
	return 0;
}

static int rb_load(struct qc *q, uint64_t rti)
{
	uint64_t i;
	int e;

	if (q->rb[rti] || !q->rt[rti])
		return 0;
	q->rb[rti] = malloc(q->cs);
	if (!q->rb[rti])
		return -ENOMEM;
	e = rd_pread(q->file, q->rb[rti], q->cs, q->rt[rti]);
	if (e) {
		free(q->rb[rti]);
		q->rb[rti] = NULL;
		return e;
	}
	for (i = 0; i < q->rbe; i++)
		q->rb[rti][i] = (uint16_t)(((uint8_t *)&q->rb[rti][i])[0] << 8 |
					   ((uint8_t *)&q->rb[rti][i])[1]);
	return 0;
}

int qc_refcount_get(struct qc *q, uint64_t off)
{
	uint64_t idx = off >> q->cb, rti = idx / q->rbe;
	int e;

	if (rti >= q->rt_n || !q->rt[rti])
		return 0;
	e = rb_load(q, rti);
	if (e)
		return e;
	return q->rb[rti][idx % q->rbe];
}

static int rb_alloc(struct qc *q, uint64_t rti)
{
	uint64_t off = q->next_free, idx = off >> q->cb;
	uint8_t be[8], *blk;
	int e;

	q->next_free += q->cs;
	free(q->rb[rti]);	/* left by an earlier failed attempt */
	q->rb[rti] = calloc(1, q->cs);
	if (!q->rb[rti])
		return -ENOMEM;
	blk = calloc(1, q->cs);
	if (!blk)
		return -ENOMEM;
	if (idx / q->rbe == rti) {	/* the block describes itself */
		q->rb[rti][idx % q->rbe] = 1;
		rd_put_be16(blk + 2 * (idx % q->rbe), 1);
	}
	e = rd_pwrite(q->file, blk, q->cs, off);
	free(blk);
	if (!e && idx / q->rbe != rti)
		e = qc_refcount_set(q, off, 1);
	if (e)
		return e;
	rd_put_be64(be, off);
	e = rd_pwrite(q->file, be, 8, q->rt_off + rti * 8);
	if (e)
		return e;
	q->rt[rti] = off;
	return 0;
}

int qc_refcount_set(struct qc *q, uint64_t off, uint16_t val)
{
	uint64_t idx = off >> q->cb, rti = idx / q->rbe;
	uint8_t be[2];
	int e;

	if (rti >= q->rt_n)
		return rd_set_error(q->file, -EFBIG,
				    "%s: qcow2 refcount table is full",
				    q->file->desc);
	if (!q->rt[rti]) {
		if (!val)
			return 0;
		e = rb_alloc(q, rti);
	} else {
		e = rb_load(q, rti);
	}
	if (e)
		return e;
	q->rb[rti][idx % q->rbe] = val;
	rd_put_be16(be, val);
	return rd_pwrite(q->file, be, 2, q->rt[rti] + 2 * (idx % q->rbe));
}

int qc_cluster_alloc(struct qc *q, uint64_t *off)
{
	assert(q->cs && q->next_free % q->cs == 0);
	*off = q->next_free;
	q->next_free += q->cs;
	return qc_refcount_set(q, *off, 1);
}

int qc_l2_load(struct qc *q, uint64_t i)
{
	uint64_t off = q->l1[i] & QC_OFF_MASK, k;
	int e;

	if (q->l2[i] || !off)
		return 0;
	q->l2[i] = malloc(q->cs);
	if (!q->l2[i])
		return -ENOMEM;
	e = rd_pread(q->file, q->l2[i], q->cs, off);
	if (e) {
		free(q->l2[i]);
		q->l2[i] = NULL;
		return e;
	}
	for (k = 0; k < q->l2e; k++)
		q->l2[i][k] = rd_be64((uint8_t *)&q->l2[i][k]);
	return 0;
}

int qc_set_dirty(struct qc *q, bool dirty)
{
	uint8_t be[8];
	int e;

	if (q->version != 3)
		return 0;
	q->incompat = dirty ? q->incompat | QC_INCOMPAT_DIRTY :
		      q->incompat & ~QC_INCOMPAT_DIRTY;
	rd_put_be64(be, q->incompat);
	if (!dirty) {
		e = rd_flush(q->file);
		if (e)
			return e;
	}
	e = rd_pwrite(q->file, be, 8, QC_HOFF_INCOMPAT);
	if (!e && dirty)
		e = rd_flush(q->file);
	return e;
}

/* Count one reference to the cluster at @off in @want (n clusters). */
static int want_ref(struct qc *q, uint16_t *want, uint64_t n, uint64_t off)
{
	uint64_t idx = off >> q->cb;

	if (off % q->cs || idx >= n)
		return rd_set_error(q->file, -EINVAL,
				    "%s: qcow2 reference to offset %llu outside the file",
				    q->file->desc, (unsigned long long)off);
	if (want[idx] == UINT16_MAX)
		return -EINVAL;
	want[idx]++;
	return 0;
}

int qc_repair(struct qc *q)
{
	uint64_t n = q->next_free >> q->cb, n_all = n, i, k, c;
	uint16_t *want;
	int e = 0, have;

	if (q->nb_snapshots)
		return rd_set_error(q->file, -ENOTSUP,
				    "%s: cannot repair a qcow2 image with snapshots",
				    q->file->desc);
	want = calloc(n ? n : 1, sizeof(*want));
	if (!want)
		return -ENOMEM;
	e = want_ref(q, want, n, 0);
	for (c = 0; !e && c < ((uint64_t)q->l1_size * 8 + q->cs - 1) / q->cs; c++)
		e = want_ref(q, want, n, q->l1_off + c * q->cs);
	for (c = 0; !e && c < q->rt_n * 8 / q->cs; c++)
		e = want_ref(q, want, n, q->rt_off + c * q->cs);
	for (i = 0; !e && i < q->rt_n; i++)
		if (q->rt[i])
			e = want_ref(q, want, n, q->rt[i]);
	for (i = 0; !e && i < q->l1_size; i++) {
		if (!(q->l1[i] & QC_OFF_MASK))
			continue;
		e = want_ref(q, want, n, q->l1[i] & QC_OFF_MASK);
		if (!e)
			e = qc_l2_load(q, i);
		for (k = 0; !e && k < q->l2e; k++) {
			uint64_t ent = q->l2[i][k];

			if (ent & QC_COMPRESSED) {
				e = -ENOTSUP;
				break;
			}
			if (ent & QC_OFF_MASK)
				e = want_ref(q, want, n, ent & QC_OFF_MASK);
		}
	}
	for (i = 0; i < q->rt_n; i++)	/* refcounts past the end: leaks */
		if (q->rt[i] && (i + 1) * q->rbe > n)
			n_all = (i + 1) * q->rbe;
	for (c = 0; !e && c < n_all; c++) {
		if (c >= n) {
			have = qc_refcount_get(q, c << q->cb);
			if (have > 0)
				e = qc_refcount_set(q, c << q->cb, 0);
			continue;
		}
		have = qc_refcount_get(q, c << q->cb);
		if (have < 0)
			e = have;
		else if (have != want[c])
			e = qc_refcount_set(q, c << q->cb, want[c]);
	}
	free(want);
	return e;
}

void qc_free(struct qc *q)
{
	uint64_t i;

	for (i = 0; q->l2 && i < q->l1_size; i++)
		free(q->l2[i]);
	for (i = 0; q->rb && i < q->rt_n; i++)
		free(q->rb[i]);
	free(q->l1);
	free(q->l2);
	free(q->rt);
	free(q->rb);
	free(q->cbuf);
}
