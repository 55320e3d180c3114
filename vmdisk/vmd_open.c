// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmd_open.c --- open the disks of a VM with the mode and safety rules
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
 * partitions, and are reused by the next run.  What happens to an
 * undoable overlay at power-off is the caller's choice (vmd_close()); the
 * caller also says where temporary overlays go (vmd_opts.tmp_dir).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>

#include "vmdisk/vmd_priv.h"

#define VM_MAX_LOCKS	VMD_DESC_MAX_LOCKS

struct vmdisk {
	enum vmd_mode		mode;		/* resolved */
	char			overlay[PATH_MAX];	/* undoable: its path */
	unsigned int		nlocks;		/* devices held (descriptors) */
	struct rd_disk		*locks[VM_MAX_LOCKS];	/* exclusive opens */
	unsigned int		nseg;		/* partition view: writable */
	struct rd_view_seg	*seg;		/* segments, or NULL: all */
};

/* Partition views: a write outside the chosen partitions and the private
 * table areas is refused even though the overlay could hold it. */
static bool vm_write_allowed(const struct vmdisk *vm, uint64_t off,
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

static int vm_pwrite(struct rd_disk *d, const void *buf, size_t len,
		     uint64_t off)
{
	if (!vm_write_allowed(d->priv, off, len))
		return rd_set_error(d, -EACCES,
				    "%s: write at %llu outside the chosen partitions refused",
				    d->desc, (unsigned long long)off);
	return rd_pass_pwrite(d, buf, len, off);
}

static void vm_free(struct rd_disk *d)
{
	struct vmdisk *vm = d->priv;
	unsigned int i;

	for (i = 0; vm && i < vm->nlocks; i++)
		rd_close(vm->locks[i]);
	if (vm)
		free(vm->seg);
	free(vm);
}

static const struct rd_ops vmdisk_ops = {
	.name		= "vm",
	.pread		= rd_pass_pread,
	.pwrite		= vm_pwrite,
	.flush		= rd_pass_flush,
	.close		= vm_free,
	.block_status	= rd_pass_block_status,
};

enum vmd_mode vmd_mode_resolve(enum vmd_mode m, bool blockdev,
			       bool partitions)
{
	if (m != VMD_MODE_DEFAULT)
		return m;
	return blockdev || partitions ? VMD_MODE_NONPERSISTENT :
	       VMD_MODE_PERSISTENT;
}

const char *vmd_mode_name(enum vmd_mode m)
{
	switch (m) {
	case VMD_MODE_DEFAULT:		return "default";
	case VMD_MODE_PERSISTENT:	return "persistent";
	case VMD_MODE_NONPERSISTENT:	return "nonpersistent";
	case VMD_MODE_UNDOABLE:		return "undoable";
	}
	return "unknown";
}

/* The first refusal among the findings as one line in @err: -EBUSY when
 * the host uses the disk, -EPERM for its content; 0 if none. */
static int vm_judge(const struct vmd_opts *o, const struct vmd_check *c,
		    char *err, size_t errlen)
{
	char msg[VMD_HAZARD_MSG];
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		const struct vmd_hazard *h = &c->hz[i];

		if (!h->refuse)
			continue;
		vmd_hazard_message(h, msg, sizeof(msg));
		snprintf(err, errlen, "%s: refused: %s%s", o->path, msg,
			 c->nrefuse > 1 ? " (more: dualvm disk check)" : "");
		return vmd_hazard_host_busy(h->kind) ? -EBUSY : -EPERM;
	}
	return 0;
}

enum src_kind {
	SRC_RAW,	/* raw image, block device (or a fixed VHD) */
	SRC_QCOW2,	/* qcow2 image (rd_qcow2_open) */
	SRC_IMAGE,	/* read-only formats (rd_image_open) */
	SRC_DESC,	/* raw-disk VMDK descriptor */
};

/* What kind of image file @path is, by its magic numbers. */
static enum src_kind src_kind(const char *path)
{
	const char *fmt = rd_image_probe(path);

	if (!strcmp(fmt, "qcow2"))
		return SRC_QCOW2;
	if (!strcmp(fmt, "vmdk-descriptor"))
		return SRC_DESC;
	if (!strcmp(fmt, "raw") || !strcmp(fmt, "vhd-fixed"))
		return SRC_RAW;
	return SRC_IMAGE;
}

