/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * p2v.h --- dualvm's physical-to-virtual converter
 *
 * A conversion is planned, then copied, then optionally verified:
 *  - the plan lists the byte ranges of the source worth copying: partition
 *    tables, boot code and gaps always; inside each partition only what its
 *    file system uses (ext2/3/4 block bitmaps through libext2fs, NTFS
 *    $Bitmap through libntfs-3g, the header page of Linux swap), or
 *    everything when the file system is unknown, damaged, dirty,
 *    hibernated or its bitmap disagrees with its own counters;
 *  - the copy reads those ranges in increasing order, drops all-zero
 *    chunks, and writes the rest through an rd_image_create() writer;
 *  - the verify step reads the output back through rd_image_open() and
 *    compares every planned byte with the source.
 * The source is never written.  No globals; callers pass a progress hook.
 */
#ifndef DUALVM_P2V_H
#define DUALVM_P2V_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rawdisk/rawdisk.h"

#define P2V_MAX_AREAS	(RD_MAX_PARTS * 2 + 2)
#define P2V_MAX_BAD	64

/* One area of the source disk: a partition or a stretch between them. */
struct p2v_area {
	unsigned int	part;		/* partition number, 0: not a partition */
	uint64_t	start;		/* bytes */
	uint64_t	size;		/* bytes */
	char		fs[16];		/* "ext4", "ntfs", "swap", "vfat", ...,
					 * "" unknown, "-" not a partition */
	char		method[12];	/* "bitmap", "header", "full",
					 * "skipped" (not selected) */
	uint64_t	used;		/* bytes in use per the file system
					 * (method bitmap/header), else size */
	uint64_t	planned;	/* bytes the plan reads */
	uint64_t	read;		/* bytes read during the copy */
	uint64_t	copied;		/* non-zero bytes written */
	char		note[240];	/* why a full copy, warnings; "" */
};

/* A byte range to copy; sorted, non-overlapping. */
struct p2v_extent {
	uint64_t	off;		/* bytes */
	uint64_t	len;		/* bytes */
	unsigned int	area;		/* index into p2v_plan.area[] */
};

struct p2v_plan {
	uint64_t	disk_size;	/* bytes */
	char		label[8];	/* "dos", "gpt", "" */
	unsigned int	narea;		/* entries in area[] */
	struct p2v_area	area[P2V_MAX_AREAS];	/* in disk order */
	size_t		next;		/* extents used */
	size_t		cap;		/* extents allocated */
	struct p2v_extent *ext;		/* what to copy, in disk order */
};

struct p2v_bad {
	uint64_t	off;		/* bytes */
	uint64_t	len;		/* bytes */
};

/* Progress, reported about every 64 MiB of work and at each area's end. */
struct p2v_progress {
	const struct p2v_area *area;	/* the area being copied */
	uint64_t	done;		/* bytes of the plan processed so far */
	uint64_t	total;		/* bytes in the plan */
	uint64_t	area_done;	/* bytes of this area's plan processed */
	double		elapsed;	/* seconds since the copy started */
	const char	*phase;		/* "copy" or "verify" */
};

struct p2v_opts {
	bool		full_copy;	/* ignore file systems: copy everything */
	bool		continue_on_error;	/* unreadable sectors -> zeros */
	/* "2,3": copy only these partitions (tables and gaps always; the
	 * others read as zeros in the output); NULL: all */
	const char	*partitions;
	/* called with progress; may be NULL */
	void		(*progress)(void *ctx, const struct p2v_progress *p);
	void		*ctx;		/* for progress() */
	/* cancellation token, may be NULL: the copy and verify threads load
	 * it (C11 atomic, so a signal handler or another thread may store
	 * to it at any time); nonzero stops them with -EINTR */
	const atomic_int *stop;
};

struct p2v_result {
	uint64_t	read;		/* bytes read from the source */
	uint64_t	copied;		/* non-zero bytes written */
	unsigned int	nbad;		/* unreadable ranges (continue mode) */
	struct p2v_bad	bad[P2V_MAX_BAD];	/* first P2V_MAX_BAD of them */
	uint64_t	bad_bytes;	/* total unreadable bytes */
	double		seconds;	/* copy time */
};

