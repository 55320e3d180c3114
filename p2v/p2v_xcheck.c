// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_xcheck.c --- do not trust an allocation bitmap the metadata disagrees
 * with
 *
 * A bitmap can be wrong and still agree with every counter: clear the bits
 * of a file's blocks and lower the group and superblock free counts (and
 * redo the group checksum) and e2fsck -n is the only one to notice.  A
 * bitmap-driven copy of such a file system silently loses that file.  So
 * before the planner trusts a bitmap it walks what the metadata says is in
 * use and checks every such block / cluster is marked:
 *  - ext2/3/4: each group's block bitmap, inode bitmap and inode table,
 *    and for every in-use inode its extent tree (index and leaf blocks,
 *    checked a whole extent at a time), its indirect blocks and data
 *    (block-mapped files) and its extended-attribute block;
 *  - NTFS: the data runs of every non-resident attribute of every in-use
 *    $MFT record, i.e. what chkdsk's cluster check compares $Bitmap with.
 * Any block or cluster in use but not marked makes the planner copy the
 * whole partition, with the first such one named in the area's note.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <ext2fs/ext2fs.h>
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/runlist.h>
#include <ntfs-3g/volume.h>

#include "p2v/p2v_priv.h"

#define STOP_EVERY	1024		/* inodes / records between stop checks */

static bool stopped(const struct p2v_opts *o)
{
	return o && o->stop && atomic_load(o->stop);
}

/* ------------------------------------------------------------ ext2/3/4 */

struct ext_walk {
	ext2_filsys	fs;
	ext2_ino_t	ino;		/* inode being checked */
	blk64_t		bad;		/* first unmarked block, 0: none */
	bool		range;		/* @bad is outside the file system */
};

/* Is every block of [start, start+n) on the file system and marked? */
static bool ext_marked(struct ext_walk *w, blk64_t start, blk64_t n)
{
	blk64_t first = w->fs->super->s_first_data_block;
	blk64_t total = ext2fs_blocks_count(w->fs->super), zero;

	if (!n)
		return true;
	if (start < first || start >= total || n > total - start) {
		w->bad = start;
		w->range = true;
		return false;
	}
	if (!ext2fs_find_first_zero_block_bitmap2(w->fs->block_map, start,
						  start + n - 1, &zero)) {
		w->bad = zero;
		return false;
	}
	return true;
}

static int ext_block_cb(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t cnt,
			blk64_t ref_blk, int ref_off, void *priv)
{
	struct ext_walk *w = priv;

	return ext_marked(w, *blocknr, 1) ? 0 : BLOCK_ABORT;
}

/* The extent tree of @ino: every index/leaf node block and every extent. */
static errcode_t ext_walk_extents(struct ext_walk *w, struct ext2_inode *in)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	errcode_t ec;
	int op = EXT2_EXTENT_ROOT;

	ec = ext2fs_extent_open2(w->fs, w->ino, in, &h);
	if (ec)
		return ec;
	for (;;) {
		ec = ext2fs_extent_get(h, op, &e);
		op = EXT2_EXTENT_NEXT;
		if (ec == EXT2_ET_EXTENT_NO_NEXT || ec == EXT2_ET_NO_CURRENT_NODE) {
			ec = 0;
			break;
		}
		if (ec)
			break;
		if (e.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT)
			continue;
		if (!ext_marked(w, e.e_pblk,
				(e.e_flags & EXT2_EXTENT_FLAGS_LEAF) ? e.e_len : 1))
			break;
	}
	ext2fs_extent_free(h);
	return ec;
}

static errcode_t ext_walk_inode(struct ext_walk *w, struct ext2_inode *in)
{
	blk64_t acl = ext2fs_file_acl_block(w->fs, in);

	if (acl && !ext_marked(w, acl, 1))
		return 0;
	if (!ext2fs_inode_has_valid_blocks2(w->fs, in))
		return 0;
	if (in->i_flags & EXT4_EXTENTS_FL)
		return ext_walk_extents(w, in);
	return ext2fs_block_iterate3(w->fs, w->ino, BLOCK_FLAG_READ_ONLY, NULL,
				     ext_block_cb, w);
}

static bool ext_groups_marked(struct ext_walk *w)
{
	ext2_filsys fs = w->fs;

	for (dgrp_t g = 0; g < fs->group_desc_count; g++) {
		if (!ext_marked(w, ext2fs_block_bitmap_loc(fs, g), 1) ||
		    !ext_marked(w, ext2fs_inode_bitmap_loc(fs, g), 1) ||
		    !ext_marked(w, ext2fs_inode_table_loc(fs, g),
				fs->inode_blocks_per_group))
			return false;
	}
	return true;
}

