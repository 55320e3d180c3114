// SPDX-License-Identifier: GPL-2.0-only
/*
 * rd_path.c --- the one policy for paths found inside images
 *
 * qcow2 backing files and VMDK extents are names written by whoever made
 * the image.  Every reader follows them only through rd_path_follow(),
 * which applies the rules documented in rawdisk.h ("Paths found inside
 * images"): resolved against the image's own folder, inside it unless the
 * user consented (--allow-path), regular files only (block devices only
 * for raw-disk descriptors), never /proc or /sys, no cycles, bounded
 * depth and count; opened O_NONBLOCK | O_NOFOLLOW and checked by fstat().
 * Compare QEMU, which resolves relative backing names against the image
 * and follows absolute ones anywhere, and VirtualBox, which follows
 * absolute extent names: this is stricter than both.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rawdisk/rd_priv.h"

#define ALLOW_MAX	32

/*
 * The consent list (--allow-path): set by the front end before any image
 * is opened, then only read.  The one piece of process state in rawdisk:
 * the consent belongs to the user's command, not to any one disk, and
 * the readers that need it sit several layers below the command.
 */
static char *allowed[ALLOW_MAX];
static unsigned int nallowed;

int rd_path_allow(const char *path)
{
	char real[PATH_MAX];

	if (nallowed == ALLOW_MAX)
		return -E2BIG;
	if (!realpath(path, real))
		return -errno;
	allowed[nallowed] = strdup(real);
	if (!allowed[nallowed])
		return -ENOMEM;
	nallowed++;
	return 0;
}

/* Is @real (resolved) equal to @dir or below it? */
static bool path_under(const char *real, const char *dir)
{
	size_t l = strlen(dir);

	if (l == 1 && dir[0] == '/')
		return true;
	return !strncmp(real, dir, l) && (real[l] == '/' || !real[l]);
}

static bool consented(const char *real)
{
	for (unsigned int i = 0; i < nallowed; i++)
		if (path_under(real, allowed[i]))
			return true;
	return false;
}

/* The folder of @image, resolved, into @dir (PATH_MAX bytes). */
static int image_dir(const char *image, char *dir)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(image, '/');

	if (!slash)
		snprintf(tmp, sizeof(tmp), ".");
	else if (slash == image)
		snprintf(tmp, sizeof(tmp), "/");
	else
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(slash - image), image);
	return realpath(tmp, dir) ? 0 : -errno;
}

int rd_path_check(const char *image, const char *ref, bool blkdev_ok,
		  char *real, char *err, size_t errlen)
{
	char dir[PATH_MAX], cand[PATH_MAX * 2];
	struct stat st;
	int e;

	real[0] = 0;
	if (!ref[0] || strlen(ref) >= PATH_MAX) {
		snprintf(err, errlen, "%s: empty or too long file name inside the image",
			 image);
		return -EINVAL;
	}
	if (strstr(ref, "://") || !strncmp(ref, "json:", 5)) {
		snprintf(err, errlen, "%s names '%.200s': protocol and json: names are never followed",
			 image, ref);
		return -EPERM;
	}
	e = image_dir(image, dir);
	if (e) {
		snprintf(err, errlen, "%s: its folder: %s", image, strerror(-e));
		return e;
	}
	snprintf(cand, sizeof(cand), "%s%s%s", ref[0] == '/' ? "" : dir,
		 ref[0] == '/' ? "" : "/", ref);
	if (!realpath(cand, real)) {
		e = -errno;
		snprintf(err, errlen, "%s names '%.200s' (%.300s): %s", image,
			 ref, cand, strerror(-e));
		real[0] = 0;
		return e;
	}
	if (path_under(real, "/proc") || path_under(real, "/sys")) {
		snprintf(err, errlen, "%s names '%.200s' (%.300s): files under /proc and /sys are never followed",
			 image, ref, real);
		return -EPERM;
	}
	if (stat(real, &st) < 0) {
		e = -errno;
		snprintf(err, errlen, "%s names %.300s: %s", image, real,
			 strerror(-e));
		return e;
	}
	if (!S_ISREG(st.st_mode) && !(S_ISBLK(st.st_mode) && blkdev_ok)) {
		snprintf(err, errlen, "%s names %.300s: %s", image, real,
			 S_ISBLK(st.st_mode) ?
			 "a block device, followed only from a raw-disk descriptor (fullDevice, partitionedDevice)" :
			 S_ISFIFO(st.st_mode) ? "a FIFO, never followed" :
			 S_ISSOCK(st.st_mode) ? "a socket, never followed" :
			 S_ISCHR(st.st_mode) ?
			 "a character device, never followed" :
			 "not a regular file, never followed");
		return -EINVAL;
	}
	/* a raw-disk descriptor names its devices by absolute path */
	if (!path_under(real, dir) && !consented(real) &&
	    !(S_ISBLK(st.st_mode) && blkdev_ok)) {
		snprintf(err, errlen, "%s names %.300s, outside the image's folder: refused (run with --allow-path %.300s to use it)",
			 image, real, real);
		return -EPERM;
	}
	return 0;
}

