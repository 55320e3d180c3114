/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwp_priv.h --- internals shared by the hwprofile files: file access in
 * guest file systems (libext2fs, libntfs-3g), small string helpers.
 */
#ifndef DUALVM_HWP_PRIV_H
#define DUALVM_HWP_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include <ext2fs/ext2fs.h>
#include <ntfs-3g/types.h>
#include <ntfs-3g/volume.h>
#include <hivex.h>

#include "hwprofile/hwprofile.h"
#include "lib/lib.h"

/* Largest guest file read into memory (initramfs, hive). */
#define HWP_FILE_MAX	(256u << 20)

/* ---- ext2/3/4 (hwp_ext2.c) ---- */

/* Read @path (absolute, symlinks followed) into a malloc'ed buffer with a
 * trailing NUL (not counted in *@len).  0, -ENOENT, -EFBIG, -EIO. */
int hwp_ext2_read(ext2_filsys fs, const char *path, char **buf, size_t *len);
/* True if @path exists (symlinks followed); *@ino set when not NULL. */
bool hwp_ext2_exists(ext2_filsys fs, const char *path, ext2_ino_t *ino);
/* Replace the contents of @path (created with mode 0644 if missing; parent
 * directories must exist).  0 or -errno. */
int hwp_ext2_write(ext2_filsys fs, const char *path, const void *buf,
		   size_t len);
/* mkdir -p.  0 or -errno. */
int hwp_ext2_mkdirs(ext2_filsys fs, const char *path);
/* Remove a regular file and free its blocks.  0, -ENOENT or -errno. */
int hwp_ext2_unlink(ext2_filsys fs, const char *path);
/* Call @fn for each name in directory @dir (not "." / "..").  A nonzero
 * return from @fn stops.  0, -ENOENT or -errno. */
int hwp_ext2_list(ext2_filsys fs, const char *dir,
		  int (*fn)(const char *name, int ftype, void *arg), void *arg);

/* ---- NTFS (hwp_ntfs.c) ---- */

/* Read @path (case-insensitive lookup) into a malloc'ed buffer, at most
 * @max bytes.  0, -ENOENT, -EFBIG, -EIO. */
int hwp_ntfs_read(ntfs_volume *vol, const char *path, size_t max,
		  char **buf, size_t *len);
/* Overwrite @path with @len bytes (same size or resized).  0 or -errno. */
int hwp_ntfs_write(ntfs_volume *vol, const char *path, const void *buf,
		   size_t len);
bool hwp_ntfs_exists(ntfs_volume *vol, const char *path);
/* Create the regular file @path (must not exist) holding @buf. */
int hwp_ntfs_create(ntfs_volume *vol, const char *path, const void *buf,
		    size_t len);
/* Delete the regular file @path.  0, -ENOENT or -errno. */
int hwp_ntfs_unlink(ntfs_volume *vol, const char *path);
/* Safety flags of a mounted volume (hiberfil, $LogFile, dirty). */
void hwp_ntfs_safety(ntfs_volume *vol, struct hwp_safety *s);
/* Find the Windows directory ("/Windows", "/WINNT") with
 * System32/config/SYSTEM.  0 or -ENOENT. */
int hwp_ntfs_find_windir(ntfs_volume *vol, char *out, size_t outlen);

/* Read <windir>/System32/config/SYSTEM (and SOFTWARE when @soft is not
 * NULL; *@soft stays NULL if missing).  0 or -errno. */
int hwp_win_load_hives(ntfs_volume *vol, const char *windir, char **sys,
		       size_t *sys_len, char **soft, size_t *soft_len);

/* ---- Windows registry (hwp_winreg.c) ---- */

/* Fill @w from in-memory SYSTEM / SOFTWARE hive images (SOFTWARE may be
 * NULL).  0 or -EINVAL (corrupt hive, reason in @err). */
int hwp_win_read_hives(const void *system, size_t system_len,
		       const void *software, size_t software_len,
		       struct hwp_windows *w, char *err, size_t errlen);

/* Open an in-memory hive through a memfd (kept open in *@fd for writing
 * back when @write; else closed).  0, -EINVAL (corrupt) or -errno. */
int hwp_hive_open_mem(const void *buf, size_t len, bool write, hive_h **h,
		      int *fd);
/* Node at a backslash path from the root (case-insensitive), or 0. */
hive_node_h hwp_hive_path(hive_h *h, const char *path);
int hwp_hive_get_str(hive_h *h, hive_node_h node, const char *name,
		     char *out, size_t outlen);
int hwp_hive_get_dword(hive_h *h, hive_node_h node, const char *name,
		       uint32_t *val);
/* "ControlSet00N" of Select\Current.  0, -ENOENT or -EINVAL. */
int hwp_hive_control_set(hive_h *h, char *out, size_t outlen);
enum hwp_win_gen hwp_hive_guess_gen(hive_h *h, const char *version);
/* Fill w->services from control set @cs. */
void hwp_hive_services(hive_h *h, const char *cs, struct hwp_windows *w);

/* Apply the storage edits for @gen to an in-memory SYSTEM hive; *@out is
 * the new hive (malloc'ed) or NULL when nothing needed changing.  0,
 * -EINVAL (corrupt: nothing produced), -ENOTSUP or -errno. */
int hwp_hive_inject_mem(const void *in, size_t len, enum hwp_win_gen gen,
			void **out, size_t *outlen,
			struct hwp_inject_report *rep, char *err,
			size_t errlen);

/* -EPERM with what to do when @p must not be written (hibernated...). */
int hwp_refuse_unsafe(const struct hwp_part *p, char *err, size_t errlen);
/* Linux injector (hwp_inject_linux.c). */
int hwp_inject_linux(struct rd_disk *d, const struct hwp_report *r,
		     const struct hwp_part *p,
		     unsigned int flags, struct hwp_inject_report *rep,
		     char *err, size_t errlen);

/* ---- Linux (hwp_linux.c) ---- */
int hwp_linux_inspect(ext2_filsys fs, struct hwp_linux *lx);
/* Names of the canonical-hardware modules, NULL-terminated. */
extern const char *const hwp_canon_modules[];

/* ---- initramfs (hwp_cpio.c) ---- */
/* Detect the compression of @buf: "gzip", "xz", ..., "none", "unknown";
 * *@prefix gets the length of an uncompressed early cpio prefix (0 if
 * none). */
const char *hwp_initrd_format(const void *buf, size_t len, size_t *prefix);

/* ---- strings ---- */
/* snprintf into a fixed buffer, truncating. */
void hwp_strlcpy(char *dst, const char *src, size_t size);
/* Append a printf-style line to @rep->notes. */
void hwp_note(struct hwp_inject_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append a change record; returns it (NULL when full). */
struct hwp_change *hwp_change_add(struct hwp_inject_report *rep,
				  const char *path, const char *what);
/* hwp_change_add() for a file whose bytes went from @before to @after
 * (their SHA-256 recorded).  No-op when the report is full. */
void hwp_change_hashed(struct hwp_inject_report *rep, const char *path,
		       const char *what, const void *before, size_t blen,
		       const void *after, size_t alen);
void hwp_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
