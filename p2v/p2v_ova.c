// SPDX-License-Identifier: GPL-2.0-only
/*
 * p2v_ova.c --- importing an OVA (DMTF DSP0243 1.0 section 5.3: a ustar
 * archive of the OVF descriptor, first, the files it references and an
 * optional manifest)
 *
 * Two passes over the archive through libarchive (tar only, no filters):
 * the first checks every member name (an absolute name or a ".."
 * component refuses the whole archive) and reads the descriptor (the
 * first *.ovf member, at most 1 MiB) and the manifest (*.mf, at most
 * 64 KiB); the descriptor is parsed by p2v_vmxml.c; the second pass
 * extracts exactly the members the descriptor references, each a plain
 * file name and a regular file, into the VM's folder (O_EXCL,
 * O_NOFOLLOW, zero blocks left as holes), hashing them for the manifest's
 * SHA256 lines.  Whatever it created is removed on failure.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/lib.h"
#include "p2v/p2v_priv.h"

/* A member name an OVA may give a file we extract: a plain file name. */
static bool plain_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 255 || strchr(s, '/'))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			return false;
	return true;
}

/* A member name no archive of ours may hold at all. */
static bool hostile_name(const char *s)
{
	const char *p = s;

	if (*s == '/')
		return true;
	while ((p = strstr(p, "..")) != NULL) {
		if ((p == s || p[-1] == '/') && (!p[2] || p[2] == '/'))
			return true;
		p += 2;
	}
	return false;
}

struct ova {
	const char	*path;
	const char	*dir;
	char		*err;
	size_t		errlen;
	const atomic_int *stop;
	char		*ovf;		/* the descriptor's text */
	size_t		ovf_len;
	char		ovf_name[256];
	char		*mf;		/* the manifest, or NULL */
	unsigned int	nmade;		/* files created in @dir */
	char		made[P2V_VMDEF_DISKS][PATH_MAX + 300];
	char		hash[P2V_VMDEF_DISKS][LIB_SHA256_HEX];
};

static struct archive *ova_open(struct ova *a)
{
	struct archive *ar = archive_read_new();

	if (ar && archive_read_support_format_tar(ar) == ARCHIVE_OK &&
	    archive_read_open_filename(ar, a->path, 1 << 16) == ARCHIVE_OK)
		return ar;
	snprintf(a->err, a->errlen, "%s: %s", a->path,
		 ar ? archive_error_string(ar) : "out of memory");
	if (ar)
		archive_read_free(ar);
	return NULL;
}

/* Read the current member (at most @max bytes) into a NUL-terminated
 * buffer. */
static int ova_slurp(struct ova *a, struct archive *ar,
		     struct archive_entry *en, size_t max, char **out,
		     size_t *len)
{
	la_int64_t sz = archive_entry_size(en);
	char *buf;
	la_ssize_t n;

	if (sz < 0 || (uint64_t)sz > max) {
		snprintf(a->err, a->errlen, "%s: member %.200s: too large",
			 a->path, archive_entry_pathname(en));
		return -EFBIG;
	}
	buf = malloc((size_t)sz + 1);
	if (!buf)
		return -ENOMEM;
	n = archive_read_data(ar, buf, (size_t)sz);
	if (n != sz) {
		snprintf(a->err, a->errlen, "%s: member %.200s: %s", a->path,
			 archive_entry_pathname(en),
			 n < 0 ? archive_error_string(ar) : "truncated");
		free(buf);
		return -EIO;
	}
	buf[sz] = '\0';
	*out = buf;
	*len = (size_t)sz;
	return 0;
}

/* First pass: every member name is checked, the descriptor and the
 * manifest are read. */
