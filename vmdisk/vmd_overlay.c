// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmd_overlay.c --- undoable overlays: the sidecar that records where an
 * overlay belongs, and `commit` / `discard` / `info`
 *
 * An overlay OVL (qcow2, backing = the raw source) has a sidecar
 * OVL.dualvm ("source=PATH", "partitions=LIST") so commit knows which
 * sectors of the source it may write: only the chosen partitions, never
 * the synthesized boot area kept in the overlay.  Commit is resumable and
 * idempotent: it copies allocated clusters in address order, and every
 * RD_COMMIT_STEP bytes flushes the source and then records the offset
 * reached in OVL.commit; a rerun starts there (copying a cluster twice is
 * harmless).  The overlay is deleted only after the final flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdisk/vmd_priv.h"

#define RD_COMMIT_STEP	(64ull << 20)	/* journal granularity, bytes */
#define RD_COMMIT_BUF	(1u << 20)	/* copy buffer */

/* Bounded string copy that always terminates. */
static void scopy(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = 0;
}

FILE *vmd_fopen_regular(const char *path)
{
	struct stat st;
	FILE *f;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

static void side_path(const char *ovl, const char *ext, char *out, size_t n)
{
	snprintf(out, n, "%s%s", ovl, ext);
}

int vmd_desc_scan_file(const char *path, char *type, size_t typelen,
		       struct rd_vmdk_flat *ext, unsigned int max,
		       uint64_t *total)
{
	char *text = calloc(1, 65537);
	size_t len = 0;
	FILE *f;
	int n;

	if (!text)
		return -ENOMEM;
	f = vmd_fopen_regular(path);
	if (f) {
		len = fread(text, 1, 65536, f);
		fclose(f);
	}
	n = rd_vmdk_desc_scan(text, len, type, typelen, ext, max, total);
	free(text);
	return n;
}

/* Delete overlay @ovl with its sidecar, journal and backing descriptor. */
static void remove_all(const char *ovl)
{
	char p[PATH_MAX + 16];

	unlink(ovl);
	side_path(ovl, ".dualvm", p, sizeof(p));
	unlink(p);
	side_path(ovl, ".commit", p, sizeof(p));
	unlink(p);
	side_path(ovl, ".view.vmdk", p, sizeof(p));
	vmd_backing_remove(p);
}

int vmd_sidecar_write(const char *ovl, const char *source,
		      const char *partitions, const char *mode,
		      const char *extents)
{
	char p[PATH_MAX + 16], tmp[PATH_MAX + 24];
	FILE *f;
	int e = 0;

	side_path(ovl, ".dualvm", p, sizeof(p));
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "dualvm-overlay 1\nsource=%s\npartitions=%s\nmode=%s\nextents=%s\n",
		source, partitions ? partitions : "", mode,
		extents ? extents : "");
	if (fflush(f) || fsync(fileno(f)))
		e = -errno;
	if (fclose(f) && !e)
		e = -errno;
	if (!e && rename(tmp, p))
		e = -errno;
	return e;
}

int vmd_sidecar_read(const char *ovl, struct vmd_overlay_info *info)
{
	char p[PATH_MAX + 16], line[PATH_MAX + 32];
	FILE *f;

	side_path(ovl, ".dualvm", p, sizeof(p));
	f = vmd_fopen_regular(p);
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "source=", 7))
			scopy(info->source, sizeof(info->source), line + 7);
		else if (!strncmp(line, "partitions=", 11))
			scopy(info->partitions, sizeof(info->partitions),
			      line + 11);
		else if (!strncmp(line, "mode=", 5))
			scopy(info->mode, sizeof(info->mode), line + 5);
		else if (!strncmp(line, "extents=", 8))
			scopy(info->extents, sizeof(info->extents), line + 8);
	}
	fclose(f);
	return info->source[0] ? 0 : -EINVAL;
}

int vmd_overlay_info(const char *ovl, struct vmd_overlay_info *info,
		     char *err, size_t errlen)
{
	struct rd_disk *file, *q, *zero;
	uint64_t off = 0, run;
	int e;

	memset(info, 0, sizeof(*info));
	e = rd_file_open(ovl, RD_RDONLY, &file, err, errlen);
	if (e)
		return e;
	/* never touch the source here: unallocated reads are not needed */
	e = rd_mem_open(NULL, 0, RD_RDONLY, &zero);
	if (e) {
		rd_close(file);
		return e;
	}
	e = rd_qcow2_open_disk(file, RD_RDONLY, zero, true, &q, err, errlen);
	if (e)
		return e;
	info->size = rd_size(q);
	info->cluster_size = rd_qcow2_cluster_size(q);
	snprintf(info->backing, sizeof(info->backing), "%s",
		 rd_qcow2_backing_name(q));
	while (off < info->size) {
		int st = rd_qcow2_own_status(q, off, info->size - off, &run);

		if (st < 0) {
			snprintf(err, errlen, "%s", rd_strerror(q));
			rd_close(q);
			return st;
		}
		if (st != RD_BLK_UNALLOC)
			info->allocated += run;
		off += run;
	}
	rd_close(q);
	if (vmd_sidecar_read(ovl, info))
		snprintf(info->source, sizeof(info->source), "%s", info->backing);
	return 0;
}

