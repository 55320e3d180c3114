/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rawdisk.h --- dualvm's block layer: stackable disk back ends
 *
 * A struct rd_disk is a byte-addressed virtual disk with a fixed size.  Back
 * ends are const rd_ops tables (e2fsprogs io_manager / SQLite VFS style) and
 * stack: a file or block device at the bottom, then read-only guards,
 * partition views, copy-on-write overlays, image formats, fault injection.
 * The VMM's IDE disks and the P2V converter both read through this layer.
 * This is mechanism only (librawdisk.a, above lib/): which disk a VM may
 * use, in which mode, and what is unsafe about it is vmdisk/'s policy.
 *
 * Sections: the block core (rd_disk, rd_pread...), partition tables,
 * stackable back ends (read-only, fault, partition views), qcow2,
 * file-system adapters (libext2fs, libntfs-3g), image formats.
 * Errors are 0 / -errno.  Every disk keeps a one-line description of its
 * last error (rd_strerror()) for the caller to show; nothing here prints.
 * A disk is used by one thread at a time.
 */
#ifndef DUALVM_RAWDISK_H
#define DUALVM_RAWDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd_disk;

struct rd_ops {
	const char *name;			/* "file", "ro", "fault", ... */
	/* Transfer exactly @len bytes at @off (already bounds-checked by the
	 * rd_pread/rd_pwrite wrappers).  0 or -errno. */
	int  (*pread)(struct rd_disk *d, void *buf, size_t len, uint64_t off);
	int  (*pwrite)(struct rd_disk *d, const void *buf, size_t len,
		       uint64_t off);
	int  (*flush)(struct rd_disk *d);	/* may be NULL: nothing to do */
	void (*close)(struct rd_disk *d);	/* frees d->priv, not below;
						 * NULL: free(d->priv) */
	/*
	 * Optional: is [off, off+len) known to read as zeros / unallocated?
	 * Sets *@alloc_len to the length of the run starting at @off that has
	 * the returned status (RD_BLK_*).  NULL: everything is RD_BLK_DATA.
	 */
	int  (*block_status)(struct rd_disk *d, uint64_t off, uint64_t len,
			     uint64_t *run_len);
	/* pread may run in several threads at once (no state but the fd) */
	bool concurrent_reads;
};

/* block_status results */
#define RD_BLK_DATA	0	/* allocated, may hold data */
#define RD_BLK_ZERO	1	/* reads as zeros */
#define RD_BLK_UNALLOC	2	/* not allocated here: reads from below/zero */

/* open flags */
#define RD_RDONLY	0x0001	/* refuse every write */
#define RD_RDWR		0x0002
#define RD_EXCL		0x0004	/* O_EXCL on block devices, flock on files */
#define RD_DIRECT	0x0008	/* O_DIRECT where the file system allows it */
#define RD_CREATE	0x0010	/* create a new file (image writers) */
#define RD_GROW		0x0020	/* writes past the end grow the disk (image
				 * files under a format back end) */

struct rd_disk {
	const struct rd_ops	*ops;
	uint64_t		size;		/* bytes, fixed for the life */
	unsigned int		flags;		/* RD_* used at open */
	unsigned int		sector_size;	/* logical, 512 or 4096 */
	struct rd_disk		*below;		/* stacked-on disk, or NULL */
	bool			owns_below;	/* close() also closes below */
	void			*priv;		/* back-end state */
	char			desc[256];	/* "file:/path", for messages */
	char			err[256];	/* last error, one line */
};

/* Allocate a disk for back end @ops; caller fills size/priv.  NULL on OOM. */
struct rd_disk *rd_alloc(const struct rd_ops *ops, struct rd_disk *below,
			 bool owns_below);

/*
 * rd_alloc() plus @priv_size zeroed bytes of back-end state in d->priv
 * (freed by rd_close() unless ops->close frees it itself); the size and
 * description start as @below's (0 and "" without one).  NULL on OOM,
 * and then @below is not taken.
 */
struct rd_disk *rd_alloc_priv(const struct rd_ops *ops, struct rd_disk *below,
			      bool owns_below, size_t priv_size);

/*
 * Finish opening the new disk @d: its back-end state @priv (kept when
 * NULL), @size in bytes, RD_* @flags and description @desc (kept when
 * NULL); then *@out = @d.  Returns 0, for `return rd_finish(...)`.
 */
int rd_finish(struct rd_disk *d, void *priv, uint64_t size,
	      unsigned int flags, const char *desc, struct rd_disk **out);

