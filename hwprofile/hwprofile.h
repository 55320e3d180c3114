/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwprofile.h --- inspect the OS installed on a disk and make it boot on
 * dualvm's canonical hardware (PIIX3 IDE, e1000/PCnet), offline
 *
 * Everything works on a struct rd_disk (image, overlay, converted disk)
 * through libext2fs, libntfs-3g, libhivex and libarchive: no mount, no root,
 * no helper VM.  Inspection reads only.  Injection writes file systems only
 * through the rd_disk it is given, so the caller decides whether that is an
 * overlay or the image itself.  Facts: reference/disk-formats-and-p2v.md
 * §2.1 (virt-v2v Windows), §2.2 (Linux), §3.2 (MergeIDE, KB 314082/922976),
 * §3.4 (ntfs-3g hibernation checks).
 *
 * Errors are 0 / -errno with a one-line reason in the caller's buffer.
 */
#ifndef DUALVM_HWPROFILE_H
#define DUALVM_HWPROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rd_disk;

#define HWP_MAX_KERNELS		8
#define HWP_MAX_FSTAB		32
#define HWP_MAX_SERVICES	12
#define HWP_MAX_MODS		12
#define HWP_MAX_CHANGES		64

enum hwp_os_kind {
	HWP_OS_NONE,
	HWP_OS_LINUX,
	HWP_OS_WINDOWS,
};

/* Reasons not to write (or boot) a volume. */
struct hwp_safety {
	bool	hibernated;	/* hiberfil.sys starts "hibr"/"HIBR" */
	bool	fast_startup;	/* NTFS $LogFile restart page v2.0 */
	bool	unclean;	/* NTFS $LogFile not clean / ext journal */
	bool	dirty;		/* NTFS VOLUME_IS_DIRTY / ext2 not clean */
	bool	bitlocker;	/* "-FVE-FS-" boot sector */
};

/* One canonical-hardware module checked against a kernel. */
struct hwp_modcheck {
	char	name[32];	/* "ata_piix" */
	bool	in_tree;	/* listed in /lib/modules/<ver>/modules.dep
				 * or modules.builtin */
	bool	builtin;	/* in modules.builtin */
	bool	in_initrd;	/* its .ko is in the initramfs (or builtin) */
};

struct hwp_kernel {
	char	version[64];		/* "6.1.0-50-686" */
	char	vmlinuz[160];		/* path in the guest */
	char	initrd[160];		/* path in the guest, "" if none */
	char	initrd_format[16];	/* gzip xz zstd lz4 bzip2 lzma none
					 * unknown ("" if no initrd) */
	bool	early_cpio;		/* uncompressed early cpio prefix */
	char	load_list[32];		/* "conf/modules", "dracut", "" */
	bool	modules_tree;		/* /lib/modules/<ver>/modules.dep */
	unsigned int n_mods;		/* entries in mods[] */
	struct hwp_modcheck mods[HWP_MAX_MODS];
};

struct hwp_fstab_ent {
	char	spec[128];		/* "UUID=...", "/dev/sda1" */
	char	file[128];		/* mount point */
	char	type[32];		/* vfstype */
	char	opts[128];		/* options */
};

struct hwp_linux {
	char	distro[128];		/* os-release PRETTY_NAME */
	char	id[32];			/* os-release ID */
	char	version_id[32];		/* os-release VERSION_ID */
	char	root_device[128];	/* fstab spec of "/" ("" if none) */
	unsigned int n_fstab;
	struct hwp_fstab_ent fstab[HWP_MAX_FSTAB];
	char	bootloader[16];		/* "extlinux", "syslinux", "grub", "" */
	char	boot_config[160];	/* its config file in the guest */
	char	boot_root[160];		/* first root= in the config */
	bool	persistent_net;		/* 70-persistent-net.rules present */
	unsigned int n_kernels;
	struct hwp_kernel kernels[HWP_MAX_KERNELS];
};

struct hwp_service {
	char	name[32];		/* "atapi" */
	bool	exists;			/* Services\<name> key present */
	bool	has_start;		/* Start value present */
	uint32_t start;			/* 0 boot, 1 system, 3 demand, 4 off */
	bool	start_override;		/* StartOverride subkey present */
	bool	driver_checked;		/* driver file looked up on the volume */
	bool	driver_present;		/* System32\drivers\<name>.sys exists */
};

/* Windows generations that need different injection. */
enum hwp_win_gen {
	HWP_WIN_UNKNOWN,
	HWP_WIN_XP,		/* NT 5.x: CriticalDeviceDatabase, profiles */
	HWP_WIN_VISTA7,		/* NT 6.0/6.1 */
	HWP_WIN_8PLUS,		/* NT 6.2+: DriverDatabase */
};

