// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_fs.c --- which blocks a file system uses
 *
 * ext2/3/4 through libext2fs (rd_ext2_open over the source window): refuse
 * a file system with errors, not cleanly unmounted or with a journal that
 * needs recovery; read the block bitmaps (libext2fs synthesises the
 * BLOCK_UNINIT groups: their metadata used, the rest free) and cross-check
 * every group's free count against its descriptor and the total against the
 * superblock, as partclone does, then against what the inodes use
 * (p2v_xcheck.c).  NTFS through libntfs-3g (read-only
 * mount): refuse dirty and hibernated / Fast Startup volumes, read $Bitmap,
 * check that the boot sector, $MFT and $MFTMirr clusters are marked used
 * and every $MFT record's data runs are (p2v_xcheck.c).
 * Linux swap: only the header page.  Free ranges are removed from the area;
 * everything else in it (the tail past the file system, the NTFS backup
 * boot sector) is copied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ext2fs/ext2fs.h>
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/volume.h>

#include "p2v/p2v_priv.h"

static bool bit(const uint8_t *bm, uint64_t i)
{
	return bm[i / 8] >> (i % 8) & 1;
}

/*
 * Emit the free runs of bitmap @bm (@n bits, bit i = unit @first + i of
 * @unit bytes, relative to the area) as skips.  Returns the used count.
 */
static int skip_free_runs(struct p2v_plan *p, unsigned int ai,
			  uint64_t *cursor, const uint8_t *bm, uint64_t n,
			  uint64_t first, uint64_t unit, uint64_t *used)
{
	uint64_t i = 0;
	int err;

	while (i < n) {
		uint64_t j;

		if (bm[i / 8] == 0xff && i % 8 == 0 && i + 8 <= n) {
			*used += 8;
			i += 8;
			continue;
		}
		if (bit(bm, i)) {
			(*used)++;
			i++;
			continue;
		}
		for (j = i; j < n && !bit(bm, j); j++)
			if (j % 8 == 0 && j + 8 <= n && !bm[j / 8])
				j += 7;
		err = p2v_plan_skip(p, ai, cursor, (first + i) * unit,
				    (j - i) * unit);
		if (err)
			return err;
		i = j;
	}
	return 0;
}

static int ext_check_state(struct ext2_super_block *sb, struct p2v_area *a)
{
	if (sb->s_state & EXT2_ERROR_FS) {
		snprintf(a->note, sizeof(a->note),
			 "file system has errors (run e2fsck)");
		return -EUCLEAN;
	}
	if (!(sb->s_state & EXT2_VALID_FS)) {
		snprintf(a->note, sizeof(a->note),
			 "file system was not cleanly unmounted");
		return -EUCLEAN;
	}
	if (ext2fs_has_feature_bigalloc(sb)) {
		snprintf(a->note, sizeof(a->note),
			 "bigalloc (cluster bitmaps) is not supported");
		return -ENOTSUP;
	}
	if (ext2fs_has_feature_journal_needs_recovery(sb)) {
		snprintf(a->note, sizeof(a->note),
			 "journal needs recovery (mounted or crashed)");
		return -EUCLEAN;
	}
	return 0;
}

int p2v_fs_ext(struct rd_disk *src, struct p2v_plan *p, unsigned int ai,
	       const struct p2v_opts *o)
{
	struct p2v_area *a = &p->area[ai];
	uint64_t cursor = 0, used = 0, bs, total_free = 0;
	char why[200];
	ext2_filsys fs;
	uint8_t *bm = NULL;
	errcode_t ec;
	int err;

	err = rd_ext2_open(src, a->start, a->size, EXT2_FLAG_64BITS, &fs, why,
			   sizeof(why));
	if (err) {
		snprintf(a->note, sizeof(a->note), "libext2fs: %s", why);
		return err;
	}
	err = ext_check_state(fs->super, a);
	if (err)
		goto out;
	bs = EXT2_BLOCK_SIZE(fs->super);
	if (ext2fs_blocks_count(fs->super) > a->size / bs) {
		snprintf(a->note, sizeof(a->note),
			 "file system is larger than its partition");
		err = -EINVAL;
		goto out;
	}
	ec = ext2fs_read_block_bitmap(fs);
	if (ec) {
		snprintf(a->note, sizeof(a->note), "block bitmap unreadable: %s",
			 rd_ext2_strerror(ec));
		err = -EIO;
		goto out;
	}
	bm = malloc(EXT2_BLOCKS_PER_GROUP(fs->super) / 8 + 8);
	if (!bm) {
		err = -ENOMEM;
		goto out;
	}
	for (dgrp_t g = 0; g < fs->group_desc_count; g++) {
		blk64_t first = ext2fs_group_first_block2(fs, g);
		blk64_t n = ext2fs_group_last_block2(fs, g) - first + 1;
		uint64_t gused = 0;

		memset(bm, 0, EXT2_BLOCKS_PER_GROUP(fs->super) / 8 + 8);
		ec = ext2fs_get_block_bitmap_range2(fs->block_map, first, n, bm);
		if (ec) {
			snprintf(a->note, sizeof(a->note), "bitmap of group %u: %s",
				 g, rd_ext2_strerror(ec));
			err = -EIO;
			goto out;
		}
		err = skip_free_runs(p, ai, &cursor, bm, n, first, bs, &gused);
		if (err)
			goto out;
		if (n - gused != ext2fs_bg_free_blocks_count(fs, g)) {
			snprintf(a->note, sizeof(a->note),
				 "bitmap error in group %u: %llu free blocks in the bitmap, %u in the descriptor (run e2fsck)",
				 g, (unsigned long long)(n - gused),
				 ext2fs_bg_free_blocks_count(fs, g));
			err = -EUCLEAN;
			goto out;
		}
		used += gused;
		total_free += n - gused;
	}
	if (total_free != ext2fs_free_blocks_count(fs->super)) {
		snprintf(a->note, sizeof(a->note),
			 "bitmap error: %llu free blocks in the bitmaps, %llu in the superblock (run e2fsck)",
			 (unsigned long long)total_free,
			 (unsigned long long)ext2fs_free_blocks_count(fs->super));
		err = -EUCLEAN;
		goto out;
	}
	err = p2v_ext_xcheck(fs, a, o);
	if (err)
		goto out;
	err = p2v_plan_skip(p, ai, &cursor, 0, 0);
	a->used = (used + fs->super->s_first_data_block) * bs;
	snprintf(a->method, sizeof(a->method), "bitmap");
out:
	free(bm);
	ext2fs_close_free(&fs);
	return err;
}

