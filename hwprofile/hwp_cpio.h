/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hwp_cpio.h --- initramfs (newc cpio, optionally compressed, optional
 * early-microcode prefix) reader and writer used by hwprofile.
 */
#ifndef DUALVM_HWP_CPIO_H
#define DUALVM_HWP_CPIO_H

#include "hwprofile/hwp_priv.h"

struct hwp_cpio_ent {
	char		*name;		/* path as stored ("lib/x.ko") */
	unsigned int	mode;		/* st_mode incl. file type */
	unsigned int	uid, gid;	/* owner */
	int64_t		mtime;		/* seconds */
	uint64_t	rdev;		/* device number for nodes */
	uint8_t		*data;		/* regular file bytes, owned */
	size_t		len;		/* bytes in data */
	char		*link;		/* symlink target, owned, or NULL */
};

struct hwp_cpio {
	struct hwp_cpio_ent *e;		/* entries in archive order */
	size_t		n;		/* used */
	size_t		cap;		/* allocated */
};

/* Entries an initramfs may hold (a distribution's has a few thousand). */
#define HWP_CPIO_MAX_ENTRIES	(1u << 18)

/* Unpack the (possibly compressed) cpio archive at @buf (prefix already
 * skipped).  Every allocation is bounded: at most HWP_FILE_MAX bytes
 * uncompressed and HWP_CPIO_MAX_ENTRIES entries, whatever the header fields
 * say.  0, -EINVAL (corrupt), -EFBIG (over a limit), -ENOMEM. */
int hwp_cpio_read(const void *buf, size_t len, struct hwp_cpio *out);
void hwp_cpio_free(struct hwp_cpio *c);
/* Append an entry (data copied).  0 or -ENOMEM. */
int hwp_cpio_add(struct hwp_cpio *c, const char *name, unsigned int mode,
		 const void *data, size_t len, const char *link);
/* Entry named @name (leading "/" or "./" ignored), or NULL. */
struct hwp_cpio_ent *hwp_cpio_find(struct hwp_cpio *c, const char *name);
/* Pack @c as newc with compression @format ("gzip", "xz", "zstd", "lz4",
 * "bzip2", "lzma", "none") after @prefix bytes.  *@out is malloc'ed.  0,
 * -ENOTSUP (format) or -errno. */
int hwp_cpio_write(const struct hwp_cpio *c, const char *format,
		   const void *prefix, size_t prefix_len, void **out,
		   size_t *outlen);

#endif
