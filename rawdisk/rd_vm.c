// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_vm.c --- open the disks of a VM with the mode and safety rules
 * (VMware disk modes, disk-formats-and-p2v.md §3.1)
 *
 * Stack built for `dualvm run DISK [--partition N] [--disk-mode M]`:
 *
 *	vm (mode, overlay path) -> qcow2 overlay -> [partition view] -> source
 *
 * The source is opened exclusively (flock / O_EXCL) and read-only unless
 * the mode is persistent, and the safety checks run before anything else.
 * nonpersistent overlays are unlinked right after creation, so they vanish
 * even when dualvm is killed; undoable overlays live beside the image (or
 * in the overlay directory) with a sidecar naming the source and
 * partitions, and are reused by the next run.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>

#include "rawdisk/rawdisk.h"
#include "rawdisk/rd_priv.h"

#define VM_MAX_LOCKS	8

struct rd_vmdisk {
	enum rd_disk_mode	mode;		/* resolved */
	char			overlay[PATH_MAX];	/* undoable: its path */
	unsigned int		nlocks;		/* devices held (descriptors) */
	struct rd_disk		*locks[VM_MAX_LOCKS];	/* exclusive opens */
	unsigned int		nseg;		/* partition view: writable */
	struct rd_view_seg	*seg;		/* segments, or NULL: all */
};

/* Partition views: a write outside the chosen partitions and the private
 * table areas is refused even though the overlay could hold it. */
static bool vm_write_allowed(const struct rd_vmdisk *vm, uint64_t off,
			     size_t len)
{
	unsigned int i;

	if (!vm->seg)
		return true;
	while (len) {
		for (i = 0; i < vm->nseg; i++)
			if (off >= vm->seg[i].start &&
			    off < vm->seg[i].start + vm->seg[i].size)
				break;
		if (i == vm->nseg)
			return false;
		if (vm->seg[i].start + vm->seg[i].size - off >= len)
			return true;
		len -= vm->seg[i].start + vm->seg[i].size - off;
		off = vm->seg[i].start + vm->seg[i].size;
	}
	return true;
}

