/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwp_undo.h --- backed-up file changes in a guest ext2/3/4 file system and
 * their undo manifest (/var/lib/dualvm/inject-undo/manifest).
 */
#ifndef DUALVM_HWP_UNDO_H
#define DUALVM_HWP_UNDO_H

#include "hwprofile/hwp_priv.h"

struct hwp_undo_ent {
	unsigned int	idx;		/* backup file <idx>.orig */
	char		kind[12];	/* "modified" or "removed" */
	char		sha_orig[65];	/* original bytes */
	char		sha_new[65];	/* bytes we wrote ("-" if removed) */
	char		path[200];	/* file in the guest */
};

struct hwp_undo {
	ext2_filsys		fs;	/* open read-write, bitmaps loaded */
	struct hwp_inject_report *rep;	/* changes and notes go here */
	char			*err;	/* caller's error buffer */
	size_t			errlen;
	unsigned int		n;	/* entries in e[] */
	struct hwp_undo_ent	e[HWP_MAX_CHANGES];
	unsigned int		next_idx; /* next backup number */
	bool			dirty;	/* manifest must be rewritten */
};

/* Load an existing manifest (if any).  0 or -errno. */
int hwp_undo_begin(struct hwp_undo *u, ext2_filsys fs,
		   struct hwp_inject_report *rep, char *err, size_t errlen);
/* Replace @path's bytes @old with @new, backing @old up once. */
int hwp_undo_write(struct hwp_undo *u, const char *path, const void *old,
		   size_t oldlen, const void *new_, size_t newlen,
		   const char *what);
/* Remove @path, backing it up once. */
int hwp_undo_remove(struct hwp_undo *u, const char *path, const char *what);
/* Restore every file in the manifest, then drop the backups. */
int hwp_undo_replay(struct hwp_undo *u);
/* Write the manifest when @ok and something changed. */
int hwp_undo_end(struct hwp_undo *u, bool ok);
void hwp_undo_free(struct hwp_undo *u);

/* Add the canonical modules to kernel @k's initramfs (hwp_initrd.c). */
int hwp_initrd_inject(struct hwp_undo *u, const struct hwp_kernel *k,
		      const char *rootfs_mod);

#endif
