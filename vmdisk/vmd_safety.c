// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmd_safety.c --- the safety checks run before every VM start, every
 * commit and every conversion, and by `dualvm disk check`
 * (disk-formats-and-p2v.md §3.3, §3.4)
 *
 * Host-side hazards: a chosen partition (or any part of the disk, for
 * whole-disk access) mounted on the host, directly, through a loop device
 * over an image file (offset/sizelimit honoured) or through device-mapper
 * holders; the host's root; another dualvm holding the lock.  Content
 * hazards, read through the rawdisk layer: a hibernated or Fast-Startup or
 * unclean NTFS (libntfs-3g's own checks on a read-only mount), BitLocker,
 * an ext file system needing journal recovery or with errors, a swap
 * partition holding a hibernation image.  Content hazards are refusals for
 * persistent access and warnings for overlay modes (the source is never
 * written, so booting from the overlay is safe).  Each finding is a typed
 * struct vmd_hazard; the words are vmd_hazard.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/layout.h>
#include <ntfs-3g/volume.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/logfile.h>

#include "vmdisk/vmd_priv.h"

/* ext2/3/4 superblock fields (at 1024 bytes into the volume). */
#define EXT_SB			1024
#define EXT_SB_MAGIC		56	/* 0xef53 */
#define EXT_SB_STATE		58	/* EXT_STATE_* */
#define EXT_SB_INCOMPAT		96	/* feature_incompat */
#define EXT_STATE_VALID		0x1	/* cleanly unmounted */
#define EXT_STATE_ERRORS	0x2	/* errors detected */
#define EXT_INCOMPAT_RECOVER	0x4	/* journal needs recovery */

/* A byte range of the source that the VM will see. */
struct target {
	unsigned int	part;		/* partition number, 0 whole disk */
	uint64_t	start;		/* bytes */
	uint64_t	end;		/* exclusive */
};

static uint16_t sb_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t sb_le32(const uint8_t *p)
{
	return (uint32_t)sb_le16(p) | (uint32_t)sb_le16(p + 2) << 16;
}

/* Record a hazard of @kind on partition @part (0: whole disk). */
static void hz_add(struct vmd_check *c, unsigned int part, bool refuse,
		   enum vmd_hazard_kind kind, bool rw, const char *detail)
{
	struct vmd_hazard h = {
		.kind = kind, .partition = part, .refuse = refuse, .rw = rw,
	};

	snprintf(h.detail, sizeof(h.detail), "%s", detail ? detail : "");
	vmd_check_add(c, &h);
}

static int read_sysfs_u64(const char *dir, const char *file, uint64_t *v)
{
	char p[PATH_MAX + 32], b[64];
	FILE *f;
	int ok;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "r");
	if (!f)
		return -errno;
	ok = fgets(b, sizeof(b), f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	*v = strtoull(b, NULL, 10);
	return 0;
}

/*
 * Where does block device @sys (a sysfs device directory) live?  Sets
 * @parent (whole-disk sysfs dir) and the byte range inside it.  For loop
 * devices the parent is the backing file and the range is inside it.
 */
struct located {
	char		parent[PATH_MAX];	/* disk sysfs dir or image path */
	uint64_t	start;			/* bytes */
	uint64_t	end;			/* exclusive */
};

static void locate(const char *sys, struct located *l)
{
	char disk[PATH_MAX], bf[PATH_MAX + 32];
	uint64_t start = 0, size = 0, off = 0, limit = 0;
	FILE *f;

	snprintf(disk, sizeof(disk), "%s", sys);
	if (!read_sysfs_u64(sys, "partition", &size)) {
		char *slash = strrchr(disk, '/');

		if (slash)
			*slash = 0;
		read_sysfs_u64(sys, "start", &start);
		start *= 512;
	}
	size = 0;
	read_sysfs_u64(sys, "size", &size);
	size *= 512;
	l->start = start;
	l->end = start + size;
	snprintf(l->parent, sizeof(l->parent), "%s", disk);
	snprintf(bf, sizeof(bf), "%s/loop/backing_file", disk);
	f = fopen(bf, "r");
	if (!f)
		return;
	if (fgets(l->parent, sizeof(l->parent), f)) {
		char *nl = strchr(l->parent, '\n');

		if (nl)
			*nl = 0;
		snprintf(bf, sizeof(bf), "%s/loop", disk);
		read_sysfs_u64(bf, "offset", &off);
		read_sysfs_u64(bf, "sizelimit", &limit);
		l->start += off;
		l->end += off;
	}
	fclose(f);
}

static bool overlaps(const struct target *t, uint64_t s, uint64_t e)
{
	return s < t->end && t->start < e;
}

/* Match mounted block device @sys (and its dm slaves) against targets. */
static void mounted_dev(const char *src_id, const char *sys,
			const struct target *tg, unsigned int nt,
			struct vmd_check *c, const char *mnt, bool rw,
			enum vmd_mode mode, int depth)
{
	char slaves[PATH_MAX + 16], sub[PATH_MAX * 2], real[PATH_MAX];
	struct located l;
	struct dirent *de;
	unsigned int i;
	DIR *dir;

	snprintf(slaves, sizeof(slaves), "%s/slaves", sys);
	dir = depth < 8 ? opendir(slaves) : NULL;
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", slaves, de->d_name);
		if (realpath(sub, real))
			mounted_dev(src_id, real, tg, nt, c, mnt, rw, mode,
				    depth + 1);
	}
	if (dir)
		closedir(dir);
	locate(sys, &l);
	if (strcmp(l.parent, src_id))
		return;
	for (i = 0; i < nt; i++) {
		if (!overlaps(&tg[i], l.start, l.end))
			continue;
		if (!strcmp(mnt, "/"))
			hz_add(c, tg[i].part, true, VMD_HZ_HOST_ROOT, rw, NULL);
		else
			hz_add(c, tg[i].part, rw || mode == VMD_MODE_PERSISTENT,
			       VMD_HZ_MOUNTED, rw, mnt);
	}
}