int p2v_ext_xcheck(struct struct_ext2_filsys *fsp, struct p2v_area *a,
		   const struct p2v_opts *o)
{
	ext2_filsys fs = fsp;
	struct ext_walk w = { .fs = fs };
	size_t isz = EXT2_INODE_SIZE(fs->super);
	struct ext2_inode *in = malloc(isz);
	ext2_inode_scan scan = NULL;
	errcode_t ec;
	int err = 0;

	if (!in)
		return -ENOMEM;
	if (!ext_groups_marked(&w)) {
		snprintf(a->note, sizeof(a->note),
			 "block bitmap disagrees with the group metadata: block %llu is in use but marked free (run e2fsck)",
			 (unsigned long long)w.bad);
		err = -EUCLEAN;
		goto out;
	}
	ec = ext2fs_open_inode_scan(fs, 0, &scan);
	for (unsigned long n = 0; !ec; n++) {
		ec = ext2fs_get_next_inode_full(scan, &w.ino, in, (int)isz);
		if (ec == EXT2_ET_BAD_BLOCK_IN_INODE_TABLE) {
			ec = 0;
			continue;
		}
		if (ec || !w.ino)
			break;
		if (n % STOP_EVERY == 0 && stopped(o)) {
			snprintf(a->note, sizeof(a->note), "interrupted");
			err = -EINTR;
			goto out;
		}
		if (!in->i_links_count || in->i_dtime)
			continue;
		ec = ext_walk_inode(&w, in);
		if (w.bad)
			break;
	}
	if (w.bad) {
		snprintf(a->note, sizeof(a->note),
			 "block bitmap disagrees with the inodes: block %llu of inode %u is %s (run e2fsck)",
			 (unsigned long long)w.bad, w.ino,
			 w.range ? "outside the file system" : "in use but marked free");
		err = -EUCLEAN;
	} else if (ec) {
		snprintf(a->note, sizeof(a->note),
			 "cannot check the block bitmap against inode %u: %s",
			 w.ino, rd_ext2_strerror(ec));
		err = -EIO;
	}
out:
	if (scan)
		ext2fs_close_inode_scan(scan);
	free(in);
	return err;
}

/* ---------------------------------------------------------------- NTFS */

static bool bit_set(const uint8_t *bm, uint64_t i)
{
	return bm[i / 8] >> (i % 8) & 1;
}

/* First cluster of @rl not marked in @bm (or beyond the volume), -1 if
 * all are marked. */
static s64 ntfs_first_unmarked(const runlist_element *rl, const uint8_t *bm,
			       s64 nc)
{
	for (; rl && rl->length; rl++) {
		if (rl->lcn < 0)
			continue;	/* hole, not mapped, or end */
		if (rl->length < 0 || rl->lcn >= nc || rl->length > nc - rl->lcn)
			return rl->lcn;
		for (s64 c = rl->lcn; c < rl->lcn + rl->length; c++)
			if (!bit_set(bm, (uint64_t)c))
				return c;
	}
	return -1;
}

/* Check the non-resident attributes of record @mref.  0, -EUCLEAN with
 * the note set, or -EIO (record unreadable). */
static int ntfs_check_record(ntfs_volume *vol, u64 mref, const uint8_t *bm,
			     struct p2v_area *a)
{
	ntfs_inode *ni = ntfs_inode_open(vol, mref);
	ntfs_attr_search_ctx *ctx;
	int err = 0;

	if (!ni)
		return errno == ENOENT ? 0 : -EIO;
	if (ni->mrec->base_mft_record) {	/* an extension record: its
						 * base walks it */
		ntfs_inode_close(ni);
		return 0;
	}
	ctx = ntfs_attr_get_search_ctx(ni, NULL);
	if (!ctx) {
		ntfs_inode_close(ni);
		return -ENOMEM;
	}
	while (!err && !ntfs_attr_lookup(AT_UNUSED, NULL, 0, CASE_SENSITIVE, 0,
					 NULL, 0, ctx)) {
		ATTR_RECORD *ar = ctx->attr;
		runlist_element *rl;
		s64 c;

		if (!ar->non_resident)
			continue;
		rl = ntfs_mapping_pairs_decompress(vol, ar, NULL);
		if (!rl) {
			snprintf(a->note, sizeof(a->note),
				 "cannot check $Bitmap: MFT record %llu has unreadable data runs",
				 (unsigned long long)mref);
			err = -EIO;
			break;
		}
		c = ntfs_first_unmarked(rl, bm, vol->nr_clusters);
		free(rl);
		if (c >= 0) {
			snprintf(a->note, sizeof(a->note),
				 "$Bitmap disagrees with $MFT: cluster %lld of MFT record %llu is in use but marked free (run chkdsk)",
				 (long long)c, (unsigned long long)mref);
			err = -EUCLEAN;
		}
	}
	ntfs_attr_put_search_ctx(ctx);
	ntfs_inode_close(ni);
	return err;
}

int p2v_ntfs_xcheck(struct _ntfs_volume *vol, const uint8_t *bm,
		    struct p2v_area *a, const struct p2v_opts *o)
{
	s64 nrec = vol->mft_na->initialized_size >> vol->mft_record_size_bits;
	s64 bmlen = (nrec + 7) / 8;
	uint8_t *mftbm = calloc(1, (size_t)bmlen + 8);
	int err = 0;

	if (!mftbm)
		return -ENOMEM;
	if (ntfs_attr_pread(vol->mftbmp_na, 0, bmlen, mftbm) < (bmlen + 7) / 8 &&
	    bmlen) {
		snprintf(a->note, sizeof(a->note), "$MFT bitmap unreadable");
		free(mftbm);
		return -EIO;
	}
	for (s64 r = 0; r < nrec && !err; r++) {
		if (r % STOP_EVERY == 0 && stopped(o)) {
			snprintf(a->note, sizeof(a->note), "interrupted");
			err = -EINTR;
			break;
		}
		if (!bit_set(mftbm, (uint64_t)r))
			continue;
		err = ntfs_check_record(vol, (u64)r, bm, a);
		if (err == -EIO && !a->note[0])
			snprintf(a->note, sizeof(a->note),
				 "cannot check $Bitmap: MFT record %lld unreadable",
				 (long long)r);
	}
	free(mftbm);
	return err;
}
