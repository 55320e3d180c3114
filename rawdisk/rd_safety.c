// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_safety.c --- the safety checks run before every VM start and by
 * `dualvm disk check` (disk-formats-and-p2v.md §3.3, §3.4)
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
 * written, so booting from the overlay is safe).
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

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

/* A byte range of the source that the VM will see. */
struct target {
	unsigned int	part;		/* partition number, 0 whole disk */
	uint64_t	start;		/* bytes */
	uint64_t	end;		/* exclusive */
};

static void hz_add(struct rd_check *c, unsigned int part, bool refuse,
		   const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void hz_add(struct rd_check *c, unsigned int part, bool refuse,
		   const char *code, const char *fmt, ...)
{
	struct rd_hazard *h;
	va_list ap;

	if (c->n == RD_MAX_HAZARDS)
		return;
	h = &c->hz[c->n++];
	h->partition = part;
	h->refuse = refuse;
	snprintf(h->code, sizeof(h->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof(h->msg), fmt, ap);
	va_end(ap);
	if (refuse)
		c->nrefuse++;
	else
		c->nwarn++;
}

static const char *tname(const struct target *t, char *buf, size_t n)
{
	if (t->part)
		snprintf(buf, n, "partition %u", t->part);
	else
		snprintf(buf, n, "the disk");
	return buf;
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
			struct rd_check *c, const char *mnt, bool rw,
			enum rd_disk_mode mode, int depth)
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
		char tn[32];
		bool refuse;

		if (!overlaps(&tg[i], l.start, l.end))
			continue;
		if (!strcmp(mnt, "/")) {
			hz_add(c, tg[i].part, true, "host-root",
			       "%s holds the host's root file system: never boot the running OS in a VM",
			       tname(&tg[i], tn, sizeof(tn)));
			continue;
		}
		refuse = rw || mode == RD_MODE_PERSISTENT;
		hz_add(c, tg[i].part, refuse, "mounted",
		       "%s is mounted %s on the host at %s: unmount it first%s",
		       tname(&tg[i], tn, sizeof(tn)), rw ? "read-write" : "read-only",
		       mnt, refuse ? "" : " (read-only: the overlay run is allowed)");
	}
}

/* Parse /proc/self/mountinfo and match every mount against the targets. */
static void check_mounts(const char *src_id, const struct target *tg,
			 unsigned int nt, struct rd_check *c,
			 enum rd_disk_mode mode)
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
		       struct rd_check *c, bool strict)
{
	struct _ntfs_volume *vol;
	char err[256], tn[32];
	ntfs_inode *ni;

	if (rd_ntfs_mount(d, t->start, t->end - t->start, NTFS_MNT_RDONLY,
			  &vol, err, sizeof(err))) {
		hz_add(c, t->part, strict, "ntfs-unreadable",
		       "%s: NTFS cannot be read (%s): run chkdsk in Windows",
		       tname(t, tn, sizeof(tn)), err);
		return;
	}
	if (ntfs_volume_check_hiberfile(vol, 0) && errno == EPERM)
		hz_add(c, t->part, strict, "hibernated",
		       "%s: Windows is hibernated on this volume: boot Windows natively and shut it down fully%s",
		       tname(t, tn, sizeof(tn)),
		       strict ? "" : " (overlay run: the hibernated session will be lost)");
	ni = ntfs_inode_open(vol, FILE_LogFile);
	if (ni) {
		ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
		RESTART_PAGE_HEADER *rp = NULL;

		if (na) {
			bool ok = ntfs_check_logfile(na, &rp) &&
				  ntfs_is_logfile_clean(na, rp);

			if (rp && rp->major_ver == const_cpu_to_le16(2) &&
			    rp->minor_ver == const_cpu_to_le16(0))
				hz_add(c, t->part, strict, "fast-startup",
				       "%s: Windows Fast Startup keeps this volume's metadata cached: disable Fast Startup and shut Windows down",
				       tname(t, tn, sizeof(tn)));
			else if (!ok)
				hz_add(c, t->part, strict, "unclean",
				       "%s: NTFS was not shut down cleanly ($LogFile dirty): boot Windows and shut it down",
				       tname(t, tn, sizeof(tn)));
			free(rp);
			ntfs_attr_close(na);
		}
		ntfs_inode_close(ni);
	}
	if (vol->flags & VOLUME_IS_DIRTY)
		hz_add(c, t->part, strict, "dirty",
		       "%s: NTFS is marked dirty: run chkdsk in Windows",
		       tname(t, tn, sizeof(tn)));
	rd_ntfs_umount(vol);
}