/* Parse /proc/self/mountinfo and match every mount against the targets. */
static void check_mounts(const char *src_id, const struct target *tg,
			 unsigned int nt, struct vmd_check *c,
			 enum vmd_mode mode)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mnt[1024], opts[256], sys[64], real[PATH_MAX];
		unsigned int maj, min;

		if (sscanf(line, "%*u %*u %u:%u %*s %1023s %255s", &maj, &min,
			   mnt, opts) != 4 || !maj)
			continue;
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", maj, min);
		if (!realpath(sys, real))
			continue;
		mounted_dev(src_id, real, tg, nt, c, mnt,
			    !strncmp(opts, "rw", 2) && (opts[2] == 0 || opts[2] == ','),
			    mode, 0);
	}
	fclose(f);
}

static void check_ntfs(struct rd_disk *d, const struct target *t,
		       struct vmd_check *c, bool strict)
{
	struct _ntfs_volume *vol;
	char err[256];
	ntfs_inode *ni;

	if (rd_ntfs_mount(d, t->start, t->end - t->start, NTFS_MNT_RDONLY,
			  &vol, err, sizeof(err))) {
		hz_add(c, t->part, strict, VMD_HZ_NTFS_UNREADABLE, false, err);
		return;
	}
	if (ntfs_volume_check_hiberfile(vol, 0) && errno == EPERM)
		hz_add(c, t->part, strict, VMD_HZ_HIBERNATED, false, NULL);
	ni = ntfs_inode_open(vol, FILE_LogFile);
	if (ni) {
		ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
		RESTART_PAGE_HEADER *rp = NULL;

		if (na) {
			bool ok = ntfs_check_logfile(na, &rp) &&
				  ntfs_is_logfile_clean(na, rp);

			if (rp && rp->major_ver == const_cpu_to_le16(2) &&
			    rp->minor_ver == const_cpu_to_le16(0))
				hz_add(c, t->part, strict, VMD_HZ_FAST_STARTUP,
				       false, NULL);
			else if (!ok)
				hz_add(c, t->part, strict, VMD_HZ_NTFS_UNCLEAN,
				       false, NULL);
			free(rp);
			ntfs_attr_close(na);
		}
		ntfs_inode_close(ni);
	}
	if (vol->flags & VOLUME_IS_DIRTY)
		hz_add(c, t->part, strict, VMD_HZ_NTFS_DIRTY, false, NULL);
	rd_ntfs_umount(vol);
}