static int vm_pread(struct rd_disk *d, void *buf, size_t len, uint64_t off)
{
	int e = rd_pread(d->below, buf, len, off);

	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

static int vm_pwrite(struct rd_disk *d, const void *buf, size_t len,
		     uint64_t off)
{
	int e;

	if (!vm_write_allowed(d->priv, off, len))
		return rd_set_error(d, -EACCES,
				    "%s: write at %llu outside the chosen partitions refused",
				    d->desc, (unsigned long long)off);
	e = rd_pwrite(d->below, buf, len, off);

	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

static int vm_flush(struct rd_disk *d)
{
	int e = rd_flush(d->below);

	return e ? rd_set_error(d, e, "%s", rd_strerror(d->below)) : 0;
}

static int vm_block_status(struct rd_disk *d, uint64_t off, uint64_t len,
			   uint64_t *run_len)
{
	return rd_block_status(d->below, off, len, run_len);
}

static void vm_free(struct rd_disk *d)
{
	struct rd_vmdisk *vm = d->priv;
	unsigned int i;

	for (i = 0; vm && i < vm->nlocks; i++)
		rd_close(vm->locks[i]);
	if (vm)
		free(vm->seg);
	free(vm);
}

static const struct rd_ops rd_vm_ops = {
	.name		= "vm",
	.pread		= vm_pread,
	.pwrite		= vm_pwrite,
	.flush		= vm_flush,
	.close		= vm_free,
	.block_status	= vm_block_status,
};

enum rd_disk_mode rd_mode_resolve(enum rd_disk_mode m, bool blockdev,
				  bool partitions)
{
	if (m != RD_MODE_DEFAULT)
		return m;
	return blockdev || partitions ? RD_MODE_NONPERSISTENT :
	       RD_MODE_PERSISTENT;
}

static const char *mode_name(enum rd_disk_mode m)
{
	return m == RD_MODE_UNDOABLE ? "undoable" :
	       m == RD_MODE_NONPERSISTENT ? "nonpersistent" : "persistent";
}

/* Turn the safety findings into one refusal line or warnings. */
static int vm_judge(const struct rd_vm_opts *o, const struct rd_check *c,
		    char *err, size_t errlen)
{
	unsigned int i;
	size_t used = 0;

	for (i = 0; i < c->n; i++) {
		const struct rd_hazard *h = &c->hz[i];

		if (h->refuse) {
			bool busy = !strcmp(h->code, "mounted") ||
				    !strcmp(h->code, "in-use") ||
				    !strcmp(h->code, "host-root");

			snprintf(err, errlen, "%s: refused: %s%s", o->path,
				 h->msg, c->nrefuse > 1 ?
				 " (more: dualvm disk check)" : "");
			return busy ? -EBUSY : -EPERM;
		}
	}
	for (i = 0; i < c->n; i++) {
		if (o->warnings && used < o->warnlen) {
			int k = snprintf(o->warnings + used, o->warnlen - used,
					 "%s: warning: %s\n", o->path,
					 c->hz[i].msg);

			used += k > 0 ? (size_t)k : 0;
		} else if (!o->warnings) {
			fprintf(stderr, "dualvm: %s: warning: %s\n", o->path,
				c->hz[i].msg);
		}
	}
	return 0;
}

#define SRC_RAW		0	/* raw image or block device */
#define SRC_QCOW2	1	/* qcow2 image (rd_qcow2_open) */
#define SRC_IMAGE	2	/* read-only formats (rd_image_open) */

/* What kind of image file @path is, by its magic numbers. */
static int src_kind(const char *path)
{
	unsigned char h[72] = { 0 };
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(h, 1, sizeof(h), f);
		fclose(f);
	}
	if (n >= 4 && !memcmp(h, "QFI\xfb", 4))
		return SRC_QCOW2;
	if ((n >= 4 && !memcmp(h, "KDMV", 4)) ||
	    (n >= 8 && !memcmp(h, "vhdxfile", 8)) ||
	    (n >= 8 && !memcmp(h, "conectix", 8)) ||
	    (n >= 68 && h[64] == 0x7f && h[65] == 0x10 && h[66] == 0xda &&
	     h[67] == 0xbe))
		return SRC_IMAGE;
	return SRC_RAW;
}

/* Open every chosen partition's /dev node with O_EXCL for the VM's life. */
static int vm_lock_parts(const struct rd_vm_opts *o, struct rd_disk *src,
			 struct rd_disk **locks, unsigned int *nlocks,
			 char *err, size_t errlen)
{
	struct rd_part_table *t = malloc(sizeof(*t));
	const char *s = o->partitions;
	int e = t ? rd_part_table_read(src, t) : -ENOMEM;

	while (!e && *s) {
		char *end, node[PATH_MAX];
		unsigned long num = strtoul(s, &end, 10);
		const struct rd_part *p = num <= RD_MAX_PARTS ?
					  rd_part_find(t, (unsigned int)num) : NULL;

		if (!p || *nlocks == VM_MAX_LOCKS) {
			snprintf(err, errlen, "%s: bad partition list '%s'",
				 o->path, o->partitions);
			e = -EINVAL;
			break;
		}
		if (rd_blk_part_node(o->path, p->start, node, sizeof(node))) {
			/* no partition device: lock the whole disk instead */
			e = rd_file_open(o->path, RD_RDONLY | RD_EXCL,
					 &locks[*nlocks], err, errlen);
			if (!e)
				(*nlocks)++;
			break;
		}
		e = rd_file_open(node, RD_RDONLY | RD_EXCL, &locks[*nlocks],
				 err, errlen);
		if (!e)
			(*nlocks)++;
		s = *end ? end + 1 : end;
	}
	free(t);
	return e;
}

/* Overlay path: undoable beside the image (or in overlay_dir). */
static void undo_path(const struct rd_vm_opts *o, bool blk,
		      const char *src_real, char *out, size_t n)
{
	const char *base = strrchr(o->path, '/');
	char dir[PATH_MAX];

	base = base ? base + 1 : o->path;
	if (o->overlay_dir && !realpath(o->overlay_dir, dir))
		snprintf(dir, sizeof(dir), "%s", o->overlay_dir);
	if (o->overlay_dir)
		snprintf(out, n, "%.3000s/%.500s%s%.100s.undo.qcow2", dir, base,
			 o->partitions ? "-p" : "",
			 o->partitions ? o->partitions : "");
	else if (blk)
		snprintf(out, n, "/var/tmp/dualvm-%.500s%s%.100s.undo.qcow2", base,
			 o->partitions ? "-p" : "",
			 o->partitions ? o->partitions : "");
	else
		snprintf(out, n, "%.3800s%s%.100s.undo.qcow2", src_real,
			 o->partitions ? "-p" : "",
			 o->partitions ? o->partitions : "");
}

/* Remove nonpersistent overlays of dead dualvm processes in @dir (one
 * killed in the instant between creating and unlinking its overlay). */
static void np_clean_stale(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	while (dp && (de = readdir(dp))) {
		char p[PATH_MAX];
		int pid, fd;

		if (sscanf(de->d_name, "dualvm-np-%d-", &pid) != 1 || pid <= 0 ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlink(p);
		close(fd);
	}
	if (dp)
		closedir(dp);
}

/* Create (or reuse, for undoable) the overlay over @base. */
static int vm_overlay(const struct rd_vm_opts *o, enum rd_disk_mode mode,
		      bool blk, const char *bfmt, const char *src_real,
		      struct rd_disk *base,
		      char *path, size_t pathlen, struct rd_disk **out,
		      char *err, size_t errlen)
{
	struct rd_overlay_info info;
	char ext[sizeof(info.extents)];
	bool fresh = true;
	int e;

	if (mode == RD_MODE_UNDOABLE) {
		undo_path(o, blk, src_real, path, pathlen);
		if (access(path, F_OK) == 0) {
			memset(&info, 0, sizeof(info));
			rd_view_extents_str(base, ext, sizeof(ext));
			if (rd_overlay_sidecar_read(path, &info) ||
			    strcmp(info.source, src_real) ||
			    strcmp(info.partitions, o->partitions ? o->partitions : "") ||
			    (info.extents[0] && strcmp(info.extents, ext))) {
				snprintf(err, errlen, "%s: existing overlay %s belongs to another disk, partition set or partition table: discard it (or commit it if the table is unchanged)",
					 o->path, path);
				rd_close(base);
				return -EEXIST;
			}
			fresh = false;
			/* an interrupted commit restarts from 0 next time:
			 * this session may change clusters it already did */
			{
				char jp[PATH_MAX + 16];

				snprintf(jp, sizeof(jp), "%s.commit", path);
				unlink(jp);
			}
		}
	} else {
		const char *dir = o->overlay_dir ? o->overlay_dir :
				  getenv("TMPDIR") ? getenv("TMPDIR") : "/var/tmp";

		np_clean_stale(dir);
		snprintf(path, pathlen, "%s/dualvm-np-%d-%lx.qcow2", dir,
			 (int)getpid(), (unsigned long)time(NULL) ^
			 (unsigned long)(uintptr_t)base);
	}
	if (fresh && mode == RD_MODE_UNDOABLE && rd_is_view(base)) {
		/* backing = a descriptor of the view, so that even a plain
		 * `qemu-img commit` writes only the chosen partitions */
		char vpath[PATH_MAX + 16];

		snprintf(vpath, sizeof(vpath), "%s.view.vmdk", path);
		e = rd_vmdk_backing_create(src_real, o->partitions, vpath, err,
					   errlen);
		if (!e) {
			/* relative: QEMU resolves it beside the overlay */
			e = rd_qcow2_create_file(path, rd_size(base),
						 strrchr(vpath, '/') ?
						 strrchr(vpath, '/') + 1 : vpath,
						 "vmdk", 0, err, errlen);
			if (e)
				rd_vmdk_backing_remove(vpath);
		}
		if (e) {
			rd_close(base);
			return e;
		}
	} else if (fresh) {
		e = rd_qcow2_create_file(path, rd_size(base), src_real, bfmt, 0,
					 err, errlen);
		if (e) {
			rd_close(base);
			return e;
		}
	}
	if (fresh)
		chmod(path, 0600);	/* guest data: the source's owner only */
	e = rd_qcow2_open(path, RD_RDWR | RD_EXCL, base, out, err, errlen);
	if (mode == RD_MODE_NONPERSISTENT)
		unlink(path);		/* gone at exit, even on SIGKILL */
	if (e)
		return e;
	if (fresh && rd_is_view(base)) {
		e = rd_view_copy_private(base, *out);
		if (!e)
			e = rd_flush(*out);
		if (e) {
			snprintf(err, errlen, "%s", rd_strerror(*out));
			goto fail;
		}
	}
	if (fresh && mode == RD_MODE_UNDOABLE) {
		rd_view_extents_str(base, ext, sizeof(ext));
		e = rd_overlay_sidecar_write(path, src_real, o->partitions,
					     mode_name(mode), ext);
		if (e) {
			snprintf(err, errlen, "%s.dualvm: %s", path, strerror(-e));
			goto fail;
		}
	}
	return 0;
fail:
	rd_close(*out);
	*out = NULL;
	if (fresh) {
		char vpath[PATH_MAX + 16];

		snprintf(vpath, sizeof(vpath), "%s.view.vmdk", path);
		rd_vmdk_backing_remove(vpath);
		unlink(path);
	}
	return e;
}

int rd_vm_open(const struct rd_vm_opts *o, struct rd_disk **out, char *err,
	       size_t errlen)
{
	struct rd_disk *src = NULL, *top = NULL, *d, *locks[VM_MAX_LOCKS];
	struct rd_check *chk = NULL;
	unsigned int nlocks = 0, nseg = 0, i;
	struct rd_view_seg *seg = NULL;
	const char *bfmt;
	bool desc;
	int kind;
	struct rd_vmdisk *vm;
	char real[PATH_MAX], ovl[PATH_MAX] = "";
	enum rd_disk_mode mode;
	struct stat st;
	bool blk;
	int e;

	*out = NULL;
	if (stat(o->path, &st) < 0 || !realpath(o->path, real)) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return -errno;
	}
	blk = S_ISBLK(st.st_mode);
	desc = !blk && rd_is_vmdk_descriptor(real);
	kind = blk || desc ? SRC_RAW : src_kind(real);
	mode = rd_mode_resolve(o->mode, blk || desc || kind == SRC_IMAGE,
			       o->partitions != NULL);
	bfmt = desc ? "vmdk" : kind == SRC_QCOW2 ? "qcow2" :
	       kind == SRC_IMAGE ? "vmdk" : "raw";
	if (desc && (mode != RD_MODE_NONPERSISTENT || o->partitions)) {
		snprintf(err, errlen, "%s: a raw-disk descriptor runs only in nonpersistent mode and already selects its partitions; for undoable or persistent runs use the device with --partition",
			 o->path);
		return -ENOTSUP;
	}
	if ((kind == SRC_QCOW2 && mode == RD_MODE_UNDOABLE) ||
	    (kind == SRC_IMAGE && mode != RD_MODE_NONPERSISTENT)) {
		snprintf(err, errlen, "%s: --disk-mode %s needs a raw image or device (this is a %s image)",
			 o->path, mode_name(mode),
			 kind == SRC_QCOW2 ? "qcow2" : "VMDK/VHD/VHDX/VDI");
		return -ENOTSUP;
	}
	chk = malloc(sizeof(*chk));
	if (!chk)
		return -ENOMEM;
	if (desc) {
		e = rd_vm_desc_guard(real, mode, locks, &nlocks, VM_MAX_LOCKS,
				     chk, err, errlen);
		if (!e)
			e = rd_image_open(real, RD_RDONLY, &src, err, errlen);
	} else {
		/* a partition of a block device: lock the partition node, as
		 * the disk itself is busy while the host mounts its others */
		bool part_lock = blk && o->partitions;
		unsigned int fl = (mode == RD_MODE_PERSISTENT ? RD_RDWR :
				   RD_RDONLY) | (part_lock ? 0 : RD_EXCL);

		if (kind == SRC_QCOW2) {
			e = rd_qcow2_open(real, fl, NULL, &src, err, errlen);
		} else if (kind == SRC_IMAGE) {
			e = rd_file_open(real, RD_RDONLY | RD_EXCL, &locks[0],
					 err, errlen);	/* the lock */
			if (!e) {
				nlocks = 1;
				e = rd_image_open(real, RD_RDONLY, &src, err,
						  errlen);
			}
		} else {
			e = rd_file_open(real, fl, &src, err, errlen);
		}
		if (!e)
			e = rd_safety_check(o->path, src, o->partitions, mode,
					    false, chk, err, errlen);
		if (!e && part_lock && !chk->nrefuse)
			e = vm_lock_parts(o, src, locks, &nlocks, err, errlen);
	}
	if (!e)
		e = vm_judge(o, chk, err, errlen);
	free(chk);
	if (e)
		goto fail_src;
	top = src;
	if (o->partitions) {
		e = rd_view_open(src, true, o->partitions, &top, err, errlen);
		if (e)
			goto fail_src;
		nseg = rd_view_layout(top, NULL, 0);
		seg = calloc(nseg ? nseg : 1, sizeof(*seg));
		if (!seg) {
			src = top;
			e = -ENOMEM;
			goto fail_src;
		}
		rd_view_layout(top, seg, nseg);
	}
	if (mode != RD_MODE_PERSISTENT) {
		struct rd_disk *q;

		e = vm_overlay(o, mode, blk, bfmt, real, top, ovl, sizeof(ovl),
			       &q, err, errlen);
		if (e) {
			src = NULL;	/* @top was consumed */
			goto fail_src;
		}
		top = q;
	}
	vm = calloc(1, sizeof(*vm));
	d = vm ? rd_alloc(&rd_vm_ops, top, true) : NULL;
	if (!d) {
		free(vm);
		rd_close(top);
		snprintf(err, errlen, "out of memory");
		src = NULL;
		e = -ENOMEM;
		goto fail_src;
	}
	vm->mode = mode;
	vm->nlocks = nlocks;
	memcpy(vm->locks, locks, sizeof(locks[0]) * nlocks);
	vm->seg = seg;
	vm->nseg = nseg;
	seg = NULL;
	if (mode == RD_MODE_UNDOABLE)
		snprintf(vm->overlay, sizeof(vm->overlay), "%s", ovl);
	d->priv = vm;
	d->size = rd_size(top);
	d->flags = RD_RDWR;
	snprintf(d->desc, sizeof(d->desc), "%s", o->path);
	*out = d;
	return 0;
fail_src:
	free(seg);
	rd_close(src);
	for (i = 0; i < nlocks; i++)
		rd_close(locks[i]);
	return e;
}

/* Ask on the terminal what to do with an undoable overlay. */
static enum rd_exit_action vm_ask(const char *ovl)
{
	char line[32];

	if (!isatty(0) || !isatty(2))
		return RD_EXIT_KEEP;
	fprintf(stderr, "dualvm: the VM changed its disk (kept in %s).\n"
		"Commit the changes to the source, discard them, or keep the overlay? [c/d/K] ",
		ovl);
	if (!fgets(line, sizeof(line), stdin))
		return RD_EXIT_KEEP;
	return line[0] == 'c' || line[0] == 'C' ? RD_EXIT_COMMIT :
	       line[0] == 'd' || line[0] == 'D' ? RD_EXIT_DISCARD :
	       RD_EXIT_KEEP;
}

int rd_vm_close(struct rd_disk *d, enum rd_exit_action act, char *msg,
		size_t msglen)
{
	char ovl[PATH_MAX];
	enum rd_disk_mode mode;
	int err;

	if (msglen)
		msg[0] = 0;
	if (!d)
		return 0;
	err = rd_flush(d);
	if (err && msglen)
		snprintf(msg, msglen, "%s", rd_strerror(d));
	if (d->ops != &rd_vm_ops) {
		rd_close(d);
		return err;
	}
	mode = ((struct rd_vmdisk *)d->priv)->mode;
	snprintf(ovl, sizeof(ovl), "%s", ((struct rd_vmdisk *)d->priv)->overlay);
	rd_close(d);		/* releases the locks before commit */
	if (mode != RD_MODE_UNDOABLE || err)
		return err;
	if (act == RD_EXIT_ASK)
		act = vm_ask(ovl);
	if (act == RD_EXIT_COMMIT)
		return rd_overlay_commit(ovl, NULL, msg, msglen);
	if (act == RD_EXIT_DISCARD)
		return rd_overlay_discard(ovl, msg, msglen);
	snprintf(msg, msglen, "changes kept in %s: 'dualvm disk commit %s' or 'dualvm disk discard %s'",
		 ovl, ovl, ovl);
	return 0;
}
