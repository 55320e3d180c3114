/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * p2v_priv.h --- private interfaces between the planner (p2v_plan.c) and
 * the file-system readers (p2v_fs.c)
 */
#ifndef DUALVM_P2V_PRIV_H
#define DUALVM_P2V_PRIV_H

#include <limits.h>

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

/*
 * A disk name @ref found in the VM definition @def, resolved under the
 * path policy (p2v_vmdef_load() @flags: P2V_VMDEF_LIBRARY,
 * P2V_VMDEF_NOCHECK) into @real (PATH_MAX bytes).  0 or -errno with one
 * line in @err.
 */
int p2v_vmdef_disk(const char *def, const char *ref, unsigned int flags,
		   char *real, char *err, size_t errlen);

/* Make @err (after a failure @e) one printable line: control characters
 * (from names inside the input) become '?'; an empty one says strerror.
 * Returns @e. */
int p2v_err_line(int e, char *err, size_t errlen);

#define P2V_VMXML_MAX_TEXT	(1024 * 1024)	/* an OVF or libvirt XML */

/* Text of at most @max bytes from the regular file @path, NUL-terminated
 * (*@len bytes before it).  0 or -errno with @err set. */
int p2v_read_text(const char *path, size_t max, char **text, size_t *len,
		  char *err, size_t errlen);

/* The XML readers' state (p2v_vmxml.c), shared with p2v_ova.c. */
#define P2V_XML_DISKS	16	/* disk drives collected before sorting */

struct p2v_xdisk {
	unsigned int	key;		/* bus rank * 256 + address */
	char		ref[PATH_MAX];	/* file name (URI-decoded for OVF) */
	char		mode[16];	/* "" or "nonpersistent" */
};

struct p2v_xvm {
	const char		*path;		/* the definition */
	struct p2v_vmdef	*d;		/* what it says (disks not
						 * resolved) */
	struct p2v_xdisk	disk[P2V_XML_DISKS];	/* sorted */
	unsigned int		nd;
	char			*err;
	size_t			errlen;
};

/* Parse the OVF or libvirt XML @text (@len bytes) into @x: @x->d without
 * its disks, the disks' names in @x->disk.  0 or -errno with @x->err. */
int p2v_xml_collect(struct p2v_xvm *x, const char *text, size_t len);

/* @x->err = "PATH: " and the formatted text; returns @e. */
int p2v_xml_bad(struct p2v_xvm *x, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
