/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmd_priv.h --- interfaces between the vmdisk files (not public)
 *
 * The overlay sidecar (vmd_overlay.c) that vmd_open.c writes and reuses,
 * the partition-node lookup of the safety checks (vmd_safety.c) that
 * vmd_open.c uses for its locks, the descriptor guard (vmd_desc.c), the
 * overlay-backing descriptor (vmd_rawdesc.c) and the hazard list helper
 * (vmd_hazard.c).
 */
#ifndef DUALVM_VMD_PRIV_H
#define DUALVM_VMD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmdisk/vmdisk.h"

/* Append @h to @c (counting it as a refusal or a warning); hazards past
 * VMD_MAX_HAZARDS are dropped. */
void vmd_check_add(struct vmd_check *c, const struct vmd_hazard *h);

/* Devices (and images) a raw-disk descriptor may name for one VM. */
#define VMD_DESC_MAX_LOCKS	8

/* True if @path is a VMDK text descriptor. */
bool vmd_is_descriptor(const char *path);

/*
 * Lock every device a descriptor @desc exposes (kept in @locks, up to
 * @max; their count in *@nlocks) and run the safety checks in @mode on
 * the sectors it exposes; findings in @chk.  On failure nothing stays
 * locked.  0 or -errno with the reason in @err.
 */
int vmd_desc_guard(const char *desc, enum vmd_mode mode,
		   struct rd_disk **locks, unsigned int *nlocks,
		   unsigned int max, struct vmd_check *chk, char *err,
		   size_t errlen);

/* The /dev node of the partition of block device @disk that starts at
 * byte @start.  0, -ENOTBLK or -ENOENT. */
int vmd_blk_part_node(const char *disk, uint64_t start, char *out,
		      size_t outlen);

/*
 * Record / read the sidecar OVL.dualvm of overlay @ovl (@extents: the
 * chosen partitions' byte ranges, checked again before every reuse and
 * commit so a repartitioned disk is never written at stale offsets).
 * Reading fills the fields it finds in @info.  0 or -errno.
 */
int vmd_sidecar_write(const char *ovl, const char *source,
		      const char *partitions, const char *mode,
		      const char *extents);
int vmd_sidecar_read(const char *ovl, struct vmd_overlay_info *info);

/*
 * A partitionedDevice descriptor @out_vmdk, every extent RDONLY, of the
 * VM's view of @device with @partitions: the private table areas in
 * OUT-ptK.img, the chosen partitions on the device, everything else in
 * sparse OUT-zeroK.img files.  The qcow2 backing of undoable partition
 * overlays: dualvm reads it; QEMU refuses the type (rather than skip the
 * RDONLY extents and read zeros), so no `qemu-img commit` writes into the
 * device behind dualvm's checks.
 * 0 or -errno.  vmd_backing_remove() deletes the descriptor and its files.
 */
int vmd_backing_create(const char *device, const char *partitions,
		       const char *out_vmdk, char *err, size_t errlen);
void vmd_backing_remove(const char *out_vmdk);

/* fopen(@path, "r") for files an image or overlay names (side files,
 * journals, descriptors): only a regular file, opened O_NONBLOCK |
 * O_NOFOLLOW so a FIFO or a symbolic link put there never blocks or
 * redirects the read.  NULL with errno set. */
FILE *vmd_fopen_regular(const char *path);

/* The FLAT extents of the VMDK descriptor file @path (at most its first
 * 64 KiB, read through vmd_fopen_regular(); an unreadable file scans as
 * empty): rd_vmdk_desc_scan()'s result, or -ENOMEM. */
int vmd_desc_scan_file(const char *path, char *type, size_t typelen,
		       struct rd_vmdk_flat *ext, unsigned int max,
		       uint64_t *total);

#endif