static uint64_t journal_read(const char *ovl)
{
	char p[PATH_MAX + 16];
	unsigned long long v = 0;
	FILE *f;

	side_path(ovl, ".commit", p, sizeof(p));
	f = vmd_fopen_regular(p);
	if (!f)
		return 0;
	if (fscanf(f, "commit-done-to %llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static int journal_write(const char *ovl, uint64_t done)
{
	char p[PATH_MAX + 16];
	FILE *f;
	int e = 0;

	side_path(ovl, ".commit", p, sizeof(p));
	f = fopen(p, "w");
	if (!f)
		return -errno;
	fprintf(f, "commit-done-to %llu\n", (unsigned long long)done);
	if (fflush(f) || fsync(fileno(f)))
		e = -errno;
	if (fclose(f) && !e)
		e = -errno;
	return e;
}

/* Copy [off, off+len) of @q to @src, clipped to the chosen extents. */
static int copy_clipped(struct rd_disk *q, struct rd_disk *src, uint8_t *buf,
			uint64_t off, uint64_t len, const struct rd_extent *ext,
			unsigned int next)
{
	unsigned int i;
	int e;

	e = rd_pread(q, buf, len, off);
	if (e)
		return e;
	for (i = 0; i < next; i++) {
		uint64_t s = off > ext[i].start ? off : ext[i].start;
		uint64_t t = off + len < ext[i].start + ext[i].size ?
			     off + len : ext[i].start + ext[i].size;

		if (s >= t)
			continue;
		e = rd_pwrite(src, buf + (s - off), t - s, s);
		if (e)
			return e;
	}
	return 0;
}

/* The extents commit may write: chosen partitions, or the whole disk. */
static int commit_extents(struct rd_disk *src, const char *parts,
			  const char *recorded, struct rd_extent *ext,
			  unsigned int *n, char *err, size_t errlen)
{
	char now[sizeof(((struct vmd_overlay_info *)0)->extents)];
	struct rd_disk *v;
	int e;

	if (!parts || !parts[0]) {
		ext[0].start = 0;
		ext[0].size = rd_size(src);
		*n = 1;
		return 0;
	}
	e = rd_view_open(src, false, parts, &v, err, errlen);
	if (e)
		return e;
	*n = rd_view_extents(v, ext, RD_MAX_PARTS);
	rd_view_extents_str(v, now, sizeof(now));
	rd_close(v);
	if (recorded[0] && strcmp(recorded, now)) {
		snprintf(err, errlen, "commit refused: the partition table of the source changed since the overlay was made (partitions %s were at %s, now %s)",
			 parts, recorded, now);
		return -ESTALE;
	}
	return 0;
}

static int commit_copy(const char *ovl, struct rd_disk *q, struct rd_disk *src,
		       const struct rd_extent *ext, unsigned int next,
		       char *err, size_t errlen)
{
	uint64_t off = journal_read(ovl), size = rd_size(q), mark, run;
	uint8_t *buf = malloc(RD_COMMIT_BUF);
	int e = 0, st;

	if (!buf)
		return -ENOMEM;
	off -= off % rd_qcow2_cluster_size(q);
	mark = off + RD_COMMIT_STEP;
	while (off < size && !e) {
		st = rd_qcow2_own_status(q, off, size - off, &run);
		if (st < 0) {
			e = st;
			snprintf(err, errlen, "%s", rd_strerror(q));
			break;
		}
		while (st != RD_BLK_UNALLOC && run && !e) {
			uint64_t n = run < RD_COMMIT_BUF ? run : RD_COMMIT_BUF;

			e = copy_clipped(q, src, buf, off, n, ext, next);
			if (e)
				snprintf(err, errlen, "%s", rd_strerror(src)[0] ?
					 rd_strerror(src) : rd_strerror(q));
			off += n;
			run -= n;
		}
		off += run;
		if (!e && (off >= mark || off >= size)) {
			e = rd_flush(src);
			if (!e)
				e = journal_write(ovl, off);
			if (e && !err[0])
				snprintf(err, errlen, "commit journal: %s",
					 strerror(-e));
			mark = off + RD_COMMIT_STEP;
		}
	}
	free(buf);
	return e;
}

/*
 * Hold overlay @ovl (opened exclusively into *@file, so no VM runs on it)
 * and read its sidecar into @info.  Without a sidecar it is not dualvm's:
 * "<ovl>: no <ovl>.dualvm sidecar: not a dualvm overlay<@refusal>" and
 * -EINVAL.  0 or -errno with the reason in @msg.
 */
static int overlay_claim(const char *ovl, struct rd_disk **file,
			 struct vmd_overlay_info *info, const char *refusal,
			 char *msg, size_t msglen)
{
	int e;

	memset(info, 0, sizeof(*info));
	e = rd_file_open(ovl, RD_RDONLY | RD_EXCL, file, msg, msglen);
	if (e)
		return e;
	if (!vmd_sidecar_read(ovl, info))
		return 0;
	rd_close(*file);
	*file = NULL;
	snprintf(msg, msglen, "%s: no %s.dualvm sidecar: not a dualvm overlay%s",
		 ovl, ovl, refusal);
	return -EINVAL;
}

/* Resolve @name as the overlay @ovl's header would (relative to the
 * overlay's folder) into @real (PATH_MAX bytes).  0 or -errno. */
static int resolve_beside(const char *ovl, const char *name, char *real)
{
	char p[PATH_MAX * 2];
	const char *slash = strrchr(ovl, '/');

	if (name[0] == '/' || !slash)
		snprintf(p, sizeof(p), "%s", name);
	else
		snprintf(p, sizeof(p), "%.*s/%s", (int)(slash - ovl), ovl, name);
	return realpath(p, real) ? 0 : -errno;
}

static bool under_proc_sys(const char *real)
{
	return !strncmp(real, "/proc/", 6) || !strcmp(real, "/proc") ||
	       !strncmp(real, "/sys/", 5) || !strcmp(real, "/sys");
}

/* Does the view descriptor @view (the overlay's backing) expose only
 * @src (besides its own -ptK/-zeroK pieces)?  0, or -EPERM with why. */
static int view_names_only(const char *ovl, const char *view,
			   const char *src_real, char *msg, size_t msglen)
{
	struct rd_vmdk_flat *ext = calloc(RD_MAX_PARTS * 2 + 16, sizeof(*ext));
	char type[64], real[PATH_MAX];
	const char *vbase = strrchr(view, '/') ? strrchr(view, '/') + 1 : view;
	uint64_t total;
	int n, i, e = 0;

	n = ext ? vmd_desc_scan_file(view, type, sizeof(type), ext,
				     RD_MAX_PARTS * 2 + 16, &total) : -ENOMEM;
	if (n == -ENOMEM) {
		e = -ENOMEM;
		goto out;
	}
	if (n <= 0 || n > RD_MAX_PARTS * 2 + 16) {
		snprintf(msg, msglen, "commit refused: %s: its backing %s is not a readable view descriptor",
			 ovl, view);
		e = -EPERM;
		goto out;
	}
	for (i = 0; i < n && !e; i++) {
		const char *x = ext[i].file;
		size_t bl = strlen(vbase) - 5;

		/* its own pieces: "<view stem>-ptK.img" / "-zeroK.img" */
		if (!strchr(x, '/') && !strncmp(x, vbase, bl) &&
		    (!strncmp(x + bl, "-pt", 3) || !strncmp(x + bl, "-zero", 5)))
			continue;
		if (resolve_beside(view, x, real) || strcmp(real, src_real)) {
			snprintf(msg, msglen, "commit refused: %s: its backing %s exposes %s, but %s.dualvm says the source is %s",
				 ovl, view, x, ovl, src_real);
			e = -EPERM;
		}
	}
out:
	free(ext);
	return e;
}

/*
 * Commit writes only where the overlay itself points: its qcow2 backing
 * reference must resolve to the side file's source (or, for a partition
 * overlay, to OVL.view.vmdk exposing only that source).  0, or -EPERM
 * with a one-line refusal in @msg.
 */
static int backing_agrees(const char *ovl, const struct vmd_overlay_info *side,
			  char *msg, size_t msglen)
{
	struct vmd_overlay_info qi;
	char src_real[PATH_MAX], b_real[PATH_MAX], view[PATH_MAX + 16];
	char view_real[PATH_MAX];
	int e;

	e = vmd_overlay_info(ovl, &qi, msg, msglen);
	if (e)
		return e;
	if (!qi.backing[0]) {
		snprintf(msg, msglen, "commit refused: %s has no backing file", ovl);
		return -EPERM;
	}
	if (!realpath(side->source, src_real)) {
		snprintf(msg, msglen, "commit refused: %s.dualvm names %s: %s", ovl,
			 side->source, strerror(errno));
		return -ENOENT;
	}
	if (under_proc_sys(src_real)) {
		snprintf(msg, msglen, "commit refused: %s.dualvm names %s under /proc or /sys",
			 ovl, src_real);
		return -EPERM;
	}
	if (resolve_beside(ovl, qi.backing, b_real)) {
		snprintf(msg, msglen, "commit refused: %s: its backing file %s: %s",
			 ovl, qi.backing, strerror(errno));
		return -ENOENT;
	}
	snprintf(view, sizeof(view), "%s.view.vmdk", ovl);
	if (side->partitions[0] && realpath(view, view_real) &&
	    !strcmp(b_real, view_real))
		return view_names_only(ovl, view, src_real, msg, msglen);
	if (strcmp(b_real, src_real)) {
		snprintf(msg, msglen, "commit refused: %s points at %s but %s.dualvm says %s",
			 ovl, b_real, ovl, src_real);
		return -EPERM;
	}
	return 0;
}

int vmd_overlay_commit(const char *ovl, const struct vmd_commit_opts *co,
		       char *msg, size_t msglen)
{
	struct vmd_overlay_info info;
	struct rd_extent *ext = calloc(RD_MAX_PARTS, sizeof(*ext));
	struct rd_disk *src = NULL, *file, *q, *top;
	struct vmd_check *chk = malloc(sizeof(*chk));
	unsigned int next = 0, i;
	int e = -ENOMEM;

	msg[0] = 0;
	if (!ext || !chk)
		goto out;
	e = overlay_claim(ovl, &file, &info,
			  " (use qemu-img commit for plain images)", msg,
			  msglen);
	if (e)
		goto out;
	e = backing_agrees(ovl, &info, msg, msglen);
	if (e) {
		rd_close(file);
		goto out;
	}
	if (vmd_is_descriptor(info.source)) {
		rd_close(file);
		snprintf(msg, msglen, "%s: its source %s is a VMDK descriptor: commit is not supported",
			 ovl, info.source);
		e = -ENOTSUP;
		goto out;
	}
	e = rd_file_open(info.source, RD_RDWR | RD_EXCL, &src, msg, msglen);
	if (!e)
		e = vmd_safety_check(info.source, src,
				     info.partitions[0] ? info.partitions : NULL,
				     VMD_MODE_NONPERSISTENT, false, chk, msg,
				     msglen);
	for (i = 0; !e && i < chk->n; i++)
		if (vmd_hazard_host_busy(chk->hz[i].kind)) {
			char why[VMD_HAZARD_MSG];

			vmd_hazard_message(&chk->hz[i], why, sizeof(why));
			snprintf(msg, msglen, "commit refused: %s", why);
			e = -EBUSY;
		}
	if (!e)
		e = commit_extents(src, info.partitions, info.extents, ext,
				   &next, msg, msglen);
	if (e) {
		rd_close(file);
		goto out;
	}
	top = src;
	if (co && (co->fail_write_nth || co->fail_flush_nth)) {
		struct rd_fault_cfg fc = {
			.fail_write_nth = co->fail_write_nth,
			.fail_flush_nth = co->fail_flush_nth,
		};

		e = rd_fault_open(src, false, &fc, &top);
		if (e) {
			rd_close(file);
			goto out;
		}
	}
	e = rd_qcow2_open_disk(file, RD_RDONLY, top, top != src, &q, msg, msglen);
	if (e)
		goto out;
	e = commit_copy(ovl, q, top, ext, next, msg, msglen);
	rd_close(q);
	if (e)
		goto out;
	remove_all(ovl);
	snprintf(msg, msglen, "committed %s into %s%s%s", ovl, info.source,
		 info.partitions[0] ? " partitions " : "", info.partitions);
out:
	rd_close(src);
	free(ext);
	free(chk);
	return e;
}

int vmd_overlay_discard(const char *ovl, char *msg, size_t msglen)
{
	struct vmd_overlay_info info;
	struct rd_disk *file;
	int e;

	e = overlay_claim(ovl, &file, &info, ", not deleting it", msg, msglen);
	if (e)
		return e;
	remove_all(ovl);
	rd_close(file);
	snprintf(msg, msglen, "discarded %s (%s unchanged)", ovl, info.source);
	return 0;
}