/* Every cluster of the $MFT data runs must be marked used. */
static bool ntfs_mft_marked(ntfs_volume *vol, const uint8_t *bm)
{
	runlist_element *rl;

	if (ntfs_attr_map_whole_runlist(vol->mft_na))
		return false;
	for (rl = vol->mft_na->rl; rl && rl->length; rl++) {
		if (rl->lcn < 0)
			continue;
		if (rl->lcn + rl->length > vol->nr_clusters)
			return false;
		for (s64 c = rl->lcn; c < rl->lcn + rl->length; c++)
			if (!bit(bm, (uint64_t)c))
				return false;
	}
	return true;
}

int p2v_fs_ntfs(struct rd_disk *src, struct p2v_plan *p, unsigned int ai,
		const struct p2v_opts *o)
{
	struct p2v_area *a = &p->area[ai];
	uint64_t cursor = 0, used = 0, cs, nc, bmlen;
	ntfs_volume *vol;
	uint8_t *bm = NULL;
	char why[200];
	int err;

	err = rd_ntfs_mount(src, a->start, a->size, NTFS_MNT_RDONLY, &vol, why,
			    sizeof(why));
	if (err) {
		snprintf(a->note, sizeof(a->note), "libntfs-3g: %s", why);
		return err;
	}
	if (vol->flags & VOLUME_IS_DIRTY) {
		snprintf(a->note, sizeof(a->note),
			 "NTFS volume is dirty (scheduled for chkdsk or not shut down cleanly)");
		err = -EUCLEAN;
		goto out;
	}
	if (ntfs_volume_check_hiberfile(vol, 0) < 0) {
		snprintf(a->note, sizeof(a->note),
			 "Windows is hibernated or Fast Startup is on (hiberfil.sys is active)");
		err = -EPERM;
		goto out;
	}
	cs = vol->cluster_size;
	nc = (uint64_t)vol->nr_clusters;
	if (!cs || !nc || nc > a->size / cs) {
		snprintf(a->note, sizeof(a->note),
			 "NTFS is larger than its partition");
		err = -EINVAL;
		goto out;
	}
	bmlen = (nc + 7) / 8;
	bm = calloc(1, bmlen + 8);
	if (!bm) {
		err = -ENOMEM;
		goto out;
	}
	if (ntfs_attr_pread(vol->lcnbmp_na, 0, (s64)bmlen, bm) != (s64)bmlen) {
		snprintf(a->note, sizeof(a->note), "$Bitmap unreadable");
		err = -EIO;
		goto out;
	}
	if (!bit(bm, 0) || vol->mft_lcn < 0 || (uint64_t)vol->mft_lcn >= nc ||
	    !bit(bm, (uint64_t)vol->mft_lcn) || vol->mftmirr_lcn < 0 ||
	    (uint64_t)vol->mftmirr_lcn >= nc ||
	    !bit(bm, (uint64_t)vol->mftmirr_lcn) || !ntfs_mft_marked(vol, bm)) {
		snprintf(a->note, sizeof(a->note),
			 "$Bitmap does not mark the boot sector, $MFT or $MFTMirr as used (run chkdsk)");
		err = -EUCLEAN;
		goto out;
	}
	err = p2v_ntfs_xcheck(vol, bm, a, o);
	if (err)
		goto out;
	err = skip_free_runs(p, ai, &cursor, bm, nc, 0, cs, &used);
	if (!err)
		err = p2v_plan_skip(p, ai, &cursor, 0, 0);
	a->used = used * cs;
	snprintf(a->method, sizeof(a->method), "bitmap");
out:
	free(bm);
	rd_ntfs_umount(vol);
	return err;
}

int p2v_fs_swap(struct rd_disk *src, struct p2v_plan *p, unsigned int ai,
		const struct p2v_opts *o)
{
	static const uint64_t pages[] = { 4096, 8192, 16384, 65536 };
	struct p2v_area *a = &p->area[ai];
	char sig[10];

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		uint64_t ps = pages[i];

		if (ps > a->size || rd_pread(src, sig, sizeof(sig),
					     a->start + ps - 10))
			break;
		if (memcmp(sig, "SWAPSPACE2", 10) && memcmp(sig, "SWAP-SPACE", 10))
			continue;
		a->used = ps;
		snprintf(a->method, sizeof(a->method), "header");
		return p2v_plan_add(p, a->start, ps, ai);
	}
	snprintf(a->note, sizeof(a->note), "swap signature not found");
	return -EINVAL;
}