/*
 * Plan the conversion of @src (read only).  On success *@out is a plan the
 * caller frees with p2v_plan_free(); areas with a full-copy fallback carry
 * the reason in their note.  0 or -errno with a one-line reason in @err.
 */
int __attribute__((warn_unused_result))
p2v_plan_make(struct rd_disk *src, const struct p2v_opts *o,
	      struct p2v_plan **out, char *err, size_t errlen);
void p2v_plan_free(struct p2v_plan *p);

/* Total bytes of the plan. */
uint64_t p2v_plan_bytes(const struct p2v_plan *p);

/*
 * Copy the planned ranges of @src to @dst (same size; written in increasing
 * offset order, all-zero chunks skipped), then rd_flush(@dst).  Fills the
 * per-area read/copied counters of @p and @res, and checks the totals: a
 * plan whose file systems report data in use but whose copy wrote nothing
 * fails with -EIO.  0 or -errno (-EIO unreadable source without
 * continue_on_error, -ENOSPC output full, -EINTR stopped) with a reason in
 * @err.
 */
int __attribute__((warn_unused_result))
p2v_copy(struct rd_disk *src, struct rd_disk *dst, struct p2v_plan *p,
	 const struct p2v_opts *o, struct p2v_result *res, char *err,
	 size_t errlen);

/*
 * Compare every planned byte of @src with @out (an image read back through
 * rd_image_open()), except ranges listed as bad in @res (may be NULL).
 * 0 when identical, -EIO with the first differing offset in @err.
 */