int rd_chain_start(struct rd_chain *c, unsigned int *opened,
		   struct rd_disk *f)
{
	memset(c, 0, sizeof(*c));
	c->opened = opened;
	*opened = 1;
	return rd_file_identity(f, &c->dev[0], &c->ino[0]);
}

void rd_chain_note(struct rd_chain *c, const char *format, const char *path,
		   bool blockdev)
{
	struct rd_chain_file *f;

	if (!c->nfiles)
		return;
	if (c->files && *c->nfiles < c->max) {
		f = &c->files[*c->nfiles];
		f->depth = c->depth;
		snprintf(f->format, sizeof(f->format), "%s", format);
		snprintf(f->path, sizeof(f->path), "%s", path);
		f->blockdev = blockdev;
	}
	(*c->nfiles)++;
}

int rd_path_follow(const char *image, const char *ref, unsigned int how,
		   const struct rd_chain *parent, struct rd_chain *child,
		   struct rd_disk **out, char *real, char *err, size_t errlen)
{
	struct stat st;
	unsigned int i;
	int fd, e;

	*out = NULL;
	e = rd_path_check(image, ref, how & RD_FOLLOW_BLKDEV, real, err,
			  errlen);
	if (e)
		return e;
	if (parent->depth + 1 >= RD_CHAIN_MAX) {
		snprintf(err, errlen, "%s names %.300s: chain deeper than %d files refused",
			 image, real, RD_CHAIN_MAX);
		return -ELOOP;
	}
	if (*parent->opened >= RD_CHAIN_FILES_MAX) {
		snprintf(err, errlen, "%s: more than %d files in one image refused",
			 image, RD_CHAIN_FILES_MAX);
		return -E2BIG;
	}
	/* realpath() resolved every link: a link appearing now is a race */
	fd = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		snprintf(err, errlen, "%s names %.300s: %s", image, real,
			 strerror(-e));
		return e;
	}
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) ||
	    (S_ISBLK(st.st_mode) && (how & RD_FOLLOW_BLKDEV)))) {
		close(fd);
		snprintf(err, errlen, "%s names %.300s: not a regular file (changed while opening)",
			 image, real);
		return -EINVAL;
	}
	for (i = 0; i <= parent->depth; i++)
		if (parent->dev[i] == (uint64_t)st.st_dev &&
		    parent->ino[i] == (uint64_t)st.st_ino) {
			close(fd);
			snprintf(err, errlen, "%s names %.300s, which leads back to itself: a cycle, refused",
				 image, real);
			return -ELOOP;
		}
	e = rd_file_open_fd(fd, real, RD_RDONLY, out, err, errlen);
	if (e)
		return e;
	if (child != parent)
		*child = *parent;
	child->depth = parent->depth + 1;
	child->dev[child->depth] = (uint64_t)st.st_dev;
	child->ino[child->depth] = (uint64_t)st.st_ino;
	(*child->opened)++;
	return 0;
}