struct hwp_windows {
	char	product_name[128];	/* SOFTWARE ProductName */
	char	version[16];		/* CurrentVersion "5.1" */
	char	build[16];		/* CurrentBuildNumber */
	char	edition[64];		/* EditionID, else "" */
	char	csd[64];		/* CSDVersion "Service Pack 3" */
	char	arch[16];		/* "x86", "AMD64" */
	char	system_root[160];	/* registry SystemRoot "C:\WINDOWS" */
	char	system_dir[64];		/* directory on the volume "/Windows" */
	char	control_set[32];	/* "ControlSet001" (Select\Current) */
	enum hwp_win_gen gen;
	unsigned int n_services;
	struct hwp_service services[HWP_MAX_SERVICES];
};

struct hwp_part {
	unsigned int	number;		/* 1.. ; 0 = whole disk, no table */
	uint64_t	start;		/* bytes */
	uint64_t	size;		/* bytes */
	char		type[40];	/* partition type ("0x83", GUID) */
	char		fs[24];		/* blkid TYPE, "" if unknown */
	char		label[64];	/* blkid LABEL */
	char		uuid[64];	/* blkid UUID */
	enum hwp_os_kind os;
	struct hwp_linux lx;		/* valid when os == HWP_OS_LINUX */
	struct hwp_windows win;		/* valid when os == HWP_OS_WINDOWS */
	struct hwp_safety safety;
	bool		esp;		/* an EFI system partition */
	unsigned int	efi_esp;	/* the ESP holding its UEFI loader */
	char		efi_loader[128];/* that loader ("\\EFI\\debian\\
					 * grubx64.efi"), "" if none found */
	char		error[256];	/* why the OS could not be read */
};

struct hwp_report {
	char		disk[256];	/* path or description */
	uint64_t	size;		/* bytes */
	char		label[8];	/* "dos", "gpt", "" */
	char		disk_id[48];	/* "0x6ab5768f" or GPT GUID */
	unsigned int	n;		/* entries in part[] */
	struct hwp_part	*part;		/* owned */
};

/*
 * Inspect @d (read only).  @partition: 0 for all, N for one (an error if it
 * does not exist).  On success *@out is a report freed by
 * hwp_report_free(); per-partition problems go into part[i].error, not the
 * return value.  0 or -errno (-ENOENT no such partition, -EINVAL corrupt
 * table) with the reason in @err.
 */
int __attribute__((warn_unused_result))
hwp_inspect(struct rd_disk *d, const char *name, unsigned int partition,
	    struct hwp_report **out, char *err, size_t errlen);
void hwp_report_free(struct hwp_report *r);

/* Human-readable and JSON (schema: README.md) renderings of a report. */
void hwp_report_print_text(const struct hwp_report *r, FILE *f);
void hwp_report_print_json(const struct hwp_report *r, FILE *f);

/* ------------------------------------------------------------------ */
/* Injection */

/* One file or hive the injector changed (or would change). */
struct hwp_change {
	char	path[200];		/* in the guest file system */
	char	what[160];		/* one-line description */
	char	sha256_before[65];	/* hex; "" if created */
	char	sha256_after[65];	/* hex; "" if removed */
};

struct hwp_inject_report {
	unsigned int	partition;	/* partition number worked on */
	enum hwp_os_kind os;
	unsigned int	n;		/* entries in ch[] */
	struct hwp_change ch[HWP_MAX_CHANGES];
	char		notes[2048];	/* warnings, one per line */
};

#define HWP_INJ_UNDO	0x1		/* restore from the undo manifest */

/*
 * Make the OS on @d's partition @partition (0: every partition with an OS)
 * boot on the canonical hardware, or undo that.  Writes through @d, which
 * must be writable; the caller chooses an overlay or the image.  Refuses
 * hibernated / Fast Startup / dirty volumes (-EPERM).  0 or -errno with
 * the reason in @err; @rep lists the changed files with hashes.
 */
int __attribute__((warn_unused_result))
hwp_inject(struct rd_disk *d, unsigned int partition, unsigned int flags,
	   struct hwp_inject_report *rep, char *err, size_t errlen);

/*
 * Apply the storage-driver edits for generation @gen (HWP_WIN_UNKNOWN:
 * guess from the hive) to the SYSTEM hive file at @path, in place.  For
 * offline use and tests.  A corrupt hive gives -EINVAL and is not written.
 * Changes are appended to @rep with SHA-256 of the whole hive.
 */
int __attribute__((warn_unused_result))
hwp_hive_inject_file(const char *path, enum hwp_win_gen gen,
		     struct hwp_inject_report *rep, char *err, size_t errlen);

void hwp_inject_report_print_text(const struct hwp_inject_report *r,
				  FILE *f);
void hwp_inject_report_print_json(const struct hwp_inject_report *r,
				  FILE *f);

/* Name of a generation: "xp", "vista7", "win8+", "unknown". */
const char *hwp_win_gen_name(enum hwp_win_gen gen);

#endif