int __attribute__((warn_unused_result))
p2v_verify(struct rd_disk *src, struct rd_disk *out,
	   const struct p2v_plan *p, const struct p2v_result *res,
	   const struct p2v_opts *o, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* VM definitions for the converted disk (p2v/p2v_vm.c)                */

struct p2v_vm {
	const char	*name;		/* VM name */
	const char	*disk;		/* disk file name (relative, as written) */
	const char	*disk_format;	/* rd_image_create() format */
	uint64_t	disk_size;	/* bytes */
	unsigned int	mem_mib;	/* memory, MiB */
	unsigned int	cpus;		/* vCPUs */
	const char	*guest;		/* "linux", "windows", "other" */
	const char	*nic;		/* "e1000" or "pcnet" */
	bool		uefi;		/* boots through UEFI firmware */
};

/*
 * Write a VM definition for @vm at @path (created, never overwritten):
 * @kind "vmx" (VMware), "ovf" (OVF 1.0 descriptor), "libvirt" (domain XML,
 * with the disk as an absolute path: @vm->disk resolved against the
 * directory of @path), "dualvm" (key=value config).  The name and disk are
 * escaped for each format (p2v/p2v_esc.h), so any byte string works except
 * in the XML kinds, which need UTF-8 without control characters other
 * than tab, LF and CR (-EILSEQ, -EINVAL).  A "vmx" names only a disk
 * VMware opens: @vm->disk_format must be P2V_VMX_DIRECT (else -ENOTSUP).
 * 0 or -errno with a reason in @err; on failure no file is left at @path.
 */
int __attribute__((warn_unused_result))
p2v_vm_write(const char *kind, const struct p2v_vm *vm, const char *path,
	     char *err, size_t errlen);

/*
 * A VM definition read back (p2v_vmread.c, p2v_vmxml.c): dualvm's own
 * `key = value` file, a VMware .vmx, an OVF descriptor or a libvirt
 * domain XML.  Disk paths are resolved under the image path policy
 * (rd_path_check(): beside the definition, inside its folder unless
 * consented to, regular files only).
 */
#define P2V_VMDEF_DISKS	4
struct p2v_vmdef {
	char		kind[8];	/* "dualvm", "vmx", "ovf", "ova",
					 * "libvirt" */
	char		name[128];	/* name / displayName, or "" */
	unsigned int	mem_mib;	/* 0: not given */
	unsigned int	cpus;		/* 0: not given */
	bool		uefi;		/* firmware uefi / "efi" */
	bool		nic;		/* a NIC (nicN / ethernet0.present) */
	unsigned int	ndisks;		/* at least 1 on success */
	struct {
		char	path[4096];	/* resolved (PATH_MAX) */
		char	mode[16];	/* "", "nonpersistent", "undoable",
					 * "persistent" */
		char	partitions[64];	/* "2,3" (dualvm's diskN.partitions)
					 * or "": the whole disk */
	} disk[P2V_VMDEF_DISKS];	/* in bus order (IDE, SATA, SCSI) */
};

/* p2v_vmdef_load() flags */
#define P2V_VMDEF_LIBRARY	0x1u	/* a definition of the VM library
					 * (dualvm kind only): its absolute
					 * disk names are the user's own
					 * choice (vm create / import):
					 * followed where they are, block
					 * devices included, when they are
					 * canonical (no symbolic link) and
					 * not under /proc or /sys */
#define P2V_VMDEF_NOCHECK	0x2u	/* do not look at the disks: names
					 * joined to the definition's folder
					 * as written (list, show, delete) */

/* Read the definition @path into @d: 0, or -errno with one line in @err.
 * p2v_vmdef_read() is p2v_vmdef_load() with no flags.  Every kind of
 * rd_vmdef_kind() but the OVA (p2v_ova_import()) is read; XML is parsed
 * with libxml2 without network, DTD or entity expansion (a document
 * with a <!DOCTYPE> is refused), at most 1 MiB. */
int __attribute__((warn_unused_result))
p2v_vmdef_read(const char *path, struct p2v_vmdef *d, char *err,
	       size_t errlen);
int __attribute__((warn_unused_result))
p2v_vmdef_load(const char *path, unsigned int flags, struct p2v_vmdef *d,
	       char *err, size_t errlen);

/* The XML kinds from memory (@text, @len bytes, need not end in NUL) as
 * if read from the file @path (its folder resolves the disks): for
 * p2v_vmdef_load() and the fuzz harness.  0 or -errno with @err set. */
int __attribute__((warn_unused_result))
p2v_vmxml_parse(const char *path, const char *text, size_t len,
		unsigned int flags, struct p2v_vmdef *d, char *err,
		size_t errlen);

/*
 * Write @d as dualvm's own definition at @path (created, never
 * overwritten; 0600): name, machine, memory_mib, cpus, firmware, diskN
 * (the paths of @d as they are: absolute for the library), diskN.mode,
 * diskN.partitions, nic0.  0 or -errno with @err set; on failure no file
 * is left at @path.
 */
int __attribute__((warn_unused_result))
p2v_vmdef_write(const struct p2v_vmdef *d, const char *path, char *err,
		size_t errlen);

/*
 * Import the OVA @ova into the folder @dir (which exists and is the VM's
 * own): read its OVF descriptor (the first member ending in .ovf, at most
 * 1 MiB), then extract exactly the files that descriptor references,
 * each named by a plain member name (no '/', no leading '.', no control
 * character: anything else is refused, never written), as regular files
 * created in @dir (sparse, O_EXCL, O_NOFOLLOW), and check them against
 * the manifest (.mf) when there is one.  @d describes the VM with its
 * disks in @dir.  On failure the files it created are removed.  @stop as
 * in struct p2v_opts.  0 or -errno with @err set.
 */
int __attribute__((warn_unused_result))
p2v_ova_import(const char *ova, const char *dir, struct p2v_vmdef *d,
	       const atomic_int *stop, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* The VM library (p2v/p2v_vmlib.c)                                    */
/*
 * One folder per VM under $XDG_DATA_HOME/dualvm/vms/ (default
 * ~/.local/share/dualvm/vms/): NAME/vm.dualvm, dualvm's own definition
 * with absolute disk names, and beside it what the VM's runs and its
 * import made: undoable overlays (DISK.undo.qcow2 and their side files),
 * disks extracted from an OVA.
 */
#define P2V_LIB_NAME_MAX	64
#define P2V_LIB_DEF		"vm.dualvm"

/* A usable VM name: 1..P2V_LIB_NAME_MAX of [A-Za-z0-9._+-], starting
 * with a letter or digit. */
bool p2v_lib_name_ok(const char *name);

/* The library's folder into @out (PATH_MAX bytes), not created.  0, or
 * -ENOENT with @err set when neither XDG_DATA_HOME (absolute) nor HOME
 * is set. */
int __attribute__((warn_unused_result))
p2v_lib_dir(char *out, size_t len, char *err, size_t errlen);

/* The folder and definition of the VM @name (need not exist).  0 or
 * -EINVAL (a bad name) / p2v_lib_dir()'s errors, with @err set. */
int __attribute__((warn_unused_result))
p2v_lib_paths(const char *name, char *dir, char *def, size_t len,
	      char *err, size_t errlen);

/* True if the library holds the VM @name (its definition exists). */
bool p2v_lib_exists(const char *name);

/* Create the VM folder of @name (and the library above it, 0700):
 * -EEXIST when it exists.  Its path goes to @dir (PATH_MAX bytes). */
int __attribute__((warn_unused_result))
p2v_lib_mkdir(const char *name, char *dir, size_t len, char *err,
	      size_t errlen);

/* The names of the library's VMs (those with a definition), sorted, in
 * *@names (free each and the array); their count in *@n.  An absent
 * library is empty.  0 or -errno. */
int __attribute__((warn_unused_result))
p2v_lib_list(char ***names, unsigned int *n, char *err, size_t errlen);

/*
 * Remove the VM folder @dir: the definition, the disks it names inside
 * the folder (an import extracted them), NVRAM (*.nvram) and overlay
 * side files, then the folder when nothing else is left.  Refuses with
 * -EBUSY, removing nothing, when an undoable overlay (*.undo.qcow2) holds
 * changes not yet committed or discarded (`dualvm disk commit|discard`).
 * Files it does not know are kept (and so is the folder).  @removed (may
 * be NULL) is called with each path removed, @kept with each kept.
 * 0 or -errno with @err set.
 */
int __attribute__((warn_unused_result))
p2v_lib_remove(const char *dir, void (*removed)(void *ctx, const char *path),
	       void (*kept)(void *ctx, const char *path), void *ctx,
	       char *err, size_t errlen);

/* How a .vmx can name a disk of rd_image_create() @format: VMware opens
 * VMDK sparse images (monolithic and split) itself, raw and fixed-VHD
 * data through a monolithicFlat descriptor (p2v_vmdk_flat_write()); any
 * other format (qcow2, dynamic VHD, VHDX, VDI, streamOptimized) needs a
 * VMDK copy. */
enum p2v_vmx_disk {
	P2V_VMX_DIRECT,		/* name the disk itself */
	P2V_VMX_FLAT,		/* name a flat descriptor over it */
	P2V_VMX_CONVERT,	/* name a VMDK copy of it */
};
enum p2v_vmx_disk p2v_vmx_disk_kind(const char *format);

/*
 * Write a monolithicFlat VMDK descriptor at @path (created, never
 * overwritten) whose one FLAT extent is the first @size bytes of the file
 * @extent (a name relative to @path's folder, as a .vmx names disks).
 * -EINVAL when @size is not a whole number of sectors or @extent holds a
 * quote or a control character.  0 or -errno with a reason in @err.
 */
int __attribute__((warn_unused_result))
p2v_vmdk_flat_write(const char *path, const char *extent, uint64_t size,
		    char *err, size_t errlen);

/*
 * Write an OVA at @path: a tar of @ovf_path (first, named <stem of
 * @path>.ovf), @disk_path (a streamOptimized VMDK, named by its leaf) and
 * <stem>.mf with their SHA256 sums under those same member names.  -EINVAL
 * when a member name holds a control character (it could not be one
 * manifest line).  @stop (may be NULL) as in struct p2v_opts: -EINTR,
 * and no file left at @path.  0 or -errno with a reason in @err.
 */
int __attribute__((warn_unused_result))
p2v_ova_write(const char *path, const char *ovf_path, const char *disk_path,
	      const atomic_int *stop, char *err, size_t errlen);

#endif