/* Content hazards of one target (a partition, or a disk without table). */
static void check_content(struct rd_disk *d, const struct target *t,
			  struct rd_check *c, bool strict)
{
	static const char *const swsusp[] = {
		"S1SUSPEND", "S2SUSPEND", "ULSUSPEND", "LINHIB0001",
	};
	uint8_t b[4096];
	char tn[32];
	unsigned int i;

	if (t->end - t->start < sizeof(b) ||
	    rd_pread(d, b, sizeof(b), t->start))
		return;
	if (!memcmp(b + 3, "-FVE-FS-", 8)) {
		hz_add(c, t->part, true, "bitlocker",
		       "%s is BitLocker-encrypted: Windows will ask for the recovery key in the VM; suspend BitLocker in Windows first",
		       tname(t, tn, sizeof(tn)));
		return;
	}
	if (!memcmp(b + 3, "NTFS    ", 8)) {
		check_ntfs(d, t, c, strict);
		return;
	}
	if (rd_le16(b + 1024 + 56) == 0xef53) {
		uint16_t state = rd_le16(b + 1024 + 58);
		uint32_t incompat = rd_le32(b + 1024 + 96);

		if (incompat & 0x4)
			hz_add(c, t->part, strict, "ext-recovery",
			       "%s: ext file system journal needs recovery (not cleanly unmounted): run e2fsck on it or boot that OS and shut it down",
			       tname(t, tn, sizeof(tn)));
		else if ((state & 2) || !(state & 1))
			hz_add(c, t->part, strict, "ext-errors",
			       "%s: ext file system has errors or was not cleanly unmounted: run e2fsck",
			       tname(t, tn, sizeof(tn)));
		return;
	}
	for (i = 0; i < sizeof(swsusp) / sizeof(swsusp[0]); i++)
		if (!memcmp(b + 4096 - 10, swsusp[i], strlen(swsusp[i])))
			hz_add(c, t->part, strict, "swap-hibernated",
			       "%s: swap partition holds a Linux hibernation image: resume that OS natively and shut it down",
			       tname(t, tn, sizeof(tn)));
}

/* Is the image or device locked by another dualvm (or in use)?  For a
 * partition of a block device, the partition's own node is tried. */
static void check_lock(const char *path, bool blk, struct rd_check *c)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (blk ? O_EXCL : 0));

	if (fd < 0) {
		if (errno == EBUSY)
			hz_add(c, 0, true, "in-use",
			       "%s is in use (mounted, held by device-mapper or opened exclusively): release it first",
			       path);
		return;
	}
	if (!blk && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		hz_add(c, 0, true, "in-use",
		       "%s is in use by another dualvm process: stop that VM first",
		       path);
	close(fd);
}

int rd_safety_check(const char *path, struct rd_disk *d,
		    const char *partitions, enum rd_disk_mode mode,
		    bool check_lock_too, struct rd_check *out, char *err,
		    size_t errlen)
{
	struct rd_part_table *pt = malloc(sizeof(*pt));
	struct target *tg = calloc(RD_MAX_PARTS + 1, sizeof(*tg));
	char src_id[PATH_MAX];
	struct stat st;
	unsigned int nt = 0, i;
	bool strict = mode == RD_MODE_PERSISTENT;
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
			if (!seen && !rd_blk_part_node(path, tg[i].start, node,
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

int rd_blk_part_node(const char *disk, uint64_t start, char *out, size_t outlen)
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