/* Content hazards of one target (a partition, or a disk without table). */
static void check_content(struct rd_disk *d, const struct target *t,
			  struct vmd_check *c, bool strict)
{
	static const char *const swsusp[] = {
		"S1SUSPEND", "S2SUSPEND", "ULSUSPEND", "LINHIB0001",
	};
	uint8_t b[4096];
	unsigned int i;

	if (t->end - t->start < sizeof(b) ||
	    rd_pread(d, b, sizeof(b), t->start))
		return;
	if (!memcmp(b + 3, "-FVE-FS-", 8)) {
		hz_add(c, t->part, true, VMD_HZ_BITLOCKER, false, NULL);
		return;
	}
	if (!memcmp(b + 3, "NTFS    ", 8)) {
		check_ntfs(d, t, c, strict);
		return;
	}
	if (sb_le16(b + EXT_SB + EXT_SB_MAGIC) == 0xef53) {
		uint16_t state = sb_le16(b + EXT_SB + EXT_SB_STATE);
		uint32_t incompat = sb_le32(b + EXT_SB + EXT_SB_INCOMPAT);

		if (incompat & EXT_INCOMPAT_RECOVER)
			hz_add(c, t->part, strict, VMD_HZ_EXT_RECOVERY, false,
			       NULL);
		else if ((state & EXT_STATE_ERRORS) || !(state & EXT_STATE_VALID))
			hz_add(c, t->part, strict, VMD_HZ_EXT_ERRORS, false,
			       NULL);
		return;
	}
	for (i = 0; i < sizeof(swsusp) / sizeof(swsusp[0]); i++)
		if (!memcmp(b + 4096 - 10, swsusp[i], strlen(swsusp[i])))
			hz_add(c, t->part, strict, VMD_HZ_SWAP_HIBERNATED, false,
			       NULL);
}

/* Is the image or device locked by another dualvm (or in use)?  For a
 * partition of a block device, the partition's own node is tried. */
static void check_lock(const char *path, bool blk, struct vmd_check *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (blk ? O_EXCL : 0));

	if (fd < 0) {
		if (errno == EBUSY)
			hz_add(c, 0, true, VMD_HZ_IN_USE, false, path);
		return;
	}
	if (!blk && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		hz_add(c, 0, true, VMD_HZ_LOCKED, false, path);
	close(fd);
}

