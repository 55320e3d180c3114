/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmdisk.h --- the policy of giving a disk to a VM (libvmdisk.a)
 *
 * rawdisk/ says how to read and write disks; vmdisk/ decides whether and
 * how a VM may use one (disk-formats-and-p2v.md §3):
 *  - disk modes (VMware's persistent / nonpersistent / undoable) and the
 *    stack a VM's IDE disk is built from: qcow2 overlay, partition view,
 *    exclusive locks (vmd_open.c);
 *  - undoable overlays: the sidecar that says where an overlay belongs,
 *    commit, discard and info (vmd_overlay.c);
 *  - safety checks: host mounts, locks and on-disk states that make
 *    booting a volume dangerous (vmd_safety.c), reported as typed hazards
 *    (enum vmd_hazard_kind) with one table of messages (vmd_hazard.c);
 *  - VMware/VirtualBox raw-disk descriptors (vmd_rawdesc.c) and the
 *    checks and locks for VMs started from one (vmd_desc.c).
 * The library never prints, never prompts and never reads the
 * environment: it returns hazards and one-line reasons, and the caller
 * (the CLI) decides what to say, what to ask and where temporary files go.
 * Errors are 0 / -errno.  Not thread-safe per disk; different disks may be
 * used from different threads.
 */
#ifndef DUALVM_VMDISK_H
#define DUALVM_VMDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawdisk/rawdisk.h"

/* ------------------------------------------------------------------ */
/* Disk modes                                                          */

enum vmd_mode {
	VMD_MODE_DEFAULT,	/* persistent for image files, nonpersistent
				 * for block devices and partition views */
	VMD_MODE_PERSISTENT,	/* writes reach the disk (explicit only) */
	VMD_MODE_NONPERSISTENT,	/* overlay deleted at power-off */
	VMD_MODE_UNDOABLE,	/* overlay kept; commit or discard later */
};

/* What to do with an undoable overlay at power-off (asking the user is
 * the caller's business: see vmd_undo_overlay()). */
enum vmd_exit {
	VMD_EXIT_KEEP,		/* keep it for a later commit or discard */
	VMD_EXIT_COMMIT,	/* write the changes into the source */
	VMD_EXIT_DISCARD,	/* delete it; the source stays as it was */
};

/* The effective mode: VMD_MODE_DEFAULT becomes nonpersistent for block
 * devices (and images a VM cannot write) and partition views, persistent
 * for whole image files.  Pure function. */
enum vmd_mode vmd_mode_resolve(enum vmd_mode m, bool blockdev,
			       bool partitions);

/* "persistent", "nonpersistent", "undoable" ("default" unresolved). */
const char *vmd_mode_name(enum vmd_mode m);

/* ------------------------------------------------------------------ */
/* Hazards: why a disk or partition should not be given to a VM        */

enum vmd_hazard_kind {
	VMD_HZ_HOST_ROOT,	/* holds the host's root file system */
	VMD_HZ_MOUNTED,		/* mounted on the host (detail: where) */
	VMD_HZ_IN_USE,		/* device held exclusively by the host:
				 * mounted, device-mapper, O_EXCL (detail:
				 * the device node) */
	VMD_HZ_LOCKED,		/* image locked by another dualvm process
				 * (detail: the image) */
	VMD_HZ_NTFS_UNREADABLE,	/* ntfs-3g cannot mount it (detail: why) */
	VMD_HZ_HIBERNATED,	/* Windows hibernated on the volume */
	VMD_HZ_FAST_STARTUP,	/* Windows Fast Startup ($LogFile 2.0) */
	VMD_HZ_NTFS_UNCLEAN,	/* NTFS $LogFile not clean */
	VMD_HZ_NTFS_DIRTY,	/* NTFS VOLUME_IS_DIRTY */
	VMD_HZ_BITLOCKER,	/* BitLocker-encrypted volume */
	VMD_HZ_EXT_RECOVERY,	/* ext3/4 journal needs recovery */
	VMD_HZ_EXT_ERRORS,	/* ext2/3/4 has errors or was not clean */
	VMD_HZ_SWAP_HIBERNATED,	/* swap holds a Linux hibernation image */
	VMD_HZ_COUNT
};

#define VMD_MAX_HAZARDS		64
#define VMD_HAZARD_DETAIL	320	/* bytes of vmd_hazard.detail */
#define VMD_HAZARD_MSG		512	/* enough for vmd_hazard_message() */

struct vmd_hazard {
	enum vmd_hazard_kind	kind;
	unsigned int		partition;	/* 0: the whole disk */
	bool			refuse;		/* refusal (else a warning) */
	bool			rw;		/* MOUNTED: mounted read-write */
	char			detail[VMD_HAZARD_DETAIL];	/* see the
					 * kinds above; "" for the others */
};

struct vmd_check {
	unsigned int		n;		/* hazards in hz[] */
	unsigned int		nrefuse;	/* how many are refusals */
	unsigned int		nwarn;		/* how many are warnings */
	struct vmd_hazard	hz[VMD_MAX_HAZARDS];	/* in the order found */
};

/* The stable identifier of @k for JSON ("mounted", "hibernated", ...;
 * VMD_HZ_IN_USE and VMD_HZ_LOCKED are both "in-use"). */
const char *vmd_hazard_code(enum vmd_hazard_kind k);

/* What the user should do about @k, one clause ("unmount it first"). */
const char *vmd_hazard_advice(enum vmd_hazard_kind k);

/*
 * The one-line message for @h into @buf (VMD_HAZARD_MSG bytes suffice):
 * what is wrong, naming the partition or disk, then the advice, and for a
 * warning what running anyway means ("partition 1 is mounted read-only on
 * the host at /mnt: unmount it first (read-only: the overlay run is
 * allowed)").  Pure function.
 */
void vmd_hazard_message(const struct vmd_hazard *h, char *buf, size_t len);

/* True if the host itself uses the disk (mounted, host root, in use,
 * locked): a VM, a commit or a conversion would race the host. */
bool vmd_hazard_host_busy(enum vmd_hazard_kind k);

/*
 * Safety checks for running @path (already open as @d, read-only is
 * enough) with @partitions (NULL: whole disk) in the resolved @mode:
 * mounted on the host (directly, via loop devices over an image, via
 * device-mapper), host root, locked by another dualvm (when @check_lock:
 * the caller does not hold the lock itself), hibernated / Fast Startup /
 * unclean / dirty NTFS, BitLocker, ext needing recovery, swap holding a
 * hibernation image.  Content hazards are refusals only in persistent
 * mode.  0 with the findings in @out, or -errno when the checks could not
 * run (reason in @err).
 */
int __attribute__((warn_unused_result))
vmd_safety_check(const char *path, struct rd_disk *d, const char *partitions,
		 enum vmd_mode mode, bool check_lock, struct vmd_check *out,
		 char *err, size_t errlen);

/*
 * `dualvm disk check`: open @path (an image, a block device or a raw-disk
 * descriptor, whose devices are all checked) read-only, resolve @mode for
 * it into *@resolved and run the checks, the lock included.  0 with the
 * findings in @out, or -errno with the reason in @err.
 */
int __attribute__((warn_unused_result))
vmd_check_path(const char *path, const char *partitions, enum vmd_mode mode,
	       enum vmd_mode *resolved, struct vmd_check *out, char *err,
	       size_t errlen);

/* ------------------------------------------------------------------ */
/* Opening the disks of a VM: `dualvm run DISK [--partition] [--disk-mode]` */

struct vmd_opts {
	const char	*path;		/* image, block device, .vmdk */
	const char	*partitions;	/* "2" / "2,3"; NULL: whole disk */
	enum vmd_mode	mode;		/* VMD_MODE_DEFAULT: resolved here */
	const char	*overlay_dir;	/* where overlays go; NULL: undoable
					 * beside the image (block devices:
					 * /var/tmp), nonpersistent in
					 * @tmp_dir */
	const char	*tmp_dir;	/* nonpersistent overlays when
					 * @overlay_dir is NULL; NULL:
					 * /var/tmp (the CLI passes $TMPDIR) */
};

/*
 * Open a disk for a VM after the safety checks: returns in *@out the disk
 * the VM's IDE controller should use (the top of the stack).  The hazards
 * found go to @chk when it is not NULL (warnings to show: the disk opened
 * anyway).  Refusals (mounted, hibernated, in use, ...) return -EBUSY (the
 * host uses the disk) or -EPERM, other failures -errno, each with one line
 * in @err naming the disk, the reason and what to do.
 */
int __attribute__((warn_unused_result))
vmd_open(const struct vmd_opts *o, struct rd_disk **out,
	 struct vmd_check *chk, char *err, size_t errlen);

/* The overlay of @d when it is an undoable VM disk from vmd_open(), else
 * NULL: the caller asks the user what to do before vmd_close(). */
const char *vmd_undo_overlay(const struct rd_disk *d);

/*
 * Close a disk from vmd_open() at power-off: flush, release the locks,
 * then apply @act to an undoable overlay (commit/discard/keep);
 * nonpersistent overlays are deleted.  Any other disk is just closed.
 * Writes a one-line summary to @msg ("" when nothing to say).  0 or
 * -errno.
 */
int vmd_close(struct rd_disk *d, enum vmd_exit act, char *msg,
	      size_t msglen);

/* ------------------------------------------------------------------ */
/* Undoable overlays: OVL (qcow2) + OVL.dualvm sidecar (+ OVL.commit)  */

struct vmd_overlay_info {
	char		source[4096];	/* the raw source it belongs to */
	char		partitions[256];/* "2,3" or "" (whole disk) */
	char		mode[32];	/* "undoable", ... ("": no sidecar) */
	char		backing[1024];	/* backing name in the qcow2 header */
	uint64_t	size;		/* virtual size, bytes */
	uint64_t	allocated;	/* bytes allocated in the overlay */
	uint64_t	cluster_size;	/* bytes */
	char		extents[1024];	/* "start:size,..." (bytes) of the
					 * chosen partitions at creation */
};

struct vmd_commit_opts {
	unsigned long	fail_write_nth;	/* tests: fail the Nth source write */
	unsigned long	fail_flush_nth;	/* tests: fail the Nth source flush */
};

/* Describe overlay @ovl without opening its source.  0 or -errno. */
int __attribute__((warn_unused_result))
vmd_overlay_info(const char *ovl, struct vmd_overlay_info *info, char *err,
		 size_t errlen);

/*
 * Write the overlay's changes into its source (only the chosen
 * partitions' sectors), then delete the overlay.  Refused while the source
 * is mounted or locked, or when its partition table changed (-ESTALE).
 * Resumable and idempotent after a crash.  @co may be NULL.  0 or -errno;
 * a one-line summary or reason in @msg.
 */
int __attribute__((warn_unused_result))
vmd_overlay_commit(const char *ovl, const struct vmd_commit_opts *co,
		   char *msg, size_t msglen);

/* Delete overlay @ovl and its sidecar; the source is not touched. */
int __attribute__((warn_unused_result))
vmd_overlay_discard(const char *ovl, char *msg, size_t msglen);

/* ------------------------------------------------------------------ */
/* VMware/VirtualBox raw-disk descriptors                              */

/*
 * Write a raw-disk descriptor @out_vmdk for @device: with @partitions a
 * "partitionedDevice" (table and boot areas as FLAT extents into
 * NAME-pt.vmdk holding the synthesized private copy, chosen partitions
 * FLAT on the device, the rest ZERO), else "fullDevice" (or
 * "monolithicFlat" when @device is an image file).  The device is only
 * read.  0 or -errno with a one-line reason in @err.
 */
int __attribute__((warn_unused_result))
vmd_rawdesc_create(const char *device, const char *partitions,
		   const char *out_vmdk, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* UEFI: the loader of a partition on the EFI system partition          */

/*
 * The path ("\\EFI\\debian\\grubx64.efi") of the loader on the EFI system
 * partition @esp of @d (table @t) that boots partition @chosen: for an
 * ext2/3/4 partition the \EFI\<vendor> folder (not BOOT) one of whose
 * .efi/.cfg files holds the file system's UUID, its shimx64.efi or
 * grubx64.efi; for NTFS \EFI\Microsoft\Boot\bootmgfw.efi.  Only reads.
 * 0, or -ENOENT/-EINVAL/-EIO with a one-line reason in @err.
 */
int vmd_esp_loader(struct rd_disk *d, const struct rd_part_table *t,
		   unsigned int esp, unsigned int chosen, char *out,
		   size_t len, char *err, size_t errlen);

#endif
