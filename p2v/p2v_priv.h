/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * p2v_priv.h --- private interfaces between the planner (p2v_plan.c) and
 * the file-system readers (p2v_fs.c)
 */
#ifndef DUALVM_P2V_PRIV_H
#define DUALVM_P2V_PRIV_H

#include "p2v/p2v.h"

/*
 * A file-system reader adds the extents of area @ai that must be copied
 * (in increasing order, with p2v_plan_add) and sets area->used and
 * area->method.  On any doubt it returns -errno with the reason in
 * area->note; the planner then drops what it added and copies the whole
 * area.
 */
int p2v_fs_ext(struct rd_disk *src, struct p2v_plan *p, unsigned int ai,
	       const struct p2v_opts *o);
int p2v_fs_ntfs(struct rd_disk *src, struct p2v_plan *p, unsigned int ai,
		const struct p2v_opts *o);
int p2v_fs_swap(struct rd_disk *src, struct p2v_plan *p, unsigned int ai,
		const struct p2v_opts *o);

/*
 * Cross-check an allocation bitmap against the metadata (p2v_xcheck.c):
 * every block / cluster the inodes or $MFT records use must be marked in
 * @fs->block_map (read already) or the $Bitmap copy @bm.  0, -EUCLEAN
 * (a used block marked free; the first one named in @a->note), -EIO
 * (metadata unreadable), -ENOMEM or -EINTR (@o->stop set).
 */
struct struct_ext2_filsys;
struct _ntfs_volume;
int p2v_ext_xcheck(struct struct_ext2_filsys *fs, struct p2v_area *a,
		   const struct p2v_opts *o);
int p2v_ntfs_xcheck(struct _ntfs_volume *vol, const uint8_t *bm,
		    struct p2v_area *a, const struct p2v_opts *o);

/* Append [off, off+len) for area @ai (merged with a touching previous
 * extent).  0 or -ENOMEM. */
int p2v_plan_add(struct p2v_plan *p, uint64_t off, uint64_t len,
		 unsigned int ai);

/* Add area @ai minus the free ranges reported one by one in increasing
 * order: call with each free range (relative to the area start), then
 * with len 0 to finish.  @cursor starts at 0. */
int p2v_plan_skip(struct p2v_plan *p, unsigned int ai, uint64_t *cursor,
		  uint64_t free_off, uint64_t free_len);

/* true if @len bytes at @p are zero */
bool p2v_is_zero(const void *p, size_t len);

#endif