static int ova_scan(struct ova *a)
{
	struct archive *ar = ova_open(a);
	struct archive_entry *en;
	size_t mlen;
	int r, e = 0;

	if (!ar)
		return -EIO;
	while (!e && (r = archive_read_next_header(ar, &en)) == ARCHIVE_OK) {
		const char *nm = archive_entry_pathname(en);
		size_t l = nm ? strlen(nm) : 0;

		if (!nm || hostile_name(nm)) {
			snprintf(a->err, a->errlen, "%s holds the member '%.200s', outside the archive's folder: refused",
				 a->path, nm ? nm : "");
			e = -EPERM;
		} else if (!a->ovf && l > 4 && !strcasecmp(nm + l - 4, ".ovf") &&
			   plain_name(nm)) {
			snprintf(a->ovf_name, sizeof(a->ovf_name), "%s", nm);
			e = ova_slurp(a, ar, en, P2V_VMXML_MAX_TEXT, &a->ovf,
				      &a->ovf_len);
		} else if (!a->mf && l > 3 && !strcasecmp(nm + l - 3, ".mf") &&
			   plain_name(nm)) {
			e = ova_slurp(a, ar, en, 64 * 1024, &a->mf, &mlen);
		}
	}
	if (!e && r != ARCHIVE_EOF) {
		snprintf(a->err, a->errlen, "%s: not a readable OVA (tar): %s",
			 a->path, archive_error_string(ar));
		e = -EINVAL;
	}
	if (!e && !a->ovf) {
		snprintf(a->err, a->errlen, "%s: holds no .ovf descriptor", a->path);
		e = -EINVAL;
	}
	archive_read_free(ar);
	return e;
}

/* Write the current member to the new file @dst, sparse, hashing it. */
static int ova_extract(struct ova *a, struct archive *ar, const char *dst,
		       char *hex)
{
	struct lib_sha256 h;
	const void *buf;
	size_t len;
	la_int64_t off, end = 0;
	int fd, r, e = 0;

	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		e = -errno;
		snprintf(a->err, a->errlen, "%s: %s", dst,
			 e == -EEXIST ? "the OVA holds this file twice" :
			 strerror(-e));
		return e;
	}
	snprintf(a->made[a->nmade++], sizeof(a->made[0]), "%s", dst);
	lib_sha256_init(&h);
	while ((r = archive_read_data_block(ar, &buf, &len, &off)) == ARCHIVE_OK) {
		static const char zero[4096];

		if (a->stop && atomic_load(a->stop)) {
			snprintf(a->err, a->errlen, "interrupted");
			e = -EINTR;
			break;
		}
		/* a tar has no holes of its own: the hash covers the zeros
		 * between blocks too */
		while (end < off) {
			size_t z = (size_t)(off - end) < sizeof(zero) ?
				   (size_t)(off - end) : sizeof(zero);

			lib_sha256_update(&h, zero, z);
			end += (la_int64_t)z;
		}
		lib_sha256_update(&h, buf, len);
		if (!p2v_is_zero(buf, len))
			e = lib_pwrite_all(fd, buf, len, (uint64_t)off);
		if (e) {
			snprintf(a->err, a->errlen, "%s: %s", dst, strerror(-e));
			break;
		}
		end = off + (la_int64_t)len;
	}
	if (!e && r != ARCHIVE_EOF) {
		snprintf(a->err, a->errlen, "%s: %s", a->path,
			 archive_error_string(ar));
		e = -EIO;
	}
	if (!e && (ftruncate(fd, end) || fsync(fd))) {
		e = -errno;
		snprintf(a->err, a->errlen, "%s: %s", dst, strerror(-e));
	}
	close(fd);
	lib_sha256_hex(&h, hex);
	return e;
}

/* The SHA256 the manifest gives @name, or NULL. */
static const char *mf_sha256(const char *mf, const char *name, char *out)
{
	size_t n = strlen(name);

	for (const char *l = mf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "SHA256(", 7) || strncmp(l + 7, name, n) ||
		    strncmp(l + 7 + n, ")=", 2))
			continue;
		l += 9 + n;
		while (*l == ' ')
			l++;
		if (strspn(l, "0123456789abcdefABCDEF") != 64)
			return NULL;
		for (int i = 0; i < 64; i++)
			out[i] = (char)(l[i] >= 'A' && l[i] <= 'F' ? l[i] + 32 : l[i]);
		out[64] = '\0';
		return out;
	}
	return NULL;
}