int vmd_safety_check(const char *path, struct rd_disk *d,
		     const char *partitions, enum vmd_mode mode,
		     bool check_lock_too, struct vmd_check *out, char *err,
		     size_t errlen)
{
	struct rd_part_table *pt = malloc(sizeof(*pt));
	struct target *tg = calloc(RD_MAX_PARTS + 1, sizeof(*tg));
	char src_id[PATH_MAX];
	struct stat st;
	unsigned int nt = 0, i;
	bool strict = mode == VMD_MODE_PERSISTENT;
	int e = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!pt || !tg)
		goto out;
	e = -errno;
	if (stat(path, &st) < 0 || !realpath(path, src_id)) {
		e = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISBLK(st.st_mode)) {
		char sys[64];

		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u",
			 major(st.st_rdev), minor(st.st_rdev));
		if (!realpath(sys, src_id))
			snprintf(src_id, sizeof(src_id), "%s", sys);
	}
	e = rd_part_table_read(d, pt);
	if (e) {
		snprintf(err, errlen, "%s", rd_strerror(d));
		goto out;
	}
	if (partitions) {
		const char *s = partitions;

		while (*s) {
			char *end;
			unsigned long num = strtoul(s, &end, 10);
			const struct rd_part *p = num <= RD_MAX_PARTS ?
				rd_part_find(pt, (unsigned int)num) : NULL;

			if (end == s || (*end && *end != ',') || !p) {
				snprintf(err, errlen, "%s: no partition '%s' (see 'dualvm disk info %s')",
					 path, partitions, path);
				e = -ENOENT;
				goto out;
			}
			tg[nt].part = p->number;
			tg[nt].start = p->start;
			tg[nt++].end = p->start + p->size;
			s = *end ? end + 1 : end;
		}
	} else {
		tg[nt].part = 0;
		tg[nt].start = 0;
		tg[nt++].end = rd_size(d);
	}
	if (S_ISBLK(st.st_mode)) {
		/* a loop device or a partition node: compare mounts against
		 * what it sits on (backing file / whole disk) */
		struct located l;
		struct target *sh = calloc(nt, sizeof(*sh));

		if (!sh) {
			e = -ENOMEM;
			goto out;
		}
		locate(src_id, &l);
		for (i = 0; i < nt; i++) {
			sh[i] = tg[i];
			sh[i].start += l.start;
			sh[i].end += l.start;
		}
		check_mounts(src_id, tg, nt, out, mode);
		if (strcmp(l.parent, src_id) || l.start)
			check_mounts(l.parent, sh, nt, out, mode);
		free(sh);
	} else {
		check_mounts(src_id, tg, nt, out, mode);
	}
	if (check_lock_too && S_ISBLK(st.st_mode) && partitions) {
		for (i = 0; i < nt; i++) {
			char node[PATH_MAX];
			unsigned int k;
			bool seen = false;

			for (k = 0; k < out->n; k++)	/* mounted: said so */
				seen |= out->hz[k].partition == tg[i].part;
			if (!seen && !vmd_blk_part_node(path, tg[i].start, node,
							sizeof(node)))
				check_lock(node, true, out);
		}
	} else if (check_lock_too && !out->nrefuse) {
		check_lock(path, S_ISBLK(st.st_mode), out);
	}
	if (partitions) {
		for (i = 0; i < nt; i++)
			check_content(d, &tg[i], out, strict);
	} else if (!pt->n) {
		check_content(d, &tg[0], out, strict);
	} else {
		for (i = 0; i < pt->n; i++) {
			struct target t = {
				pt->part[i].number, pt->part[i].start,
				pt->part[i].start + pt->part[i].size,
			};

			check_content(d, &t, out, strict);
		}
	}
	e = 0;
out:
	free(pt);
	free(tg);
	return e;
}

int vmd_blk_part_node(const char *disk, uint64_t start, char *out,
		      size_t outlen)
{
	char sys[64], real[PATH_MAX], sub[PATH_MAX + 300];
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int e = -ENOENT;

	if (stat(disk, &st) || !S_ISBLK(st.st_mode))
		return -ENOTBLK;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	if (!realpath(sys, real))
		return -errno;
	dir = opendir(real);
	while (dir && (de = readdir(dir))) {
		uint64_t s, dummy;

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", real, de->d_name);
		if (read_sysfs_u64(sub, "partition", &dummy) ||
		    read_sysfs_u64(sub, "start", &s) || s * 512 != start)
			continue;
		snprintf(out, outlen, "/dev/%s", de->d_name);
		e = 0;
		break;
	}
	if (dir)
		closedir(dir);
	return e;
}

int vmd_check_path(const char *path, const char *partitions,
		   enum vmd_mode mode, enum vmd_mode *resolved,
		   struct vmd_check *out, char *err, size_t errlen)
{
	struct rd_disk *locks[VMD_DESC_MAX_LOCKS], *d;
	unsigned int n = 0;
	int e;

	if (vmd_is_descriptor(path)) {
		*resolved = vmd_mode_resolve(mode, true, true);
		e = vmd_desc_guard(path, *resolved, locks, &n,
				   VMD_DESC_MAX_LOCKS, out, err, errlen);
		while (n)
			rd_close(locks[--n]);
		return e;
	}
	e = rd_file_open(path, RD_RDONLY, &d, err, errlen);
	if (e)
		return e;
	*resolved = vmd_mode_resolve(mode, rd_is_blockdev(d),
				     partitions != NULL);
	e = vmd_safety_check(path, d, partitions, *resolved, true, out, err,
			     errlen);
	rd_close(d);
	return e;
}