/* Open every chosen partition's /dev node with O_EXCL for the VM's life. */
static int vm_lock_parts(const struct vmd_opts *o, struct rd_disk *src,
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
		if (vmd_blk_part_node(o->path, p->start, node, sizeof(node))) {
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
static void undo_path(const struct vmd_opts *o, bool blk,
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
static int vm_overlay(const struct vmd_opts *o, enum vmd_mode mode,
		      bool blk, const char *bfmt, const char *src_real,
		      struct rd_disk *base,
		      char *path, size_t pathlen, struct rd_disk **out,
		      char *err, size_t errlen)
{
	struct vmd_overlay_info info;
	char ext[sizeof(info.extents)];
	bool fresh = true;
	int e;

	assert(mode == VMD_MODE_UNDOABLE || mode == VMD_MODE_NONPERSISTENT);
	if (mode == VMD_MODE_UNDOABLE) {
		undo_path(o, blk, src_real, path, pathlen);
		if (access(path, F_OK) == 0) {
			memset(&info, 0, sizeof(info));
			rd_view_extents_str(base, ext, sizeof(ext));
			if (vmd_sidecar_read(path, &info) ||
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
				  o->tmp_dir ? o->tmp_dir : "/var/tmp";

		np_clean_stale(dir);
		snprintf(path, pathlen, "%s/dualvm-np-%d-%lx.qcow2", dir,
			 (int)getpid(), (unsigned long)time(NULL) ^
			 (unsigned long)(uintptr_t)base);
	}
	if (fresh && mode == VMD_MODE_UNDOABLE && rd_is_view(base)) {
		/* backing = a read-only descriptor of the view (dualvm reads
		 * it; QEMU refuses it, so no plain `qemu-img commit` can write
		 * into the source without dualvm's checks) */
		char vpath[PATH_MAX + 16];

		snprintf(vpath, sizeof(vpath), "%s.view.vmdk", path);
		e = vmd_backing_create(src_real, o->partitions, vpath, err,
				       errlen);
		if (!e) {
			/* relative: QEMU resolves it beside the overlay */
			e = rd_qcow2_create_file(path, rd_size(base),
						 strrchr(vpath, '/') ?
						 strrchr(vpath, '/') + 1 : vpath,
						 "vmdk", 0, err, errlen);
			if (e)
				vmd_backing_remove(vpath);
		}
		if (e) {
			rd_close(base);
			return e;
		}
	} else if (fresh) {
		/* an undoable overlay beside its image names it relatively
		 * (the path policy follows it; QEMU resolves it the same) */
		const char *bname = src_real;

		if (mode == VMD_MODE_UNDOABLE && !o->overlay_dir && !blk &&
		    strrchr(src_real, '/'))
			bname = strrchr(src_real, '/') + 1;
		e = rd_qcow2_create_file(path, rd_size(base), bname, bfmt, 0,
					 err, errlen);
		if (e) {
			rd_close(base);
			return e;
		}
	}
	if (fresh)
		chmod(path, 0600);	/* guest data: the source's owner only */
	e = rd_qcow2_open(path, RD_RDWR | RD_EXCL, base, out, err, errlen);
	if (mode == VMD_MODE_NONPERSISTENT)
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
	if (fresh && mode == VMD_MODE_UNDOABLE) {
		rd_view_extents_str(base, ext, sizeof(ext));
		e = vmd_sidecar_write(path, src_real, o->partitions,
				      vmd_mode_name(mode), ext);
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
		vmd_backing_remove(vpath);
		unlink(path);
	}
	return e;
}

/* The source of a VM disk: what it is and what holds it open. */
struct vm_src {
	enum src_kind	kind;		/* by its magic numbers */
	enum vmd_mode	mode;		/* resolved */
	bool		blk;		/* a block device */
	char		real[PATH_MAX];	/* canonical path */
	struct rd_disk	*disk;		/* the source, or NULL */
	unsigned int	nlocks;		/* entries in locks[] */
	struct rd_disk	*locks[VM_MAX_LOCKS];	/* exclusive opens held */
	unsigned int	nseg;		/* entries in seg[] */
	struct rd_view_seg *seg;	/* partition view's layout, or NULL */
};

static void vm_src_release(struct vm_src *s)
{
	free(s->seg);
	s->seg = NULL;
	rd_close(s->disk);
	s->disk = NULL;
	while (s->nlocks)
		rd_close(s->locks[--s->nlocks]);
}

/* What @o->path is, its resolved mode, and whether the mode fits it. */
static int vm_src_probe(const struct vmd_opts *o, struct vm_src *s,
			char *err, size_t errlen)
{
	struct stat st;

	if (stat(o->path, &st) < 0 || !realpath(o->path, s->real)) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return -errno;
	}
	s->blk = S_ISBLK(st.st_mode);
	if (!s->blk) {
		enum rd_vmdef def;
		const char *what = rd_image_not_disk(s->real, &def);

		if (what && def) {
			snprintf(err, errlen, "%s is %s, not a disk: running OVF, OVA and libvirt VM definitions is not supported yet (dualvm's own and .vmx ones are; or give the disk image it names)",
				 o->path, what);
			return -ENOTSUP;
		}
		if (what) {
			snprintf(err, errlen, "%s is %s, not a disk image: refused",
				 o->path, what);
			return -EINVAL;
		}
	}
	s->kind = s->blk ? SRC_RAW : src_kind(s->real);
	s->mode = vmd_mode_resolve(o->mode, s->blk || s->kind == SRC_DESC ||
				   s->kind == SRC_IMAGE,
				   o->partitions != NULL);
	if (s->kind == SRC_DESC &&
	    (s->mode != VMD_MODE_NONPERSISTENT || o->partitions)) {
		snprintf(err, errlen, "%s: a raw-disk descriptor runs only in nonpersistent mode and already selects its partitions; for undoable or persistent runs use the device with --partition",
			 o->path);
		return -ENOTSUP;
	}
	if ((s->kind == SRC_QCOW2 && s->mode == VMD_MODE_UNDOABLE) ||
	    (s->kind == SRC_IMAGE && s->mode != VMD_MODE_NONPERSISTENT)) {
		snprintf(err, errlen, "%s: --disk-mode %s needs a raw image or device (this is a %s image)",
			 o->path, vmd_mode_name(s->mode),
			 s->kind == SRC_QCOW2 ? "qcow2" : "VMDK/VHD/VHDX/VDI");
		return -ENOTSUP;
	}
	return 0;
}

/* Open the source with its locks and run the safety checks into @chk. */
static int vm_src_open(const struct vmd_opts *o, struct vm_src *s,
		       struct vmd_check *chk, char *err, size_t errlen)
{
	/* a partition of a block device: lock the partition node, as the
	 * disk itself is busy while the host mounts its others */
	bool part_lock = s->blk && o->partitions;
	unsigned int fl = (s->mode == VMD_MODE_PERSISTENT ? RD_RDWR :
			   RD_RDONLY) | (part_lock ? 0 : RD_EXCL);
	int e;

	switch (s->kind) {
	case SRC_DESC:
		e = vmd_desc_guard(s->real, s->mode, s->locks, &s->nlocks,
				   VM_MAX_LOCKS, chk, err, errlen);
		if (!e)
			e = rd_image_open(s->real, RD_RDONLY, &s->disk, err,
					  errlen);
		return e;
	case SRC_QCOW2:
		e = rd_qcow2_open(s->real, fl, NULL, &s->disk, err, errlen);
		break;
	case SRC_IMAGE:
		e = rd_file_open(s->real, RD_RDONLY | RD_EXCL, &s->locks[0],
				 err, errlen);		/* the lock */
		if (e)
			return e;
		s->nlocks = 1;
		e = rd_image_open(s->real, RD_RDONLY, &s->disk, err, errlen);
		break;
	case SRC_RAW:
	default:
		e = rd_file_open(s->real, fl, &s->disk, err, errlen);
		break;
	}
	if (!e)
		e = vmd_safety_check(o->path, s->disk, o->partitions, s->mode,
				     false, chk, err, errlen);
	if (!e && part_lock && !chk->nrefuse)
		e = vm_lock_parts(o, s->disk, s->locks, &s->nlocks, err,
				  errlen);
	return e;
}

/* The backing format recorded in an overlay over @kind. */
static const char *backing_format(enum src_kind kind)
{
	return kind == SRC_QCOW2 ? "qcow2" :
	       kind == SRC_DESC || kind == SRC_IMAGE ? "vmdk" : "raw";
}

/* Wrap @top (which it consumes) in the VM disk that guards the view's
 * segments, holds @s's locks and remembers the overlay. */
static int vm_wrap(const struct vmd_opts *o, struct vm_src *s,
		   struct rd_disk *top, const char *ovl, struct rd_disk **out)
{
	struct rd_disk *d = rd_alloc_priv(&vmdisk_ops, top, true,
					  sizeof(struct vmdisk));
	struct vmdisk *vm;

	if (!d) {
		rd_close(top);
		return -ENOMEM;
	}
	vm = d->priv;
	vm->seg = s->seg;
	vm->nseg = s->nseg;
	s->seg = NULL;
	vm->mode = s->mode;
	assert(s->nlocks <= VM_MAX_LOCKS);
	vm->nlocks = s->nlocks;
	memcpy(vm->locks, s->locks, sizeof(s->locks[0]) * s->nlocks);
	s->nlocks = 0;
	if (s->mode == VMD_MODE_UNDOABLE)
		snprintf(vm->overlay, sizeof(vm->overlay), "%s", ovl);
	return rd_finish(d, NULL, rd_size(top), RD_RDWR, o->path, out);
}

int vmd_open(const struct vmd_opts *o, struct rd_disk **out,
	     struct vmd_check *chk, char *err, size_t errlen)
{
	struct vm_src *s = calloc(1, sizeof(*s));
	struct vmd_check *c = chk ? chk : malloc(sizeof(*c));
	struct rd_disk *top;
	char ovl[PATH_MAX] = "";
	int e = -ENOMEM;

	*out = NULL;
	if (!s || !c)
		goto out_free;
	memset(c, 0, sizeof(*c));
	e = vm_src_probe(o, s, err, errlen);
	if (!e)
		e = vm_src_open(o, s, c, err, errlen);
	if (!e)
		e = vm_judge(o, c, err, errlen);
	if (e)
		goto out_release;
	top = s->disk;
	if (o->partitions) {
		e = rd_view_open(s->disk, true, o->partitions, &top, err,
				 errlen);
		if (e)
			goto out_release;
		s->disk = top;
		s->nseg = rd_view_layout(top, NULL, 0);
		s->seg = calloc(s->nseg ? s->nseg : 1, sizeof(*s->seg));
		if (!s->seg) {
			e = -ENOMEM;
			goto out_release;
		}
		rd_view_layout(top, s->seg, s->nseg);
	}
	s->disk = NULL;		/* owned by @top from here */
	if (s->mode != VMD_MODE_PERSISTENT) {
		e = vm_overlay(o, s->mode, s->blk, backing_format(s->kind),
			       s->real, top, ovl, sizeof(ovl), &top, err,
			       errlen);
		if (e)
			goto out_release;	/* @top was consumed */
	}
	e = vm_wrap(o, s, top, ovl, out);
	if (e)
		snprintf(err, errlen, "out of memory");
out_release:
	vm_src_release(s);
out_free:
	if (c != chk)
		free(c);
	free(s);
	return e;
}

const char *vmd_undo_overlay(const struct rd_disk *d)
{
	const struct vmdisk *vm;

	if (!d || d->ops != &vmdisk_ops)
		return NULL;
	vm = d->priv;
	return vm->mode == VMD_MODE_UNDOABLE ? vm->overlay : NULL;
}

int vmd_close(struct rd_disk *d, enum vmd_exit act, char *msg,
	      size_t msglen)
{
	char ovl[PATH_MAX] = "";
	int err;

	if (msglen)
		msg[0] = 0;
	if (!d)
		return 0;
	err = rd_flush(d);
	if (err && msglen)
		snprintf(msg, msglen, "%s", rd_strerror(d));
	if (vmd_undo_overlay(d))
		snprintf(ovl, sizeof(ovl), "%s", vmd_undo_overlay(d));
	rd_close(d);		/* releases the locks before commit */
	if (!ovl[0] || err)
		return err;
	switch (act) {
	case VMD_EXIT_COMMIT:
		return vmd_overlay_commit(ovl, NULL, msg, msglen);
	case VMD_EXIT_DISCARD:
		return vmd_overlay_discard(ovl, msg, msglen);
	case VMD_EXIT_KEEP:
		break;
	}
	snprintf(msg, msglen, "changes kept in %s: 'dualvm disk commit %s' or 'dualvm disk discard %s'",
		 ovl, ovl, ovl);
	return 0;
}