/* Second pass: extract exactly the referenced members. */
static int ova_disks(struct ova *a, struct p2v_xvm *x)
{
	struct archive *ar;
	struct archive_entry *en;
	bool done[P2V_XML_DISKS] = { false };
	char dst[PATH_MAX + 300], want[LIB_SHA256_HEX];
	int r = ARCHIVE_OK, e = 0;

	for (unsigned int i = 0; i < x->nd; i++)
		if (!plain_name(x->disk[i].ref)) {
			snprintf(a->err, a->errlen, "%s: its OVF references '%.200s', not a plain file name of the archive: refused",
				 a->path, x->disk[i].ref);
			return -EPERM;
		}
	ar = ova_open(a);
	if (!ar)
		return -EIO;
	while (!e && (r = archive_read_next_header(ar, &en)) == ARCHIVE_OK) {
		const char *nm = archive_entry_pathname(en);
		unsigned int i;

		for (i = 0; i < x->nd; i++)
			if (!done[i] && !strcmp(nm, x->disk[i].ref))
				break;
		if (i == x->nd)
			continue;
		if (archive_entry_filetype(en) != AE_IFREG ||
		    archive_entry_hardlink(en)) {
			snprintf(a->err, a->errlen, "%s: member %.200s is not a regular file: refused",
				 a->path, nm);
			e = -EPERM;
			break;
		}
		snprintf(dst, sizeof(dst), "%s/%s", a->dir, nm);
		e = ova_extract(a, ar, dst, a->hash[a->nmade]);
		if (!e && a->mf && mf_sha256(a->mf, nm, want) &&
		    strcmp(want, a->hash[a->nmade - 1])) {
			snprintf(a->err, a->errlen, "%s: member %.200s does not match the SHA256 of the manifest",
				 a->path, nm);
			e = -EIO;
		}
		/* the same reference may name one file for several disks */
		for (unsigned int j = 0; j < x->nd; j++)
			if (!strcmp(nm, x->disk[j].ref))
				done[j] = true;
	}
	if (!e && r != ARCHIVE_EOF) {
		snprintf(a->err, a->errlen, "%s: %s", a->path, archive_error_string(ar));
		e = -EIO;
	}
	for (unsigned int i = 0; !e && i < x->nd; i++)
		if (!done[i]) {
			snprintf(a->err, a->errlen, "%s: its OVF references '%.200s', which the archive does not hold",
				 a->path, x->disk[i].ref);
			e = -ENOENT;
		}
	archive_read_free(ar);
	return e;
}

int p2v_ova_import(const char *ova, const char *dir, struct p2v_vmdef *d,
		   const atomic_int *stop, char *err, size_t errlen)
{
	struct ova *a = calloc(1, sizeof(*a));
	struct p2v_xvm *x = calloc(1, sizeof(*x));
	char ovfpath[PATH_MAX + 300];
	int e;

	memset(d, 0, sizeof(*d));
	if (errlen)
		err[0] = '\0';
	if (!a || !x) {
		free(a);
		free(x);
		return p2v_err_line(-ENOMEM, err, errlen);
	}
	*a = (struct ova){ .path = ova, .dir = dir, .err = err,
			   .errlen = errlen, .stop = stop };
	e = ova_scan(a);
	if (!e) {
		*x = (struct p2v_xvm){ .path = ova, .d = d, .err = err,
				   .errlen = errlen };
		e = p2v_xml_collect(x, a->ovf, a->ovf_len);
	}
	if (!e && strcmp(d->kind, "ovf"))
		e = p2v_xml_bad(x, -EINVAL, "%s", "its descriptor is not an OVF Envelope");
	if (!e)
		e = ova_disks(a, x);
	/* the disks are now beside a (virtual) descriptor in @dir */
	snprintf(ovfpath, sizeof(ovfpath), "%s/%s", dir, a->ovf_name);
	for (unsigned int i = 0; !e && i < x->nd; i++) {
		e = p2v_vmdef_disk(ovfpath, x->disk[i].ref, 0, d->disk[i].path,
				   err, errlen);
		d->ndisks = i + 1;
	}
	if (!e)
		snprintf(d->kind, sizeof(d->kind), "ova");
	else
		for (unsigned int i = 0; i < a->nmade; i++)
			unlink(a->made[i]);
	free(a->ovf);
	free(a->mf);
	free(a);
	free(x);
	return p2v_err_line(e, err, errlen);
}