/* fdatasync(@fd) for back ends over a file: 0, or -errno recorded as
 * "<desc>: sync: <reason>". */
int rd_fd_sync(struct rd_disk *d, int fd);

/*
 * Pass-through callbacks for stacked back ends: forward to d->below
 * (errors are copied into @d's message).  For rd_ops tables of layers
 * that change only some operations.
 */
int rd_pass_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off);
int rd_pass_pwrite(struct rd_disk *d, const void *buf, size_t len,
		   uint64_t off);
int rd_pass_flush(struct rd_disk *d);
int rd_pass_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			 uint64_t *run_len);

/* Bounds-checked I/O through the stack.  -EINVAL beyond the end, -EROFS on
 * a write to a read-only disk, else what the back end returns. */
int __attribute__((warn_unused_result))
rd_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off);
int __attribute__((warn_unused_result))
rd_pwrite(struct rd_disk *d, const void *buf, size_t len, uint64_t off);
int rd_flush(struct rd_disk *d);
/* May @d and every disk below it be read from several threads at once? */
bool rd_reads_concurrent(const struct rd_disk *d);
int rd_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
		    uint64_t *run_len);
/* Close @d (and what it owns below).  NULL is fine. */
void rd_close(struct rd_disk *d);

static inline uint64_t rd_size(const struct rd_disk *d)
{
	return d->size;
}

/* Record a printf-style one-line error on @d and return @err (a -errno). */
int rd_set_error(struct rd_disk *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Last error message for @d ("" if none). */
const char *rd_strerror(const struct rd_disk *d);

/*
 * For back ends over a file descriptor: write all @len bytes of @buf to @fd
 * at @off, retrying short writes and EINTR.  0, or -errno with
 * "<desc>: write at <off>: <reason>" recorded on @d (naming a full output
 * file system); @d may be NULL (worker threads format their own message).
 */
int rd_fd_write_all(struct rd_disk *d, int fd, const void *buf, size_t len,
		    uint64_t off);

/*
 * File or block device back end.  @flags: RD_RDONLY or RD_RDWR, plus
 * RD_EXCL, RD_DIRECT, RD_CREATE.  Block device sizes come from
 * BLKGETSIZE64.  0 or -errno; on error *@out is NULL and, when @errbuf is not
 * NULL, a one-line reason is written there.
 */
int __attribute__((warn_unused_result))
rd_file_open(const char *path, unsigned int flags, struct rd_disk **out,
	     char *errbuf, size_t errlen);

/* True if @d (or the bottom of its stack) is a block device. */
bool rd_is_blockdev(const struct rd_disk *d);

/* ------------------------------------------------------------------ */
/* Partition tables (MBR incl. extended/logical, GPT)                  */

#define RD_MAX_PARTS	128

struct rd_part {
	unsigned int	number;		/* Linux numbering: 1-4 primary, 5+ logical */
	uint64_t	start;		/* bytes from the disk start */
	uint64_t	size;		/* bytes */
	char		type[40];	/* MBR "0x83", GPT type GUID (lower case) */
	char		name[72];	/* GPT partition name (UTF-8), else "" */
	char		uuid[40];	/* GPT partition GUID, else "" */
	bool		bootable;	/* MBR active / GPT legacy-BIOS-bootable */
	bool		logical;	/* inside an MBR extended partition */
};

struct rd_part_table {
	char		label[8];	/* "dos", "gpt" or "" (none found) */
	uint32_t	disk_signature;	/* MBR bytes 440-443 */
	char		disk_guid[40];	/* GPT disk GUID, else "" */
	unsigned int	n;		/* entries used in part[] */
	struct rd_part	part[RD_MAX_PARTS];	/* sorted by number */
	/* Where the table itself lives (added by rawdisk; partition views
	 * keep private copies of these areas). */
	unsigned int	n_meta;			/* entries used in meta[] */
	struct rd_extent {
		uint64_t	start;		/* bytes from the disk start */
		uint64_t	size;		/* bytes */
	} meta[RD_MAX_PARTS + 8];	/* MBR, EBRs, GPT headers + arrays */
	bool		gpt_backup_ok;		/* GPT: backup header+array valid */
	bool		gpt_from_backup;	/* GPT: primary bad, backup used */
};

/*
 * Read the partition table of @d.  A disk with no recognisable table gives
 * label "" and n = 0 (not an error).  Corrupt tables give -EINVAL with the
 * reason in rd_strerror(d).  0 or -errno.
 */
int __attribute__((warn_unused_result))
rd_part_table_read(struct rd_disk *d, struct rd_part_table *out);

/* The entry numbered @number in @t, or NULL. */
/* Is @type (an rd_part.type) an EFI system partition: GPT
 * C12A7328-F81F-11D2-BA4B-00A0C93EC93B or MBR 0xef? */
bool rd_part_type_is_esp(const char *type);

const struct rd_part *rd_part_find(const struct rd_part_table *t,
				   unsigned int number);

/*
 * A disk held in memory (tests, fuzzers, synthesized areas).  @data is
 * copied; @size bytes.  @flags: RD_RDONLY or RD_RDWR.  0 or -ENOMEM.
 */
int __attribute__((warn_unused_result))
rd_mem_open(const void *data, uint64_t size, unsigned int flags,
	    struct rd_disk **out);

/* ------------------------------------------------------------------ */
/* Stackable back ends                                                 */

/* Read-only guard over @below: every write is -EROFS.  0 or -ENOMEM. */
int __attribute__((warn_unused_result))
rd_ro_open(struct rd_disk *below, bool owns_below, struct rd_disk **out);

struct rd_fault_cfg {
	unsigned long	fail_read_nth;	/* fail the Nth read (1-based), 0 never */
	unsigned long	fail_write_nth;	/* fail the Nth write, 0 never */
	unsigned long	fail_flush_nth;	/* fail the Nth flush, 0 never */
	int		err;		/* -errno to return (0: -EIO) */
	bool		sticky;		/* keep failing after the Nth */
	uint64_t	delay_ns;	/* sleep this long before each read
					 * and write: a slow disk, 0 none */
};

/* Fault injection over @below (tests).  0 or -ENOMEM. */
int __attribute__((warn_unused_result))
rd_fault_open(struct rd_disk *below, bool owns_below,
	      const struct rd_fault_cfg *cfg, struct rd_disk **out);

/*
 * Partition view over the whole disk @below: the geometry of @below, but
 * only the partitions listed in @partitions ("2" or "2,5") pass through.
 * Other partitions and gaps read as zeros and writes to them are -EACCES.
 * The partition table and boot code come from a private in-memory copy:
 * sector 0 gets syslinux boot code (mbr.bin, or gptmbr.bin for GPT) with the
 * original disk signature and partition entries, the active flag (GPT:
 * legacy-BIOS-bootable attribute, CRCs recomputed, backup kept consistent)
 * only on the first chosen partition; EBRs are copied; the area between the
 * table and the first partition reads as zeros and takes writes privately.
 * @below is never written outside the chosen partitions.  0 or -errno with
 * the reason in @err; on failure @below stays with the caller.
 */
int __attribute__((warn_unused_result))
rd_view_open(struct rd_disk *below, bool owns_below, const char *partitions,
	     struct rd_disk **out, char *err, size_t errlen);

/* True if @d is a partition view; then the chosen extents [start, size)
 * in bytes are copied to @ext (up to @max) and their count returned. */
bool rd_is_view(const struct rd_disk *d);
unsigned int rd_view_extents(const struct rd_disk *d, struct rd_extent *ext,
			     unsigned int max);
/* Write the view's private areas (synthesized table, boot code, EBRs,
 * zeroed gap) into @dst at the same offsets (an overlay at creation). */
int __attribute__((warn_unused_result))
rd_view_copy_private(struct rd_disk *view, struct rd_disk *dst);

struct rd_view_seg {
	uint64_t	start;		/* bytes */
	uint64_t	size;		/* bytes */
	bool		priv;		/* private copy (else a chosen partition) */
};

/* The view's segments in address order (gaps read as zeros); returns the
 * total count (may exceed @max). */
unsigned int rd_view_layout(const struct rd_disk *d, struct rd_view_seg *seg,
			    unsigned int max);

/* "start:size,..." (bytes) for the chosen extents of view @d into @out
 * ("" for any other disk): what an overlay records to notice a changed
 * partition table. */
void rd_view_extents_str(const struct rd_disk *d, char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* qcow2 v3 (overlay over a raw source, and image writer for P2V)       */

/*
 * Create a new qcow2 v3 image at @path (must not exist) of @size bytes
 * (multiple of 512) with 2^@cluster_bits-byte clusters (0: 64 KiB).
 * @backing: raw backing file name recorded in the header (format "raw"), or
 * NULL.  On success *@out is the image opened read-write (its backing, if
 * any, opened read-only).  0 or -errno with a one-line reason in @err.
 */
int __attribute__((warn_unused_result))
rd_qcow2_create(const char *path, uint64_t size, const char *backing,
		unsigned int cluster_bits, struct rd_disk **out, char *err,
		size_t errlen);

/* Create the image file only (closed again): like rd_qcow2_create() with
 * the backing format @backing_fmt ("raw", "vmdk"; NULL: "raw") recorded in
 * the header; the backing file is neither opened nor checked. */
int __attribute__((warn_unused_result))
rd_qcow2_create_file(const char *path, uint64_t size, const char *backing,
		     const char *backing_fmt, unsigned int cluster_bits,
		     char *err, size_t errlen);

/*
 * Open the qcow2 image @path (@flags: RD_RDONLY or RD_RDWR, plus RD_EXCL).
 * @backing: the disk to read unallocated clusters from (ownership passes to
 * the image, also on failure), or NULL to open the backing file named in the
 * header read-only.  A read-write open sets the dirty bit until close and
 * rebuilds the refcounts of an image left dirty by a crash.
 */
int __attribute__((warn_unused_result))
rd_qcow2_open(const char *path, unsigned int flags, struct rd_disk *backing,
	      struct rd_disk **out, char *err, size_t errlen);

/* Same over an already-open image @file (ownership passes, also on
 * failure); @owns_backing says whether closing the image closes @backing. */
int __attribute__((warn_unused_result))
rd_qcow2_open_disk(struct rd_disk *file, unsigned int flags,
		   struct rd_disk *backing, bool owns_backing,
		   struct rd_disk **out, char *err, size_t errlen);

/* Introspection of a qcow2 disk (false / NULL / "" / 0 for other disks). */
bool rd_is_qcow2(const struct rd_disk *d);
struct rd_disk *rd_qcow2_backing(const struct rd_disk *d);
const char *rd_qcow2_backing_name(const struct rd_disk *d);
uint64_t rd_qcow2_cluster_size(const struct rd_disk *d);

/* ------------------------------------------------------------------ */
/* File-system adapters (hwprofile): libext2fs and libntfs-3g reach a
 * byte window [off, off+len) of any rd_disk, so ext2fs_open2() and
 * ntfs_device_mount() work on a partition inside an image or overlay with
 * no mount and no root.  @len 0 means "to the end of the disk".  The disk
 * must outlive the file system handle.  Writes happen only when the handle
 * is opened read-write and the disk is writable (else EROFS).
 * (rawdisk/fs_ext2io.c, rawdisk/fs_ntfsdev.c) */

struct struct_io_manager;
struct struct_ext2_filsys;
struct ntfs_device;
struct _ntfs_volume;

/* The ext2fs io_manager; pass it to ext2fs_open2() with a name from
 * rd_ext2_name().  Never NULL; not to be freed. */
struct struct_io_manager *rd_ext2_io_manager(void);

/* Build the io_manager device name ("rd:<ptr>:<off>:<len>") for a window of
 * @d.  0, -EINVAL (window outside the disk) or -ENAMETOOLONG. */
int __attribute__((warn_unused_result))
rd_ext2_name(struct rd_disk *d, uint64_t off, uint64_t len, char *buf,
	     size_t buflen);

/*
 * ext2fs_open2() on a window of @d with EXT2_FLAG_* @flags (EXT2_FLAG_RW to
 * write).  On success *@out is an ext2_filsys the caller closes with
 * ext2fs_close_free().  0 or -errno (-EINVAL not ext2/3/4 or corrupt,
 * -ENOTSUP unsupported features, -EROFS); a one-line reason in @err.
 */
int __attribute__((warn_unused_result))
rd_ext2_open(struct rd_disk *d, uint64_t off, uint64_t len, int flags,
	     struct struct_ext2_filsys **out, char *err, size_t errlen);

/* libext2fs error code @code (errcode_t) in words, e.g.
 * EXT2_ET_BLOCK_BITMAP_CSUM_INVALID -> "Block bitmap checksum does not
 * match bitmap" (com_err's table registered once).  Static; never NULL. */
const char *rd_ext2_strerror(long code);

/* An ntfs-3g device for a window of @d, for ntfs_device_mount().  Free it
 * with rd_ntfs_device_free() unless a mount succeeded (then
 * rd_ntfs_umount() frees it).  0, -EINVAL or -ENOMEM. */
int __attribute__((warn_unused_result))
rd_ntfs_device_new(struct rd_disk *d, uint64_t off, uint64_t len,
		   struct ntfs_device **out);
void rd_ntfs_device_free(struct ntfs_device *dev);

/*
 * ntfs_device_mount() on a window of @d with NTFS_MNT_* @ntfs_flags.
 * NTFS_MNT_RDONLY reads only; without it ntfs-3g refuses hibernated, Fast
 * Startup and unclean volumes (-EPERM, -EOPNOTSUPP).  0 or -errno, with a
 * one-line reason in @err.  Unmount with rd_ntfs_umount().
 */
int __attribute__((warn_unused_result))
rd_ntfs_mount(struct rd_disk *d, uint64_t off, uint64_t len,
	      unsigned long ntfs_flags, struct _ntfs_volume **out,
	      char *err, size_t errlen);
/* Unmount (syncing writes) and free a volume from rd_ntfs_mount().  0 or
 * -errno. */
int rd_ntfs_umount(struct _ntfs_volume *vol);

/* ------------------------------------------------------------------ */
/* Virtual-disk image formats (p2v): rawdisk/rd_image.c, fmt_*.c        */

struct rd_image_opts {
	unsigned int	threads;	/* compression threads (vmdk-stream);
					 * 0: 2 */
	const char	*name;		/* file name recorded inside the image
					 * (VMDK descriptor); NULL: @path's */
};

/*
 * Open @path as a readable disk, probing its format: raw (also block
 * devices), VMDK (monolithicSparse, streamOptimized, twoGbMaxExtentSparse
 * and monolithicFlat descriptors), VHD (fixed, dynamic), VHDX, VDI.  Image
 * formats are read-only (RD_RDWR on one gives -EROFS); block_status shows
 * what the image allocates.  0 or -errno with a one-line reason in @err.
 */
int __attribute__((warn_unused_result))
rd_image_open(const char *path, unsigned int flags, struct rd_disk **out,
	      char *err, size_t errlen);

/*
 * Create @path (must not exist) as a writable image of @size bytes in
 * @format: "raw" (sparse), "vmdk" (monolithicSparse), "vmdk-stream"
 * (streamOptimized: writes must come in increasing order), "vmdk-2gb"
 * (twoGbMaxExtentSparse: descriptor + <stem>-sNNN.vmdk), "vhd" (dynamic),
 * "vhd-fixed", "vhdx", "vdi".  All-zero writes leave blocks unallocated.
 * rd_flush() writes the metadata and must succeed before the file is a
 * complete image (for vmdk-stream it seals the file: later writes fail).
 * @o may be NULL.  0 or -errno with a one-line reason in @err.
 */
int __attribute__((warn_unused_result))
rd_image_create(const char *format, const char *path, uint64_t size,
		const struct rd_image_opts *o, struct rd_disk **out,
		char *err, size_t errlen);

/*
 * The format of the file or device @path by its magic numbers: "raw",
 * "qcow2", "vmdk" (sparse), "vmdk-descriptor" (text), "vhd" (dynamic, or
 * fixed with the footer copy at 0), "vhd-fixed" (footer only at the end),
 * "vhdx" or "vdi".  Unreadable and short files are "raw".  Reads only.
 */
const char *rd_image_probe(const char *path);

/* The rd_image_create() format for an output file name's extension
 * (.vmdk .vhd .vhdx .vdi .qcow2 .img .raw), or NULL. */
const char *rd_image_format_from_ext(const char *path);

/* The qemu-img format name for @format ("vhd" -> "vpc"), or NULL. */
const char *rd_image_qemu_name(const char *format);

/* The file names of a raw-disk descriptor's FLAT extents with their
 * windows, for the safety checks (rawdisk/fmt_vmdk_desc.c). */
struct rd_vmdk_flat {
	char		file[1024];	/* as written in the descriptor */
	uint64_t	vstart;		/* bytes into the virtual disk */
	uint64_t	start;		/* bytes into the file */
	uint64_t	size;		/* bytes */
};

/* Parse descriptor text (@len bytes, need not be NUL-terminated): the
 * createType into @type and up to @max FLAT extents into @ext.  Returns
 * the number of FLAT extents, or -EINVAL for a malformed descriptor. */
int rd_vmdk_desc_scan(const char *text, size_t len, char *type,
		      size_t typelen, struct rd_vmdk_flat *ext,
		      unsigned int max, uint64_t *total);

/* ------------------------------------------------------------------ */
/* Paths found inside images (rawdisk/rd_path.c): the one policy        */
/*
 * Images name other files: qcow2 backing files, VMDK extents.  dualvm
 * follows such a name only when all of these hold:
 *  - it is resolved against the folder of the image that names it (never
 *    the current directory), and the resolved file (symbolic links
 *    followed) lies inside that folder, or the user consented to exactly
 *    that file or a folder holding it (rd_path_allow(): --allow-path);
 *  - it is a regular file; a block device only as a FLAT extent of a
 *    raw-disk descriptor (createType fullDevice / partitionedDevice), and
 *    then read-only; never a FIFO, socket, character device, directory,
 *    or anything under /proc or /sys (not even with consent);
 *  - it is not already in the chain that leads to it (a cycle), the chain
 *    is at most RD_CHAIN_MAX files deep, and one image open opens at most
 *    RD_CHAIN_FILES_MAX files;
 *  - "proto://" and "json:" names are never followed.
 * Followed files are opened read-only with O_NONBLOCK | O_NOFOLLOW and
 * checked with fstat() before any read, so a FIFO never blocks.
 */
#define RD_CHAIN_MAX	16	/* files in one backing chain, image included */

/*
 * Consent: let images name @path (a file, or a folder and everything
 * under it) even outside their own folder.  Called by the front end for
 * each --allow-path before any image is opened; the list is process-wide
 * and never shrinks.  0, -ENOENT (no such file), -E2BIG (more than 32).
 */
int __attribute__((warn_unused_result))
rd_path_allow(const char *path);

/*
 * Apply the policy to the name @ref found in the image @image (whose
 * folder relative names are resolved against): 0 with the resolved path
 * in @real (PATH_MAX bytes), or -EPERM (outside the folder without
 * consent, /proc, /sys, a protocol name), -EINVAL (not a regular file, or
 * a block device without @blkdev_ok), -ENOENT ...; one line in @err
 * naming the image, the name and what to do.
 */
int __attribute__((warn_unused_result))
rd_path_check(const char *image, const char *ref, bool blkdev_ok,
	      char *real, char *err, size_t errlen);

/* One file an image open read, for `disk info`. */
struct rd_chain_file {
	unsigned int	depth;		/* 0: the image named by the user */
	char		format[24];	/* "qcow2", "raw", "vmdk-extent", ... */
	char		path[1024];	/* resolved path */
	bool		blockdev;	/* a block device (read-only) */
};

/* rd_image_open() that also lists every file followed into @files (up to
 * @max; the count, which may exceed @max, in *@nfiles). */
int __attribute__((warn_unused_result))
rd_image_open_files(const char *path, unsigned int flags,
		    struct rd_chain_file *files, unsigned int max,
		    unsigned int *nfiles, struct rd_disk **out, char *err,
		    size_t errlen);

/*
 * What the file @path is when it is not a disk image, for `dualvm run`:
 * NULL for a disk (raw image, block device, an image format dualvm
 * reads), else a short phrase ("a VMware .vmx VM definition", "an OVF
 * VM definition", "an OVA archive", "a libvirt domain XML", "a text
 * file", "an ISO 9660 CD image", "a file of 1000 bytes, not a multiple
 * of 512") with *@def saying which VM definition it is (RD_VMDEF_NONE
 * for anything else).  Reads only.
 */
enum rd_vmdef {
	RD_VMDEF_NONE,		/* not a VM definition */
	RD_VMDEF_DUALVM,	/* dualvm's own `key = value` file */
	RD_VMDEF_VMX,		/* VMware .vmx */
	RD_VMDEF_OVF,		/* OVF descriptor */
	RD_VMDEF_OVA,		/* OVA (tar holding an OVF) */
	RD_VMDEF_LIBVIRT,	/* libvirt domain XML */
};
const char *rd_image_not_disk(const char *path, enum rd_vmdef *def);

/* The VM definition the text @text (NUL-terminated) is, by the marks
 * its writers put in it, or RD_VMDEF_NONE.  Pure. */
enum rd_vmdef rd_vmdef_kind(const char *text);

/*
 * Own allocation of a qcow2 overlay @d, ignoring its backing file:
 * like rd_block_status() but unallocated clusters are RD_BLK_UNALLOC
 * even when the backing file has data there (what commit copies).
 */
int rd_qcow2_own_status(struct rd_disk *d, uint64_t off, uint64_t len,
			uint64_t *run_len);

#endif
